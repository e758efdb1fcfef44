"""Lesson 06b, the cures: softmax and cross-entropy (stable, and the right gradient), ReLU layers
with He's start (the right gradient, a spread of z that holds with depth), momentum (a worked
example), the rate read from a step, and each cure against its failure on a small subset."""
import re

import numpy as np
import pytest

from gradcheck import check_gradients, cross_entropy_problems, network_names
from helpers import load_lesson

L06B = load_lesson("06b_the_cures.py")
L06A = load_lesson("06a_when_training_fails.py")
L05 = load_lesson("05_train_mnist.py")
L04B = load_lesson("04b_backprop_network.py")


def random_softmax_problem(network_class, sizes, n_samples, seed):
    """A float64 network of the class with random inputs and one-hot targets."""
    rng = np.random.default_rng(seed)
    net = network_class(sizes, seed=seed, dtype=np.float64)
    X = rng.normal(size=(n_samples, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n_samples)]
    return net, X, Y


def away_from_the_kink(network_class, sizes, n_samples):
    """random_softmax_problem from the first seed where no hidden z lies within 1e-2 of 0: there
    a ReLU bends, and the checker's nudges of up to 2e-3 of a weight would cross the bend."""
    for seed in range(100):
        net, X, Y = random_softmax_problem(network_class, sizes, n_samples, seed)
        z = [a @ W + b for a, W, b in zip(net.forward_all(X)[:-2], net.weights, net.biases)]
        if min(np.abs(layer).min() for layer in z) > 1e-2:
            return net, X, Y
    raise AssertionError("no seed below 100 keeps every z away from 0")


# --- softmax and cross-entropy -------------------------------------------------------------------
def test_softmax_gives_probabilities_that_follow_the_formula():
    z = np.array([[0.0, 1.0, 2.0], [-3.0, 0.5, 0.5]])
    p = L06B.softmax(z)
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert np.allclose(p, expected, rtol=1e-12) and np.allclose(p.sum(axis=1), 1.0)


def test_huge_logits_give_finite_softmax_and_cross_entropy_without_a_warning():
    # pytest.ini turns any overflow warning from the lesson into an error
    z = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4]])
    Y = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    p = L06B.softmax(z)
    assert np.all(np.isfinite(p)) and np.allclose(p, [[1, 0, 0], [0, 0.5, 0.5]])
    loss = L06B.cross_entropy(z, Y)
    # sample 1: -log 1 = 0; sample 2: log(1 + 2 e^(1e4)) - 0 = 1e4 + log 2
    assert loss == pytest.approx((1e4 + np.log(2)) / 2, rel=1e-12)
    assert np.all(np.isfinite(L06B.SoftmaxNetwork([3, 3], dtype=np.float32).output_delta(
        p.astype(np.float32), Y.astype(np.float32))))


def test_cross_entropy_is_minus_the_mean_log_probability_of_the_right_class():
    rng = np.random.default_rng(0)
    z, labels = rng.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])
    Y = np.eye(4)[labels]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert L06B.cross_entropy(z, Y) == pytest.approx(-np.mean(np.log(p[range(5), labels])))


@pytest.mark.parametrize("network, hidden", [("SoftmaxNetwork", "sigmoid"),
                                             ("CuredNetwork", "relu")])
@pytest.mark.parametrize("sizes, n_samples", [([4, 5, 3], 7), ([3, 6, 5, 4], 5)])
def test_softmax_networks_backpropagate_the_right_gradient(network, hidden, sizes, n_samples):
    net, X, Y = away_from_the_kink(getattr(L06B, network), sizes, n_samples)
    problems = cross_entropy_problems(net, X, Y, hidden)
    assert problems == [], "\n".join(problems)


def test_the_loss_the_lesson_computes_is_the_one_its_gradient_descends():
    net, X, Y = random_softmax_problem(L06B.CuredNetwork, [3, 4, 3], 6, seed=2)
    loss = lambda: L06B.cross_entropy(net.logits(X), Y)
    grad_weights, grad_biases = net.backward(X, Y)
    check_gradients(loss, net.weights + net.biases, grad_weights + grad_biases,
                    network_names(net))


