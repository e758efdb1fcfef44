# Exercise: 04a_backprop_single_neuron.py, its new functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 04a: backpropagation for a single neuron — the chain rule, checked numerically, then
used to learn.

What this file teaches
    Lesson 03 gave one number to minimise, the loss L. To lower it we need to know, for every
    parameter, which way is downhill and how steep it is: the gradient dL/dw, dL/db. For one neuron
        z = w · x + b,   a = σ(z),   L = (a - y)^2
    L depends on a, a on z, and z on w, so the chain rule multiplies three local slopes:

        dL/dw_i = dL/da · da/dz · dz/dw_i = 2 (a - y) · σ(z)(1 - σ(z)) · x_i
        dL/db   = dL/da · da/dz · dz/db   = 2 (a - y) · σ(z)(1 - σ(z)) · 1

    Read as a graph, x, w, b -> z -> a -> L, each node multiplies the gradient arriving from above
    by its own local derivative and passes the product on: that is all backpropagation does. With
    N samples and the mean over them, each sample contributes its own product, divided by N. We
    print every factor for one worked example and compare with a numerical estimate: nudge a
    parameter by ±h and watch the loss change, (L(p + h) - L(p - h)) / 2h. The estimate has errors
    of its own (see numerical_gradient), about 1e-11; the usual mistakes are off by 0.5 or more.

    Then we learn: gradient descent repeats  w <- w - lr · dL/dw,  b <- b - lr · dL/db, and walks
    down lesson 03's loss surface to its minimum. A second start, which answers backwards (pass for
    little study, fail for much), ends on a plateau: steepest descent pushes every output to 0,
    where the sigmoid's slope, and so the gradient, nearly vanishes, although the straight line to
    the minimum runs downhill. The lesson says where each descent ended, and where it is going,
    from the numbers it computes; support/verdicts.py puts the comparison into words.

What is new since 03
    The chain rule, the numerical gradient check, gradient descent and the learning rate. The
    sigmoid and its slope come from lesson 01; the loss, the hours-studied data and its loss
    surface from lesson 03.

What it leaves out
    More than one neuron: the same chain rule through whole layers is backpropagation, lesson 04b.

Run
    python 04a_backprop_single_neuron.py [--lr 2.0] [--steps 1000] [--seed N] [--no-plots] [--show]
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

from support.arguments import make_parser, positive_float, positive_int
from support.figures import open_pyplot, save_figures
from support.lessons import from_lesson
from support.lifecycle import run
from support.verdicts import print_descent_end

sigmoid, sigmoid_prime = from_lesson("01_single_neuron", "sigmoid", "sigmoid_prime")
mse_loss, neuron_loss, HOURS, PASSED = from_lesson("03_loss_function", "mse_loss", "neuron_loss",
                                                   "HOURS", "PASSED")

START = (-1.0, 5.0)          # (w, b): a start on the slope of lesson 03's surface
STUCK_START = (-3.0, 6.0)    # a start beyond the ridge, where "more study, less passing"
GRADIENT_AGREES = 1e-4       # the relative error up to which a gradient counts as right: the
                             # numerical estimate's own error stays below it (numerical_gradient)


# ==================================================================================================
# The gradient of one neuron, by the chain rule, and its numerical check
# ==================================================================================================
def neuron_loss_and_gradients(X, y, w, b):
    """(L, dL/dw, dL/db) for one neuron a_n = σ(x_n · w + b) on a batch X (N, n) with targets y
    (N,): the loss L = mean_n (a_n - y_n)^2, its gradient dL/dw shaped (n,), and dL/db a float.

    The loss depends on w only through z, and on z only through a. The chain rule multiplies the
    three local slopes, one sample at a time:
        dL/da_n = 2 (a_n - y_n) / N      (the square's slope; 1/N from the mean)
        da_n/dz_n = σ'(z_n)              (the sigmoid's slope, lesson 01)
        dz_n/dw = x_n,   dz_n/db = 1     (z is linear in w and b)
    and adds up the contributions of all N samples, since each sample's loss depends on the same w
    and b. delta_n = dL/dz_n is the error signal at the neuron: how much L changes when z_n moves.

    Also checked: a batch of one sample with one input, as well as larger ones.
    """
    raise NotImplementedError(
        "TODO neuron_loss_and_gradients: (L, dL/dw shaped (n,), dL/db a float) for one neuron on "
        "a batch X (N, n), y (N,); stuck? python tools/hint.py neuron_loss_and_gradients")


