"""Lesson 05, training: accuracy on the real MNIST, the gradient check, failure detection, the
output paths. Saving and loading the model are tested in test_support_model_file.py."""
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
FIGURES = ["05_training_curves.png", "05_learning_speed.png", "05_confusion_matrix.png",
           "05_misclassified.png", "05_first_layer_weights.png"]


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


# --- failure detection --------------------------------------------------------------------------
def run_05(shared_mnist, tmp_path, *flags):
    return run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--no-plots",
                      "--model", tmp_path / "model.npz", *flags)


def test_too_large_a_step_is_named_with_the_measured_saturation(shared_mnist, tmp_path):
    result = run_05(shared_mnist, tmp_path, "--lr", "1e6", "--train-limit", 5000)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    message = re.fullmatch(
        r"error: training stalled \(validation accuracy [\d.]+% after epoch 1, where guessing "
        r"gives 10%\): (\d+)% of the output sigmoids are saturated \(slope below 0.01\), so the "
        r"output layer's gradient \|dL/db\| is only ([\d.e+-]+) and the first layer's "
        r"([\d.e+-]+): almost nothing flows back\. The first steps were too large: before "
        r"training, one would change the output weights by ([\d.e+-]+) times their size\. Try "
        r"the default learning rate, --lr 15, which trains any width\.", result.stderr.strip())
    assert message, result.stderr
    assert int(message.group(1)) > 90 and float(message.group(2)) < 1e-6
    assert float(message.group(4)) > 1, "a step larger than the weights is the cause named"
    # the numbers quoted are the ones the tables printed: after epoch 1, and before training
    table = result.stdout.split("after epoch 1")[1].splitlines()
    assert f"{float(message.group(2)):.2e}" in table[-1]
    before = result.stdout.split("before training")[1].split("epoch  1/")[0].splitlines()
    assert float(before[-1].split()[-1]) == pytest.approx(float(message.group(4)), rel=0.1)
    assert "epoch  1/10" in result.stdout and "epoch  2/10" not in result.stdout
    assert not (tmp_path / "model.npz").exists()
    # and the advice helps
    following = run_05(shared_mnist, tmp_path, "--lr", "15", "--train-limit", 5000, "--epochs", 1)
    assert following.returncode == 0, following.stderr


def test_too_small_a_step_is_named_with_the_measured_step_size(shared_mnist, tmp_path):
    result = run_05(shared_mnist, tmp_path, "--lr", "1e-6", "--train-limit", 3000)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "training stalled" in result.stderr
    assert "no output sigmoid is saturated, but the steps are tiny" in result.stderr
    assert re.search(r"one would change the output weights by \de-\d\d of their size",
                     result.stderr), result.stderr
    assert "--lr 15" in result.stderr


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


# --- the verdicts, each read from numbers made up for it (milliseconds, no training) ------------
HEALTHY = [(1e-3, 0.0, 1e-2), (2e-3, 0.05, 1e-2)]   # (speed, saturated, step) per layer: no cause


def record(val_accuracy=0.10, layers=HEALTHY, epoch=1):
    """An epoch's record, as train_and_report keeps it."""
    return dict(epoch=epoch, val_accuracy=val_accuracy, layers=list(layers))


def verdict(record, n_train=5000, steps=1000, last_epoch=True, lr=15.0, before=HEALTHY):
    """The message stop_if_not_learning stops training with, or None if it lets it go on;
    `before`: the layers' health before training."""
    history = [dict(epoch=0, layers=list(before)), record]
    try:
        L05.stop_if_not_learning(history, lr, n_train, steps, last_epoch)
    except L05.TrainingFailed as failure:
        return str(failure)
    return None


def test_a_network_above_chance_is_never_stopped():
    saturated = [(1e-12, 1.0, 1e-9), (1e-12, 1.0, 1e-9)]
    assert verdict(record(0.21, saturated), n_train=1, steps=1) is None


@pytest.mark.parametrize("last_epoch", [False, True])
def test_too_few_images_are_named_at_once(last_epoch):
    # Even with healthy layers, many steps and more epochs to come: no number of epochs teaches
    # ten digits from 50 images.
    message = verdict(record(), n_train=50, steps=400, last_epoch=last_epoch)
    assert message and "50 training images cannot teach 10 digits" in message, message
    assert "--train-limit 5000" in message
    assert "1 training image cannot" in verdict(record(), n_train=1, steps=400)
    assert verdict(record(), n_train=L05.MIN_IMAGES, steps=400, last_epoch=False) is None


def test_too_few_steps_are_judged_only_after_the_last_epoch():
    assert verdict(record(), n_train=800, steps=50, last_epoch=False) is None, \
        "50 steps after epoch 1 of several: too early to judge, more epochs are coming"
    message = verdict(record(), n_train=800, steps=50, last_epoch=True)
    assert message and "only 50 gradient steps in all, too few to learn from" in message, message
    assert "--batch-size" in message and "--epochs" in message
    assert "only 1 gradient step in all" in verdict(record(), n_train=800, steps=1)


