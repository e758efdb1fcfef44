# Exercise: 05_train_mnist.py with its key functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 05: train a network on MNIST, 70,000 handwritten digits, on the CPU in seconds.

What this file teaches
    Everything from lessons 01-04b, on real data. Each MNIST image is 28 x 28 grey pixels; flattened
    and scaled to [0, 1] it is one input row of 784 numbers. The network Network([784, 100, 10]) has
    one hidden layer of 100 sigmoid neurons and one output neuron per digit; the target of a "3" is
    one_hot(3) = (0, 0, 0, 1, 0, 0, 0, 0, 0, 0) and the network's answer is its largest output.

    The one new idea is the mini-batch. Lesson 04b computed the gradient on all its data before each
    step. With 50,000 images that is slow and wasteful: the gradient of 16 random images already
    points roughly downhill. Stochastic gradient descent (SGD) shuffles the training set, cuts it
    into mini-batches of B images and takes one step per batch:

        a = forward(X)                        X: (B, 784) -> a: (B, 10)
        dL/dW, dL/db = backward(X, Y)         backpropagation, lesson 04b
        W <- W - lr dL/dW,  b <- b - lr dL/db for every layer

    One pass over the 50,000 training images (3,125 steps of 16) is an epoch. The last 10,000 of
    MNIST's 60,000 training images are held out as a validation set: after each epoch we measure the
    accuracy there, on digits the network never trains on, and every decision (the settings, whether
    training failed) is made on those. The 10,000 test images are read once, at the very end, for
    the one number we report.

    Two lines make any width train with the same learning rate (the README measures why): the
    output layer's step is scaled by 100 / (the width that feeds it), and the output sigmoids start
    at the base rate 1/10 instead of 0.5. And we look inside: for every layer, how fast it learns
    (|dL/db|), how many of its sigmoids are saturated, and how big a step is next to its weights.
    When training fails, the script says so with those numbers instead of printing nonsense: a loss
    that becomes NaN or infinite (diverged), or a network still guessing at chance after an epoch
    (saturated outputs, steps too small, too few steps or images, or a deep network whose first
    layers have not started to learn).

What is new since 04b
    MNIST itself (downloaded, verified and loaded), mini-batch SGD, a validation set, a step for
    the output layer that suits its width, a look inside each layer, failure detection, saving and
    loading the trained network, and figures of what it learned.

What it leaves out
    Everything that makes modern networks better but is not needed to pass 97%: softmax with
    cross-entropy, ReLU, momentum and Adam, regularisation, convolutions.

How the file is laid out
    Settings, then the lesson: from pixels to inputs and a validation set, starting well at any
    width, mini-batch SGD, looking inside each layer and noticing when training fails; the figures
    of what the network learned; main(). Then the appendices,
    which serve the lesson and can be read in any order: getting MNIST (download, verify, load),
    saving and loading a model, your own digits (--predict and --draw), the code carried over from
    01-04b, and the command line.

Run
    python 05_train_mnist.py                       download MNIST into data/ (first run), train,
                                                   evaluate
    python 05_train_mnist.py --epochs 3 --hidden 300 100
    python 05_train_mnist.py --download-only       fetch and verify the data, then stop
    python 05_train_mnist.py --predict my_digit.png   read your own digits with the saved model
    python 05_train_mnist.py --draw                draw digits with the mouse and watch the outputs
    python 05_train_mnist.py --help                every flag
