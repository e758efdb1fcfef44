"""Lesson 04b: backpropagation through a network, checked against central differences, then
training."""
import re

import numpy as np
import pytest

from gradcheck import backprop_is_correct, check_backprop, gradient_is_correct, random_problem
from helpers import load_lesson, run_script

L04B = load_lesson("04b_backprop_network.py")


# 1, 2 and 3 hidden layers
@pytest.mark.parametrize("sizes", [[3, 4, 2], [4, 5, 3, 2], [2, 6, 5, 4, 3]])
@pytest.mark.parametrize("n_samples", [1, 7])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_central_differences(sizes, n_samples, seed):
    check_backprop(L04B, *random_problem(L04B, sizes, n_samples, seed))


def test_the_checker_catches_one_wrong_entry():
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)
    grad_weights, grad_biases = net.backward(X, Y)
    grad_weights[1][2, 1] *= 1.001
    loss = lambda: L04B.mse_loss(net.forward(X), Y)
    assert not gradient_is_correct(loss, net.weights + net.biases, grad_weights + grad_biases)


def test_a_layer_1_weight_gradient_1_percent_off_is_named():
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)

    def backward_1_percent_off(X, Y):
        grad_weights, grad_biases = net.backward(X, Y)
        return [grad_weights[0] * 1.01, *grad_weights[1:]], grad_biases

    with pytest.raises(pytest.fail.Exception) as failure:
        check_backprop(L04B, net, X, Y, backward_1_percent_off)
    message = str(failure.value)
    assert "W1 (layer 1 weights): worst entry W1[" in message and "relative error 0.0099" in message
    assert "W2" not in message and "b1" not in message  # only the wrong array is named


def test_a_gradient_of_the_wrong_shape_is_named_with_both_shapes():
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)

    def backward_transposed(X, Y):
        grad_weights, grad_biases = net.backward(X, Y)
        return [grad_weights[0], grad_weights[1].T, grad_weights[2]], grad_biases

    expected = r"W2 \(layer 2 weights\): the gradient has shape \(3, 5\), expected \(5, 3\)"
    with pytest.raises(pytest.fail.Exception, match=expected):
        check_backprop(L04B, net, X, Y, backward_transposed)


def test_the_checker_catches_a_wrong_backward():
    """A plausible bug: the hidden layers' delta forgets the sigmoid's slope."""
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)

    def backward_without_hidden_slope(X, Y):
        activations = net.forward_all(X)
        out = activations[-1]
        delta = 2 * (out - Y) / out.size * out * (1 - out)
        grad_weights, grad_biases = [], []
        for l in range(len(net.weights) - 1, -1, -1):
            grad_weights.insert(0, activations[l].T @ delta)
            grad_biases.insert(0, delta.sum(axis=0))
            delta = delta @ net.weights[l].T  # the bug: no * a (1 - a)
        return grad_weights, grad_biases

    assert not backprop_is_correct(L04B, net, X, Y, backward_without_hidden_slope)


def test_backward_has_no_loop_over_samples_and_keeps_float32():
    net, X, Y = random_problem(L04B, [5, 4, 3], 9, 0, dtype=np.float32)
    grad_weights, grad_biases = net.backward(X, Y)
    assert [g.shape for g in grad_weights] == [W.shape for W in net.weights], "got, expected shapes"
    assert [g.shape for g in grad_biases] == [b.shape for b in net.biases], "got, expected shapes"
    assert all(g.dtype == np.float32 for g in grad_weights + grad_biases)
    # The same gradients whether computed for the batch or summed over batches of one, weighted 1/N.
    net64, X64, Y64 = random_problem(L04B, [5, 4, 3], 9, 0)
    batch_grads = net64.backward(X64, Y64)[0]
    per_sample = [sum(net64.backward(X64[i:i + 1], Y64[i:i + 1])[0][l] for i in range(9)) / 9
                  for l in range(2)]
    for g, h in zip(batch_grads, per_sample):
        np.testing.assert_allclose(g, h, rtol=1e-12)


def test_backward_rejects_mismatched_targets():
    net, X, Y = random_problem(L04B, [3, 4, 2], 5, 0)
    with pytest.raises(ValueError, match="targets"):
        net.backward(X, Y[:, 0])


def test_a_single_neuron_cannot_learn_xor():
    w, b, path = L04B.train_neuron(L04B.XOR_X, L04B.XOR_Y[:, 0], np.array([0.3, -0.2]), 0.0,
                                   10.0, 2000)
    outputs = L04B.sigmoid(L04B.XOR_X @ w + b)
    assert np.sum((outputs > 0.5) == L04B.XOR_Y[:, 0]) <= 3
    assert path[-1, -1] > 0.18


