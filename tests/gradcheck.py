"""One reusable gradient checker for the tests, independent of the lessons' own teaching version.

It perturbs every entry of every parameter array in place, measures the loss each time, and
compares the finite-difference estimate with the analytic gradient by relative error. The estimate
is the five-point central difference
    dL/dp ≈ (8 (L(p + h) - L(p - h)) - (L(p + 2h) - L(p - 2h))) / 12h
whose error shrinks like h^4 (the lessons show the simpler two-point form, error ~ h^2). With
h = 1e-3 both the truncation error (~1e-12) and the rounding error (~1e-14) stay far below the 1e-6
tolerance, even for gradient entries as small as 1e-6.

When a gradient is wrong, the report also says what kind of mistake its numbers show, and says
nothing where they show none. A wrong array's analytic gradient a is compared with candidates h:
the numerical gradient n itself, n transposed (square arrays), and, for a network
(backprop_problems), the gradients that backpropagation gives when one well-known mistake is made
(σ' left out at the output layer, in the delta sent back, or both; W where W^T belongs). A
candidate is named only when a = c · h in every entry, to the same tolerance a right gradient must
meet, for one number c, and c is read as ±2^i N^j K^k (i, j, k in -1, 0, 1; N samples, K outputs,
the factors of the mean's 1/(N K) and of the square's derivative 2(a - y)), or as an unnamed
constant factor when the array has two entries or more to show it is constant. Then, for a network,
one line says where the mistake enters: the highest layer with a wrong gradient. A backward that
returns no gradients to check, or that NumPy stops, gets one line instead, from
support/learner_checks.py: what came back and what belongs, or which arrays met in the refused
product and the likely mistake they show (a W where its transpose belongs, a layer index one off).

Backpropagation is written here once, as backprop: lesson 04b's four rows (the output layer's
delta, the delta sent back, grad_W, grad_b), each a function that can be swapped for another. The
mistakes the checker recomputes are backprop with a row swapped, on activations it computes
itself in float64; planted(net, ...), what the tests that show the checker catching a mistake give
it, is backprop with any rows swapped for a bug, on the lesson's own forward_all and weights.

For softmax outputs trained on cross-entropy (lesson 06b), cross_entropy_problems checks against
the checker's own loss, reads a factor N as the 1/N of the mean left out, and names two mistakes
recomputed the same way: σ' kept at the output, and a ReLU's slope taken as its output a.
"""
import functools
import itertools
from fractions import Fraction

import numpy as np
import pytest

from support.learner_checks import refusal_problem, returned_problem

TOLERANCE = 1e-6  # relative error allowed per entry, in float64
WRONG_GRADIENT = "wrong gradient"   # how every report of one begins
# Gradient entries below this size are compared against it (rounding noise, not error).
FLOOR = 1e-8
# A fitted factor c names a factor like 1/2 or N = 7 when it is that number to this relative
# precision. c is fitted from arrays that agree to ~1e-10, so 1e-6 leaves room and still keeps
# 1.01 (a 1%-off gradient) far from every named factor.
FACTOR_PRECISION = 1e-6


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


