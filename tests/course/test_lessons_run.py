"""Every lesson runs as a user runs it: headless, exit 0, its PNG figures written and their paths
printed; and a user's mistake around it (a bad --seed or --figures-dir, an unknown MPLBACKEND, an
output that cannot be written, or a reader of it that leaves early) is one line, never a
traceback."""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

import helpers
from helpers import (LESSON_ENV, assert_mentions, finished, load_lesson, needs_symlinks, run_script,
                     start_lesson, strict_warnings)

# Lesson 05 trains on MNIST; its script runs are tested in its own test files. Lesson 06a reads
# MNIST too (MNIST_LESSONS: given the real files' folder), but trains for a second only.
FIGURES = {
    "01_single_neuron.py": ["01_sigmoid.png", "01_and_gate.png"],
    "02_forward_pass.py": ["02_activations.png"],
    "03_loss_function.py": ["03_loss_surface.png"],
    "04a_backprop_single_neuron.py": ["04a_loss_curve.png", "04a_descent_path.png"],
    "04b_backprop_network.py": ["04b_loss_curve.png", "04b_decision_boundary.png", "04b_xor.png"],
    "06a_when_training_fails.py": ["06a_vanishing.png", "06a_exploding.png", "06a_saturated.png",
                                   "06a_tiny_steps.png"],
}
MNIST_LESSONS = {"06a_when_training_fails.py"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STRICT = strict_warnings()  # an overflow or a deprecation in a lesson fails the run


@pytest.fixture
def data(request):
    """data(lesson): the flags a lesson needs to find its data: --data-dir the real MNIST for a
    lesson in MNIST_LESSONS (skipped without it, as the shared_mnist fixture says), else none."""
    def flags(lesson):
        if lesson not in MNIST_LESSONS:
            return []
        return ["--data-dir", request.getfixturevalue("shared_mnist")]
    return flags


@pytest.mark.parametrize("lesson", FIGURES)
def test_lesson_runs_and_writes_its_figures(lesson, tmp_path, data):
    result = run_script(lesson, *data(lesson), "--figures-dir", tmp_path, env=STRICT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FIGURES[lesson])
    for name in FIGURES[lesson]:
        path = tmp_path / name
        assert path.read_bytes()[:8] == PNG_SIGNATURE and path.stat().st_size > 5000
        assert str(path) in result.stdout


@pytest.mark.parametrize("lesson", FIGURES)
def test_no_plots_is_deterministic_and_writes_nothing(lesson, tmp_path, data):
    flags = [*data(lesson), "--no-plots", "--figures-dir", tmp_path / "figs"]
    first = run_script(lesson, *flags, env=STRICT)
    second = run_script(lesson, *flags, env=STRICT)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout) > 200
    assert not (tmp_path / "figs").exists()


@pytest.mark.parametrize("lesson", FIGURES)
def test_show_without_a_display_neither_blocks_nor_fails(lesson, tmp_path, data):
    result = run_script(lesson, *data(lesson), "--show", "--figures-dir", tmp_path, timeout=60,
                        env={"DISPLAY": "", **STRICT})
    assert result.returncode == 0, result.stderr
    assert "--show needs a display" in result.stdout
    assert len(list(tmp_path.glob("*.png"))) == len(FIGURES[lesson])


@pytest.mark.parametrize("lesson", FIGURES)
def test_help_and_bad_flags(lesson):
    assert run_script(lesson, "--help").returncode == 0
    for seed in ("abc", "-1", "1.5"):
        bad = run_script(lesson, "--seed", seed, "--no-plots")
        assert bad.returncode == 2, (seed, bad.stderr)
        assert_mentions(bad.stderr, "--seed", "whole number", "0 or more")
        assert "Traceback" not in bad.stderr


def test_the_seed_changes_the_random_example():
    assert run_script("01_single_neuron.py", "--no-plots", "--seed", "1").stdout != \
        run_script("01_single_neuron.py", "--no-plots", "--seed", "2").stdout




@pytest.mark.parametrize("lesson", FIGURES)
def test_output_to_a_file_without_utf8_does_not_crash(lesson, data):
    """A Windows console redirected to a file may encode with cp1252, which has no σ."""
    result = run_script(lesson, *data(lesson), "--no-plots", env={"PYTHONIOENCODING": "cp1252"})
    assert result.returncode == 0, result.stderr


def test_a_seed_in_other_digits_gets_the_lessons_own_message():
    bad = run_script("01_single_neuron.py", "--seed", "²", "--no-plots")
    assert bad.returncode == 2, bad.stderr
    assert bad.stderr.splitlines()[-1].endswith(
        "error: argument --seed: must be a whole number, 0 or more (got '²')"), bad.stderr


# --- --figures-dir: ~ is the home folder; a file or a link that leads nowhere is one line -------
def test_a_figures_dir_with_a_tilde_means_the_home_folder(tmp_path, monkeypatch):
    # `--figures-dir=~/figs` reaches the lesson as typed: a shell expands ~ only at a word's start
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(), work.mkdir()
    for variable in ("HOME", "USERPROFILE"):                   # USERPROFILE: Windows' home
        monkeypatch.setenv(variable, str(home))
    monkeypatch.chdir(work)
    lesson = load_lesson("01_single_neuron.py")
    lesson.main(["--figures-dir=~/figs"])
    assert sorted(p.name for p in (home / "figs").iterdir()) == sorted(
        FIGURES["01_single_neuron.py"])
    assert list(work.iterdir()) == [], "a folder named ~ was made where the lesson ran"




