"""One reusable gradient checker for the tests, independent of the lessons' own teaching version.

It perturbs every entry of every parameter array in place, measures the loss each time, and
compares the finite-difference estimate with the analytic gradient by relative error. The estimate
is the five-point central difference
    dL/dp ≈ (8 (L(p + h) - L(p - h)) - (L(p + 2h) - L(p - 2h))) / 12h
whose error shrinks like h^4 (the lessons show the simpler two-point form, error ~ h^2). With
h = 1e-3 both the truncation error (~1e-12) and the rounding error (~1e-14) stay far below the 1e-6
tolerance, even for gradient entries as small as 1e-6.
"""
import numpy as np
import pytest

TOLERANCE = 1e-6  # relative error allowed per entry, in float64
# Gradient entries below this size are compared against it (rounding noise, not error).
FLOOR = 1e-8


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


def relative_errors(a, n):
    """|a - n| / max(|a|, |n|, FLOOR), entry by entry; a NaN (broken gradient) counts as inf."""
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    errors = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), FLOOR)
    return np.where(np.isnan(errors), np.inf, errors)


def worst_relative_error(analytic, numeric):
    """The largest relative error over all entries of all arrays."""
    worst = 0.0
    for a, n in zip(analytic, numeric):
        assert np.shape(a) == np.shape(n), f"gradient shaped {np.shape(a)}, expected {np.shape(n)}"
        worst = max(worst, float(np.max(relative_errors(a, n), initial=0.0)))
    return worst


def gradient_problems(loss, arrays, analytic, names, tolerance=TOLERANCE):
    """What is wrong with the analytic gradients, a line per parameter array; [] when all are right.

    names[i] says what arrays[i] is, e.g. "W1 (layer 1 weights)". A line names the array, its worst
    entry, the analytic and the numerical value there and their relative error; a shape or count
    mismatch is reported before any numerical gradient is computed.
    """
    if len(analytic) != len(arrays):
        return [f"got {len(analytic)} gradient arrays, expected {len(arrays)}: one for each of "
                + ", ".join(name.split()[0] for name in names)]
    shapes = [f"{name}: the gradient has shape {np.shape(a)}, expected {p.shape} (the parameter's)"
              for name, a, p in zip(names, analytic, arrays) if np.shape(a) != p.shape]
    if shapes:
        return shapes
    problems = []
    for name, a, n in zip(names, analytic, numerical_gradients(loss, arrays)):
        errors = relative_errors(a, n)
        worst = np.unravel_index(np.argmax(errors), errors.shape) if errors.size else None
        if worst is not None and errors[worst] > tolerance:
            where = f"[{', '.join(map(str, worst))}]" if worst else ""
            problems.append(f"{name}: worst entry {name.split()[0]}{where}: "
                            f"analytic {float(a[worst]):.8g}, numerical {float(n[worst]):.8g}, "
                            f"relative error {float(errors[worst]):.2g}")
    if problems:
        problems.insert(0, f"wrong gradient (relative error allowed: {tolerance:g}):")
    return problems


def check_gradients(loss, arrays, analytic, names, tolerance=TOLERANCE):
    """Fail the test with just the message naming each wrong gradient array (no traceback)."""
    problems = gradient_problems(loss, arrays, analytic, names, tolerance)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def gradient_is_correct(loss, arrays, analytic, tolerance=TOLERANCE):
    """True when every analytic entry matches its central-difference estimate within `tolerance`."""
    names = [f"array {i}" for i in range(len(arrays))]
    return not gradient_problems(loss, arrays, analytic, names, tolerance)


def random_problem(lesson, sizes, n_samples, seed, dtype=np.float64):
    """A lesson's Network with random inputs X (N, n_in) and targets Y (N, n_out) in [0, 1]."""
    rng = np.random.default_rng(seed)
    net = lesson.Network(sizes, seed=seed, dtype=dtype)
    X = rng.normal(size=(n_samples, sizes[0])).astype(dtype)
    Y = rng.uniform(size=(n_samples, sizes[-1])).astype(dtype)
    return net, X, Y


def network_names(net):
    """Names for net.weights + net.biases: "W1 (layer 1 weights)", ..., "b1 (layer 1 biases)"."""
    layers = range(1, len(net.weights) + 1)
    return ([f"W{l} (layer {l} weights)" for l in layers]
            + [f"b{l} (layer {l} biases)" for l in layers])


def backprop_problems(lesson, net, X, Y, backward=None):
    """gradient_problems of (backward or net.backward)(X, Y) against lesson.mse_loss's gradient."""
    grad_weights, grad_biases = (backward or net.backward)(X, Y)
    loss = lambda: lesson.mse_loss(net.forward(X), Y)
    analytic = list(grad_weights) + list(grad_biases)
    return gradient_problems(loss, net.weights + net.biases, analytic, network_names(net))


def check_backprop(lesson, net, X, Y, backward=None):
    """Fail the test, naming each wrong array, unless backward's gradients are right."""
    problems = backprop_problems(lesson, net, X, Y, backward)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def backprop_is_correct(lesson, net, X, Y, backward=None):
    """Does (backward or net.backward)(X, Y) match the numerical gradient of lesson.mse_loss?"""
    return not backprop_problems(lesson, net, X, Y, backward)
