"""How a lesson imports what an earlier lesson taught.

The lesson files are named for their place in the course (01_single_neuron.py, 02_forward_pass.py,
...), and a name that starts with a digit cannot follow `import`. So a lesson says, at its top,
one line per earlier lesson:

    from support.lessons import from_lesson
    sigmoid, sigmoid_prime = from_lesson("01_single_neuron", "sigmoid", "sigmoid_prime")

and gets those names from 01_single_neuron.py in the folder of the file that asks: the
repository's lessons from each other, a learner's exercises (my-exercises/) from the learner's own
earlier answers. Where the asking code has no file (python -c, the REPL, a notebook), the folder is
the current one. A lesson that is not in that folder comes from the course folder, the one holding
support/: so a copy of one lesson anywhere runs on the course's earlier lessons. Each file is loaded
once per folder and then shared, so every lesson that uses lesson 02's Network gets the very same
class.

What it promises: a lesson file that is missing, or that does not define a name asked for, stops
with one LessonMissing naming the file, the folder and what to do; a lesson that fails while it
loads (a syntax error in a learner's copy, say) raises that error and is not kept half-loaded.
"""
import importlib.util
import os
import sys
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent     # the folder holding the lessons and support/
_loaded = {}                                      # resolved path -> module


class LessonMissing(ImportError):
    """An earlier lesson, or a name in it, is not where a later lesson looks for it."""


def from_lesson(lesson, *names):
    """The named objects of `lesson` (e.g. "01_single_neuron"), loaded from the folder of the file
    that calls this (the current folder for code without a file), else from the course folder: one
    object for one name, else a tuple in the order asked."""
    caller_file = sys._getframe(1).f_globals.get("__file__")    # none in python -c, REPL, notebook
    folder = Path(caller_file).resolve().parent if caller_file else Path.cwd()
    asked_by = Path(caller_file).name if caller_file else "the code run here"
    path = folder / f"{lesson}.py"
    if not path.is_file() and (REPO / path.name).is_file():
        path = REPO / path.name                                 # a copy of a lesson, far away
    module = load_lesson(path, asked_by=asked_by)
    missing = [name for name in names if not hasattr(module, name)]
    if missing:
        raise LessonMissing(f"{module.__file__} defines no {', '.join(missing)}, which "
                            f"{asked_by} takes from it; restore it from the lesson of the "
                            "same name")
    values = tuple(getattr(module, name) for name in names)
    return values[0] if len(values) == 1 else values


def load_lesson(path, asked_by=None):
    """The module of the lesson file at `path`, loaded once. Its name is lesson_<file name>, with
    the folder's checksum added when the folder is not the repository's (the same lesson in a
    learner's folder is another module)."""
    path = Path(path).resolve()
    if path in _loaded:
        return _loaded[path]
    if not path.is_file():
        who = f"{asked_by} builds on it" if asked_by else "it was asked for"
        raise LessonMissing(f"{path.name} is not in {path.parent}: {who}; copy the lesson "
                            f"{path.name} into that folder")
    name = "lesson_" + path.stem
    if path.parent != REPO:
        name += f"_from_{zlib.crc32(os.fsencode(path.parent)):08x}"   # any folder name
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module          # dataclasses and pickling look modules up by name
    _loaded[path] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name], _loaded[path]
        raise
    return module
