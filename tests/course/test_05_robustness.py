"""Lesson 05 under misuse: sizes, images, output folders and interruptions each get one clear
message, and nothing corrupt or half-written is left behind. Model files on their own are tested in
test_support_model_file.py, an unreadable image given to predict_images in
test_support_own_digits.py."""
import errno
import os
import shutil
import signal
import subprocess
import sys
import time

import matplotlib
import numpy as np
import pytest

import helpers
from helpers import (LESSON_ENV, REPO, assert_mentions, digit_png, finished, load_lesson,
                     needs_symlinks, no_space_left, posix_signals, run_script,
                     signals_as_a_terminal_leaves_them, start_lesson)
from support import model_file
from support.model_file import load_model, save_model

matplotlib.use("Agg")
L05 = load_lesson("05_train_mnist.py")


# --- too large a network: refused before anything is loaded ------------------------------------
def test_too_large_a_network_is_refused_before_the_data_is_loaded(tmp_path):
    result = run_script("05_train_mnist.py", "--hidden", "1000000000", "--data-dir",
                        tmp_path / "data", "--no-plots", "--model", tmp_path / "model.npz")
    assert result.returncode == 2, result.stderr
    assert "parameters" in result.stderr and "GB" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "data").exists()


# --- your own digits ----------------------------------------------------------------------------
def test_images_too_small_to_hold_a_digit_are_refused(tiny_model, tmp_path):
    tiny = [digit_png(tmp_path / "2x2.png", (2, 2)), digit_png(tmp_path / "1x50.png", (1, 50))]
    result = run_script("05_train_mnist.py", "--predict", *tiny, "--model", tiny_model,
                        "--no-plots")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all("too small" in line for line in lines), result.stderr
    assert result.stdout.startswith("model: ") and "top three" not in result.stdout


def test_images_with_the_same_name_get_figures_of_their_own(tiny_model, tmp_path):
    paths = [digit_png(tmp_path / name) for name in ("a.png", "a.jpg", "a.gif")]
    (tmp_path / "other").mkdir()
    paths.append(digit_png(tmp_path / "other" / "a.png"))
    result = run_script("05_train_mnist.py", "--predict", *paths, "--model", tiny_model,
                        "--figures-dir", tmp_path / "figures")
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "figures").iterdir())) == 4
    assert result.stdout.count("figure saved") == 4


def test_an_unusable_figures_folder_gets_one_message_for_many_images(tiny_model, tmp_path):
    paths = [digit_png(tmp_path / f"{i}.png") for i in range(3)]
    (tmp_path / "afile").write_text("")
    result = run_script("05_train_mnist.py", "--predict", *paths, "--model", tiny_model,
                        "--figures-dir", tmp_path / "afile" / "figures")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and "--figures-dir" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "truncated"),
    (b"just some text, not a picture\n", "not an image"),
])
def test_bad_images_are_described_not_named_by_exception_class(tiny_model, tmp_path, content,
                                                                message):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    result = run_script("05_train_mnist.py", "--predict", path, "--model", tiny_model, "--no-plots")
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    for name in ("OSError", "SyntaxError", "UnidentifiedImageError", "ValueError"):
        assert name not in result.stderr


def test_draw_with_a_display_backend_but_no_display_says_so(tiny_model, tmp_path):
    pytest.importorskip("tkinter")
    result = run_script("05_train_mnist.py", "--draw", "--model", tiny_model,
                        env={"MPLBACKEND": "TkAgg", "DISPLAY": ""})
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: --draw "), result.stderr
    assert_mentions(result.stderr, "display")
    assert "Traceback" not in result.stderr


# --- training: every batch counts by its size, and every epoch is shuffled afresh ----------------
def recorded_epochs(monkeypatch, n_images, batch_size, epochs=2):
    seen = []
    real_step = L05.gradient_step

    def recording_step(net, X, Y, *args, **kwargs):
        loss, output = real_step(net, X, Y, *args, **kwargs)
        seen[-1].append((X.copy(), loss))
        return loss, output
    monkeypatch.setattr(L05, "gradient_step", recording_step)
    rng = np.random.default_rng(0)
    images = np.arange(n_images, dtype=np.uint8)[:, None, None] * np.ones((1, 2, 2), np.uint8)
    labels = np.arange(n_images) % 10
    net, results = L05.Network([4, 3, 10], seed=0), []
    for _ in range(epochs):
        seen.append([])
        results.append(L05.train_epoch(net, images, labels, batch_size,
                                       L05.layer_rates(net, 0.1), rng))
    return seen, results


