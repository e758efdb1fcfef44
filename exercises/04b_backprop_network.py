# Exercise: 04b_backprop_network.py with its key functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 04b: backpropagation through a whole network.

What this file teaches
    Lesson 04a took the gradient of one neuron with the chain rule. A network is neurons feeding
    neurons, so the same chain rule applies, layer after layer, from the loss back to the first
    weights. Write delta^l = dL/dz^l for the error signal at layer l (shape (N, n_l)); then, with K
    outputs,

        delta^L     = 2 (a^L - Y) / (N K) * σ'(z^L)              the output layer, as in 04a
        grad_W^l    = (a^(l-1))^T @ delta^l                       (n_in, N) @ (N, n_out)
        grad_b^l    = delta^l summed over the batch               (n_out,)
        delta^(l-1) = (delta^l @ (W^l)^T) * σ'(z^(l-1))           the error sent one layer back

    Where they come from, one entry at a time (sample n, neuron i of layer l-1, neuron j of layer
    l; z^l_nj = sum_i a^(l-1)_ni W^l_ij + b^l_j): W^l_ij enters z^l_nj of every sample with slope
    a^(l-1)_ni, so dL/dW^l_ij = sum_n a^(l-1)_ni delta^l_nj, the (i, j) entry of
    (a^(l-1))^T delta^l; b^l_j enters with slope 1, so its gradient sums delta^l over n; and
    a^(l-1)_ni feeds every neuron j with slope W^l_ij, so dL/da^(l-1)_ni = sum_j delta^l_nj W^l_ij,
    the (n, i) entry of delta^l (W^l)^T, times σ'(z^(l-1)_ni) to reach z. A gradient has the shape
    of what it differentiates; that decides where the transposes go (README, "Where the four rows
    come from").

    `Network.backward(X, Y)` computes exactly this for a whole batch with matrix products (no loop
    over samples), and a gradient check against central differences shows that every entry is
    right.

    Then the network learns what no single neuron can: XOR, whose 1s and 0s no straight line
    separates, and two interleaved half-moons that need a curved boundary.

What is new since 04a
    Network.forward_all, Network.backward and Network.backward_from (backpropagation), gradient
    steps for a whole network, the XOR and two-moons datasets, and decision boundaries.

What it leaves out
    Real data and mini-batches: lesson 05 trains on 50,000 handwritten digits and validates on
    10,000 more.

Run
    python 04b_backprop_network.py [--lr 10] [--seed N] [--no-plots] [--show] [--figures-dir DIR]
"""
import argparse
import sys
from pathlib import Path

import numpy as np

LR = 10.0        # the learning rate, for XOR and the moons alike; --lr overrides it
XOR_SIZES, XOR_STEPS = [2, 3, 1], 2000
MOONS_SIZES, MOONS_STEPS = [2, 16, 16, 1], 3000
MOONS_N, MOONS_NOISE = 400, 0.15    # points per set, and the noise added to each coordinate


# ==================================================================================================
# The network, now with backpropagation
# ==================================================================================================
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

    # --- new in 04b: backpropagation (the methods above are unchanged from 02) --------------------
    def forward_all(self, X):
        """The forward pass keeping every layer's activation: [a^0 = X, a^1, ..., a^L].

        Backpropagation needs them all: the gradient of layer l's weights is built from a^(l-1).
        """
        activations = [np.asarray(X)]
        for W, b in zip(self.weights, self.biases):
            # (N, n_in) @ (n_in, n_out) + (n_out,) -> (N, n_out)
            activations.append(sigmoid(activations[-1] @ W + b))
        return activations

    def backward(self, X, Y):
        """The gradient of L = mse_loss(forward(X), Y) for every weight and bias: backpropagation.

        Returns (grad_weights, grad_biases), two lists shaped like weights and biases. It runs the
        forward pass with forward_all and hands the activations to backward_from, which does the
        work.
        """
        return self.backward_from(self.forward_all(X), Y)

    def backward_from(self, activations, Y):
        """backward, given the activations [a^0 = X, a^1, ..., a^L] that forward_all(X) returned.

        Write delta^l = dL/dz^l, shaped (N, n_l): how much L changes when each neuron's z moves, per
        sample. The chain rule of 04a, applied layer by layer from the output back to the input:

            delta^L     = 2 (a^L - Y) / (N K)  *  σ'(z^L)         (the output layer; K outputs)
            grad_W^l    = (a^(l-1))^T @ delta^l     (n_in, N) @ (N, n_out) -> (n_in, n_out)
            grad_b^l    = sum of delta^l over the batch                  -> (n_out,)
            delta^(l-1) = (delta^l @ (W^l)^T)  *  σ'(z^(l-1))
                                                    (N, n_out) @ (n_out, n_in) -> (N, n_in)

        delta^l @ (W^l)^T sends each neuron's error back along the same weights that carried its
        input forward. σ'(z) = σ(z)(1 - σ(z)) = a (1 - a), so the activations are all we need to
        keep.
        A caller that already has the activations (gradient_step does) skips a second forward pass.
        """
        raise NotImplementedError(
            "TODO Network.backward_from: delta^L = 2 (a^L - Y) / (N K) · a^L (1 - a^L); grad_W^l "
            "= (a^(l-1))^T @ delta^l, grad_b^l = sum of delta^l; delta^(l-1) = (delta^l @ "
            "(W^l)^T) · a^(l-1) (1 - a^(l-1))")


def print_gradient_check(seed):
    """Backprop against central differences for every weight and bias of a small network."""
    rng = np.random.default_rng(seed)
    net = Network([3, 5, 4, 2], seed=seed)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))   # (N=6, 3) and (6, 2)
    grad_weights, grad_biases = net.backward(X, Y)
    print(f"Gradient check: Network({net.sizes}) on a batch of 6, "
          "every parameter nudged by h = 1e-5")
    worst = 0.0
    for l in range(len(net.weights)):
        for name, params, analytic in [(f"W{l + 1}", net.weights[l], grad_weights[l]),
                                       (f"b{l + 1}", net.biases[l], grad_biases[l])]:
            numeric = numerical_gradient(lambda _: mse_loss(net.forward(X), Y), params)
            error = relative_error(analytic, numeric).max()
            worst = max(worst, error)
            print(f"  {name} {str(params.shape):8s} largest relative error {error:.1e}")
    print(f"  {gradient_verdict(worst, 'backward()')}")
    print()


# ==================================================================================================
# Learning: gradient descent on the whole network
# ==================================================================================================
def gradient_step(net, X, Y, lr):
    """One step downhill for every parameter at once: W <- W - lr · dL/dW, b <- b - lr · dL/db.

    lr is one learning rate for every layer, or a list of one rate per layer of weights (lesson 05
    gives its output layer a rate of its own). Returns the loss and the output before the step: both
    come free with the forward pass that backpropagation needs. The arrays are updated in place:
    the same result as W = W - lr * grad_W, without making a new array at every step.
    """
    activations = net.forward_all(X)
    output = activations[-1]
    grad_weights, grad_biases = net.backward_from(activations, Y)
    rates = lr if isinstance(lr, (list, tuple)) else [lr] * len(net.weights)   # one per layer
    for W, b, grad_W, grad_b, rate in zip(net.weights, net.biases, grad_weights, grad_biases,
                                          rates):
        W -= rate * grad_W
        b -= rate * grad_b
    return mse_loss(output, Y), output


def train(net, X, Y, lr, steps):
    """Full-batch gradient descent: `steps` gradient steps on all of X. Returns the loss at each."""
    return np.array([gradient_step(net, X, Y, lr)[0] for _ in range(steps)])


def accuracy(net, X, labels):
    """Fraction of samples on the right side of 0.5 (for networks with one output)."""
    return float(np.mean((net.forward(X)[:, 0] > 0.5) == labels))


# ==================================================================================================
# XOR: what one neuron cannot learn and one hidden layer can
# ==================================================================================================
# XOR is 1 when exactly one input is 1. No straight line separates its 1s from its 0s, so no single
# neuron (whose decision line is straight, lesson 01) can compute it; one hidden layer can.
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def train_and_print_xor(seed, lr, steps):
    """Train lesson 04a's single neuron, then a Network, on XOR, printing how each ends.

    Returns the trained network and its loss at every step.
    """
    rng = np.random.default_rng(seed)
    w, b, path = train_neuron(XOR_X, XOR_Y[:, 0], rng.normal(size=2), 0.0, lr, steps)
    outputs = sigmoid(XOR_X @ w + b)
    print(f"XOR with lesson 04a's single neuron, {steps} steps at lr = {lr}:")
    for x, y, a in zip(XOR_X, XOR_Y[:, 0], outputs):
        print(f"  x = {x}  target {y:.0f}  output {a:.3f}  {verdict(a, y)}")
    print(f"  loss {path[-1, -1]:.4f}: "
          "a straight decision line cannot separate XOR's 1s from its 0s.")
    net = Network(XOR_SIZES, seed=seed)
    losses = train(net, XOR_X, XOR_Y, lr, steps)
    print(f"XOR with Network({net.sizes}), {steps} steps at lr = {lr}:")
    for step in [0, 100, 500, 1000, steps - 1]:
        print(f"  step {step:5d}  loss {losses[step]:.5f}")
    for x, y, a in zip(XOR_X, XOR_Y[:, 0], net.forward(XOR_X)[:, 0]):
        print(f"  x = {x}  target {y:.0f}  output {a:.3f}  {verdict(a, y)}")
    print()
    return net, losses


def why_training_failed(net, X, labels, lr):
    """None if the network gets more than 60% of its training points right; else why not, read
    from its outputs: saturated (every output pushed to 0 or 1, where σ' ≈ 0 and no gradient
    flows: steps too large) or still moving (steps too small, or too few)."""
    right = accuracy(net, X, labels)
    if right > 0.6:
        return None
    a = net.forward(X)[:, 0]
    saturated = float(np.mean(np.minimum(a, 1 - a) < 0.01))
    summary = (f"Network({net.sizes}) gets {right:.1%} of its training points right, no better "
               "than guessing")
    if saturated > 0.9:
        return (f"{summary}: {saturated:.0%} of its outputs sit within 0.01 of 0 or 1, where the "
                f"sigmoid's slope is ~0 and no gradient flows. The learning rate {lr:g} is too "
                f"large; try --lr {LR:g}")
    return (f"{summary}, and its outputs are not saturated: the learning rate {lr:g} is too small "
            f"for this many steps; try a larger --lr, e.g. --lr {LR:g}")


def verdict(output, target):
    """'right' or 'WRONG' by which side of 0.5 the output is, 'undecided' when it sits on 0.5."""
    if abs(output - 0.5) < 0.01:
        return "undecided"
    return "right" if (output > 0.5) == target else "WRONG"


# ==================================================================================================
# Two moons: a curved boundary, and a test on points the network has not seen
# ==================================================================================================
def make_moons(n, noise, rng):
    """Two interleaving half circles in the plane, n points in all, with Gaussian noise.

    Class 0: (cos t, sin t), class 1: (1 - cos t, 0.5 - sin t), t uniform in [0, π]. Returns the
    points (n, 2) and their labels (n,) as 0/1 integers. A curved boundary separates them.
    """
    t = rng.uniform(0, np.pi, size=n)
    labels = rng.integers(0, 2, size=n)
    x = np.where(labels == 0, np.cos(t), 1 - np.cos(t))
    y = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
    return np.stack([x, y], axis=1) + rng.normal(0, noise, size=(n, 2)), labels


def train_and_print_moons(seed, lr, steps):
    """Train a Network on two moons, printing the loss and accuracy five times on the way and the
    accuracy on new points at the end.

    Returns the network, its loss at every step, and the training points (n, 2) with their labels.
    """
    X, labels = make_moons(MOONS_N, MOONS_NOISE, np.random.default_rng(seed))
    X_test, labels_test = make_moons(MOONS_N, MOONS_NOISE, np.random.default_rng(seed + 1000))
    net = Network(MOONS_SIZES, seed=seed)
    print(f"Two moons: {MOONS_N} training points, Network({net.sizes}), "
          f"full-batch gradient descent, lr = {lr}")
    losses = []
    for start in range(0, steps, steps // 5):
        losses.extend(train(net, X, labels[:, None].astype(float), lr, steps // 5))
        print(f"  step {start + steps // 5:5d}  loss {losses[-1]:.4f}  "
              f"training accuracy {accuracy(net, X, labels):.1%}")
    print(f"  accuracy on {MOONS_N} new points from the same distribution: "
          f"{accuracy(net, X_test, labels_test):.1%}")
    losses = np.array(losses)
    print_loss_jumps(losses)
    print()
    return net, losses, X, labels


def print_loss_jumps(losses):
    """How often a full-batch step made the loss worse, and the largest such jump.

    Gradient descent only promises a lower loss for small enough steps. Where the loss surface
    curves sharply (a narrow valley), a step of lr 10 can overshoot the valley floor and land
    higher up the far wall; the next steps come back down.
    """
    ratios = losses[1:] / losses[:-1]                  # (steps - 1,): > 1 where the loss went up
    worst = int(np.argmax(ratios))
    if ratios[worst] <= 1:
        print(f"  the loss went down at every one of the {len(losses)} steps")
        return
    print(f"  the loss went up {int(np.sum(ratios > 1))} times in {len(losses)} steps; the largest "
          f"jump, at step {worst + 1}, from {losses[worst]:.4f} to {losses[worst + 1]:.4f}")


# ==================================================================================================
# Figures
# ==================================================================================================
def plot_losses(plt, curves):
    """The loss at every gradient step, one curve per {label: losses}, on a log scale."""
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
    grid = np.stack([u.ravel(), v.ravel()], axis=1)   # (90000, 2): every pixel is one sample
    output = net.forward(grid)[:, 0].reshape(u.shape)  # (300, 300)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    image = ax.contourf(u, v, output, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.contour(u, v, output, levels=[0.5], colors="k")
    fig.colorbar(image, ax=ax, label="network output")
    # The data by shape and in black and white, so no point hides in the background of its class.
    size = 120 if len(X) <= 10 else 22
    for label, marker, face, edge in [(0, "o", "w", "k"), (1, "^", "k", "w")]:
        x = X[labels == label]                                         # the points of that class
        ax.scatter(x[:, 0], x[:, 1], marker=marker, facecolors=face, edgecolors=edge,
                   linewidths=1.5 if len(X) <= 10 else 0.6, s=size, zorder=3,
                   label=f"class {label}")
    ax.legend(loc="lower left", framealpha=0.9)
    ax.set_xlabel("input x1")
    ax.set_ylabel("input x2")
    ax.set_title(title)
    return fig


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument("--lr", type=positive_float, default=LR,
                        help=f"learning rate (default: {LR:g})")
    args = parser.parse_args(argv)
    print_gradient_check(args.seed)
    xor_net, xor_losses = train_and_print_xor(args.seed, args.lr, XOR_STEPS)
    moons_net, moons_losses, X, labels = train_and_print_moons(args.seed, args.lr, MOONS_STEPS)
    failures = [why for why in (why_training_failed(xor_net, XOR_X, XOR_Y[:, 0], args.lr),
                                why_training_failed(moons_net, X, labels, args.lr)) if why]
    for why in failures:
        print(f"error: {why}", file=sys.stderr)
    if not args.no_plots:
        draw_figures(args, xor_net, xor_losses, moons_net, moons_losses, X, labels)
    return 1 if failures else 0


def draw_figures(args, xor_net, xor_losses, moons_net, moons_losses, X, labels):
    plt = open_pyplot(args.show)
    figures = {
        "04b_loss_curve.png": plot_losses(plt, {"XOR": xor_losses, "two moons": moons_losses}),
        "04b_decision_boundary.png": plot_decision_boundary(
            plt, moons_net, X, labels, f"Network({moons_net.sizes}) on two moons"),
        "04b_xor.png": plot_decision_boundary(
            plt, xor_net, XOR_X, XOR_Y[:, 0], f"Network({xor_net.sizes}) on XOR"),
    }
    save_figures(plt, figures, args.figures_dir, args.show)


# ==================================================================================================
# Carried over from 01_single_neuron.py, 03_loss_function.py and
# 04a_backprop_single_neuron.py, unchanged (tests/test_carry_forward.py keeps the copies
# identical): the sigmoid and its slope, the mean squared error, the single neuron's
# gradient descent and gradient, the numerical gradient check, and the positive-number check.
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


def train_neuron(X, y, w, b, lr, steps):
    """Gradient descent: w <- w - lr · dL/dw, b <- b - lr · dL/db, repeated `steps` times.

    The gradient points uphill, the direction in which L grows fastest, so a small step against it
    lowers L. The learning rate lr sets the step size. Returns the final w, b and the path taken as
    an array of rows (w_1, ..., w_n, b, loss), one row per step plus the start.
    """
    raise NotImplementedError(
        "TODO train_neuron: steps times: record (w, b, L), then w -= lr · dL/dw, b -= lr · "
        "dL/db; record the end too")


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


GRADIENT_AGREES = 1e-4       # the relative error up to which a gradient counts as right: the
                             # numerical estimate's own error stays below it (numerical_gradient)


def gradient_verdict(worst, computed_by="the formula"):
    """What the largest relative error between an analytic and the numerical gradient says."""
    if worst <= GRADIENT_AGREES:
        return (f"largest relative error {worst:.1e}, within the estimate's own error "
                f"(<= {GRADIENT_AGREES:.0e}):\n  {computed_by} gives the true gradient")
    return (f"largest relative error {worst:.1e}, more than the estimate's own error "
            f"(<= {GRADIENT_AGREES:.0e}) explains:\n  {computed_by} is wrong")


def positive_float(text):
    """argparse type: a finite number > 0, or a message saying what was wrong."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number greater than 0")
    return value


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
