# Exercise: 05_train_mnist.py, its new functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 05: train a network on MNIST, 70,000 handwritten digits, on the CPU in seconds.

What this file teaches
    Lessons 01-04b, on real data. Each MNIST image is 28 x 28 grey pixels; flattened and scaled to
    [0, 1] it is one input row of 784 numbers. Network([784, 100, 10]) has one hidden layer of 100
    sigmoid neurons and one output per digit; the target of a "3" is one_hot(3) = (0, 0, 0, 1, 0,
    0, 0, 0, 0, 0), and the network's answer is its largest output.

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
       1/10 instead of 0.5. Without them a network 1000 wide never starts to learn (README, "Any
       width trains").
    3. A validation set: the last 10,000 of MNIST's 60,000 training images, never trained on. Every
       decision (the settings, whether training failed) is made on them; the 10,000 test images
       are read once, at the very end, for the one number we report.
    4. A look inside each layer after training starts (layer_health): how fast it learns, how many
       of its sigmoids are saturated, how big a step is next to its weights; and, when the network
       still guesses at chance, the cause read from those numbers (stop_if_not_learning).
    5. Figures of what it learned: the training curves, how fast each layer learns, the confusion
       matrix, the digits it got wrong, and the first hidden layer's weights as 28 x 28 images.
    It takes Network and gradient_step from lesson 04b and one_hot from lesson 03. Getting MNIST,
    saving the model, your own digits, the figures and the command line are in support/
    (mnist.py, model_file.py, own_digits.py, mnist_figures.py, arguments.py, lifecycle.py,
    preflight.py).

What it leaves out
    Everything that makes modern networks better but is not needed to pass 97%: softmax with
    cross-entropy, ReLU, momentum and Adam, regularisation, convolutions.

Run
    python 05_train_mnist.py                       download MNIST into data/ (first run), train,
                                                   evaluate
    python 05_train_mnist.py --epochs 3 --hidden 300 100
    python 05_train_mnist.py --download-only       fetch and verify the data, then stop
    python 05_train_mnist.py --predict my_digit.png   read your own digits with the saved model
    python 05_train_mnist.py --draw                draw digits with the mouse and watch the outputs
    python 05_train_mnist.py --help                every flag
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

# The command line overrides the first four (see --help). Chosen by measurement on the validation
# images: with these, every width and depth we tried trains (README, "Any width trains";
# benchmarks/check_widths.py runs the check).
EPOCHS = 10
BATCH_SIZE = 16
LEARNING_RATE = 15.0   # large because the loss averages over 10 outputs and has no 1/2 (see README)
HIDDEN = (100,)        # hidden layer sizes
# MNIST's geometry, IMAGE_SHAPE (28, 28) and N_CLASSES (10 digits), comes from support/mnist.py.
N_VALIDATION = 10_000  # the last 10,000 training images: every choice is judged on these
REFERENCE_WIDTH = 100  # the output layer's step is lr x REFERENCE_WIDTH / (the width feeding it)
NETWORK_DTYPE = np.float32   # the weights, inputs and targets: half the memory of float64
CHANCE_LEVEL = 0.20    # validation accuracy at or below this after an epoch: nothing was learned
MIN_STEPS = 100        # fewer gradient steps than this are too few to judge whether learning works
MIN_IMAGES = 100       # fewer training images than this cannot teach ten digits
TINY_STEP = 1e-4       # a step that changes the weights by less than this fraction changes nothing
VANISHING = 30         # the first layer this many times slower than the last: vanishing gradients
                       # (in networks still guessing after an epoch of 2,000 images: one hidden
                       # layer 3.7; two, 2.6 to 6 at lr 15, 13 to 14 at lr 1; three, 46; four, 387)
SATURATED = 0.01       # a sigmoid whose slope a (1 - a) is below this (|z| > 4.6) barely learns
PROBE_SIZE = 1000      # validation images on which we look inside the network
EVAL_CHUNK = 2000      # images per forward pass when evaluating: bounds the memory of wide networks


# ==================================================================================================
# Training: epochs of mini-batch SGD, each measured on the validation images
# ==================================================================================================
def train_and_report(net, train_set, validation_set, epochs, batch_size, lr, seed):
    """The training loop. Each epoch: mini-batch SGD over the training images (train_epoch), then
    the validation accuracy and a look inside each layer (measure_epoch), one line about it
    (print_epoch), and a stop with the reason if nothing is learned (stop_if_not_learning).
    Returns the history of every epoch, each with every layer's health, before training first."""
    (x_train, y_train), (x_val, y_val) = train_set, validation_set
    rng, rates = np.random.default_rng(seed), layer_rates(net, lr)
    probe = (to_inputs(x_val[:PROBE_SIZE]),                              # (1000, 784)
             one_hot(y_val[:PROBE_SIZE], N_CLASSES, dtype=NETWORK_DTYPE))  # (1000, 10)
    history = [dict(epoch=0, layers=layer_health(net, *probe, rates, batch_size))]
    print_layer_table(history[0]["layers"], "before training")
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        try:
            train_loss, train_accuracy = train_epoch(net, x_train, y_train, batch_size, rates, rng)
        except Diverged as diverged:
            raise TrainingFailed(
                f"training diverged: {diverged} (learning rate {lr:g}); the steps were so large "
                f"that the weights overflowed. Try a far smaller learning rate: the default, "
                f"--lr {LEARNING_RATE:g}.") from None
        speed = len(x_train) / (time.perf_counter() - start)              # training images/s
        history.append(dict(epoch=epoch, train_loss=train_loss, train_accuracy=train_accuracy,
                            **measure_epoch(net, validation_set, probe, rates, batch_size)))
        print_epoch(history[-1], epochs, time.perf_counter() - start, speed)
        steps_so_far = epoch * math.ceil(len(x_train) / batch_size)
        stop_if_not_learning(history, lr, len(x_train), steps_so_far, epoch == epochs)
    return history


def train_epoch(net, images, labels, batch_size, rates, rng):
    """One epoch of mini-batch SGD: every image once, in a fresh random order drawn from rng,
    one gradient_step(net, X, Y, rates) per mini-batch of batch_size images (the last takes the
    rest), each layer at its rate in `rates`; X = to_inputs(the batch's images),
    Y = one_hot(its labels, N_CLASSES, NETWORK_DTYPE).

    Shuffling every epoch makes each mini-batch a new random sample, so the steps do not repeat a
    pattern. Returns (mean loss, accuracy), both measured on each batch just before its step (the
    loss and the output gradient_step returns), each batch counted by its number of images: they
    describe the network during the epoch, a little worse than at its end. Raises
    Diverged(loss, batch number, from 1) as soon as a batch's loss is NaN or infinite: the weights
    have overflowed, and every later step would be NaN too (train_and_report says so, with advice).
    """
    raise NotImplementedError(
        "TODO train_epoch: one epoch of mini-batch SGD; return (mean loss, accuracy) measured on "
        "the batches; stuck? python tools/hint.py train_epoch")


def to_inputs(images):
    """uint8 images (N, 28, 28) with values 0..255 -> inputs (N, 784) with values in [0, 1].

    Each image becomes one row of 784 numbers, row after row of pixels. Dividing by 255 keeps
    z = x W + b small at the start, so the sigmoids start on their steep middle part. We convert
    one mini-batch at a time: MNIST's 60,000 training-file images take 47 MB as uint8 but would
    take 188 MB as float32.
    """
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(NETWORK_DTYPE) / NETWORK_DTYPE(255)  # (N, 784)


def measure_epoch(net, validation_set, probe, rates, batch_size):
    """What an epoch achieved: the accuracy on the validation images, and each layer's health on
    the probe (a batch of validation images with their one-hot targets)."""
    val_accuracy, _ = evaluate(net, *validation_set)
    return dict(val_accuracy=val_accuracy, layers=layer_health(net, *probe, rates, batch_size))


def print_epoch(record, epochs, seconds, speed):
    """One line per epoch; after the first and the last, the table of every layer's health."""
    epoch = record["epoch"]
    print(f"epoch {epoch:2d}/{epochs}  train loss {record['train_loss']:.5f}  "
          f"train acc {record['train_accuracy']:7.2%}  val acc {record['val_accuracy']:7.2%}  "
          f"{seconds:5.1f} s  {speed:8,.0f} samples/s", flush=True)
    if epoch == 1 or epoch == epochs:
        print_layer_table(record["layers"], f"after epoch {epoch}")


def evaluate(net, images, labels):
    """(accuracy, predicted labels) on a set of images: the answer is the largest output."""
    predictions = np.empty(len(images), dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, len(images), EVAL_CHUNK):
            output = net.forward(to_inputs(images[start:start + EVAL_CHUNK]))  # (chunk, 10)
            predictions[start:start + EVAL_CHUNK] = output.argmax(axis=1)
    return float(np.mean(predictions == labels)), predictions


# ==================================================================================================
# Starting well, at any width: the output layer's step, and where its outputs start
# ==================================================================================================
# Why one learning rate for every layer fails at width 1000 (measured in the README): at the start
# every output is about 0.5 and nine of the ten targets are 0, so the first step pushes every
# output's z down. Output j's z = sum_i a_i W_ij + b_j moves by sum_i a_i dW_ij + db_j, and each
# dW_ij has the same sign, about -lr · 0.02 · a_i per step (delta = 2 (0.5 - 0.1) / 10 · σ'(0) =
# 0.02 on average); with a_i ≈ 0.5 the n_in pushes add up to about -lr (1 + n_in / 4) / 50: -7.8
# at width 100, -75 at width 1000, where σ'(z) ≈ 3e-33 and no gradient flows any more. The push
# grows with n_in because n_in terms of one sign add up; two cures, each in a line:
#   - the output layer's step scaled by 100 / (the width that feeds it), so that the same lr moves
#     its z by the same amount at any width (layer_rates);
#   - the output biases start at the base rate, log(0.1 / 0.9), where each output already says
#     "a tenth of the digits are mine", instead of at 0.5: no shared push is left to make.
def layer_rates(net, lr):
    """The learning rate of each layer of weights: lr for the hidden layers, and for the output
    layer lr · REFERENCE_WIDTH / (the width feeding it): lr itself at the default width."""
    return [lr] * (len(net.weights) - 1) + [lr * REFERENCE_WIDTH / net.sizes[-2]]


def new_network(sizes, seed):
    """Lesson 04b's Network(sizes), its output sigmoids starting at the base rate 1/10."""
    net = Network(sizes, seed=seed, dtype=NETWORK_DTYPE)
    p = 1 / sizes[-1]
    net.biases[-1][:] = np.log(p / (1 - p))            # σ(log(p / (1 - p))) = p
    return net


def split_validation(images, labels, limit=None):
    """(training set, validation set): the last N_VALIDATION training images are held out, and the
    training set is cut to its first `limit` images (None: all of them).

    Every choice we make (the settings, when to call training failed) is judged on the validation
    images. The test set is measured once, at the very end: a setting chosen because it did well on
    the test set would make the test accuracy overstate how the network does on new digits.
    """
    n = len(images) - N_VALIDATION
    return (images[:n][:limit], labels[:n][:limit]), (images[n:], labels[n:])


# ==================================================================================================
# Looking inside: how fast each layer learns, how saturated it is, how big its steps are
# ==================================================================================================
def layer_health(net, X, Y, rates, batch_size):
    """Per layer of weights, input side first, on the probe (X, Y): (speed, saturated, step_ratio).

    speed       |dL/db|, the length of the bias gradient, which is the error signal delta summed
                over the probe (04b): how hard the loss pulls on the layer's neurons. Nielsen's
                "speed of learning" (Neural Networks and Deep Learning, ch. 5): backpropagation
                multiplies delta by W^T and by σ'(z) <= 1/4 at every layer it passes, so in a deep
                sigmoid network the layers near the input often learn far more slowly than the last
    saturated   the share of the layer's sigmoids, over the probe, whose slope a (1 - a) is below
                SATURATED (|z| above 4.6): there σ' is so small that little gradient gets through
    step_ratio  how much one step of training changes the layer's weights, relative to their size:
                |rate · dL/dW| / |W| for a mini-batch of batch_size images, the median over the
                probe's mini-batches. CS231n's rule of thumb for a run under way is about 1e-3;
                at the start, with every output wrong, the steps are far larger, and they shrink
                as the loss falls. Far below it, a run barely moves (TINY_STEP)
    """
    with np.errstate(over="ignore", invalid="ignore"):   # a diverging run is reported elsewhere
        activations = net.forward_all(X)                  # one forward pass, one backward per batch
        saturated = [float(np.mean(a * (1 - a) < SATURATED)) for a in activations[1:]]
        # The probe's loss, and so its gradient, is its batches' weighed by their sizes.
        grad_biases = [np.zeros(n, dtype=np.float64) for n in net.sizes[1:]]
        steps = []
        for i in range(0, len(X), batch_size):
            batch = slice(i, i + batch_size)
            grad_weights, batch_grad_biases = net.backward_from([a[batch] for a in activations],
                                                                Y[batch])
            for total, grad_b in zip(grad_biases, batch_grad_biases):
                total += grad_b * (len(Y[batch]) / len(X))
            if len(Y[batch]) == batch_size or not steps:     # whole batches, or the one there is
                steps.append(step_ratios(net, grad_weights, rates))
        speeds = [float(np.linalg.norm(grad_b)) for grad_b in grad_biases]
    return list(zip(speeds, saturated, np.median(steps, axis=0).tolist()))


def step_ratios(net, grad_weights, rates):
    """|rate · dL/dW| / |W| for each layer: how much a step with these gradients changes it."""
    return [np.linalg.norm(rate * grad_W) / np.linalg.norm(W)
            for W, grad_W, rate in zip(net.weights, grad_weights, rates)]


def print_layer_table(layers, when):
    print(f"  inside the network {when}, on {PROBE_SIZE:,} validation images:")
    print("    layer  speed |dL/db|  saturated  step / weight")
    for l, (speed, saturated, step) in enumerate(layers, start=1):
        print(f"    {l:5d}  {speed:13.2e}  {saturated:9.1%}  {step:13.1e}")


# ==================================================================================================
# Noticing when training fails, and saying why from the numbers
# ==================================================================================================
def stop_if_not_learning(history, lr, n_train, steps_so_far, last_epoch):
    """Raise TrainingFailed with the reason, read from the numbers, if the network still guesses at
    chance level after the epoch just ended, history[-1] (history[0]: before training).

    Chance is judged on the validation images after an epoch. Six causes give the same accuracy:
    too few training images to learn ten digits from; too few steps to learn anything (a batch as
    large as the training set takes one step an epoch); output sigmoids saturated, their slope
    σ' ~0, so that no gradient flows (the first steps were far too large); steps so small that an
    epoch changes almost nothing; a deep network whose first layers still learn far more slowly
    than the last (vanishing gradients: it needs more steps); or, none of these, too few steps
    at this rate.
    """
    record = history[-1]
    if record["val_accuracy"] > CHANCE_LEVEL:
        return
    summary = (f"validation accuracy {record['val_accuracy']:.2%} after epoch {record['epoch']}, "
               "where guessing gives 10%")
    if n_train < MIN_IMAGES:
        raise TrainingFailed(
            f"nothing learned ({summary}): {n_train} training image{'s' * (n_train != 1)} cannot "
            f"teach {N_CLASSES} digits. Train on more, e.g. --train-limit 5000 (or leave "
            "--train-limit out).")
    if steps_so_far < MIN_STEPS:
        if not last_epoch:
            return                                      # too early to judge
        raise TrainingFailed(
            f"nothing learned yet ({summary}): only {steps_so_far} gradient "
            f"step{'s' * (steps_so_far != 1)} in all, too few to learn from. Take more steps: a "
            f"smaller --batch-size (the default is {BATCH_SIZE}) or more --epochs.")
    speed, saturated, step = record["layers"][-1]
    first_speed, step_before = record["layers"][0][0], history[0]["layers"][-1][2]
    if saturated > 0.9:
        raise TrainingFailed(
            f"training stalled ({summary}): {saturated:.0%} of the output sigmoids are saturated "
            f"(slope below {SATURATED}), so the output layer's gradient |dL/db| is only "
            f"{speed:.1e} and the first layer's {first_speed:.1e}: almost nothing flows back. The "
            f"first steps were too large: before training, one would change the output weights "
            f"by {step_before:.2g} times their size. Try {advice_smaller_rate(lr)}.")
    only_some = (f"only {saturated:.0%} of the output sigmoids are saturated" if saturated
                 else "no output sigmoid is saturated")
    if step < TINY_STEP:
        raise TrainingFailed(
            f"training stalled ({summary}): {only_some}, but the steps are tiny: one would change "
            f"the output weights by {step:.0e} of their size, where a run that learns takes steps "
            f"of about 1e-3 of it or more. Try {advice_larger_rate(lr)}.")
    if last_epoch:                      # before it, the network is still moving: more epochs may do
        raise TrainingFailed(f"training has not started yet ({summary}): {only_some}, "
                             + why_not_started(record["layers"], lr, steps_so_far))


def why_not_started(layers, lr, steps_so_far):
    """Why a network whose outputs are not saturated and whose steps are not tiny still guesses,
    and what to try: vanishing gradients, when two or more hidden layers stand between the first
    layer and the last and it learns VANISHING times more slowly; otherwise too few steps at
    this rate."""
    speed, _, step = layers[-1]
    first_speed = layers[0][0]
    more_steps = "Give it more steps (more --epochs, or more images if --train-limit left some out)"
    larger_rate = f"; try {advice_larger_rate(lr)}" if lr < LEARNING_RATE else ""
    if len(layers) >= 3 and speed > VANISHING * first_speed:
        slower = (f"learns {speed / first_speed:.0f} times more slowly than the last"
                  if first_speed > 0 else "gets no gradient at all, the last does")
        return (f"but the first layer {slower} (|dL/db| {first_speed:.1e} against {speed:.1e}: "
                f"vanishing gradients, see the README). {more_steps}{larger_rate}; or use fewer "
                "hidden layers.")
    return (f"and the steps are not tiny (one changes the output weights by {step:.0e} of their "
            f"size), but {steps_so_far:,} steps at learning rate {lr:g} were not enough. "
            f"{more_steps}{larger_rate}.")


def advice_smaller_rate(lr):
    if lr > LEARNING_RATE:
        return f"the default learning rate, --lr {LEARNING_RATE:g}, which trains any width"
    return f"a smaller learning rate, e.g. --lr {lr / 10:g}"


def advice_larger_rate(lr):
    if lr < LEARNING_RATE:
        return f"a larger learning rate: the default, --lr {LEARNING_RATE:g}"
    return f"a larger learning rate, e.g. --lr {lr * 10:g}"


class TrainingFailed(Fatal):
    """Training went wrong in a way the user can fix; the message says what happened and what to
    try. Nothing is saved."""


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
        history = train_and_report(net, train_set, validation_set, args.epochs, args.batch_size,
                                   args.lr, args.seed)
    accuracy, predictions = evaluate(net, x_test, y_test)   # the test set, once, at the very end
    print(f"training and evaluation took {time.perf_counter() - started:.1f} s")
    save_model_and_say(args.model, net, validation_accuracy=history[-1]["val_accuracy"])
    if plt is not None:
        save_figures(plt, training_figures(plt, history, net, x_test, y_test, predictions),
                     args.figures_dir, args.show)
    print_top_confusions(y_test, predictions)
    print(f"test accuracy: {accuracy:.2%} ({int(np.sum(predictions == y_test))}/{len(y_test)})")
    return 0


def print_settings(net, n_train, n_validation, args):
    rates = ", ".join(f"{rate:g}" for rate in layer_rates(net, args.lr))
    print(f"Network({net.sizes}), {args.epochs} epoch{'s' * (args.epochs != 1)} of {n_train:,} "
          f"training image{'s' * (n_train != 1)} ({n_validation:,} more for validation), batch "
          f"size {args.batch_size}, learning rate {args.lr:g} (per layer: {rates})")


# ==================================================================================================
# The command line: this lesson's flags
# ==================================================================================================
def parse_args(argv):
    """The shared flags of make_parser, and this lesson's: data, training settings, model, own
    digits."""
    here = Path(__file__).resolve().parent
    parser = make_parser(__doc__, __file__)
    add = parser.add_argument
    add("--data-dir", type=user_path, default=here / "data",
        help="folder for the MNIST files (default: data/ beside this script)")
    add("--mirror", action="append", metavar="URL",
        help="base URL to download MNIST from; repeat to give several, tried in order (default: "
             "$MNIST_MIRRORS, comma-separated, else three public mirrors)")
    add("--download-only", action="store_true",
        help="fetch and verify the data, print a summary and stop")
    add("--epochs", type=positive_int, default=EPOCHS,
        help=f"passes over the training set (default: {EPOCHS})")
    add("--batch-size", type=positive_int, default=BATCH_SIZE,
        help=f"images per gradient step (default: {BATCH_SIZE})")
    add("--lr", type=positive_float, default=LEARNING_RATE,
        help=f"learning rate (default: {LEARNING_RATE:g})")
    add("--hidden", type=positive_int, nargs="+", default=list(HIDDEN), metavar="SIZE",
        help=f"hidden layer sizes, e.g. --hidden 300 100 (default: {' '.join(map(str, HIDDEN))})")
    add("--model", type=user_path, default=here / "data" / "model.npz",
        help="where to save the trained network, and where --predict and --draw load it "
             "(default: data/model.npz)")
    add("--train-limit", type=positive_int, metavar="N",
        help="train on the first N training images only (quick experiments)")
    add("--predict", nargs="+", type=user_path, metavar="IMAGE",
        help="read the digit in each image file with the trained --model and print what the "
             "network says (needs no MNIST)")
    add("--draw", action="store_true",
        help="draw digits with the mouse and watch the trained --model read them (needs a "
             "display)")
    args = parser.parse_args(argv)
    args.sizes = [math.prod(IMAGE_SHAPE), *args.hidden, N_CLASSES]    # 784 inputs, ..., 10 outputs
    too_large = network_too_large(args.sizes)
    if too_large:
        parser.error(f"--hidden {' '.join(map(str, args.hidden))}: {too_large}; "
                     "choose smaller layers")
    return args


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
