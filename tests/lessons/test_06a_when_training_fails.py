"""Lesson 06a, when training fails: what layer_health measures, ReLU hidden layers, the history
watch_training keeps, the cause diagnose names (from numbers made up for each cause, and from the
four failures trained on 10,000 MNIST images each, in about a second), and the lesson run as a
script."""
import re
from types import SimpleNamespace

import numpy as np
import pytest

from gradcheck import check_backprop, random_problem
from helpers import load_lesson, run_script

L06A = load_lesson("06a_when_training_fails.py")
L05 = load_lesson("05_train_mnist.py")
L03 = load_lesson("03_loss_function.py")           # mse_loss: the gradient checks are of it


def one_hot_images(rng, n, n_in):
    """n random inputs (n, n_in) in [0, 1] and one-hot targets (n, 10)."""
    return rng.uniform(size=(n, n_in)), np.eye(10)[rng.integers(0, 10, size=n)]


# --- looking inside: layer_health ---------------------------------------------------------------
def speeds(net, X, Y):
    """How fast each layer learns, |dL/db|: the first number layer_health gives for it."""
    layers = L06A.layer_health(net, X, Y, L05.layer_rates(net, 1.0), len(X))
    return [speed for speed, _, _ in layers]


def test_learning_speed_is_the_length_of_each_bias_gradient():
    X, Y = one_hot_images(np.random.default_rng(0), 20, 12)
    net = L05.Network([12, 7, 5, 10], seed=3, dtype=np.float64)
    _, grad_biases = net.backward(X, Y)
    np.testing.assert_allclose(speeds(net, X, Y), [np.linalg.norm(g) for g in grad_biases],
                               rtol=1e-12)


def test_the_probe_in_mini_batches_gives_its_whole_gradient_and_a_step_of_one_batch():
    """20 images in batches of 6: the speeds are those of all 20 (6, 6, 6 and 2 weighted by their
    sizes), the step / weight is the median over the three whole batches."""
    X, Y = one_hot_images(np.random.default_rng(1), 20, 12)
    net = L05.Network([12, 7, 10], seed=3, dtype=np.float64)
    rates = [2.0, 3.0]
    layers = L06A.layer_health(net, X, Y, rates, 6)
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
    np.testing.assert_allclose(L06A.layer_health(net, X, Y, rates, 50),
                               L06A.layer_health(net, X, Y, rates, 20), rtol=1e-12)


def test_layer_health_measures_saturation_and_step_size():
    net = L05.Network([4, 3, 10], seed=0, dtype=np.float64)
    X, Y = np.full((5, 4), 0.5), np.eye(10)[[0, 1, 2, 3, 4]]
    net.weights[1][:] = 50.0                        # every output z is huge: every output saturated
    (speed_1, sat_1, _), (_, sat_2, step_2) = L06A.layer_health(net, X, Y, [2.0, 3.0], 5)
    assert sat_2 == 1.0 and sat_1 < 1.0
    grad_weights, grad_biases = net.backward(X, Y)
    assert step_2 == pytest.approx(np.linalg.norm(3.0 * grad_weights[1])
                                   / np.linalg.norm(net.weights[1]))
    assert speed_1 == pytest.approx(np.linalg.norm(grad_biases[0]))


def test_a_relu_layer_counts_its_units_that_are_off_as_saturated():
    """slope 0 is a ReLU that passes no gradient; the output sigmoids are judged by a (1 - a)."""
    net = L06A.ReluNetwork([4, 6, 10], seed=0, dtype=np.float64)
    X, Y = np.ones((8, 4)), np.eye(10)[np.arange(8)]
    net.biases[0][:] = [-100, -100, -100, 100, 100, 100]      # half off, half on, for every image
    net.weights[1][:] = 1e-3                                   # every output near σ(0) = 0.5
    (_, hidden, _), (_, output, _) = L06A.layer_health(net, X, Y, [1.0, 1.0], 8)
    assert hidden == 0.5 and output == 0.0


def test_earlier_layers_of_a_deep_sigmoid_network_learn_more_slowly(mnist):
    """Nielsen's observation: at the start, each layer nearer the input learns more slowly."""
    (x_train, y_train), _ = mnist
    X = L05.to_inputs(x_train[:1000])
    Y = L05.one_hot(y_train[:1000], 10, dtype=L05.NETWORK_DTYPE)
    by_layer = speeds(L05.new_network([784, 30, 30, 30, 30, 10], seed=0), X, Y)
    assert all(earlier < later for earlier, later in zip(by_layer, by_layer[1:])), by_layer
    assert by_layer[0] < by_layer[-1] / 10, by_layer