def gradient_problems(loss, arrays, analytic, names, tolerance=TOLERANCE, backprop=None):
    """What is wrong with the analytic gradients, a line per parameter array; [] when all are right.

    names[i] says what arrays[i] is, e.g. "W1 (layer 1 weights)". A line names the array, its worst
    entry, the analytic and the numerical value there and their relative error; a shape or count
    mismatch is reported before any numerical gradient is computed. Below a wrong array's line, one
    indented line says what mistake its numbers show, if they show one (see the module docstring).
    backprop (a Backprop, as backprop_problems passes) adds the network's mistakes to look for and
    a last line saying at which layer the mistake enters; a Readings (cross_entropy_problems) adds
    the mistakes of another loss, and N for its factors, without that line.
    """
    if len(analytic) != len(arrays):
        return [f"got {len(analytic)} gradient arrays, expected {len(arrays)}: one for each of "
                + ", ".join(name.split()[0] for name in names)]
    shapes = [f"{name}: the gradient has shape {np.shape(a)}, expected {p.shape} (the parameter's)"
              for name, a, p in zip(names, analytic, arrays) if np.shape(a) != p.shape]
    if shapes:
        return shapes
    numeric = numerical_gradients(loss, arrays)
    lines = {}
    for i, (name, a, n) in enumerate(zip(names, analytic, numeric)):
        errors = relative_errors(a, n)
        worst = np.unravel_index(np.argmax(errors), errors.shape) if errors.size else None
        if worst is not None and errors[worst] > tolerance:
            where = f"[{', '.join(map(str, worst))}]" if worst else ""
            lines[i] = (f"{name}: worst entry {name.split()[0]}{where}: "
                        f"analytic {float(a[worst]):.8g}, numerical {float(n[worst]):.8g}, "
                        f"relative error {float(errors[worst]):.2g}")
    if not lines:
        return []
    diagnoses = diagnose(analytic, numeric, sorted(lines), tolerance, backprop)
    problems = [f"{WRONG_GRADIENT} (relative error allowed: {tolerance:g}):"]
    for i, line in lines.items():
        problems.append(line)
        if i in diagnoses:
            problems.append(f"  {names[i].split()[0]}: {diagnoses[i]}")
    if isinstance(backprop, Backprop):
        problems.append(where_it_enters(sorted(lines), backprop))
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
    """gradient_problems of (backward or net.backward)(X, Y) against lesson.mse_loss's gradient;
    one line instead when it returns no gradients to check (see backward_or_problems)."""
    returned, problems = backward_or_problems(net, X, Y, backward)
    if problems:
        return problems
    grad_weights, grad_biases = returned
    loss = lambda: lesson.mse_loss(net.forward(X), Y)
    analytic = list(grad_weights) + list(grad_biases)
    return gradient_problems(loss, net.weights + net.biases, analytic, network_names(net),
                             backprop=Backprop(lesson, net, X, Y))


def backward_or_problems(net, X, Y, backward=None):
    """(what (backward or net.backward)(X, Y) returned, []), or (None, [one line]) when that is not
    two lists of one array per layer, or when NumPy refuses a product in the network's own
    backward_from: support/learner_checks.py says what came back, or which arrays met and the
    likely mistake they show. A backward given here that NumPy stops raises as it is."""
    try:
        returned = (backward or net.backward)(X, Y)
    except ValueError as error:
        if backward is not None:
            raise
        return None, [f"{WRONG_GRADIENT}s: {refusal_problem(error, net, net.forward_all(X), Y)}"]
    problem = returned_problem(returned, net, "backward_from" if backward is None else "backward")
    return returned, [f"{WRONG_GRADIENT}s: {problem}"] if problem else []


def checked_backward(net, X, Y):
    """net.backward(X, Y); the test fails with backward_or_problems' one line if it gives no
    gradients to check."""
    returned, problems = backward_or_problems(net, X, Y)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    return returned


def check_backprop(lesson, net, X, Y, backward=None):
    """Fail the test, naming each wrong array, unless backward's gradients are right."""
    problems = backprop_problems(lesson, net, X, Y, backward)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def backprop_is_correct(lesson, net, X, Y, backward=None):
    """Does (backward or net.backward)(X, Y) match the numerical gradient of lesson.mse_loss?"""
    return not backprop_problems(lesson, net, X, Y, backward)


