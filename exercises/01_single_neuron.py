# Exercise: 01_single_neuron.py, its new functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 01: a single neuron.

What this file teaches
    A neuron weighs each of its inputs, adds them up with a bias, and squashes the total:

        z = w · x + b = w_1 x_1 + w_2 x_2 + ... + w_n x_n + b    (the "pre-activation")
        a = σ(z) = 1 / (1 + e^(-z))                               (the "activation")

    The sigmoid σ turns any number into something that reads like a probability: very negative z
    gives a ≈ 0, very positive z gives a ≈ 1, and z = 0 gives exactly 0.5. In exact arithmetic a
    lies strictly between 0 and 1; in floating point the ends are reached: in float64 σ(z) rounds
    to exactly 1 from about z = 36.74 on (in float32 from 16.64) and to exactly 0 below -745.13.
    Its slope σ'(z) = σ(z)(1 - σ(z)) is what lesson 04a will need to learn.

    We compute one neuron by hand, then choose weights by hand so that a neuron computes the logic
    gate AND. The line where z = 0 (so a = 0.5) is the neuron's decision line: one side says 1, the
    other 0.

What is new
    Everything: this is the first lesson. It takes nothing from an earlier one; the command line
    and the figures come from support/ (arguments.py, lifecycle.py, figures.py), as in every lesson.

What it leaves out
    Many neurons at once (02), measuring how wrong an output is (03), and learning the weights
    (04a): here a person chooses them.

Run
    python 01_single_neuron.py [--seed N] [--no-plots] [--show] [--figures-dir DIR]
"""
import pathlib, sys  # noqa: E401  (an exercise sits in a folder inside the course)
sys.path[:0] = [str(folder) for folder in pathlib.Path(__file__).resolve().parents
                if (folder / 'support' / 'lessons.py').is_file()][:1]
import sys

try:
    import support  # noqa: F401  (the course's machinery: beside the lessons, or on PYTHONPATH)
except ModuleNotFoundError:
    sys.exit("error: support/ not found: to run a lesson outside the course folder, set "
             "PYTHONPATH to the course folder (README: Quick start)")

import numpy as np

from support.arguments import make_parser
from support.figures import open_pyplot, save_figures
from support.lifecycle import run


# ==================================================================================================
# The neuron
# ==================================================================================================
def neuron(x, w, b):
    """One neuron's output a = σ(w · x + b), for inputs x and weights w, both (n,), and bias b."""
    z = np.dot(w, x) + b
    return sigmoid(z)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)) of a number or of every entry of an array: a value in [0, 1],
    exactly 1 for z >= 100 and below 1e-30 for z <= -100, and σ(-30) ≈ 9.4e-14 to 14 digits.

    Also checked: any finite z (±1e4, float32's largest) without a warning; float32 stays float32.
    """
    raise NotImplementedError(
        "TODO sigmoid: σ(z) for a number or an array, in its float type, without overflow or "
        "warnings; stuck? python tools/hint.py sigmoid")


def sigmoid_prime(z):
    """The slope of the sigmoid, σ'(z) = σ(z) (1 - σ(z)): 0.25 at z = 0, nearly 0 far from it.

    Why: σ(z) = (1 + e^(-z))^(-1), so by the chain rule σ'(z) = e^(-z) / (1 + e^(-z))^2
    = [1 / (1 + e^(-z))] · [e^(-z) / (1 + e^(-z))], and the second factor is 1 - σ(z).
    """
    s = sigmoid(z)
    return s * (1 - s)


# ==================================================================================================
# A neuron that computes AND, and a worked example to check by hand
# ==================================================================================================
# z = 20 x1 + 20 x2 - 30 is only positive when both inputs are 1 (20 + 20 - 30 = 10); with one
# input on it is 20 - 30 = -10. Large weights push σ close to 0 or 1, so the output reads as a
# clean bit.
AND_WEIGHTS = np.array([20.0, 20.0])
AND_BIAS = -30.0
TRUTH_TABLE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def print_worked_example(rng):
    """Compute one neuron step by step, printing every number a reader can check by hand."""
    x = np.round(rng.uniform(-1, 1, size=3), 2)
    w = np.round(rng.uniform(-1, 1, size=3), 2)
    b = 0.5
    print("A worked example: one neuron with 3 inputs")
    print(f"  inputs  x = {x}")
    print(f"  weights w = {w}")
    print(f"  bias    b = {b}")
    products = w * x
    for i, (wi, xi, p) in enumerate(zip(w, x, products), start=1):
        print(f"  w_{i} * x_{i} = {wi:+.2f} * {xi:+.2f} = {p:+.4f}")
    total = products.sum()
    z = total + b
    a = sigmoid(z)
    print(f"  sum of products     = {total:+.4f}")
    print(f"  z = sum + b         = {total:+.4f} + {b} = {z:+.4f}")
    print(f"  a = 1 / (1 + e^-z)  = 1 / (1 + {np.exp(-z):.4f}) = {a:.4f}")
    print(f"  the same with neuron(x, w, b): {neuron(x, w, b):.4f}")
    print()


def print_and_gate():
    """The AND neuron's z, a and answer for each of the four inputs."""
    print(f"A neuron with hand-chosen weights w = {AND_WEIGHTS}, b = {AND_BIAS} computes AND:")
    print("  x1 x2 |      z |        a | a > 0.5")
    for x in TRUTH_TABLE_INPUTS:
        z = np.dot(AND_WEIGHTS, x) + AND_BIAS
        a = neuron(x, AND_WEIGHTS, AND_BIAS)
        print(f"   {x[0]:.0f}  {x[1]:.0f} | {z:+6.1f} | {a:.6f} | {int(a > 0.5)}")
    print()


def print_sigmoid_facts():
    """σ and its slope at a few points, including two where the naive formula would overflow."""
    print("The sigmoid at a few points (and its slope σ'(z) = σ(z)(1 - σ(z))):")
    for z in [-1000.0, -5.0, -1.0, 0.0, 1.0, 5.0, 1000.0]:
        print(f"  z = {z:+8.1f}   σ(z) = {sigmoid(z):.6f}   σ'(z) = {sigmoid_prime(z):.6f}")
    print("  (At z = -1000 the naive formula's e^(-z) = e^1000 overflows float64; at z = +1000")
    print("  e^(-1000) just underflows to 0 and gives 1. The stable form gives 0 and 1.)")
    z, h = np.linspace(-8, 8, 161), 1e-5
    measured = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)     # the slope, measured numerically
    print("  σ(z)(1 - σ(z)) against the measured slope (σ(z + h) - σ(z - h)) / 2h"
          " at 161 points")
    print(f"  in [-8, 8]: largest difference {np.max(np.abs(sigmoid_prime(z) - measured)):.1e}")
    print()


