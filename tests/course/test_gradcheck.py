"""The gradient checker's diagnoses (tests/gradcheck.py): a bug planted in a copy of lesson 04b's
backpropagation is named, with the layer where it enters, and nothing is claimed for a right
gradient or for a wrong one whose numbers show no known mistake."""
import re
import types

import numpy as np
import pytest

from gradcheck import (backprop_is_correct, backprop_problems, check_backprop,
                       cross_entropy_problems, gradient_is_correct, gradient_problems,
                       network_names, planted, random_problem, worst_relative_error)
from helpers import REPO, assert_mentions, copy_lessons, edit, load_lesson

# The course's own lesson, also under --lessons-dir: these are tests of the checker, not of a
# learner's backward.
L04B = load_lesson("04b_backprop_network.py", folder=REPO)


# --- reading a report ----------------------------------------------------------------------------
PROBLEM = re.compile(r"([Wb]\d+) \(layer \d+ (weights|biases)\): ")   # wrong values or shape


def short(lines):
    """`lines`, checked to be as short as promised: a header, one line per wrong array with at
    most one diagnosis line under it (diagnoses checks where they stand), one "where" line."""
    wrong = [line for line in lines if PROBLEM.match(line)]
    diagnoses(lines)
    assert len(lines) <= 2 * len(wrong) + 2, "the report has more lines than it may:\n" + "\n".join(
        lines)
    assert sum(line.startswith("where it enters: ") for line in lines) <= 1, (
        "more than one 'where it enters' line:\n" + "\n".join(lines))
    return lines


def report(sizes, n_samples, seed=0, **bug):
    """The checker's lines for a random problem with `bug` planted, checked to be short."""
    net, X, Y = random_problem(L04B, sizes, n_samples, seed)
    return short(backprop_problems(L04B, net, X, Y, planted(net, **bug)))


def report_scaled(sizes, weight_factors, bias_factors):
    """The checker's lines for a right backward whose gradient arrays are then multiplied, each
    by its factor (weights input side first, then biases), checked to be short."""
    net, X, Y = random_problem(L04B, sizes, 7, 0)

    def scaled_backward(X, Y):
        grad_weights, grad_biases = net.backward(X, Y)
        return ([factor * g for factor, g in zip(weight_factors, grad_weights)],
                [factor * g for factor, g in zip(bias_factors, grad_biases)])
    return short(backprop_problems(L04B, net, X, Y, scaled_backward))


def wrong_arrays(lines):
    """The arrays the report names as wrong, e.g. {"W1", "b1"}."""
    return {PROBLEM.match(line).group(1) for line in lines if PROBLEM.match(line)}


def diagnoses(lines):
    """{array: its diagnosis, without the name}, from the indented lines under the array's line."""
    found = {}
    for above, line in zip(lines, lines[1:]):
        if line.startswith("  "):
            name, _, text = line.strip().partition(": ")
            assert PROBLEM.match(above) and PROBLEM.match(above).group(1) == name, (
                f"the diagnosis {line!r} does not follow its array's line")
            found[name] = text
    return found


def said(lines, why):
    """An assertion's message: why, then the report."""
    return f"{why}; the report:\n" + "\n".join(lines)


def where(lines):
    """The 'where it enters' line, or None."""
    return next((line for line in lines if line.startswith("where it enters: ")), None)


ALL_SIX = {"W1", "W2", "W3", "b1", "b2", "b3"}
# The facts that tell one diagnosis, or one place where a mistake enters, from the others.
OUTPUT_SLOPE = "σ' left out of the output layer's delta"
HIDDEN_SLOPE = "σ' left out of the delta sent back"
EVERY_SLOPE = "σ' left out everywhere"
AT_THE_OUTPUT = ("at the output layer", "both wrong")
SENT_BACK_3_TO_2 = ("layer 2's are wrong", "sent back from layer 3 to layer 2",
                    "delta^2 = (delta^3 @ (W^3)^T) · σ'(z^2)")


def assert_every_array_reads(lines, arrays, *facts):
    """Each of `arrays` is reported wrong, and its diagnosis holds every fact; no other array is."""
    assert wrong_arrays(lines) == arrays, "wrong arrays reported:\n" + "\n".join(lines)
    found = diagnoses(lines)
    for name in sorted(arrays):
        missing = [fact for fact in facts if fact not in found.get(name, "")]
        assert not missing, f"{name} should mention {missing}:\n" + "\n".join(lines)


