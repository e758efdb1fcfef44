"""Lesson 05 under misuse: sizes, images, output folders and interruptions each get one clear
message, and nothing corrupt or half-written is left behind. Model files on their own are tested in
test_support_model_file.py, an unreadable image given to predict_images in
test_support_own_digits.py."""
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

from helpers import REPO, load_lesson, run_script, write_png

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
def digit_png(path, shape=(40, 40)):
    pixels = np.zeros(shape, np.uint8)
    pixels[shape[0] // 4: -shape[0] // 4, shape[1] // 2 - 2: shape[1] // 2 + 2] = 255
    write_png(path, pixels)
    return path


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
    assert result.stderr.startswith("error: --draw needs a display"), result.stderr
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
        assert sorted(np.round(order * 255).astype(int)) == list(range(40))
    assert not np.array_equal(orders[0], orders[1])
    assert not np.array_equal(orders[0], np.sort(orders[0]))


def test_the_epoch_loss_weighs_each_batch_by_its_size(monkeypatch):
    seen, results = recorded_epochs(monkeypatch, 17, 16, epochs=1)
    (batch_of_16, loss_16), (batch_of_1, loss_1) = seen[0]
    assert len(batch_of_16) == 16 and len(batch_of_1) == 1
    assert results[0][0] == pytest.approx((16 * loss_16 + loss_1) / 17, rel=1e-6)


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
                            timeout=120, env={**__import__("os").environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == "interrupted", result.stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_05_saves_its_figures(shared_mnist, tmp_path):
    code = INTERRUPT_AT.format(function="save_figures", script=str(REPO / "05_train_mnist.py"),
                               args=["--data-dir", str(shared_mnist), "--epochs", "1",
                                     "--train-limit", "2000", "--model", str(tmp_path / "m.npz"),
                                     "--figures-dir", str(tmp_path / "figures")])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env={**__import__("os").environ, "MPLBACKEND": "Agg"})
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
