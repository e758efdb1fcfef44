"""support/cli.py in-process: the seed flag, the signals (stop_like_ctrl_c, a second Ctrl-C under
run()) and the checks of output folders before any work. Running a lesson as a script through
run(), pipes and full disks included, is tested end to end in test_lessons_run.py and the 05 tests.
"""
import io
import os
import signal
import sys

import pytest

from helpers import needs_symlinks, no_space_left, posix_signals
from support import cli
from support.cli import (make_parser, output_folders_problem, run, stop_like_ctrl_c,
                         writable_folder_problem)

# os.kill(own pid, SIGTERM) ends a Windows process on the spot, and Windows has no SIGHUP.
STOPPING = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


# --- --seed -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", ["²", "١", "٣", "1.5", "-1", "+3", "1_000", "", "abc"])
def test_a_seed_that_is_not_0_to_9_digits_gets_the_lessons_own_message(seed, capsys):
    # ² passes str.isdigit but not int(); ١ (Arabic-Indic 1) passes both, and means nothing to a
    # reader of the README: each must get the lesson's message, not argparse's "invalid ... value".
    with pytest.raises(SystemExit) as stopped:
        make_parser("a lesson", __file__).parse_args(["--seed", seed])
    assert stopped.value.code == 2
    assert "argument --seed: must be a whole number, 0 or more" in capsys.readouterr().err


@pytest.mark.parametrize("seed, value", [("0", 0), ("42", 42), (" 7 ", 7), ("007", 7)])
def test_a_seed_of_plain_digits_is_taken(seed, value):
    assert make_parser("a lesson", __file__).parse_args(["--seed", seed]).seed == value


# --- signals: SIGTERM and SIGHUP stop a block like Ctrl-C, and then leave it as it was ----------
@pytest.fixture
def handlers():
    """The test's process's own signal handlers, put back however the test ends."""
    saved = {signum: signal.getsignal(signum) for signum in [signal.SIGINT, *STOPPING]}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def deliver(signum):
    """Send `signum` to this process and give Python the bytecodes it runs handlers between."""
    os.kill(os.getpid(), signum)
    for _ in range(10_000):
        pass


def mine(signum, frame):
    """A handler of the caller's own, which the block must hand back."""


@posix_signals
def test_the_previous_handlers_come_back_after_the_block(handlers):
    for signum in STOPPING:
        signal.signal(signum, mine)
    with stop_like_ctrl_c():
        assert all(signal.getsignal(signum) is not mine for signum in STOPPING)
    assert all(signal.getsignal(signum) is mine for signum in STOPPING), "not put back"
    for signum in STOPPING:                             # and after a block that a signal stopped
        with pytest.raises(KeyboardInterrupt):
            with stop_like_ctrl_c():
                deliver(signum)
        assert all(signal.getsignal(s) is mine for s in STOPPING), f"not put back after {signum}"


@posix_signals
@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP")
def test_a_sighup_that_nohup_ignores_stays_ignored(handlers):
    signal.signal(signal.SIGHUP, signal.SIG_IGN)        # as nohup starts the program
    with stop_like_ctrl_c():
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        deliver(signal.SIGHUP)                          # the terminal closes: the run goes on
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN


@posix_signals
def test_a_second_sigterm_does_not_interrupt_the_cleanup_of_the_first(handlers):
    cleaned_up = False
    with pytest.raises(KeyboardInterrupt):
        with stop_like_ctrl_c():
            try:
                deliver(signal.SIGTERM)
            finally:                                    # as save_model removes its temporary file
                deliver(signal.SIGTERM)                 # `timeout` or a process manager, again
                cleaned_up = True
    assert cleaned_up
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL       # and back to the default


# --- run(): Ctrl-C once is one line; a second one while it is handled is ignored ---------------
@posix_signals
def test_a_second_ctrl_c_while_the_first_is_handled_is_ignored(handlers, monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())    # run() wraps sys.stdout; this is undone
    signal.signal(signal.SIGINT, signal.default_int_handler)       # as Python starts a script

    def main():                      # a lesson's main(), handling Ctrl-C as 05's does
        try:
            deliver(signal.SIGINT)
        except KeyboardInterrupt:
            deliver(signal.SIGINT)  # a second Ctrl-C, 2 ms later, while it says it stopped
            return 1
        return 0

    with pytest.raises(SystemExit) as stopped:
        run(main)
    assert stopped.value.code == 1, "the second Ctrl-C broke into the handling of the first"
    # Python's shutdown after the lesson must not be interrupted either
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