def assert_enters(lines, *facts):
    """The report has a 'where it enters' line, and it holds every fact."""
    assert where(lines) is not None, said(lines, "the report should say where the mistake enters")
    assert_mentions(where(lines), *facts)


# --- the report line: which number is whose ------------------------------------------------------
def test_the_report_calls_the_learners_number_analytic_and_the_estimate_numerical():
    # L(p) = p^2 at p = 3: the numerical gradient is 2p = 6, the learner's (analytic) says 10.
    p = np.array([3.0])
    lines = gradient_problems(lambda: float(p[0] ** 2), [p], [np.array([10.0])],
                              ["p (the parameter)"])
    assert lines[1].startswith("p (the parameter): "), said(lines, "the parameter is named")
    assert_mentions(lines[1], "p[0]", "analytic 10", "numerical 6", "relative error 0.4")
    assert p[0] == 3.0, "the parameter is put back"


def test_the_report_gives_a_doubled_backward_as_the_analytic_value():
    net, X, Y = random_problem(L04B, [3, 4, 2], 5, 0)

    def backward_doubled(X, Y):
        grad_weights, grad_biases = net.backward(X, Y)
        return [2 * g for g in grad_weights], [2 * g for g in grad_biases]

    lines = backprop_problems(L04B, net, X, Y, backward_doubled)
    values = [re.search(r": analytic (\S+), numerical (\S+), ", line) for line in lines]
    values = [(float(m.group(1)), float(m.group(2))) for m in values if m]
    assert len(values) == 4, said(lines, "all four arrays are doubled")
    for analytic, numerical in values:
        assert analytic == pytest.approx(2 * numerical, rel=1e-6), said(
            lines, "analytic is the learner's doubled value, numerical the estimate")


# --- the checker as the lesson's tests use it: pass or fail, and the array named ------------------
def test_the_checker_catches_one_wrong_entry():
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)
    grad_weights, grad_biases = net.backward(X, Y)
    grad_weights[1][2, 1] *= 1.001
    loss = lambda: L04B.mse_loss(net.forward(X), Y)
    passed = gradient_is_correct(loss, net.weights + net.biases, grad_weights + grad_biases)
    assert not passed, "the checker passed gradients with one entry of W2 0.1% off"


def test_a_layer_1_weight_gradient_1_percent_off_is_named():
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)

    def backward_1_percent_off(X, Y):
        grad_weights, grad_biases = net.backward(X, Y)
        return [grad_weights[0] * 1.01, *grad_weights[1:]], grad_biases

    with pytest.raises(pytest.fail.Exception) as failure:
        check_backprop(L04B, net, X, Y, backward_1_percent_off)
    message = str(failure.value)
    right = ("W1 (layer 1 weights): worst entry W1[" in message and "relative error 0.0099" in
             message and "W2" not in message and "b1" not in message)
    assert right, f"the report should name W1 alone, relative error 0.0099; it says:\n{message}"


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
    backward_without_hidden_slope = planted(
        net, send_back=lambda delta, W, a_prev, l: delta @ W.T)   # the bug: no * a (1 - a)
    passed = backprop_is_correct(L04B, net, X, Y, backward_without_hidden_slope)
    assert not passed, "the checker passed a backward whose hidden deltas leave out σ'"


# --- no gradients to check: what came back instead, or the product NumPy refused ---------------
@pytest.mark.parametrize("returns, what", [
    (lambda grad_weights, grad_biases: None, "returned None"),
    (lambda grad_weights, grad_biases: grad_weights[0], "returned an array shaped (4, 5)"),
    (lambda grad_weights, grad_biases: grad_weights + grad_biases, "returned a list of 6"),
    (lambda grad_weights, grad_biases: (grad_weights[1:], grad_biases),
     "returned a tuple of 2 (a list of 2, a list of 3)"),
], ids=["None", "one_array", "one_list", "a_list_too_short"])
def test_a_backward_returning_no_gradient_lists_is_told_what_belongs(returns, what):
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)
    lines = backprop_problems(L04B, net, X, Y, lambda X, Y: returns(*net.backward(X, Y)))
    assert len(lines) == 1 and lines[0].startswith("wrong gradients: backward "), lines
    assert what in lines[0], said(lines, f"it should say it {what}")
    assert ("two lists, grad_weights and grad_biases, one array per layer: 3 each for sizes "
            "[4, 5, 3, 2]") in lines[0], said(lines, "it should say what belongs")


