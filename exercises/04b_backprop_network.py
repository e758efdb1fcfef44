# Exercise: 04b_backprop_network.py, its new functions left to you (each raises a TODO).
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
    of what it differentiates, which rules out most wrong products; when sizes coincide (a square
    W^l) a wrong product can have the right shape too, and only the entries above tell them apart
    (README, "Where the four rows come from").

    The lesson first walks one sample through a tiny network with two layers, printing every z, a,
    delta and gradient, and then gets the same numbers from the matrix code, which computes this
    for a whole batch (no loop over samples). The maths numbers layers from 1 (W^1 feeds layer 1);
    the code's lists from 0 (weights[0] is W^1): print_walk prints the table. A gradient check
    against central differences shows that every entry is right.

    Then the network learns what no single neuron can: XOR, whose 1s and 0s no straight line
    separates, and two interleaved half-moons that need a curved boundary.

What is new since 04a
    Network.forward_all, Network.backward and Network.backward_from (backpropagation), with the
    output layer's delta and the sigmoid's slope as methods of their own (output_delta, slope),
    gradient steps for a whole network, the XOR and two-moons datasets. The Network extends
    lesson 02's; the sigmoid comes from 01, the loss from 03, and the single neuron's gradient
    descent and the numerical gradient check from 04a. The figures of the loss and of the decision
    boundary are drawn by support/plane_figures.py; support/verdicts.py words how each training
    run ended; support/learner_checks.py says what a backward_from returned when it is not two
    lists of gradients, or which arrays met in a product NumPy refused.

What it leaves out
    Real data and mini-batches: lesson 05 trains on 50,000 handwritten digits and validates on
    10,000 more.

Run
    python 04b_backprop_network.py [--lr 10] [--seed N] [--no-plots] [--show] [--figures-dir DIR]
    python 04b_backprop_network.py --data points.csv     the moons' network on your own points:
        x1,x2,label rows (label 0 or 1), a header row allowed; a fifth is held out to test on
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

from support.arguments import make_parser, positive_float, user_path
from support.figures import open_pyplot, save_figures
from support.lessons import from_lesson
from support.learner_checks import check_backward_from, checked_gradients
from support.lifecycle import one_line_errors, run
from support.plane_figures import plot_decision_boundary, plot_losses
from support.points_file import PointsFileError, read_points
from support.verdicts import print_loss_jumps, print_single_neuron_verdict, why_training_failed

sigmoid = from_lesson("01_single_neuron", "sigmoid")
ForwardNetwork = from_lesson("02_forward_pass", "Network")
mse_loss = from_lesson("03_loss_function", "mse_loss")
train_neuron, numerical_gradient, relative_error, gradient_verdict = from_lesson(
    "04a_backprop_single_neuron", "train_neuron", "numerical_gradient", "relative_error",
    "gradient_verdict")

LR = 10.0        # the learning rate, for XOR and the moons alike; --lr overrides it
XOR_SIZES, XOR_STEPS = [2, 3, 1], 2000
MOONS_SIZES, MOONS_STEPS = [2, 16, 16, 1], 3000
MOONS_N, MOONS_NOISE = 400, 0.15    # points per set, and the noise added to each coordinate