# --- ReLU with He's start ------------------------------------------------------------------------
def test_he_start_draws_each_weight_with_variance_two_over_n_in():
    net = L06B.he_start(L06A.ReluNetwork([400, 300, 10], seed=0), seed=3)
    for W in net.weights:
        assert W.var() == pytest.approx(2 / W.shape[0], rel=0.05)
        assert abs(W.mean()) < 0.01


def test_he_start_keeps_the_spread_of_z_through_a_deep_relu_stack_and_1_over_n_in_does_not():
    sizes = [500] * 8
    X = np.random.default_rng(4).normal(size=(400, 500))
    spreads = {}
    for name, net in [("he", L06B.he_start(L06A.ReluNetwork(sizes, seed=5), seed=5)),
                      ("lecun", L06A.ReluNetwork(sizes, seed=5))]:       # lesson 02's 1 / n_in
        activations = net.forward_all(X)
        z_first = activations[0] @ net.weights[0]
        z_last = activations[-2] @ net.weights[-1]
        spreads[name] = z_last.var() / z_first.var()
    assert 0.5 < spreads["he"] < 2, spreads            # the same at every depth, give or take
    assert spreads["lecun"] < 1 / 2 ** 5, spreads      # halved at each of the 6 ReLU layers


def test_the_relu_slope_at_zero_is_zero():
    net = L06A.ReluNetwork([2, 2, 2])
    a = np.array([[0.0, 2.0], [0.0, 0.0]])
    assert np.array_equal(net.slope(a), [[0.0, 1.0], [0.0, 0.0]])


def test_confident_softmax_outputs_are_not_counted_as_saturated():
    # delta^L = p - y carries no slope factor: a softmax output passes its whole error back even at
    # p = 0 or 1, where a sigmoid's a (1 - a) would be ~0.
    net, X, Y = random_softmax_problem(L06B.SoftmaxNetwork, [3, 4, 10], 20, seed=9)
    net.weights[-1] *= 1e3                                   # probabilities of ~0 and ~1
    assert np.mean(np.max(net.forward(X), axis=1) > 0.99) > 0.9
    speed, saturated, _ = L06A.layer_health(net, X, Y, [0.1, 0.1], 16)[-1]
    assert saturated == 0.0 and speed > 1e-2


# --- momentum --------------------------------------------------------------------------------------
def test_momentum_on_a_quadratic_takes_the_steps_worked_by_hand():
    # f(w) = w^2 / 2, gradient w; lr 0.5, mu 0.9, from w = 1:
    # v1 = -0.5, w1 = 0.5; v2 = 0.9 (-0.5) - 0.5 (0.5) = -0.7, w2 = -0.2;
    # v3 = 0.9 (-0.7) - 0.5 (-0.2) = -0.53, w3 = -0.73
    assert L06B.quadratic_path(1.0, 0.5, 0.9, 3) == pytest.approx([0.5, -0.2, -0.73], abs=1e-12)
    assert L06B.quadratic_path(1.0, 0.5, 0.0, 3) == pytest.approx([0.5, 0.25, 0.125], abs=1e-12)


def test_momentum_step_adds_up_the_velocity_of_every_parameter():
    net, X, Y = random_softmax_problem(L06B.SoftmaxNetwork, [3, 4, 2], 5, seed=6)
    before = [p.copy() for p in net.weights + net.biases]
    grads1 = sum(net.backward(X, Y), [])
    velocities = [np.zeros_like(p) for p in net.weights + net.biases]
    L06B.momentum_step(net, X, Y, [0.1, 0.2], 0.9, velocities)
    grads2 = sum(net.backward(X, Y), [])
    L06B.momentum_step(net, X, Y, [0.1, 0.2], 0.9, velocities)
    rates = [0.1, 0.2, 0.1, 0.2]                           # W1, W2, b1, b2
    for p0, p, g1, g2, rate in zip(before, net.weights + net.biases, grads1, grads2, rates):
        v1 = -rate * g1
        v2 = 0.9 * v1 - rate * g2
        assert np.allclose(p, p0 + v1 + v2, rtol=1e-12, atol=1e-15)