@pytest.mark.parametrize("lr, advice", [(1e6, "the default learning rate, --lr 15, which trains"),
                                        (1.0, "a smaller learning rate, e.g. --lr 0.1")])
def test_saturated_outputs_are_named_with_their_numbers(lr, advice):
    message = verdict(record(layers=[(1e-12, 0.5, 1e-1), (2e-9, 0.97, 3e-7)]), lr=lr,
                      last_epoch=False, before=[(1e-3, 0.0, 2.0), (5e-3, 0.0, 11.0)])
    assert message and "97% of the output sigmoids are saturated" in message, message
    assert "|dL/db| is only 2.0e-09 and the first layer's 1.0e-12" in message
    # the evidence that the steps were too large is the step before training, not the frozen one
    assert "before training, one would change the output weights by 11 times their" in message
    assert advice in message


@pytest.mark.parametrize("lr, advice", [(1e-6, "a larger learning rate: the default, --lr 15"),
                                        (100.0, "a larger learning rate, e.g. --lr 1000")])
def test_tiny_steps_are_named_with_their_size(lr, advice):
    message = verdict(record(layers=[(1e-3, 0.0, 1e-7), (1e-3, 0.05, 3e-6)]), lr=lr,
                      last_epoch=False)
    assert message and "one would change the output weights by 3e-06 of their size" in message
    assert "only 5% of the output sigmoids are saturated, but the steps are tiny" in message
    assert advice in message


def test_vanishing_gradients_are_named_with_how_many_times_more_slowly():
    layers = [(2e-6, 0.0, 1e-2), (1e-4, 0.1, 1e-2), (4e-3, 0.2, 1e-2)]   # input side first
    assert verdict(record(layers=layers), last_epoch=False) is None, "more epochs may do it"
    message = verdict(record(layers=layers), last_epoch=True)
    assert message and ("the first layer learns 2000 times more slowly than the last (|dL/db| "
                        "2.0e-06 against 4.0e-03: vanishing gradients") in message, message
    assert "fewer hidden layers" in message and "--lr" not in message
    # at a rate below the default, the larger default rate is advised too
    assert "--lr 15" in verdict(record(layers=layers), lr=1.0)
    # three hidden layers of 30 still guessing after an epoch of 2,000 images: 45 times, measured
    measured = [(4.1e-5, 0.0, 2e-3), (1.4e-4, 0.0, 2e-3), (4.2e-4, 0.0, 6e-3), (1.86e-3, 0.1, 7e-2)]
    assert "learns 45 times more slowly" in verdict(record(layers=measured))
    # a first layer with no gradient at all
    no_gradient = [(0.0, 0.0, 1e-2), (1e-4, 0.1, 1e-2), (4e-3, 0.2, 1e-2)]
    message = verdict(record(layers=no_gradient))
    assert "the first layer gets no gradient at all" in message and "vanishing" in message


@pytest.mark.parametrize("layers", [
    [(1e-3, 0.0, 1e-2), (4e-3, 0.2, 2e-3)],                       # one hidden layer, 4 times
    [(1e-4, 0.0, 1e-2), (4e-3, 0.2, 2e-3)],                       # one hidden layer, 40 times
    [(1e-3, 0.0, 1e-2), (2e-3, 0.1, 1e-2), (5e-3, 0.2, 2e-3)],    # two hidden layers, 5 times
    [(1e-4, 0.0, 1e-2), (5e-4, 0.1, 1e-2), (1.4e-3, 0.2, 2e-3)],  # two, 14 times: lr 1 measured
])
def test_layers_at_similar_speeds_are_not_called_vanishing_gradients(layers):
    """One hidden layer, still guessing after an epoch, measures 3.7 times slower than the last,
    and has no deep chain of σ' factors: a network like that, or a deep one whose layers learn at
    similar speeds, was given too few steps, not stuck in vanishing gradients."""
    message = verdict(record(layers=layers), steps=125, lr=0.1)
    assert message and "vanishing" not in message, message
    assert ("only 20% of the output sigmoids are saturated, and the steps are not tiny (one "
            "changes the output weights by 2e-03 of their size), but 125 steps at learning rate "
            "0.1 were not enough") in message, message
    assert "more --epochs" in message and "--lr 15" in message
    assert "--lr" not in verdict(record(layers=layers), steps=125, lr=15.0)


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


# --- looking inside -----------------------------------------------------------------------------
def layer_health(net, X, Y, rates):
    """05's layer_health on (X, Y), taken as one mini-batch: (speed, saturated, step_ratio) for
    each layer."""
    return L05.layer_health(net, X, Y, rates, len(X))


def speeds(net, X, Y):
    """How fast each layer learns, |dL/db|: the first number layer_health gives for it."""
    return [speed for speed, _, _ in layer_health(net, X, Y, L05.layer_rates(net, 1.0))]


