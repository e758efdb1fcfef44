"""
Lesson 01: a single neuron.

What this file teaches
    A neuron weighs each of its inputs, adds them up with a bias, and squashes the total:

        z = w · x + b = w_1 x_1 + w_2 x_2 + ... + w_n x_n + b    (the "pre-activation")
        a = σ(z) = 1 / (1 + e^(-z))                               (the "activation", in (0, 1))

    The sigmoid σ turns any number into something that reads like a probability: very negative z
    gives a ≈ 0, very positive z gives a ≈ 1, and z = 0 gives exactly 0.5. Its slope
    σ'(z) = σ(z)(1 - σ(z)) is what lesson 04a will need to learn.

    We compute one neuron by hand, then choose weights by hand so that a neuron computes the logic
    gate AND. The line where z = 0 (so a = 0.5) is the neuron's decision line: one side says 1, the
    other 0.

What is new
    Everything: this is the first lesson.

What it leaves out
    Many neurons at once (02), measuring how wrong an output is (03), and learning the weights
    (04a): here a person chooses them.

Run
    python 01_single_neuron.py [--seed N] [--no-plots] [--show] [--figures-dir DIR]
"""
import argparse
import sys
from pathlib import Path

import numpy as np


# ==================================================================================================
# The neuron
# ==================================================================================================
def neuron(x, w, b):
    """One neuron's output a = σ(w · x + b), for inputs x and weights w, both (n,), and bias b."""
    z = np.dot(w, x) + b
    return sigmoid(z)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)), computed so that it never overflows.

    Written as it stands, e^(-z) overflows for z below about -710 (float64) or -89 (float32). Both
    cases can be written with e^(-|z|), which always lies in (0, 1]:
        z >= 0:  σ(z) = 1   / (1 + e^(-z))
        z <  0:  σ(z) = e^z / (1 + e^z)      (multiply top and bottom of the formula by e^z)
    The result keeps the input's floating-point type (float32 stays float32).
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


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
    ax.set_title("The sigmoid squashes any z into (0, 1)")
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
                   linewidths=1.5, s=150, zorder=3, label=f"x1 AND x2 = {value}")
    ax.legend(loc="lower left", framealpha=0.9)
    ax.set_xlabel("input x1")
    ax.set_ylabel("input x2")
    ax.set_title("AND neuron: decision line 20 x1 + 20 x2 - 30 = 0")
    return fig


def main(argv=None):
    args = make_parser(__doc__).parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print_worked_example(rng)
    print_sigmoid_facts()
    print_and_gate()
    if args.no_plots:
        return
    plt = open_pyplot(args.show)
    save_figures(plt, {"01_sigmoid.png": plot_sigmoid(plt), "01_and_gate.png": plot_and_gate(plt)},
                 args.figures_dir, args.show)


# ==================================================================================================
# Plumbing: the command line and the figures, the same in every lesson. It teaches no maths.
# ==================================================================================================
NON_INTERACTIVE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def make_parser(description):
    """The four flags every lesson shares; a lesson adds its own to the parser this returns."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--figures-dir", type=Path, default=Path(__file__).parent / "figures",
                        help="folder for the PNG figures (default: figures/ beside this script)")
    parser.add_argument("--no-plots", action="store_true", help="skip drawing figures")
    parser.add_argument("--show", action="store_true", help="also open the figures in windows")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="seed for every random number, a whole number from 0 up (default: 0)")
    return parser


def seed_value(text):
    """A --seed as NumPy takes it: a whole number, 0 or more."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more (got {text!r})")
    return int(text)


def open_pyplot(show):
    """pyplot drawing straight to PNG files unless --show, so that it never needs a display."""
    import matplotlib
    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    if show and matplotlib.get_backend().lower() in NON_INTERACTIVE_BACKENDS:
        print("note: --show needs a display and none was found; the figures are saved as PNG only")
    return plt


def save_figures(plt, figures, figures_dir, show):
    """Save each {filename: figure} as a PNG and say where (or stop with one message); then, with
    --show, open them in windows and wait until they are closed."""
    for filename, fig in figures.items():
        path = Path(figures_dir) / filename
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, dpi=100, bbox_inches="tight")
        except OSError as error:
            sys.exit(f"error: cannot save {path}: {error.strerror or error}; choose another "
                     "folder with --figures-dir, or skip the figures with --no-plots")
        print(f"figure saved: {path}")
    if show and plt.get_backend().lower() not in NON_INTERACTIVE_BACKENDS:
        plt.show()
    plt.close("all")


def run(main):
    """Run the lesson as a script. A character the console cannot show (σ on a Windows console
    redirected to a file) prints as ?, not a UnicodeEncodeError; Ctrl-C stops it with one line and
    exit status 1, not a traceback."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted")


if __name__ == "__main__":
    run(main)