def test_momentum_zero_is_lesson_04b_s_gradient_step():
    net, X, Y = random_softmax_problem(L06B.SoftmaxNetwork, [3, 4, 2], 5, seed=7)
    twin = L06B.SoftmaxNetwork([3, 4, 2], seed=7, dtype=np.float64)
    L04B.gradient_step(twin, X, Y, 0.5)
    L06B.momentum_step(net, X, Y, [0.5, 0.5], 0.0, [np.zeros_like(p) for p in
                                                     net.weights + net.biases])
    for p, q in zip(net.weights + net.biases, twin.weights + twin.biases):
        assert np.array_equal(p, q)


# --- the rate read from a step -------------------------------------------------------------------
def test_the_rate_for_a_step_gives_that_step():
    images, labels = np.random.default_rng(8).integers(0, 256, size=(64, 28, 28)), np.arange(64) % 10
    X = L05.to_inputs(images)
    Y = np.eye(10, dtype=np.float32)[labels]
    net = L05.new_network([784, 20, 10], 0)
    step = L06A.layer_health(net, X, Y, [1e-4, 1e-4], 16)[-1][2]
    lr = L06A.rate_for_step(1e-4, step, 1e-2)
    assert L06A.layer_health(net, X, Y, [lr, lr], 16)[-1][2] == pytest.approx(1e-2, rel=1e-3)


# --- each cure against its failure, on a small subset ----------------------------------------------
def test_softmax_and_cross_entropy_revive_the_outputs_that_mse_saturated(mnist, capsys):
    L06B.part_softmax(mnist, 0)
    out = capsys.readouterr().out
    found = re.search(r"validation accuracy: MSE ([\d.]+)%, softmax \+ CE ([\d.]+)%", out)
    assert found, out
    mse, ce = map(float, found.groups())
    assert mse < 20 and ce > 50, out


def test_relu_with_he_brings_the_first_layer_within_a_small_factor_of_the_last(mnist):
    net, rates, settings = L06A.vanishing_setup(0)
    train_set, validation_set = L05.split_validation(*mnist[0], settings["train_limit"])
    cured = L06B.network_of_kind(net.sizes, "relu", "sigmoid", 0)
    failed = L06A.watch_training(net, train_set, validation_set, 1, settings["batch_size"],
                                 rates, 0)
    healed = L06A.watch_training(cured, train_set, validation_set, 1, settings["batch_size"],
                                 L05.layer_rates(cured, L06B.RELU_LR), 0)
    ratio = lambda history: history[-1]["layers"][-1][0] / history[-1]["layers"][0][0]
    assert ratio(failed) > 30 and ratio(healed) < 5, (ratio(failed), ratio(healed))
    assert healed[-1]["val_accuracy"] > 0.3


def test_he_start_stops_the_explosion(mnist):
    net, rates, settings = L06A.exploding_setup(0)
    train_set, validation_set = L05.split_validation(*mnist[0], settings["train_limit"])
    cured = L06B.network_of_kind(net.sizes, "relu", "sigmoid", 0)
    healed = L06A.watch_training(cured, train_set, validation_set, settings["epochs"],
                                 settings["batch_size"], rates, 0)    # even at the failure's rate
    assert not healed[-1].get("diverged") and healed[-1]["val_accuracy"] > 0.5
    speeds = [speed for speed, _, _ in healed[0]["layers"]]
    assert max(speeds) < 10 * min(speeds), speeds      # no layer's gradient far above another's
    failed = [speed for speed, _, _ in L06A.watch_training(
        net, train_set, validation_set, 0, settings["batch_size"], rates, 0)[0]["layers"]]
    assert failed[0] > 100 * failed[-1], failed        # the failure: it grows toward the input


def test_momentum_gets_further_than_plain_sgd_in_the_first_epoch_of_a_subset(mnist):
    results = {}
    for mu, lr in ((0.0, 15.0), (0.9, 3.0)):
        net = L06B.network_of_kind([784, 100, 10], "sigmoid", "sigmoid", 0)
        small = ((mnist[0][0][:12000], mnist[0][1][:12000]), mnist[1])
        results[mu] = L06B.train_with_momentum(net, small, lr, mu, 3, 16, 0)["val_accuracy"]
    assert results[0.9][0] > results[0.0][0], results   # further after the first epoch