@pytest.fixture(scope="module")
def runs_into_unusable_folders(tmp_path_factory):
    """Every lesson run with --figures-dir inside a file, and with --figures-dir a symbolic link
    to a folder that is not there (deleted, or on a disk not mounted): {(lesson, kind): result}.
    Each lesson computes its figures before it saves them, so the runs are started together."""
    tmp = tmp_path_factory.mktemp("unusable")
    (tmp / "afile").write_text("")
    folders = {"file": tmp / "afile" / "figures"}
    if sys.platform != "win32":
        folders["link"] = tmp / "figures"
        folders["link"].symlink_to(tmp / "nowhere", target_is_directory=True)

    def run(lesson_and_kind):
        lesson, kind = lesson_and_kind
        try:
            return run_script(lesson, "--figures-dir", folders[kind])
        except NotImplementedError as todo:       # an exercise's TODO: raised in the test itself
            return todo
    cases = [(lesson, kind) for lesson in FIGURES for kind in folders]
    with ThreadPoolExecutor(max(2, os.cpu_count() or 1)) as pool:
        return tmp, dict(zip(cases, pool.map(run, cases)))


def unusable_folder_run(runs, lesson, kind):
    tmp, results = runs
    result = results[(lesson, kind)]
    if isinstance(result, Exception):
        raise result
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    return tmp, result.stderr.strip()


@pytest.mark.parametrize("lesson", FIGURES)
def test_an_unusable_figures_folder_gets_a_message_not_a_traceback(lesson,
                                                                   runs_into_unusable_folders):
    tmp, stderr = unusable_folder_run(runs_into_unusable_folders, lesson, "file")
    assert stderr.startswith("error: ") and "\n" not in stderr, stderr
    assert_mentions(stderr, f"{tmp / 'afile'} is a file", "--figures-dir", "--no-plots")


@needs_symlinks
@pytest.mark.parametrize("lesson", FIGURES)
def test_a_figures_dir_that_is_a_link_to_nowhere_gets_one_line(lesson, runs_into_unusable_folders):
    tmp, stderr = unusable_folder_run(runs_into_unusable_folders, lesson, "link")
    assert stderr.startswith("error: ") and "\n" not in stderr, stderr
    assert_mentions(stderr, f"{tmp / 'figures'} is a symbolic link", "nowhere", "--figures-dir",
                    "--no-plots")
    assert not (tmp / "nowhere").exists(), "nothing may be made where the link leads"


@pytest.mark.parametrize("lesson", [name for name in helpers.LESSONS if name in FIGURES])
def test_an_unknown_mplbackend_is_one_line_naming_it(lesson, tmp_path, data):
    result = run_script(lesson, *data(lesson), "--figures-dir", tmp_path,
                        env={"MPLBACKEND": "nonsense"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: MPLBACKEND=nonsense "), result.stderr
    assert_mentions(result.stderr, "backend", "unset it")
    assert list(tmp_path.iterdir()) == []


# --- the output: a reader that leaves early (| head), or a file that cannot be written ---------
def lesson_command(lesson, *args):
    """A lesson as a user runs it, for a test that needs the process itself (its pipes)."""
    return [sys.executable, str(helpers.LESSONS_DIR / lesson), *map(str, args)]


def test_a_reader_that_leaves_early_neither_breaks_the_lesson_nor_stops_its_work(tmp_path):
    """`python 01_single_neuron.py | head -1`. The lesson's output reaches a pipe only when its
    buffer is flushed, at the end; so the reader here leaves before reading anything, and every
    write the lesson makes meets a closed pipe (EPIPE), as with a pager closed early."""
    with start_lesson("01_single_neuron.py", "--figures-dir", tmp_path) as process:
        process.stdout.close()
        stderr = process.stderr.read()
    returncode, stderr = finished(process.wait(timeout=120), stderr)
    assert (returncode, stderr) == (0, ""), stderr            # no "Exception ignored", no traceback
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FIGURES["01_single_neuron.py"])


@pytest.mark.skipif(sys.platform == "win32", reason="closing a child's stdout before it starts "
                    "needs preexec_fn, which Windows lacks")
def test_a_lesson_started_with_its_output_closed_runs_quietly(tmp_path):
    """`python 01_single_neuron.py >&-`: Python then starts with sys.stdout None."""
    result = subprocess.run(lesson_command("01_single_neuron.py", "--figures-dir", tmp_path),
                            preexec_fn=lambda: os.close(1), stderr=subprocess.PIPE,
                            env=LESSON_ENV, text=True, timeout=120)
    returncode, stderr = finished(result.returncode, result.stderr)
    assert (returncode, stderr) == (0, ""), stderr            # no AttributeError, status not 120
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FIGURES["01_single_neuron.py"])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_an_output_that_cannot_be_written_is_one_line_and_exit_status_1():
    with open("/dev/full", "w") as full:                      # every write: ENOSPC
        result = subprocess.run(lesson_command("01_single_neuron.py", "--no-plots"), stdout=full,
                                stderr=subprocess.PIPE, env=LESSON_ENV, text=True, timeout=120)
    returncode, stderr = finished(result.returncode, result.stderr)
    assert returncode == 1 and stderr.count("\n") == 1, stderr
    assert stderr.startswith("error: "), stderr
    assert_mentions(stderr, "cannot write the output", "No space left", "somewhere else")
