"""Lesson 05, training: accuracy on the real MNIST, the gradient check, a run that learns nothing,
the output paths. Saving and loading the model are tested in test_support_model_file.py; looking
inside a run, and why it fails, in test_06a_when_training_fails.py."""
import re
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from gradcheck import check_backprop, random_problem
from helpers import load_lesson, run_script
from support.model_file import load_model

L05 = load_lesson("05_train_mnist.py")
L01 = load_lesson("01_single_neuron.py")           # sigmoid, which 05 uses through lesson 04b
L03 = load_lesson("03_loss_function.py")           # mse_loss, the loss 05's gradient_step measures
EPOCH_LINE = re.compile(r"epoch +(\d+)/(\d+) +train loss ([\d.]+) +train acc +([\d.]+)% "
                        r"+val acc +([\d.]+)% +([\d.]+) s +([\d,]+) samples/s")
LAST_LINE = re.compile(r"test accuracy: (\d+\.\d\d)% \((\d+)/10000\)")
FIGURES = ["05_training_curves.png", "05_confusion_matrix.png", "05_misclassified.png",
           "05_first_layer_weights.png"]


def parse_accuracies(stdout):
    """Per-epoch validation accuracies (in %) from the epoch lines, and the test accuracy from the
    last line."""
    epochs = [float(m.group(5)) for m in EPOCH_LINE.finditer(stdout)]
    last = LAST_LINE.fullmatch(stdout.strip().splitlines()[-1])
    assert last, ("the last line is not 'test accuracy: XX.XX% (N/10000)': "
                  f"{stdout.strip().splitlines()[-1]!r}")
    assert float(last.group(1)) == pytest.approx(int(last.group(2)) / 100)
    return epochs, float(last.group(1))


# --- accuracy on the real data -------------------------------------------------------------------
def test_one_epoch_on_a_small_subset_learns(mnist, monkeypatch):
    """train_epoch, checked in seconds (the check of a learner's version in exercises/): one epoch
    on 3,000 training images visits each once, in mini-batches, returns the batches' mean loss and
    accuracy, and lifts the accuracy on 1,000 held-out training images well above chance (10%)."""
    (x_train, y_train), _ = mnist
    images, labels = x_train[:3000], y_train[:3000]
    steps = []                                   # (inputs, targets, loss, output) of every step
    real_step = L05.gradient_step

    def recording_step(net, X, Y, lr):
        loss, output = real_step(net, X, Y, lr)
        steps.append((X, Y, loss, output))
        return loss, output

    monkeypatch.setattr(L05, "gradient_step", recording_step)
    net = L05.Network([784, *L05.HIDDEN, 10], seed=1)
    loss, accuracy = L05.train_epoch(net, images, labels, 16,
                                     L05.layer_rates(net, L05.LEARNING_RATE),
                                     np.random.default_rng(1))
    sizes = [len(X) for X, _, _, _ in steps]
    assert len(steps) == 3000 // 16 + 1 and max(sizes) == 16 and sum(sizes) == 3000, \
        (f"expected 188 mini-batches of at most 16 images, 3000 in all; "
         f"got {len(steps)}, {sum(sizes)} in all")
    seen = np.sort(np.concatenate([X.sum(axis=1) for X, _, _, _ in steps]))
    assert np.allclose(seen, np.sort(L05.to_inputs(images).sum(axis=1))), \
        "not every image once per epoch"
    assert loss == pytest.approx(sum(l * len(X) for X, _, l, _ in steps) / 3000), \
        "the returned loss should be the mean of the batch losses, weighted by batch size"
    correct = sum(int(np.sum(out.argmax(axis=1) == Y.argmax(axis=1))) for _, Y, _, out in steps)
    assert accuracy == pytest.approx(correct / 3000), \
        "the returned accuracy should count every batch"
    held_out, _ = L05.evaluate(net, x_train[-1000:], y_train[-1000:])
    assert held_out >= 0.3, f"after one epoch on 3000 images: {held_out:.1%} on held-out images"


@pytest.mark.whole_run
def test_three_epochs_pass_95_percent(mnist_model):
    model, stdout = mnist_model
    epochs, final = parse_accuracies(stdout)
    assert len(epochs) == 3
    assert max(epochs) >= 95.0 and final >= 95.0
    assert model.is_file()