def test_each_epoch_visits_the_images_in_a_new_order(monkeypatch):
    seen, _ = recorded_epochs(monkeypatch, 40, 8)
    orders = [np.concatenate([X[:, 0] for X, _ in epoch]) for epoch in seen]
    for order in orders:
        assert sorted(np.round(order * 255).astype(int)) == list(range(40)), (
            "an epoch should visit each of the 40 images exactly once")
    assert not np.array_equal(orders[0], orders[1]), "each epoch should shuffle anew (rng)"
    assert not np.array_equal(orders[0], np.sort(orders[0])), "the first epoch was not shuffled"


def test_the_epoch_loss_weighs_each_batch_by_its_size(monkeypatch):
    seen, results = recorded_epochs(monkeypatch, 17, 16, epochs=1)
    (batch_of_16, loss_16), (batch_of_1, loss_1) = seen[0]
    assert len(batch_of_16) == 16 and len(batch_of_1) == 1, "17 images in batches of 16: 16, 1"
    assert results[0][0] == pytest.approx((16 * loss_16 + loss_1) / 17, rel=1e-6), (
        "the epoch's loss should be the mean over images: each batch's loss weighted by its size")


# --- Ctrl-C anywhere: one line, exit status 1 ---------------------------------------------------
INTERRUPT_AT = """
import runpy, sys
def interrupt(frame, event, arg):
    if event == "call" and frame.f_code.co_name == {function!r}:
        raise KeyboardInterrupt
    return None
sys.argv = [{script!r}, *{args!r}]
sys.settrace(interrupt)
runpy.run_path({script!r}, run_name="__main__")
"""


@pytest.mark.parametrize("script, function, args", [
    ("04a_backprop_single_neuron.py", "train_neuron", ["--no-plots"]),
    ("01_single_neuron.py", "save_figures", []),
    ("04b_backprop_network.py", "save_figures", []),
])
def test_ctrl_c_in_a_lesson_prints_one_line(script, function, args, tmp_path):
    code = INTERRUPT_AT.format(function=function, script=str(REPO / script),
                               args=[*args, "--figures-dir", str(tmp_path)])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env=LESSON_ENV)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == "interrupted", result.stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_05_saves_its_figures(shared_mnist, tmp_path):
    code = INTERRUPT_AT.format(function="save_figures", script=str(REPO / "05_train_mnist.py"),
                               args=["--data-dir", str(shared_mnist), "--epochs", "1",
                                     "--train-limit", "2000", "--model", str(tmp_path / "m.npz"),
                                     "--figures-dir", str(tmp_path / "figures")])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env=LESSON_ENV)
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "interrupted" in result.stderr
    assert not (tmp_path / "figures").exists() or not any((tmp_path / "figures").iterdir())


# --- advice that can be followed --------------------------------------------------------------
def test_one_step_per_epoch_is_blamed_on_the_batch_size_not_the_learning_rate(shared_mnist,
                                                                              tmp_path):
    result = run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--train-limit", 500,
                        "--batch-size", 500, "--epochs", 1, "--no-plots",
                        "--model", tmp_path / "m.npz")
    assert "--batch-size" in result.stderr + result.stdout, result.stderr
    assert "learning rate" not in result.stderr
    assert "Traceback" not in result.stderr


def test_one_training_image_is_one_image(shared_mnist, tmp_path):
    result = run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--train-limit", 1,
                        "--epochs", 1, "--no-plots", "--model", tmp_path / "m.npz")
    assert "1 images" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("run", ["--draw", "--predict", "training"])