def test_a_refused_product_it_cannot_read_shows_numpys_words_and_the_arrays(tmp_path):
    # In Network([3, 4, 4, 4]) two layers have 4 neurons: a delta 4 wide could be either's, so
    # no layer is named; the line says where, NumPy's words, and which arrays met.
    edit(copy_lessons(tmp_path) / "04b_backprop_network.py", "self.weights[l].T",
         "self.weights[l - 1].T")
    lesson = load_lesson("04b_backprop_network.py", folder=tmp_path)
    net, X, Y = random_problem(lesson, [3, 4, 4, 4], 6, 0)
    lines = backprop_problems(lesson, net, X, Y)
    assert len(lines) == 1, lines
    for words in ("wrong gradients: backward_from failed at 04b_backprop_network.py, line ",
                  "(delta = (delta @ self.weights[l - 1].T) * self.slope(a_prev))",
                  "NumPy: operands could not be broadcast together with shapes (6,3) (6,4)",
                  "(the arrays: an array (6, 3), an array from a^1 (6, 4))"):
        assert words in lines[0], said(lines, f"it should say {words!r}")
    assert "too far" not in lines[0], said(lines, "no layer can be named")


# --- the right gradient --------------------------------------------------------------------------
@pytest.mark.parametrize("sizes, n_samples", [([4, 5, 3, 2], 7), ([3, 4, 4, 4], 7),
                                              ([4, 4, 4, 2], 1), ([2, 16, 16, 1], 5)])
def test_checker_reports_nothing_for_a_right_gradient(sizes, n_samples):
    assert report(sizes, n_samples) == [], "the lesson's own backward is right"


@pytest.mark.parametrize("where", [np.s_[1], np.s_[:]], ids=["one_entry", "every_entry"])
def test_checker_never_passes_a_gradient_with_nan(where):
    # L(p) = sum of p^2 / 2: its gradient is p. NaN compares False with everything, so a NaN
    # relative error would pass "error > tolerance"; the checker counts it as infinite instead.
    p = np.array([1.0, -2.0, 3.0])
    analytic = p.copy()
    analytic[where] = np.nan
    loss = lambda: float(np.sum(p ** 2) / 2)
    lines = short(gradient_problems(loss, [p], [analytic], ["W1 (layer 1 weights)"]))
    assert wrong_arrays(lines) == {"W1"} and "analytic nan" in "\n".join(lines), said(
        lines, "a NaN in the gradient is wrong, and shown")
    assert not gradient_is_correct(loss, [p], [analytic]), "a gradient with NaN passed as right"
    assert worst_relative_error([analytic], [p]) == np.inf, "a NaN entry's error counts as inf"


# --- σ' left out: at the output layer, or in the delta sent back ---------------------------------
# Both make every delta they touch too large (σ' ≤ 1/4), but a sum over the batch of terms of
# both signs can come out any size, so a ratio alone cannot tell. What tells: the checker
# recomputes the activations, hence σ'(z) = a(1 - a) for every layer, and backpropagates with
# each σ' left out; the analytic gradient equals one of these in every entry. The output layer's
# own gradients then decide where: wrong if σ' is left out of delta^L, right if only the delta
# sent back lacks it.
def output_delta_without_slope(output, Y):
    return 2 * (output - Y) / output.size                      # the bug: no * output * (1 - output)


def send_back_without_slope(delta, W, a_prev, l):
    return delta @ W.T                                         # the bug: no * a_prev * (1 - a_prev)


@pytest.mark.parametrize("n_samples", [1, 7])
def test_checker_names_sigma_prime_left_out_at_the_output_layer(n_samples):
    lines = report([4, 5, 3, 2], n_samples, output_delta=output_delta_without_slope)
    assert_every_array_reads(lines, ALL_SIX, OUTPUT_SLOPE)
    assert HIDDEN_SLOPE not in "\n".join(lines) and EVERY_SLOPE not in "\n".join(lines), (
        "only the output layer's σ' is missing:\n" + "\n".join(lines))
    assert_enters(lines, *AT_THE_OUTPUT)