def test_learning_speed_is_the_length_of_each_bias_gradient():
    rng = np.random.default_rng(0)
    net = L05.Network([12, 7, 5, 10], seed=3, dtype=np.float64)
    X, Y = rng.uniform(size=(20, 12)), np.eye(10)[rng.integers(0, 10, size=20)]
    _, grad_biases = net.backward(X, Y)
    expected = [np.sqrt(np.sum(g ** 2)) for g in grad_biases]
    np.testing.assert_allclose(speeds(net, X, Y), expected, rtol=1e-12)


def test_the_probe_in_mini_batches_gives_its_whole_gradient_and_a_step_of_one_batch():
    """20 images in batches of 6: the speeds are those of all 20 (6, 6, 6 and 2 weighed by their
    sizes), the step / weight is the median over the three whole batches."""
    rng = np.random.default_rng(1)
    net = L05.Network([12, 7, 10], seed=3, dtype=np.float64)
    X, Y = rng.uniform(size=(20, 12)), np.eye(10)[rng.integers(0, 10, size=20)]
    rates = [2.0, 3.0]
    layers = L05.layer_health(net, X, Y, rates, 6)
    _, grad_biases = net.backward(X, Y)
    np.testing.assert_allclose([speed for speed, _, _ in layers],
                               [np.linalg.norm(g) for g in grad_biases], rtol=1e-12,
                               err_msg="the speeds should be the whole probe's |dL/db|")
    per_batch = [[np.linalg.norm(rate * g) / np.linalg.norm(W) for W, g, rate in
                  zip(net.weights, net.backward(X[i:i + 6], Y[i:i + 6])[0], rates)]
                 for i in (0, 6, 12)]
    np.testing.assert_allclose([step for _, _, step in layers], np.median(per_batch, axis=0),
                               rtol=1e-12, err_msg="the median step of the whole batches")
    # A batch larger than the probe: the probe is the one batch there is.
    np.testing.assert_allclose(L05.layer_health(net, X, Y, rates, 50),
                               L05.layer_health(net, X, Y, rates, 20), rtol=1e-12)


def test_earlier_layers_of_a_deep_sigmoid_network_learn_more_slowly(mnist):
    """Nielsen's observation: at the start, each layer nearer the input learns more slowly."""
    (x_train, y_train), _ = mnist
    X = L05.to_inputs(x_train[:1000])
    Y = L05.one_hot(y_train[:1000], 10, dtype=L05.NETWORK_DTYPE)
    by_layer = speeds(L05.new_network([784, 30, 30, 30, 30, 10], seed=0), X, Y)
    assert all(earlier < later for earlier, later in zip(by_layer, by_layer[1:])), by_layer
    assert by_layer[0] < by_layer[-1] / 10, by_layer


def test_layer_health_measures_saturation_and_step_size():
    net = L05.Network([4, 3, 10], seed=0, dtype=np.float64)
    X, Y = np.full((5, 4), 0.5), np.eye(10)[[0, 1, 2, 3, 4]]
    net.weights[1][:] = 50.0                        # every output z is huge: every output saturated
    (speed_1, sat_1, step_1), (speed_2, sat_2, step_2) = layer_health(net, X, Y, [2.0, 3.0])
    assert sat_2 == 1.0 and sat_1 < 1.0
    grad_weights, grad_biases = net.backward(X, Y)
    assert step_2 == pytest.approx(np.linalg.norm(3.0 * grad_weights[1])
                                   / np.linalg.norm(net.weights[1]))
    assert speed_1 == pytest.approx(np.linalg.norm(grad_biases[0]))


def test_the_output_layer_steps_less_the_wider_it_is_fed():
    for hidden, expected in [((100,), [15, 15]), ((1000,), [15, 1.5]), ((300, 30), [15, 15, 50])]:
        net = L05.Network([784, *hidden, 10])
        assert L05.layer_rates(net, 15.0) == pytest.approx(expected)


def test_the_outputs_start_at_the_base_rate():
    net = L05.new_network([784, 100, 10], seed=0)
    assert net.weights[0].dtype == L05.NETWORK_DTYPE
    np.testing.assert_allclose(L01.sigmoid(net.biases[-1]), 0.1, rtol=1e-6)
    np.testing.assert_array_equal(net.biases[0], 0)


def test_a_deep_network_that_has_not_started_is_told_to_take_more_steps(shared_mnist, tmp_path):
    flags = ["--hidden", "30", "30", "30", "--train-limit", 2000]
    result = run_05(shared_mnist, tmp_path, *flags, "--epochs", 1)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "vanishing gradients" in result.stderr and "more --epochs" in result.stderr
    assert re.search(r"the first layer learns \d+ times more slowly than the last", result.stderr)
    following = run_05(shared_mnist, tmp_path, *flags, "--epochs", 5)
    assert following.returncode == 0, following.stderr
