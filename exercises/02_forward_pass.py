# Exercise: 02_forward_pass.py, its new functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 02: the forward pass — neurons organised into layers.

What this file teaches
    Put several neurons side by side and they form a layer: every neuron sees the same inputs, each
    with its own weights. Stack the weights of a layer's n_out neurons as the columns of a matrix W
    shaped (n_in, n_out) and the whole layer is one matrix product plus a bias:

        z = a_prev @ W + b        a_prev: (n_in,) -> z: (n_out,)
        a = σ(z)

    Feed a batch of N inputs as the rows of a matrix X shaped (N, n_in) and the same line computes
    all N at once: X @ W is (N, n_in) @ (n_in, n_out) -> (N, n_out), and the bias b, shaped
    (n_out,), is added to every row. A network is layers in a row; the forward pass feeds each
    layer's output to the next:

        a^0 = X,   a^l = σ(a^(l-1) @ W^l + b^l)   for l = 1 .. L,   output = a^L

    The class `Network(sizes)` holds one weight matrix and one bias vector per layer. We print the
    shape at each layer for a small batch and check that the batched matrix version gives exactly
    what lesson 01's single neuron gives when we loop over samples and neurons one at a time.

What is new since 01
    Layers, weight matrices, batches, and the Network class. The sigmoid and the neuron come from
    lesson 01 (imported at the top).

What it leaves out
    Whether the output is any good (03) and how to make it better (04a, 04b): the weights here are
    random.

Run
    python 02_forward_pass.py [--seed N] [--no-plots] [--show] [--figures-dir DIR]
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

sigmoid, neuron = from_lesson("01_single_neuron", "sigmoid", "neuron")


# ==================================================================================================
# The network: layers of neurons, one matrix product each
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
    at most 1 for inputs in [-1, 1] (print_spread_of_z measures it). So every sigmoid starts on its
    sloped middle part instead of being flattened at 0 or 1, where it could not learn (see 04a).
    The same seed always gives the same network.
    """

    def __init__(self, sizes, seed=0, dtype=np.float64):
        self.sizes = [int(n) for n in sizes]
        rng = np.random.default_rng(seed)
        self.weights = [(rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(dtype)
                        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [np.zeros(n_out, dtype=dtype) for n_out in self.sizes[1:]]

    def forward(self, X):
        """The output a^L, shaped (N, n_out), for a batch X shaped (N, n_in): a^0 = X, then
        a^l = σ(a^(l-1) @ W^l + b^l) layer after layer.

        Also checked: float32 stays float32; an X not (N, n_in) raises a ValueError showing
        the shape expected, n_in filled in: (N, 3) for 3 inputs (a single sample (3,), too).
        """
        raise NotImplementedError(
            "TODO Network.forward: the output (N, n_out) for a batch X (N, n_in), layer after "
            "layer; stuck? python tools/hint.py Network.forward")


# ==================================================================================================
# Walking through the forward pass, checking it against lesson 01's neuron, and why the weights
# start with variance 1/n_in
# ==================================================================================================
def print_shapes(net, X):
    """Walk through the forward pass layer by layer, printing every shape."""
    print(f"Network sizes {net.sizes}: {len(net.weights)} layers of weights")
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        print(f"  layer {l}: W{l} {W.shape}, b{l} {b.shape}")
    print(f"A batch of N = {X.shape[0]} inputs, X shaped {X.shape}")
    a = X
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        z = a @ W + b
        print(f"  layer {l}: a^{l - 1} {a.shape} @ W{l} {W.shape} + b{l} {b.shape} -> "
              f"z^{l} {z.shape} -> a^{l} = σ(z^{l}) {z.shape}")
        a = sigmoid(z)
    print("Output (one row per sample, one column per output neuron):")
    print("  " + np.array2string(a, precision=4, prefix="  "))
    print()


def compare_with_single_neurons(net, X):
    """The batched forward pass against lesson 01's neuron in loops: the largest difference."""
    batched = net.forward(X)
    looped = np.array([forward_one_neuron_at_a_time(net, x) for x in X])
    print("Batched matrix pass vs a loop over samples and neurons with lesson 01's neuron():")
    print(f"  largest difference: {np.max(np.abs(batched - looped)):.2e}"
          f"  (equal up to rounding: {np.allclose(batched, looped, rtol=1e-12, atol=1e-15)})")
    print()