def test_checker_names_sigma_prime_left_out_of_the_delta_sent_back():
    lines = report([4, 5, 3, 2], 7, send_back=send_back_without_slope)
    # The output layer's gradients do not use the delta sent back: they stay right.
    assert_every_array_reads(lines, {"W1", "W2", "b1", "b2"}, HIDDEN_SLOPE)
    assert OUTPUT_SLOPE not in "\n".join(lines), "the output layer is right:\n" + "\n".join(lines)
    assert_enters(lines, *SENT_BACK_3_TO_2)


def test_checker_tells_sigma_prime_left_out_everywhere_from_the_output_layer_alone():
    # The output layer's gradients are the same as with σ' left out there alone; the layers below
    # fit only "everywhere", and the reading that fits more arrays is given for all of them.
    lines = report([4, 5, 3, 2], 7, output_delta=output_delta_without_slope,
                   send_back=send_back_without_slope)
    assert_every_array_reads(lines, ALL_SIX, EVERY_SLOPE)
    assert OUTPUT_SLOPE not in "\n".join(lines), said(
        lines, "the layers below fit only 'everywhere', and that reading wins")
    assert_enters(lines, *AT_THE_OUTPUT)


# --- constant factors: the sign, the 2 of 2(a - y), the 1/N and 1/K of the mean ------------------
SIGN = ("= -1 in every entry", "sign error")


def test_checker_names_a_sign_error_everywhere_at_the_output_layer():
    lines = report([4, 5, 3, 2], 7,
                   output_delta=lambda output, Y: 2 * (Y - output) / output.size
                   * output * (1 - output))                    # the bug: Y - output
    assert_every_array_reads(lines, ALL_SIX, *SIGN)
    assert_enters(lines, *AT_THE_OUTPUT)


def test_checker_names_a_sign_error_in_one_layer_with_that_layer():
    def send_back_negated_into_layer_1(delta, W, a_prev, l):
        sign = -1 if l == 1 else 1                             # the bug, in one step only
        return sign * (delta @ W.T) * a_prev * (1 - a_prev)

    lines = report([4, 5, 3, 2], 7, send_back=send_back_negated_into_layer_1)
    assert_every_array_reads(lines, {"W1", "b1"}, *SIGN)
    assert_enters(lines, "layers 2 to 3", "layer 1's are wrong", "from layer 2 to layer 1",
                  "delta^1 = (delta^2 @ (W^2)^T) · σ'(z^1)")


def test_checker_names_a_sign_error_in_a_network_of_one_layer():
    lines = report([3, 2], 7, output_delta=lambda output, Y: 2 * (Y - output) / output.size
                   * output * (1 - output))                    # the bug: Y - output
    assert_every_array_reads(lines, {"W1", "b1"}, *SIGN)
    assert_enters(lines, *AT_THE_OUTPUT, "delta^1 = 2(a^1 - Y)/(N·K) · σ'(z^1)")


# N = 7 samples and K = 3 outputs keep every factor apart: 2, 3, 7 and 21 are all different.
SIZES_K3, N7 = [4, 5, 3], 7
ALL_FOUR = {"W1", "W2", "b1", "b2"}


def test_checker_names_the_missing_2_of_the_squares_derivative():
    lines = report(SIZES_K3, N7, output_delta=lambda output, Y: (output - Y) / output.size
                   * output * (1 - output))                    # the bug: no 2
    assert_every_array_reads(lines, ALL_FOUR, "= 1/2 in every entry", "2(a - y)", "missing")
    assert " or " not in "\n".join(diagnoses(lines).values()), "one reading only, K = 3 != 2"
    assert_enters(lines, *AT_THE_OUTPUT)


def test_checker_names_a_sum_over_the_batch_where_the_mean_belongs():
    lines = report(SIZES_K3, N7, output_delta=lambda output, Y: 2 * (output - Y) / output.shape[1]
                   * output * (1 - output))                    # the bug: / K, not / (N K)
    assert_every_array_reads(lines, ALL_FOUR, "= 7 in every entry", "1/N", "missing", "N = 7")
    assert_enters(lines, *AT_THE_OUTPUT)


def test_checker_names_a_sum_over_all_entries_where_the_mean_belongs():
    lines = report(SIZES_K3, N7, output_delta=lambda output, Y: 2 * (output - Y)
                   * output * (1 - output))                    # the bug: no / (N K)
    assert_every_array_reads(lines, ALL_FOUR, "= 21 in every entry", "1/(N·K)", "missing")