# ==================================================================================================
# The network, now with backpropagation
# ==================================================================================================
class Network(ForwardNetwork):
    """Lesson 02's Network (its sizes, weights, biases and forward pass), now with backpropagation:
    forward_all keeps every layer's activation, and backward turns them into the gradient of the
    loss for every weight and bias."""

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
        """backward, given the activations [a^0 = X, a^1, ..., a^L] that forward_all(X) returned:
        (grad_weights, grad_biases), two lists shaped like weights and biases, input side first.

        Write delta^l = dL/dz^l, shaped (N, n_l): how much L changes when each neuron's z moves, per
        sample. The chain rule of 04a, applied layer by layer from the output back to the input:

            delta^L     = 2 (a^L - Y) / (N K)  *  σ'(z^L)         (the output layer; K outputs)
            grad_W^l    = (a^(l-1))^T @ delta^l     (n_in, N) @ (N, n_out) -> (n_in, n_out)
            grad_b^l    = sum of delta^l over the batch                  -> (n_out,)
            delta^(l-1) = (delta^l @ (W^l)^T)  *  σ'(z^(l-1))
                                                    (N, n_out) @ (n_out, n_in) -> (N, n_in)

        delta^l @ (W^l)^T sends each neuron's error back along the same weights that carried its
        input forward. The first row and the σ' of the last are methods of their own, output_delta
        and slope: they are what changes with another loss or another activation (lesson 06).
        A caller that already has the activations (gradient_step does) skips a second forward pass.

        Also checked: float32 stays float32; a Y shaped unlike a^L raises a ValueError showing
        Y's shape.
        """
        raise NotImplementedError(
            "TODO Network.backward_from: the gradients of every weight and bias from the "
            "activations and Y (N, K): two lists shaped like weights and biases; stuck? python "
            "tools/hint.py Network.backward_from")

    def output_delta(self, output, Y):
        """delta^L = dL/dz^L for the MSE loss on sigmoid outputs, (N, K): the loss's slope
        2 (a^L - Y) / (N K) times the output sigmoid's slope σ'(z^L) = a^L (1 - a^L).

        Also checked: float32 outputs give a float32 delta.
        """
        raise NotImplementedError(
            "TODO Network.output_delta: delta^L = dL/dz^L (N, K) for the MSE loss on the sigmoid "
            "outputs; stuck? python tools/hint.py Network.output_delta")

    def slope(self, a):
        """σ'(z) of a hidden sigmoid, from its output a = σ(z): σ(z) (1 - σ(z)) = a (1 - a).

        Also checked: float32 stays float32.
        """
        raise NotImplementedError(
            "TODO Network.slope: σ'(z) of a hidden sigmoid, computed from its output a = σ(z) "
            "alone; stuck? python tools/hint.py Network.slope")


def print_walk(seed):
    """One sample through Network([2, 2, 1]) by hand, every z, a, delta and gradient, entry by entry
    as the chain rule gives them; then the same numbers from backward's matrix products."""
    net = Network([2, 2, 1], seed=seed)
    x, y = np.array([0.5, -1.0]), 1.0
    (W1, W2), (b1, b2) = net.weights, net.biases             # W1: (2, 2), W2: (2, 1)
    print("One sample through Network([2, 2, 1]), every number of backpropagation.")
    print("  The maths counts layers from 1, the code's lists from 0:")
    print(f"    W^1 = weights[0] = {matrix(W1)},  b^1 = biases[0] = {matrix(b1)}")
    print(f"    W^2 = weights[1] = {matrix(W2)},  b^2 = biases[1] = {matrix(b2)}")
    print("    a^0 = activations[0] = x,  a^1 = activations[1],  a^2 = activations[2], the output;")
    print("    W^l_ij joins neuron i of layer l-1 to neuron j of layer l")
    z1 = [x[0] * W1[0, j] + x[1] * W1[1, j] + b1[j] for j in range(2)]
    a1 = [float(sigmoid(z)) for z in z1]
    z2 = a1[0] * W2[0, 0] + a1[1] * W2[1, 0] + b2[0]
    a2 = float(sigmoid(z2))
    print(f"  forward, x = {matrix(x)}, target y = {y:g}:")
    for j in (1, 2):
        print(f"    z^1_{j} = x_1 W^1_1{j} + x_2 W^1_2{j} + b^1_{j} = {z1[j - 1]:+.4f}     "
              f"a^1_{j} = σ(z^1_{j}) = {a1[j - 1]:.4f}")
    print(f"    z^2 = a^1_1 W^2_11 + a^1_2 W^2_21 + b^2 = {z2:+.4f}     a^2 = σ(z^2) = {a2:.4f}")
    print(f"    L = (a^2 - y)^2 = {(a2 - y) ** 2:.4f}")
    delta2 = 2 * (a2 - y) * a2 * (1 - a2)
    delta1 = np.array([delta2 * W2[j, 0] * a1[j] * (1 - a1[j]) for j in range(2)])
    print("  backward, from the output down:")
    print(f"    delta^2 = 2 (a^2 - y) · a^2 (1 - a^2) = {delta2:+.4f}")
    print(f"    dL/dW^2_11 = a^1_1 delta^2 = {a1[0] * delta2:+.4f}     "
          f"dL/dW^2_21 = a^1_2 delta^2 = {a1[1] * delta2:+.4f}")
    print(f"    dL/db^2 = delta^2 = {delta2:+.4f}")
    for j in (1, 2):
        print(f"    delta^1_{j} = delta^2 W^2_{j}1 · a^1_{j} (1 - a^1_{j}) = {delta1[j - 1]:+.4f}")
    print(f"    dL/dW^1_ij = x_i delta^1_j:  {matrix(np.outer(x, delta1))}")
    print(f"    dL/db^1 = delta^1 = {matrix(delta1)}")
    by_hand = [np.outer(x, delta1), np.array([[a1[0] * delta2], [a1[1] * delta2]]), delta1,
               np.array([delta2])]
    grad_weights, grad_biases = net.backward(x[None, :], np.array([[y]]))   # a batch of one
    difference = max(np.max(np.abs(h - m)) for h, m in zip(by_hand, grad_weights + grad_biases))
    print("  the same from backward(), matrix products on a batch of one:")
    for l in (1, 0):
        print(f"    grad_weights[{l}] = {matrix(grad_weights[l])},  "
              f"grad_biases[{l}] = {matrix(grad_biases[l])}")
    print(f"    largest difference from the numbers by hand: {difference:.1e}")
    print()


