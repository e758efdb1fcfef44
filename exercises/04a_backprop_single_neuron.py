# Exercise: 04a_backprop_single_neuron.py with its key functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 04a: backpropagation for a single neuron — the chain rule, checked numerically, then
used to learn.

What this file teaches
    Lesson 03 gave one number to minimise, the loss L. To lower it we need to know, for every
    parameter, which way is downhill and how steep it is: the gradient dL/dw, dL/db. For one neuron
        z = w · x + b,   a = σ(z),   L = (a - y)^2
    L depends on w only through a, and a only through z, so the chain rule multiplies three local
    slopes:

        dL/dw_i = dL/da · da/dz · dz/dw_i = 2 (a - y) · σ(z)(1 - σ(z)) · x_i
        dL/db   = dL/da · da/dz · dz/db   = 2 (a - y) · σ(z)(1 - σ(z)) · 1

    Read as a graph, x, w, b -> z -> a -> L, each node multiplies the gradient arriving from above
    by its own local derivative and passes the product on: that is all backpropagation does. With
    N samples and the mean over them, each sample contributes its own product, divided by N. We
    print every factor for one worked example and compare with a numerical estimate: nudge a
    parameter by ±h and watch the loss change, (L(p + h) - L(p - h)) / 2h. The estimate has errors
    of its own (see numerical_gradient), about 1e-11; a wrong formula is off by far more.

    Then we learn: gradient descent repeats  w <- w - lr · dL/dw,  b <- b - lr · dL/db, and walks
    down lesson 03's loss surface to its minimum. A second start, on the far side of a ridge, ends
    on a plateau: every sigmoid pushed to 0, where its slope, and so the gradient, nearly vanishes.
    The lesson says where each descent ended from the numbers it computes.

What is new since 03
    The chain rule, the numerical gradient check, gradient descent and the learning rate;
    positive-number checks for the new command-line values.

What it leaves out
    More than one neuron: the same chain rule through whole layers is backpropagation, lesson 04b.

Run
    python 04a_backprop_single_neuron.py [--lr 2.0] [--steps 1000] [--seed N] [--no-plots] [--show]
