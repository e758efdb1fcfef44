"""tools/make_exercises.py never loses a learner's work; a run that cannot finish changes nothing.

A file the learner has changed (it matches neither what the generator last wrote there, recorded in
the folder's manifest, nor the new text) is replaced only with --force, after a backup. Every
refusal and every failure is one line naming the problem and its fix, with a non-zero status, and
leaves the folder exactly as it was: no partial file, no temporary, no new folder.
"""
import errno
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from helpers import LESSONS, REPO
from tools import make_exercises

GENERATOR = REPO / "tools" / "make_exercises.py"


def generate(*args, cwd=None):
    return subprocess.run([sys.executable, str(GENERATOR), *map(str, args)], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def snapshot(folder):
    """Every file and folder under `folder`, hidden ones too, with the files' bytes."""
    if not folder.exists():
        return None
    return {str(path.relative_to(folder)): path.read_bytes() if path.is_file() else "folder"
            for path in sorted(folder.rglob("*"))}


def one_line_refusal(result, *words):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture
def learner(tmp_path):
    """A learner's copy of exercises/ (the manifest comes along, as with cp -r)."""
    folder = tmp_path / "my-exercises"
    shutil.copytree(REPO / "exercises", folder)
    return folder


def write_answer(path):
    path.write_text(path.read_text(encoding="utf-8") + "# my answer\n", encoding="utf-8")


def solved(lesson):
    return make_exercises.make_exercise(lesson, (REPO / lesson).read_text(encoding="utf-8"), {},
                                        blank=False)


# --- a changed file is the learner's -----------------------------------------------------------
def test_solving_over_a_changed_file_is_refused_without_force(learner):
    write_answer(learner / "04b_backprop_network.py")
    before = snapshot(learner)
    result = generate("--solved", "04b", learner)
    one_line_refusal(result, "04b_backprop_network.py", "--force")
    assert "01_single_neuron.py" not in result.stderr        # unchanged files are not named
    assert snapshot(learner) == before


def test_force_replaces_a_changed_file_and_keeps_a_backup_each_time(learner):
    mine = learner / "04b_backprop_network.py"
    write_answer(mine)
    first_answer = mine.read_bytes()
    result = generate("--solved", "04b", learner, "--force")
    assert result.returncode == 0, result.stderr
    assert mine.read_text(encoding="utf-8") == solved("04b_backprop_network.py")
    assert (learner / "04b_backprop_network.py.bak").read_bytes() == first_answer
    assert "04b_backprop_network.py.bak" in result.stdout
    write_answer(mine)
    second_answer = mine.read_bytes()
    again = generate("--solved", "04b", learner, "--force")
    assert again.returncode == 0, again.stderr
    assert (learner / "04b_backprop_network.py.bak").read_bytes() == first_answer
    assert (learner / "04b_backprop_network.py.1.bak").read_bytes() == second_answer
    assert "04b_backprop_network.py.1.bak" in again.stdout


def test_a_plain_run_keeps_an_answer_written_in_exercises(tmp_path, monkeypatch, capsys):
    course = tmp_path / "course"
    shutil.copytree(REPO / "exercises", course / "exercises")
    write_answer(course / "exercises" / "01_single_neuron.py")
    before = snapshot(course)
    monkeypatch.setattr(make_exercises, "REPO", course)      # the default folder: exercises/
    refusal = make_exercises.main([])
    assert "01_single_neuron.py" in refusal and "--force" in refusal
    assert snapshot(course) == before


def test_a_file_with_no_record_that_differs_is_the_learners(learner):
    (learner / make_exercises.MANIFEST).unlink()
    write_answer(learner / "02_forward_pass.py")
    result = generate("--solved", "02", learner)
    one_line_refusal(result, "02_forward_pass.py", "--force")


def test_a_copy_with_no_record_but_unchanged_files_is_regenerated(learner):
    (learner / make_exercises.MANIFEST).unlink()
    result = generate(learner)
    assert result.returncode == 0, result.stderr
    assert (learner / make_exercises.MANIFEST).is_file()


def test_regenerating_after_a_lesson_changed_passes_unhindered(learner):
    texts = make_exercises.make_exercises(REPO)
    edited = {**texts, "02_forward_pass.py": texts["02_forward_pass.py"] + "# a lesson edit\n"}
    for version in (edited, texts):          # the lesson edited, then edited back
        written = make_exercises.write_exercises(learner, version)
        assert [path.name for path, backup in written] == ["02_forward_pass.py"]
        assert [backup for path, backup in written] == [None]
        assert (learner / "02_forward_pass.py").read_text(encoding="utf-8") == \
            version["02_forward_pass.py"]
    assert not list(learner.glob("*.bak"))


# --- bad arguments ------------------------------------------------------------------------------
def test_an_empty_lesson_name_is_refused(tmp_path):
    before = snapshot(REPO / "exercises")
    result = generate("--solved", "", tmp_path / "mine")
    assert result.returncode == 2 and "--solved" in result.stderr.splitlines()[-1], result.stderr
    assert not (tmp_path / "mine").exists()
    assert snapshot(REPO / "exercises") == before


def test_solved_needs_a_folder(tmp_path, monkeypatch, capsys):
    """Run on a copy of the course: were it not refused, it would write into its exercises/."""
    course = tmp_path / "course"
    shutil.copytree(REPO / "exercises", course / "exercises")
    for lesson in LESSONS:
        shutil.copy(REPO / lesson, course)
    before = snapshot(course)
    monkeypatch.setattr(make_exercises, "REPO", course)
    with pytest.raises(SystemExit) as refused:
        make_exercises.main(["--solved", "02"])
    assert refused.value.code == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert "--solved 02" in error and "folder" in error, error
    assert snapshot(course) == before


def test_an_unknown_lesson_is_refused(tmp_path):
    result = generate("--solved", "09", tmp_path / "mine")
    assert result.returncode == 2 and "09" in result.stderr.splitlines()[-1], result.stderr
    assert "04a" in result.stderr                               # the lessons there are
    assert not (tmp_path / "mine").exists()


# --- a run that cannot finish leaves the folder as it was ---------------------------------------
def test_a_read_only_file_stops_the_run_before_anything_is_written(learner):
    (learner / "02_forward_pass.py").chmod(0o444)
    before = snapshot(learner)
    result = generate("--solved", "04a", learner, "--force")
    one_line_refusal(result, "02_forward_pass.py", "read-only", "chmod")
    assert snapshot(learner) == before                          # 01 was not rewritten first


@pytest.mark.parametrize("under", [False, True], ids=["is a file", "under a file"])
def test_a_target_that_is_or_lies_under_a_file_is_refused(tmp_path, under):
    (tmp_path / "notes").write_text("mine", encoding="utf-8")
    target = tmp_path / "notes" / "sub" if under else tmp_path / "notes"
    result = generate("--solved", "01", target)
    one_line_refusal(result, "notes", "not a folder")
    assert snapshot(tmp_path) == {"notes": b"mine"}


def failing_open(error, after):
    """open() for make_exercises that fails with `error` from the (after + 1)-th file on, having
    written half of that file: what a full disk or a read-only folder does."""
    opened = []

    class HalfWritten:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[:len(data) // 2])
            raise error

    def fake_open(path, mode="r", *args, **kwargs):
        opened.append(path)
        if len(opened) > after and error.errno != errno.ENOSPC:
            raise error                                     # no file can be made in the folder
        file = open(path, mode, *args, **kwargs)
        return HalfWritten(file) if len(opened) > after else file
    return fake_open


@pytest.mark.parametrize("error, words", [
    (OSError(errno.ENOSPC, "No space left on device"), ["space", "free"]),
    (PermissionError(errno.EACCES, "Permission denied"), ["permission", "chmod"]),
], ids=["full disk", "read-only folder"])
def test_a_failed_write_leaves_the_folder_as_it_was(learner, error, words):
    before = snapshot(learner)
    with mock.patch.object(make_exercises, "open", failing_open(error, after=2), create=True):
        refusal = make_exercises.main(["--solved", "04a", str(learner)])
    assert isinstance(refusal, str), refusal                    # sys.exit(main()): status 1
    assert "\n" not in refusal and all(word in refusal for word in words), refusal
    assert snapshot(learner) == before


def test_a_read_only_parent_leaves_no_folder_behind(tmp_path):
    """As root, permissions do not bite: the second folder to make is refused as a read-only
    parent refuses it."""
    real_mkdir = Path.mkdir

    def mkdir(path, *args, **kwargs):
        if path.name == "inner":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)
    with mock.patch.object(Path, "mkdir", mkdir):
        refusal = make_exercises.main(["--solved", "01", str(tmp_path / "outer" / "inner")])
    assert isinstance(refusal, str) and "inner" in refusal and "permission" in refusal, refusal
    assert list(tmp_path.iterdir()) == []                       # outer/ was removed again


def test_a_full_disk_is_one_line_from_the_command(learner, tmp_path):
    """The same failure through the script: sitecustomize makes every write in the folder fail."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(
        "import builtins, errno, io\n"
        "real_open = io.open\n"
        "class Full(io.FileIO):\n"
        "    def write(self, data):\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "def full_open(path, mode='r', *args, **kwargs):\n"
        "    if 'x' in mode and str(path).endswith('.tmp'):\n"
        "        return Full(path, mode)\n"
        "    return real_open(path, mode, *args, **kwargs)\n"
        "builtins.open = full_open\n", encoding="utf-8")
    before = snapshot(learner)
    result = subprocess.run([sys.executable, str(GENERATOR), "--solved", "04a", str(learner)],
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path / "site")})
    one_line_refusal(result, "space")
    assert snapshot(learner) == before


# --- answers never leak into an exercise ------------------------------------------------------
def test_a_lesson_that_repeats_an_answer_elsewhere_is_refused(tmp_path):
    for lesson in LESSONS:
        shutil.copy(REPO / lesson, tmp_path)
    source = (REPO / "01_single_neuron.py").read_text(encoding="utf-8")
    function = make_exercises.find_function(make_exercises.ast.parse(source), "sigmoid")
    first, last = make_exercises.body_span(function)
    body = "\n".join(source.splitlines()[first - 1:last])
    leaky = tmp_path / "05_train_mnist.py"
    leaky.write_text(leaky.read_text(encoding="utf-8") + f"\n\ndef squash(z):\n{body}\n",
                     encoding="utf-8")
    with pytest.raises(SystemExit, match="05_train_mnist.py still answers sigmoid"):
        make_exercises.make_exercises(tmp_path)