# --- ReLU hidden layers ---------------------------------------------------------------------------
def test_relu_and_its_slope_keep_the_float_type():
    z = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    assert L06A.relu(z).tolist() == [0.0, 0.0, 3.0] and L06A.relu(z).dtype == np.float32
    net = L06A.ReluNetwork([3, 2, 1])
    slope = net.slope(L06A.relu(z))
    assert slope.tolist() == [0.0, 0.0, 1.0] and slope.dtype == np.float32


def test_a_relu_network_has_relu_hidden_layers_and_sigmoid_outputs():
    net = L06A.ReluNetwork([3, 4, 4, 2], seed=1)
    X = np.random.default_rng(0).normal(size=(5, 3))
    a1 = np.maximum(X @ net.weights[0] + net.biases[0], 0)
    a2 = np.maximum(a1 @ net.weights[1] + net.biases[1], 0)
    output = 1 / (1 + np.exp(-(a2 @ net.weights[2] + net.biases[2])))
    np.testing.assert_allclose(net.forward(X), output, rtol=1e-12)
    np.testing.assert_allclose(net.forward_all(X)[1], a1, rtol=1e-12)


@pytest.mark.parametrize("sizes", [[6, 5, 3], [6, 5, 4, 3]])
def test_gradient_check_on_the_relu_network(sizes):
    lesson = SimpleNamespace(Network=L06A.ReluNetwork, mse_loss=L03.mse_loss)
    check_backprop(lesson, *random_problem(lesson, sizes, 7, seed=2))


def test_start_weights_draws_every_layer_at_the_given_spread():
    net = L06A.ReluNetwork([400, 300, 10], seed=0, dtype=np.float32)
    L06A.start_weights(net, 2.0, seed=5)
    assert net.weights[0].dtype == np.float32
    assert [float(np.std(W)) for W in net.weights] == pytest.approx([2.0, 2.0], rel=0.05)
    again = L06A.ReluNetwork([400, 300, 10], seed=0, dtype=np.float32)
    L06A.start_weights(again, 2.0, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, again.weights))


# --- watch_training ---------------------------------------------------------------------------
def small_run(mnist, net, epochs=2, n=480, batch_size=16, lr=15.0):
    (x_train, y_train), _ = mnist
    train_set, validation_set = L05.split_validation(x_train, y_train, n)
    return L06A.watch_training(net, train_set, validation_set, epochs, batch_size,
                               L05.layer_rates(net, lr), seed=0)


def test_watch_training_keeps_a_record_before_training_and_after_each_epoch(mnist):
    net = L05.new_network([784, 20, 10], seed=0)
    history = small_run(mnist, net, epochs=2)
    assert [record["epoch"] for record in history] == [0, 1, 2]
    assert [record["steps"] for record in history] == [0, 30, 60]      # 480 images / 16
    assert history[0]["val_accuracy"] is None
    assert all(0 <= record["val_accuracy"] <= 1 for record in history[1:])
    assert all(len(record["layers"]) == 2 for record in history)
    assert all({"train_loss", "train_accuracy"} <= set(record) for record in history[1:])
    # the last record measures the network as it is now
    (_, (x_val, y_val)), probe = L05.split_validation(*mnist[0], 480), slice(0, L06A.PROBE_SIZE)
    X, Y = L05.to_inputs(x_val[probe]), L05.one_hot(y_val[probe], 10, dtype=L05.NETWORK_DTYPE)
    np.testing.assert_allclose(history[-1]["layers"],
                               L06A.layer_health(net, X, Y, L05.layer_rates(net, 15.0), 16),
                               rtol=1e-6)


def test_a_loss_that_overflows_ends_the_history_with_a_divergence(mnist):
    net = L05.new_network([784, 20, 10], seed=0)
    net.weights[1][0, 0] = np.nan
    history = small_run(mnist, net, epochs=3)
    assert len(history) == 2 and history[-1]["diverged"] is True
    assert "loss became nan at mini-batch 1" in history[-1]["why"]
    assert L06A.diagnose(history, 480, 15.0)[0] == "exploding"


# --- diagnose: each cause, read from numbers made up for it (milliseconds, no training) ---------
HEALTHY = [(1e-3, 0.0, 1e-2), (2e-3, 0.05, 1e-2)]   # (speed, saturated, step) per layer: no cause