# ==================================================================================================
# Figures
# ==================================================================================================
def plot_sigmoid(plt):
    z = np.linspace(-8, 8, 400)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(z, sigmoid(z), label="σ(z) = 1 / (1 + e^(-z))")
    ax.plot(z, sigmoid_prime(z), label="σ'(z) = σ(z)(1 - σ(z))")
    ax.axhline(0.5, color="grey", lw=0.5, ls="--")
    ax.axvline(0, color="grey", lw=0.5, ls="--")
    ax.set_xlabel("z = w · x + b")
    ax.set_title("The sigmoid squashes z into (0, 1)")
    ax.legend()
    return fig


def plot_and_gate(plt):
    """The neuron's output over the input plane, with its decision line w·x + b = 0."""
    grid = np.linspace(-0.5, 1.5, 201)
    x1, x2 = np.meshgrid(grid, grid)                                     # each (201, 201)
    a = sigmoid(AND_WEIGHTS[0] * x1 + AND_WEIGHTS[1] * x2 + AND_BIAS)  # the neuron at each point
    fig, ax = plt.subplots(figsize=(5, 4.5))
    image = ax.contourf(x1, x2, a, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
    ax.contour(x1, x2, a, levels=[0.5], colors="k")
    fig.colorbar(image, ax=ax, label="neuron output a")
    # The truth-table points by shape and in black and white, so they stand out on red and blue.
    outputs = np.round([neuron(x, AND_WEIGHTS, AND_BIAS) for x in TRUTH_TABLE_INPUTS])  # (4,)
    for value, marker, face, edge in [(0, "o", "w", "k"), (1, "^", "k", "w")]:
        x = TRUTH_TABLE_INPUTS[outputs == value]                       # the points with that output
        ax.scatter(x[:, 0], x[:, 1], marker=marker, facecolors=face, edgecolors=edge,
                   linewidths=1.5, s=150, zorder=3, label=f"the neuron answers {value:.0f}")
    ax.legend(loc="lower left", framealpha=0.9)
    ax.set_xlabel("input x1")
    ax.set_ylabel("input x2")
    (w1, w2), b = AND_WEIGHTS, AND_BIAS                   # the title follows the weights in use
    ax.set_title(f"Decision line {w1:g} x1 + {w2:g} x2 {'-' if b < 0 else '+'} {abs(b):g} = 0")
    return fig


def main(argv=None):
    args = make_parser(__doc__, __file__).parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print_worked_example(rng)
    print_sigmoid_facts()
    print_and_gate()
    if args.no_plots:
        return
    plt = open_pyplot(args.show)
    save_figures(plt, {"01_sigmoid.png": plot_sigmoid(plt), "01_and_gate.png": plot_and_gate(plt)},
                 args.figures_dir, args.show)


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
