"""Lesson 01: the sigmoid, one neuron, the AND gate."""
import math

import numpy as np
import pytest

from helpers import load_lesson

L01 = load_lesson("01_single_neuron.py")


@pytest.mark.parametrize("z, expected", [
    (0.0, 0.5),
    (1.0, 1 / (1 + math.exp(-1))),
    (-2.0, 1 / (1 + math.exp(2))),
    (10.0, 1 / (1 + math.exp(-10))),
])
def test_sigmoid_matches_the_formula(z, expected):
    assert L01.sigmoid(z) == pytest.approx(expected, rel=1e-15)


def test_sigmoid_is_symmetric():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(L01.sigmoid(-z), 1 - L01.sigmoid(z), rtol=0, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_extremes_are_finite_without_warnings(dtype):
    # filterwarnings=error turns any overflow RuntimeWarning into a failure.
    big = np.finfo(dtype).max
    z = np.array([-big, -1e4, -800, -100, 100, 800, 1e4, big], dtype=dtype)
    a = L01.sigmoid(z)
    assert a.dtype == dtype
    assert np.all(np.isfinite(a))
    assert np.all((a >= 0) & (a <= 1))
    assert a[0] == 0 and a[-1] == 1
    # Very negative z keeps its tiny, correct value instead of rounding to 0 through 1 - something.
    exact = math.exp(-30) / (1 + math.exp(-30))
    assert L01.sigmoid(np.float64(-30)) == pytest.approx(exact, rel=1e-14)


def test_sigmoid_prime_matches_a_finite_difference():
    z = np.linspace(-6, 6, 25)
    h = 1e-5
    numeric = (L01.sigmoid(z + h) - L01.sigmoid(z - h)) / (2 * h)
    np.testing.assert_allclose(L01.sigmoid_prime(z), numeric, rtol=1e-7, atol=0)
    assert L01.sigmoid_prime(0.0) == 0.25


def test_neuron_against_hand_computed_numbers():
    # z = 0.5*1 + (-0.25)*2 + 0.1 = 0.1
    x, w, b = np.array([1.0, 2.0]), np.array([0.5, -0.25]), 0.1
    assert L01.neuron(x, w, b) == pytest.approx(0.52497918747894, rel=1e-12)
    # z = 2*3 - 1*1 - 5 = 0 -> exactly one half
    assert L01.neuron(np.array([3.0, 1.0]), np.array([2.0, -1.0]), -5.0) == 0.5


def test_and_gate_truth_table():
    outputs = [L01.neuron(x, L01.AND_WEIGHTS, L01.AND_BIAS) for x in L01.TRUTH_TABLE_INPUTS]
    assert [int(a > 0.5) for a in outputs] == [0, 0, 0, 1]
    # Not just barely: every output is within 1e-4 of its bit.
    np.testing.assert_allclose(outputs, [0, 0, 0, 1], atol=1e-4)
