# Exercise: 04b_backprop_network.py with its key functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 04b: backpropagation through a whole network.

What this file teaches
    Lesson 04a took the gradient of one neuron with the chain rule. A network is neurons feeding neurons,
    so the same chain rule applies, layer after layer, from the loss back to the first weights. Write
    delta^l = dL/dz^l for the error signal at layer l (shape (N, n_l)); then, with K outputs,

        delta^L     = 2 (a^L - Y) / (N K) * σ'(z^L)              the output layer, as in 04a
        grad_W^l    = (a^(l-1))^T @ delta^l                       (n_in, N) @ (N, n_out)
        grad_b^l    = delta^l summed over the batch               (n_out,)
        delta^(l-1) = (delta^l @ (W^l)^T) * σ'(z^(l-1))           the error sent one layer back

    `Network.backward(X, Y)` computes exactly this for a whole batch with matrix products (no loop over
    samples), and a gradient check against central differences shows that every entry is right.

    Then the network learns what no single neuron can: XOR, whose 1s and 0s no straight line separates,
    and two interleaved half-moons that need a curved boundary.

What is new since 04a
    Network.forward_all and Network.backward (backpropagation), gradient steps for a whole network,
    the XOR and two-moons datasets, and decision boundaries.

What it leaves out
    Real data and mini-batches: lesson 05 trains on 60,000 handwritten digits.

Run
    python 04b_backprop_network.py [--lr 10] [--seed N] [--no-plots] [--show] [--figures-dir DIR]
"""
import argparse
import sys
from pathlib import Path

import numpy as np

# ===================================================================================================
# Carried over from 01, 03 and 04a, unchanged (tests/test_carry_forward.py keeps the copies identical):
# the plumbing, sigmoid, sigmoid_prime, neuron, mse_loss, the positive-number checks, the numerical
# gradient and the single neuron's gradient descent. The Network class of 02 follows, with two new methods.
# ===================================================================================================

# ---------------------------------------------------------------------------------------------------
# Plumbing: command line and figures. Carried into every lesson unchanged; it teaches no maths.
# ---------------------------------------------------------------------------------------------------
NON_INTERACTIVE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def make_parser(description):
    """The flags every lesson shares; a lesson adds its own to the parser this returns."""
    # The lessons print σ and ·. Where the output's encoding lacks them (a Windows console redirected to
    # a file), print a ? instead of stopping with a UnicodeEncodeError.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--figures-dir", type=Path, default=Path(__file__).resolve().parent / "figures",
                        help="folder for the PNG figures (default: figures/ beside this script)")
    parser.add_argument("--no-plots", action="store_true", help="skip drawing figures")
    parser.add_argument("--show", action="store_true", help="also open the figures in windows")
    parser.add_argument("--seed", type=int, default=0, help="seed for every random number (default: 0)")
    return parser


def open_pyplot(show):
    """Import pyplot with a backend that can neither block nor fail on a machine without a display."""
    import matplotlib
    if not show:
        matplotlib.use("Agg")  # draw straight to PNG files; needs no screen
    import matplotlib.pyplot as plt
    if show and matplotlib.get_backend().lower() in NON_INTERACTIVE_BACKENDS:
        print("note: --show needs a display and none was found; the figures are saved as PNG only")
    return plt


def save_figure(fig, figures_dir, filename):
    """Save one figure as PNG, say where, and return its path (or stop with a message if we cannot)."""
    path = Path(figures_dir) / filename
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    except OSError as error:
        sys.exit(f"error: cannot save {path}: {error.strerror or error}; "
                 "choose another folder with --figures-dir, or skip the figures with --no-plots")
    print(f"figure saved: {path}")
    return path


def finish_figures(plt, show):
    """Open the windows if asked (this waits until they are closed), then free the figures."""
    if show and plt.get_backend().lower() not in NON_INTERACTIVE_BACKENDS:
        plt.show()
    plt.close("all")


# ---------------------------------------------------------------------------------------------------
# The neuron
# ---------------------------------------------------------------------------------------------------
def sigmoid(z):
    """σ(z) = 1 / (1 + e^(-z)), computed so that it never overflows.

    Written as it stands, e^(-z) overflows for z below about -710 (float64) or -89 (float32). Both cases
    can be written with e^(-|z|), which always lies in (0, 1]:
        z >= 0:  σ(z) = 1   / (1 + e^(-z))
        z <  0:  σ(z) = e^z / (1 + e^z)      (multiply top and bottom of the formula by e^z)
    The result keeps the input's floating-point type (float32 stays float32).
    """
    raise NotImplementedError(
        "TODO sigmoid: σ(z) = 1 / (1 + e^(-z)); for z < 0 use e^z / (1 + e^z), so e^(-|z|) never "
        "overflows")


def sigmoid_prime(z):
    """The slope of the sigmoid: σ'(z) = σ(z) (1 - σ(z)). Largest (0.25) at z = 0, nearly 0 far away."""
    s = sigmoid(z)
    return s * (1 - s)