# ==================================================================================================
# Reading the mistake from the numbers
# ==================================================================================================
class Backprop:
    """What the checker knows about a network besides its arrays, to read its gradients' mistakes.

    The arrays are net.weights + net.biases, so array i belongs to layer layers[i][0] (1 to
    n_layers) and is its "weights" or "biases". N = n_samples and K = n_outputs (Y is (N, K))
    name the factors of the mean's 1/(N K). `mistakes` is computed only when a gradient is wrong,
    after the numerical gradients (which put every parameter back as it was).
    """

    def __init__(self, lesson, net, X, Y):
        self.lesson, self.net, self.X, self.Y = lesson, net, X, Y
        self.n_layers = len(net.weights)
        self.layers = ([(l, "weights") for l in range(1, self.n_layers + 1)]
                       + [(l, "biases") for l in range(1, self.n_layers + 1)])
        self.n_samples = np.shape(Y)[0]
        self.n_outputs = int(np.prod(np.shape(Y)[1:], dtype=int))

    @functools.cached_property
    def sound(self):
        """Does the network compute what the mistakes below assume: sigmoid layers, a^l =
        σ(a^(l-1) @ W^l + b^l), and a loss that is the mean of (a^L - Y)^2 over all N K entries?
        Only then are its mistakes, and the factors N and K, read from the gradients."""
        activations = self.activations
        output = np.asarray(self.net.forward(self.X), dtype=np.float64)
        loss = float(np.mean((activations[-1] - self.Y) ** 2))
        return (output.shape == activations[-1].shape
                and np.allclose(output, activations[-1], rtol=1e-9, atol=1e-12)
                and np.isclose(self.lesson.mse_loss(output, self.Y), loss, rtol=1e-9, atol=1e-15))

    @functools.cached_property
    def activations(self):
        """[a^0 = X, a^1, ..., a^L] in float64, computed here rather than by the lesson."""
        activations = [np.asarray(self.X, dtype=np.float64)]
        for W, b in zip(self.net.weights, self.net.biases):
            z = activations[-1] @ np.asarray(W, np.float64) + np.asarray(b, np.float64)
            e = np.exp(-np.abs(z))                       # σ(z) without overflow, as lesson 02
            activations.append(np.where(z >= 0, 1.0, e) / (1.0 + e))
        return activations

    @functools.cached_property
    def mistakes(self):
        """[(reading, gradients)]: what backpropagation gives, for every array, with one mistake.

        Each is the whole of backprop with a row of it swapped (two rows for σ' left out
        everywhere), so each array's prediction carries the mistake exactly as far as it travels:
        a σ' left out at the output layer changes every array, one left out of the delta sent
        back only the layers below the output.
        """
        if not self.sound:
            return []
        L = self.n_layers
        mistakes = [(f"σ' left out of the output layer's delta: delta^{L} = 2(a^{L} - Y)/(N·K) "
                     f"without · a^{L}(1 - a^{L})", dict(output_delta=output_delta_without_slope))]
        if L > 1:
            mistakes += [
                ("σ' left out of the delta sent back: delta^(l-1) = delta^l @ (W^l)^T without "
                 "· a^(l-1)(1 - a^(l-1))", dict(send_back=send_back_without_slope)),
                (f"σ' left out everywhere: delta^{L} = 2(a^{L} - Y)/(N·K) and delta^(l-1) = "
                 "delta^l @ (W^l)^T, each without its · a(1 - a)",
                 dict(output_delta=output_delta_without_slope,
                      send_back=send_back_without_slope))]
        # delta @ W where delta @ W^T belongs runs only if every W sending delta back is square.
        if L > 1 and all(W.shape[0] == W.shape[1] for W in self.net.weights[1:]):
            mistakes.append(("W^l where its transpose (W^l)^T belongs in the delta sent back: "
                             "delta^(l-1) = (delta^l @ W^l) · a^(l-1)(1 - a^(l-1)), which runs "
                             "only because W^l is square", dict(send_back=send_back_along_w)))
        return [(reading, self.gradients(**rows)) for reading, rows in mistakes]

    def gradients(self, **rows):
        """backprop in float64 with the rows given swapped in: grad_weights + grad_biases."""
        weights = [np.asarray(W, np.float64) for W in self.net.weights]
        grad_weights, grad_biases = backprop(self.activations, weights, self.Y, **rows)
        return grad_weights + grad_biases