@pytest.mark.whole_run
def test_the_default_run_reaches_97_percent_and_draws_its_figures(shared_mnist, mnist, page_runner):
    """`python 05_train_mnist.py` as the README runs it (once for both: tests/page_commands.py)."""
    stdout, work = page_runner.raw_output("python 05_train_mnist.py", shared_mnist)
    epochs, final = parse_accuracies(stdout)
    assert len(epochs) == L05.EPOCHS
    assert epochs[1] >= 95.0, "the default run should pass 95% by the end of epoch 2"
    assert final >= 97.0
    for name in FIGURES:
        path = work / "figures" / name
        assert path.stat().st_size > 5000 and str(path) in stdout
    # The saved model gives the accuracy the run reported.
    _, (x_test, y_test) = mnist
    accuracy, _ = L05.evaluate(load_model(work / "model.npz", L05.Network), x_test, y_test)
    assert accuracy * 100 == pytest.approx(final, abs=0.005)


# --- the maths -----------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[6, 5, 3], [6, 5, 4, 3], [6, 4, 5, 4, 3]])
@pytest.mark.parametrize("n_samples", [1, 7])
def test_gradient_check_on_05s_network(sizes, n_samples):
    # 05's Network is lesson 04b's, and its loss lesson 03's mse_loss, which 05 no longer names
    lesson = SimpleNamespace(Network=L05.Network, mse_loss=L03.mse_loss)
    check_backprop(lesson, *random_problem(lesson, sizes, n_samples, seed=n_samples))


def test_inputs_are_float32_in_unit_range_and_float64_networks_still_train():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    X = L05.to_inputs(images)
    assert X.dtype == np.float32 and X.shape == (1, 4)
    np.testing.assert_allclose(X, [[0, 1, 0.2, 0.4]], rtol=1e-6)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(64, 4, 4), dtype=np.uint8)
    labels = rng.integers(0, 10, size=64)
    for dtype in (np.float32, np.float64):
        net = L05.Network([16, 8, 10], dtype=dtype)
        loss, accuracy = L05.train_epoch(net, images, labels, 16, L05.layer_rates(net, 1.0),
                                         rng)
        assert np.isfinite(loss) and 0 <= accuracy <= 1, (
            f"train_epoch should return (mean loss, share right); it returned {loss}, {accuracy}")
        assert net.weights[0].dtype == dtype, (
            f"a {np.dtype(dtype)} network's weights became {net.weights[0].dtype} in a step")


# --- a run that learns nothing ------------------------------------------------------------------
def run_05(shared_mnist, tmp_path, *flags):
    return run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--no-plots",
                      "--model", tmp_path / "model.npz", *flags)


CHANCE = re.compile(r"error: validation accuracy ([\d.]+)% after epoch (\d+), where guessing gives "
                    r"10%: nothing learned; look inside the same run: (python "
                    r"06a_when_training_fails\.py[^\n]*)\n")


def test_a_run_at_chance_is_one_line_naming_the_06a_command_of_the_same_run(shared_mnist,
                                                                              tmp_path):
    result = run_05(shared_mnist, tmp_path, "--lr", "1000", "--train-limit", 10000, "--epochs", 2)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    message = CHANCE.fullmatch(result.stderr)
    assert message, result.stderr
    assert float(message.group(1)) <= 100 * L05.CHANCE_LEVEL and message.group(2) == "2"
    assert message.group(3).split()[2:] == ["--lr", "1000", "--epochs", "2",
                                            "--train-limit", "10000"]
    assert "epoch  2/2" in result.stdout and not (tmp_path / "model.npz").exists()


def test_the_06a_command_names_only_the_flags_that_differ_from_the_defaults():
    assert L05.same_run_in_06a(L05.parse_args([])) == "python 06a_when_training_fails.py"
    args = L05.parse_args(["--hidden", "300", "100", "--lr", "0.001", "--batch-size", "16",
                           "--seed", "3", "--model", "elsewhere.npz"])
    assert L05.same_run_in_06a(args) == ("python 06a_when_training_fails.py --hidden 300 100 "
                                         "--lr 0.001 --seed 3")