def numerical_gradient(loss_of, params, h=1e-5):
    """Estimate dL/dp for every entry p of the array params by central differences.

        dL/dp ≈ (L(p + h) - L(p - h)) / (2h)

    The estimate has two errors. Truncation: by Taylor's formula L(p ± h) = L ± h L' + h^2 L''/2
    ± h^3 L'''/6 + ..., so the quotient is L' + h^2 L'''/6 + ...: an error that shrinks like h^2.
    Rounding: float64 keeps about 16 digits, so each L carries an error of about 1e-16 |L|, which
    dividing by 2h magnifies to about 1e-16 |L| / h. The first shrinks with h, the second grows;
    h = 1e-5 keeps both near 1e-11 for losses of our size. Relative to a gradient entry g that is
    about 1e-11 / |g|: tiny for g ~ 0.1, up to ~1e-5 for the smallest entries (g ~ 1e-6), still
    below GRADIENT_AGREES. params is nudged in place and restored, so loss_of(params) may also read
    it from wherever it lives, e.g. a network's weights. That only works on the array itself, never
    on a copy, and needs float64: in float32 each loss carries about 6e-8 |L| of rounding, which
    the division by 2h magnifies to about 3e-3 |L|, far above GRADIENT_AGREES. Anything else is
    refused.
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
    numerical estimate's own error (see numerical_gradient). The usual mistakes give far more
    wherever the gradient is not 0: a forgotten 2 gives 0.5, a wrong sign 2 (the largest this
    measure can be), and on a single sample a forgotten σ' at least 0.75 (σ' <= 1/4, so the
    analytic value is 4 or more times too large). A forgotten 1/N shows only on a batch of more
    than one sample, as (N - 1) / N: with N = 1, as in print_chain_rule_example, 1/N is 1 and
    changes nothing, so a check needs a batch of several samples to catch it.
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
    """The verdict on a gradient from `worst`, its largest relative error against the numerical
    estimate: right (computed_by gives the true gradient) when worst <= GRADIENT_AGREES, the
    estimate's own error at most; else wrong."""
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
    lowers L. The learning rate lr sets the step size. Returns the final w (a new float array; the
    w passed in, a list or an array, is left as it was), the final b, and the path taken: an array
    of steps + 1 rows (w_1, ..., w_n, b, loss), the start and then the point after each step.

    Also checked: w given as a list ([1.0]) works; the path has steps + 1 rows.
    """
    raise NotImplementedError(
        "TODO train_neuron: `steps` steps of gradient descent; return w, b and the path of (w, b, "
        "loss) rows; stuck? python tools/hint.py train_neuron")


def print_descent(path, lr, label, minimum):
    """The (w, b) and loss of a descent path at a few steps, then where it ended and where it is
    heading, read from the loss against the minimum's and from the neuron's slopes σ'(z)
    (support/verdicts.py words it)."""
    print(f"Gradient descent on the 'hours studied -> passed' data, {label}, lr = {lr}:")
    steps = len(path) - 1
    for step in sorted({0, 10, 50, 100, 200, 500, steps} & set(range(steps + 1))):
        w, b, loss = path[step]
        print(f"  step {step:5d}   w = {w:+7.3f}   b = {b:+7.3f}   loss = {loss:.4f}")
    print_descent_end(path, minimum, outputs_and_slope, neuron_loss, PASSED)
    print()


def outputs_and_slope(w, b):
    """The neuron's ten outputs a = σ(w · hours + b), and the largest slope σ'(z) among them.

    Every gradient of the neuron carries the factor σ'(z) (neuron_loss_and_gradients): where it is
    small for every student, on a plateau of the sigmoid, descent crawls however high the loss.
    """
    z = w * HOURS + b                                     # (10,)
    return sigmoid(z), float(np.max(sigmoid_prime(z)))


def find_minimum(X, y):
    """The bottom of the loss surface, (w, b, loss): where the gradient vanishes. Descent from
    START at lr 2, in runs of 1000 steps (100 at most), until both gradient entries are
    below 1e-9."""
    w, b = np.array([START[0]]), START[1]
    for _ in range(100):
        w, b, _ = train_neuron(X, y, w, b, lr=2.0, steps=1000)
        loss, grad_w, grad_b = neuron_loss_and_gradients(X, y, w, b)
        if max(abs(grad_w[0]), abs(grad_b)) < 1e-9:
            break
    return float(w[0]), float(b), float(loss)


def print_minimum(minimum):
    """The bottom of the loss surface, (w, b, loss) from find_minimum, and how it was found."""
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


def main(argv=None):
    parser = make_parser(__doc__, __file__)
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


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