def diagnose(analytic, numeric, wrong, tolerance=TOLERANCE, backprop=None):
    """{i: what mistake array i's numbers show} for the wrong arrays i that show one.

    Every candidate h that fits (a = c · h in every entry) is a reading, and the simplest wins:
    it costs one per factor in c (a sign, a 2, an N, a K), one for a transpose or a recomputed
    mistake, and 10 for a c without a name. Between readings as cheap, the one that fits more of
    the wrong arrays wins (a σ' left out everywhere and one left out at the output alone give the
    same output-layer gradients; the layers below tell them apart); readings still tied are all
    given, joined by "or", always in one order: the numerical gradient's own ratio, the transpose,
    the recomputed mistakes. An array that no candidate fits may still show a ratio of 4 or more
    in every entry (at_least_four).
    """
    sound = backprop is not None and backprop.sound
    n_samples = backprop.n_samples if sound else None
    n_outputs = backprop.n_outputs if sound else None
    mistakes = backprop.mistakes if sound else []
    found = {}                                          # i -> [(cost, key, text)]
    for i in wrong:
        a = np.asarray(analytic[i], dtype=np.float64)
        n = np.asarray(numeric[i], dtype=np.float64)
        if not np.all(np.isfinite(a)):
            continue
        if not np.any(np.abs(a) > FLOOR):
            # 0 = c · n with c = 0 fits every n: say what it is rather than "a factor 0".
            found[i] = [(0, ("zero", "0"), "analytic is 0 in every entry, the numerical gradient "
                         "is not: no gradient reaches this array (left at zeros, or times 0)")]
            continue
        candidates = [("numerical", n)]
        if n.ndim == 2 and n.shape[0] == n.shape[1] and np.max(relative_errors(n, n.T)) > tolerance:
            candidates.append(("transposed", n.T))
        for k, (_, gradients) in enumerate(mistakes):
            # A mistake that leaves this array right (it acts on other layers) says nothing here.
            if np.max(relative_errors(gradients[i], n), initial=0.0) > tolerance:
                candidates.append((k, gradients[i]))
        for kind, h in candidates:
            fit = fitted_factor(a, h, tolerance)
            if fit is None:
                continue
            c, entries = fit
            readings = factor_readings(c, n_samples, n_outputs)
            if not readings and entries < 2:
                continue   # one entry is always "a constant multiple" of another: it shows nothing
            text = reading_text(kind, c, readings, n_samples, n_outputs,
                                mistakes, backprop is not None)
            cost = (readings[0][0] if readings else 10) + (kind != "numerical")
            key = (kind, str(readings[0][1]) if readings else f"{c:.4g}")
            found.setdefault(i, []).append((cost, key, text))
    fits = {}                                           # key -> how many wrong arrays it fits
    for matches in found.values():
        for _, key, _ in matches:
            fits[key] = fits.get(key, 0) + 1
    diagnoses = {}
    for i, matches in found.items():
        best = min((cost, -fits[key]) for cost, key, _ in matches)
        diagnoses[i] = " or ".join(text for cost, key, text in matches
                                   if (cost, -fits[key]) == best)
    for i in wrong:
        if i not in diagnoses:
            hint = at_least_four(analytic[i], numeric[i])
            if hint:
                diagnoses[i] = hint
    return diagnoses


def fitted_factor(a, h, tolerance):
    """(c, entries) when a = c · h in every entry, to `tolerance`; else None.

    c = <a, h> / <h, h> is the least-squares factor; entries counts the entries of h that are not
    rounding noise. An h that is all noise fits nothing.
    """
    h = np.asarray(h, dtype=np.float64)
    entries = int(np.count_nonzero(np.abs(h) > FLOOR))
    if entries == 0:
        return None
    c = float(np.sum(a * h) / np.sum(h * h))
    if np.max(relative_errors(a, c * h), initial=0.0) > tolerance:
        return None
    return c, entries


def factor_readings(c, n_samples=None, n_outputs=None):
    """The simplest ways to write c as ±2^i N^j K^k, each power -1, 0 or 1: [(cost, value,
    sign, powers)], cost = the number of factors (the sign counts as one); [] if there is none.

    N and K join only when given and above 1 (a factor 1 names nothing). When they coincide with
    2 or with each other (N = 2, or N = K), the readings tie and all are returned.
    """
    bases = {"2": 2}
    if n_samples and n_samples > 1:
        bases["N"] = int(n_samples)
    if n_outputs and n_outputs > 1:
        bases["K"] = int(n_outputs)
    found = []
    for sign in (1, -1):
        for powers in itertools.product((-1, 0, 1), repeat=len(bases)):
            value = Fraction(sign)
            for base, power in zip(bases.values(), powers):
                value *= Fraction(base) ** power
            if abs(c - float(value)) <= FACTOR_PRECISION * abs(float(value)):
                cost = (sign < 0) + sum(map(abs, powers))
                found.append((cost, value, sign, dict(zip(bases, powers))))
    cheapest = min((cost for cost, *_ in found), default=None)
    return [reading for reading in found if reading[0] == cheapest]


