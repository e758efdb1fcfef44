"""Helpers shared by the test files: load a lesson by path (a learner's broken file or TODO in one
line), run it as a script or start it by hand (LESSON_ENV, finished), check that a call refuses
bad input (refusal) and that a message holds its facts (assert_mentions), write PNG test pictures
(write_png, upscale), and make warnings from our own modules errors in a lesson run
(strict_warnings)."""
import errno
import os
import signal
import struct
import subprocess
import sys
import traceback
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:            # support/ is found beside the lessons
    sys.path.insert(0, str(REPO))
from support import lessons  # noqa: E402
SHARED_MNIST = REPO.parent / "shared" / "mnist"

LESSONS = [
    "01_single_neuron.py",
    "02_forward_pass.py",
    "03_loss_function.py",
    "04a_backprop_single_neuron.py",
    "04b_backprop_network.py",
    "05_train_mnist.py",
    "06a_when_training_fails.py",
    "06b_the_cures.py",
]


# The folder the lesson tests read the lessons from: pytest --lessons-dir (see conftest.py), e.g. a
# learner's copy of exercises/. Tests about the repository itself pass folder=REPO instead.
LESSONS_DIR = REPO


def load_lesson(filename, folder=None):
    """A lesson file as a module, loaded as the lessons load each other (support/lessons.py):
    once per folder, so a test and the lessons that import it share one module.

    A learner's file that does not load (a syntax error, an import of a module that is not there,
    an earlier lesson missing from the folder) fails the test file that needs it with one line:
    which file, which line, what is wrong, as a TODO does; never a traceback through importlib.
    """
    path = Path(folder or LESSONS_DIR) / filename
    try:
        return lessons.load_lesson(path)
    except Exception as error:
        if path.parent == REPO:
            raise
        problem = why_it_does_not_load(error, path.parent)
    pytest.fail(problem, pytrace=False)         # outside the except: no "During handling of..."


def why_it_does_not_load(error, folder):
    """One line for a lesson that fails to load: the file and line in `folder`, and the error."""
    if isinstance(error, lessons.LessonMissing):
        return f"{error}"
    if isinstance(error, SyntaxError) and error.filename:
        text = (error.text or "").strip()
        return (f"{error.filename}, line {error.lineno}: {type(error).__name__}: {error.msg}"
                + (f": {text}" if text else "") + "; fix that line, then run the tests again")
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if Path(frame.filename).parent == folder]
    where = f"{frames[-1].filename}, line {frames[-1].lineno}: " if frames else ""
    advice = ("; a lesson uses only numpy, matplotlib and support/" if
              isinstance(error, ModuleNotFoundError) else "")
    return f"{where}{type(error).__name__}: {error}{advice}"


def todo_message(error):
    """The "TODO name: task" message of an exercise function still to write, or None: the error
    itself, or the error it was raised from or while handling (__cause__, __context__)."""
    while error is not None:
        if isinstance(error, NotImplementedError) and str(error).startswith("TODO "):
            return str(error)
        error = error.__cause__ or error.__context__
    return None


def todo_place(traceback):
    """"FILE, line N" of the raise statement of the function still to write: the innermost frame
    in the lessons' folder (the learner's earlier lesson, when a later one calls it), at the line
    where its `raise NotImplementedError(` begins; None if a script raised it in a subprocess."""
    entries = [entry for entry in traceback if Path(entry.path).parent == LESSONS_DIR]
    if not entries:
        return None
    path, line = Path(entries[-1].path), entries[-1].lineno        # counted from 0
    lines = path.read_text(encoding="utf-8").splitlines()
    while line > 0 and "raise NotImplementedError(" not in lines[line]:
        line -= 1                           # a raise that spans lines may point at a later one
    return f"{path.name}, line {line + 1}"