def test_checker_names_a_mean_over_the_batch_at_the_bias_gradient():
    # delta already carries the mean's 1/N, so grad_b must sum it; a mean divides by N again.
    lines = report(SIZES_K3, N7, grad_b=lambda delta: delta.mean(axis=0))
    assert_every_array_reads(lines, {"b1", "b2"}, "= 1/7 in every entry", "1/N", "twice")
    assert_enters(lines, "bias gradient is wrong", "grad_b^2 = delta^2 summed over the batch",
                  "axis 0")


def test_checker_names_a_mistake_in_the_output_layers_own_gradients():
    # delta^2 is right (the layer below, built from what it sends back, is right); only the output
    # layer's two gradients are doubled after it.
    lines = report_scaled(SIZES_K3, [1, 2], [1, 2])
    assert_every_array_reads(lines, {"W2", "b2"}, "= 2 in every entry", "2(a - y)", "doubled")
    assert_enters(lines, "delta^2 is sent back right", "grad_W^2 and grad_b^2")


@pytest.mark.parametrize("sizes, n_samples, bug, readings", [
    # N = 2: a sum over the batch doubles the gradient, as a doubled 2 of 2(a - y) would.
    ([4, 5, 3], 2, lambda output, Y: 2 * (output - Y) / output.shape[1] * output * (1 - output),
     ["the 1/N of the mean is missing", "the 2 of the square's derivative 2(a - y) is doubled"]),
    # K = 2: leaving out the 2 halves it, as dividing by K twice would.
    ([4, 5, 3, 2], 7, lambda output, Y: (output - Y) / output.size * output * (1 - output),
     ["the 2 of the square's derivative 2(a - y) is missing", "the 1/K is applied twice"]),
])
def test_checker_gives_every_reading_of_a_factor_n_or_k_make_ambiguous(sizes, n_samples,
                                                                         bug, readings):
    lines = report(sizes, n_samples, output_delta=bug)
    for name, text in diagnoses(lines).items():
        assert all(reading in text for reading in readings) and " or " in text, (
            f"{name} should give both readings {readings}: {text}")


def test_checker_calls_a_one_percent_error_only_a_constant_factor():
    lines = report_scaled([4, 5, 3, 2], [1.01, 1, 1], [1, 1, 1])
    found = diagnoses(lines)
    assert set(found) == {"W1"}, said(lines, "W1 alone is 1% off")
    assert_mentions(found["W1"], "= 1.01 in every entry", "constant factor")
    assert_enters(lines, "layer 1's weight gradient is wrong", "grad_W^1 = (a^0)^T @ delta^1")


def test_checker_does_not_call_a_half_percent_error_a_factor_of_1():
    # 1.005 is within 1% of 1: a named factor must match to FACTOR_PRECISION, far tighter.
    lines = report_scaled([4, 5, 3, 2], [1.005, 1, 1], [1, 1, 1])
    found = diagnoses(lines)
    assert set(found) == {"W1"} and "= 1.005 in every entry" in found["W1"], said(
        lines, "W1 is 1.005 times the numerical gradient")
    assert "constant factor" in found["W1"] and "= 1 in every entry" not in found["W1"], said(
        lines, "1.005 is an unnamed constant factor, not a factor of 1")


# --- transposes ----------------------------------------------------------------------------------
def test_checker_names_a_transposed_weight_gradient_of_a_square_layer():
    # delta^T @ a^(l-1) is (n_out, n_in): the shape of W^l only when W^l is square, as here.
    lines = report([4, 4, 4, 4], 7, grad_w=lambda a_prev, delta: delta.T @ a_prev)
    assert_every_array_reads(lines, {"W1", "W2", "W3"}, "transposed")
    assert_enters(lines, "weight gradient is wrong", "grad_W^3 = (a^2)^T @ delta^3")


def test_checker_keeps_the_shape_message_for_a_transposed_non_square_gradient():
    lines = report([4, 5, 3, 2], 7, grad_w=lambda a_prev, delta: delta.T @ a_prev)
    shapes = [(1, (5, 4)), (2, (3, 5)), (3, (2, 3))]
    assert len(lines) == len(shapes), said(lines, "a non-square transpose stays a shape mismatch")
    for line, (l, shape) in zip(lines, shapes):
        assert line.startswith(f"W{l} (layer {l} weights): "), said(lines, f"W{l} is named")
        assert_mentions(line, f"shape {shape}", f"expected {shape[::-1]}")
        assert "transposed" not in line, said(lines, "a non-square transpose is a shape mismatch")