"""
import argparse
import sys
from pathlib import Path

import numpy as np

START = (-1.0, 5.0)          # (w, b): a start on the slope of lesson 03's surface
STUCK_START = (-3.0, 6.0)    # a start beyond the ridge, where "more study, less passing"
FLAT = 0.05                  # a sigmoid whose slope is below this everywhere (a fifth of its
                             # peak, 0.25) passes on little gradient
GRADIENT_AGREES = 1e-4       # the relative error up to which a gradient counts as right: the
                             # numerical estimate's own error stays below it (numerical_gradient)


# ==================================================================================================
# The gradient of one neuron, by the chain rule, and its numerical check
# ==================================================================================================
def neuron_loss_and_gradients(X, y, w, b):
    """The loss L = mean_n (a_n - y_n)^2 of one neuron a_n = σ(x_n · w + b) on a batch, and
    dL/dw, dL/db.

    The loss depends on w only through z, and on z only through a. The chain rule multiplies the
    three local slopes, one sample at a time:
        dL/da_n = 2 (a_n - y_n) / N      (the square's slope; 1/N from the mean)
        da_n/dz_n = σ'(z_n)              (the sigmoid's slope, lesson 01)
        dz_n/dw = x_n,   dz_n/db = 1     (z is linear in w and b)
    and adds up the contributions of all N samples, since each sample's loss depends on the same w
    and b. delta_n = dL/dz_n is the error signal at the neuron: how much L changes when z_n moves.
    """
    raise NotImplementedError(
        "TODO neuron_loss_and_gradients: a = σ(X @ w + b), delta = 2 (a - y) / N · σ'(z); "
        "return L, X^T @ delta, sum of delta")


def numerical_gradient(loss_of, params, h=1e-5):
    """Estimate dL/dp for every entry p of the array params by central differences.

        dL/dp ≈ (L(p + h) - L(p - h)) / (2h)

    The estimate has two errors. Truncation: by Taylor's formula L(p ± h) = L ± h L' + h^2 L''/2
    ± h^3 L'''/6 + ..., so the quotient is L' + h^2 L'''/6 + ...: an error that shrinks like h^2.
    Rounding: float64 keeps about 16 digits, so each L carries an error of about 1e-16 |L|, which
    dividing by 2h magnifies to about 1e-16 |L| / h. The first shrinks with h, the second grows;
    h = 1e-5 keeps both near 1e-11 for losses of our size. Relative to a gradient entry g that is
    about 1e-11 / |g|: tiny for g ~ 0.1, up to ~1e-5 for the smallest entries (g ~ 1e-6), still
    below GRADIENT_AGREES. params is nudged in place and restored, so
    loss_of(params) may also read it from wherever it lives, e.g. a network's weights. That only
    works on the array itself, never on a copy, and needs float64 (float32 would round a 1e-6 nudge
    away), so anything else is refused.
    """
    if not (isinstance(params, np.ndarray) and params.dtype == np.float64):
        raise TypeError("numerical_gradient nudges params in place: "
                        "pass the float64 array the loss reads")
    estimate = np.zeros_like(params)
    for i in np.ndindex(params.shape):
        saved = params[i]
        params[i] = saved + h
        loss_plus = loss_of(params)
        params[i] = saved - h
        loss_minus = loss_of(params)
        params[i] = saved
        estimate[i] = (loss_plus - loss_minus) / (2 * h)
    return estimate


def relative_error(analytic, numeric):
    """|analytic - numeric| / max(|analytic|, |numeric|), entry by entry (0 where both are 0).

    Relative, because an absolute difference of 1e-8 is excellent for a gradient of size 1 and
    damning for a gradient of size 1e-9. Up to GRADIENT_AGREES (1e-4) a difference is the
    numerical estimate's own error (see numerical_gradient); a bug (a missing factor, a wrong sign,
    a forgotten 1/N) gives 1e-2 or more.
    """
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    return np.divide(np.abs(analytic - numeric), scale, out=np.zeros_like(scale), where=scale > 0)


def print_chain_rule_example(rng):
    """One sample through the graph x, w, b -> z -> a -> L: forward, then backward node by node,
    then every gradient checked by central differences."""
    x = np.round(rng.uniform(-1, 1, size=2), 2)
    w = np.round(rng.uniform(-1, 1, size=2), 2)
    b, y = 0.1, 1.0
    z = np.dot(w, x) + b
    a = sigmoid(z)
    print(f"One neuron, one sample: x = {x}, w = {w}, b = {b}, target y = {y}")
    print("The graph:  x, w, b  ->  z = w · x + b  ->  a = σ(z)  ->  L = (a - y)^2")
    print(f"  forward:   z = {z:+.6f}   a = {a:.6f}   L = {(a - y) ** 2:.6f}")
    print("  backward, from L down: each node multiplies the gradient arriving from above by")
    print("  its own local derivative and passes the product on (dL/dL = 1 at the top)")
    dL_da, da_dz = 2 * (a - y), sigmoid_prime(z)
    delta = dL_da * da_dz
    print(f"    at a:   dL/da   = 1 · 2 (a - y)          = {dL_da:+.6f}")
    print(f"    at z:   dL/dz   = dL/da · σ(z)(1 - σ(z)) = {dL_da:+.6f} · {da_dz:.6f}"
          f" = {delta:+.6f}")
    for i in range(2):
        print(f"    at w_{i + 1}: dL/dw_{i + 1} = dL/dz · x_{i + 1}            ="
              f" {delta:+.6f} · {x[i]:+.2f} = {delta * x[i]:+.6f}")
    print(f"    at b:   dL/db   = dL/dz · 1              = {delta:+.6f}")

    X, Y = x[None, :], np.array([y])  # a batch of one: (1, 2) and (1,)
    _, grad_w, grad_b = neuron_loss_and_gradients(X, Y, w, b)
    params = np.array([*w, b])
    numeric = numerical_gradient(lambda p: neuron_loss_and_gradients(X, Y, p[:2], p[2])[0], params)
    errors = relative_error([*grad_w, grad_b], numeric)
    print("  check against central differences (L(p + h) - L(p - h)) / 2h with h = 1e-5:")
    for name, analytic, estimate, error in zip(["w_1", "w_2", "b"], [*grad_w, grad_b], numeric,
                                               errors):
        print(f"    dL/d{name}: chain rule {analytic:+.10f}, numerical {estimate:+.10f}, "
              f"relative error {error:.1e}")
    print(f"  {gradient_verdict(errors.max())}")
    print()


def gradient_verdict(worst, computed_by="the formula"):
    """What the largest relative error between an analytic and the numerical gradient says."""
    if worst <= GRADIENT_AGREES:
        return (f"largest relative error {worst:.1e}, within the estimate's own error "
                f"(<= {GRADIENT_AGREES:.0e}):\n  {computed_by} gives the true gradient")
    return (f"largest relative error {worst:.1e}, more than the estimate's own error "
            f"(<= {GRADIENT_AGREES:.0e}) explains:\n  {computed_by} is wrong")


# ==================================================================================================
# Gradient descent: step downhill, again and again
# ==================================================================================================
def train_neuron(X, y, w, b, lr, steps):
    """Gradient descent: w <- w - lr · dL/dw, b <- b - lr · dL/db, repeated `steps` times.

    The gradient points uphill, the direction in which L grows fastest, so a small step against it
    lowers L. The learning rate lr sets the step size. Returns the final w, b and the path taken as
    an array of rows (w_1, ..., w_n, b, loss), one row per step plus the start.
    """
    raise NotImplementedError(
        "TODO train_neuron: steps times: record (w, b, L), then w -= lr · dL/dw, b -= lr · "
        "dL/db; record the end too")


def print_descent(path, lr, label, minimum):
    """The (w, b) and loss at a few steps of a descent path, then where it ended, judged from the
    numbers: near the minimum, on a plateau where every output sigmoid is flat, or still on its
    way."""
    print(f"Gradient descent on the 'hours studied -> passed' data, {label}, lr = {lr}:")
    steps = len(path) - 1
    for step in sorted({0, 10, 50, 100, 200, 500, steps} & set(range(steps + 1))):
        w, b, loss = path[step]
        print(f"  step {step:5d}   w = {w:+7.3f}   b = {b:+7.3f}   loss = {loss:.4f}")
    w, b, loss = path[-1]
    z = w * HOURS + b                                     # (10,): the ten samples at the end
    a, slope = sigmoid(z), float(np.max(sigmoid_prime(z)))
    one_answer = np.all(a < 0.5) or np.all(a > 0.5)       # the same answer for every student
    if loss <= minimum[2] + 1e-3:
        print(f"  -> it ends near the minimum: loss {loss:.4f}, the minimum is {minimum[2]:.4f}")
    elif one_answer and slope < FLAT:
        answer = "0" if np.all(a < 0.5) else "1"
        print(f"  -> it ends on a plateau: the neuron answers {answer} for every student, and "
              f"σ'(z) <= {slope:.1e}")
        print("     everywhere: the sigmoid is flat, so the gradient nearly vanishes and w, b "
              "crawl.")
        if w < 0:    # more study, less passing: the best on this side is 'always 0', never reached
            print(f"     With w < 0 the loss only creeps towards "
                  f"{float(np.mean(PASSED ** 2)):.2f} as w -> -infinity: no minimum at any finite")
            print(f"     (w, b), and worse than w = b = 0 (loss "
                  f"{float(neuron_loss(0.0, 0.0)):.2f}).")
        else:
            print(f"     The minimum ({minimum[2]:.4f}) lies elsewhere; from here descent "
                  "barely moves towards it.")
    else:
        print(f"  -> it has not reached the minimum yet: loss {loss:.4f}, the minimum is "
              f"{minimum[2]:.4f};")
        print(f"     σ'(z) is up to {slope:.1e}, so it is still moving")
    print()


def find_minimum(X, y):
    """The bottom of the loss surface, (w, b, loss): descent from START at lr 2, continued until
    the gradient is below 1e-9."""
    w, b = np.array([START[0]]), START[1]
    for _ in range(100):
        w, b, _ = train_neuron(X, y, w, b, lr=2.0, steps=1000)
        loss, grad_w, grad_b = neuron_loss_and_gradients(X, y, w, b)
        if max(abs(grad_w[0]), abs(grad_b)) < 1e-9:
            break
    return float(w[0]), float(b), float(loss)


def print_minimum(minimum):
    w, b, loss = minimum
    print(f"The bottom of the loss surface (descent from {START} at lr 2, continued until the")
    print(f"gradient is below 1e-9): loss {loss:.5f} at w = {w:.3f}, b = {b:.3f}.")
    print()


# ==================================================================================================
# Figures
# ==================================================================================================
def plot_loss_curves(plt, paths):
    """The loss at every step, one curve per start."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, path in paths.items():
        ax.plot(path[:, -1], label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("loss L(w, b)")
    ax.set_title("Loss during gradient descent")
    ax.legend()
    return fig


def plot_descent_paths(plt, paths):
    """Lesson 03's loss surface with the (w, b) visited at every step drawn on it."""
    w_grid, b_grid = np.meshgrid(np.linspace(-8, 8, 161),    # each (141, 161)
                                 np.linspace(-20, 8, 141))
    fig, ax = plt.subplots(figsize=(7, 5))
    image = ax.contourf(w_grid, b_grid, neuron_loss(w_grid, b_grid), levels=30, cmap="viridis")
    fig.colorbar(image, ax=ax, label="loss L(w, b)")
    for (label, path), colour in zip(paths.items(), ["r", "w"]):
        ax.plot(path[:, 0], path[:, 1], ".-", color=colour, ms=2, lw=1, label=label)
        ax.plot(path[0, 0], path[0, 1], "o", color=colour)
        ax.plot(path[-1, 0], path[-1, 1], "*", color=colour, ms=12)
    ax.set_xlabel("weight w")
    ax.set_ylabel("bias b")
    ax.set_title("Gradient descent on the loss surface (o start, * end)")
    ax.legend(loc="lower left")
    return fig


# ==================================================================================================
# Command-line values that must be positive: a learning rate of 0 or -1 is a typo, not an experiment
# ==================================================================================================
def positive_float(text):
    """argparse type: a finite number > 0, or a message saying what was wrong."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number greater than 0")
    return value


def positive_int(text):
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument("--lr", type=positive_float, default=2.0,
                        help="learning rate (default: 2.0)")
    parser.add_argument("--steps", type=positive_int, default=1000,
                        help="gradient steps (default: 1000)")
    args = parser.parse_args(argv)
    print_chain_rule_example(np.random.default_rng(args.seed))

    X = HOURS[:, None]  # (10, 1): ten samples with one input each
    minimum = find_minimum(X, PASSED)
    print_minimum(minimum)
    paths = {}
    for label, (w, b) in [(f"start (w, b) = {START}", START),
                          (f"start {STUCK_START}", STUCK_START)]:
        _, _, paths[label] = train_neuron(X, PASSED, [w], b, args.lr, args.steps)
        print_descent(paths[label], args.lr, label, minimum)
    if args.no_plots:
        return
    plt = open_pyplot(args.show)
    save_figures(plt, {"04a_loss_curve.png": plot_loss_curves(plt, paths),
                       "04a_descent_path.png": plot_descent_paths(plt, paths)},
                 args.figures_dir, args.show)


# ==================================================================================================
# Carried over from 01_single_neuron.py and 03_loss_function.py, unchanged
# (tests/test_carry_forward.py keeps the copies identical): the sigmoid and its slope, the
# mean squared error, and the hours-studied data with its loss surface.
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


def sigmoid_prime(z):
    """The slope of the sigmoid, σ'(z) = σ(z) (1 - σ(z)): 0.25 at z = 0, nearly 0 far from it.

    Why: σ(z) = (1 + e^(-z))^(-1), so by the chain rule σ'(z) = e^(-z) / (1 + e^(-z))^2
    = [1 / (1 + e^(-z))] · [e^(-z) / (1 + e^(-z))], and the second factor is 1 - σ(z).
    """
    s = sigmoid(z)
    return s * (1 - s)


def mse_loss(prediction, target):
    """L = the mean over every entry of (prediction - target)^2, for arrays of the same shape.

    The shapes must match exactly. Given a batch of 10 predictions shaped (10, 10) and the 10 labels
    shaped (10,) instead of their one-hot targets, NumPy would broadcast the labels across every row
    and return a number that looks fine and means nothing. We refuse instead.
    """
    raise NotImplementedError(
        "TODO mse_loss: L = mean of (prediction - target)^2 over all entries; unequal shapes: "
        "ValueError (one_hot)")


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