def factor_text(sign, powers, n_samples, n_outputs):
    """What a factor ±2^i N^j K^k means for the gradient of mse_loss = mean of (a - y)^2."""
    parts = []
    if sign < 0:
        parts.append("a sign error (a step along it goes uphill)")
    two, N, K = powers.get("2", 0), powers.get("N", 0), powers.get("K", 0)
    if two:
        parts.append("the 2 of the square's derivative 2(a - y) is "
                     + ("doubled" if two > 0 else "missing"))
    if N and N == K:
        parts.append(f"the 1/(N·K) of the mean over all N·K = {n_samples * n_outputs} entries is "
                     + ("missing (a sum where the mean belongs)" if N > 0 else "applied twice"))
    else:
        if N > 0:
            parts.append(f"the 1/N of the mean is missing (a sum over the batch of N = "
                         f"{n_samples} where the mean belongs)")
        if N < 0:
            parts.append(f"the 1/N of the mean is applied twice (N = {n_samples}; e.g. a mean "
                         "over the batch where delta, already divided by N, must be summed)")
        if K > 0:
            parts.append(f"the 1/K is missing (the mean runs over all N·K entries, K = "
                         f"{n_outputs} outputs)")
        if K < 0:
            parts.append(f"the 1/K is applied twice (K = {n_outputs} outputs)")
    return " and ".join(parts)


def reading_text(kind, c, readings, n_samples, n_outputs, mistakes, network):
    """The diagnosis line for candidate `kind` fitted with factor c (readings: its names)."""
    if readings:
        value = str(readings[0][1])
        factor = " or ".join(factor_text(sign, powers, n_samples, n_outputs)
                             for _, _, sign, powers in readings)
    else:
        value = f"{c:.4g}"
        factor = "off by a constant factor"
        if c >= 4:
            # σ'(z) = a (1 - a) is at most 1/4 (at a = 1/2), so leaving it out multiplies by 4+.
            factor += (" of 4 or more, which a left-out σ'(z) = a(1 - a), at most 1/4, would "
                       "give")
        elif c < 0:
            factor += ", and negative: a step along it goes uphill"
    if kind == "numerical":
        return f"analytic/numerical = {value} in every entry: {factor}"
    times = "" if value == "1" else f"{value} × "
    then = "" if value == "1" else f"; and {factor}"
    if kind == "transposed":
        why = ("delta^T @ a^(l-1) where (a^(l-1))^T @ delta^l belongs (both fit only because "
               "W^l is square)" if network else "the shapes agree only because the array is square")
        return (f"analytic is, in every entry, {times}the numerical gradient transposed (rows and "
                f"columns swapped): {why}{then}")
    return f"analytic is, in every entry, {times}the gradient with {mistakes[kind][0]}{then}"


def at_least_four(a, n):
    """When no candidate fits: is |analytic| at least 4 |numerical| in every entry, same sign?

    That is what leaving out σ' = a(1 - a) <= 1/4 does to each term of a sum whose terms share a
    sign (with one sample, to every entry), so it is said, as what the numbers show. Entries where
    both are rounding noise do not count; at least two must.
    """
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    shown = np.maximum(np.abs(a), np.abs(n)) > FLOOR
    if np.count_nonzero(shown) < 2 or not np.all(np.isfinite(a)):
        return None
    a, n = a[shown], n[shown]
    if not (np.all(a * n > 0) and np.all(np.abs(a) >= 4 * (1 - FACTOR_PRECISION) * np.abs(n))):
        return None
    ratio = a / n
    return (f"analytic/numerical runs from {ratio.min():.3g} to {ratio.max():.3g}: 4 or more in "
            "every entry, which a left-out σ'(z) = a(1 - a), at most 1/4, would give")


