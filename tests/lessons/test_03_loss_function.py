"""Lesson 03: the MSE loss, one-hot targets, and the one-neuron loss surface."""
import re

import numpy as np
import pytest

from helpers import load_lesson, refusal

L03 = load_lesson("03_loss_function.py")


def test_mse_against_hand_computed_values():
    prediction = np.array([[0.5, 0.0], [1.0, 0.25]])
    target = np.array([[1.0, 0.0], [0.0, 0.25]])
    # squared errors 0.25, 0, 1, 0 -> mean over all 4 entries
    got = L03.mse_loss(prediction, target)
    close = got == pytest.approx(1.25 / 4)
    assert close, \
        f"mse_loss gave {got!r}; squared errors 0.25, 0, 1, 0 have the mean 1.25 / 4 = 0.3125"
    got = L03.mse_loss(target, target)
    assert got == 0, f"mse_loss(target, target) gave {got!r}, expected 0"


def test_mse_is_the_mean_over_every_entry():
    rng = np.random.default_rng(0)
    p, t = rng.uniform(size=(7, 10)), rng.uniform(size=(7, 10))
    total = float(sum((p[n, k] - t[n, k]) ** 2 for n in range(7) for k in range(10)))
    got = L03.mse_loss(p, t)
    close = got == pytest.approx(total / 70, rel=1e-12)
    assert close, \
        (f"mse_loss of (7, 10) arrays gave {got!r}, expected the mean over all 70 entries, "
         f"{total / 70!r} (the sum is {total!r})")


@pytest.mark.parametrize("p_shape, t_shape",
                         [((10, 10), (10,)), ((4, 3), (3, 4)), ((5, 1), (5,)), ((1, 3), (3,))])
def test_mse_refuses_to_broadcast(p_shape, t_shape):
    what = f"mse_loss(prediction {p_shape}, target {t_shape})"
    message = refusal(lambda: L03.mse_loss(np.zeros(p_shape), np.zeros(t_shape)), what)
    says = re.search("one[_-]hot", message, re.IGNORECASE)
    assert says, f"{what}: the ValueError should say to make targets with one_hot; it says: " \
        f"{message}"


def test_one_hot():
    Y = L03.one_hot(np.array([3, 0, 9]), 10)
    assert Y.shape == (3, 10), f"one_hot(3 labels, 10) gave shape {Y.shape}, expected (3, 10)"
    assert Y.dtype == np.float64, f"one_hot(labels, 10) gave {Y.dtype}, expected float64"
    right = Y.sum() == 3 and Y[0, 3] == Y[1, 0] == Y[2, 9] == 1
    assert right, (f"one_hot([3, 0, 9], 10) should have one 1 per row, in columns 3, 0, 9; got "
                   f"the 1s at {np.argwhere(Y).tolist()}, total {Y.sum()}")
    dtype = L03.one_hot(np.array([1]), 2, dtype=np.float32).dtype
    assert dtype == np.float32, f"one_hot(labels, 2, dtype=np.float32) gave {dtype}"


@pytest.mark.parametrize("labels", [np.array([0, 10]), np.array([-1]), np.array([0.5, 1.0]),
                                    np.array([[1, 2]])])
def test_one_hot_rejects_bad_labels(labels):
    refusal(lambda: L03.one_hot(labels, 10),
            f"one_hot({labels.dtype} labels {labels.tolist()}, 10 classes)")


def test_neuron_loss_surface_matches_a_loop():
    w, b = np.array([[0.0, 1.5], [-2.0, 3.0]]), np.array([[0.0, -4.0], [1.0, -9.0]])
    surface = L03.neuron_loss(w, b)
    for i in range(2):
        for j in range(2):
            a = 1 / (1 + np.exp(-(w[i, j] * L03.HOURS + b[i, j])))
            expected = float(np.mean((a - L03.PASSED) ** 2))
            close = surface[i, j] == pytest.approx(expected, rel=1e-12)
            assert close, \
                (f"neuron_loss at w = {w[i, j]}, b = {b[i, j]} gave {surface[i, j]!r}, "
                 f"expected {expected!r}")
    got = L03.neuron_loss(0.0, 0.0)
    close = got == pytest.approx(0.25)
    assert close, f"neuron_loss(0, 0) gave {got!r}, expected 0.25"