def history(val_accuracy=0.10, layers=HEALTHY, before=HEALTHY, steps=1000, epoch=1):
    """A run's history as watch_training keeps it: before training, then one epoch."""
    return [dict(epoch=0, val_accuracy=None, steps=0, layers=list(before)),
            dict(epoch=epoch, val_accuracy=val_accuracy, steps=steps, layers=list(layers))]


def diagnose(run, n_train=5000, lr=15.0):
    return L06A.diagnose(run, n_train, lr)


def test_a_network_above_chance_is_learning_whatever_its_layers_show():
    saturated = [(1e-12, 1.0, 1e-9), (1e-12, 1.0, 1e-9)]
    cause, text = diagnose(history(0.21, saturated, steps=1), n_train=1)
    assert cause == "learning" and "21.00%" in text


def test_too_few_images_and_too_few_steps_are_named_with_their_numbers():
    cause, text = diagnose(history(), n_train=50)
    assert cause == "too-few-images" and "50 training images" in text and "--train-limit" in text
    cause, text = diagnose(history(steps=50), n_train=800)
    assert cause == "too-few-steps" and "only 50 gradient steps" in text
    assert "--batch-size" in text and "--epochs" in text
    assert diagnose(history(steps=L06A.MIN_STEPS))[0] == "too-few-steps"
    assert "only" not in diagnose(history(steps=L06A.MIN_STEPS))[1]   # enough steps: too slow


@pytest.mark.parametrize("lr, advice", [(1e3, "--lr 15"), (1.0, "--lr 0.1")])
def test_saturated_outputs_are_named_with_their_numbers(lr, advice):
    cause, text = diagnose(history(layers=[(1e-12, 0.5, 1e-1), (2e-9, 0.97, 3e-7)],
                                   before=[(1e-3, 0.0, 2.0), (5e-3, 0.0, 11.0)]), lr=lr)
    assert cause == "saturated", text
    assert "97%" in text and "2.0e-09" in text and "1.0e-12" in text
    assert "11 times" in text, "the step before training is the evidence, not the frozen one"
    assert advice in text


@pytest.mark.parametrize("lr, advice", [(1e-6, "--lr 0.00333"), (100.0, "--lr 3.33e+05")])
def test_tiny_steps_are_named_with_their_size_and_the_rate_that_gives_steps_of_1e_2(lr, advice):
    cause, text = diagnose(history(layers=[(1e-3, 0.0, 1e-7), (1e-3, 0.05, 3e-6)]), lr=lr)
    assert cause == "tiny-steps" and "3e-06" in text and advice in text


def test_vanishing_gradients_are_named_with_how_many_times_more_slowly():
    layers = [(2e-6, 0.0, 1e-2), (1e-4, 0.1, 1e-2), (4e-3, 0.2, 1e-2)]   # input side first
    cause, text = diagnose(history(layers=layers))
    assert cause == "vanishing" and "2000 times" in text and "2.0e-06" in text
    no_gradient = [(0.0, 0.0, 1e-2), (1e-4, 0.1, 1e-2), (4e-3, 0.2, 1e-2)]
    assert diagnose(history(layers=no_gradient)) [0] == "vanishing"


@pytest.mark.parametrize("layers", [
    [(1e-4, 0.0, 1e-2), (4e-3, 0.2, 2e-3)],                       # one hidden layer, 40 times
    [(1e-3, 0.0, 1e-2), (2e-3, 0.1, 1e-2), (5e-3, 0.2, 2e-3)],    # two hidden layers, 5 times
])
def test_layers_at_similar_speeds_or_one_hidden_layer_are_not_vanishing(layers):
    cause, text = diagnose(history(layers=layers, steps=125), lr=0.1)
    assert cause == "too-few-steps" and "125 steps" in text and "0.1" in text


def test_gradients_that_grow_toward_the_input_are_exploding():
    before = [(2e-3, 0.5, 1e-2), (2e-4, 0.5, 1e-2), (1e-6, 0.5, 1e-2)]   # 2000 times the last's
    after = [(0.0, 0.5, 0.0), (0.0, 0.5, 0.0), (0.0, 1.0, 0.0)]
    cause, text = diagnose(history(layers=after, before=before))
    assert cause == "exploding" and "2000 times" in text and "100%" in text
    growing_a_little = [(2e-5, 0.5, 1e-2), (2e-5, 0.5, 1e-2), (1e-6, 0.5, 1e-2)]   # 20 times
    assert diagnose(history(layers=after, before=growing_a_little))[0] == "saturated"


# --- the four failures, each trained on 10,000 MNIST images -------------------------------------
TRAINED = {}          # part: (net, history, settings), each failure trained once for the tests


