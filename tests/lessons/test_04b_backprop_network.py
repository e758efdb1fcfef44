"""Lesson 04b: backpropagation through a network, checked against central differences, then
training."""
import re

import numpy as np
import pytest

from gradcheck import check_backprop, checked_backward, random_problem
from helpers import assert_mentions, load_lesson, refusal
from support.verdicts import print_single_neuron_verdict

L04B = load_lesson("04b_backprop_network.py")


# 1, 2 and 3 hidden layers; in the last, every W that sends delta back is square, so that delta @ W
# runs where delta @ W^T belongs, and only the entries show the mistake
@pytest.mark.parametrize("sizes", [[3, 4, 2], [4, 5, 3, 2], [2, 6, 5, 4, 3], [3, 4, 4, 4]])
@pytest.mark.parametrize("n_samples", [1, 7])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_central_differences(sizes, n_samples, seed):
    check_backprop(L04B, *random_problem(L04B, sizes, n_samples, seed))


def test_backward_keeps_float32_and_the_batch_is_the_mean_of_its_samples():
    net, X, Y = random_problem(L04B, [5, 4, 3], 9, 0, dtype=np.float32)
    grad_weights, grad_biases = checked_backward(net, X, Y)
    shapes = [np.shape(g) for g in grad_weights], [np.shape(g) for g in grad_biases]
    expected = [W.shape for W in net.weights], [b.shape for b in net.biases]
    assert shapes == expected, f"gradients shaped {shapes}, expected {expected} (the parameters')"
    dtypes = [str(np.asarray(g).dtype) for g in grad_weights + grad_biases]
    assert dtypes == ["float32"] * 4, \
        (f"a float32 network's gradients came out {dtypes}, expected float32: scale by Python "
         "numbers (a NumPy scalar, e.g. from np.prod, turns float32 into float64)")
    # The same gradients whether computed for the batch or summed over batches of one, weighted 1/N.
    net64, X64, Y64 = random_problem(L04B, [5, 4, 3], 9, 0)
    batch_grads = net64.backward(X64, Y64)[0]
    per_sample = [sum(net64.backward(X64[i:i + 1], Y64[i:i + 1])[0][l] for i in range(9)) / 9
                  for l in range(2)]
    for l, (g, h) in enumerate(zip(batch_grads, per_sample), start=1):
        same = np.allclose(g, h, rtol=1e-12, atol=0)
        assert same, (f"W{l}: the gradient of a batch of 9 should be the mean of its 9 one-sample "
                      f"gradients; largest difference {np.max(np.abs(g - h)):.1e}")


# Targets (5, 1) and (2,) broadcast against the output (5, 2) without a word from NumPy: only a
# check of the shape refuses them. NumPy refuses (5,) itself, but its message is not the check's.
@pytest.mark.parametrize("pick", [np.s_[:, :1], np.s_[0], np.s_[:, 0]],
                         ids=["one_column", "one_row", "labels_shape"])
def test_backward_rejects_mismatched_targets(pick):
    net, X, Y = random_problem(L04B, [3, 4, 2], 5, 0)
    wrong = Y[pick]
    what = f"Network([3, 4, 2]).backward(X (5, 3), Y shaped {wrong.shape})"
    message = refusal(lambda: net.backward(X, wrong), what)
    assert str(wrong.shape) in message, \
        f"{what}: the ValueError should show Y's shape, {wrong.shape}; it says: {message}"


def test_a_single_neuron_cannot_learn_xor():
    w, b, path = L04B.train_neuron(L04B.XOR_X, L04B.XOR_Y[:, 0], np.array([0.3, -0.2]), 0.0,
                                   10.0, 2000)
    outputs = L04B.sigmoid(L04B.XOR_X @ w + b)
    right = np.sum((outputs > 0.5) == L04B.XOR_Y[:, 0]) <= 3 and path[-1, -1] > 0.18
    assert right, (f"one neuron cannot learn XOR, yet it gave {np.round(outputs, 3).tolist()} for "
                   f"targets 0, 1, 1, 0, loss {path[-1, -1]:.4f} (expected above 0.18)")


@pytest.mark.parametrize("seed", range(5))
def test_a_hidden_layer_solves_xor(seed):
    net = L04B.Network(L04B.XOR_SIZES, seed=seed)
    losses = L04B.train(net, L04B.XOR_X, L04B.XOR_Y, L04B.LR, L04B.XOR_STEPS)
    outputs = net.forward(L04B.XOR_X)[:, 0]
    solved = np.array_equal(outputs > 0.5, L04B.XOR_Y[:, 0] > 0.5) and losses[-1] < losses[0] / 100
    assert solved, (f"after {L04B.XOR_STEPS} steps on XOR: outputs {np.round(outputs, 3).tolist()} "
                    f"for targets 0, 1, 1, 0, loss {losses[0]:.4f} -> {losses[-1]:.5f} (expected "
                    "100x lower)")


