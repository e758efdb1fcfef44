"""Lesson 04a: the chain-rule gradient of one neuron, its numerical check, and gradient descent."""
import numpy as np
import pytest

from gradcheck import (check_gradients, gradient_is_correct, numerical_gradients,
                       worst_relative_error)
from helpers import load_lesson, run_script

L04A = load_lesson("04a_backprop_single_neuron.py")


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n_samples, n_inputs", [(1, 1), (7, 3), (20, 5)])
def test_chain_rule_matches_central_differences(seed, n_samples, n_inputs):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n_samples, n_inputs)), rng.uniform(size=n_samples)
    # b as a 1-entry array so that it can be nudged in place
    w, b = rng.normal(size=n_inputs), np.array([rng.normal()])
    _, grad_w, grad_b = L04A.neuron_loss_and_gradients(X, y, w, b[0])
    loss = lambda: L04A.neuron_loss_and_gradients(X, y, w, b[0])[0]
    check_gradients(loss, [w, b], [grad_w, np.array([grad_b])], ["dL/dw", "dL/db"])


def test_the_checker_catches_a_wrong_gradient():
    rng = np.random.default_rng(0)
    X, y, w, b = rng.normal(size=(7, 3)), rng.uniform(size=7), rng.normal(size=3), np.array([0.3])
    loss = lambda: L04A.neuron_loss_and_gradients(X, y, w, b[0])[0]
    _, grad_w, grad_b = L04A.neuron_loss_and_gradients(X, y, w, b[0])
    nudged = grad_w.copy()
    nudged[1] *= 1.001  # one entry off by 0.1%
    assert not gradient_is_correct(loss, [w, b], [nudged, np.array([grad_b])])
    # A classic mistake: forgetting the sigmoid's slope da/dz.
    a = L04A.sigmoid(X @ w + b[0])
    forgot_slope = X.T @ (2 * (a - y) / y.size)
    assert not gradient_is_correct(loss, [w, b], [forgot_slope, np.array([grad_b])])


def test_lessons_numerical_gradient_agrees_with_the_tests_checker():
    rng = np.random.default_rng(3)
    X, y, w = rng.normal(size=(5, 4)), rng.uniform(size=5), rng.normal(size=4)
    lesson = L04A.numerical_gradient(lambda p: L04A.neuron_loss_and_gradients(X, y, p, 0.2)[0],
                                     w.copy())
    ours = numerical_gradients(lambda: L04A.neuron_loss_and_gradients(X, y, w, 0.2)[0], [w])[0]
    assert worst_relative_error([lesson], [ours]) < 1e-6


def test_relative_error():
    np.testing.assert_allclose(L04A.relative_error([1.0, 0.0, -2.0], [1.1, 0.0, -2.0]),
                               [0.1 / 1.1, 0.0, 0.0])


def test_gradient_descent_finds_the_bottom_of_lesson_03s_surface():
    X = L04A.HOURS[:, None]
    w, b, path = L04A.train_neuron(X, L04A.PASSED, [L04A.START[0]], L04A.START[1], lr=2.0,
                                   steps=1000)
    w_grid, b_grid = np.meshgrid(np.linspace(0, 4, 401), np.linspace(-10, 0, 1001))
    grid_minimum = L04A.neuron_loss(w_grid, b_grid).min()
    assert path.shape == (1001, 3)
    assert path[-1, -1] < path[0, -1] / 5
    assert path[-1, -1] <= grid_minimum + 1e-4
    assert (w[0], b) == pytest.approx((1.85, -5.08), abs=0.02)


@pytest.mark.parametrize("flag, value, message", [
    ("--lr", "0", "greater than 0"), ("--lr", "-1", "greater than 0"), ("--lr", "nan", "finite"),
    ("--lr", "fast", "not a number"), ("--steps", "0", "1 or more"),
    ("--steps", "2.5", "not a whole number"),
])
def test_bad_values_are_refused_clearly(flag, value, message):
    result = run_script("04a_backprop_single_neuron.py", flag, value, "--no-plots")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_where_each_descent_ends_is_read_from_its_numbers():
    default = run_script("04a_backprop_single_neuron.py", "--no-plots").stdout
    assert default.count("-> it ends near the minimum") == 1
    assert default.count("-> it ends on a plateau: the neuron answers 0 for every student") == 1
    # With a far larger step the good start overshoots onto the other plateau: every output near 1.
    large = run_script("04a_backprop_single_neuron.py", "--no-plots", "--lr", "50").stdout
    assert "-> it ends near the minimum" not in large
    assert "-> it ends on a plateau: the neuron answers 1 for every student" in large
    # A ten times smaller step: the good start has not got there yet and is still moving; the
    # stuck start is on its way to the plateau, which the lesson reads from its flattening slope.
    small = run_script("04a_backprop_single_neuron.py", "--no-plots", "--lr", "0.2").stdout
    assert small.count("-> it has not reached the minimum yet") == 1
    assert "-> it is heading for a plateau: the neuron answers 0 for every student" in small
    assert "ends on a plateau" not in small
    longer = run_script("04a_backprop_single_neuron.py", "--no-plots", "--lr", "0.2",
                        "--steps", "10000").stdout
    assert longer.count("-> it ends near the minimum") == 1
    assert longer.count("-> it ends on a plateau: the neuron answers 0 for every student") == 1


def test_what_lies_beyond_the_plateau_is_measured(capsys):
    minimum = L04A.find_minimum(L04A.HOURS[:, None], L04A.PASSED)
    L04A.print_far_side(L04A.STUCK_START, -6.9, minimum)
    said = capsys.readouterr().out
    assert "no (w, b) does better than 0.25" in said and "runs downhill all the way" in said
    # The best constant answer, the pass rate, is the best any w < 0 can get near: checked on a
    # grid of w < 0 against the number the lesson prints.
    w, b = np.meshgrid(np.linspace(-8, -0.001, 400), np.linspace(-20, 20, 801))
    assert L04A.neuron_loss(w, b).min() > 0.25
    # From a start behind a rise, the lesson says so instead.
    L04A.print_far_side((-6.0, -2.0), -6.9, minimum)
    assert "first climbs to a loss of" in capsys.readouterr().out


def test_the_minimum_is_where_the_gradient_vanishes():
    w, b, loss = L04A.find_minimum(L04A.HOURS[:, None], L04A.PASSED)
    _, grad_w, grad_b = L04A.neuron_loss_and_gradients(L04A.HOURS[:, None], L04A.PASSED,
                                                      np.array([w]), b)
    assert max(abs(grad_w[0]), abs(grad_b)) < 1e-9
    assert (w, b) == pytest.approx((1.8455, -5.0752), abs=1e-3)


def test_the_verdict_follows_the_error():
    assert "gives the true gradient" in L04A.gradient_verdict(L04A.GRADIENT_AGREES)
    assert "is wrong" in L04A.gradient_verdict(L04A.GRADIENT_AGREES * 1.01)