def where_it_enters(wrong, backprop):
    """One line: the highest layer with a wrong gradient, and what that says about the mistake.

    Backpropagation runs from the output down, so a mistake shows first (highest) where it is
    made and every layer below inherits what it sends back. If the output layer is right and
    layer l is wrong, delta^l, sent back from layer l + 1, is where it goes wrong. If a layer's
    weight gradient alone is wrong, its right bias gradient (delta^l summed over the batch; with
    one sample, delta^l itself) points away from delta^l and at the product (a^(l-1))^T @ delta^l,
    and the other way round.
    """
    L = backprop.n_layers
    layers = [backprop.layers[i] for i in wrong]
    top = max(l for l, _ in layers)
    kinds = {kind for l, kind in layers if l == top}
    layer = "the output layer" if top == L else f"layer {top}"
    if kinds == {"weights"}:
        return (f"where it enters: {layer}'s weight gradient is wrong but its bias gradient, "
                f"delta^{top} summed over the batch, is right: the mistake is in forming "
                f"grad_W^{top} = (a^{top - 1})^T @ delta^{top}")
    if kinds == {"biases"}:
        return (f"where it enters: {layer}'s bias gradient is wrong but its weight gradient, "
                f"(a^{top - 1})^T @ delta^{top}, is right: the mistake is in forming "
                f"grad_b^{top} = delta^{top} summed over the batch (axis 0)")
    if top == L:
        if L > 1 and not any(l < L for l, _ in layers):
            return ("where it enters: the output layer's weight and bias gradients are wrong and "
                    f"every layer below is right, so delta^{L} is sent back right: the mistake is "
                    f"in the output layer's own gradients, grad_W^{L} and grad_b^{L}")
        inherits = " and every layer below inherits" if L > 1 else ""
        return (f"where it enters: at the output layer, whose weight and bias gradients are both "
                f"wrong: look first at delta^{L} = 2(a^{L} - Y)/(N·K) · σ'(z^{L}) (the loss's "
                f"derivative times σ'), which both are built from{inherits}")
    above = ("the output layer's gradients are" if top + 1 == L else
             f"the gradients of layers {top + 1} to {L} (the output layer) are")
    return (f"where it enters: {above} right and layer {top}'s are wrong: the mistake is in the "
            f"delta sent back from layer {top + 1} to layer {top}, "
            f"delta^{top} = (delta^{top + 1} @ (W^{top + 1})^T) · σ'(z^{top})")


# ==================================================================================================
# Backpropagation, written once: four rows, any of them replaceable by a mistake
# ==================================================================================================
# Lesson 04b's backward_from again, so that the checker does not take the lesson's word for it.
# σ'(z) = σ(z)(1 - σ(z)) = a(1 - a) is read from the activations; the right rows are built from
# the same pieces that, alone, are the mistakes of leaving it out.
def sigmoid_slope(a):
    """σ'(z) from the activation a = σ(z): a (1 - a)."""
    return a * (1 - a)


def output_delta_without_slope(output, Y):
    """dL/da^L = 2 (a^L - Y) / (N K) of the mean of (a^L - Y)^2: delta^L without σ'(z^L)."""
    return 2 * (output - Y) / output.size


def send_back_without_slope(delta, W, a_prev, l):
    """delta^l @ (W^l)^T: delta^(l-1) without σ'(z^(l-1))."""
    return delta @ W.T


def send_back_along_w(delta, W, a_prev, l):
    """(delta^l @ W^l) · σ'(z^(l-1)): W^l where (W^l)^T belongs (runs only for a square W^l)."""
    return (delta @ W) * sigmoid_slope(a_prev)


def right_output_delta(output, Y):
    """delta^L = 2 (a^L - Y) / (N K) · σ'(z^L)."""
    return output_delta_without_slope(output, Y) * sigmoid_slope(output)


def right_send_back(delta, W, a_prev, l):
    """delta^(l-1) = (delta^l @ (W^l)^T) · σ'(z^(l-1)); l counts from 0 as the lesson's loop."""
    return send_back_without_slope(delta, W, a_prev, l) * sigmoid_slope(a_prev)


def right_grad_w(a_prev, delta):
    """grad_W^l = (a^(l-1))^T @ delta^l, (n_in, N) @ (N, n_out)."""
    return a_prev.T @ delta


def right_grad_b(delta):
    """grad_b^l = delta^l summed over the batch."""
    return delta.sum(axis=0)


def backprop(activations, weights, Y, output_delta=right_output_delta,
             send_back=right_send_back, grad_w=right_grad_w, grad_b=right_grad_b):
    """(grad_weights, grad_biases), input side first, from the activations [a^0 = X, ..., a^L]:
    backpropagation of lesson 04b, run with the four rows given (the right ones by default)."""
    delta = output_delta(activations[-1], Y)
    grad_weights, grad_biases = [], []
    for l in range(len(weights) - 1, -1, -1):                  # weights[l] is W^(l+1)
        a_prev = activations[l]
        grad_weights.insert(0, grad_w(a_prev, delta))
        grad_biases.insert(0, grad_b(delta))
        if l > 0:
            delta = send_back(delta, weights[l], a_prev, l)
    return grad_weights, grad_biases


def planted(net, **rows):
    """net.backward as lesson 04b writes it, on net's own forward_all and weights, with the rows
    given (output_delta, send_back, grad_w, grad_b; see backprop) swapped in for a bug."""
    return lambda X, Y: backprop(net.forward_all(X), net.weights, Y, **rows)