def test_an_unknown_mplbackend_is_one_line_naming_it(run, tiny_model, shared_mnist, tmp_path):
    """For --draw, for --predict (whose image reader is matplotlib's), and for a training run that
    draws figures: there before training, not after it."""
    digit_png(tmp_path / "digit.png")
    args = {"--draw": ["--draw", "--model", tiny_model],
            "--predict": ["--predict", tmp_path / "digit.png", "--model", tiny_model, "--no-plots"],
            "training": ["--data-dir", shared_mnist, "--model", tmp_path / "m.npz", "--figures-dir",
                         tmp_path / "figures", "--train-limit", 200, "--epochs", 1]}[run]
    result = run_script("05_train_mnist.py", *args, env={"MPLBACKEND": "nonsense"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: MPLBACKEND=nonsense "), result.stderr
    assert_mentions(result.stderr, "backend")
    assert "epoch" not in result.stdout, result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digit.png"]


def test_a_tilde_in_predict_and_figures_dir_means_the_home_folder(tiny_model, tmp_path,
                                                                 monkeypatch):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(), work.mkdir()
    digit_png(home / "digit.png")
    for variable in ("HOME", "USERPROFILE"):                   # USERPROFILE: Windows' home
        monkeypatch.setenv(variable, str(home))
    monkeypatch.chdir(work)
    assert L05.main(["--predict", "~/digit.png", "--model", str(tiny_model),
                     "--figures-dir=~/figs"]) == 0
    assert [p.suffix for p in (home / "figs").iterdir()] == [".png"]
    assert list(work.iterdir()) == [], "a folder named ~ was made where 05 ran"


# --- the model file: checked before training, saved whole, through a link --------------------
def main_without_training(monkeypatch, shared_mnist, model):
    """05's main() in this process, as far as the save and what it prints, with the training and
    the evaluation left out: the save is the same, and in the tests' process, where NumPy was
    imported before 05 could ask for one BLAS thread, training is slow on a busy machine."""
    monkeypatch.setattr(L05, "train_and_report",
                        lambda *args: [dict(epoch=1, val_accuracy=0.5, layers=[])])
    monkeypatch.setattr(L05, "evaluate",
                        lambda net, images, labels: (0.5, np.zeros(len(labels), dtype=int)))
    return L05.main(["--data-dir", str(shared_mnist), "--no-plots", "--model", str(model)])


@pytest.mark.parametrize("flag, length", [("--model", 256), ("--figures-dir", 300)])
def test_a_name_too_long_is_one_line_before_training(shared_mnist, tmp_path, capsys, flag,
                                                     length):
    long_name = tmp_path / ("n" * (length - 4) + ".npz")
    flags = ["--model", long_name] if flag == "--model" else ["--figures-dir", long_name]
    status = L05.main(["--data-dir", str(shared_mnist), "--model", str(tmp_path / "m.npz"),
                       *map(str, flags)])
    out, err = capsys.readouterr()
    assert status == 1 and err.count("\n") == 1, err
    assert err.startswith(f"error: {flag} {long_name}: ") and "long" in err, err
    assert "epoch" not in out
    assert list(tmp_path.iterdir()) == []


def test_a_model_name_of_250_bytes_trains_and_saves(shared_mnist, tmp_path):
    """A legal name: the temporary file saved beside it must not be longer than the system
    allows (save_model adds 8 random letters and .tmp to its prefix)."""
    model = tmp_path / ("m" * 246 + ".npz")
    result = run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--no-plots", "--model",
                        model, "--train-limit", 2000, "--epochs", 1)
    assert result.returncode == 0, result.stderr
    assert load_model(model, L05.Network).sizes == [784, *L05.HIDDEN, 10]
    assert list(tmp_path.iterdir()) == [model]


def test_a_full_disk_is_named_before_training(shared_mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "disk_usage", no_space_left())
    status = L05.main(["--data-dir", str(shared_mnist), "--no-plots", "--model",
                       str(tmp_path / "model.npz"), "--train-limit", "200", "--epochs", "1"])
    out, err = capsys.readouterr()
    assert status == 1 and err.startswith("error: ") and err.count("\n") == 1, err
    assert_mentions(err, f"space in {tmp_path}", "0.6 MB", "0.3 MB", "--model")
    assert "epoch" not in out


def test_a_disk_that_fills_up_during_training_is_named_when_saving(shared_mnist, tmp_path,
                                                                   monkeypatch, capsys):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(model_file.np, "savez", no_space)
    model = tmp_path / "model.npz"
    assert main_without_training(monkeypatch, shared_mnist, model) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert_mentions(err, model, os.strerror(errno.ENOSPC), "--model")
    assert list(tmp_path.iterdir()) == [], "nothing half-written may be left"


@needs_symlinks
def test_a_model_that_is_a_link_is_saved_through_it(shared_mnist, tmp_path, monkeypatch,
                                                    capsys):
    (tmp_path / "models").mkdir()
    link, target = tmp_path / "model.npz", (tmp_path / "models" / "real.npz").resolve()
    link.symlink_to(os.path.join("models", "real.npz"))
    assert main_without_training(monkeypatch, shared_mnist, link) == 0
    assert link.is_symlink() and os.readlink(link) == os.path.join("models", "real.npz")
    saved = [line for line in capsys.readouterr().out.splitlines() if "model saved" in line]
    assert len(saved) == 1, saved
    assert_mentions(saved[0], link, f"link to {target}")
    assert load_model(target, L05.Network).sizes == [784, *L05.HIDDEN, 10]


def test_a_temporary_file_a_killed_save_left_is_removed_once_it_is_an_hour_old(tmp_path):
    """SIGKILL or a power cut during a save leaves .NAME.XXXXXXXX.tmp; the next save removes it
    when nobody has written to it for an hour, and leaves a newer one (another run may be saving
    right now) and another model's alone."""
    old, new = tmp_path / ".model.npz.k1ll3d00.tmp", tmp_path / ".model.npz.s4v1ng00.tmp"
    another_models = tmp_path / ".other.npz.k1ll3d00.tmp"
    for path in (old, new, another_models):
        path.write_bytes(b"half a model")
    two_hours_ago = time.time() - 7200
    for path in (old, another_models):
        os.utime(path, (two_hours_ago, two_hours_ago))
    save_model(tmp_path / "model.npz", L05.Network([4, 3, 2]))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [new.name, another_models.name, "model.npz"])


