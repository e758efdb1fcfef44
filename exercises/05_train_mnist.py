# Exercise: 05_train_mnist.py, its new functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 05: train a network on MNIST, 70,000 handwritten digits, on the CPU in seconds.

What this file teaches
    Lessons 01-04b, on real data. Each MNIST image is 28 x 28 grey pixels; flattened and scaled to
    [0, 1] it is one input row of 784 numbers. Network([784, 100, 10]) has one hidden layer of 100
    sigmoid neurons and one output per digit; the target of a "3" is one_hot(3), and the network's
    answer is its largest output.

    Lesson 04b computed the gradient on all its data before each step. With 50,000 images that is
    slow and wasteful: the gradient of 16 random images already points roughly downhill.
    Stochastic gradient descent (SGD) shuffles the training set, cuts it into mini-batches of B
    images and takes one step per batch:

        a = forward(X)                        X: (B, 784) -> a: (B, 10)
        dL/dW, dL/db = backward(X, Y)         backpropagation, lesson 04b
        W <- W - lr dL/dW,  b <- b - lr dL/db for every layer

    One pass over the 50,000 training images (3,125 steps of 16) is an epoch.

What is new since 04b, the most important first
    1. Mini-batch SGD (train_epoch).
    2. A start that trains at any width (new_network, layer_rates): the output layer's step is
       scaled by 100 / (the width that feeds it), and the output sigmoids start at the base rate
       1/10 instead of 0.5 (README, "Any width trains").
    3. A validation set: the last 10,000 of MNIST's 60,000 training images, never trained on. Every
       decision is made on them; the 10,000 test images are read once, at the very end.
    4. Figures of what it learned: training curves, confusion matrix, the digits it got wrong, the
       first hidden layer's weights as 28 x 28 images.
    It takes Network and gradient_step from lesson 04b and one_hot from lesson 03; the machinery
    (MNIST, model files, your own digits, figures, the command line) is in support/. A run that
    learns nothing stops with the command of lesson 06a that looks inside the same run.

Run
    python 05_train_mnist.py                       download MNIST (first run), train, evaluate
    python 05_train_mnist.py --predict my_digit.png   read your own digits with the saved model
    python 05_train_mnist.py --draw                draw digits with the mouse and watch the outputs
