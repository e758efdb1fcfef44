"""support/lifecycle.py in-process: a Fatal error or a stop said in one line with exit status 1
(one_line_errors, on_stop), and the signals (stop_like_ctrl_c, a second Ctrl-C under run()).
Running a lesson as a script through run(), pipes and full disks included, is tested end to end in
test_lessons_run.py and the 05 tests.
"""
import contextlib
import io
import os
import signal
import sys

import pytest

from helpers import posix_signals
from support import lifecycle
from support.lifecycle import Fatal, Interrupted, on_stop, one_line_errors, run, stop_like_ctrl_c

# os.kill(own pid, SIGTERM) ends a Windows process on the spot, and Windows has no SIGHUP.
STOPPING = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


# --- one_line_errors and on_stop: what stopped a run, in one line, exit status 1 ----------------
def test_a_fatal_error_is_one_line_on_stderr_and_exit_status_1(capsys):
    @one_line_errors
    def main(problem):
        if problem:
            raise Fatal(problem)
        return 0

    assert main(None) == 0
    assert main("no model at m.npz; train one first") == 1
    assert capsys.readouterr().err == "error: no model at m.npz; train one first\n"


def test_a_ctrl_c_in_an_on_stop_block_says_what_it_lost(capsys):
    @one_line_errors
    def main():
        with on_stop("nothing was saved", signals=False):
            raise KeyboardInterrupt
    assert main() == 1
    assert capsys.readouterr().err == "interrupted: nothing was saved\n"


def test_a_stop_outside_an_on_stop_block_is_left_to_run():
    @one_line_errors
    def main():
        with on_stop("nothing was saved"):
            pass
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        main()


@posix_signals
@pytest.mark.parametrize("signals", [True, False])
def test_an_on_stop_block_takes_sigterm_only_when_asked(handlers, signals):
    """A stop signal inside on_stop(signals=True) is an Interrupted with its label; with
    signals=False the signal's own handling is left alone."""
    signal.signal(signal.SIGTERM, mine)
    with pytest.raises(Interrupted) if signals else contextlib.nullcontext():
        with on_stop("the model was not saved", signals=signals, label="interrupted while saving"):
            assert (signal.getsignal(signal.SIGTERM) is mine) is not signals
            deliver(signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is mine


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
    monkeypatch.setattr(lifecycle, "stopped", False)

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
