"""support/lessons.py: a lesson takes names from an earlier lesson in its own folder, each file
loaded once and shared; a missing file or name is one LessonMissing saying what to do, and a file
that fails while loading is not kept half-loaded.

The lessons themselves are checked in test_lesson_imports.py; here small made-up lessons in a
temporary folder stand in for them."""
import os
import shutil
import tempfile
import subprocess
import sys

import pytest

from helpers import REPO, assert_mentions, copy_lessons
from support.lessons import LessonMissing, load_lesson


def write_lessons(folder, **files):
    """Lesson files named like the course's (the keyword _02_b writes 02_b.py), in `folder`."""
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name.lstrip('_')}.py").write_text(text, encoding="utf-8")
    return folder


TAKES_X = 'from support.lessons import from_lesson\nX = from_lesson("01_a", "X")\n'


def test_a_lesson_takes_a_name_from_the_earlier_lesson_in_its_own_folder(tmp_path):
    mine = write_lessons(tmp_path / "mine", _01_a="X = 'mine'\n", _02_b=TAKES_X)
    theirs = write_lessons(tmp_path / "theirs", _01_a="X = 'theirs'\n", _02_b=TAKES_X)
    assert load_lesson(mine / "02_b.py").X == "mine"
    assert load_lesson(theirs / "02_b.py").X == "theirs", "another folder, another lesson 01"


def test_each_file_is_loaded_once_and_shared(tmp_path):
    folder = write_lessons(tmp_path, _01_a="X = object()\n", _02_b=TAKES_X,
                           _03_c=TAKES_X)
    first = load_lesson(folder / "01_a.py")
    assert load_lesson(folder / "01_a.py") is first
    assert load_lesson(folder / "02_b.py").X is first.X is load_lesson(folder / "03_c.py").X


def test_a_missing_lesson_names_the_file_the_folder_and_the_fix(tmp_path):
    folder = write_lessons(tmp_path, _02_b=TAKES_X)
    with pytest.raises(LessonMissing) as missing:
        load_lesson(folder / "02_b.py")
    assert_mentions(str(missing.value), f"01_a.py is not in {folder.resolve()}", "02_b.py",
                    "copy the lesson 01_a.py")


def test_a_missing_name_names_what_takes_it_and_the_fix(tmp_path):
    folder = write_lessons(tmp_path, _01_a="Y = 1\n", _02_b=TAKES_X)
    with pytest.raises(LessonMissing) as missing:
        load_lesson(folder / "02_b.py")
    assert_mentions(str(missing.value), f"{(folder / '01_a.py').resolve()} defines no X",
                    "02_b.py", "restore it")


def test_a_lesson_that_fails_to_load_is_not_kept_half_loaded(tmp_path):
    folder = write_lessons(tmp_path, _01_a="X = 1\ndef broken(:\n")
    modules_before = set(sys.modules)
    with pytest.raises(SyntaxError):
        load_lesson(folder / "01_a.py")
    assert set(sys.modules) == modules_before
    write_lessons(folder, _01_a="X = 1\n")          # the learner fixes the line
    assert load_lesson(folder / "01_a.py").X == 1


def python(*args, cwd, **env):
    """Python run as a learner runs it, with `env` on top of the environment (None: unset)."""
    full_env = {key: value for key, value in {**os.environ, "MPLBACKEND": "Agg", **env}.items()
                if value is not None}
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, errors="replace", timeout=120)


def test_code_without_a_file_takes_lessons_from_the_current_folder(tmp_path):
    take = "from support.lessons import from_lesson; print(from_lesson('01_single_neuron', {!r})"
    in_course = python("-c", take.format("sigmoid") + "(0.0))", cwd=REPO, PYTHONPATH=None)
    assert (in_course.returncode, in_course.stdout.strip()) == (0, "0.5"), in_course.stderr
    write_lessons(tmp_path, _01_single_neuron="def sigmoid(z):\n    return 'mine'\n")
    in_mine = python("-c", take.format("sigmoid") + "(0.0))", cwd=tmp_path, PYTHONPATH=REPO)
    assert in_mine.stdout.strip() == "mine", "the current folder's lesson, not the course's"


def test_a_copy_outside_the_course_names_the_setting_it_needs_and_runs_with_it(tmp_path):
    copy = copy_lessons(tmp_path, ["03_loss_function.py"])     # alone: 01 and 02 are the course's
    alone = python(copy / "03_loss_function.py", "--no-plots", cwd=tmp_path, PYTHONPATH=None)
    assert alone.returncode == 1 and "Traceback" not in alone.stderr
    assert "PYTHONPATH" in alone.stderr and len(alone.stderr.strip().splitlines()) == 1
    with_setting = python(copy / "03_loss_function.py", "--no-plots", cwd=tmp_path,
                          PYTHONPATH=REPO)
    assert with_setting.returncode == 0, with_setting.stderr


def test_a_folder_name_the_locale_cannot_spell_still_loads(tmp_path):
    folder = copy_lessons(tmp_path / "übung", ["01_single_neuron.py", "02_forward_pass.py"])
    run = python(folder / "02_forward_pass.py", "--no-plots", cwd=tmp_path, PYTHONPATH=REPO,
                 LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0",
                 PYTHONIOENCODING="utf-8")
    assert run.returncode == 0, run.stderr


def test_exercises_written_outside_the_course_say_what_to_set(tmp_path):
    made = python(REPO / "tools" / "make_exercises.py", "--solved", "01", tmp_path / "mine",
                  cwd=tmp_path)
    assert made.returncode == 0 and "PYTHONPATH" in made.stdout, made.stderr
    (tmp_path / "out").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "out")        # a folder name that leads out
    linked = python(REPO / "tools" / "make_exercises.py", "--solved", "01", tmp_path / "link",
                    cwd=tmp_path)
    assert "PYTHONPATH" in linked.stdout, linked.stderr
    inside = tempfile.mkdtemp(dir=REPO)
    try:
        quiet = python(REPO / "tools" / "make_exercises.py", "--solved", "01", inside, cwd=REPO)
    finally:
        shutil.rmtree(inside)
    assert quiet.returncode == 0 and "PYTHONPATH" not in quiet.stdout, quiet.stdout
