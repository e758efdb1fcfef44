"""Lesson 04a: the chain-rule gradient of one neuron, its numerical check, and gradient descent."""
import numpy as np
import pytest

from gradcheck import (check_gradients, gradient_is_correct, numerical_gradients,
                       worst_relative_error)
from helpers import assert_mentions, load_lesson
from support.verdicts import print_far_side

L04A = load_lesson("04a_backprop_single_neuron.py")


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n_samples, n_inputs", [(1, 1), (7, 3), (20, 5)])
def test_chain_rule_matches_central_differences(seed, n_samples, n_inputs):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n_samples, n_inputs)), rng.uniform(size=n_samples)
    # b as a 1-entry array so that it can be nudged in place
    w, b = rng.normal(size=n_inputs), np.array([rng.normal()])
    value, grad_w, grad_b = L04A.neuron_loss_and_gradients(X, y, w, b[0])
    expected = float(np.mean((1 / (1 + np.exp(-(X @ w + b[0]))) - y) ** 2))
    close = value == pytest.approx(expected, rel=1e-12)
    assert close, \
        f"the loss L on {n_samples} samples came out {value!r}, expected mean_n (a_n - y_n)^2 = " \
        f"{expected!r}"
    loss = lambda: L04A.neuron_loss_and_gradients(X, y, w, b[0])[0]
    check_gradients(loss, [w, b], [grad_w, np.array([grad_b])], ["dL/dw", "dL/db"])


def test_the_checker_catches_a_wrong_gradient():
    rng = np.random.default_rng(0)
    X, y, w, b = rng.normal(size=(7, 3)), rng.uniform(size=7), rng.normal(size=3), np.array([0.3])
    loss = lambda: L04A.neuron_loss_and_gradients(X, y, w, b[0])[0]
    _, grad_w, grad_b = L04A.neuron_loss_and_gradients(X, y, w, b[0])
    nudged = grad_w.copy()
    nudged[1] *= 1.001  # one entry off by 0.1%
    passed = gradient_is_correct(loss, [w, b], [nudged, np.array([grad_b])])
    assert not passed, "the checker passed a dL/dw with one entry 0.1% off"
    # A classic mistake: forgetting the sigmoid's slope da/dz.
    a = L04A.sigmoid(X @ w + b[0])
    forgot_slope = X.T @ (2 * (a - y) / y.size)
    passed = gradient_is_correct(loss, [w, b], [forgot_slope, np.array([grad_b])])
    assert not passed, "the checker passed a dL/dw without the sigmoid's slope"


def test_lessons_numerical_gradient_agrees_with_the_tests_checker():
    rng = np.random.default_rng(3)
    X, y, w = rng.normal(size=(5, 4)), rng.uniform(size=5), rng.normal(size=4)
    lesson = L04A.numerical_gradient(lambda p: L04A.neuron_loss_and_gradients(X, y, p, 0.2)[0],
                                     w.copy())
    ours = numerical_gradients(lambda: L04A.neuron_loss_and_gradients(X, y, w, 0.2)[0], [w])[0]
    worst = worst_relative_error([lesson], [ours])
    assert worst < 1e-6, (f"numerical_gradient {lesson} and the tests' checker {ours} differ by "
                          f"a relative {worst:.1e}, expected below 1e-6")


def test_relative_error():
    got = L04A.relative_error([1.0, 0.0, -2.0], [1.1, 0.0, -2.0])
    right = np.allclose(got, [0.1 / 1.1, 0.0, 0.0], rtol=1e-7, atol=0)
    assert right, f"relative_error([1, 0, -2], [1.1, 0, -2]) gave {got}, expected [0.1 / 1.1, 0, 0]"


def test_gradient_descent_finds_the_bottom_of_lesson_03s_surface():
    X = L04A.HOURS[:, None]
    w, b, path = L04A.train_neuron(X, L04A.PASSED, [L04A.START[0]], L04A.START[1], lr=2.0,
                                   steps=1000)
    w_grid, b_grid = np.meshgrid(np.linspace(0, 4, 401), np.linspace(-10, 0, 1001))
    grid_minimum = L04A.neuron_loss(w_grid, b_grid).min()
    shape = np.shape(path)
    assert shape == (1001, 3), \
        f"1000 steps with one weight: the path should be (1001, 3), rows (w, b, loss); got {shape}"
    start, end = path[0, -1], path[-1, -1]
    assert end < start / 5 and end <= grid_minimum + 1e-4, \
        (f"the loss went from {start:.5f} to {end:.5f} in 1000 steps at lr 2; expected at most "
         f"the lowest loss on a fine grid, {grid_minimum:.5f} (+ 1e-4)")
    close = (w[0], b) == pytest.approx((1.85, -5.08), abs=0.02)
    assert close, \
        f"descent ended at w = {w[0]:.4f}, b = {b:.4f}; the minimum is near w = 1.85, b = -5.08"


def test_what_lies_beyond_the_plateau_is_measured(capsys):
    minimum = L04A.find_minimum(L04A.HOURS[:, None], L04A.PASSED)
    print_far_side(L04A.STUCK_START, -6.9, minimum, L04A.neuron_loss, L04A.PASSED)
    said = capsys.readouterr().out
    assert_mentions(said, "better than 0.25", "downhill")
    # The best constant answer, the pass rate, is the best any w < 0 can get near: checked on a
    # grid of w < 0 against the number the lesson prints.
    w, b = np.meshgrid(np.linspace(-8, -0.001, 400), np.linspace(-20, 20, 801))
    lowest = L04A.neuron_loss(w, b).min()
    assert lowest > 0.25, f"the lowest loss with w < 0 is {lowest}, expected above 0.25"
    # From a start behind a rise, the lesson says so instead.
    print_far_side((-6.0, -2.0), -6.9, minimum, L04A.neuron_loss, L04A.PASSED)
    said = capsys.readouterr().out
    assert_mentions(said, "climbs")
    assert "downhill" not in said, said


def test_the_minimum_is_where_the_gradient_vanishes():
    w, b, loss = L04A.find_minimum(L04A.HOURS[:, None], L04A.PASSED)
    _, grad_w, grad_b = L04A.neuron_loss_and_gradients(L04A.HOURS[:, None], L04A.PASSED,
                                                      np.array([w]), b)
    assert max(abs(grad_w[0]), abs(grad_b)) < 1e-9, \
        (f"find_minimum ended at w = {w:.4f}, b = {b:.4f} with gradient ({grad_w[0]:.1e}, "
         f"{grad_b:.1e}), expected below 1e-9")
    close = (w, b) == pytest.approx((1.8455, -5.0752), abs=1e-3)
    assert close, \
        f"find_minimum ended at w = {w:.4f}, b = {b:.4f}; expected w = 1.8455, b = -5.0752"


def test_the_verdict_follows_the_error():
    at, above = (L04A.gradient_verdict(L04A.GRADIENT_AGREES * k) for k in (1, 1.01))
    right = "gives the true gradient" in at and "is wrong" in above
    assert right, f"at the tolerance the verdict said {at!r}; just above it, {above!r}"
