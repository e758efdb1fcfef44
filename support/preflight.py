"""Checking, before the work, that the output can be written where the flags say.

A lesson asks these before it trains or draws, so that a typo in --model or --figures-dir, a file
where a folder should be, a name too long for the file system or a full disk costs a second, not a
whole run. Each check returns what is wrong as one line naming the flag and the fix, or None, and
creates nothing.
"""
import os
import shutil
import tempfile
from pathlib import Path

from support.lifecycle import Fatal


def writable_folder_problem(folder, flag, needed_bytes=0):
    """What is wrong with `folder` as a place to write `needed_bytes` (naming `flag`, the flag that
    chooses another), or None when all is well. Nothing is created: the first folder on the way
    that exists must be a folder we can write in, with the space, so that a run that stops early
    leaves no empty folder behind. Lessons check their output folders this way before the work,
    so that a typo costs a second, not a whole run."""
    try:
        existing = Path(folder)
        while not existing.exists():
            if existing.is_symlink():
                return (f"{existing} is a symbolic link that leads nowhere; choose another "
                        f"folder with {flag}")
            existing = existing.parent
    except OSError as error:                       # a name too long for the system, say
        return f"{flag} {folder}: {error.strerror or error}; choose another folder with {flag}"
    try:
        if not existing.is_dir():
            return f"{existing} is a file, not a folder; choose another folder with {flag}"
        too_long = name_too_long(folder, existing)
        if too_long:
            return f"{flag} {folder}: {too_long}; choose a shorter name"
        with tempfile.TemporaryFile(dir=existing):
            pass
        free = shutil.disk_usage(existing).free
    except OSError as error:
        return (f"cannot write to {folder}: {error.strerror or error}; choose another folder "
                f"with {flag}")
    if free < needed_bytes:
        return (f"not enough space in {existing}: {needed_bytes / 1e6:.1f} MB are needed and "
                f"{free / 1e6:.1f} MB are free; free some space there, or choose another folder "
                f"with {flag}")
    return None


def nearest_existing(path):
    """`path`, or the nearest folder above it that exists."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def name_too_long(path, existing):
    """Why a part of `path` is a longer name than the file system holding `existing` allows, or
    None."""
    try:
        limit = os.pathconf(existing, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):          # Windows has no pathconf
        limit = 255
    for part in Path(path).parts:
        if len(os.fsencode(part)) > limit:
            return (f"a name in it is {len(os.fsencode(part))} bytes long, and the file system "
                    f"allows {limit}")
    return None


def check_output_folders(model, figures_dir, model_bytes=0):
    """output_folders_problem, raised as a Fatal error when there is one."""
    problem = output_folders_problem(model, figures_dir, model_bytes)
    if problem:
        raise Fatal(problem)


def output_folders_problem(model, figures_dir, model_bytes=0):
    """What is wrong with the file name for the model and the folder for the figures (None: no
    figures), or None; checked before training, so that a typo in --model or --figures-dir, or a
    full disk, costs a second, not a whole run."""
    try:
        is_folder = model.is_dir()
    except OSError as error:
        return f"--model {model}: {error.strerror or error}; choose another file with --model"
    if is_folder:
        return f"--model {model} is a folder; give a file name, e.g. --model {model / 'model.npz'}"
    if model.is_symlink():               # save_model writes through the link: check where it leads
        try:
            model = model.resolve()
        except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
            return (f"--model {model} is a symbolic link that leads in a loop; choose another file "
                    "with --model")
    problem = writable_folder_problem(model.parent, "--model", 2 * model_bytes)
    if problem is None and name_too_long(Path(model.name), nearest_existing(model.parent)):
        problem = (f"--model {model}: {name_too_long(Path(model.name), nearest_existing(model))}; "
                   "choose a shorter name")
    if problem or figures_dir is None:
        return problem
    return figures_dir_problem(figures_dir)


def figures_dir_problem(folder):
    """writable_folder_problem for the figures' folder, which --no-plots also answers."""
    problem = writable_folder_problem(folder, "--figures-dir")
    return problem and f"{problem}, or skip the figures with --no-plots"