# ==================================================================================================
# Another loss: softmax outputs trained on cross-entropy (lesson 06b)
# ==================================================================================================
class Readings:
    """What gradient_problems may read a wrong gradient as when the loss is not 04b's MSE:
    n_samples, N, for the factor readings (the 1/N of the mean missing or applied twice), and
    mistakes, [(reading, gradients)], each every array's gradient with one mistake made."""
    sound = True
    n_outputs = None            # no 1/K: the cross-entropy's mean runs over the N samples only

    def __init__(self, n_samples, mistakes):
        self.n_samples, self.mistakes = n_samples, mistakes


def softmax_rows(z):
    """softmax of each row, stably (each row's largest z subtracted first)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def relu_slope(a):
    """The ReLU's slope from its output a = max(z, 0): 1 where the unit is on, else 0."""
    return (a > 0).astype(a.dtype)


def softmax_activations(net, X, hidden):
    """[a^0 = X, a^1, ..., a^L] in float64, computed here: `hidden` layers ("sigmoid" or "relu"),
    a^L = softmax(z^L)."""
    activations = [np.asarray(X, dtype=np.float64)]
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        z = activations[-1] @ np.asarray(W, np.float64) + np.asarray(b, np.float64)
        if l == len(net.weights) - 1:
            activations.append(softmax_rows(z))
        elif hidden == "relu":
            activations.append(np.maximum(z, 0))
        else:
            e = np.exp(-np.abs(z))
            activations.append(np.where(z >= 0, 1.0, e) / (1.0 + e))
    return activations


def cross_entropy_loss(net, X, Y, hidden):
    """The mean cross-entropy of the network's softmax outputs, computed here through
    log-sum-exp from the weights as they are now (numerical_gradients moves them)."""
    a = softmax_activations(net, X, hidden)[-2]
    z = a @ np.asarray(net.weights[-1], np.float64) + np.asarray(net.biases[-1], np.float64)
    m = z.max(axis=1, keepdims=True)
    log_sum = m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(-np.sum(Y * (z - log_sum)) / len(Y))


def cross_entropy_readings(net, X, Y, hidden):
    """Readings for a softmax network trained on the mean cross-entropy: the gradients with σ'
    kept at the output, delta^L = (softmax(z^L) - Y)/N · a^L(1 - a^L), and for ReLU layers with
    the slope taken as the ReLU's output a where (a > 0) belongs."""
    activations = softmax_activations(net, X, hidden)
    weights = [np.asarray(W, np.float64) for W in net.weights]
    slope = relu_slope if hidden == "relu" else sigmoid_slope

    def right_delta(output, Y):
        return (output - Y) / len(Y)

    def slope_kept(output, Y):
        return right_delta(output, Y) * sigmoid_slope(output)

    def send_back(delta, W, a_prev, l):
        return (delta @ W.T) * slope(a_prev)

    def send_back_times_a(delta, W, a_prev, l):
        return (delta @ W.T) * a_prev

    rows = [("σ' kept at the output: delta^L = (softmax(z^L) - Y)/N · a^L(1 - a^L), where "
             "softmax with cross-entropy cancels it", dict(output_delta=slope_kept))]
    if hidden == "relu" and len(weights) > 1:
        rows.append(("the ReLU's slope taken as its output a where (a > 0) belongs: "
                     "delta^(l-1) = (delta^l @ (W^l)^T) · a^(l-1)",
                     dict(send_back=send_back_times_a)))
    mistakes = []
    for reading, swapped in rows:
        swapped = {"output_delta": right_delta, "send_back": send_back, **swapped}
        grad_weights, grad_biases = backprop(activations, weights, Y, **swapped)
        mistakes.append((reading, grad_weights + grad_biases))
    return Readings(len(Y), mistakes)


def cross_entropy_problems(net, X, Y, hidden, backward=None):
    """gradient_problems of (backward or net.backward)(X, Y) against the numerical gradient of the
    mean cross-entropy of softmax outputs, computed here; hidden: "sigmoid" or "relu"."""
    grad_weights, grad_biases = (backward or net.backward)(X, Y)
    return gradient_problems(lambda: cross_entropy_loss(net, X, Y, hidden),
                             net.weights + net.biases, list(grad_weights) + list(grad_biases),
                             network_names(net), backprop=cross_entropy_readings(net, X, Y, hidden))
