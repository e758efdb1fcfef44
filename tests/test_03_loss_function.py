"""Lesson 03: the MSE loss, one-hot targets, and the one-neuron loss surface."""
import numpy as np
import pytest

from helpers import load_lesson

L03 = load_lesson("03_loss_function.py")


def test_mse_against_hand_computed_values():
    prediction = np.array([[0.5, 0.0], [1.0, 0.25]])
    target = np.array([[1.0, 0.0], [0.0, 0.25]])
    # squared errors 0.25, 0, 1, 0 -> mean over all 4 entries
    assert L03.mse_loss(prediction, target) == pytest.approx(1.25 / 4)
    assert L03.mse_loss(target, target) == 0


def test_mse_is_the_mean_over_every_entry():
    rng = np.random.default_rng(0)
    p, t = rng.uniform(size=(7, 10)), rng.uniform(size=(7, 10))
    total = sum((p[n, k] - t[n, k]) ** 2 for n in range(7) for k in range(10))
    assert L03.mse_loss(p, t) == pytest.approx(total / 70, rel=1e-12)


@pytest.mark.parametrize("p_shape, t_shape",
                         [((10, 10), (10,)), ((4, 3), (3, 4)), ((5, 1), (5,)), ((1, 3), (3,))])
def test_mse_refuses_to_broadcast(p_shape, t_shape):
    with pytest.raises(ValueError, match="one_hot"):
        L03.mse_loss(np.zeros(p_shape), np.zeros(t_shape))


def test_one_hot():
    Y = L03.one_hot(np.array([3, 0, 9]), 10)
    assert Y.shape == (3, 10), f"one_hot(3 labels, 10) gave shape {Y.shape}, expected (3, 10)"
    assert Y.dtype == np.float64
    assert Y.sum() == 3
    assert Y[0, 3] == Y[1, 0] == Y[2, 9] == 1
    assert L03.one_hot(np.array([1]), 2, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("labels", [np.array([0, 10]), np.array([-1]), np.array([0.5, 1.0]),
                                    np.array([[1, 2]])])
def test_one_hot_rejects_bad_labels(labels):
    with pytest.raises(ValueError):
        L03.one_hot(labels, 10)


def test_neuron_loss_surface_matches_a_loop():
    w, b = np.array([[0.0, 1.5], [-2.0, 3.0]]), np.array([[0.0, -4.0], [1.0, -9.0]])
    surface = L03.neuron_loss(w, b)
    for i in range(2):
        for j in range(2):
            a = 1 / (1 + np.exp(-(w[i, j] * L03.HOURS + b[i, j])))
            assert surface[i, j] == pytest.approx(np.mean((a - L03.PASSED) ** 2), rel=1e-12)
    assert L03.neuron_loss(0.0, 0.0) == pytest.approx(0.25)
