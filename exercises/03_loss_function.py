# Exercise: 03_loss_function.py with its key functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 03: the loss function — one number that says how wrong the network is.

What this file teaches
    To improve a network we first need to measure it. For each sample we know the right answer, the
    target; for a digit classifier with K = 10 outputs the target of a "3" is the one-hot vector
    (0, 0, 0, 1, 0, 0, 0, 0, 0, 0). The mean squared error compares prediction and target entry by
    entry:

        L = 1/(N K) Σ_n Σ_k (prediction[n, k] - target[n, k])^2

    i.e. the mean over every entry of the batch: over the N samples and the K outputs (the same
    reduction as PyTorch's and Keras's default MSE). Squaring makes every error count positively and
    punishes big errors more than small ones; averaging makes the number independent of the batch
    size.

    Why one scalar? Training will nudge thousands of weights, and each nudge must answer a single
    question: does the network get better or worse? With one number per weight setting, "better" is
    well-defined: lower L. The weights that minimise L are what learning looks for, and the loss
    surface (L as a function of the weights) is the landscape that lesson 04a walks down.

What is new since 02
    mse_loss, one_hot, a tiny dataset for one neuron ("hours studied -> passed the exam") and the
    loss surface of that neuron over its two parameters w and b.

What it leaves out
    How to walk down the surface: the gradient, in 04a.

Run
    python 03_loss_function.py [--seed N] [--no-plots] [--show] [--figures-dir DIR]
"""
import argparse
import sys
from pathlib import Path

import numpy as np


# ==================================================================================================
# The loss: mean squared error against one-hot targets
# ==================================================================================================
def mse_loss(prediction, target):
    """L = the mean over every entry of (prediction - target)^2, for arrays of the same shape.

    The shapes must match exactly. Given a batch of 10 predictions shaped (10, 10) and the 10 labels
    shaped (10,) instead of their one-hot targets, NumPy would broadcast the labels across every row
    and return a number that looks fine and means nothing. We refuse instead.
    """
    raise NotImplementedError(
        "TODO mse_loss: L = mean of (prediction - target)^2 over all entries; unequal shapes: "
        "ValueError (one_hot)")


def one_hot(labels, n_classes, dtype=np.float64):
    """Labels (N,) -> targets (N, n_classes): row n is all zeros except a 1 in column labels[n]."""
    raise NotImplementedError(
        "TODO one_hot: labels (N,) -> (N, n_classes) zeros with targets[n, labels[n]] = 1; bad "
        "labels: ValueError")


def print_three_predictions():
    """The loss of a confident-right, an unsure and a confident-wrong prediction of the digit 3."""
    target = one_hot(np.array([3]), 10)  # (1, 10)
    right = np.full((1, 10), 0.01)
    right[0, 3] = 0.95
    unsure = np.full((1, 10), 0.01)
    unsure[0, [3, 8]] = 0.5
    wrong = np.full((1, 10), 0.01)
    wrong[0, 8] = 0.95
    print(f"Target for the digit 3, one_hot([3], 10): {target[0].astype(int)}")
    for name, prediction in [("confident and right", right), ("unsure: 3 or 8?", unsure),
                             ("confident and wrong", wrong)]:
        squared = (prediction - target) ** 2
        print(f"  {name:24s} prediction {np.array2string(prediction[0], precision=2)}")
        print(f"  {'':24s} sum of squared errors {squared.sum():.4f} / 10 entries"
              f" = loss {mse_loss(prediction, target):.4f}")
    print("  The ranking is what we want: right < unsure < wrong. "
          "Training makes this number smaller.")
    everything = np.full((1, 10), 0.5)
    print(f"  A quirk of MSE: 0.5 on every output scores {mse_loss(everything, target):.4f}, "
          "worse than confident and")
    print("  wrong, because it is half wrong on all ten outputs at once.")
    print()


def print_network_loss(rng):
    """An untrained network's loss on a random batch, and the error a mismatched shape gives."""
    net = Network([4, 5, 3], seed=int(rng.integers(1000)))
    X = rng.uniform(-1, 1, size=(6, 4))          # (N=6, 4 inputs)
    labels = rng.integers(0, 3, size=6)          # (6,) one class per sample
    Y = one_hot(labels, 3)                       # (6, 3)
    prediction = net.forward(X)                  # (6, 3)
    print(f"An untrained Network({net.sizes}) on 6 random samples with labels {labels}:")
    print(f"  prediction {prediction.shape}, targets {Y.shape}, "
          f"loss = {mse_loss(prediction, Y):.4f}")
    try:
        mse_loss(prediction, labels)
    except ValueError as error:
        print(f"  mse_loss(prediction, labels) refuses to broadcast:\n    ValueError: {error}")
    print()


# ==================================================================================================
# One neuron, one input, two parameters: a loss surface we can draw
# ==================================================================================================
# Ten students: hours studied and whether they passed. The one who studied 3 hours and failed makes
# the data overlap, so the best neuron is a soft step with finite w and b (not an infinitely steep
# one).
HOURS = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0])
PASSED = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0])


def neuron_loss(w, b, x=HOURS, y=PASSED):
    """The loss L(w, b) = mean_n (σ(w x_n + b) - y_n)^2 of a one-input neuron, for arrays of w, b.

    w and b may have any (equal) shape S; the result has shape S too. A trailing axis runs over the
    data: w[..., None] * x is S + (n,), so every grid point sees every sample at once.
    """
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    a = sigmoid(w[..., None] * x + b[..., None])  # S + (n,)
    return np.mean((a - y) ** 2, axis=-1)


