"""support/verdicts.py: each verdict follows the numbers handed in, on made-up losses and outputs,
and on lesson 04b's network set by hand to compute OR.

How the lessons' own runs are judged is checked by test_command_lines.py, test_04a_*.py and
test_04b_*.py."""
import types

import numpy as np
import pytest

from helpers import assert_mentions, load_lesson
from support.verdicts import (FLAT, NEAR, print_descent_end, print_far_side, print_loss_jumps,
                              print_single_neuron_verdict, why_training_failed)

TARGETS = np.array([0.0, 0.0, 1.0, 1.0])          # rising with the input; pass rate 0.5, var 0.25
MINIMUM = (1.0, 1.0, 0.1)                         # (w, b, loss)


def bowl(w, b):
    """A loss surface falling all the way from anywhere to MINIMUM."""
    return 0.1 + (w - 1.0) ** 2 + (b - 1.0) ** 2


def descent_end(last_loss, outputs, slope, slope_before, last_w=-5.0):
    """What print_descent_end says of an 11-row path ending at (last_w, 0, last_loss), given the
    outputs and σ'(z) measured at its end and a tenth of the way back (row 9)."""
    path = np.array([[-2.0, -2.0, 0.9]] * 10 + [[last_w, 0.0, last_loss]])

    def outputs_and_slope(w, b):
        return (np.asarray(outputs), slope) if w == last_w else (np.asarray(outputs), slope_before)
    print_descent_end(path, MINIMUM, outputs_and_slope, bowl, TARGETS)


def test_a_descent_within_near_of_the_minimum_ends_there(capsys):
    descent_end(MINIMUM[2] + NEAR, [0.1, 0.2, 0.8, 0.9], 0.2, 0.2)
    assert_mentions(capsys.readouterr().out, "-> ", "near the minimum", "0.1010")
    descent_end(MINIMUM[2] + 2 * NEAR, [0.1, 0.2, 0.8, 0.9], 0.2, 0.2)
    said = capsys.readouterr().out
    assert "has not reached the minimum yet" in said and "σ'(z) is up to 2.0e-01" in said, said


def test_one_answer_for_all_with_flat_slopes_is_a_plateau(capsys):
    descent_end(0.5, [0.01, 0.02, 0.03, 0.04], FLAT * 0.99, 0.2)
    said = capsys.readouterr().out
    assert_mentions(said, "ends on a plateau", "answers 0")
    assert "no (w, b) does better than 0.25" in said and "pass rate 0.5" in said, said
    # Just as flat, but one output on the other side of 0.5: no plateau of one answer.
    descent_end(0.5, [0.01, 0.02, 0.03, 0.6], FLAT * 0.99, 0.2)
    assert "has not reached the minimum yet" in capsys.readouterr().out
    # One answer, but the slope at FLAT and rising: still on its way.
    descent_end(0.5, [0.6, 0.7, 0.8, 0.9], FLAT, FLAT / 2)
    assert "has not reached the minimum yet" in capsys.readouterr().out


def test_one_answer_with_a_falling_slope_is_heading_for_a_plateau(capsys):
    descent_end(0.5, [0.6, 0.7, 0.8, 0.9], 0.12, 0.15)
    said = capsys.readouterr().out
    assert_mentions(said, "heading for a plateau", "answers 1")
    assert "1.2e-01, down from 1.5e-01" in said, said
    # One answer, but the slope no smaller than a tenth of the run ago: not flattening.
    descent_end(0.5, [0.6, 0.7, 0.8, 0.9], 0.12, 0.12)
    said = capsys.readouterr().out
    assert "has not reached the minimum yet" in said and "plateau" not in said, said


def test_from_a_positive_weight_the_minimum_only_lies_elsewhere(capsys):
    print_far_side((-2.0, -2.0), 0.5, MINIMUM, bowl, TARGETS)
    said = capsys.readouterr().out
    assert_mentions(said, "minimum (0.1000)", "elsewhere")
    assert "w < 0" not in said, said


def test_the_line_to_the_minimum_is_measured_on_the_loss_surface(capsys):
    print_far_side((-2.0, -2.0), -5.0, MINIMUM, bowl, TARGETS)
    assert "runs downhill all the way" in capsys.readouterr().out

    def ridge(w, b):      # the bowl with a bump of height 2 halfway along the line
        return bowl(w, b) + 2.0 * np.exp(-((w + 0.5) ** 2 + (b + 0.5) ** 2) / 0.1)
    print_far_side((-2.0, -2.0), -5.0, MINIMUM, ridge, TARGETS)
    said = capsys.readouterr().out
    t = np.linspace(0, 1, 1001)
    highest = ridge(-2.0 + 3.0 * t, -2.0 + 3.0 * t).max()
    assert f"first climbs to a loss of {highest:.4f}" in said and "downhill" not in said, said


def test_one_neuron_on_xor_is_judged_against_the_least_it_can_reach(capsys):
    print_single_neuron_verdict(0.2509, 0.25, 10.0)
    said = capsys.readouterr().out
    assert_mentions(said, "0.2509", "the least")
    print_single_neuron_verdict(0.2511, 0.25, 40.0)
    said = capsys.readouterr().out
    assert_mentions(said, "0.2511", "more than", "0.2500", "lr 40")


def test_the_largest_jump_is_the_largest_ratio(capsys):
    # +1.0 from 10 to 11 is the largest rise by difference; x3 from 0.1 to 0.3 by ratio.
    print_loss_jumps(np.array([10.0, 11.0, 0.1, 0.3]))
    said = capsys.readouterr().out
    assert_mentions(said, "up 2 times", "4 steps", "step 3", "0.1000 to 0.3000")
    print_loss_jumps(np.array([1.0, 1.0, 0.5]))
    assert "went down at every one of the 3 steps" in capsys.readouterr().out


