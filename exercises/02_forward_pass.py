# Exercise: 02_forward_pass.py with its key functions left to you (each raises a TODO).
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
    Layers, weight matrices, batches, and the Network class. The neuron and the sigmoid are carried
    over.

What it leaves out
    Whether the output is any good (03) and how to make it better (04a, 04b): the weights here are
    random.

Run
    python 02_forward_pass.py [--seed N] [--no-plots] [--show] [--figures-dir DIR]
"""
import argparse
import sys
from pathlib import Path

import numpy as np


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
# Walking through the forward pass, and checking it against lesson 01's neuron
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


def main(argv=None):
    args = make_parser(__doc__).parse_args(argv)
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


# ==================================================================================================
# Carried over from 01_single_neuron.py, unchanged (tests/test_carry_forward.py keeps the
# copies identical): the neuron and the sigmoid.
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
    raise NotImplementedError(
        "TODO sigmoid: σ(z) = 1 / (1 + e^(-z)); for z < 0 use e^z / (1 + e^z), so e^(-|z|) never "
        "overflows")


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