def print_surface_minimum(w_grid, b_grid, losses):
    """The data, the loss of the neuron that always says 0.5, and the lowest loss on the grid."""
    i = np.unravel_index(np.argmin(losses), losses.shape)
    print("The neuron a = σ(w · hours + b) on the 'hours studied -> passed' data:")
    print(f"  hours  {HOURS}")
    print(f"  passed {PASSED.astype(int)}")
    print(f"  loss at w = 0, b = 0 (always says 0.5): {neuron_loss(0.0, 0.0):.4f}")
    print(f"  lowest loss on a {losses.shape[1]} x {losses.shape[0]} grid: {losses[i]:.4f}"
          f" at w = {w_grid[i]:.2f}, b = {b_grid[i]:.2f}")
    print("  The true minimum lies between grid points; lesson 04a walks downhill to it instead")
    print("  of trying every point.")
    print()


# ==================================================================================================
# Figures
# ==================================================================================================
def plot_loss_surface(plt, w_grid, b_grid, losses):
    """The loss surface with its lowest grid point, beside the data and that best neuron."""
    fig, (ax_surface, ax_data) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    image = ax_surface.contourf(w_grid, b_grid, losses, levels=30, cmap="viridis")
    ax_surface.contour(w_grid, b_grid, losses, levels=15, colors="w", linewidths=0.4)
    fig.colorbar(image, ax=ax_surface, label="loss L(w, b)")
    i = np.unravel_index(np.argmin(losses), losses.shape)
    ax_surface.plot(w_grid[i], b_grid[i], "r*", ms=12, label="lowest loss on the grid")
    ax_surface.set_xlabel("weight w")
    ax_surface.set_ylabel("bias b")
    ax_surface.set_title("Loss surface of one neuron")
    ax_surface.legend(loc="upper right")
    hours = np.linspace(0, 5.5, 200)
    ax_data.scatter(HOURS, PASSED, c="k", zorder=3, label="students")
    sign = "−" if b_grid[i] < 0 else "+"                  # a true minus sign, spaced like "+"
    ax_data.plot(hours, sigmoid(w_grid[i] * hours + b_grid[i]), "r",
                 label=f"σ({w_grid[i]:.2f} · hours {sign} {abs(b_grid[i]):.2f})")
    ax_data.set_xlabel("hours studied")
    ax_data.set_ylabel("passed / neuron output")
    ax_data.set_title("The best neuron on the grid")
    ax_data.legend(loc="center right")
    return fig


def main(argv=None):
    args = make_parser(__doc__).parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print_three_predictions()
    print_network_loss(rng)
    w_grid, b_grid = np.meshgrid(np.linspace(-4, 8, 121),     # each (141, 121)
                                 np.linspace(-20, 8, 141))
    losses = neuron_loss(w_grid, b_grid)                       # (141, 121)
    print_surface_minimum(w_grid, b_grid, losses)
    if args.no_plots:
        return
    plt = open_pyplot(args.show)
    save_figures(plt, {"03_loss_surface.png": plot_loss_surface(plt, w_grid, b_grid, losses)},
                 args.figures_dir, args.show)


# ==================================================================================================
# Carried over from 01_single_neuron.py and 02_forward_pass.py, unchanged
# (tests/test_carry_forward.py keeps the copies identical): the sigmoid and the Network
# class with its forward pass.
# ==================================================================================================
def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)), computed so that it never overflows.

    Written as it stands, e^(-z) overflows for z below about -710 (float64) or -89 (float32). Both
    cases can be written with e^(-|z|), which always lies in (0, 1]:
        z >= 0:  σ(z) = 1   / (1 + e^(-z))
        z <  0:  σ(z) = e^z / (1 + e^z)      (multiply top and bottom of the formula by e^z)
    The result keeps the input's floating-point type (float32 stays float32).
    """
    raise NotImplementedError(
        "TODO sigmoid: σ(z) = 1 / (1 + e^(-z)); for z < 0 use e^z / (1 + e^z), so e^(-|z|) never "
        "overflows")


class Network:
    """A stack of fully connected sigmoid layers.

    sizes lists the number of neurons per layer, input first: Network([784, 30, 10]) takes 784
    inputs, has one hidden layer of 30 neurons and 10 outputs. Layer l (counting from 1) has
        weights[l-1]: (n_in, n_out)   column j holds the weights of neuron j
        biases[l-1]:  (n_out,)

    The weights start random, drawn from a normal distribution with variance 1/n_in, the biases at
    0. Then z_j = sum_i a_i W_ij, a sum of n_in independent terms, has variance
    n_in · (1/n_in) · mean(a^2) = mean(a^2), the mean of the squared inputs, whatever the width:
    at most 1 for inputs in [-1, 1] (lesson 02 prints it). So every sigmoid starts on its sloped
    middle part instead of being flattened at 0 or 1, where it could not learn (see 04a). The same
    seed always gives the same network.
    """

    def __init__(self, sizes, seed=0, dtype=np.float64):
        self.sizes = [int(n) for n in sizes]
        rng = np.random.default_rng(seed)
        self.weights = [(rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(dtype)
                        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [np.zeros(n_out, dtype=dtype) for n_out in self.sizes[1:]]

    def forward(self, X):
        """The output for a batch X (N, n_in): a^l = σ(a^(l-1) @ W^l + b^l), layer after layer."""
        raise NotImplementedError(
            "TODO Network.forward: X must be (N, n_in), else ValueError; a^0 = X, a^l = σ(a^(l-1) "
            "@ W^l + b^l); return a^L")


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
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