def matrix(array):
    """An array's numbers with a sign and 4 decimals (0 as 0), nested: [[+0.1234, 0]]."""
    array = np.asarray(array)
    if array.ndim == 0:
        return "0" if array == 0 else f"{float(array):+.4f}"
    return "[" + ", ".join(matrix(row) for row in array) + "]"


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
    # checked_gradients: backward_from's two lists, or one ValueError saying what came back instead
    grad_weights, grad_biases = checked_gradients(net.backward_from(activations, Y), net)
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
    print_single_neuron_verdict(path[-1, -1], best_single_neuron_loss_on_xor(), lr)
    net = Network(XOR_SIZES, seed=seed)
    losses = train(net, XOR_X, XOR_Y, lr, steps)
    print(f"XOR with Network({net.sizes}), {steps} steps at lr = {lr} (the loss after that "
          "many steps):")
    for step in [0, 100, 500, 1000]:
        print(f"  step {step:5d}  loss {losses[step]:.5f}")           # losses[i]: before step i + 1
    print(f"  step {steps:5d}  loss {mse_loss(net.forward(XOR_X), XOR_Y):.5f}")
    for x, y, a in zip(XOR_X, XOR_Y[:, 0], net.forward(XOR_X)[:, 0]):
        print(f"  x = {x}  target {y:.0f}  output {a:.3f}  {verdict(a, y)}")
    print()
    return net, losses


def best_single_neuron_loss_on_xor(limit=10, points=41):
    """The least loss of one neuron σ(w_1 x_1 + w_2 x_2 + b) on XOR, over a grid of w_1, w_2, b in
    [-limit, limit]: points^3 neurons at once, each a row of the grid."""
    axis = np.linspace(-limit, limit, points)
    w1, w2, b = (g.ravel() for g in np.meshgrid(axis, axis, axis))      # (points^3,) each
    z = np.outer(w1, XOR_X[:, 0]) + np.outer(w2, XOR_X[:, 1]) + b[:, None]   # (points^3, 4)
    return float(np.min(np.mean((sigmoid(z) - XOR_Y[:, 0]) ** 2, axis=1)))


def verdict(output, target):
    """Whether an output is on its 0/1 target's side of 0.5: 'right' or 'WRONG', and 'undecided'
    within 0.01 of 0.5, where neither side is meant."""
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
    losses = train_and_print_progress(net, X, labels, lr, steps)
    print(f"  accuracy on {MOONS_N} new points from the same distribution: "
          f"{accuracy(net, X_test, labels_test):.1%}")
    # Gradient descent only promises a lower loss for small enough steps. Where the loss surface
    # curves sharply (a narrow valley), a step of lr 10 can overshoot the valley floor and land
    # higher up the far wall; the next steps come back down. Count how often that happened.
    print_loss_jumps(losses)
    print()
    return net, losses, X, labels