def failure(mnist, part):
    """(net, history, settings) of a failure, trained as 06a trains it (in the test that asks
    first: a function still to write then fails that test with its TODO)."""
    if part not in TRAINED:
        (x_train, y_train), _ = mnist
        net, rates, settings = L06A.PARTS[part](0)
        train_set, validation_set = L05.split_validation(x_train, y_train,
                                                         settings["train_limit"])
        history = L06A.watch_training(net, train_set, validation_set, settings["epochs"],
                                      settings["batch_size"], rates, seed=0)
        TRAINED[part] = (net, history, settings)
    return TRAINED[part]


@pytest.mark.parametrize("part", ["vanishing", "exploding", "saturated", "tiny-steps"])
def test_each_failure_is_named_for_its_cause(mnist, part):
    _, history, settings = failure(mnist, part)
    cause, text = L06A.diagnose(history, settings["train_limit"], settings["lr"])
    assert history[-1]["val_accuracy"] <= L05.CHANCE_LEVEL
    assert cause == part, text


def test_vanishing_the_first_layer_learns_hundreds_of_times_more_slowly(mnist):
    _, history, _ = failure(mnist, "vanishing")
    for record in history:                              # before training and after the epoch
        (first, _, _), *_, (last, _, _) = record["layers"]
        assert last / first > 100, record["layers"]


def test_exploding_activations_grow_forward_and_gradients_backward(mnist):
    net, rates, _ = L06A.exploding_setup(0)
    (x_train, _), _ = mnist
    sizes = L06A.mean_activations(net, L05.to_inputs(x_train[-1000:]))
    hidden = sizes[:-1]                                 # the output is a sigmoid, in (0, 1)
    assert all(later > 4 * earlier for earlier, later in zip(hidden, hidden[1:])), sizes
    start = [speed for speed, _, _ in failure(mnist, "exploding")[1][0]["layers"]]
    assert all(earlier > 4 * later for earlier, later in zip(start, start[1:-1])), start
    # the weights' spread is the setup's parameter: with lesson 02's, nothing grows
    tamer, _, _ = L06A.exploding_setup(0, start_std=0.05)
    assert L06A.mean_activations(tamer, L05.to_inputs(x_train[-1000:]))[3] < 1


def test_saturated_and_tiny_steps_show_in_the_output_layer(mnist):
    _, saturated, _ = failure(mnist, "saturated")
    assert saturated[-1]["layers"][-1][1] > 0.9 and saturated[0]["layers"][-1][2] > 1
    _, tiny, _ = failure(mnist, "tiny-steps")
    assert tiny[-1]["layers"][-1][2] < L06A.TINY_STEP and tiny[-1]["layers"][-1][1] == 0


# --- the lesson as a script ---------------------------------------------------------------------
def run_06a(shared_mnist, *flags):
    return run_script("06a_when_training_fails.py", "--data-dir", shared_mnist, "--no-plots",
                      *flags)


def test_one_part_runs_alone_and_ends_with_its_verdict(shared_mnist):
    result = run_06a(shared_mnist, "--part", "tiny-steps")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.count("verdict: ") == 1 and "verdict: tiny-steps: " in result.stdout
    assert "inside the network before training" in result.stdout


def test_the_command_05_gives_at_chance_looks_inside_the_same_run(shared_mnist, tmp_path):
    """05's one line names the command; 06a trains the same run and names the cause."""
    flags = ["--lr", "1000", "--train-limit", "10000", "--epochs", "1"]
    at_chance = run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--no-plots",
                           "--model", tmp_path / "model.npz", *flags)
    command = at_chance.stderr.strip().split("look inside the same run: ")[1].split()
    assert command[:2] == ["python", "06a_when_training_fails.py"], at_chance.stderr
    inside = run_06a(shared_mnist, *command[2:])
    assert inside.returncode == 0, inside.stderr
    assert "verdict: saturated: " in inside.stdout
    val_05 = re.search(r"val acc +([\d.]+)%", at_chance.stdout).group(1)
    val_06a = re.search(r"val acc +([\d.]+)%", inside.stdout).group(1)
    assert val_05 == val_06a, "the same seed and flags: the same run"


@pytest.mark.parametrize("flags, message", [
    (["--part", "vanishing", "--lr", "1"], "either --part or the training flags"),
    (["--part", "nonsense"], "invalid choice: 'nonsense'"),
])
def test_bad_flags_are_refused(flags, message):
    result = run_script("06a_when_training_fails.py", *flags)
    assert result.returncode == 2 and message in result.stderr, result.stderr
