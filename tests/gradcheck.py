"""One reusable gradient checker for the tests, independent of the lessons' own teaching version.

It perturbs every entry of every parameter array in place, measures the loss each time, and compares the
finite-difference estimate with the analytic gradient by relative error. The estimate is the five-point
central difference
    dL/dp ≈ (8 (L(p + h) - L(p - h)) - (L(p + 2h) - L(p - 2h))) / 12h
whose error shrinks like h^4 (the lessons show the simpler two-point form, error ~ h^2). With h = 1e-3
both the truncation error (~1e-12) and the rounding error (~1e-14) stay far below the 1e-6 tolerance,
even for gradient entries as small as 1e-6.
"""
import numpy as np

TOLERANCE = 1e-6  # relative error allowed per entry, in float64
FLOOR = 1e-8      # gradient entries below this size are compared against it (rounding noise, not error)


def numerical_gradients(loss, arrays, h=1e-3):
    """Five-point central differences of loss() for every entry of every array in `arrays`."""
    estimates = []
    for array in arrays:
        estimate = np.zeros_like(array, dtype=np.float64)
        for index in np.ndindex(array.shape):
            saved = array[index]
            values = {}
            for step in (-2, -1, 1, 2):
                array[index] = saved + step * h
                values[step] = loss()
            array[index] = saved
            estimate[index] = (8 * (values[1] - values[-1]) - (values[2] - values[-2])) / (12 * h)
        estimates.append(estimate)
    return estimates


def worst_relative_error(analytic, numeric):
    """The largest |a - n| / max(|a|, |n|, FLOOR) over all entries of all arrays."""
    worst = 0.0
    for a, n in zip(analytic, numeric):
        assert np.shape(a) == np.shape(n), f"gradient shaped {np.shape(a)}, parameter shaped {np.shape(n)}"
        scale = np.maximum(np.maximum(np.abs(a), np.abs(n)), FLOOR)
        worst = max(worst, float(np.max(np.abs(a - n) / scale)))
    return worst


def gradient_is_correct(loss, arrays, analytic, tolerance=TOLERANCE):
    """True when every analytic entry matches its central-difference estimate within `tolerance`."""
    if len(analytic) != len(arrays):
        return False
    return worst_relative_error(analytic, numerical_gradients(loss, arrays)) <= tolerance


def random_problem(lesson, sizes, n_samples, seed, dtype=np.float64):
    """A lesson's Network with random inputs X (N, n_in) and targets Y (N, n_out) in [0, 1]."""
    rng = np.random.default_rng(seed)
    net = lesson.Network(sizes, seed=seed, dtype=dtype)
    X = rng.normal(size=(n_samples, sizes[0])).astype(dtype)
    Y = rng.uniform(size=(n_samples, sizes[-1])).astype(dtype)
    return net, X, Y


def backprop_is_correct(lesson, net, X, Y, backward=None):
    """Does (backward or net.backward)(X, Y) match the numerical gradient of the lesson's mse_loss?"""
    grad_weights, grad_biases = (backward or net.backward)(X, Y)
    loss = lambda: lesson.mse_loss(net.forward(X), Y)
    return gradient_is_correct(loss, net.weights + net.biases, grad_weights + grad_biases)