def neuron(x, w, b):
    """One neuron's output a = σ(w · x + b) for inputs x and weights w (both shaped (n,)), bias b."""
    z = np.dot(w, x) + b
    return sigmoid(z)


# ---------------------------------------------------------------------------------------------------
# The loss: mean squared error against one-hot targets
# ---------------------------------------------------------------------------------------------------
def mse_loss(prediction, target):
    """L = the mean over every entry of (prediction - target)^2, for arrays of the same shape.

    The shapes must match exactly. Given a batch of 10 predictions shaped (10, 10) and the 10 labels
    shaped (10,) instead of their one-hot targets, NumPy would broadcast the labels across every row and
    return a number that looks fine and means nothing. We refuse instead.
    """
    raise NotImplementedError(
        "TODO mse_loss: L = mean of (prediction - target)^2 over all entries; unequal shapes: "
        "ValueError (one_hot)")


# ---------------------------------------------------------------------------------------------------
# Command-line values that must be positive (a learning rate of 0 or -1 is a typo, not an experiment)
# ---------------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------------
# The gradient of one neuron, by the chain rule
# ---------------------------------------------------------------------------------------------------
def neuron_loss_and_gradients(X, y, w, b):
    """Loss L = mean_n (a_n - y_n)^2 of one neuron a_n = σ(x_n · w + b) on a batch, and dL/dw, dL/db.

    The loss depends on w only through z, and on z only through a. The chain rule multiplies the three
    local slopes, one sample at a time:
        dL/da_n = 2 (a_n - y_n) / N      (the square's slope; 1/N from the mean)
        da_n/dz_n = σ'(z_n)              (the sigmoid's slope, lesson 01)
        dz_n/dw = x_n,   dz_n/db = 1     (z is linear in w and b)
    and adds up the contributions of all N samples, since each sample's loss depends on the same w and b.
    delta_n = dL/dz_n is the error signal at the neuron: how much L changes when z_n moves.
    """
    raise NotImplementedError(
        "TODO neuron_loss_and_gradients: a = σ(X @ w + b), delta = 2 (a - y) / N · σ'(z); return "
        "L, X^T @ delta, sum of delta")


