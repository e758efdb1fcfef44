"""
How far does lesson 05's first gradient step push the outputs, as a function of the width?

At the start every output is about 0.5 and nine of the ten targets are 0, so the first step pushes
every output's z down, through all n_in weights into it at once. This script takes that one step
(05's first mini-batch of 16 training images, seed 0) for several widths, in two ways:

    one rate    every layer at lr, the output biases at 0 (05 before it learned to train any width)
    05          05 as it is: the output layer's rate lr * 100 / n_in (layer_rates), the output
                biases at the base rate log(0.1 / 0.9) (new_network)

and prints the mean output z over 1,000 validation images before and after the step, and the
sigmoid's slope σ'(z) = σ(z) (1 - σ(z)) there: near 0, no gradient flows back any more.

Run (from the repository root)
    python benchmarks/first_step.py --data-dir data
"""
import argparse
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:           # support/ is found beside the lessons
    sys.path.insert(0, str(REPO))
from support.lessons import load_lesson  # noqa: E402  (how the lessons load each other)
from support.mnist import IMAGE_SHAPE, N_CLASSES, MnistError, load_mnist  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=REPO / "data",
                        help="folder with the four MNIST files (default: data/)")
    parser.add_argument("--widths", type=int, nargs="+", default=[100, 300, 1000])
    args = parser.parse_args(argv)
    lesson = load_lesson(REPO / "05_train_mnist.py")
    sigmoid_prime = load_lesson(REPO / "01_single_neuron.py").sigmoid_prime
    try:
        (x_train, y_train), _ = load_mnist(args.data_dir)
    except MnistError as error:
        sys.exit(f"error: {error}")
    (x_train, y_train), (x_val, _) = lesson.split_validation(x_train, y_train)
    order = np.random.default_rng(0).permutation(len(x_train))[:lesson.BATCH_SIZE]
    X = lesson.to_inputs(x_train[order])                                  # (16, 784)
    Y = lesson.one_hot(y_train[order], N_CLASSES, dtype=lesson.NETWORK_DTYPE)
    probe = lesson.to_inputs(x_val[:1000])                                # (1000, 784)
    lr = lesson.LEARNING_RATE
    print(f"One step of lr {lr:g} on a batch of {len(X)}; mean output z over 1,000 validation "
          "images")
    print(f"{'network':18s} {'step':9s} {'rates':>10s} {'z before':>9s} {'z after':>9s} "
          f"{'σ(1-σ) after':>13s}")
    for width in args.widths:
        sizes = [math.prod(IMAGE_SHAPE), width, N_CLASSES]
        plain = lesson.Network(sizes, seed=0, dtype=lesson.NETWORK_DTYPE)
        ours = lesson.new_network(sizes, seed=0)
        for name, net, rates in [("one rate", plain, lr),
                                 ("05", ours, lesson.layer_rates(ours, lr))]:
            before = mean_output_z(net, probe)
            lesson.gradient_step(net, X, Y, rates)
            after = mean_output_z(net, probe)
            shown = ", ".join(f"{r:g}" for r in np.broadcast_to(rates, len(net.weights)))
            slope = float(sigmoid_prime(after))
            print(f"{str(sizes):18s} {name:9s} {shown:>10s} {before:9.2f} {after:9.2f} "
                  f"{slope:13.1e}")


def mean_output_z(net, X):
    """The output layer's z = a @ W + b, averaged over the images and the ten outputs."""
    a = net.forward_all(X)[-2]                                            # (N, width)
    return float(np.mean(a @ net.weights[-1] + net.biases[-1]))


if __name__ == "__main__":
    main()