def forward_one_neuron_at_a_time(net, x):
    """The same forward pass for ONE sample x, written with lesson 01's neuron and two Python loops.

    Neuron j of a layer uses column j of the weight matrix. This is what the matrix product does for
    us, for every sample at once and much faster.
    """
    a = x
    for W, b in zip(net.weights, net.biases):
        a = np.array([neuron(a, W[:, j], b[j]) for j in range(W.shape[1])])
    return a


def print_spread_of_z(rng):
    """Why the weights start with variance 1/n_in: the spread of z does not grow with the width.

    z_j = sum_i x_i W_ij adds n_in independent terms, each with variance x_i^2 / n_in, so
    Var(z_j) = mean(x^2), the mean of the squared inputs, at every width.
    """
    print("The first layer's z = x @ W at the start, for 2000 random inputs x in [-1, 1]:")
    for n_in in (3, 100, 1000):
        X = rng.uniform(-1, 1, size=(2000, n_in))                   # (2000, n_in)
        z = X @ Network([n_in, 50], seed=n_in).weights[0]           # (2000, n_in) @ (n_in, 50)
        print(f"  n_in = {n_in:4d}:  variance of z {z.var():.3f},  "
              f"mean of x^2 {np.mean(X ** 2):.3f}")
    print("  On average over the random weights "
          "Var(z) = n_in · (1/n_in) · mean(x^2) = mean(x^2),")
    print("  1/3 for x uniform in [-1, 1]: it does not grow with the width and stays at most 1,")
    print("  so the sigmoids start on their slopes.")
    print()


# ==================================================================================================
# Figures
# ==================================================================================================
def plot_activations(plt, net, X):
    """One heatmap per layer: rows are samples, columns are neurons, colour is the activation.

    The inputs lie in [-1, 1] and the activations in (0, 1), so the input panel has its own
    diverging colour scale and the layers share another, each with its colourbar.
    """
    layers = [X]
    for W, b in zip(net.weights, net.biases):
        layers.append(sigmoid(layers[-1] @ W + b))
    fig, axes = plt.subplots(1, len(layers), figsize=(3.2 * len(layers) + 1, 3.4),
                             gridspec_kw={"width_ratios": [a.shape[1] for a in layers]},
                             constrained_layout=True)
    for l, (ax, a) in enumerate(zip(axes, layers)):
        cmap, low = ("PuOr_r", -1) if l == 0 else ("viridis", 0)
        image = ax.imshow(a, cmap=cmap, vmin=low, vmax=1)
        ax.set_title("input X" if l == 0 else f"$a^{l} = \\sigma(z^{l})$")
        ax.set_xlabel(f"{a.shape[1]} neurons" if l else f"{a.shape[1]} inputs")
        ax.set_xticks(range(a.shape[1]))
        ax.set_yticks(range(a.shape[0]))
        if l == 0:
            ax.set_ylabel(f"{a.shape[0]} samples")
            fig.colorbar(image, ax=ax, label="input value, scale [-1, 1]", shrink=0.9)
        for (i, j), value in np.ndenumerate(a):
            # Dark text on light cells, light text on dark ones (luminance of the cell's colour).
            red, green, blue, _ = image.cmap(image.norm(value))
            light = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="k" if light else "w")
    fig.colorbar(image, ax=list(axes[1:]), label="activation, scale [0, 1]", shrink=0.9)
    fig.suptitle(f"Activations of Network({net.sizes}) for a batch of {X.shape[0]} samples")
    return fig


def main(argv=None):
    args = make_parser(__doc__, __file__).parse_args(argv)
    net = Network([3, 4, 2], seed=args.seed)
    X = np.random.default_rng(args.seed + 1).uniform(-1, 1, size=(5, 3))  # (N=5, n_in=3)
    print_shapes(net, X)
    compare_with_single_neurons(net, X)
    print_spread_of_z(np.random.default_rng(args.seed + 2))
    if args.no_plots:
        return
    plt = open_pyplot(args.show)
    save_figures(plt, {"02_activations.png": plot_activations(plt, net, X)},
                 args.figures_dir, args.show)


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