def train_and_print_progress(net, X, labels, lr, steps):
    """train() on the points X (n, 2) and their 0/1 labels (n,), printing the loss and the
    training accuracy after each fifth of the steps. Returns the loss at every step."""
    losses, Y = [], labels[:, None].astype(float)                      # Y: (n, 1)
    for start in range(0, steps, steps // 5):
        losses.extend(train(net, X, Y, lr, steps // 5))
        print(f"  step {start + steps // 5:5d}  loss {mse_loss(net.forward(X), Y):.4f}  "
              f"training accuracy {accuracy(net, X, labels):.1%}")
    return np.array(losses)


# ==================================================================================================
# Your own points: --data FILE
# ==================================================================================================
def train_and_print_points(path, X, labels, seed, lr, steps):
    """Train the moons' network on a learner's points X (n, 2) with 0/1 labels (n,), read from
    `path`: a fifth held out at random, the rest standardised and trained on. Prints the loss as
    the moons do, then the accuracy on the training points and on the held-out ones.

    Returns the network, its loss at every step, and standardise(points), the map from the file's
    coordinates to the network's inputs.
    """
    order = np.random.default_rng(seed).permutation(len(X))
    held_out, training = order[:len(X) // 5], order[len(X) // 5:]
    # A sigmoid saturates beyond |z| of about 5, where its slope σ' is ~0 and no gradient flows:
    # coordinates in the hundreds would start every neuron there. Standardising moves each
    # coordinate to mean 0 and spread 1. Mean and spread come from the training points alone:
    # the held-out points stay unseen until the test, as new points would be.
    mean, spread = X[training].mean(axis=0), X[training].std(axis=0)
    spread[spread == 0] = 1.0                  # a coordinate that never changes: nothing to scale

    def standardise(points):
        return (points - mean) / spread

    net = Network(MOONS_SIZES, seed=seed)
    print(f"Your points: {path}, {len(X)} points; {len(training)} to train on, {len(held_out)} "
          f"held out at random (--seed {seed}) to test on")
    print(f"  standardised with the training points' mean and std, as raw coordinates could "
          f"saturate the sigmoids: x1 (x - {mean[0]:.4g}) / {spread[0]:.4g}, "
          f"x2 (x - {mean[1]:.4g}) / {spread[1]:.4g}")
    print(f"Network({net.sizes}), full-batch gradient descent, lr = {lr}")
    losses = train_and_print_progress(net, standardise(X[training]), labels[training], lr, steps)
    trained_on = accuracy(net, standardise(X[training]), labels[training])
    tested_on = accuracy(net, standardise(X[held_out]), labels[held_out])
    print(f"  accuracy on the {len(training)} training points {trained_on:.1%}, "
          f"on the {len(held_out)} held-out points {tested_on:.1%}")
    print_loss_jumps(losses)
    print()
    return net, losses, standardise


@one_line_errors    # a backward_from that NumPy stops or that returns the wrong things: one line
def main(argv=None):
    parser = make_parser(__doc__, __file__)
    parser.add_argument("--lr", type=positive_float, default=LR,
                        help=f"learning rate (default: {LR:g})")
    parser.add_argument("--data", type=user_path, metavar="FILE",
                        help="train on your own 2-D points instead of XOR and the moons: a CSV "
                             "file of x1,x2,label rows, each label 0 or 1")
    args = parser.parse_args(argv)
    check_backward_from(Network([3, 5, 4, 2], seed=args.seed), np.random.default_rng(args.seed))
    if args.data is not None:
        return run_on_points(args)
    print_walk(args.seed)
    print_gradient_check(args.seed)
    xor_net, xor_losses = train_and_print_xor(args.seed, args.lr, XOR_STEPS)
    moons_net, moons_losses, X, labels = train_and_print_moons(args.seed, args.lr, MOONS_STEPS)
    failures = [why for why in (
        why_training_failed(xor_net, XOR_X, XOR_Y[:, 0], args.lr, 0.75, "a straight line (3 of 4)",
                            LR),
        why_training_failed(moons_net, X, labels, args.lr, 0.6, "guessing", LR)) if why]
    for why in failures:
        print(f"error: {why}", file=sys.stderr)
    if not args.no_plots:
        draw_figures(args, xor_net, xor_losses, moons_net, moons_losses, X, labels)
    return 1 if failures else 0


def run_on_points(args):
    """--data: the moons' network trained on the points of a CSV file, and its figures. Returns
    the exit status: 1, with one line, for a file that cannot be used."""
    try:
        X, labels = read_points(args.data)
    except PointsFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    net, losses, standardise = train_and_print_points(args.data, X, labels, args.seed, args.lr,
                                                      MOONS_STEPS)
    if not args.no_plots:
        plt = open_pyplot(args.show)
        figures = {
            "04b_points_loss_curve.png": plot_losses(plt, {args.data.name: losses}),
            "04b_points_decision_boundary.png": plot_decision_boundary(
                plt, net, X, labels, f"Network({net.sizes}) on {args.data.name}",
                to_inputs=standardise),
        }
        save_figures(plt, figures, args.figures_dir, args.show)
    return 0


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


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
