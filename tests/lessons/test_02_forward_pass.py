"""Lesson 02: layers as matrix products and the batched forward pass."""
import numpy as np
import pytest

from helpers import load_lesson, refusal

L02 = load_lesson("02_forward_pass.py")


def worst_entry(got, expected):
    """'entry [i, j]: got g, expected e' at the largest relative difference."""
    error = np.abs(got - expected) / np.maximum(np.abs(expected), 1e-300)
    where = np.unravel_index(np.argmax(error), error.shape)
    return f"entry {list(where)}: got {got[where]!r}, expected {expected[where]!r}"


@pytest.mark.parametrize("sizes", [[3, 1], [2, 3, 1], [4, 5, 3, 2], [784, 30, 10],
                                   [10, 20, 20, 20, 10]])
@pytest.mark.parametrize("n_samples", [1, 7])
def test_forward_shapes(sizes, n_samples):
    net = L02.Network(sizes, seed=1)
    shapes = [W.shape for W in net.weights], [b.shape for b in net.biases]
    assert shapes == (list(zip(sizes[:-1], sizes[1:])), [(n,) for n in sizes[1:]]), \
        f"Network({sizes}) has weights and biases shaped {shapes}"
    X = np.random.default_rng(0).uniform(size=(n_samples, sizes[0]))
    out = net.forward(X)
    assert out.shape == (n_samples, sizes[-1]), \
        f"Network({sizes}).forward of X {X.shape} gave {out.shape}, expected (N, n_out)"
    inside = np.all((out > 0) & (out < 1))
    assert inside, f"every output should be a sigmoid's, in (0, 1); got {out.min()} to {out.max()}"


def test_batched_equals_per_sample():
    net = L02.Network([4, 6, 5, 3], seed=3)
    X = np.random.default_rng(1).normal(size=(9, 4))
    batched = net.forward(X)
    # Against lesson 01's neuron in loops, and against batches of one.
    looped = np.array([L02.forward_one_neuron_at_a_time(net, x) for x in X])
    one_at_a_time = np.vstack([net.forward(x[None, :]) for x in X])
    assert batched.shape == looped.shape, \
        f"forward of X (9, 4) gave {batched.shape}, expected {looped.shape}"
    same = np.allclose(batched, looped, rtol=1e-12, atol=0)
    assert same, ("forward of a batch should equal lesson 01's neuron, one sample and neuron at a "
                  f"time, to 1e-12; {worst_entry(batched, looped)}")
    same = np.allclose(batched, one_at_a_time, rtol=1e-12, atol=0)
    assert same, ("forward of a batch should equal forward of each row alone, to 1e-12; "
                  f"{worst_entry(batched, one_at_a_time)}")


def test_forward_against_hand_computed_layer():
    net = L02.Network([2, 2, 1])
    net.weights = [np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([[1.0], [-2.0]])]
    net.biases = [np.array([0.0, 1.0]), np.array([0.5])]
    x = np.array([[1.0, 1.0]])
    hidden = 1 / (1 + np.exp(-np.array([3.0, 0.5])))     # z1 = [1+2+0, -1+0.5+1]
    out = 1 / (1 + np.exp(-(hidden[0] - 2 * hidden[1] + 0.5)))
    got = net.forward(x)[0, 0]
    close = got == pytest.approx(out, rel=1e-14)
    assert close, \
        f"forward of x = [[1, 1]] through two hand-set layers gave {got!r}, expected {out!r}"


def test_same_seed_same_network_and_width_aware_init():
    a, b, c = [L02.Network([50, 400, 10], seed=seed) for seed in (5, 5, 6)]
    same = all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights))
    assert same, "two Networks with seed 5 should have the same weights"
    same = np.array_equal(a.weights[0], c.weights[0])
    assert not same, "seeds 5 and 6 gave the same weights"
    # Variance 1/n_in: z = x @ W keeps unit variance for unit-variance inputs, at any width.
    spread = [float(np.std(W) * np.sqrt(n)) for W, n in zip(a.weights, (50, 400))]
    close = spread == pytest.approx([1, 1], rel=0.05)
    assert close, f"std(W) * sqrt(n_in) should be about 1 in each layer; got {spread}"


def test_float32_network_stays_float32():
    net = L02.Network([8, 4, 2], dtype=np.float32)
    out = net.forward(np.ones((3, 8), dtype=np.float32))
    assert out.dtype == np.float32, \
        f"forward of a float32 X through float32 weights gave {out.dtype}, expected float32"


def test_wrong_input_shape_is_a_clear_error():
    net = L02.Network([3, 2])
    for X in (np.ones((5, 4)), np.ones(3)):
        what = f"Network([3, 2]).forward(X shaped {X.shape})"
        message = refusal(lambda: net.forward(X), what)
        assert "(N, 3)" in message, \
            f"{what}: the ValueError should show the shape expected, (N, 3); it says: {message}"