@pytest.mark.parametrize("seed", range(5))
def test_a_hidden_layer_solves_xor(seed):
    net = L04B.Network(L04B.XOR_SIZES, seed=seed)
    losses = L04B.train(net, L04B.XOR_X, L04B.XOR_Y, L04B.LR, L04B.XOR_STEPS)
    outputs = net.forward(L04B.XOR_X)[:, 0]
    assert np.array_equal(outputs > 0.5, L04B.XOR_Y[:, 0] > 0.5)
    assert losses[-1] < losses[0] / 100


@pytest.mark.parametrize("seed", range(3))
def test_two_moons_reach_97_percent_on_new_points(seed):
    X, labels = L04B.make_moons(L04B.MOONS_N, L04B.MOONS_NOISE, np.random.default_rng(seed))
    X_test, labels_test = L04B.make_moons(L04B.MOONS_N, L04B.MOONS_NOISE,
                                          np.random.default_rng(seed + 1000))
    net = L04B.Network(L04B.MOONS_SIZES, seed=seed)
    losses = L04B.train(net, X, labels[:, None].astype(float), L04B.LR, L04B.MOONS_STEPS)
    assert losses[-1] < losses[0] / 10
    assert L04B.accuracy(net, X_test, labels_test) >= 0.97


def test_the_printed_verdict_comes_from_the_measured_error(capsys, monkeypatch):
    L04B.print_gradient_check(seed=0)
    assert "backward() gives the true gradient" in capsys.readouterr().out
    right = L04B.Network.backward_from

    def one_percent_off(self, activations, Y):
        grad_weights, grad_biases = right(self, activations, Y)
        grad_weights[0] = grad_weights[0] * 1.01
        return grad_weights, grad_biases
    monkeypatch.setattr(L04B.Network, "backward_from", one_percent_off)
    L04B.print_gradient_check(seed=0)
    out = capsys.readouterr().out
    assert "backward() is wrong" in out and "gives the true gradient" not in out
    assert "W1 (3, 5)   largest relative error 9.9e-03" in out   # 0.01 / 1.01


def test_an_absurd_learning_rate_is_reported_not_passed_over():
    result = run_script("04b_backprop_network.py", "--lr", "1e300", "--no-plots")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("error: Network(") for line in lines)
    assert "1e+300 is too large" in result.stderr and "Traceback" not in result.stderr


def test_the_loss_jumps_are_counted_from_the_losses(capsys):
    L04B.print_loss_jumps(np.array([1.0, 0.5, 0.8, 0.4, 0.3, 0.6]))
    assert capsys.readouterr().out.strip() == (
        "the loss went up 2 times in 6 steps; the largest jump, at step 5, from 0.3000 to 0.6000")
    L04B.print_loss_jumps(np.array([1.0, 0.5, 0.4]))
    assert capsys.readouterr().out.strip() == "the loss went down at every one of the 3 steps"


def test_the_walk_through_one_sample_is_backward_entry_by_entry(capsys, monkeypatch):
    L04B.print_walk(seed=0)
    out = capsys.readouterr().out
    assert re.search(r"matrix products on a batch of one: largest difference 0\.0e\+00", out), out
    net = L04B.Network([2, 2, 1], seed=0)
    grad_weights, grad_biases = net.backward(np.array([[0.5, -1.0]]), np.array([[1.0]]))
    assert f"dL/db^1 = delta^1 = [{grad_biases[0][0]:+.4f}, {grad_biases[0][1]:+.4f}]" in out
    assert f"dL/dW^2_21 = a^1_2 delta^2 = {grad_weights[1][1, 0]:+.4f}" in out
    assert "W^1 = weights[0]" in out and "a^2 = activations[2], the output" in out
    # The closing line is measured: a backward that is 1% off in W^1 shows there.
    right = L04B.Network.backward_from

    def one_percent_off(self, activations, Y):
        grad_weights, grad_biases = right(self, activations, Y)
        return [grad_weights[0] * 1.01, *grad_weights[1:]], grad_biases
    monkeypatch.setattr(L04B.Network, "backward_from", one_percent_off)
    L04B.print_walk(seed=0)
    assert "largest difference 0.0e+00" not in capsys.readouterr().out


def test_one_neurons_xor_verdict_follows_its_loss(capsys):
    best = L04B.best_single_neuron_loss_on_xor()
    assert best == pytest.approx(0.25, abs=1e-6)
    L04B.print_single_neuron_verdict(0.2500, 10.0)
    at_best = capsys.readouterr().out
    assert "the least one neuron can reach" in at_best and "straight" in at_best
    L04B.print_single_neuron_verdict(0.3420, 40.0)
    above = capsys.readouterr().out
    assert "more than the 0.2500 one neuron can reach" in above and "lr 40" in above