# --- the process: a reader that leaves, Ctrl-C twice, SIGTERM while saving --------------------
def start_05(*args):
    return start_lesson("05_train_mnist.py", *args)


def test_a_reader_that_leaves_early_does_not_stop_training_or_the_save(shared_mnist, tmp_path):
    """`python 05_train_mnist.py | head -1`: each epoch's line is flushed as it is printed, so the
    epochs after the reader has gone write into a closed pipe. The run must still finish its
    work, quietly: train, save its model, exit 0."""
    model = tmp_path / "model.npz"
    first, returncode, stderr = read_one_line_and_leave("--data-dir", shared_mnist, "--no-plots",
                                                        "--model", model, "--train-limit", 2000,
                                                        "--epochs", 2)
    assert first.startswith("MNIST is ready"), first
    assert (returncode, stderr) == (0, ""), stderr
    assert load_model(model, L05.Network).sizes == [784, *L05.HIDDEN, 10]


def test_a_reader_that_leaves_early_does_not_break_predict(tiny_model, tmp_path):
    """`python 05_train_mnist.py --predict *.png | head -1` over 300 pictures: their lines are
    more than Python's output buffer holds, so it is written while the reader has gone. Quietly,
    exit status 0."""
    digit_png(tmp_path / "digit.png")
    pictures = [tmp_path / "digit.png"] * 300
    first, returncode, stderr = read_one_line_and_leave("--predict", *pictures, "--model",
                                                        tiny_model, "--no-plots")
    assert first.startswith("model: "), first
    assert (returncode, stderr) == (0, ""), stderr


def read_one_line_and_leave(*args):
    """Run 05 with args as `| head -1` does: read its first line, close the pipe, wait.
    Returns (that line, exit status, stderr)."""
    with start_05(*args) as process:
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
    return (first, *finished(process.wait(timeout=120), stderr))