def send_back_along_w(delta, W, a_prev, l):
    return (delta @ W) * a_prev * (1 - a_prev)                 # the bug: W, not W.T


def test_checker_names_delta_sent_back_along_w_instead_of_its_transpose():
    # It runs only if every W that sends delta back (all but the first) is square. It gives no
    # transposed array: (a^(l-1))^T @ delta^l with delta^l sent along W^l where (W^l)^T belongs,
    # which the checker recomputes and finds in every entry of the layers below the output.
    lines = report([3, 4, 4, 4], 7, send_back=send_back_along_w)
    assert_every_array_reads(lines, {"W1", "W2", "b1", "b2"}, "(W^l)^T", "transpose",
                             "delta sent back")
    assert "transposed" not in "\n".join(lines), "no array is a transpose:\n" + "\n".join(lines)
    assert_enters(lines, *SENT_BACK_3_TO_2)


@pytest.mark.parametrize("sizes", [[4, 4, 4, 2], [2, 16, 16, 1]])
def test_checker_never_sees_delta_sent_back_along_a_non_square_w(sizes):
    # Here the last W is (n, K) with n != K: delta^L (N, K) @ W^L (n, K) cannot be multiplied, so
    # the learner sees NumPy's error from their own line before any gradient is checked.
    net, X, Y = random_problem(L04B, sizes, 7, 0)
    with pytest.raises(ValueError, match="matmul"):
        planted(net, send_back=send_back_along_w)(X, Y)


# --- readings that tie: the cheapest wins, ties are all given in one order -----------------------
# A reading costs one per factor of c (the sign counts as one) and one for a transpose or a
# recomputed mistake; an unnamed constant costs 10.
ANTISYMMETRIC = np.array([[0.0, 1.5], [-1.5, 0.0]])


def antisymmetric_report(c):
    """The lines for an analytic gradient c times that of L(P) = sum of ANTISYMMETRIC * P, a
    gradient whose transpose is its negative: c · n = -c · n^T."""
    P = np.zeros((2, 2))
    loss = lambda: float(np.sum(ANTISYMMETRIC * P))
    return short(gradient_problems(loss, [P], [c * ANTISYMMETRIC], ["W1 (layer 1 weights)"]))


@pytest.mark.parametrize("c, tie", [
    (2.0, False),    # 2 · n costs 1 (the 2); -2 · n^T costs 3 (sign, 2, transpose)
    (-1.0, True),    # -n costs 1 (the sign), n^T costs 1 (the transpose)
    (-2.0, True),    # -2 · n costs 2, 2 · n^T costs 2
])
def test_a_sign_and_a_transpose_cost_one_each_and_ties_come_in_one_order(c, tie):
    texts = {diagnoses(antisymmetric_report(c)).get("W1", "") for _ in range(3)}
    assert len(texts) == 1, f"the same numbers read differently: {texts}"
    text = texts.pop()
    if not tie:
        assert "doubled" in text and "transposed" not in text and " or " not in text, (
            f"{c} · n is read as the factor 2 alone: {text}")
    else:
        assert "sign error" in text and "transposed" in text and " or " in text, (
            f"{c} · n = {-c} · n^T: a tie gives both readings: {text}")
        assert text.index("sign error") < text.index("transposed"), (
            f"in a tie the numerical gradient's own reading comes first: {text}")


def test_a_named_mistake_beats_an_unnamed_constant_factor():
    # One sample, one output: leaving σ'(z^L) out divides every gradient by the same number
    # σ'(z^L), which has no name (cost 10); the recomputed mistake fits with c = 1 (cost 1).
    lines = report([3, 4, 1], 1, output_delta=output_delta_without_slope)
    assert_every_array_reads(lines, {"W1", "W2", "b1", "b2"}, OUTPUT_SLOPE)
    assert "constant factor" not in "\n".join(lines), said(
        lines, "the unnamed constant factor loses to the named mistake")