@posix_signals
def test_a_run_started_with_ctrl_c_ignored_leaves_it_ignored(handlers, monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # `python lesson.py &` from a script

    def main():
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        return 0

    with pytest.raises(SystemExit) as stopped:
        run(main)
    assert stopped.value.code == 0


@posix_signals
def test_once_stopped_an_object_failing_as_it_is_cleaned_up_adds_nothing(handlers, monkeypatch):
    """A stop inside a library's constructor (zipfile.ZipFile, in np.savez) leaves a half-made
    object, whose __del__ then fails: after the one line, nothing more may be printed."""
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)    # Python's: "Exception ignored"
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(cli, "stopped", False)

    class HalfMade:
        def __del__(self):
            raise AttributeError("'ZipFile' object has no attribute '_writing'")

    def main():
        HalfMade()                   # before any stop: reported, as Python reports it
        with stop_like_ctrl_c():
            try:
                deliver(signal.SIGTERM)
            except KeyboardInterrupt:
                HalfMade()           # after the stop: the lesson's one line says it all
                return 1
        return 0

    with pytest.raises(SystemExit) as stopped:
        run(main)
    assert stopped.value.code == 1
    assert [type(unraisable.exc_value) for unraisable in reported] == [AttributeError]


# --- output folders: checked before the work, nothing created ---------------------------------
def test_checking_the_output_folders_creates_nothing(tmp_path):
    """A run that stops after the check (a typo, Ctrl-C, a TODO) must leave no empty data/ or
    figures/ behind: in a learner's exercises/ folder they would look like a run's output."""
    assert writable_folder_problem(tmp_path / "figures" / "deeper", "--figures-dir") is None
    assert output_folders_problem(tmp_path / "data" / "model.npz", tmp_path / "figures",
                                  model_bytes=1000) is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("length", [256, 300])
def test_a_name_longer_than_the_file_system_allows_is_one_line_naming_the_flag(tmp_path, length):
    long_name = "m" * (length - 4) + ".npz"
    checks = {"--model": lambda: output_folders_problem(tmp_path / long_name, None),
              "--figures-dir": lambda: output_folders_problem(tmp_path / "m.npz",
                                                              tmp_path / long_name)}
    for flag, check in checks.items():
        problem = check()
        assert problem and problem.startswith(f"{flag} {tmp_path / long_name}: "), problem
        assert "long" in problem and "\n" not in problem, problem
        advice = problem.removesuffix(", or skip the figures with --no-plots" * (
            flag == "--figures-dir"))
        assert advice.endswith(("choose a shorter name", f"choose another folder with {flag}",
                                f"choose another file with {flag}")), problem
    assert list(tmp_path.iterdir()) == []


def test_a_name_of_250_bytes_is_allowed(tmp_path):
    assert output_folders_problem(tmp_path / ("m" * 246 + ".npz"), tmp_path / ("f" * 250)) is None


@needs_symlinks
def test_a_model_link_is_checked_where_it_leads(tmp_path):
    """save_model writes through a link: a link into a folder that cannot be written must be
    refused before training, not after it."""
    (tmp_path / "afile").write_text("")
    (tmp_path / "model.npz").symlink_to(tmp_path / "afile" / "model.npz")
    assert output_folders_problem(tmp_path / "model.npz", None) == (
        f"{tmp_path / 'afile'} is a file, not a folder; choose another folder with --model")
    (tmp_path / "loop.npz").symlink_to(tmp_path / "loop.npz")
    assert "leads in a loop" in output_folders_problem(tmp_path / "loop.npz", None)
    (tmp_path / "fine.npz").symlink_to(tmp_path / "elsewhere" / "model.npz")
    assert output_folders_problem(tmp_path / "fine.npz", None) is None


def test_too_little_space_for_the_model_names_the_space_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(cli.shutil, "disk_usage", no_space_left(free=300_000))
    assert output_folders_problem(tmp_path / "model.npz", None, model_bytes=318_040) == (
        f"not enough space in {tmp_path}: 0.6 MB are needed and 0.3 MB are free; free some "
        "space there, or choose another folder with --model")
