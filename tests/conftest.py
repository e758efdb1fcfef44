"""Fixtures shared by the tests, and what the option --lessons-dir (declared in the conftest.py
above this folder) does. Plain helpers live in tests/helpers.py.

    python -m pytest tests/lessons/test_04b_backprop_network.py --lessons-dir exercises

runs one lesson's tests against the lesson files in another folder, e.g. a learner's exercises. A
function still to write fails each test that reaches it with one line, its TODO, not a traceback;
a function that never returns (an endless loop) fails it after TIME_LIMIT seconds, naming the
function, instead of holding up the run for ever.
"""
import builtins
import contextvars
import errno
import functools
import io
import os
import pathlib
import sys
import threading
import traceback
from pathlib import Path

import pytest

import helpers
from gradcheck import WRONG_GRADIENT
from helpers import REPO, SHARED_MNIST, run_script
from mnist_server import LOOPBACK
from support.mnist import load_mnist


def pytest_configure(config):
    config.addinivalue_line("markers", "whole_run: trains lesson 05 on all of MNIST (so do tests "
                            "using mnist_model); left out with --lessons-dir, which checks "
                            "train_epoch on a subset instead")
    folder = config.getoption("lessons_dir")
    if folder is None:
        return
    folder = (config.invocation_params.dir / folder).resolve()
    if not any(folder.glob("0*.py")):
        raise pytest.UsageError(f"--lessons-dir {folder}: no lesson files (0*.py) there; give the "
                                "folder holding them, e.g. --lessons-dir exercises")
    helpers.LESSONS_DIR = folder
    config.stash[TIME_LIMIT] = time_limit(os.environ.get(TIME_LIMIT_VARIABLE))


TIME_LIMIT = pytest.StashKey()        # seconds a lesson test may take against --lessons-dir
TIME_LIMIT_VARIABLE = "LESSON_TEST_TIME_LIMIT"
DEFAULT_TIME_LIMIT = 60               # the slowest lesson test takes a few seconds


def time_limit(setting):
    """The time limit in seconds from the environment variable's text (None: the default)."""
    try:
        limit = DEFAULT_TIME_LIMIT if setting is None else float(setting)
    except ValueError:
        limit = None
    if limit is None or not 0 < limit < 1e6:
        raise pytest.UsageError(f"{TIME_LIMIT_VARIABLE}={setting}: give the seconds a lesson test "
                                f"may take, e.g. {TIME_LIMIT_VARIABLE}={DEFAULT_TIME_LIMIT}")
    return limit


def pytest_report_header(config):
    limit = config.stash.get(TIME_LIMIT, None)
    return f"lessons from: {helpers.LESSONS_DIR}" + (
        f" (each lesson test stopped after {limit:g} s)" if limit else "")


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    """Against --lessons-dir, each lesson test (tests/lessons/) runs with a time limit: a learner's
    function that never returns fails the test with one line naming it, and the run goes on."""
    limit = pyfuncitem.config.stash.get(TIME_LIMIT, None)
    if limit is None or LESSON_TESTS not in pyfuncitem.path.parents:
        yield
        return
    test = pyfuncitem.obj
    pyfuncitem.obj = within_time_limit(test, limit)
    try:
        yield
    finally:
        pyfuncitem.obj = test


LESSON_TESTS = Path(__file__).resolve().parent / "lessons"
WORKER_STACK = 16 << 20   # bytes: a main thread's stack on Linux, more than macOS gives a thread


def within_time_limit(test, limit):
    """test, run in a thread of its own that it gets `limit` seconds to finish.

    Only a thread can be watched from outside on every system (signals are POSIX, and only the
    main thread gets them). Nor can a thread be killed: once the test has failed, the thread is
    asked to stop (stop_soon), and one stuck inside a single C call (a sleep, say) runs on as a
    daemon thread, which does not keep pytest from exiting.
    """
    @functools.wraps(test)
    def run_in_a_thread(*args, **kwargs):
        outcome = {}

        def call():
            try:
                outcome["result"] = test(*args, **kwargs)
            except BaseException as error:    # pytest.fail and .skip too: raised again below
                outcome["error"] = error
        # In a copy of this thread's context: whatever lives in context variables (NumPy's
        # errstate, and where warnings are kept per context, the filters that make warnings
        # errors) applies in the test's thread as it would here.
        context = contextvars.copy_context()
        worker = threading.Thread(target=context.run, args=(call,), name=test.__name__,
                                  daemon=True)
        previous = threading.stack_size(WORKER_STACK)
        try:
            worker.start()
        finally:
            threading.stack_size(previous)
        worker.join(limit)
        frame = sys._current_frames().get(worker.ident) if worker.is_alive() else None
        if frame is not None:
            message = still_running(frame, limit)
            del frame                         # a frame keeps its thread's locals alive
            stop_soon(worker)
            pytest.fail(message, pytrace=False)
        worker.join()                         # it had just finished, if the frame was gone
        if "error" in outcome:
            raise outcome.pop("error")
        return outcome.get("result")
    return run_in_a_thread