def test_a_loss_that_overflows_is_one_line_and_nothing_is_saved(shared_mnist, tmp_path):
    result = run_05(shared_mnist, tmp_path, "--lr", "1e300", "--train-limit", 1000)
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: training diverged: the loss became nan at mini-batch ")
    assert "--lr 15" in result.stderr and not (tmp_path / "model.npz").exists()


@pytest.mark.parametrize("hidden", [["1000"], ["30", "30", "30"]])
def test_wide_and_deep_networks_learn_with_the_defaults(shared_mnist, tmp_path, hidden):
    """Only --hidden changes: one epoch on a subset already beats chance by far."""
    limit = 5000 if hidden == ["1000"] else 10000
    result = run_05(shared_mnist, tmp_path, "--hidden", *hidden, "--epochs", 1,
                    "--train-limit", limit)
    assert result.returncode == 0, result.stderr
    val = float(re.search(r"val acc +([\d.]+)%", result.stdout).group(1))
    assert val > 30, result.stdout


def test_the_validation_images_are_never_trained_on():
    images = np.arange(60000)
    (x_train, y_train), (x_val, y_val) = L05.split_validation(images, images * 2)
    assert len(x_val) == L05.N_VALIDATION == 10000 and len(x_train) == 50000
    assert not np.intersect1d(x_train, x_val).size
    assert np.array_equal(x_val, images[-10000:]) and np.array_equal(y_val, x_val * 2)


def test_a_nan_loss_stops_training_at_once():
    net = L05.Network([4, 3, 10], dtype=np.float32)
    net.weights[1][0, 0] = np.nan
    images, labels = np.zeros((40, 2, 2), dtype=np.uint8) + 9, np.arange(40) % 10
    with pytest.raises(L05.Diverged, match="loss became nan at mini-batch 1"):
        L05.train_epoch(net, images, labels, 8, L05.layer_rates(net, 1.0),
                        np.random.default_rng(0))


@pytest.mark.parametrize("flag, value, message", [
    ("--epochs", "0", "1 or more"), ("--batch-size", "-4", "1 or more"),
    ("--lr", "0", "greater than 0"), ("--lr", "inf", "finite"), ("--hidden", "0", "1 or more"),
    ("--hidden", "big", "not a whole number"),
])
def test_invalid_settings_are_refused_by_the_command_line(flag, value, message):
    result = run_script("05_train_mnist.py", flag, value)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


# --- output paths: refused before training ------------------------------------------------------
@pytest.mark.parametrize("flags, message", [
    (["--model", "{file}/model.npz"],
     "is a file, not a folder; choose another folder with --model"),
    (["--model", "{tmp}"], "is a folder; give a file name"),
    (["--figures-dir", "{file}/figures"], "afile is a file, not a folder; choose another folder "
     "with --figures-dir, or skip the figures with --no-plots"),
    (["--figures-dir", "{link}/figures"], "link is a symbolic link that leads nowhere; choose "
     "another folder with --figures-dir, or skip the figures with --no-plots"),
])
def test_unusable_output_paths_are_refused_before_training(shared_mnist, tmp_path, flags, message):
    """The same words as lessons 01-04b, whose figures are all they write."""
    (tmp_path / "afile").write_text("")
    if sys.platform != "win32":                  # making a link there needs an administrator
        (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    elif "{link}" in flags[1]:
        pytest.skip("no symbolic link without an administrator's rights on Windows")
    flags = [flag.format(file=tmp_path / "afile", tmp=tmp_path, link=tmp_path / "link")
             for flag in flags]
    result = run_script("05_train_mnist.py", "--data-dir", shared_mnist, *flags)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert "epoch" not in result.stdout


# --- a start that trains at any width ----------------------------------------------------------
def test_the_output_layer_steps_less_the_wider_it_is_fed():
    for hidden, expected in [((100,), [15, 15]), ((1000,), [15, 1.5]), ((300, 30), [15, 15, 50])]:
        net = L05.Network([784, *hidden, 10])
        assert L05.layer_rates(net, 15.0) == pytest.approx(expected)


def test_the_outputs_start_at_the_base_rate():
    net = L05.new_network([784, 100, 10], seed=0)
    assert net.weights[0].dtype == L05.NETWORK_DTYPE
    np.testing.assert_allclose(L01.sigmoid(net.biases[-1]), 0.1, rtol=1e-6)
    np.testing.assert_array_equal(net.biases[0], 0)