# --- no diagnosis where the numbers show none ----------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("how", ["random", "noisy"])
def test_checker_diagnoses_nothing_in_a_wrong_gradient_of_no_known_shape(seed, how):
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, seed)
    rng = np.random.default_rng(100 + seed)

    def backward_random(X, Y):
        grad_weights, grad_biases = net.backward(X, Y)
        # "random": entries of the right size, sign and value unrelated; "noisy": the right
        # gradient with 10% noise on each entry, so no one factor fits.
        wrong = ((lambda g: rng.normal(size=g.shape) * np.abs(g).mean()) if how == "random"
                 else (lambda g: g * (1 + 0.1 * rng.normal(size=g.shape))))
        return [wrong(g) for g in grad_weights], [wrong(g) for g in grad_biases]

    lines = short(backprop_problems(L04B, net, X, Y, backward_random))
    assert wrong_arrays(lines) == ALL_SIX, said(lines, "every array is wrong")
    assert diagnoses(lines) == {}, "no diagnosis fits a random gradient:\n" + "\n".join(lines)


def test_checker_diagnoses_nothing_in_one_entry_off_by_an_unnamed_factor():
    # One number is always some constant times another: that shows no constant factor.
    lines = report_scaled([4, 5, 1], [1, 1], [1, 1.37])
    assert wrong_arrays(lines) == {"b2"} and diagnoses(lines) == {}, said(
        lines, "one entry off by 1.37 shows no factor")


def test_checker_names_a_gradient_left_at_zero():
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)

    def backward_without_layer_1(X, Y):
        grad_weights, grad_biases = net.backward(X, Y)
        return [np.zeros_like(grad_weights[0]), *grad_weights[1:]], grad_biases

    lines = short(backprop_problems(L04B, net, X, Y, backward_without_layer_1))
    found = diagnoses(lines)
    assert set(found) == {"W1"}, said(lines, "W1 alone is left at zero")
    assert_mentions(found["W1"], "analytic is 0 in every entry", "no gradient reaches")


def test_checker_claims_no_recomputed_mistake_when_the_loss_is_not_the_mean_square():
    # The recomputed mistakes, and the factors N and K, assume mse_loss = the mean of (a - y)^2.
    # A lesson whose loss is the sum instead gets neither: its numbers are read as they stand.
    def sum_of_squares(prediction, target):
        return float(np.sum((prediction - target) ** 2))

    summed = types.SimpleNamespace(Network=L04B.Network, mse_loss=sum_of_squares)
    net, X, Y = random_problem(L04B, [4, 5, 3, 2], 7, 0)
    lines = short(backprop_problems(summed, net, X, Y,
                                    planted(net, send_back=send_back_without_slope)))
    assert wrong_arrays(lines) == ALL_SIX, "against the sum every array is off\n" + "\n".join(lines)
    assert not any("σ'" in text or "1/N" in text for text in diagnoses(lines).values()), (
        "no mistake may be claimed from a model the lesson does not follow:\n" + "\n".join(lines))


# --- without the network: only what the arrays themselves show ----------------------------------
def test_checker_without_the_network_points_out_a_ratio_of_4_or_more_everywhere():
    # With targets Y = 0 every output error a - y > 0, and the hidden activations a^1 > 0, so each
    # term of the output layer's sums (a^1)^T @ delta^2 has one sign, and leaving σ' ≤ 1/4 out
    # multiplies each by 4 or more: so the sum too. The first layer's inputs X have both signs, so
    # its sums do not scale that way and nothing is said about W1.
    net, X, Y = random_problem(L04B, SIZES_K3, N7, 0)
    Y = np.zeros_like(Y)
    grad_weights, grad_biases = planted(net, output_delta=output_delta_without_slope)(X, Y)
    loss = lambda: L04B.mse_loss(net.forward(X), Y)
    lines = short(gradient_problems(loss, net.weights + net.biases, grad_weights + grad_biases,
                                    network_names(net)))
    found = diagnoses(lines)
    for name in ("W2", "b2"):
        assert re.search(r"runs from [\d.]+ to [\d.]+", found.get(name, "")), (
            f"{name}:\n" + "\n".join(lines))
        assert_mentions(found[name], "4 or more", "σ'(z) = a(1 - a)", "1/4")
    assert "W1" not in found, "W1's ratio is not 4 or more everywhere:\n" + "\n".join(lines)
    assert where(lines) is None, "without the network the checker knows no layers"


