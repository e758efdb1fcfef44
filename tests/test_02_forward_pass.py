"""Lesson 02: layers as matrix products and the batched forward pass."""
import numpy as np
import pytest

from helpers import load_lesson

L02 = load_lesson("02_forward_pass.py")


@pytest.mark.parametrize("sizes", [[3, 1], [2, 3, 1], [4, 5, 3, 2], [784, 30, 10],
                                   [10, 20, 20, 20, 10]])
@pytest.mark.parametrize("n_samples", [1, 7])
def test_forward_shapes(sizes, n_samples):
    net = L02.Network(sizes, seed=1)
    assert [W.shape for W in net.weights] == list(zip(sizes[:-1], sizes[1:]))
    assert [b.shape for b in net.biases] == [(n,) for n in sizes[1:]]
    X = np.random.default_rng(0).uniform(size=(n_samples, sizes[0]))
    out = net.forward(X)
    assert out.shape == (n_samples, sizes[-1]), f"forward gave {out.shape}, expected (N, n_out)"
    assert np.all((out > 0) & (out < 1))


def test_batched_equals_per_sample():
    net = L02.Network([4, 6, 5, 3], seed=3)
    X = np.random.default_rng(1).normal(size=(9, 4))
    batched = net.forward(X)
    # Against lesson 01's neuron in loops, and against batches of one.
    looped = np.array([L02.forward_one_neuron_at_a_time(net, x) for x in X])
    one_at_a_time = np.vstack([net.forward(x[None, :]) for x in X])
    np.testing.assert_allclose(batched, looped, rtol=1e-12, atol=0)
    np.testing.assert_allclose(batched, one_at_a_time, rtol=1e-12, atol=0)


def test_forward_against_hand_computed_layer():
    net = L02.Network([2, 2, 1])
    net.weights = [np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([[1.0], [-2.0]])]
    net.biases = [np.array([0.0, 1.0]), np.array([0.5])]
    x = np.array([[1.0, 1.0]])
    hidden = 1 / (1 + np.exp(-np.array([3.0, 0.5])))     # z1 = [1+2+0, -1+0.5+1]
    out = 1 / (1 + np.exp(-(hidden[0] - 2 * hidden[1] + 0.5)))
    assert net.forward(x)[0, 0] == pytest.approx(out, rel=1e-14)


def test_same_seed_same_network_and_width_aware_init():
    a, b, c = [L02.Network([50, 400, 10], seed=seed) for seed in (5, 5, 6)]
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights))
    assert not np.array_equal(a.weights[0], c.weights[0])
    # Variance 1/n_in: z = x @ W keeps unit variance for unit-variance inputs, at any width.
    assert np.std(a.weights[0]) * np.sqrt(50) == pytest.approx(1, rel=0.05)
    assert np.std(a.weights[1]) * np.sqrt(400) == pytest.approx(1, rel=0.05)


def test_float32_network_stays_float32():
    net = L02.Network([8, 4, 2], dtype=np.float32)
    out = net.forward(np.ones((3, 8), dtype=np.float32))
    assert out.dtype == np.float32


def test_wrong_input_shape_is_a_clear_error():
    net = L02.Network([3, 2])
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        net.forward(np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        net.forward(np.ones(3))