def network(outputs):
    """A stand-in for a one-output Network whose forward pass gives `outputs` for any X."""
    return types.SimpleNamespace(sizes=[2, 3, 1],
                                 forward=lambda X: np.asarray(outputs, dtype=float)[:, None])


LABELS = np.array([0, 1, 1, 0])
SATURATED_3_OF_4 = [0.001, 0.999, 0.999, 0.999]       # right on 3 of 4, all within 0.01 of 0 or 1
SLOPED_3_OF_4 = [0.3, 0.7, 0.7, 0.7]


def test_a_network_that_beats_the_baseline_has_no_failure():
    assert why_training_failed(network([0.1, 0.9, 0.9, 0.1]), None, LABELS, 40.0, 0.75, "a line",
                               10.0) is None
    # Right on exactly the baseline's share is no better than the baseline.
    assert why_training_failed(network(SATURATED_3_OF_4), None, LABELS, 40.0, 0.75, "a line",
                               10.0) is not None


@pytest.mark.parametrize("outputs, lr, said, not_said", [
    (SATURATED_3_OF_4, 40.0, ["75.0%", "100% of its outputs", "40 is too large; try --lr 10"],
     ["does not explain"]),
    (SATURATED_3_OF_4, 10.0, ["100% of its outputs", "does not explain", "--lr 5"],
     ["too large"]),
    (SLOPED_3_OF_4, 1.0, ["not saturated", "1 is too small", "--lr 10"], ["does not explain"]),
    (SLOPED_3_OF_4, 20.0, ["although its outputs are not saturated", "--lr 10"], ["too small"]),
], ids=["saturated_fast", "saturated_usual", "sloped_slow", "sloped_fast"])
def test_why_a_network_failed_is_read_from_its_outputs_and_rate(outputs, lr, said, not_said):
    why = why_training_failed(network(outputs), None, LABELS, lr, 0.75, "a line", 10.0)
    assert why.startswith("Network([2, 3, 1]) gets"), why
    assert all(words in why for words in said), f"expected {said} in: {why}"
    assert not any(words in why for words in not_said), f"expected none of {not_said} in: {why}"


def test_the_loss_jumps_are_counted_from_the_losses(capsys):
    print_loss_jumps(np.array([1.0, 0.5, 0.8, 0.4, 0.3, 0.6]))
    said = capsys.readouterr().out.strip()
    assert "\n" not in said, said
    assert_mentions(said, "up 2 times", "6 steps", "step 5", "0.3000 to 0.6000")
    print_loss_jumps(np.array([1.0, 0.5, 0.8]))
    assert_mentions(capsys.readouterr().out, "up 1 time ", "3 steps", "step 2")
    print_loss_jumps(np.array([1.0, 0.5, 0.4]))
    said = capsys.readouterr().out
    assert_mentions(said, "down", "3 steps")
    assert "up" not in said, said


# --- lesson 04b's network, set by hand ----------------------------------------------------------
L04B = load_lesson("04b_backprop_network.py")


def test_xor_right_on_three_of_four_is_no_better_than_a_straight_line():
    """Saturated with one point wrong: what one straight line already gets, steps too large."""
    why = why_training_failed(xor_network_computing_or(40.0), L04B.XOR_X, L04B.XOR_Y[:, 0],
                              40.0, 0.75, "a straight line (3 of 4)", L04B.LR)
    assert why is not None and why.startswith("Network([2, 3, 1]) "), why
    assert_mentions(why, "75.0%", "a straight line (3 of 4)", "100% of its outputs", "0.01",
                    "40 is too large", "--lr 10")


def test_a_network_that_fails_unsaturated_is_told_by_its_learning_rate():
    """Not saturated and wrong: a small rate is too small; a rate not below LR gets no 'larger'."""
    net = xor_network_computing_or(4.0)
    small = why_training_failed(net, L04B.XOR_X, L04B.XOR_Y[:, 0], 1.0, 0.75, "a line", L04B.LR)
    assert_mentions(small, "1 is too small", "--lr 10")
    large = why_training_failed(net, L04B.XOR_X, L04B.XOR_Y[:, 0], 40.0, 0.75, "a line", L04B.LR)
    assert_mentions(large, "gradient check", "--lr 20")
    assert "larger" not in large, large


def test_a_network_saturated_at_a_modest_rate_is_not_told_its_rate_is_too_large():
    """Saturated at lr 3, below the default 10: not the step size (a wrong gradient can do it)."""
    why = why_training_failed(xor_network_computing_or(40.0), L04B.XOR_X, L04B.XOR_Y[:, 0],
                              3.0, 0.75, "a straight line (3 of 4)", L04B.LR)
    assert_mentions(why, "100% of its outputs", "0.01", "gradient check", "--lr 1.5")
    assert "too large" not in why and "--lr 10" not in why, why


def xor_network_computing_or(scale):
    """Network([2, 3, 1]) whose first hidden neuron and output compute OR, σ(scale (x1 + x2 - ½))
    then σ(scale (h - ½)): right on 3 of XOR's 4 points, wrong on (1, 1); saturated for a large
    scale (outputs within 0.01 of 0 or 1), on the sloped middle of σ for a small one. The run at
    --lr 40 ends like this on some CPUs and solves XOR on others: the rounding decides there."""
    net = L04B.Network([2, 3, 1])
    net.weights[0][:] = 0.0
    net.weights[0][:, 0] = scale
    net.biases[0][:] = [-scale / 2, 0.0, 0.0]
    net.weights[1][:] = [[scale], [0.0], [0.0]]
    net.biases[1][:] = [-scale / 2]
    return net