"""
import os

# Our matrix products are small (16 x 784 times 784 x 100). Split across two threads, the threads
# spend longer waiting for each other than multiplying, badly so when the other core is busy (the
# README's Performance section gives the measured cost). So we ask the BLAS library behind NumPy
# for one thread; this must happen before NumPy is imported, and a value you set yourself wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402  (imported after the thread setting above, like everything below)
import contextlib  # noqa: E402
import errno  # noqa: E402
import gzip  # noqa: E402
import hashlib  # noqa: E402
import http.client  # noqa: E402
import math  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
import warnings  # noqa: E402
import zipfile  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

# The command line overrides the first four (see --help). Chosen by measurement on the validation
# images: with these, every width and depth we tried trains (README, "Any width trains";
# benchmarks/check_widths.py runs the check).
EPOCHS = 10
BATCH_SIZE = 16
LEARNING_RATE = 15.0   # large because the loss averages over 10 outputs and has no 1/2 (see README)
HIDDEN = (100,)        # hidden layer sizes
N_CLASSES = 10
N_VALIDATION = 10_000  # the last 10,000 training images: every choice is judged on these
REFERENCE_WIDTH = 100  # the output layer's step is lr x REFERENCE_WIDTH / (the width feeding it)
NETWORK_DTYPE = np.float32   # the weights, inputs and targets: half the memory of float64
CHANCE_LEVEL = 0.20    # validation accuracy at or below this after an epoch: nothing was learned
MIN_STEPS = 100        # fewer gradient steps than this are too few to judge whether learning works
MIN_IMAGES = 100       # fewer training images than this cannot teach ten digits
TINY_STEP = 1e-4       # a step that changes the weights by less than this fraction changes nothing
SATURATED = 0.01       # a sigmoid whose slope a (1 - a) is below this (|z| > 4.6) barely learns
PROBE_SIZE = 1000      # validation images on which we look inside the network
EVAL_CHUNK = 2000      # images per forward pass when evaluating: bounds the memory of wide networks
MAX_PARAMETERS = 50_000_000   # 200 MB of float32 weights: far beyond what MNIST needs, and a
                              # bound on what a --hidden typo or a model file can make us allocate


# ==================================================================================================
# From pixels to network inputs, and a validation set
# ==================================================================================================
def to_inputs(images):
    """uint8 images (N, 28, 28) with values 0..255 -> inputs (N, 784) with values in [0, 1].

    Each image becomes one row of 784 numbers, row after row of pixels. Dividing by 255 keeps
    z = x W + b small at the start, so the sigmoids start on their steep middle part. We convert
    one mini-batch at a time: MNIST's 60,000 training-file images take 47 MB as uint8 but would
    take 188 MB as float32.
    """
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(NETWORK_DTYPE) / NETWORK_DTYPE(255)  # (N, 784)


def split_validation(images, labels):
    """(training set, validation set): the last N_VALIDATION training images are held out.

    Every choice we make (the settings, when to call training failed) is judged on the validation
    images. The test set is measured once, at the very end: a setting chosen because it did well on
    the test set would make the test accuracy overstate how the network does on new digits.
    """
    n = len(images) - N_VALIDATION
    return (images[:n], labels[:n]), (images[n:], labels[n:])


# ==================================================================================================
# Starting well, at any width: the output layer's step, and where its outputs start
# ==================================================================================================
# Why one learning rate for every layer fails at width 1000 (measured in the README): at the start
# every output is about 0.5 and nine of the ten targets are 0, so the first step pushes every
# output's z down. Output j's z = sum_i a_i W_ij + b_j moves by sum_i a_i dW_ij + db_j, and each
# dW_ij has the same sign, about -lr · 0.02 · a_i per step (delta = 2 (0.5 - 0.1) / 10 · σ'(0) =
# 0.02 on average); with a_i ≈ 0.5 the n_in pushes add up to about -lr (1 + n_in / 4) / 50: -7.8
# at width 100, -75 at width 1000, where σ'(z) ≈ 3e-33 and no gradient flows any more. Two cures,
# each in a line:
#   - the output layer's step scaled by 100 / (the width that feeds it) (LeCun et al., "Efficient
#     BackProp", 1998, section 4.7), so the same lr moves its z by the same amount at any width;
#   - the output biases start at the base rate, log(0.1 / 0.9), where each output already says
#     "a tenth of the digits are mine", instead of at 0.5: no shared push is left to make.
def new_network(sizes, seed):
    """Network(sizes) as in lessons 02-04b, its output sigmoids starting at the base rate 1/10."""
    net = Network(sizes, seed=seed, dtype=NETWORK_DTYPE)
    p = 1 / sizes[-1]
    net.biases[-1][:] = np.log(p / (1 - p))            # σ(log(p / (1 - p))) = p
    return net


def layer_rates(net, lr):
    """The learning rate of each layer of weights: lr for the hidden layers, and for the output
    layer lr · REFERENCE_WIDTH / (the width feeding it): lr itself at the default width."""
    return [lr] * (len(net.weights) - 1) + [lr * REFERENCE_WIDTH / net.sizes[-2]]


# ==================================================================================================
# Training: mini-batch stochastic gradient descent, measured on validation images
# ==================================================================================================
def train_epoch(net, images, labels, batch_size, lr, rng):
    """One pass over the training set in a fresh random order, one gradient step per mini-batch.

    Shuffling every epoch makes each mini-batch a new random sample, so the steps do not repeat a
    pattern. Returns (mean loss, accuracy), both measured on each batch just before its step: they
    describe the network during the epoch, a little worse than at its end. Raises TrainingFailed as
    soon as a batch's loss is NaN or infinite.
    """
    raise NotImplementedError(
        "TODO train_epoch: for each mini-batch of rng.permutation(N): gradient_step on to_inputs "
        "and one_hot; non-finite loss: TrainingFailed; return (mean loss, accuracy)")


def evaluate(net, images, labels):
    """(accuracy, predicted labels) on a set of images: the answer is the largest output."""
    predictions = np.empty(len(images), dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, len(images), EVAL_CHUNK):
            output = net.forward(to_inputs(images[start:start + EVAL_CHUNK]))  # (chunk, 10)
            predictions[start:start + EVAL_CHUNK] = output.argmax(axis=1)
    return float(np.mean(predictions == labels)), predictions


def train_and_report(net, train_set, validation_set, epochs, batch_size, lr, seed):
    """The training loop: train an epoch, measure the validation accuracy, print one line, look
    inside after the first epoch and at the end, and stop with the reason if nothing is learned.

    Returns the history of every epoch, each with every layer's health (see layer_health).
    """
    (x_train, y_train), (x_val, y_val) = train_set, validation_set
    rng = np.random.default_rng(seed)
    probe = (to_inputs(x_val[:PROBE_SIZE]),                              # (1000, 784)
             one_hot(y_val[:PROBE_SIZE], N_CLASSES, dtype=NETWORK_DTYPE))  # (1000, 10)
    history = [dict(epoch=0, layers=layer_health(net, *probe, layer_rates(net, lr)))]
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    print_layer_table(history[0]["layers"], "before training")
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        train_loss, train_accuracy = train_epoch(net, x_train, y_train, batch_size, lr, rng)
        train_seconds = time.perf_counter() - start
        val_accuracy, _ = evaluate(net, x_val, y_val)
        history.append(dict(epoch=epoch, train_loss=train_loss, train_accuracy=train_accuracy,
                            val_accuracy=val_accuracy,
                            layers=layer_health(net, *probe, layer_rates(net, lr))))
        print(f"epoch {epoch:2d}/{epochs}  train loss {train_loss:.5f}  "
              f"train acc {train_accuracy:7.2%}  val acc {val_accuracy:7.2%}  "
              f"{time.perf_counter() - start:5.1f} s  "
              f"{len(x_train) / train_seconds:8,.0f} samples/s", flush=True)
        if epoch == 1 or epoch == epochs:
            print_layer_table(history[-1]["layers"], f"after epoch {epoch}")
        check_learning(history[-1], lr, len(x_train), epoch * steps_per_epoch, epoch == epochs)
    return history


# ==================================================================================================
# Looking inside: how fast each layer learns, how saturated it is, how big its steps are
# ==================================================================================================
def learning_speed(net, X, Y):
    """For each layer of weights, input side first, the length of dL/db over the batch (X, Y).

    dL/db^l is the error signal delta^l summed over the batch (04b): how hard the loss pulls on
    layer l's neurons. Nielsen's "speed of learning" (Neural Networks and Deep Learning, ch. 5):
    backpropagation multiplies delta by W^T and by σ'(z) <= 1/4 at every layer it passes, so in a
    deep sigmoid network the layers near the input often learn far more slowly than the last.
    """
    _, grad_biases = net.backward(X, Y)
    return [float(np.linalg.norm(grad_b)) for grad_b in grad_biases]


def layer_health(net, X, Y, rates):
    """Per layer of weights, input side first: (speed, saturated, step_ratio).

    speed       |dL/db| over the batch: learning_speed
    saturated   the share of the layer's sigmoids, over the batch, whose slope a (1 - a) is below
                SATURATED (|z| above 4.6): there σ' is so small that little gradient gets through
    step_ratio  |rate · dL/dW| / |W|: how much one step would change the weights, relative to their
                size (about 1e-3 is the usual healthy figure; far less learns slowly, far more
                throws away what was learned)
    """
    with np.errstate(over="ignore", invalid="ignore"):   # a diverging run is reported elsewhere
        speeds = learning_speed(net, X, Y)
        activations = net.forward_all(X)
        grad_weights, _ = net.backward_from(activations, Y)
        saturated = [float(np.mean(a * (1 - a) < SATURATED)) for a in activations[1:]]
        steps = [float(np.linalg.norm(rate * grad_W) / np.linalg.norm(W))
                 for W, grad_W, rate in zip(net.weights, grad_weights, rates)]
    return list(zip(speeds, saturated, steps))


def print_layer_table(layers, when):
    print(f"  inside the network {when}, on {PROBE_SIZE:,} validation images:")
    print("    layer  speed |dL/db|  saturated  step / weight")
    for l, (speed, saturated, step) in enumerate(layers, start=1):
        print(f"    {l:5d}  {speed:13.2e}  {saturated:9.1%}  {step:13.1e}")


def check_learning(record, lr, n_train, steps_so_far, last_epoch):
    """Stop with the reason, read from the numbers, if the network still guesses at chance level.

    Chance is judged on the validation images after an epoch. Five causes give the same accuracy:
    too few training images to learn ten digits from; too few steps to learn anything (a batch as
    large as the training set takes one step an epoch); output sigmoids saturated, their slope
    σ' ~0, so that no gradient flows (the steps were far too large); steps so small that an epoch
    changes almost nothing; or a deep network whose first layers still learn far more slowly than
    the last (vanishing gradients: it needs more steps).
    """
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
    first_speed = record["layers"][0][0]
    if saturated > 0.9:
        raise TrainingFailed(
            f"training stalled ({summary}): {saturated:.0%} of the output sigmoids are saturated "
            f"(slope below {SATURATED}), so the output layer's gradient |dL/db| is only "
            f"{speed:.1e} and the first layer's {first_speed:.1e}: almost nothing flows back. The "
            f"steps were too large (one step would change the output weights by {step:.0e} of "
            f"their size); try {smaller_rate(lr)}.")
    if step < TINY_STEP:
        raise TrainingFailed(
            f"training stalled ({summary}): the outputs are not saturated ({saturated:.0%}), but "
            f"the steps are tiny: one would change the output weights by {step:.0e} of their size "
            f"(about 1e-3 is healthy). Try {larger_rate(lr)}.")
    if not last_epoch:
        return                                          # still moving: more epochs may do it
    raise TrainingFailed(
        f"training has not started yet ({summary}): the outputs are not saturated "
        f"({saturated:.0%}), but the first layer learns {speed / first_speed:.0f} times more "
        f"slowly than the last (|dL/db| {first_speed:.1e} against {speed:.1e}: vanishing "
        f"gradients, see the README). Give it more steps: more --epochs or more images "
        f"(--train-limit), or fewer hidden layers.")


def smaller_rate(lr):
    if lr > LEARNING_RATE:
        return f"the default learning rate, --lr {LEARNING_RATE:g}, which trains any width"
    return f"a smaller learning rate, e.g. --lr {lr / 10:g}"


def larger_rate(lr):
    if lr < LEARNING_RATE:
        return f"a larger learning rate: the default, --lr {LEARNING_RATE:g}"
    return f"a larger learning rate, e.g. --lr {lr * 10:g}"


class TrainingFailed(Exception):
    """Training went wrong in a way the user can fix; the message says what happened and what to
    try."""


# ==================================================================================================
# Figures: what the network learned, and how each layer learned
# ==================================================================================================
def plot_history(plt, history):
    """Loss (left) and accuracy (right) after each epoch."""
    history = history[1:]                              # epoch 0 has only the layers' health
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [h["train_loss"] for h in history], "o-")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean squared error")
    ax_loss.set_title("Training loss")
    ax_acc.plot(epochs, [100 * h["train_accuracy"] for h in history], "o-",
                label="train (during the epoch)")
    ax_acc.plot(epochs, [100 * h["val_accuracy"] for h in history], "o-",
                label="validation (after the epoch)")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_title("Accuracy")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
    return fig


def plot_learning_speed(plt, history):
    """Each layer's speed |dL/db| (left) and step / weight ratio (right) over training, on a log
    scale."""
    epochs = [h["epoch"] for h in history]
    fig, (ax_speed, ax_step) = plt.subplots(1, 2, figsize=(10, 4))
    for l in range(len(history[0]["layers"])):
        ax_speed.plot(epochs, [h["layers"][l][0] for h in history], "o-", label=f"layer {l + 1}")
        ax_step.plot(epochs, [h["layers"][l][2] for h in history], "o-", label=f"layer {l + 1}")
    ax_speed.set_title("Speed of learning: |dL/db| per layer")
    ax_step.set_title("Step size relative to the weights")
    ax_step.axhline(1e-3, color="grey", ls="--", lw=1, label="1e-3, a usual healthy size")
    for ax in (ax_speed, ax_step):
        ax.set_yscale("log")
        ax.set_xlabel("epoch (0 = before training)")
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def plot_confusion(plt, labels, predictions):
    counts = confusion_matrix(labels, predictions)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    # A log-like scale would hide the diagonal's size; instead we colour the errors only.
    errors = counts.copy()
    np.fill_diagonal(errors, 0)
    image = ax.imshow(errors, cmap="Reds")
    fig.colorbar(image, ax=ax, label="number of mistakes")
    for i in range(N_CLASSES):
        for j in range(N_CLASSES):
            ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8,
                    color="black" if i != j else "tab:blue")
    ax.set_xticks(range(N_CLASSES))
    ax.set_yticks(range(N_CLASSES))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (test set; diagonal = correct)")
    return fig


def confusion_matrix(labels, predictions, n_classes=N_CLASSES):
    """counts[i, j] = how many test images of digit i the network read as j (the diagonal is
    right)."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (labels, predictions), 1)
    return counts


