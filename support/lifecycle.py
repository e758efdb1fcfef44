"""Running a lesson as a script: its exit status, the one line that says why it stopped, and what
Ctrl-C, SIGTERM, SIGHUP and a reader who leaves do to it.

run(main) runs a lesson's main(): its return value is the exit status. An error the learner can
fix is a Fatal exception: the main that one_line_errors wraps prints it as one line on stderr,
"error: ...", and returns exit status 1. Ctrl-C, and SIGTERM and SIGHUP where asked for
(stop_like_ctrl_c), end a run with one line, never a traceback; inside an on_stop block the line
says what the stop lost or kept ("interrupted: nothing was saved").
"""
import contextlib
import functools
import os
import signal
import sys


def run(main):
    """Run a lesson's main() as a script; its return value is the exit status.

    A character the console cannot show (σ on a Windows console redirected to a file) prints as ?,
    not a UnicodeEncodeError. Ctrl-C stops it with one line and exit status 1, not a traceback; a
    second Ctrl-C while it stops is ignored.
    When the reader of the output goes away (`| head -1`, a pager closed early), the lesson stops
    printing quietly and finishes its work; when the output cannot be written at all (a full
    disk), it says so in one line on stderr and stops with exit status 1.
    A lesson started with its output closed (`>&-`) runs quietly, as if it printed to the null
    device.
    """
    open_closed_outputs()
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    sys.stdout = QuietWhenReaderLeaves(sys.stdout)
    global stopped
    stopped = False
    sys.unraisablehook = quiet_once_stopped(sys.unraisablehook)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:   # not if started ignored
        signal.signal(signal.SIGINT, interrupt_once)
    try:
        status = main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        # The work is done or given up: a Ctrl-C now could only break Python's shutdown
        # ("Exception ignored in: <module 'threading'> ... KeyboardInterrupt").
        ignore_ctrl_c()
    sys.exit(status)


stopped = False      # whether Ctrl-C, SIGTERM or SIGHUP has stopped the run (stopping)


def open_closed_outputs():
    """Point sys.stdout and sys.stderr at the null device where they are None: Python leaves them
    None when their file descriptor was closed at start (`>&-`, `2>&-`), and every print would
    then fail. The null device takes the lowest free descriptor, normally the closed one, so a
    file the lesson opens later never gets descriptor 1 or 2 and what is printed never lands in
    it."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def interrupt_once(signum, frame):
    """Ctrl-C under run(): KeyboardInterrupt, as Python's own handler raises, the first time only.
    A second Ctrl-C, a few milliseconds later, would otherwise interrupt the handling of the
    first (its one line, the removal of a half-written file, the exit) with a second message."""
    stopping()
    raise KeyboardInterrupt


def stopping():
    """What the first stop (Ctrl-C, SIGTERM, SIGHUP) changes for the rest of the run: Ctrl-C is
    ignored from then on (under run()), and quiet_once_stopped drops what a half-made object says
    as it is cleaned up."""
    global stopped
    stopped = True
    ignore_ctrl_c()


def quiet_once_stopped(report):
    """sys.unraisablehook that passes what it is given on to `report` until the run is stopped,
    and then drops it. A stop can land in the middle of a library's constructor (zipfile.ZipFile,
    inside np.savez), and the half-made object then fails as it is cleaned up, after the lesson's
    one line: "Exception ignored in: <function ZipFile.__del__> ... AttributeError". Nothing in
    it is the user's to fix, and the line before it has said what happened."""
    def hook(unraisable):
        if not stopped:
            report(unraisable)
    return hook


def ignore_ctrl_c():
    """Ignore SIGINT from now on, if run() is handling it (not in a test calling main() itself,
    whose own Ctrl-C must still work)."""
    if signal.getsignal(signal.SIGINT) is interrupt_once:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


class QuietWhenReaderLeaves:
    """sys.stdout, except that a closed pipe silences it instead of raising BrokenPipeError, and
    any other failed write (ENOSPC on a full disk) stops the program with one line on stderr.

    Silencing points the output's file descriptor at the null device, so that what is still in the
    buffer, and everything printed later, goes nowhere, and Python's final flush at exit finds
    nothing to complain about ("Exception ignored ... BrokenPipeError").
    """

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        try:
            return self.stream.write(text)
        except OSError as error:
            self.stop_writing(error)
            return len(text)

    def flush(self):
        try:
            self.stream.flush()
        except OSError as error:
            self.stop_writing(error)

    def stop_writing(self, error):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, self.stream.fileno())
        os.close(null)
        if not isinstance(error, BrokenPipeError):
            print(f"error: cannot write the output: {error.strerror or error}; write it "
                  "somewhere else (another file, or the terminal)", file=sys.stderr)
            raise SystemExit(1)

    def __getattr__(self, name):             # isatty, encoding, fileno ...: the stream's own
        return getattr(self.stream, name)


class Fatal(Exception):
    """An error the learner can fix: one line on stderr, "error: <the message>", exit status 1.
    The message says what went wrong and what to do about it."""

    label = "error"


class Interrupted(Fatal):
    """A run stopped by Ctrl-C (or SIGTERM, SIGHUP) in an on_stop block: one line on stderr,
    "interrupted: <what was lost or kept>", exit status 1."""

    def __init__(self, message, label="interrupted"):
        super().__init__(message)
        self.label = label


def one_line_errors(main):
    """main, except that a Fatal it raises becomes one line on stderr, "<label>: <message>", and
    the exit status 1."""
    @functools.wraps(main)
    def main_or_one_line(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except Fatal as error:
            print(f"{error.label}: {error}", file=sys.stderr)
            return 1
    return main_or_one_line


@contextlib.contextmanager
def on_stop(what, signals=True, label="interrupted"):
    """Within this block a stop raises Interrupted(what, label): Ctrl-C, and with `signals` SIGTERM
    and SIGHUP too (stop_like_ctrl_c). `what` says what the stop lost or kept; the code inside
    makes that true with its own `finally` (a half-written file removed)."""
    try:
        with stop_like_ctrl_c() if signals else contextlib.nullcontext():
            yield
    except KeyboardInterrupt:
        raise Interrupted(what, label) from None


@contextlib.contextmanager
def stop_like_ctrl_c():
    """Within this block SIGTERM and SIGHUP (`timeout`, a process manager, a closed terminal) raise
    KeyboardInterrupt, as Ctrl-C does. Their default action kills the process on the spot, leaving a
    half-written file behind; an exception runs the `finally` that removes it. A signal that was set
    to be ignored (nohup ignores SIGHUP) stays ignored, and the previous handlers come back at the
    end. Once one of them has stopped the block, a second one (or a Ctrl-C) is ignored until the
    block is left: it would interrupt the cleanup that the first one started."""
    def stop(signum, frame):
        for ignored in previous:
            signal.signal(ignored, signal.SIG_IGN)
        interrupt_once(signum, frame)
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):            # Windows has no SIGHUP
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            try:
                previous[signum] = signal.signal(signum, stop)
            except ValueError:                    # not the main thread, which alone handles signals
                pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