"""
import pathlib, sys  # noqa: E401  (an exercise sits in a folder inside the course)
sys.path[:0] = [str(folder) for folder in pathlib.Path(__file__).resolve().parents
                if (folder / 'support' / 'lessons.py').is_file()][:1]
import math
import sys
import time
from pathlib import Path

try:                    # support/ is the course's machinery, beside the lessons or on PYTHONPATH
    import support.threads  # noqa: F401  (importing it asks for one BLAS thread, before NumPy)
except ModuleNotFoundError:
    sys.exit("error: support/ not found: to run a lesson outside the course folder, set "
             "PYTHONPATH to the course folder (README: Quick start)")

import numpy as np

from support.arguments import make_parser, positive_float, positive_int, user_path
from support.figures import open_pyplot, save_figures
from support.lessons import from_lesson
from support.lifecycle import Fatal, on_stop, one_line_errors, run
from support.mnist import IMAGE_SHAPE, N_CLASSES, download_missing_and_load, print_summary
from support.mnist_figures import print_top_confusions, training_figures
from support.model_file import load_model, network_too_large, parameter_count, save_model_and_say
from support.own_digits import read_own_digits
from support.preflight import check_output_folders

one_hot = from_lesson("03_loss_function", "one_hot")
Network, gradient_step = from_lesson("04b_backprop_network", "Network", "gradient_step")

# The command line overrides the first four (see --help). Measured on the validation images: with
# these, every width and depth we tried trains (README; benchmarks/check_widths.py checks).
EPOCHS = 10
BATCH_SIZE = 16
LEARNING_RATE = 15.0   # our loss, the mean over 10 outputs, has a gradient 5x smaller than that of
                       # 1/2 · the sum over outputs: lr 15 here is lr 3 there (README)
HIDDEN = (100,)        # hidden layer sizes
# MNIST's geometry, IMAGE_SHAPE (28, 28) and N_CLASSES (10 digits), comes from support/mnist.py.
N_VALIDATION = 10_000  # the last 10,000 training images: every choice is judged on these
REFERENCE_WIDTH = 100  # the output layer's step is lr x REFERENCE_WIDTH / (the width feeding it)
NETWORK_DTYPE = np.float32   # the weights, inputs and targets: half the memory of float64
CHANCE_LEVEL = 0.20    # validation accuracy at or below this after the last epoch: nothing learned
EVAL_CHUNK = 2000      # images per forward pass when evaluating: bounds the memory of wide networks
HERE = Path(__file__).resolve().parent   # data/ goes beside the lesson by default


# ==================================================================================================
# Training: epochs of mini-batch SGD
# ==================================================================================================
def train_epoch(net, images, labels, batch_size, rates, rng):
    """One epoch of mini-batch SGD: every image once, in a fresh random order drawn from rng,
    one gradient_step(net, X, Y, rates) per mini-batch of batch_size images (the last takes the
    rest), each layer at its rate in `rates`; X = to_inputs(the batch's images),
    Y = one_hot(its labels, N_CLASSES, NETWORK_DTYPE).

    Shuffling every epoch makes each mini-batch a new random sample. Returns (mean loss, accuracy),
    measured on each batch just before its step (what gradient_step returns), each batch weighted by
    its size. Raises Diverged(loss, batch number, from 1) as soon as a batch's loss is NaN or
    infinite: the weights have overflowed."""
    raise NotImplementedError(
        "TODO train_epoch: one epoch of mini-batch SGD; return (mean loss, accuracy) measured on "
        "the batches; stuck? python tools/hint.py train_epoch")


def to_inputs(images):
    """uint8 images (N, 28, 28) with values 0..255 -> inputs (N, 784) with values in [0, 1], row
    after row of pixels. Dividing by 255 keeps z = x W + b small at the start, so the sigmoids start
    on their steep middle part. One mini-batch at a time: MNIST's 60,000 training-file images take
    47 MB as uint8, 188 MB as float32."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(NETWORK_DTYPE) / NETWORK_DTYPE(255)  # (N, 784)


class Diverged(Exception):
    """A mini-batch's loss became NaN or infinite: the weights overflowed."""

    def __init__(self, loss, batch):
        super().__init__(f"the loss became {loss} at mini-batch {batch}")


@one_line_errors       # a Fatal error below is one line on stderr and exit status 1
def main(argv=None):
    """Returns the exit status: 0 on success, 1 when the data, the training or the save failed."""
    args = parse_args(argv)
    if args.predict or args.draw:
        return read_own_digits(args, lambda path: load_model(path, Network), to_inputs)
    with on_stop("nothing half-downloaded was kept"):
        mnist = download_missing_and_load(args.data_dir, args.mirror)
    print_summary(mnist, args.data_dir)
    if args.download_only:
        return 0
    check_output_folders(args.model, None if args.no_plots else args.figures_dir,
                         model_bytes=np.dtype(NETWORK_DTYPE).itemsize * parameter_count(args.sizes))
    plt = None if args.no_plots else open_pyplot(args.show)   # a wrong MPLBACKEND stops it here
    (x_train, y_train), (x_test, y_test) = mnist
    train_set, validation_set = split_validation(x_train, y_train, args.train_limit)
    net = new_network(args.sizes, args.seed)
    print_settings(net, len(train_set[0]), len(validation_set[0]), args)
    started = time.perf_counter()
    with on_stop("training stopped, nothing was saved", signals=False):
        history = train_and_report(net, train_set, validation_set, args)
    accuracy, predictions = evaluate(net, x_test, y_test)   # the test set, once, at the very end
    print(f"training and evaluation took {time.perf_counter() - started:.1f} s")
    save_model_and_say(args.model, net, validation_accuracy=history[-1]["val_accuracy"])
    if plt is not None:
        save_figures(plt, training_figures(plt, history, net, x_test, y_test, predictions),
                     args.figures_dir, args.show)
    print_top_confusions(y_test, predictions)
    print(f"test accuracy: {accuracy:.2%} ({int(np.sum(predictions == y_test))}/{len(y_test)})")
    return 0


def split_validation(images, labels, limit=None):
    """(training set, validation set): the last N_VALIDATION training images held out, the rest cut
    to its first `limit` (None: all). Every choice is judged on the validation images: one made on
    the test set would make the test accuracy overstate how the network does on new digits."""
    n = len(images) - N_VALIDATION
    return (images[:n][:limit], labels[:n][:limit]), (images[n:], labels[n:])


# ==================================================================================================
# Starting well, at any width: the output layer's step, and where its outputs start
# ==================================================================================================
# Why one learning rate for every layer fails at width 1000 (README): at the start every output is
# about 0.5 and nine of ten targets are 0, so the first step pushes every output's z down by about
# lr (1 + n_in / 4) / 50, n_in pushes of one sign: -7.8 at width 100, -75 at width 1000, where
# σ'(-75) ≈ 3e-33 (estimated) and no gradient flows any more. Two cures, each in a line:
#   - the output layer's step scaled by 100 / (the width that feeds it), so that the same lr moves
#     its z by the same amount at any width (layer_rates);
#   - the output biases start at the base rate, log(0.1 / 0.9), where each output already says
#     "a tenth of the digits are mine", instead of at 0.5: no shared push is left to make.
def layer_rates(net, lr):
    """The learning rate of each layer of weights: lr for the hidden layers, and for the output
    layer lr · REFERENCE_WIDTH / (the width feeding it): lr itself at the default width."""
    return [lr] * (len(net.weights) - 1) + [lr * REFERENCE_WIDTH / net.sizes[-2]]


def new_network(sizes, seed, network=Network):
    """network(sizes) (lesson 04b's Network, or a class built on it), its output sigmoids starting
    at the base rate 1/10."""
    net = network(sizes, seed=seed, dtype=NETWORK_DTYPE)
    p = 1 / sizes[-1]
    net.biases[-1][:] = np.log(p / (1 - p))            # σ(log(p / (1 - p))) = p
    return net


def train_and_report(net, train_set, validation_set, args):
    """args.epochs epochs of train_epoch, each measured on the validation images: the history, one
    record per epoch. TrainingFailed if the loss overflows or it guesses after the last epoch."""
    rng, rates = np.random.default_rng(args.seed), layer_rates(net, args.lr)
    history = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        try:
            loss, accuracy = train_epoch(net, *train_set, args.batch_size, rates, rng)
        except Diverged as diverged:
            raise TrainingFailed(f"training diverged: {diverged} (learning rate {args.lr:g}); the "
                                 "steps were so large that the weights overflowed. Try a far "
                                 f"smaller learning rate: the default, --lr {LEARNING_RATE:g}."
                                 ) from None
        speed = len(train_set[0]) / (time.perf_counter() - start)        # training images/s
        history.append(dict(epoch=epoch, train_loss=loss, train_accuracy=accuracy,
                            val_accuracy=evaluate(net, *validation_set)[0]))
        print(f"epoch {epoch:2d}/{args.epochs}  train loss {loss:.5f}  train acc {accuracy:7.2%}  "
              f"val acc {history[-1]['val_accuracy']:7.2%}  {time.perf_counter() - start:5.1f} s  "
              f"{speed:8,.0f} samples/s", flush=True)
    if history[-1]["val_accuracy"] <= CHANCE_LEVEL:      # ten digits: guessing gives 10%
        raise TrainingFailed(f"validation accuracy {history[-1]['val_accuracy']:.2%} after epoch "
                             f"{args.epochs}, where guessing gives 10%: nothing learned; look "
                             f"inside the same run: {same_run_in_06a(args)}")
    return history


def same_run_in_06a(args):
    """Lesson 06a's command that trains this run again and shows why it fails: each training flag
    whose value differs from the default, followed by its value (floats in their shortest form)."""
    default, words = parse_args([]), ["python 06a_when_training_fails.py"]
    for name in ("hidden", "lr", "epochs", "batch_size", "train_limit", "seed"):
        value = getattr(args, name)
        if value != getattr(default, name):
            words += [f"--{name.replace('_', '-')}", *(f"{v:g}" if isinstance(v, float) else str(v)
                                                       for v in np.ravel(value).tolist())]
    return " ".join(words)


def evaluate(net, images, labels):
    """(accuracy, predicted labels) on a set of images: the answer is the largest output."""
    predictions = np.empty(len(images), dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, len(images), EVAL_CHUNK):
            output = net.forward(to_inputs(images[start:start + EVAL_CHUNK]))  # (chunk, 10)
            predictions[start:start + EVAL_CHUNK] = output.argmax(axis=1)
    return float(np.mean(predictions == labels)), predictions


class TrainingFailed(Fatal):
    """Training went wrong in a way the user can fix: the message says what to try."""


def print_settings(net, n_train, n_validation, args):
    rates = ", ".join(f"{rate:g}" for rate in layer_rates(net, args.lr))
    print(f"Network({net.sizes}), {args.epochs} epoch{'s' * (args.epochs != 1)} of {n_train:,} "
          f"training image{'s' * (n_train != 1)} ({n_validation:,} more for validation), batch "
          f"size {args.batch_size}, learning rate {args.lr:g} (per layer: {rates})")


# ==================================================================================================
# The command line: this lesson's flags
# ==================================================================================================
def parse_args(argv):
    """make_parser's shared flags, the data and training flags, the model and your own digits."""
    parser = make_parser(__doc__, __file__)
    add = add_training_flags(parser)
    add("--download-only", action="store_true", help="fetch and verify the data, then stop")
    add("--model", type=user_path, default=HERE / "data" / "model.npz",
        help="where to save the network, and where --predict and --draw load it (data/model.npz)")
    add("--predict", nargs="+", type=user_path, metavar="IMAGE",
        help="read the digit in each image file with the trained --model (needs no MNIST)")
    add("--draw", action="store_true",
        help="draw digits with the mouse and watch the trained --model read them")
    args = parser.parse_args(argv)
    args.sizes = network_sizes(args.hidden, parser)
    return args


def add_training_flags(parser):
    """Adds the data's and a training run's flags (lesson 06a takes them too): add_argument."""
    add = parser.add_argument
    add("--data-dir", type=user_path, default=HERE / "data",
        help="folder for the MNIST files (default: data/ beside this script)")
    add("--mirror", action="append", metavar="URL",
        help="base URL to download MNIST from; repeat to give several, tried in order (default: "
             "$MNIST_MIRRORS, comma-separated, else three public mirrors)")
    add("--epochs", type=positive_int, default=EPOCHS, help=f"passes over the data ({EPOCHS})")
    add("--batch-size", type=positive_int, default=BATCH_SIZE,
        help=f"images per gradient step (default: {BATCH_SIZE})")
    add("--lr", type=positive_float, default=LEARNING_RATE,
        help=f"learning rate (default: {LEARNING_RATE:g})")
    add("--hidden", type=positive_int, nargs="+", default=list(HIDDEN), metavar="SIZE",
        help=f"hidden layer sizes, e.g. --hidden 300 100 (default: {' '.join(map(str, HIDDEN))})")
    add("--train-limit", type=positive_int, metavar="N",
        help="train on the first N training images only (quick experiments)")
    return add


def network_sizes(hidden, parser=None):
    """[784, *hidden, 10]; with a parser, its one-line error for a network too large to hold."""
    sizes = [math.prod(IMAGE_SHAPE), *hidden, N_CLASSES]
    too_large = network_too_large(sizes)
    if too_large and parser:
        parser.error(f"--hidden {' '.join(map(str, hidden))}: {too_large}; choose smaller layers")
    return sizes


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