class TimeLimitReached(BaseException):
    """Raised inside a test's thread to end it once its time limit has passed."""


def stop_soon(worker):
    """Raise TimeLimitReached in the thread `worker` at its next line of Python, through CPython's
    PyThreadState_SetAsyncExc: an endless loop then ends, rather than slowing every later test by
    taking its share of the interpreter for the rest of the run. A thread inside one long C call
    gets it when that call returns."""
    import ctypes
    set_async_exc = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc",
                            None)                   # CPython only
    if set_async_exc is not None:
        set_async_exc(ctypes.c_ulong(worker.ident), ctypes.py_object(TimeLimitReached))


def still_running(frame, limit):
    """The one line for a test stopped by its time limit: the learner's function it was in (the
    innermost frame in a lesson file of --lessons-dir; else the innermost of all), and where."""
    stack = traceback.extract_stack(frame)
    learners = [entry for entry in stack if Path(entry.filename).parent == helpers.LESSONS_DIR]
    entry = (learners or stack)[-1]
    return (f"{entry.name}() has not returned after {limit:g} s: an endless loop? It was at "
            f"{Path(entry.filename).name}, line {entry.lineno}: {entry.line}; make it return "
            f"(for a slow computer, {TIME_LIMIT_VARIABLE}=seconds gives each test longer)")