def plot_misclassified(plt, images, labels, predictions, n=32):
    """The first n test images the network got wrong, each titled 'true → predicted'."""
    wrong = np.flatnonzero(predictions != labels)[:n]
    cols = 8
    rows = max(1, math.ceil(len(wrong) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.2, rows * 1.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(f"{labels[i]} → {predictions[i]}", fontsize=9)
    fig.suptitle(f"Misclassified test digits (true → predicted), {len(wrong)} of "
                 f"{int(np.sum(predictions != labels))}")
    return fig


def plot_first_layer(plt, net, n=100):
    """What the first hidden layer looks for: unit j's 784 incoming weights as a 28 x 28 image.

    Red pixels push unit j's z up when they are inked, blue ones push it down. Each image gets its
    own colour scale, symmetric around 0, so that white always means "this pixel doesn't matter".
    """
    w = net.weights[0]                                  # (784, H): column j feeds hidden unit j
    n = min(n, w.shape[1])
    cols = min(10, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.0, rows * 1.0), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for j, ax in zip(range(n), axes.flat):
        image = w[:, j].reshape(28, 28)
        limit = float(np.abs(image).max()) or 1.0
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
    fig.suptitle(f"First-layer weights of {n} hidden units, as 28 x 28 images", y=0.93)
    return fig


def main(argv=None):
    """Returns the exit status: 0 on success, 1 when the data or the training failed."""
    args = parse_args(argv)
    if args.predict or args.draw:
        return run_own_digits(args)
    try:
        with signals_stop_like_ctrl_c():
            (x_train, y_train), (x_test, y_test) = prepare_data(args.data_dir, args.mirror)
    except MnistError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: nothing half-downloaded was kept", file=sys.stderr)
        return 1
    print_data_summary(((x_train, y_train), (x_test, y_test)), args.data_dir)
    if args.download_only:
        return 0
    problem = prepare_output_folders(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    (x_train, y_train), validation_set = split_validation(x_train, y_train)
    x_train, y_train = x_train[:args.train_limit], y_train[:args.train_limit]

    sizes = [x_train[0].size, *args.hidden, N_CLASSES]
    net = new_network(sizes, args.seed)
    print_settings(net, len(x_train), len(validation_set[0]), args)
    started = time.perf_counter()
    try:
        history = train_and_report(net, (x_train, y_train), validation_set, args.epochs,
                                   args.batch_size, args.lr, args.seed)
    except TrainingFailed as failure:
        print(f"error: {failure}", file=sys.stderr)   # nothing is saved
        return 1
    except KeyboardInterrupt:
        print("interrupted: training stopped, nothing was saved", file=sys.stderr)
        return 1
    accuracy, predictions = evaluate(net, x_test, y_test)   # the test set, once, at the very end
    print(f"training and evaluation took {time.perf_counter() - started:.1f} s")
    try:
        print(f"model saved: {save_model(args.model, net)}")
    except OSError as error:
        print(f"error: cannot save the model to {args.model}: {error}", file=sys.stderr)
        return 1
    if not args.no_plots:
        plt = open_pyplot(args.show)
        save_figures(plt, {
            "05_training_curves.png": plot_history(plt, history),
            "05_learning_speed.png": plot_learning_speed(plt, history),
            "05_confusion_matrix.png": plot_confusion(plt, y_test, predictions),
            "05_misclassified.png": plot_misclassified(plt, x_test, y_test, predictions),
            "05_first_layer_weights.png": plot_first_layer(plt, net),
        }, args.figures_dir, args.show)
    print_top_confusions(y_test, predictions)
    print(f"test accuracy: {accuracy:.2%} ({int(np.sum(predictions == y_test))}/{len(y_test)})")
    return 0


def print_settings(net, n_train, n_validation, args):
    rates = ", ".join(f"{rate:g}" for rate in layer_rates(net, args.lr))
    print(f"Network({net.sizes}), {args.epochs} epoch{'s' * (args.epochs != 1)} of {n_train:,} "
          f"training image{'s' * (n_train != 1)} ({n_validation:,} more for validation), batch "
          f"size {args.batch_size}, learning rate {args.lr:g} (per layer: {rates})")


def print_top_confusions(labels, predictions, n=5):
    """The n most frequent mistakes on the test set, as 'true read as predicted (count)'."""
    counts = confusion_matrix(labels, predictions)
    np.fill_diagonal(counts, 0)
    order = np.argsort(-counts, axis=None, kind="stable")[:n]
    pairs = [np.unravel_index(i, counts.shape) for i in order]
    print("most frequent mistakes on the test set: "
          + ", ".join(f"{t} read as {p} ({counts[t, p]})" for t, p in pairs if counts[t, p]))


# ==================================================================================================
# Appendix: getting MNIST. Download, verify, read the IDX files; load_mnist reads what is there.
# Long, because networks and files fail in many ways, and each way gets its own clear message.
# ==================================================================================================
# MNIST is four IDX files. Mirrors serve them gzipped; we accept a file by the SHA-256 of its
# *unpacked* bytes, so the official .gz, a re-compressed .gz and an unpacked copy placed by hand all
# pass, and a truncated download, an error page or a different file never does.
MNIST_DIGESTS = {  # name of the unpacked file -> (its size in bytes, SHA-256 of its bytes)
    "train-images-idx3-ubyte":
        (47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels-idx1-ubyte":
        (60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "t10k-images-idx3-ubyte":
        (7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "t10k-labels-idx1-ubyte":
        (10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
DEFAULT_MIRRORS = [  # tried in this order; each file falls back to the next one on any failure
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
TIMEOUT = 30          # seconds to wait for a connection, then for each read, before the next mirror
CHUNK = 1 << 16       # bytes read from the network at a time, at most
MIN_RATE = 1024       # bytes a second, averaged over RATE_WINDOW seconds: a slower mirror is
RATE_WINDOW = 60      # dropped for the next one (a whole-file deadline would drop slow proxies)
PROGRESS_EVERY = 10   # seconds: a progress line at least this often, however slowly the bytes come
STALE_PART_AGE = 3600  # seconds: a partial download untouched this long was abandoned by its run
IMAGE_SHAPE = (28, 28)


class MnistError(Exception):
    """Anything that stops us getting MNIST. The message says what went wrong and how to fix it."""


class InvalidFile(MnistError):
    """A file's content is not the MNIST file it should be; the message names the fault."""


class MirrorFailed(Exception):
    """One download attempt failed (network, server or content); the next mirror may still work."""


class WriteFailed(Exception):
    """Writing the download failed (a full disk, say): no reason to try another mirror."""


def prepare_data(data_dir, mirrors=None, digests=MNIST_DIGESTS, timeout=TIMEOUT, stream=None):
    """Make sure the four MNIST files are in data_dir and verified, download what is missing or
    invalid, and return the arrays as load_mnist does: ((x_train, y_train), (x_test, y_test)).

    Files already present and valid are used as they are (read and hashed once, no network at all).
    Once a mirror has worked, the remaining files try it first, so a dead mirror costs one timeout,
    not four. `mirrors` goes through choose_mirrors (default: $MNIST_MIRRORS, else
    DEFAULT_MIRRORS) only when a download is needed, so a bad setting never stops a run that
    needs none. Progress goes to `stream` (default: stdout). Raises MnistError when a file
    cannot be had.
    """
    stream = sys.stdout if stream is None else stream
    data_dir, found, to_try = Path(data_dir), {}, None
    problem = folder_problem(data_dir)
    if problem:
        raise MnistError(problem)
    remove_abandoned_parts(data_dir, digests, stream)
    for name, (size, sha256) in digests.items():
        copy, invalid = find_present(data_dir, name, size, sha256)
        for path, fault in invalid:
            if copy:                      # never used while the valid copy is there
                print(f"{path} is not valid: {fault}; {set_aside(path, copy[0])}", file=stream)
                continue
            if path.is_dir():             # we never delete a folder, nor put a file there
                raise MnistError(f"{path} is a folder where the file belongs; move or remove it, "
                                 "or choose another folder with --data-dir")
            print(f"{path} is not valid: {fault}; it will be replaced", file=stream)
        if copy is None:
            if to_try is None:
                to_try = choose_mirrors(mirrors)
                print(f"Downloading MNIST into {data_dir}", file=stream)
            try:
                data_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise MnistError(f"cannot create the data folder {data_dir}: {error}") from None
            mirror, final, unpacked = fetch(name, data_dir, to_try, digests, timeout, stream)
            copy = (final, unpacked)
            to_try.remove(mirror)
            to_try.insert(0, mirror)
            for path, _ in invalid:   # else an invalid unpacked copy would linger beside the .gz
                if path != final and path.exists():
                    path.unlink()
        found[name] = copy
    return mnist_arrays(found)


def print_data_summary(data, data_dir):
    (x_train, y_train), (x_test, y_test) = data
    print(f"MNIST is ready in {data_dir}: {len(x_train)} training and {len(x_test)} test images "
          f"of {x_train.shape[1]}x{x_train.shape[2]} pixels ({x_train.dtype})")


@contextlib.contextmanager
def signals_stop_like_ctrl_c():
    """Within this block SIGTERM and SIGHUP (`timeout`, a process manager, a closed terminal) raise
    KeyboardInterrupt, as Ctrl-C does. Their default action kills the process on the spot, leaving a
    partial download behind; an exception runs the `finally` that removes it. A signal that was set
    to be ignored (nohup ignores SIGHUP) stays ignored."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):            # Windows has no SIGHUP
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            try:
                previous[signum] = signal.signal(signum, stop)
            except ValueError:                    # not the main thread, which alone handles signals
                pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def choose_mirrors(cli_mirrors=None, environ=None):
    """The base URLs to try, in order: --mirror flags, else $MNIST_MIRRORS (comma-separated), else
    the defaults."""
    environ = os.environ if environ is None else environ
    from_env = [url.strip() for url in environ.get("MNIST_MIRRORS", "").split(",") if url.strip()]
    mirrors = cli_mirrors or from_env or DEFAULT_MIRRORS
    for url in mirrors:
        if "://" not in url:
            raise MnistError(f"mirror {url!r} is not a URL; give a base URL such as "
                             f"{DEFAULT_MIRRORS[0]} (a local folder works as "
                             "file:///path/to/folder/)")
    return [url if url.endswith("/") else url + "/" for url in mirrors]


def load_mnist(data_dir, digests=MNIST_DIGESTS):
    """Load MNIST from data_dir without touching the network:
    ((x_train, y_train), (x_test, y_test)).

    All uint8, shaped (60000, 28, 28), (60000,), (10000, 28, 28), (10000,). Every file is checked by
    its SHA-256 as it is read (one pass per file). Raises MnistError naming what is missing or
    invalid.
    """
    problem = folder_problem(Path(data_dir))
    if problem:
        raise MnistError(problem)
    found, problems = {}, []
    for name, (size, sha256) in digests.items():
        copy, invalid = find_present(data_dir, name, size, sha256)
        if copy:
            found[name] = copy
        else:
            problems += ([f"  {path}: {fault}" for path, fault in invalid]
                         or [f"  {name}.gz: not found"])
    if problems:
        raise MnistError(f"MNIST is not complete in {data_dir}:\n" + "\n".join(problems) + "\n"
                         f"Run `python 05_train_mnist.py --download-only --data-dir {data_dir}` "
                         "to download it.\n"
                         + how_to_fix(data_dir, digests))
    return mnist_arrays(found)


def folder_problem(folder):
    """Why `folder` cannot hold the data (a file, a broken link, no permission), and what to do.

    A folder that does not exist yet is no problem: the download creates it.
    """
    instead = "choose another folder with --data-dir"
    try:
        for path in (folder, *folder.parents):     # the first of them that exists must be a folder
            if path.is_symlink() and not path.exists():
                return (f"{path} is a symbolic link that leads to no folder (a loop, or a missing "
                        f"target); {instead}")
            if path.exists():
                if not path.is_dir():
                    return f"{path} is a file, not a folder; {instead}"
                break
        os.listdir(folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        return (f"cannot read the data folder {folder}: {error.strerror or error}; "
                f"give yourself access to it (chmod u+rwx {folder}) or {instead}")
    return None


def set_aside(path, valid):
    """Remove an invalid copy that the valid copy `valid` makes useless (else it would be reported
    on every run); returns what was done, for the message."""
    if path.is_dir():
        return f"ignored; the valid {valid} is used"
    try:
        path.unlink()
    except OSError as error:
        return f"the valid {valid} is used (cannot remove it: {error.strerror or error})"
    return f"removed it; the valid {valid} is used"


def remove_abandoned_parts(data_dir, digests, stream):
    """Remove our partial downloads (.NAME.xxxxxxxx.part) left by runs killed outright (SIGKILL, a
    power cut). A live download writes to its file at least every RATE_WINDOW seconds or gives up,
    so one untouched for STALE_PART_AGE seconds is nobody's; a younger one may be another run's."""
    for name in digests:
        for path in data_dir.glob(f".{name}.*.part"):
            try:
                age = time.time() - path.stat().st_mtime
                if age > STALE_PART_AGE:
                    path.unlink()
                    print(f"removed {path}, a partial download abandoned {age / 3600:.1f} hours "
                          "ago", file=stream)
            except OSError:
                pass                      # removed by another run meanwhile, or not ours to remove


# --- Reading and checking the files ---------------------------------------------------------------
def find_present(data_dir, name, size, sha256):
    """Look for a copy already in data_dir, as name.gz or unpacked as name.

    Returns (path, unpacked bytes) of the first valid copy, or None, and a list of (path, fault) for
    the copies that are there but invalid.
    """
    invalid = []
    for path in (Path(data_dir) / (name + ".gz"), Path(data_dir) / name):
        if path.is_dir():
            invalid.append((path, InvalidFile("it is a folder, not a file")))
        elif path.is_file():
            try:
                return (path, read_verified(path, size, sha256)), invalid
            except InvalidFile as fault:
                invalid.append((path, fault))
    return None, invalid


def read_verified(path, size, sha256):
    """The unpacked bytes of `path`, if they are exactly `size` bytes with this SHA-256; else
    InvalidFile.

    The bytes go straight into one buffer of the expected size, read once and hashed once, and
    reading stops one byte past it: a wrong file can never make us unpack more. A bytearray (not
    bytes) so the arrays made from it are ordinary writable arrays.
    """
    buffer, got = bytearray(size), 0
    try:
        with open_unpacked(path) as f, memoryview(buffer) as view:
            while got < size:                 # a megabyte at a time keeps the extra memory small
                n = f.readinto(view[got:got + (1 << 20)])
                if not n:
                    break
                got += n
            extra = f.read(1)                 # also makes gzip check its CRC trailer
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise InvalidFile(f"the gzip data is truncated or corrupt ({error})") from None
    except OSError as error:
        raise InvalidFile(f"cannot read it ({error})") from None
    if buffer[:1] == b"<":
        raise InvalidFile("it is an HTML or XML page (an error page, or a proxy's login page?), "
                          "not MNIST data")
    if got < size or extra:
        amount = f"{got} bytes unpacked, {size} expected" if got < size else \
            f"more than the {size} bytes expected unpacked"
        says, declared = header_says(buffer[:got])
        if says is None:
            guess = "a truncated file?" if got < size else "a different file?"
            raise InvalidFile(f"it has {amount} ({guess})")
        if got < size and declared > got:
            raise InvalidFile(f"it has {amount}: a truncated file (its header says {says})")
        raise InvalidFile(f"it has {amount}, and its header says {says}: "
                          "another MNIST file under this name?")
    digest = hashlib.sha256(buffer).hexdigest()
    if digest != sha256:
        raise InvalidFile(f"its SHA-256 is {digest[:16]}..., expected {sha256[:16]}... "
                          "(damaged, or a different file)")
    return buffer


def open_unpacked(path):
    """Open a file for reading its IDX bytes, unpacking it on the fly if it is gzipped.

    We look at the first two bytes (gzip files start with 1f 8b), not at the name, so an unpacked
    file that happens to be called .gz still works.
    """
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def header_says(data):
    """What the IDX header at the start of `data` declares, in words, and the file size it implies:
    ("60000 labels", 60008), ("10000 images of 28x28", 7840016); (None, None) for no IDX header.
    """
    head = bytes(data[:4])
    if len(head) < 4 or head[:3] != b"\x00\x00\x08" or len(data) < 4 + 4 * head[3]:
        return None, None
    shape = struct.unpack(f">{head[3]}I", bytes(data[4:4 + 4 * head[3]]))
    if len(shape) == 1:
        says = f"{shape[0]} labels"
    elif len(shape) == 3:
        says = f"{shape[0]} images of {shape[1]}x{shape[2]}"
    else:
        says = f"an array of shape {shape}"
    return says, 4 + 4 * len(shape) + math.prod(shape)


def mnist_arrays(found):
    """((x_train, y_train), (x_test, y_test)) from {name: (path, unpacked bytes)} of the four
    files."""
    def part(images_name, labels_name):
        x = parse_idx(found[images_name][1], found[images_name][0], ndim=3)   # (N, 28, 28)
        y = parse_idx(found[labels_name][1], found[labels_name][0], ndim=1)   # (N,)
        if x.shape[1:] != IMAGE_SHAPE:
            raise InvalidFile(f"{found[images_name][0]}: images are {x.shape[1:]} pixels, "
                              f"expected {IMAGE_SHAPE}")
        if len(x) != len(y):
            raise InvalidFile(f"{found[images_name][0]} has {len(x)} images but "
                              f"{found[labels_name][0]} has {len(y)} labels")
        return x, y
    return (part("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
            part("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))


def parse_idx(data, source, ndim=None):
    """Turn the bytes of an IDX file into a uint8 array that shares their memory (no copy).

    IDX layout: two zero bytes, one byte for the element type (0x08 = unsigned byte, the only type
    MNIST uses), one byte for the number of dimensions d; then d sizes as big-endian 32-bit
    integers; then the elements, last dimension fastest. We check all of it, so a truncated, padded
    or mislabelled file gives an error naming `source` and the fault, never a NumPy reshape error.
    """
    head = bytes(data[:4])
    if len(head) < 4 or head[:3] != b"\x00\x00\x08":
        raise InvalidFile(f"{source}: not an IDX file of unsigned bytes: it starts with "
                          f"{head.hex(' ') or 'nothing'}, expected 00 00 08 then the number of "
                          "dimensions")
    d = head[3]
    if ndim is not None and d != ndim:
        raise InvalidFile(f"{source}: has {d} dimensions, expected {ndim}; is the right file under "
                          "this name?")
    header = 4 + 4 * d
    if len(data) < header:
        raise InvalidFile(f"{source}: the header is cut short ({len(data)} bytes, {header} needed)")
    shape = struct.unpack(f">{d}I", bytes(data[4:header]))
    expected = header + math.prod(shape)
    if len(data) != expected:
        fault = "truncated" if len(data) < expected else "padded with extra bytes"
        raise InvalidFile(f"{source}: is {len(data)} bytes, but its header (shape {shape}) means "
                          f"{expected}: the file is {fault}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def how_to_fix(data_dir, digests):
    """The advice printed when MNIST cannot be had: other mirrors, a proxy, or placing the files by
    hand."""
    lines = ["To fix it, either:",
             "  - try other mirrors: --mirror URL (repeatable) or MNIST_MIRRORS=URL1,URL2",
             "    (a folder holding the files works too: --mirror file:///path/to/folder/);",
             "    behind a proxy, set https_proxy and http_proxy (e.g. http://proxy.example:3128);",
             f"  - or place the four files in {data_dir} by hand, gzipped (.gz) or unpacked",
             "    (same name without .gz); each is checked by its unpacked size and SHA-256:"]
    lines += [f"      {name + '.gz':<28}{size:>9} bytes unpacked, sha256 {sha256}"
              for name, (size, sha256) in digests.items()]
    return "\n".join(lines)


# --- Downloading ----------------------------------------------------------------------------------
def fetch(name, data_dir, mirrors, digests, timeout, stream):
    """Download `name`.gz from the first mirror that gives a verified copy.

    Returns (mirror, final path, unpacked bytes). When every mirror fails, raises MnistError listing
    each URL with its error and saying how to get the file another way.
    """
    size, sha256 = digests[name]
    failures = []
    for i, mirror in enumerate(mirrors):
        url = file_url(mirror, name)
        print(f"{url[len(mirror):]} from {mirror}", file=stream)
        try:
            path, unpacked = download_verified(url, name, size, sha256, data_dir, timeout, stream)
        except MirrorFailed as error:
            failures.append(f"  {url}: {error}")
            next_step = "trying the next mirror" if i + 1 < len(mirrors) else "no mirror left"
            print(f"  failed: {error}; {next_step}", file=stream)
            continue
        print(f"  verified: {size} bytes unpacked, sha256 {sha256[:16]}... as expected",
              file=stream)
        return mirror, path, unpacked
    raise MnistError(f"could not download {name}.gz from any mirror:\n" + "\n".join(failures) + "\n"
                     "Nothing was written under the final names.\n" + how_to_fix(data_dir, digests))


def file_url(mirror, name):
    """The URL of `name` on a mirror: name.gz, or name itself in a local folder (file://) that holds
    only the unpacked file."""
    if mirror.lower().startswith("file:"):
        folder = Path(urllib.request.url2pathname(urllib.parse.urlparse(mirror).path))
        if not (folder / (name + ".gz")).exists() and (folder / name).is_file():
            return mirror + name
    return mirror + name + ".gz"


def download_verified(url, name, size, sha256, data_dir, timeout, stream):
    """Download one file into data_dir and keep it only if its unpacked bytes verify.

    It is written to a temporary file in data_dir itself (the same file system, so the rename is
    atomic) and renamed to its final name only after its SHA-256 matches; whatever happens,
    including Ctrl-C, the temporary file is removed, so nothing partial or wrong is ever left under
    the final name.
    Returns (final path, unpacked bytes).
    """
    limit = size + size // 100 + (1 << 16)  # gzip grows incompressible data only by a tiny fraction
    try:
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=f".{name}.", suffix=".part")
    except OSError as error:
        raise MnistError(cannot_write(data_dir, error)) from None
    try:
        try:
            with os.fdopen(fd, "wb") as dest:     # closing writes what is buffered: it can fail too
                download(url, dest, limit, timeout, stream)
        except WriteFailed as failed:
            raise MnistError(cannot_write(data_dir, failed.args[0])) from None
        except OSError as error:
            raise MnistError(cannot_write(data_dir, error)) from None
        try:
            unpacked = read_verified(tmp, size, sha256)
        except InvalidFile as fault:
            raise MirrorFailed(f"wrong content: {fault}") from None
        with open(tmp, "rb") as f:
            final = Path(data_dir) / (name + ".gz" if f.read(2) == b"\x1f\x8b" else name)
        try:
            os.chmod(tmp, 0o644)              # mkstemp makes it private; a data file needn't be
            os.replace(tmp, final)
        except OSError as error:
            raise MnistError(f"cannot put the download in place as {final}: "
                             f"{error.strerror or error}") from None
        return final, unpacked
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))  # a full disk, a full quota


def cannot_write(data_dir, error):
    """The message for a failed write in data_dir: the folder and the reason, and what to do."""
    space = "free some space there, or " if error.errno in NO_SPACE else ""
    return (f"cannot write in {data_dir}: {error.strerror or error}; "
            f"{space}choose another folder with --data-dir")


def download(url, dest, limit, timeout, stream):
    """Copy `url` into the open binary file `dest`, showing progress.

    Raises MirrorFailed with a one-line reason when the network or the server lets us down (a mirror
    too slow to be worth waiting for included), and WriteFailed, holding the OSError, when we cannot
    write.
    """
    progress = None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
            if response.headers.get_content_type() == "text/html":
                raise MirrorFailed("the server sent an HTML page, not the file "
                                   "(a wrong URL, or a proxy's login page?)")
            if total is not None and total > limit:
                raise MirrorFailed(f"the server offers {total} bytes; this file cannot be more "
                                   f"than {limit}")
            progress, done = Progress(total, stream), 0
            # read(CHUNK) would wait for all CHUNK bytes; read1 returns whatever has arrived, so
            # a slow mirror shows progress and is measured. A byte a second never trips the per-read
            # timeout: we also require MIN_RATE over every window of RATE_WINDOW seconds.
            read = getattr(response, "read1", response.read)
            window_start, window_done = time.monotonic(), 0
            for chunk in iter(lambda: read(CHUNK), b""):
                done += len(chunk)
                if done > limit:
                    raise MirrorFailed(f"the server sent more than {limit} bytes; "
                                       "this file cannot be that big")
                try:
                    dest.write(chunk)
                except OSError as error:
                    raise WriteFailed(error) from None
                progress.update(done)
                elapsed = time.monotonic() - window_start
                if elapsed >= RATE_WINDOW:
                    got = done - window_done
                    if got < MIN_RATE * elapsed:
                        raise MirrorFailed(f"too slow: {human_size(got)} in {elapsed:.1f} s "
                                           f"({got / elapsed:.0f} bytes/s, at least {MIN_RATE} "
                                           "needed)")
                    window_start, window_done = window_start + elapsed, done
            if total is not None and done < total:
                raise MirrorFailed(f"the connection closed early ({done} of {total} bytes)")
    except urllib.error.HTTPError as error:
        error.close()                     # it holds the connection open
        raise MirrorFailed(describe(error, timeout)) from None
    except (OSError, http.client.HTTPException, ValueError) as error:  # URLError is an OSError
        raise MirrorFailed(describe(error, timeout)) from None
    finally:
        if progress:
            progress.close()


def describe(error, timeout):
    """A short reason for a network error, fit for one line."""
    reason = getattr(error, "reason", error)
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(reason, socket.timeout) or isinstance(error, socket.timeout):
        return f"no answer within {timeout} s (timed out)"
    if isinstance(error, http.client.IncompleteRead):
        return (f"the connection closed early ({len(error.partial)} bytes, {error.expected} more "
                "expected)")
    return str(reason) or type(reason).__name__


class Progress:
    """One progress line per download: redrawn in place ('\\r') on a terminal, a few plain lines in
    a log; and one at least every PROGRESS_EVERY seconds, so a slow mirror's first bytes show."""

    def __init__(self, total, stream):
        self.total, self.stream = total, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.shown = None if self.tty else 0      # in a log, skip the 0% line
        self.done = self.width = 0
        self.shown_at = time.monotonic()

    def text(self, done=None):
        done = self.done if done is None else done
        if not self.total:
            return f"  {human_size(done)}"
        return f"  {human_size(done)} of {human_size(self.total)} ({100 * done // self.total}%)"

    def update(self, done):
        self.done = done
        if self.total:   # a terminal redraws at every percent, a log prints every quarter
            step = 100 * done // self.total if self.tty else 4 * done // self.total
        else:            # size unknown: every megabyte on a terminal, every 10 MB in a log
            step = done // (1 << 20) if self.tty else done // (10 << 20)
        now = time.monotonic()
        if step != self.shown or now - self.shown_at >= PROGRESS_EVERY:
            # A log names the quarter just passed, not the byte count of whichever read passed it,
            # so that the same download always prints the same lines.
            quarter = not self.tty and self.total and step != self.shown
            self.shown, self.shown_at = step, now
            text = self.text(-(-self.total * step // 4) if quarter else None)   # rounded up
            self.width = max(self.width, len(text))    # pad, so a shorter text hides the longer one
            self.stream.write(("\r" + text.ljust(self.width)) if self.tty else (text + "\n"))
            self.stream.flush()

    def close(self):
        if self.tty and self.shown is not None:
            self.stream.write("\n")       # leave the last state on screen
        elif not self.tty and not self.total and self.done:
            self.stream.write(self.text() + "\n")
        self.stream.flush()


def human_size(n):
    if n < 1e3:
        return f"{n} B"
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


# ==================================================================================================
# Appendix: saving and loading a trained network
# ==================================================================================================
class ModelFileError(Exception):
    """A model file is missing, unreadable, or does not describe a valid network."""


def save_model(path, net):
    """Save the architecture and parameters with np.savez: arrays sizes, w0, b0, w1, b1, ...

    We write to a temporary file of our own beside `path` (a unique name, so two runs saving at
    once never write into the same file) and rename it at the end: an interrupted save never leaves
    a half-written model behind, and of two saves at once the last one wins, whole.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"sizes": np.array(net.sizes, dtype=np.int64)}
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{l}"] = w
        arrays[f"b{l}"] = b
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:   # a file object: np.savez then adds no ".npz" to the name
            np.savez(f, **arrays)
        os.chmod(tmp, 0o644)             # mkstemp makes it private; a model file needn't be
        os.replace(tmp, path)            # atomic on the same disk
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def load_model(path):
    """Load a network saved by save_model, or raise ModelFileError saying what is wrong with the
    file.

    A model file is only trusted as far as it has been checked. allow_pickle=False: it holds plain
    numbers only, so loading one can never run code. And before any array is read, the sizes it
    declares must make a network of at most MAX_PARAMETERS, and every array's header must declare
    exactly the shape those sizes give: a small file can claim any size, so a claim is never
    allocated unchecked.
    """
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder; give the model's file name, e.g. "
                             f"--model {path / 'model.npz'}")
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}; train one first: "
                             f"python 05_train_mnist.py --model {path}")

    def invalid_model_error(reason):
        return ModelFileError(f"{path} is not a model saved by this lesson ({reason}); delete it "
                              f"and train again: python 05_train_mnist.py --model {path}")

    try:
        # We open the file ourselves so that it is closed even when NumPy gives up on a damaged one.
        with open(path, "rb") as f:
            if not zipfile.is_zipfile(f):
                raise invalid_model_error("it is not an .npz archive: damaged, or another kind of "
                                          "file")
            f.seek(0)
            with np.load(f, allow_pickle=False) as data:
                sizes = read_sizes(data, invalid_model_error)
                check_headers(data, sizes, invalid_model_error)
                arrays = {name: data[name] for name in data.files}   # reading checks each CRC
    except OSError as error:
        raise ModelFileError(f"cannot read {path} ({error.strerror or error}); check its "
                             "permissions, or give another file with --model") from None
    except (ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise invalid_model_error(f"it cannot be read: {error}") from None
    net = Network(sizes, dtype=arrays["w0"].dtype)
    for l in range(len(sizes) - 1):
        W, b = arrays[f"w{l}"], arrays[f"b{l}"]
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise invalid_model_error(f"layer {l + 1} holds non-finite values (NaN or infinity)")
        net.weights[l], net.biases[l] = W, b
    return net


def read_sizes(data, invalid_model_error):
    """The layer sizes an open .npz declares, checked: whole numbers >= 1, and a network of at
    most MAX_PARAMETERS."""
    if "sizes" not in data.files or not 2 <= np.prod(header_of(data, "sizes")[0]) <= 100:
        raise invalid_model_error("no valid 'sizes' array")
    sizes = data["sizes"]
    if sizes.ndim != 1 or sizes.dtype.kind not in "iu" or np.any(sizes <= 0):
        raise invalid_model_error("no valid 'sizes' array")
    sizes = [int(n) for n in sizes]
    too_large = network_too_large(sizes)
    if too_large:
        raise invalid_model_error(too_large)
    return sizes


def check_headers(data, sizes, invalid_model_error):
    """Every array's header declares the shape `sizes` gives it, and a float type."""
    expected = {"sizes"} | {f"{kind}{l}" for l in range(len(sizes) - 1) for kind in "wb"}
    if set(data.files) != expected:
        raise invalid_model_error(f"it holds the arrays {sorted(data.files)}, "
                                  f"not {sorted(expected)}")
    for l in range(len(sizes) - 1):
        (W_shape, W_dtype), (b_shape, b_dtype) = header_of(data, f"w{l}"), header_of(data, f"b{l}")
        if W_shape != (sizes[l], sizes[l + 1]) or b_shape != (sizes[l + 1],):
            raise invalid_model_error(f"layer {l + 1} has weights {W_shape} and biases {b_shape}, "
                                      f"not fitting sizes {sizes}")
        if W_dtype.kind != "f" or b_dtype.kind != "f":
            raise invalid_model_error(f"layer {l + 1} holds {W_dtype} and {b_dtype}, "
                                      "not floating-point numbers")


def header_of(data, name):
    """(shape, dtype) of one array in an open .npz, read from its .npy header alone."""
    with data.zip.open(name + ".npy") as member:
        version = np.lib.format.read_magic(member)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"{name} has an .npy header of version {version}")
        shape, _, dtype = read_header(member)
    return shape, dtype


def network_too_large(sizes):
    """Why a network of these layer sizes is too large to make, or None."""
    n = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if n <= MAX_PARAMETERS:
        return None
    return (f"Network({list(sizes)}) would have {n:,} parameters, {n * 4 / 1e9:,.1f} GB as "
            f"float32; this lesson makes networks of at most {MAX_PARAMETERS:,} parameters")


# ==================================================================================================
# Appendix: your own digits. --predict reads image files, --draw a digit drawn with the mouse; both
# use the network saved by training, and need no MNIST.
# ==================================================================================================
def run_own_digits(args):
    """--predict and --draw need no MNIST, only the network saved by training. Returns the exit
    status."""
    import matplotlib
    if args.draw and matplotlib.get_backend().lower() in NON_INTERACTIVE_BACKENDS:
        print(f"error: --draw needs a display, but matplotlib is using the non-interactive backend "
              f"'{matplotlib.get_backend()}'; run it on a desktop (or set MPLBACKEND=TkAgg or "
              "QtAgg)", file=sys.stderr)
        return 1
    problem = None if args.no_plots or not args.predict else make_writable_folder(args.figures_dir,
                                                                             "--figures-dir")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    try:
        net = load_model(args.model)
    except ModelFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if net.sizes[0] != FIELD * FIELD or net.sizes[-1] != N_CLASSES:
        print(f"error: {args.model} holds a network of sizes {net.sizes}, which does not read "
              f"28 x 28 digits into 10 outputs; train one: python 05_train_mnist.py "
              f"--model {args.model}", file=sys.stderr)
        return 1
    status = 0
    if args.predict:
        plt = None if args.no_plots else open_pyplot(args.show)
        status = predict_images(net, args.predict, plt, args.figures_dir, args.show)
    if args.draw:
        import matplotlib.pyplot as plt
        if plt.get_backend().lower() in NON_INTERACTIVE_BACKENDS:
            # The backend asked for could not open a display, and matplotlib fell back to one
            # that draws only to files: the window would never appear.
            print(f"error: --draw needs a display, and none could be opened (matplotlib fell back "
                  f"to '{plt.get_backend()}'); run it on a desktop, where a window can open",
                  file=sys.stderr)
            return 1
        fig = plt.figure(figsize=(8, 4.5))
        pad = DrawPad(fig, lambda canvas: digit_outputs(net, preprocess_digit(canvas)))
        plt.show()     # waits until the window is closed; until then `pad` must live, because
        del pad        # matplotlib keeps only weak references to its event handlers
    return status


# The network only ever saw MNIST: white digits on black, 28 x 28, each digit scaled to fit a 20 x
# 20 box and then shifted so that its centre of mass sits at pixel (14, 14). A photo of a digit on
# paper is none of that, so before asking the network we redo, step by step, what the makers of
# MNIST did:
#     read -> grey levels in [0, 1] -> make the ink bright -> crop to the ink -> fit in 20 x 20
#          -> centre of mass to (14, 14) in a 28 x 28 field
# Skip a step and the network sees something unlike anything it was trained on, and guesses.
DIGIT_BOX = 20           # MNIST digits fit a 20 x 20 box (the longer side is exactly 20 pixels)...
FIELD = 28               # ...inside a 28 x 28 field...
CENTRE = 14.0            # ...with their centre of mass at row 14, column 14 (pixels 0..27)
INK_THRESHOLD = 0.2      # weaker ink than this (stretched to [0, 1]) is paper grain or shadow
MIN_CONTRAST = 0.1       # a picture whose ink barely differs from its paper counts as blank
WORKING_SIZE = 400       # big photos are averaged down to this many pixels on their longer side
MAX_PIXELS = 16_000_000  # about 4000 x 4000: a 12-megapixel phone photo fits
MIN_SIDE = 8             # pixels: a smaller picture cannot show the strokes of a digit
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)   # how bright the eye finds R, G and B


class ImageError(Exception):
    """An image we cannot use; the message names the problem and the fix."""


def too_large_error(what):
    """The ImageError for a picture with more than MAX_PIXELS pixels."""
    return ImageError(f"{what} is too large to read sensibly; shrink it below "
                      f"{MAX_PIXELS // 1_000_000} megapixels (the network only looks at 20 x 20 "
                      "anyway)")


def decode_image(path):
    """matplotlib.image.imread, with every way it can fail turned into one ImageError.

    Decoding is what needs the memory (a PNG comes back as float32 RGBA, 16 bytes a pixel), so a
    huge PNG is refused before: its first 24 bytes are an 8-byte signature, then the IHDR chunk's
    length, "IHDR", width and height (big-endian 32-bit). Other formats are measured after decoding,
    except enormous ones, which Pillow (matplotlib's decoder) flags as a "decompression bomb" before
    decoding.
    """
    import matplotlib.image
    path = Path(path)
    if path.is_dir():
        raise ImageError("this is a folder, not an image file; name the image files inside it")
    if not path.is_file():
        raise ImageError("no such file; check the path")
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError as error:
        raise ImageError(f"cannot read it ({error.strerror or error}); check its permissions"
                         ) from None
    if not head:
        raise ImageError("the file is empty; save the picture again")
    is_png = head[:8] == b"\x89PNG\r\n\x1a\n"
    if is_png and head[12:16] == b"IHDR" and len(head) == 24:
        width, height = struct.unpack(">II", head[16:24])
        if width * height > MAX_PIXELS:
            raise too_large_error(f"{width} x {height} pixels")
    try:
        with warnings.catch_warnings():
            # Pillow's "decompression bomb" warning becomes an error: refuse, don't decode
            warnings.filterwarnings("error", message=".*decompression bomb")
            # imread picks its reader from the file name; we trust the bytes (a ".png" may hold a
            # JPEG): "png" forces its PNG reader, any other format name hands the file to Pillow,
            # which detects it
            return matplotlib.image.imread(path, format="png" if is_png else "detect")
    except Exception as error:  # Pillow and matplotlib raise many types; all mean "cannot use it"
        if "DecompressionBomb" in type(error).__name__:
            raise too_large_error("the image") from None
        kind = image_kind(head)
        if kind:
            raise ImageError(f"it starts like a {kind} file but cannot be decoded: truncated or "
                             "damaged; save or copy it again") from None
        raise ImageError("not an image (it starts like no PNG, JPEG, GIF, BMP or TIFF file); "
                         "save it as PNG or JPEG") from None


def image_kind(head):
    """The image format the first bytes of a file announce, or None."""
    signatures = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF",
                  b"BM": "BMP", b"II*\x00": "TIFF", b"MM\x00*": "TIFF"}
    return next((kind for magic, kind in signatures.items() if head.startswith(magic)), None)


def read_image(path):
    """Read an image file as grey levels: float32 (H, W) in [0, 1], 0 = black, 1 = white.

    Colour becomes brightness with the usual luma weights (the eye finds green brightest, blue
    darkest). Transparency is painted onto white paper, alpha * colour + (1 - alpha) * 1: in a
    drawing program a transparent background means "paper".
    """
    image = decode_image(path)
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise too_large_error(f"{image.shape[1]} x {image.shape[0]} pixels")
    # JPEG and others arrive as 0..255; PNGs arrive as floats already (16-bit ones too, / 65535)
    if np.issubdtype(image.dtype, np.integer):
        image = image / np.iinfo(image.dtype).max
    image = image.astype(np.float32)
    if image.ndim == 3 and image.shape[2] in (2, 4):            # grey or RGB, plus alpha
        alpha = image[..., -1:]
        image = alpha * image[..., :-1] + (1 - alpha)           # (H, W, C) on white paper
    if image.ndim == 3:
        # (H, W, 3) @ (3,) -> (H, W)
        image = image @ LUMA if image.shape[2] == 3 else image[..., 0]
    return image


# --- Preparing a picture the way MNIST was made ---------------------------------------------------
def paper_brightness(gray):
    """The paper's brightness at every pixel, as a tilted plane p0 + p1 * row / H + p2 * column / W.

    The picture's border is taken to be paper. Phone photos are rarely lit evenly, and a plane
    fitted to the border by least squares follows the slope of a shadow, so the shadow is not taken
    for ink. The second fit leaves out border pixels far from the first plane: a stroke touching the
    border.
    """
    h, w = gray.shape
    on_border = np.zeros((h, w), dtype=bool)
    on_border[[0, -1], :] = on_border[:, [0, -1]] = True
    rows, cols = np.nonzero(on_border)
    values = gray[rows, cols]
    A = np.stack([np.ones(len(rows)), rows / h, cols / w], axis=1)   # (B, 3)
    p = np.linalg.lstsq(A, values, rcond=None)[0]                    # (3,)
    close = np.abs(A @ p - values) < 0.1
    if close.sum() >= len(values) // 2:
        p = np.linalg.lstsq(A[close], values[close], rcond=None)[0]
    r, c = np.arange(h)[:, None] / h, np.arange(w)[None, :] / w
    return (p[0] + p[1] * r + p[2] * c).astype(np.float32)           # (H, 1) + (1, W) -> (H, W)


def ink_from_gray(gray):
    """Brightness -> amount of ink: 0 on the paper, 1 in the strongest stroke (MNIST is white on
    black).

    Bright paper all around (border median above 0.5) means a dark digit, so the ink is how much
    darker than the paper each pixel is; on dark paper, how much brighter. Dividing by the strongest
    value makes a faint pencil stroke as bright as a marker.
    """
    paper = paper_brightness(gray)
    border = np.concatenate([gray[[0, -1], :].ravel(), gray[:, [0, -1]].ravel()])
    dark_on_light = np.median(border) > 0.5
    ink = np.clip(paper - gray if dark_on_light else gray - paper, 0, None)
    if ink.max() < MIN_CONTRAST:
        raise ImageError("no ink found, the picture is (nearly) one flat colour; "
                         "draw or photograph a dark digit on light paper (or light on dark)")
    return ink / ink.max()


def crop_to_ink(ink):
    """The smallest rectangle holding every pixel with at least INK_THRESHOLD ink.

    MNIST's digits were cropped to their own bounding box before scaling. Fainter ink is set to 0:
    paper grain and shadows must neither widen the box nor pull the centre of mass later.
    """
    strong = ink >= INK_THRESHOLD
    rows, cols = np.flatnonzero(strong.any(axis=1)), np.flatnonzero(strong.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]           # (h, w)
    return np.where(crop >= INK_THRESHOLD, crop, 0)


def area_weights(n_in, n_out):
    """(n_out, n_in) matrix: row i says how much of each input pixel falls inside output pixel i.

    Output pixel i covers the input interval [i s, (i + 1) s), s = n_in / n_out; input pixel j
    covers [j, j + 1). The weight is their overlap divided by s, so an output pixel is the *average*
    of the area it covers: every input pixel counts, and a thin stroke turns grey instead of
    vanishing between two samples. That is what makes shrinking anti-aliased, with soft edges like
    MNIST's.
    """
    edges = np.arange(n_out + 1) * (n_in / n_out)          # output pixel edges, in input pixels
    start, stop = edges[:-1, None], edges[1:, None]                  # (n_out, 1)
    j = np.arange(n_in)[None, :]                                     # (1, n_in)
    overlap = np.clip(np.minimum(stop, j + 1) - np.maximum(start, j), 0, None)   # (n_out, n_in)
    return (overlap / (n_in / n_out)).astype(np.float32)


def scale_longer_side(image, longest):
    """Area-averaging resize so that the longer side is `longest` pixels, keeping the shape: a "1"
    stays tall and thin, as in MNIST. (height, H) @ (H, W) @ (W, width) -> (height, width)."""
    h, w = image.shape
    s = longest / max(h, w)
    height, width = max(1, round(h * s)), max(1, round(w * s))
    return area_weights(h, height) @ image @ area_weights(w, width).T


def centre_of_mass(image):
    """(row, column) of the ink's centre of mass: each pixel's position weighted by its ink."""
    total = image.sum()
    return (image.sum(axis=1) @ np.arange(image.shape[0]) / total,
            image.sum(axis=0) @ np.arange(image.shape[1]) / total)


def paste_centred(digit):
    """Place the digit in a black 28 x 28 field so that its centre of mass lands on (14, 14).

    MNIST centred by mass, not by bounding box: a "7" has most of its ink at the top, so its box
    sits lower than a "0"'s. The shift is rounded to whole pixels and clamped to keep the digit in
    the field.
    """
    h, w = digit.shape
    row, col = centre_of_mass(digit)
    top = int(np.clip(round(CENTRE - row), 0, FIELD - h))
    left = int(np.clip(round(CENTRE - col), 0, FIELD - w))
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    field[top:top + h, left:left + w] = digit
    return field


def preprocess_digit(gray):
    """Grey picture (H, W) in [0, 1] -> (28, 28) float32 in [0, 1], prepared the way MNIST was
    made.

    Big photos are first averaged down to 400 pixels, which also averages away the camera's speckle
    noise (specks above the ink threshold would stretch the crop to the whole picture).
    """
    gray = np.asarray(gray, dtype=np.float32)
    if min(gray.shape) < MIN_SIDE:
        raise ImageError(f"{gray.shape[1]} x {gray.shape[0]} pixels is too small to hold a "
                         f"digit; use a picture at least {MIN_SIDE} x {MIN_SIDE} pixels")
    if max(gray.shape) > WORKING_SIZE:
        gray = scale_longer_side(gray, WORKING_SIZE)
    digit = scale_longer_side(crop_to_ink(ink_from_gray(gray)), DIGIT_BOX)   # (<= 20, <= 20)
    return np.clip(paste_centred(digit), 0, 1)


def digit_outputs(net, digit28):
    """The network's ten outputs for one prepared digit (28, 28) in [0, 1].

    The digit is first rounded to MNIST's 256 grey levels, then scaled exactly as in training.
    """
    X = to_inputs(np.round(digit28 * 255).astype(np.uint8)[None])   # (1, 28, 28) -> (1, 784)
    return net.forward(X)[0]                                         # (1, 10) -> (10,)


# --- Asking the network about image files ---------------------------------------------------------
def plot_own_digit(plt, original, digit28, outputs, title):
    """Three panels: the picture as read, the 28 x 28 the network saw, and its ten outputs."""
    fig, (ax_orig, ax_seen, ax_out) = plt.subplots(1, 3, figsize=(11, 3.4),
                                                   gridspec_kw={"width_ratios": [1, 1, 1.4]})
    ax_orig.imshow(original, cmap="gray", vmin=0, vmax=1)
    ax_orig.set_title(f"your picture ({original.shape[1]} x {original.shape[0]})")
    ax_seen.imshow(digit28, cmap="gray", vmin=0, vmax=1)
    ax_seen.set_title("what the network saw (28 x 28)")
    ax_orig.set_axis_off()
    ax_seen.set_axis_off()
    best = int(np.argmax(outputs))
    colours = ["tab:orange" if d == best else "tab:blue" for d in range(N_CLASSES)]
    ax_out.bar(range(N_CLASSES), outputs, color=colours)
    ax_out.set_xticks(range(N_CLASSES))
    ax_out.set_ylim(0, 1)
    ax_out.set_xlabel("digit")
    ax_out.set_title("network outputs")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def predict_images(net, paths, plt=None, figures_dir=None, show=False):
    """Read, prepare and classify each image; print its top three; save a figure when plt is given
    (with --show, each figure opens in a window as soon as it is saved, and the next image waits
    until it is closed).

    A bad file does not stop the others. Returns the exit status: 0 if every image could be used,
    else 1.
    """
    status, figure_names = 0, set()
    for path in paths:
        try:
            original = read_image(path)
            digit28 = preprocess_digit(original)
        except ImageError as error:
            print(f"error: {path}: {error}", file=sys.stderr)
            status = 1
            continue
        outputs = digit_outputs(net, digit28)                             # (10,)
        best = np.argsort(-outputs, kind="stable")[:3]
        print(f"{path}: {best[0]}    top three: "
              + ", ".join(f"{d} ({outputs[d]:.3f})" for d in best))
        if plt is not None:
            fig = plot_own_digit(plt, original, digit28, outputs,
                                 f"{Path(path).name}: the network says {best[0]}")
            name = figure_name(Path(path), figure_names)
            save_figures(plt, {name: fig}, figures_dir, show)
    return status


def figure_name(image_path, taken):
    """05_predict_<image name>.png, unique among `taken`: a.png and a.jpg, or a.png from two
    folders, each get a figure of their own."""
    def safe(text):
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)
    candidates = [safe(image_path.stem), safe(image_path.name)]
    candidates += [f"{candidates[-1]}_{n}" for n in range(2, len(taken) + 3)]
    name = next(f"05_predict_{c}.png" for c in candidates if f"05_predict_{c}.png" not in taken)
    taken.add(name)
    return name


# --- Drawing a digit with the mouse ---------------------------------------------------------------
BRUSH_SIGMA = 1.0   # pixels: with BRUSH_GAIN a stroke has a solid core about 2 pixels wide and grey
BRUSH_GAIN = 1.5    # edges, about as wide as MNIST's pen
BRUSH_STEP = 0.4    # stamp the brush every 0.4 pixels along a stroke, so fast strokes have no gaps


class DrawPad:
    """A 28 x 28 canvas to draw on with the mouse, with the network's ten outputs beside it, live.

    Pure matplotlib events, so any interactive backend works (and Agg, when tests send the events).
    `predict(canvas)` gets the (28, 28) drawing, white ink on black like MNIST, and returns ten
    outputs. The brush is soft, min(1, 1.5 exp(-d^2 / 2 sigma^2)) at distance d from the mouse: a
    solid core fading out over a pixel, like MNIST's strokes. Fast strokes arrive as points several
    pixels apart, so we stamp all along the line between them.
    """

    def __init__(self, fig, predict):
        from matplotlib.widgets import Button
        self.fig, self.predict = fig, predict
        self.canvas = np.zeros((FIELD, FIELD), dtype=np.float32)     # 0 = black paper
        self.last = None                                 # (x, y) while the button is down
        self.ax_draw = fig.add_axes([0.04, 0.16, 0.44, 0.78])
        self.ax_bars = fig.add_axes([0.56, 0.16, 0.40, 0.72])
        self.ax_clear = fig.add_axes([0.04, 0.03, 0.15, 0.08])
        self.image = self.ax_draw.imshow(self.canvas, cmap="gray", vmin=0, vmax=1)
        self.ax_draw.set_axis_off()
        self.ax_draw.set_title("draw a digit (hold the left button)")
        self.bars = self.ax_bars.bar(range(N_CLASSES), np.zeros(N_CLASSES))
        self.ax_bars.set_xticks(range(N_CLASSES))
        self.ax_bars.set_ylim(0, 1)
        self.clear_button = Button(self.ax_clear, "Clear")   # keep a reference or it stops working
        self.clear_button.on_clicked(lambda event: self.clear())
        for name, handler in [("button_press_event", self.on_press),
                              ("motion_notify_event", self.on_motion),
                              ("button_release_event", self.on_release)]:
            fig.canvas.mpl_connect(name, handler)
        self.refresh()

    def on_press(self, event):
        if event.inaxes is self.ax_draw and event.button == 1:
            self.last = (event.xdata, event.ydata)
            self.stroke(self.last, self.last)

    def on_motion(self, event):
        if self.last is not None and event.inaxes is self.ax_draw:
            here = (event.xdata, event.ydata)
            self.stroke(self.last, here)
            self.last = here

    def on_release(self, event):
        self.last = None

    def stroke(self, start, end):
        """Stamp the brush along the segment start -> end (data coordinates are pixel positions)."""
        (x0, y0), (x1, y1) = start, end
        t = np.linspace(0, 1, max(1, int(np.ceil(np.hypot(x1 - x0, y1 - y0) / BRUSH_STEP))) + 1)
        xs, ys = x0 + t * (x1 - x0), y0 + t * (y1 - y0)           # (S,) stamp centres
        grid = np.arange(FIELD)
        dy2 = (grid[None, :, None] - ys[:, None, None]) ** 2        # (S, 28, 1)
        dx2 = (grid[None, None, :] - xs[:, None, None]) ** 2        # (S, 1, 28)
        bumps = np.exp(-(dy2 + dx2) / (2 * BRUSH_SIGMA ** 2))     # (S, 28, 28)
        np.maximum(self.canvas, np.minimum(1, BRUSH_GAIN * bumps.max(axis=0)), out=self.canvas)
        self.refresh()

    def refresh(self):
        self.image.set_data(self.canvas)   # (asking the network takes well under a millisecond)
        drawn = self.canvas.max() >= MIN_CONTRAST
        try:
            outputs = np.ravel(self.predict(self.canvas)) if drawn else np.zeros(N_CLASSES)
        except ImageError:                  # e.g. the whole canvas painted over: no digit to find
            drawn, outputs = False, np.zeros(N_CLASSES)
        best = int(np.argmax(outputs))
        for d, (bar, value) in enumerate(zip(self.bars, outputs)):
            bar.set_height(value)
            bar.set_color("tab:orange" if drawn and d == best else "tab:blue")
        self.ax_bars.set_title(f"the network says {best}" if drawn else "network outputs")
        self.fig.canvas.draw_idle()

    def clear(self):
        self.canvas[:] = 0
        self.last = None
        self.refresh()


# ==================================================================================================
# Carried over from 01, 03, 04a and 04b, unchanged (tests/test_carry_forward.py keeps the copies
# identical): sigmoid, mse_loss and one_hot, the positive-number checks for the command line, the
# Network with backpropagation, and one gradient step.
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


def mse_loss(prediction, target):
    """L = the mean over every entry of (prediction - target)^2, for arrays of the same shape.

    The shapes must match exactly. Given a batch of 10 predictions shaped (10, 10) and the 10 labels
    shaped (10,) instead of their one-hot targets, NumPy would broadcast the labels across every row
    and return a number that looks fine and means nothing. We refuse instead.
    """
    raise NotImplementedError(
        "TODO mse_loss: L = mean of (prediction - target)^2 over all entries; unequal shapes: "
        "ValueError (one_hot)")


def one_hot(labels, n_classes, dtype=np.float64):
    """Labels (N,) -> targets (N, n_classes): row n is all zeros except a 1 in column labels[n]."""
    raise NotImplementedError(
        "TODO one_hot: labels (N,) -> (N, n_classes) zeros with targets[n, labels[n]] = 1; bad "
        "labels: ValueError")


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


# ==================================================================================================
# Appendix: this lesson's own flags, and its output folders checked before training
# ==================================================================================================
def parse_args(argv):
    """The shared flags of make_parser, and this lesson's: data, training settings, model, own
    digits."""
    here = Path(__file__).resolve().parent
    parser = make_parser(__doc__)
    parser.add_argument("--data-dir", type=user_path, default=here / "data",
                        help="folder for the MNIST files (default: data/ beside this script)")
    parser.add_argument("--mirror", action="append", metavar="URL",
                        help="base URL to download MNIST from; repeat to give several, tried in "
                             "order (default: $MNIST_MIRRORS, comma-separated, else three public "
                             "mirrors)")
    parser.add_argument("--download-only", action="store_true",
                        help="fetch and verify the data, print a summary and stop")
    parser.add_argument("--epochs", type=positive_int, default=EPOCHS,
                        help=f"passes over the training set (default: {EPOCHS})")
    parser.add_argument("--batch-size", type=positive_int, default=BATCH_SIZE,
                        help=f"images per gradient step (default: {BATCH_SIZE})")
    parser.add_argument("--lr", type=positive_float, default=LEARNING_RATE,
                        help=f"learning rate (default: {LEARNING_RATE:g})")
    parser.add_argument("--hidden", type=positive_int, nargs="+", default=list(HIDDEN),
                        metavar="SIZE",
                        help=f"hidden layer sizes, e.g. --hidden 300 100 "
                             f"(default: {' '.join(map(str, HIDDEN))})")
    parser.add_argument("--model", type=user_path, default=here / "data" / "model.npz",
                        help="where to save the trained network, and where --predict and --draw "
                             "load it (default: data/model.npz)")
    parser.add_argument("--train-limit", type=positive_int, metavar="N",
                        help="train on the first N training images only (quick experiments)")
    parser.add_argument("--predict", nargs="+", type=user_path, metavar="IMAGE",
                        help="read the digit in each image file with the trained --model and print "
                             "what the network says (needs no MNIST)")
    parser.add_argument("--draw", action="store_true",
                        help="draw digits with the mouse and watch the trained --model read them "
                             "(needs a display)")
    args = parser.parse_args(argv)
    too_large = network_too_large([FIELD * FIELD, *args.hidden, N_CLASSES])
    if too_large:
        parser.error(f"--hidden {' '.join(map(str, args.hidden))}: {too_large}; "
                     "choose smaller layers")
    return args


def user_path(text):
    """A path from the command line, ~ meaning the home folder. The shell expands ~ only at the
    start of a word: --data-dir=~/mnist arrives here as typed."""
    return Path(text).expanduser()


def prepare_output_folders(args):
    """Create the folders for the model and the figures and check that we can write there; return
    what is wrong, or None. Done before training, so that a typo in --model or --figures-dir costs
    a second, not a whole run."""
    if args.model.is_dir():
        return (f"--model {args.model} is a folder; give a file name, e.g. "
                f"--model {args.model / 'model.npz'}")
    folders = [(args.model.parent, "--model")]
    if not args.no_plots:
        folders.append((args.figures_dir, "--figures-dir"))
    problems = (make_writable_folder(folder, flag) for folder, flag in folders)
    return next(filter(None, problems), None)


def make_writable_folder(folder, flag):
    """Create `folder` if need be and check that we can write in it; return what is wrong, or
    None when all is well."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder; choose another folder with {flag}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return (f"cannot write to {folder}: {error.strerror or error}; choose another folder "
                f"with {flag}")
    return None


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
