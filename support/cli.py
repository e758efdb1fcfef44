"""The command line every lesson shares, and running a lesson as a script.

Every lesson takes --figures-dir, --no-plots, --show and --seed (make_parser) and adds its own
flags. A value that cannot be right (a learning rate of 0, a seed of -1, an epoch count of 2.5) is
refused by argparse with one line naming the flag and what it needs, exit status 2, before
anything runs. run(main) runs a lesson's main(): its return value is the exit status, and Ctrl-C,
SIGTERM and SIGHUP where asked for (stop_like_ctrl_c) end it with one line, never a traceback.
"""
import argparse
import contextlib
import math
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path


def make_parser(description, script):
    """The four flags every lesson shares; a lesson adds its own to the parser this returns.
    `script` is the lesson's __file__: its figures go to figures/ beside it by default."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--figures-dir", type=user_path,
                        default=Path(script).resolve().parent / "figures",
                        help="folder for the PNG figures (default: figures/ beside this script)")
    parser.add_argument("--no-plots", action="store_true", help="skip drawing figures")
    parser.add_argument("--show", action="store_true", help="also open the figures in windows")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="seed for every random number, a whole number from 0 up (default: 0)")
    return parser


def seed_value(text):
    """A --seed as NumPy takes it: a whole number, 0 or more, in the digits 0-9. str.isdigit alone
    would let through ² (which int() refuses) and ١ (which int() reads as 1)."""
    if not (text.strip().isascii() and text.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more (got {text!r})")
    return int(text)


def positive_float(text):
    """argparse type: a finite number > 0, or a message saying what was wrong."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number greater than 0")
    return value


def positive_int(text):
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def user_path(text):
    """A path from the command line, ~ meaning the home folder. The shell expands ~ only at the
    start of a word: --data-dir=~/mnist arrives here as typed."""
    return Path(text).expanduser()


def run(main):
    """Run a lesson's main() as a script; its return value is the exit status.

    A character the console cannot show (σ on a Windows console redirected to a file) prints as ?,
    not a UnicodeEncodeError. Ctrl-C stops it with one line and exit status 1, not a traceback; a
    second Ctrl-C while it stops is ignored.
    When the reader of the output goes away (`| head -1`, a pager closed early), the lesson stops
    printing quietly and finishes its work; when the output cannot be written at all (a full
    disk), it says so in one line on stderr and stops with exit status 1.
    """
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