def pytest_collection_modifyitems(config, items):
    """Against --lessons-dir, leave out the runs of lesson 05 that train on all of MNIST: seconds
    with the lesson's code, far longer with a learner's slower train_epoch."""
    if helpers.LESSONS_DIR == REPO:
        return
    def whole_run(item):
        return item.get_closest_marker("whole_run") or "mnist_model" in item.fixturenames
    left_out = [item for item in items if whole_run(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not whole_run(item)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that reached a blank exercise function fails with one line: which TODO, and where."""
    outcome = yield
    report = outcome.get_result()
    todo = helpers.todo_message(call.excinfo.value) if call.excinfo and report.failed else None
    if todo:
        place = helpers.todo_place(call.excinfo.traceback)
        report.longrepr = todo + (f"\n  (still to write: {place})" if place else "")
        seen = item.config.stash.setdefault(TODOS_SEEN, {})
        seen.setdefault(todo.split(":")[0], []).append(item.nodeid)
    elif call.excinfo and report.failed:
        note_or_shorten_wrong_gradient(item, report, str(call.excinfo.value))


def note_or_shorten_wrong_gradient(item, report, message):
    """One wrong-gradient report in full per test file: the first is noted and kept whole; the
    same check failing again on other sizes then takes two lines, and so does a later test of
    that file (training, say), which may fail only because of that gradient: its first line still
    says what it found, the second points back to the full report."""
    first = item.config.stash.setdefault(WRONG_GRADIENTS, {}).get(item.path)
    if message.startswith(WRONG_GRADIENT) and first is None:
        item.config.stash[WRONG_GRADIENTS][item.path] = item.nodeid.split("::")[-1]
    elif first is not None:
        found = message.splitlines()[0][:300] if message.strip() else "failed"
        again = "the same wrong gradient" if message.startswith(WRONG_GRADIENT) else found
        report.longrepr = (f"{again}\n  (after the wrong gradient reported in full in {first}: "
                           "fix that first)")


TODOS_SEEN = pytest.StashKey()
WRONG_GRADIENTS = pytest.StashKey()   # {test file: the test that reported its first wrong gradient}


def pytest_terminal_summary(terminalreporter, config):
    seen = config.stash.get(TODOS_SEEN, {})
    if seen:
        terminalreporter.section("functions still to write")
        for todo, tests in seen.items():
            terminalreporter.line(f"{todo}: {len(tests)} failed test{'s' * (len(tests) != 1)}")


@pytest.fixture
def no_proxy_for_loopback(monkeypatch):
    """A proxy set in the environment must not swallow the requests to our loopback mirrors, and
    no MNIST_MIRRORS of the user's may send a test elsewhere (modules that download use it)."""
    monkeypatch.setenv("no_proxy", LOOPBACK)
    monkeypatch.setenv("NO_PROXY", LOOPBACK)
    monkeypatch.delenv("MNIST_MIRRORS", raising=False)


@pytest.fixture
def close_figures():
    """Close every figure a test drew (modules that draw use it)."""
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.fixture(scope="session")
def shared_mnist():
    """A folder holding the four real MNIST .gz files: $MNIST_DIR when it is set, else
    ../shared/mnist, else this project's data/.

    The project's machines have ../shared/mnist; a learner's clone has data/ once 05 has downloaded
    into it (python 05_train_mnist.py --download-only), and MNIST_DIR names any other folder. With
    none, these tests skip, except under CI (CI=true), where they fail: a missing data set must
    never pass unnoticed there. A MNIST_DIR without the four files fails the test that asked.
    """
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    if os.environ.get("MNIST_DIR"):
        folder = Path(os.environ["MNIST_DIR"]).expanduser()
        missing = [n for n in names if not (folder / n).is_file()]
        if missing:
            pytest.fail(f"MNIST_DIR={folder} lacks {', '.join(missing)}; point it at the folder "
                        "holding the four MNIST .gz files, or unset it", pytrace=False)
        return folder
    for folder in (SHARED_MNIST, REPO / "data"):
        if all((folder / n).is_file() for n in names):
            return folder
    message = (f"the real MNIST files are neither in {SHARED_MNIST} nor in {REPO / 'data'}; "
               "run python 05_train_mnist.py --download-only first, or set MNIST_DIR to a folder "
               "holding them")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " (under CI these tests must run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def mnist(shared_mnist):
    """The real MNIST, read once for every test that needs its arrays: ((x_train, y_train),
    (x_test, y_test)), uint8. The arrays are made read-only, so that no test can change what the
    others see."""
    data = load_mnist(shared_mnist)
    for array in (*data[0], *data[1]):
        array.setflags(write=False)
    return data


@pytest.fixture(scope="session")
def mnist_model(shared_mnist, tmp_path_factory):
    """A network trained by 05_train_mnist.py on the real data for 3 epochs, run as a user runs it.

    Returns (model path, the run's stdout). The data is read straight from ../shared/mnist: with all
    four files present and valid the script writes nothing there (in CI that folder is read-only).
    """
    model = tmp_path_factory.mktemp("model") / "model.npz"
    result = run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--epochs", 3,
                        "--no-plots", "--model", model)
    assert result.returncode == 0, result.stderr
    return model, result.stdout


@pytest.fixture(scope="session")
def page_runner(tmp_path_factory):
    """Runs the commands of the README's output blocks, each once per session (page_commands.py);
    the default training run it makes is also the one tests/lessons/test_05_training.py checks."""
    from page_commands import Runner
    return Runner(tmp_path_factory)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """An untrained Network([784, 5, 10]) saved as lesson 05 saves its model: enough where the
    answer doesn't matter (bad images, bad flags, the drawing pad)."""
    from support.model_file import save_model
    network = helpers.load_lesson("04b_backprop_network.py", REPO).Network
    return save_model(tmp_path_factory.mktemp("tiny") / "tiny.npz", network([784, 5, 10]))


@pytest.fixture
def deny_access(monkeypatch):
    """deny(folder, mode=0): chmod a folder to one of these modes. Root ignores permissions, so
    there the kernel's refusal is imitated, as it would be for its owner:

        0      listing the folder, or opening, stat-ing or creating anything inside it, is refused;
        0o644  "readable but not searchable": listing its names works, and nothing else inside;
        0o555  "read-only": everything can be read, but nothing created inside it.
    """
    denied = []                                            # (folder, mode)

    def refused(path, mode_refuses, itself):
        if isinstance(path, int):
            return False
        path = Path(os.path.abspath(os.fsdecode(path)))
        return any(mode_refuses(mode) and (folder in path.parents or (itself and path == folder))
                   for folder, mode in denied)

    def no_search(mode):                   # looking at anything inside needs x
        return not mode & 0o100

    def no_list(mode):                     # listing the names needs r
        return not mode & 0o400

    def no_create(mode):                   # creating inside needs w and x
        return mode & 0o300 != 0o300

    def refuse(original, mode_refuses=no_search, itself=False, only_if=lambda *a, **k: True):
        def wrapper(path, *args, **kwargs):
            if refused(path, mode_refuses, itself) and only_if(*args, **kwargs):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
            return original(path, *args, **kwargs)
        return wrapper

    def creates(flags=0, *args, **kwargs):
        return bool(flags & os.O_CREAT)

    def deny(folder, mode=0):
        assert mode in (0, 0o644, 0o555)
        folder.chmod(mode)
        denied.append((Path(os.path.abspath(folder)), mode))
        if len(denied) > 1 or not (hasattr(os, "geteuid") and os.geteuid() == 0):
            return
        for module, names in ((os, ["stat", "lstat", "open"]), (builtins, ["open"]),
                              (io, ["open"])):
            for fn in names:
                monkeypatch.setattr(module, fn, refuse(getattr(module, fn)))
        for fn in ("listdir", "scandir"):
            monkeypatch.setattr(os, fn, refuse(getattr(os, fn), no_list, itself=True))
        monkeypatch.setattr(os, "mkdir", refuse(os.mkdir, no_create))
        monkeypatch.setattr(os, "open", refuse(os.open, no_create, only_if=creates))
        # Python 3.9's pathlib took its own references to these when it was imported
        accessor = getattr(pathlib, "_NormalAccessor", None)
        for fn in ("stat", "lstat", "open", "listdir", "scandir", "mkdir"):
            if accessor is not None and hasattr(accessor, fn):
                monkeypatch.setattr(accessor, fn, staticmethod(getattr(os, fn)))
    yield deny
    for folder, _ in denied:
        folder.chmod(0o755)