@pytest.mark.parametrize("seed", range(3))
def test_two_moons_reach_97_percent_on_new_points(seed):
    X, labels = L04B.make_moons(L04B.MOONS_N, L04B.MOONS_NOISE, np.random.default_rng(seed))
    X_test, labels_test = L04B.make_moons(L04B.MOONS_N, L04B.MOONS_NOISE,
                                          np.random.default_rng(seed + 1000))
    net = L04B.Network(L04B.MOONS_SIZES, seed=seed)
    losses = L04B.train(net, X, labels[:, None].astype(float), L04B.LR, L04B.MOONS_STEPS)
    accuracy = L04B.accuracy(net, X_test, labels_test)
    learned = losses[-1] < losses[0] / 10 and accuracy >= 0.97
    assert learned, (f"two moons, {L04B.MOONS_STEPS} steps: loss {losses[0]:.4f} -> "
                     f"{losses[-1]:.4f} (expected 10x lower), {accuracy:.1%} right on new points "
                     "(expected 97% or more)")


def test_the_printed_verdict_comes_from_the_measured_error(capsys, monkeypatch):
    checked_backward(*random_problem(L04B, [3, 5, 4, 2], 6, 0))   # gradients there to print
    L04B.print_gradient_check(seed=0)
    out = capsys.readouterr().out
    found_right = "backward() gives the true gradient" in out
    assert found_right, f"the lesson's gradient check should find backward right:\n{out}"
    right = L04B.Network.backward_from

    def one_percent_off(self, activations, Y):
        grad_weights, grad_biases = right(self, activations, Y)
        grad_weights[0] = grad_weights[0] * 1.01
        return grad_weights, grad_biases
    monkeypatch.setattr(L04B.Network, "backward_from", one_percent_off)
    L04B.print_gradient_check(seed=0)
    out = capsys.readouterr().out
    found_wrong = "backward() is wrong" in out and "gives the true gradient" not in out
    assert found_wrong, f"with W1's gradient 1% off the check should say so, W1 alone:\n{out}"
    w1 = [line for line in out.splitlines() if "W1 (3, 5)" in line]
    assert len(w1) == 1, out
    assert_mentions(w1[0], "9.9e-03")                                       # 0.01 / 1.01


def test_the_walk_through_one_sample_is_backward_entry_by_entry(capsys, monkeypatch):
    checked_backward(*random_problem(L04B, [2, 2, 1], 1, 0))      # gradients there to print
    L04B.print_walk(seed=0)
    out = capsys.readouterr().out
    # backward's products may round in another order than the walk's sums: the difference
    # printed (0.0e+00 with the lesson's backward) is rounding noise, for any right backward.
    difference = re.search(r"largest difference from the numbers by hand: (\S+)", out)
    same = difference is not None and float(difference.group(1)) < 1e-12
    assert same, f"backward on the walk's one sample should give the walk's numbers, to 1e-12:" \
        f"\n{out}"
    net = L04B.Network([2, 2, 1], seed=0)
    grad_weights, grad_biases = net.backward(np.array([[0.5, -1.0]]), np.array([[1.0]]))
    for line in (f"dL/db^1 = delta^1 = [{grad_biases[0][0]:+.4f}, {grad_biases[0][1]:+.4f}]",
                 f"dL/dW^2_21 = a^1_2 delta^2 = {grad_weights[1][1, 0]:+.4f}",
                 "W^1 = weights[0]", "a^2 = activations[2], the output",
                 f"grad_biases[0] = [{grad_biases[0][0]:+.4f}, {grad_biases[0][1]:+.4f}]",
                 f"grad_weights[1] = [[{grad_weights[1][0, 0]:+.4f}], "
                 f"[{grad_weights[1][1, 0]:+.4f}]]"):
        printed = line in out
        assert printed, f"the walk should print {line!r} (backward's numbers); it says:\n{out}"
    # The closing line is measured: a backward that is 1% off in W^1 shows there.
    right = L04B.Network.backward_from

    def one_percent_off(self, activations, Y):
        grad_weights, grad_biases = right(self, activations, Y)
        return [grad_weights[0] * 1.01, *grad_weights[1:]], grad_biases
    monkeypatch.setattr(L04B.Network, "backward_from", one_percent_off)
    L04B.print_walk(seed=0)
    out = capsys.readouterr().out
    difference = re.search(r"largest difference from the numbers by hand: (\S+)", out)
    shown = difference is not None and float(difference.group(1)) > 1e-8
    assert shown, f"a backward 1% off in W^1 should show as a difference far above rounding:\n{out}"


def test_one_neurons_xor_verdict_follows_its_loss(capsys):
    best = L04B.best_single_neuron_loss_on_xor()
    close = best == pytest.approx(0.25, abs=1e-6)
    assert close, f"the least loss of one neuron on XOR came out {best!r}, expected 0.25"
    print_single_neuron_verdict(0.2500, best, 10.0)
    at_best = capsys.readouterr().out
    assert_mentions(at_best, "0.2500", "the least", "straight")
    print_single_neuron_verdict(0.3420, best, 40.0)
    above = capsys.readouterr().out
    assert_mentions(above, "0.3420", "more than", "0.2500", "lr 40")
