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
    got = L01.sigmoid(z)
    # to 1e-12, what rel=1e-15 checked here before: pytest.approx's default abs=1e-12 outweighed it
    close = got == pytest.approx(expected, abs=1e-12)
    assert close, f"sigmoid({z}) gave {got!r}, expected 1 / (1 + e^(-z)) = {expected!r}"


def test_sigmoid_is_symmetric():
    z = np.linspace(-30, 30, 601)
    gap = np.abs(L01.sigmoid(-z) - (1 - L01.sigmoid(z)))
    worst = int(np.argmax(gap))
    assert gap[worst] <= 1e-15, (f"sigmoid(-z) should be 1 - sigmoid(z) (to 1e-15); at z = "
                                 f"{z[worst]:g} they differ by {gap[worst]:.1e}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_extremes_are_finite_without_warnings(dtype):
    # filterwarnings=error turns any overflow RuntimeWarning into an error, caught here.
    big = np.finfo(dtype).max
    z = np.array([-big, -1e4, -800, -100, 100, 800, 1e4, big], dtype=dtype)
    name = dtype.__name__
    try:
        a = L01.sigmoid(z)
    except RuntimeWarning as warning:
        pytest.fail(f"sigmoid of {name} z from -max to +max warned: {warning}; it must compute "
                    "every finite z without a warning", pytrace=False)
    a = np.asarray(a)
    shown = "sigmoid gave " + ", ".join(f"{float(s)!r} at {v:.3g}" for v, s in zip(z, a.ravel()))
    assert a.dtype == dtype, f"sigmoid of a {name} array gave {a.dtype}"
    in_range = a.shape == z.shape and np.all(np.isfinite(a) & (a >= 0) & (a <= 1))
    assert in_range, f"{shown}: expected {z.shape} values, each finite and in [0, 1]"
    # The ends: what the exact values round to, 1 at the top; at the bottom 0 or nearly.
    ends = np.all(a[:4] < 1e-30) and np.all(a[4:] == 1)
    assert ends, f"{shown}: expected below 1e-30 for z <= -100 and exactly 1 for z >= 100"
    # Very negative z keeps its tiny, correct value instead of rounding to 0 through 1 - something
    # (abs=0: pytest.approx's default abs=1e-12 would let any value below 1e-12 through).
    exact = math.exp(-30) / (1 + math.exp(-30))
    tiny = float(L01.sigmoid(np.float64(-30)))
    accurate = tiny == pytest.approx(exact, rel=1e-14, abs=0)
    assert accurate, f"sigmoid(-30) gave {tiny!r}, expected {exact!r} to 14 digits"


def test_sigmoid_prime_matches_a_finite_difference():
    z = np.linspace(-6, 6, 25)
    h = 1e-5
    numeric = (L01.sigmoid(z + h) - L01.sigmoid(z - h)) / (2 * h)
    slope = L01.sigmoid_prime(z)
    error = np.abs(slope - numeric) / np.abs(numeric)
    worst = int(np.argmax(error))
    assert error[worst] <= 1e-7, (
        f"sigmoid_prime = σ(z)(1 - σ(z)) should match the measured slope of sigmoid to 1e-7; at "
        f"z = {z[worst]:g}: {slope[worst]!r}, measured {numeric[worst]!r}")
    assert L01.sigmoid_prime(0.0) == 0.25, \
        f"sigmoid_prime(0) gave {L01.sigmoid_prime(0.0)!r}, expected 0.25 (σ(0) = 0.5 exactly)"


def test_neuron_against_hand_computed_numbers():
    # z = 0.5*1 + (-0.25)*2 + 0.1 = 0.1
    x, w, b = np.array([1.0, 2.0]), np.array([0.5, -0.25]), 0.1
    got = L01.neuron(x, w, b)
    close = got == pytest.approx(0.52497918747894, rel=1e-12)
    assert close, f"neuron with z = 0.1 gave {got!r}, expected σ(0.1) = 0.52497918747894"
    # z = 2*3 - 1*1 - 5 = 0 -> exactly one half
    got = L01.neuron(np.array([3.0, 1.0]), np.array([2.0, -1.0]), -5.0)
    assert got == 0.5, f"neuron with z = 0 gave {got!r}, expected σ(0) = 0.5 exactly"


def test_and_gate_truth_table():
    outputs = [L01.neuron(x, L01.AND_WEIGHTS, L01.AND_BIAS) for x in L01.TRUTH_TABLE_INPUTS]
    shown = [f"{float(a):.6f}" for a in outputs]
    assert [int(a > 0.5) for a in outputs] == [0, 0, 0, 1], \
        f"the AND neuron gave {shown} for inputs 00, 01, 10, 11; expected 0, 0, 0, 1"
    # Not just barely: every output is within 1e-4 of its bit.
    clean = np.all(np.abs(np.array(outputs, dtype=float) - [0, 0, 0, 1]) <= 1e-4)
    assert clean, f"the AND neuron gave {shown}: each should be within 1e-4 of its bit 0, 0, 0, 1"