@posix_signals
@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_during_training_is_one_line_and_saves_nothing(shared_mnist, tmp_path, presses):
    """Once, or twice 2 ms apart (an impatient second press)."""
    with start_05("--data-dir", shared_mnist, "--no-plots", "--model", tmp_path / "model.npz",
                  "--train-limit", 5000, "--epochs", 10) as process:
        for line in process.stdout:          # wait until training has really started
            if line.startswith("epoch  1/"):
                for press in range(presses):
                    time.sleep(0.002 * press)
                    process.send_signal(signal.SIGINT)
                break
        stdout, stderr = process.communicate(timeout=60)
    returncode, stderr = finished(process.returncode, stderr)
    assert (returncode, stderr) == (1, "interrupted: training stopped, nothing was saved\n")
    assert list(tmp_path.iterdir()) == []


# 05's main() with the training left out and its save made to last: a network of 2.4 million
# parameters saved again and again, each time under a new name. A rename over an existing file, or
# the removal of one, can make the file system (ext4) write the data out first: one long call,
# after which the signal would be handled with no temporary file left to find, and a test that a
# half-written file is removed would pass by luck a third of the time.
SAVING_WHEN_SIGNALLED = """
import itertools
import sys
import numpy as np
sys.path.insert(0, {repo!r})
from support import model_file
from support.lifecycle import run
from support.lessons import load_lesson
L05 = load_lesson({lesson!r})
real_save = model_file.save_model


def save_again_and_again(path, net, **kwargs):
    big = L05.Network([784, 3000, 10])
    for i in itertools.count():
        real_save(path.with_name(f"{{i}}.{{path.name}}"), big, **kwargs)


L05.train_and_report = lambda *args: [dict(epoch=1, val_accuracy=0.5, layers=[])]
L05.evaluate = lambda net, images, labels: (0.5, np.zeros(len(labels), dtype=int))
model_file.save_model = save_again_and_again          # as 05 saves, through save_model_and_say
sys.argv = [L05.__file__, *{args!r}]
run(L05.main)
"""


def being_written(folder):
    """Whether a temporary model file in `folder` has begun to fill: the save is writing."""
    for path in folder.glob(".*.tmp"):
        try:
            if path.stat().st_size > 0:
                return True
        except FileNotFoundError:                   # renamed meanwhile: the save is done
            pass
    return False


@posix_signals
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_while_saving_leaves_nothing_half_written(shared_mnist, tmp_path, name):
    code = SAVING_WHEN_SIGNALLED.format(
        repo=str(REPO), lesson=str(helpers.LESSONS_DIR / "05_train_mnist.py"),
        args=["--data-dir", str(shared_mnist), "--no-plots", "--model",
              str(tmp_path / "model.npz")])
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=LESSON_ENV,
                          preexec_fn=signals_as_a_terminal_leaves_them) as process:
        deadline = time.monotonic() + 60
        while not being_written(tmp_path):               # signal it in the middle of a write
            assert process.poll() is None and time.monotonic() < deadline, \
                process.communicate()[1]
            time.sleep(0.002)
        process.send_signal(getattr(signal, name))
        stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (1, "interrupted while saving: the model was not "
                                               "saved\n"), stdout
    assert not list(tmp_path.glob(".*.tmp")), "a half-written temporary file was left"


def test_a_stop_just_as_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    """The signal can be handled at the first Python line after the file is created: the save
    must know the file's name by then, to remove it. (With a name known only once the file
    existed, the run above hit this one time in 25.)"""
    real_open = os.open

    def made_then_stopped(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        if str(path).endswith(".tmp"):
            os.close(fd)
            raise KeyboardInterrupt             # SIGTERM, handled as the file is made
        return fd
    monkeypatch.setattr(os, "open", made_then_stopped)
    with pytest.raises(KeyboardInterrupt):
        save_model(tmp_path / "model.npz", L05.Network([4, 3, 2]))
    assert list(tmp_path.iterdir()) == []


def test_an_exercise_run_that_stops_early_leaves_no_empty_folders(shared_mnist, tmp_path):
    """A learner's exercises/ run stops at a TODO, after 05 has checked its output folders: data/
    and figures/ beside it must not have been made (they would look like a run's output)."""
    learner = tmp_path / "my-exercises"
    shutil.copytree(REPO / "exercises", learner)
    with pytest.raises(NotImplementedError, match="^TODO "):
        run_script("05_train_mnist.py", "--data-dir", shared_mnist, folder=learner)
    assert not (learner / "data").exists() and not (learner / "figures").exists()
