"""support/lessons.py: a lesson takes names from an earlier lesson in its own folder, each file
loaded once and shared; a missing file or name is one LessonMissing saying what to do, and a file
that fails while loading is not kept half-loaded.

The lessons themselves are checked in test_lesson_imports.py; here small made-up lessons in a
temporary folder stand in for them."""
import sys

import pytest

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
    assert str(missing.value) == (f"01_a.py is not in {folder.resolve()}: 02_b.py builds on it; "
                                  "copy the lesson 01_a.py into that folder")


def test_a_missing_name_names_what_takes_it_and_the_fix(tmp_path):
    folder = write_lessons(tmp_path, _01_a="Y = 1\n", _02_b=TAKES_X)
    with pytest.raises(LessonMissing) as missing:
        load_lesson(folder / "02_b.py")
    assert str(missing.value) == (f"{(folder / '01_a.py').resolve()} defines no X, which 02_b.py "
                                  "takes from it; restore it from the lesson of the same name")


def test_a_lesson_that_fails_to_load_is_not_kept_half_loaded(tmp_path):
    folder = write_lessons(tmp_path, _01_a="X = 1\ndef broken(:\n")
    modules_before = set(sys.modules)
    with pytest.raises(SyntaxError):
        load_lesson(folder / "01_a.py")
    assert set(sys.modules) == modules_before
    write_lessons(folder, _01_a="X = 1\n")          # the learner fixes the line
    assert load_lesson(folder / "01_a.py").X == 1