def numerical_gradient(loss_of, params, h=1e-6):
    """Estimate dL/dp for every entry p of the array params by central differences.

        dL/dp ≈ (L(p + h) - L(p - h)) / (2h)

    The error of this estimate shrinks like h^2, but below about h = 1e-6 rounding in L itself takes
    over (float64 keeps about 16 digits). params is nudged in place and restored, so loss_of(params) may
    also read it from wherever it lives, e.g. a network's weights. That only works on the array itself,
    never on a copy, and needs float64 (float32 would round a 1e-6 nudge away), so anything else is refused.
    """
    if not (isinstance(params, np.ndarray) and params.dtype == np.float64):
        raise TypeError("numerical_gradient nudges params in place: pass the float64 array the loss reads")
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

    Relative, because an absolute difference of 1e-8 is excellent for a gradient of size 1 and damning
    for a gradient of size 1e-9. Around 1e-7 or less means the formula is right; a bug gives 1e-2 or more.
    """
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    return np.divide(np.abs(analytic - numeric), scale, out=np.zeros_like(scale), where=scale > 0)


# ---------------------------------------------------------------------------------------------------
# Gradient descent: step downhill, again and again
# ---------------------------------------------------------------------------------------------------
def train_neuron(X, y, w, b, lr, steps):
    """Gradient descent: w <- w - lr · dL/dw, b <- b - lr · dL/db, repeated `steps` times.

    The gradient points uphill, the direction in which L grows fastest, so a small step against it
    lowers L. The learning rate lr sets the step size. Returns the final w, b and the path taken as an
    array of rows (w_1, ..., w_n, b, loss), one row per step plus the start.
    """
    raise NotImplementedError(
        "TODO train_neuron: steps times: record (w, b, L), then w -= lr · dL/dw, b -= lr · dL/db; "
        "record the end too")

# ===================================================================================================
# End of carried-over code. New in this lesson: Network.forward_all and Network.backward,
# gradient steps, XOR and two moons.
# ===================================================================================================

# ---------------------------------------------------------------------------------------------------
# The network: layers of neurons, one matrix product each
# ---------------------------------------------------------------------------------------------------
class Network:
    """A stack of fully connected sigmoid layers.

    sizes lists the number of neurons per layer, input first: Network([784, 30, 10]) takes 784 inputs,
    has one hidden layer of 30 neurons and 10 outputs. Layer l (counting from 1) has
        weights[l-1]: (n_in, n_out)   column j holds the weights of neuron j
        biases[l-1]:  (n_out,)

    The weights start random, drawn from a normal distribution with variance 1/n_in. Then z = a @ W + b
    sums n_in terms and still has a variance of about 1, whatever the width, so every sigmoid starts on
    its sloped middle part instead of being flattened at 0 or 1 (where it could not learn, see 04a).
    The biases start at 0. The same seed always gives the same network.
    """

    def __init__(self, sizes, seed=0, dtype=np.float64):
        self.sizes = [int(n) for n in sizes]
        rng = np.random.default_rng(seed)
        self.weights = [(rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(dtype)
                        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [np.zeros(n_out, dtype=dtype) for n_out in self.sizes[1:]]

    def forward(self, X):
        """The output for a batch X of shape (N, n_in): a^l = σ(a^(l-1) @ W^l + b^l), layer after layer."""
        raise NotImplementedError(
            "TODO Network.forward: X must be (N, n_in), else ValueError; a^0 = X, a^l = σ(a^(l-1) "
            "@ W^l + b^l); return a^L")

    # --- new in 04b: backpropagation (the two methods above are unchanged from 02) -------------------
    def forward_all(self, X):
        """The forward pass keeping every layer's activation: [a^0 = X, a^1, ..., a^L].

        Backpropagation needs them all: the gradient of layer l's weights is built from a^(l-1).
        """
        activations = [np.asarray(X)]
        for W, b in zip(self.weights, self.biases):
            activations.append(sigmoid(activations[-1] @ W + b))  # (N, n_in) @ (n_in, n_out) -> (N, n_out)
        return activations

    def backward(self, X, Y, activations=None):
        """The gradient of L = mse_loss(forward(X), Y) for every weight and bias: backpropagation.

        Returns (grad_weights, grad_biases), two lists shaped like weights and biases. Write
        delta^l = dL/dz^l, shaped (N, n_l): how much L changes when each neuron's z moves, per sample.
        The chain rule of 04a, applied layer by layer from the output back to the input:

            delta^L     = 2 (a^L - Y) / (N K)  *  σ'(z^L)               (the output layer; K outputs)
            grad_W^l    = (a^(l-1))^T @ delta^l      (n_in, N) @ (N, n_out) -> (n_in, n_out)
            grad_b^l    = sum of delta^l over the batch                   -> (n_out,)
            delta^(l-1) = (delta^l @ (W^l)^T)  *  σ'(z^(l-1))   (N, n_out) @ (n_out, n_in) -> (N, n_in)

        delta^l @ (W^l)^T sends each neuron's error back along the same weights that carried its input
        forward. σ'(z) = σ(z)(1 - σ(z)) = a (1 - a), so the activations are all we need to keep.
        Pass `activations` from forward_all(X) if you already have them, to skip a second forward pass.
        """
        raise NotImplementedError(
            "TODO Network.backward_from: delta^L = 2 (a^L - Y) / (N K) · a^L (1 - a^L); grad_W^l "
            "= (a^(l-1))^T @ delta^l, grad_b^l = sum of delta^l; delta^(l-1) = (delta^l @ "
            "(W^l)^T) · a^(l-1) (1 - a^(l-1))")

# ---------------------------------------------------------------------------------------------------
# Learning: gradient descent on the whole network
# ---------------------------------------------------------------------------------------------------
def gradient_step(net, X, Y, lr):
    """One step downhill for every parameter at once: W <- W - lr · dL/dW, b <- b - lr · dL/db.

    Returns the loss and the output before the step: both come free with the forward pass that
    backward needs. The arrays are updated in place: the same result as W = W - lr * grad_W, without
    making a new array at every step.
    """
    activations = net.forward_all(X)
    output = activations[-1]
    grad_weights, grad_biases = net.backward(X, Y, activations)
    for W, grad_W in zip(net.weights, grad_weights):
        W -= lr * grad_W
    for b, grad_b in zip(net.biases, grad_biases):
        b -= lr * grad_b
    return mse_loss(output, Y), output


def train(net, X, Y, lr, steps):
    """Full-batch gradient descent: `steps` gradient steps on all of X. Returns the loss at every step."""
    return np.array([gradient_step(net, X, Y, lr)[0] for _ in range(steps)])


def accuracy(net, X, labels):
    """Fraction of samples on the right side of 0.5 (for networks with one output)."""
    return float(np.mean((net.forward(X)[:, 0] > 0.5) == labels))


# ---------------------------------------------------------------------------------------------------
# Data: XOR and two moons
# ---------------------------------------------------------------------------------------------------
# XOR is 1 when exactly one input is 1. No straight line separates its 1s from its 0s, so no single
# neuron (whose decision line is straight, lesson 01) can compute it; one hidden layer can.
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def make_moons(n, noise, rng):
    """Two interleaving half circles in the plane, n points in all, with Gaussian noise.

    Class 0: (cos t, sin t), class 1: (1 - cos t, 0.5 - sin t), t uniform in [0, π]. Returns the points
    (n, 2) and their labels (n,) as 0/1 integers. A curved boundary separates them.
    """
    t = rng.uniform(0, np.pi, size=n)
    labels = rng.integers(0, 2, size=n)
    x = np.where(labels == 0, np.cos(t), 1 - np.cos(t))
    y = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
    return np.stack([x, y], axis=1) + rng.normal(0, noise, size=(n, 2)), labels


# ---------------------------------------------------------------------------------------------------
# The lesson
# ---------------------------------------------------------------------------------------------------
XOR_SIZES, XOR_LR, XOR_STEPS = [2, 3, 1], 10.0, 2000
MOONS_SIZES, MOONS_LR, MOONS_STEPS, MOONS_N, MOONS_NOISE = [2, 16, 16, 1], 10.0, 3000, 400, 0.15


def print_gradient_check(seed):
    """Backprop against central differences for every weight and bias of a small network."""
    rng = np.random.default_rng(seed)
    net = Network([3, 5, 4, 2], seed=seed)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))   # (N=6, 3) and (6, 2)
    grad_weights, grad_biases = net.backward(X, Y)
    print(f"Gradient check: Network({net.sizes}) on a batch of 6, every parameter nudged by h = 1e-6")
    for l in range(len(net.weights)):
        for name, params, analytic in [(f"W{l + 1}", net.weights[l], grad_weights[l]),
                                       (f"b{l + 1}", net.biases[l], grad_biases[l])]:
            numeric = numerical_gradient(lambda _: mse_loss(net.forward(X), Y), params)
            print(f"  {name} {str(params.shape):8s} largest relative error {relative_error(analytic, numeric).max():.1e}")
    print("  Every entry agrees to about 7 digits or better: backward() computes the true gradient.")
    print()


def verdict(output, target):
    """'right' or 'WRONG' by which side of 0.5 the output is, 'undecided' when it sits on 0.5."""
    if abs(output - 0.5) < 0.01:
        return "undecided"
    return "right" if (output > 0.5) == target else "WRONG"


def print_xor(seed, lr, steps):
    rng = np.random.default_rng(seed)
    w, b, path = train_neuron(XOR_X, XOR_Y[:, 0], rng.normal(size=2), 0.0, lr, steps)
    outputs = sigmoid(XOR_X @ w + b)
    print(f"XOR with lesson 04a's single neuron, {steps} steps at lr = {lr}:")
    for x, y, a in zip(XOR_X, XOR_Y[:, 0], outputs):
        print(f"  x = {x}  target {y:.0f}  output {a:.3f}  {verdict(a, y)}")
    print(f"  loss {path[-1, -1]:.4f}: a straight decision line cannot separate XOR's 1s from its 0s.")
    net = Network(XOR_SIZES, seed=seed)
    losses = train(net, XOR_X, XOR_Y, lr, steps)
    print(f"XOR with Network({net.sizes}), {steps} steps at lr = {lr}:")
    for step in [0, 100, 500, 1000, steps - 1]:
        print(f"  step {step:5d}  loss {losses[step]:.5f}")
    for x, y, a in zip(XOR_X, XOR_Y[:, 0], net.forward(XOR_X)[:, 0]):
        print(f"  x = {x}  target {y:.0f}  output {a:.3f}  {verdict(a, y)}")
    print()
    return net, losses


def print_moons(seed, lr, steps):
    X, labels = make_moons(MOONS_N, MOONS_NOISE, np.random.default_rng(seed))
    X_test, labels_test = make_moons(MOONS_N, MOONS_NOISE, np.random.default_rng(seed + 1000))
    net = Network(MOONS_SIZES, seed=seed)
    print(f"Two moons: {MOONS_N} training points, Network({net.sizes}), full-batch gradient descent, lr = {lr}")
    losses = []
    for start in range(0, steps, steps // 5):
        losses.extend(train(net, X, labels[:, None].astype(float), lr, steps // 5))
        print(f"  step {start + steps // 5:5d}  loss {losses[-1]:.4f}  training accuracy {accuracy(net, X, labels):.1%}")
    print(f"  accuracy on {MOONS_N} new points from the same distribution: {accuracy(net, X_test, labels_test):.1%}")
    print()
    return net, np.array(losses), X, labels


def plot_losses(plt, curves):
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, losses in curves.items():
        ax.plot(losses, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("gradient step")
    ax.set_ylabel("loss (log scale)")
    ax.set_title("Training loss")
    ax.legend()
    return fig


def plot_decision_boundary(plt, net, X, labels, title):
    """The network's output over the plane, its 0.5 contour (the decision boundary) and the data."""
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    u, v = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = np.stack([u.ravel(), v.ravel()], axis=1)           # (90000, 2): every pixel is one sample
    output = net.forward(grid)[:, 0].reshape(u.shape)         # (300, 300)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    image = ax.contourf(u, v, output, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.contour(u, v, output, levels=[0.5], colors="k")
    fig.colorbar(image, ax=ax, label="network output")
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="RdBu_r", edgecolors="k", s=18)
    ax.set_title(title)
    return fig


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument("--lr", type=positive_float, default=10.0, help="learning rate (default: 10.0)")
    args = parser.parse_args(argv)
    print_gradient_check(args.seed)
    xor_net, xor_losses = print_xor(args.seed, args.lr, XOR_STEPS)
    moons_net, moons_losses, X, labels = print_moons(args.seed, args.lr, MOONS_STEPS)
    if args.no_plots:
        return
    plt = open_pyplot(args.show)
    save_figure(plot_losses(plt, {"XOR": xor_losses, "two moons": moons_losses}), args.figures_dir, "04b_loss_curve.png")
    save_figure(plot_decision_boundary(plt, moons_net, X, labels, f"Network({moons_net.sizes}) on two moons"),
                args.figures_dir, "04b_decision_boundary.png")
    save_figure(plot_decision_boundary(plt, xor_net, XOR_X, XOR_Y[:, 0], f"Network({xor_net.sizes}) on XOR"),
                args.figures_dir, "04b_xor.png")
    finish_figures(plt, args.show)


if __name__ == "__main__":
    try:
        main()
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