def test_checker_without_the_network_finds_one_samples_missing_sigma_prime_constant():
    # One sample, one output: delta^L is one number, so leaving out σ'(z^L) divides every
    # gradient by the same σ'(z^L) ≤ 1/4; the factor has no name but is 4 or more.
    net, X, Y = random_problem(L04B, [3, 4, 1], 1, 0)
    grad_weights, grad_biases = planted(net, output_delta=output_delta_without_slope)(X, Y)
    loss = lambda: L04B.mse_loss(net.forward(X), Y)
    lines = short(gradient_problems(loss, net.weights + net.biases, grad_weights + grad_biases,
                                    network_names(net)))
    factor = 1 / float(net.forward(X)[0, 0] * (1 - net.forward(X)[0, 0]))
    for name in ("W1", "W2", "b1"):     # b2 is a single number: it shows no constant factor
        assert name in diagnoses(lines), said(lines, f"{name}: a constant factor of 4 or more")
        assert_mentions(diagnoses(lines)[name], f"= {factor:.4g} in every entry",
                        "constant factor of 4 or more", "σ'(z) = a(1 - a)")
    assert "b2" not in diagnoses(lines), said(lines, "a single number shows no constant factor")


@pytest.mark.parametrize("ratios, slope", [
    ([5, 6, 7, 5], True), ([5, -6, 7, -5], False), ([-5, -6, -7, -5], False),
    ([-5, -5, -5, -5], False), ([5, 5, 5, 5], True)],
    ids=["all_4_or_more", "mixed_sign", "all_negative", "negative_constant", "constant_5"])
def test_checker_calls_only_positive_ratios_of_4_or_more_a_left_out_sigma_prime(ratios, slope):
    # σ' = a(1 - a) lies in (0, 1/4]: leaving it out multiplies by 4 or more, never flips a sign.
    # L(q) = sum of q^2 / 2 has the gradient q; the analytic one is q times the ratios.
    q = np.array([0.5, -1.0, 2.0, 1.5])
    loss = lambda: float(np.sum(q ** 2) / 2)
    lines = short(gradient_problems(loss, [q], [q * np.array(ratios, dtype=float)],
                                    ["W1 (layer 1 weights)"]))
    assert wrong_arrays(lines) == {"W1"}, said(lines, "the array is wrong")
    assert ("σ'" in diagnoses(lines).get("W1", "")) == slope, said(
        lines, f"ratios {ratios}: a left-out σ' {'is' if slope else 'is not'} what they show")


# --- softmax with cross-entropy (lesson 06b): the mistakes of another loss -----------------------
L06B = load_lesson("06b_the_cures.py")


def softmax_report(network_class, hidden, seed=0, output_delta=None, slope=None):
    """The checker's lines for a lesson 06b network of [4, 5, 3] on 7 samples whose backward has
    the output_delta or slope given swapped in (a planted mistake)."""
    rng = np.random.default_rng(seed)
    net = network_class([4, 5, 3], seed=seed, dtype=np.float64)
    X = rng.normal(size=(7, 4))
    Y = np.eye(3)[rng.integers(0, 3, size=7)]
    if output_delta:
        net.output_delta = output_delta
    if slope:
        net.slope = slope
    return short(cross_entropy_problems(net, X, Y, hidden))


def test_checker_reports_nothing_for_the_right_cross_entropy_gradient():
    assert softmax_report(L06B.SoftmaxNetwork, "sigmoid") == []


def test_checker_names_the_sigmoid_slope_kept_in_the_cross_entropy_delta():
    kept = lambda output, Y: (output - Y) / len(Y) * output * (1 - output)
    lines = softmax_report(L06B.SoftmaxNetwork, "sigmoid", output_delta=kept)
    assert_every_array_reads(lines, {"W1", "W2", "b1", "b2"}, "the gradient with σ' kept at "
                             "the output")
    assert where(lines) is None, said(lines, "no MSE-only 'where' line for another loss")


def test_checker_names_the_1_over_n_left_out_of_the_cross_entropy_delta():
    summed = lambda output, Y: output - Y
    lines = softmax_report(L06B.SoftmaxNetwork, "sigmoid", output_delta=summed)
    assert_every_array_reads(lines, {"W1", "W2", "b1", "b2"}, "the 1/N of the mean is missing")
    assert "N = 7" in "\n".join(lines), said(lines, "N is the batch of 7")


def test_checker_names_a_relu_slope_taken_as_the_output():
    lines = softmax_report(L06B.CuredNetwork, "relu", slope=lambda a: a)
    assert_every_array_reads(lines, {"W1", "b1"}, "the ReLU's slope taken as its output a")