def run_script(filename, *args, timeout=300, env=None, cwd=None, folder=None):
    """Run a lesson (folder=REPO: any repo script) as a user would, headless; capture the output.
    A lesson from a folder outside the course (a copy in a temporary folder) finds support/ through
    PYTHONPATH, as an exercise inside the course finds it through its first lines."""
    full_env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    where = Path(folder or LESSONS_DIR).resolve()
    if where != REPO and REPO not in where.parents:
        full_env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, str(Path(folder or LESSONS_DIR) / filename), *map(str, args)],
        capture_output=True, text=True, errors="replace", timeout=timeout, env=full_env,
        cwd=cwd or REPO,
    )
    finished(result.returncode, result.stderr)
    return result


# The environment of a lesson started by hand (subprocess.Popen), for a test that needs the
# process itself: its pipes, its signals. As run_script's, it finds support/ from any folder.
LESSON_ENV = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8",
                  PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [os.environ.get(
                      "PYTHONPATH")])]))


def start_lesson(lesson, *args, env=None):
    """A lesson started as a user starts it (LESSON_ENV, and `env` on top), without waiting: for a
    test that needs the process itself, its pipes or its signals. Text pipes for stdout and
    stderr; SIGINT, SIGTERM and SIGHUP at their defaults in the child."""
    return subprocess.Popen([sys.executable, str(LESSONS_DIR / lesson), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace", env={**LESSON_ENV, **(env or {})},
                            preexec_fn=None if sys.platform == "win32"
                            else signals_as_a_terminal_leaves_them)


def signals_as_a_terminal_leaves_them():
    """In the child: SIGINT, SIGTERM and SIGHUP at their defaults. A test run started in the
    background (`pytest &`, nohup) would pass them on ignored, and the child would never stop."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)


def copy_lessons(folder, lessons=LESSONS):
    """Copies of the course's lessons (all, or those named) in `folder`, made if need be."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in lessons:
        (folder / name).write_text((REPO / name).read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def edit(path, old, new):
    """Replace the first `old` in the file at `path` by `new`; `old` must be there."""
    text = Path(path).read_text(encoding="utf-8")
    assert old in text, f"{path} holds no {old!r}"
    Path(path).write_text(text.replace(old, new, 1), encoding="utf-8")


def forget_hidden_slope(folder):
    """Plant the commonest backprop mistake in folder/04b_backprop_network.py: the delta sent back
    to a hidden layer without its · σ'(z) = a (1 - a)."""
    edit(Path(folder) / "04b_backprop_network.py",
         "delta = (delta @ self.weights[l].T) * self.slope(a_prev)",
         "delta = delta @ self.weights[l].T")


def start_pytest(lessons_dir, *args, env=None):
    """pytest with `args` in the course folder, against the lessons in lessons_dir (None: the
    course's own), started in the background, with `env` on top of the environment; stderr goes
    with stdout, as on a terminal."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, args)]
    if lessons_dir is not None:
        command += ["--lessons-dir", str(lessons_dir)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace", env={**os.environ, **(env or {})})


def finish(process):
    """(exit status, output) of a process start_pytest started, once it has ended."""
    output = process.communicate(timeout=300)[0]
    return process.returncode, output


def finished(returncode, stderr):
    """(returncode, stderr) of a lesson run; an exercise stopped at a function still to write
    (its last line a TODO, exit status 1) raises NotImplementedError with that line."""
    last = stderr.strip().splitlines()[-1:]
    if returncode == 1 and last and last[0].startswith("TODO "):
        raise NotImplementedError(last[0])
    return returncode, stderr


# Tests that Windows cannot run as they stand.
posix_signals = pytest.mark.skipif(sys.platform == "win32",
                                   reason="sends POSIX signals, which Windows does not have")
needs_symlinks = pytest.mark.skipif(sys.platform == "win32",
                                    reason="symbolic links need privileges on Windows")


def no_space_left(free=300_000):
    """What shutil.disk_usage says of a nearly full disk."""
    return lambda path: SimpleNamespace(total=10**9, used=10**9 - free, free=free)


def digit_png(path, shape=(40, 40)):
    """A PNG of a white vertical bar, 4 pixels wide, on black: a "1" for --predict to read."""
    pixels = np.zeros(shape, np.uint8)
    pixels[shape[0] // 4: -shape[0] // 4, shape[1] // 2 - 2: shape[1] // 2 + 2] = 255
    write_png(path, pixels)
    return path


def write_png(path, pixels, alpha=None):
    """Write a grey PNG (plus alpha if given) straight from the PNG spec: 8-bit for uint8 pixels,
    16-bit for uint16 (matplotlib can only write 8-bit). A PNG is a signature, then chunks (length,
    type, data, CRC-32); the image data is each row prefixed by filter type 0, big-endian samples,
    zlib-compressed."""
    pixels = np.asarray(pixels)
    depth = {np.dtype(np.uint8): 8, np.dtype(np.uint16): 16}[pixels.dtype]
    if alpha is None:
        samples = pixels[..., None]
    else:
        samples = np.stack([pixels, np.asarray(alpha, pixels.dtype)], -1)
    height, width = pixels.shape
    rows = samples.astype(samples.dtype.newbyteorder(">")).reshape(height, -1).view(np.uint8)
    raw = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    colour_type = 0 if alpha is None else 4                        # 0 = grey, 4 = grey + alpha
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def upscale(image, height, width):
    """Bilinear upscaling, written independently of the code under test:
    (28, 28) -> (height, width)."""
    def axis_weights(n_in, n_out):
        pos = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
        eye = np.eye(n_in)
        return np.stack([np.interp(pos, np.arange(n_in), eye[j]) for j in range(n_in)], axis=1)
    rows, columns = axis_weights(image.shape[0], height), axis_weights(image.shape[1], width)
    return np.clip(rows @ image @ columns.T, 0, 1)


# Deprecations that another library raises inside itself (matplotlib calling an old pyparsing name,
# say): not ours to fix, and they come and go with versions, so they must not fail a run.
OTHERS_DEPRECATIONS = ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning")


def strict_warnings(*own_modules):
    """The environment for a script whose own warnings are errors, as pytest.ini has it for the
    tests.

    Every warning is an error, except the deprecation categories (ignored, as Python does by
    default outside the script); then every warning raised from the script itself (`__main__`) or
    from a module it loads by path under one of `own_modules` is an error again. The last matching
    entry wins, and in PYTHONWARNINGS a module is an exact name, not a pattern. A warning is raised
    "from" the module of the line it points at: numpy's overflow points at our line, and so does a
    library's deprecation of a name we call; pyparsing's deprecation inside matplotlib points at
    matplotlib.
    """
    filters = ["error", *(f"ignore::{category}" for category in OTHERS_DEPRECATIONS),
               *(f"error:::{module}" for module in ("__main__", *own_modules))]
    return {"PYTHONWARNINGS": ",".join(filters)}


def refusal(call, what):
    """The message of the ValueError that call() raises; the test fails if it raises no error or
    another kind of error (a TODO still to write passes through, to be reported as one)."""
    try:
        result = call()
    except NotImplementedError:
        raise
    except ValueError as error:
        return str(error)
    except Exception as error:
        pytest.fail(f"{what} raised {type(error).__name__}: {error}; expected a ValueError",
                    pytrace=False)
    shown = (f"an array shaped {result.shape}" if isinstance(result, np.ndarray)
             else repr(result) if len(repr(result)) <= 60 else f"a {type(result).__name__}")
    pytest.fail(f"{what} returned {shown}; expected a ValueError", pytrace=False)


def assert_mentions(text, *facts):
    """Fail unless every fact (a flag, a file, a number, the fix) appears in text: a test checks
    what a message says, not how a sentence words it. Returns text, for further checks."""
    missing = [str(fact) for fact in facts if str(fact) not in text]
    assert not missing, f"expected {missing} in:\n{text}"
    return text


def disk_full_after_some_bytes(self, fname, *args, **kwargs):
    """Figure.savefig on a disk that fills up mid-way: part of a PNG is written, then ENOSPC."""
    part = b"\x89PNG\r\n\x1a\n" + bytes(1000)
    if hasattr(fname, "write"):
        fname.write(part)
        fname.flush()
    else:
        Path(fname).write_bytes(part)
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
