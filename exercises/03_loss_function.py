# Exercise: 03_loss_function.py, its new functions left to you (each raises a TODO).
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
    loss surface of that neuron over its two parameters w and b. The sigmoid comes from lesson 01,
    the Network from lesson 02.

What it leaves out
    How to walk down the surface: the gradient, in 04a.

Run
    python 03_loss_function.py [--seed N] [--no-plots] [--show] [--figures-dir DIR]
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
from support.lessons import from_lesson
from support.lifecycle import run

sigmoid = from_lesson("01_single_neuron", "sigmoid")
Network = from_lesson("02_forward_pass", "Network")


# ==================================================================================================
# The loss: mean squared error against one-hot targets
# ==================================================================================================
def mse_loss(prediction, target):
    """L = the mean over every entry of (prediction - target)^2, for arrays of the same shape,
    as a Python float.

    The shapes must match exactly. Given a batch of 10 predictions shaped (10, 10) and the 10 labels
    shaped (10,) instead of their one-hot targets, NumPy would broadcast the labels across every row
    and return a number that looks fine and means nothing.

    Also checked: unequal shapes raise a ValueError that says to make the targets with one_hot.
    """
    raise NotImplementedError(
        "TODO mse_loss: the mean of (prediction - target)^2 over every entry, as a float; refuse "
        "unequal shapes; stuck? python tools/hint.py mse_loss")


def one_hot(labels, n_classes, dtype=np.float64):
    """Labels (N,) -> targets (N, n_classes) of the given dtype: row n is all zeros except a 1 in
    column labels[n].

    Also checked: dtype=np.float32 gives float32; labels that are not a 1-D array of whole
    numbers from 0 to n_classes - 1 raise a ValueError.
    """
    raise NotImplementedError(
        "TODO one_hot: labels (N,) -> targets (N, n_classes), a 1 in each row's label column; "
        "refuse bad labels; stuck? python tools/hint.py one_hot")


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
    args = make_parser(__doc__, __file__).parse_args(argv)
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


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
