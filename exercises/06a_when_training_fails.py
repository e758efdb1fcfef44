# Exercise: 06a_when_training_fails.py, its new functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 06a: when training fails. Look inside each layer, and read the cause from the numbers.

What this file teaches
    A network that still guesses after an epoch says nothing about why. Three numbers per layer of
    weights, measured on 1,000 validation images (layer_health), do:

        speed |dL/db|   the length of the layer's bias gradient: delta summed over the images, how
                        hard the loss pulls on the layer's neurons (Nielsen's speed of learning)
        saturated       the share of the layer's units whose slope is below 0.01: a sigmoid with
                        |z| > 4.6, a ReLU that is off (slope 0); little gradient gets through them
        step / weight   |rate dL/dW| / |W|: how much one step changes the layer's weights; about
                        1e-3 in a run under way (CS231n's rule of thumb)

    Backpropagation multiplies delta by (W^l)^T and by the slope at every layer it passes, so these
    numbers change from layer to layer in a way the maths predicts. Four failures on MNIST, each
    from a fixed seed on 10,000 training images, show it; diagnose reads a run's history and
    names the cause:

        vanishing     a deep sigmoid stack: σ' <= 1/4 at every layer, so the first layer learns
                      hundreds of times more slowly than the last
        exploding     ReLU hidden layers whose weights start at N(0, 1): each layer multiplies the
                      signal by about sqrt(n / 2), forward and backward
        saturated     a step far too large throws every output sigmoid to 0 or 1, where σ' ~ 0
        tiny-steps    a step so small that an epoch changes almost nothing

What is new since 05
    1. layer_health and its table, print_layer_table; watch_training keeps them epoch by epoch.
    2. diagnose: the cause of a failed run, read from its numbers.
    3. ReLU hidden layers (relu, ReluNetwork), whose slope is 0 or 1.
    4. The four failures as setups (vanishing_setup, exploding_setup, saturated_setup,
       tiny_steps_setup), each returning the network it trains; lesson 06b cures them.
    It takes train_epoch, new_network and the rest of the training run from lesson 05, the Network
    from 04b and the sigmoid from 01.

Run
    python 06a_when_training_fails.py                      the four failures (MNIST in data/)
    python 06a_when_training_fails.py --part vanishing     one of them
    python 06a_when_training_fails.py --lr 1000 --train-limit 10000   look inside a run of 05
"""
import pathlib, sys  # noqa: E401  (an exercise sits in a folder inside the course)
sys.path[:0] = [str(folder) for folder in pathlib.Path(__file__).resolve().parents
                if (folder / 'support' / 'lessons.py').is_file()][:1]
import sys

try:                    # support/ is the course's machinery, beside the lessons or on PYTHONPATH
    import support.threads  # noqa: F401  (importing it asks for one BLAS thread, before NumPy)
except ModuleNotFoundError:
    sys.exit("error: support/ not found: to run a lesson outside the course folder, set "
             "PYTHONPATH to the course folder (README: Quick start)")

import numpy as np

from support.arguments import make_parser
from support.figures import open_pyplot, save_figures
from support.lessons import from_lesson
from support.lifecycle import Fatal, on_stop, one_line_errors, run
from support.mnist import N_CLASSES, download_missing_and_load
from support.mnist_figures import plot_learning_speed
from support.preflight import figures_dir_problem

sigmoid = from_lesson("01_single_neuron", "sigmoid")
one_hot = from_lesson("03_loss_function", "one_hot")
Network = from_lesson("04b_backprop_network", "Network")
(train_epoch, to_inputs, Diverged, evaluate, new_network, layer_rates, split_validation,
 add_training_flags, network_sizes, CHANCE_LEVEL, LEARNING_RATE, BATCH_SIZE, HIDDEN,
 NETWORK_DTYPE) = from_lesson(
    "05_train_mnist", "train_epoch", "to_inputs", "Diverged", "evaluate", "new_network",
    "layer_rates", "split_validation", "add_training_flags", "network_sizes", "CHANCE_LEVEL",
    "LEARNING_RATE", "BATCH_SIZE", "HIDDEN", "NETWORK_DTYPE")

PROBE_SIZE = 1000      # validation images on which we look inside the network
SATURATED = 0.01       # a unit whose slope is below this barely passes gradient: a sigmoid with
                       # a (1 - a) < 0.01 (|z| > 4.6), a ReLU that is off
TINY_STEP = 1e-4       # a step that changes the weights by less than this fraction changes nothing
STEP_AT_START = 1e-2   # step / weight of the output layer that a rate is chosen to give at the
                       # start; a run under way ends nearer 1e-3 as its gradient shrinks
VANISHING = 30         # the first layer this many times slower than the last: vanishing gradients
                       # (networks of one or two hidden layers still guessing after an epoch
                       # measured a few times to about 15; four hidden layers, hundreds)
EXPLODING = 30         # the first layer this many times faster than the last before training
MIN_STEPS = 100        # fewer gradient steps than this are too few to judge whether learning works
MIN_IMAGES = 100       # fewer training images than this cannot teach ten digits
PART_IMAGES = 10_000   # each failure trains on the first 10,000 training images


# ==================================================================================================
# Looking inside: how fast each layer learns, how many of its units pass gradient, how big a step is
# ==================================================================================================
def layer_health(net, X, Y, rates, batch_size):
    """Per layer of weights, input side first, on the probe (X, Y): (speed, saturated, step_ratio).

    speed       |dL/db|, the length of the bias gradient of the whole probe: delta^l summed over
                its images (04b), how hard the loss pulls on the layer's neurons. Backpropagation
                multiplies delta by (W^l)^T and by the slope at every layer it passes, so in a
                deep sigmoid network (σ' <= 1/4) the layers near the input learn more slowly
    saturated   the share, over the probe's images and the layer's units, of slopes below
                SATURATED (unit_slopes): little gradient gets through such a unit
    step_ratio  |rate · dL/dW| / |W|: how much one step of training changes the layer's weights,
                relative to their size, for a mini-batch of batch_size images; the median over the
                probe's whole mini-batches (the probe itself if it is smaller than one). About
                1e-3 in a run under way; far below it (TINY_STEP), a run barely moves
    """
    raise NotImplementedError(
        "TODO layer_health: per layer of weights, (speed |dL/db|, share of slopes below "
        "SATURATED, step / weight) on the probe; stuck? python tools/hint.py layer_health")


def unit_slopes(net, activations):
    """The slope of every unit on every image, per layer of weights: net.slope(a) for a hidden
    layer (a (1 - a) for a sigmoid, 0 or 1 for a ReLU), and for the output layer the factor that
    its delta^L carries: a (1 - a) for sigmoid outputs under MSE (04b's output_delta), and 1 for a
    softmax under cross-entropy (net.output_kind "softmax", lesson 06b), whose delta^L = p - y has
    no slope factor at all: its outputs never saturate in this sense."""
    *hidden, output = activations[1:]
    if getattr(net, "output_kind", "sigmoid") == "softmax":
        output_slope = np.ones_like(output)
    else:
        output_slope = output * (1 - output)
    return [net.slope(a) for a in hidden] + [output_slope]


def print_layer_table(layers, when):
    """One table: a row per layer of weights, (speed, saturated, step_ratio) as layer_health
    measures them; `when` names the moment ("before training", "after epoch 1")."""
    print(f"  inside the network {when}, on {PROBE_SIZE:,} validation images:")
    print("    layer  speed |dL/db|  saturated  step / weight")
    for l, (speed, saturated, step) in enumerate(layers, start=1):
        print(f"    {l:5d}  {speed:13.2e}  {saturated:9.1%}  {step:13.1e}")


# ==================================================================================================
# Saying why, from the numbers
# ==================================================================================================
def diagnose(history, n_train, lr):
    """The cause of a run's outcome, read from its history (watch_training's): (cause, one line).

    The causes, tried in this order; the run's learning rate lr and its number of training
    images n_train go into the advice:
        "exploding"       the loss overflowed (the last record has diverged=True)
        "learning"        the last validation accuracy is above CHANCE_LEVEL: no failure
        "too-few-images"  fewer than MIN_IMAGES training images: no run learns ten digits
        "too-few-steps"   fewer than MIN_STEPS gradient steps in all
        "exploding"       before training, the first layer's |dL/db| was EXPLODING times the last's
        "saturated"       over 90% of the output sigmoids saturated after the last epoch: σ' ~ 0
        "tiny-steps"      a step changes the output weights by less than TINY_STEP of their size
        "vanishing"       two or more hidden layers, the first learning VANISHING times more
                          slowly than the last
        "too-few-steps"   none of the measured causes applies: more steps are the next thing
                          to try
    """
    record, start = history[-1], history[0]["layers"]
    if record.get("diverged"):
        return "exploding", (f"{record['why']} (learning rate {lr:g}): the steps were so large "
                             f"that the weights overflowed; try {advice_smaller_rate(lr)}")
    summary = (f"validation accuracy {record['val_accuracy']:.2%} after epoch {record['epoch']}, "
               "where guessing gives 10%")
    if record["val_accuracy"] > CHANCE_LEVEL:
        return "learning", f"{summary}: it learns"
    if n_train < MIN_IMAGES:
        return "too-few-images", (f"{summary}: {n_train} training image{'s' * (n_train != 1)} "
                                  f"cannot teach {N_CLASSES} digits; train on more, e.g. "
                                  "--train-limit 5000")
    if record["steps"] < MIN_STEPS:
        return "too-few-steps", (f"{summary}: only {record['steps']} gradient "
                                 f"step{'s' * (record['steps'] != 1)} in all; take more: a "
                                 f"smaller --batch-size (05's is {BATCH_SIZE}) or more --epochs")
    return why_still_guessing(record, start, summary, lr)


def why_still_guessing(record, start, summary, lr):
    """diagnose's verdict for a run at chance with enough images and steps: gradients that grew
    toward the input at the start, its output layer saturated, its steps tiny, its first layer far
    slower than its last, or too few steps."""
    (speed, saturated, step), first_speed = record["layers"][-1], record["layers"][0][0]
    if start[0][0] > EXPLODING * start[-1][0]:
        return "exploding", (
            f"{summary}: before training the first layer's |dL/db| was "
            f"{start[0][0] / start[-1][0]:.0f} times the last's ({start[0][0]:.1e} against "
            f"{start[-1][0]:.1e}): each layer multiplies the signal, forward and back, and "
            f"{saturated:.0%} of the output sigmoids are saturated now; start with smaller "
            "weights, variance 1/n_in (lesson 02) or 2/n_in for ReLU (lesson 06b)")
    if saturated > 0.9:
        return "saturated", (
            f"{summary}: {saturated:.0%} of the output sigmoids are saturated (slope below "
            f"{SATURATED}), so the output layer's |dL/db| is only {speed:.1e} and the first "
            f"layer's {first_speed:.1e}; before training one step would have changed the output "
            f"weights by {start[-1][2]:.2g} times their size: try {advice_smaller_rate(lr)}")
    if step < TINY_STEP:
        return "tiny-steps", (
            f"{summary}: one step changes the output weights by only {step:.3g} of their size; "
            f"{advice_larger_rate(lr, step)}")
    if len(record["layers"]) >= 3 and speed > VANISHING * first_speed:
        slower = (f"learns {speed / first_speed:.0f} times more slowly than the last"
                  if first_speed > 0 else "gets no gradient at all, the last does")
        return "vanishing", (
            f"{summary}: the first layer {slower} (|dL/db| {first_speed:.1e} against "
            f"{speed:.1e}); give it more steps (--epochs), fewer hidden layers, or ReLU "
            "(lesson 06b)")
    return "too-few-steps", (f"{summary}: none of the measured causes applies (the steps are "
                             f"not tiny, {step:.0e} of the output weights, and the layers learn "
                             f"at similar speeds) after {record['steps']:,} steps at learning "
                             f"rate {lr:g}; give it more --epochs or more images")


def advice_smaller_rate(lr):
    if lr > LEARNING_RATE:
        return f"05's learning rate, --lr {LEARNING_RATE:g}, which trains any width"
    return f"a smaller learning rate, e.g. --lr {lr / 10:g}"


def advice_larger_rate(lr, step):
    """The rate whose steps would change the output weights by STEP_AT_START (rate_for_step),
    as advice: where a run starts; one under way ends nearer 1e-3."""
    rate = rate_for_step(lr, step, STEP_AT_START)
    return (f"a step of {STEP_AT_START:.0e}, where a run starts (one under way ends near 1e-3), "
            f"needs learning rate {lr:g} x {STEP_AT_START:.0e} / {step:.3g} = {rate:.3g}: "
            f"try --lr {rate:.3g}")


def rate_for_step(lr, step_ratio, target):
    """The learning rate whose step changes the weights by `target` of their size, from a rate lr
    whose step changed them by step_ratio: a step is lr · g, so step / weight grows in proportion
    to lr, and lr · target / step_ratio gives target."""
    return lr * target / step_ratio


# ==================================================================================================
# ReLU hidden layers: a slope of 0 or 1
# ==================================================================================================
def relu(z):
    """max(z, 0), entry by entry, in z's float type."""
    return np.maximum(z, 0)


class ReluNetwork(Network):
    """Lesson 04b's Network with ReLU hidden layers: a^l = relu(a^(l-1) W^l + b^l) for every hidden
    layer, and 04b's sigmoid on the output, so that 04b's output_delta (MSE on sigmoid outputs)
    and backward_from hold as they are. The weights start as lesson 02's, variance 1/n_in, unless
    a setup redraws them (start_weights)."""

    hidden_kind = "relu"                                 # what a model file records

    def forward_all(self, X):
        """[a^0 = X, a^1, ..., a^L]: ReLU on the hidden layers, the sigmoid on the output."""
        activations = [np.asarray(X)]
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            z = activations[-1] @ W + b                              # (N, n_in) @ (n_in, n_out)
            activations.append(sigmoid(z) if l == len(self.weights) else relu(z))
        return activations

    def forward(self, X):
        """The output a^L, (N, n_out), of forward_all."""
        return self.forward_all(X)[-1]

    def slope(self, a):
        """relu'(z) from a hidden layer's output a = relu(z): 1 where the unit is on (a > 0), else
        0, in a's float type. A unit that is off passes no gradient back. At z = 0 exactly the
        derivative is undefined; we take 0 there, as (a > 0) does."""
        raise NotImplementedError(
            "TODO ReluNetwork.slope: relu'(z) of a hidden ReLU, computed from its output a = "
            "relu(z) alone, in a's float type; stuck? python tools/hint.py ReluNetwork.slope")


def start_weights(net, std, seed):
    """Draw every weight of net again from N(0, std^2) (seed: the same weights every time), in
    the weights' float type; the biases stay."""
    rng = np.random.default_rng(seed)
    for W in net.weights:
        W[:] = rng.normal(0.0, std, size=W.shape)


# ==================================================================================================
# A training run, watched layer by layer
# ==================================================================================================
def watch_training(net, train_set, validation_set, epochs, batch_size, rates, seed,
                   on_epoch=None):
    """Train like lesson 05 (its train_epoch, rng = default_rng(seed)) and look inside each epoch.

    Returns the history: a record (dict) before training, epoch 0, and one per epoch, each with
        epoch, val_accuracy (None at epoch 0), steps (gradient steps so far), layers
        (layer_health on the probe, the first PROBE_SIZE validation images), and after epoch 0
        train_loss and train_accuracy (train_epoch's).
    A loss that overflows ends the history with a record {epoch, diverged: True, why: the
    message, steps, val_accuracy: None, layers: None}, and training stops there: nothing is
    raised. on_epoch(record, epochs), if given, is called with each record as it is made.
    """
    x_train, y_train = train_set
    X, Y = probe(validation_set)
    rng, steps_per_epoch = np.random.default_rng(seed), -(-len(x_train) // batch_size)
    history = [dict(epoch=0, val_accuracy=None, steps=0,
                    layers=layer_health(net, X, Y, rates, batch_size))]
    report = on_epoch or (lambda record, epochs: None)
    report(history[0], epochs)
    for epoch in range(1, epochs + 1):
        try:
            train_loss, train_accuracy = train_epoch(net, x_train, y_train, batch_size, rates, rng)
        except Diverged as diverged:
            history.append(dict(epoch=epoch, diverged=True, why=str(diverged), val_accuracy=None,
                                layers=None, steps=(epoch - 1) * steps_per_epoch))
            report(history[-1], epochs)
            break
        history.append(dict(epoch=epoch, train_loss=train_loss, train_accuracy=train_accuracy,
                            val_accuracy=evaluate(net, *validation_set)[0],
                            steps=epoch * steps_per_epoch,
                            layers=layer_health(net, X, Y, rates, batch_size)))
        report(history[-1], epochs)
    return history


def probe(validation_set):
    """The probe every look inside is taken on: the first PROBE_SIZE validation images as inputs
    X (PROBE_SIZE, 784) and their one-hot targets Y (PROBE_SIZE, 10)."""
    images, labels = validation_set
    return (to_inputs(images[:PROBE_SIZE]),
            one_hot(labels[:PROBE_SIZE], N_CLASSES, dtype=NETWORK_DTYPE))


def print_record(record, epochs):
    """An epoch's line, and the layers' table before training, after epoch 1 and the last."""
    epoch = record["epoch"]
    if record.get("diverged"):
        print(f"epoch {epoch:2d}/{epochs}  diverged: {record['why']}")
        return
    if epoch > 0:
        print(f"epoch {epoch:2d}/{epochs}  train loss {record['train_loss']:.5f}  train acc "
              f"{record['train_accuracy']:7.2%}  val acc {record['val_accuracy']:7.2%}")
    if epoch in (0, 1, epochs):
        print_layer_table(record["layers"], "before training" if epoch == 0 else
                          f"after epoch {epoch}")


# ==================================================================================================
# Four failures, each reproduced from a seed
# ==================================================================================================
# Each setup returns (net, rates, settings): the network, its layers' learning rates (05's
# layer_rates), and dict(title, epochs, batch_size, train_limit, lr). Lesson 06b runs the same
# setups with the same seed, then its cure beside them.
def vanishing_setup(seed):
    """Four hidden layers of 30 sigmoids: σ' <= 1/4 at every layer the gradient passes."""
    net = new_network(network_sizes([30, 30, 30, 30]), seed)
    return net, layer_rates(net, LEARNING_RATE), part_settings(
        "vanishing gradients: four hidden layers of sigmoids", signal=True)


def exploding_setup(seed, start_std=1.0):
    """Four hidden ReLU layers of 100 whose weights all start at N(0, start_std^2): with std 1 each
    layer multiplies the signal by about sqrt(100 / 2) = 7, forward and backward."""
    net = new_network(network_sizes([100, 100, 100, 100]), seed, network=ReluNetwork)
    start_weights(net, start_std, seed)
    return net, layer_rates(net, LEARNING_RATE), part_settings(
        f"exploding gradients: four hidden ReLU layers, weights from N(0, {start_std:g}^2)",
        signal=True)


def saturated_setup(seed):
    """05's network at learning rate 1000: the first steps throw the outputs to 0 or 1."""
    net = new_network(network_sizes(HIDDEN), seed)
    return net, layer_rates(net, 1000.0), part_settings(
        "saturated outputs: a step far too large", lr=1000.0)


def tiny_steps_setup(seed):
    """05's network at learning rate 1e-4: each step moves the weights by about a millionth."""
    net = new_network(network_sizes(HIDDEN), seed)
    return net, layer_rates(net, 1e-4), part_settings("tiny steps: a step far too small", lr=1e-4)


def part_settings(title, lr=LEARNING_RATE, signal=False):
    """A failure's settings: one epoch of PART_IMAGES images at lr; signal: print how the signal
    grows or shrinks from layer to layer before training (print_signal_sizes)."""
    return dict(title=title, epochs=1, batch_size=BATCH_SIZE, train_limit=PART_IMAGES, lr=lr,
                signal=signal)


PARTS = {"vanishing": vanishing_setup, "exploding": exploding_setup,
         "saturated": saturated_setup, "tiny-steps": tiny_steps_setup}


@one_line_errors       # a Fatal error below is one line on stderr and exit status 1
def main(argv=None):
    """Runs the failures asked for, or looks inside the run the training flags describe; returns
    the exit status: 0 once the verdicts are printed, 1 when the data or the figures fail."""
    args = parse_flags(argv)
    problem = None if args.no_plots else figures_dir_problem(args.figures_dir)
    if problem:                                   # said before training, not after it
        raise Fatal(problem)
    plt = None if args.no_plots else open_pyplot(args.show)
    with on_stop("nothing half-downloaded was kept"):
        (x_train, y_train), _ = download_missing_and_load(args.data_dir, args.mirror)
    figures = {}
    with on_stop("no figures were saved", signals=False):
        for name, (net, rates, settings) in runs_asked(args):
            history = run_and_diagnose(net, rates, settings, x_train, y_train, args.seed)
            if plt is not None:
                figures[f"06a_{name}.png"] = plot_learning_speed(plt, history, settings["title"])
    if plt is not None:
        save_figures(plt, figures, args.figures_dir, args.show)
    return 0


def runs_asked(args):
    """[(name, (net, rates, settings))]: the run of the training flags, else the failures asked
    for (--part, or all four)."""
    if args.look_inside:
        net = new_network(args.sizes, args.seed)
        return [("learning_speed", (net, layer_rates(net, args.lr), dict(
            title="looking inside the run", epochs=args.epochs,
            batch_size=args.batch_size, train_limit=args.train_limit, lr=args.lr)))]
    names = [args.part] if args.part else list(PARTS)
    return [(name.replace("-", "_"), PARTS[name](args.seed)) for name in names]


def run_and_diagnose(net, rates, settings, images, labels, seed):
    """Train one setup, printing what it is, its epochs and tables, and the verdict."""
    train_set, validation_set = split_validation(images, labels, settings["train_limit"])
    n_train, epochs = len(train_set[0]), settings["epochs"]
    print(f"{settings['title']}")
    print(f"  Network({net.sizes}), {epochs} epoch{'s' * (epochs != 1)} of {n_train:,} training "
          f"image{'s' * (n_train != 1)}, batch size {settings['batch_size']}, learning rate "
          f"{settings['lr']:g} (per layer: {', '.join(f'{rate:g}' for rate in rates)})")
    if settings.get("signal"):
        print_signal_sizes(net, validation_set, rates, settings["batch_size"])
    history = watch_training(net, train_set, validation_set, epochs, settings["batch_size"],
                             rates, seed, on_epoch=print_record)
    cause, text = diagnose(history, n_train, settings["lr"])
    print(f"verdict: {cause}: {text}")
    print()
    return history


def print_signal_sizes(net, validation_set, rates, batch_size):
    """Before training, how the signal grows or shrinks from layer to layer: mean |a| forward,
    |dL/db| backward, each as a factor on the layer before it in its direction."""
    X, Y = probe(validation_set)
    sizes = [float(np.mean(X))] + mean_activations(net, X)
    speeds = [speed for speed, _, _ in layer_health(net, X, Y, rates, batch_size)]
    print(f"  the signal before training, on {PROBE_SIZE:,} validation images (growth: the factor "
          "on the layer before it, forward for a, backward for dL/db):")
    print("    layer  mean |a|  growth  speed |dL/db|  growth")
    for l in range(1, len(sizes)):
        back = f"{speeds[l - 1] / speeds[l]:8.2f}" if l < len(speeds) and speeds[l] else ""
        print(f"    {l:5d}  {sizes[l]:8.2e}  {sizes[l] / sizes[l - 1]:6.2f}  "
              f"{speeds[l - 1]:13.2e}{back}")


def mean_activations(net, X):
    """The mean |a^l| over the images and units of each layer l = 1 .. L, input side first."""
    with np.errstate(over="ignore", invalid="ignore"):
        return [float(np.mean(np.abs(a))) for a in net.forward_all(X)[1:]]


# ==================================================================================================
# The command line
# ==================================================================================================
TRAINING_FLAGS = ("epochs", "batch_size", "lr", "hidden", "train_limit")


def parse_flags(argv):
    """make_parser's shared flags, lesson 05's data and training flags, and --part. A training flag
    given means: look inside that run (args.look_inside), with 05's defaults for the rest."""
    parser = make_parser(__doc__, __file__)
    add = add_training_flags(parser)
    add("--part", choices=list(PARTS),
        help="run one failure only (default: all four, each on 10,000 training images)")
    defaults = {name: parser.get_default(name) for name in TRAINING_FLAGS}     # 05's
    parser.set_defaults(**{name: None for name in TRAINING_FLAGS})
    args = parser.parse_args(argv)
    args.look_inside = any(getattr(args, name) is not None for name in TRAINING_FLAGS)
    if args.look_inside and args.part:
        parser.error("--part runs a failure of its own; give either --part or the training "
                     "flags (--hidden, --lr, --epochs, --batch-size, --train-limit)")
    for name, default in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    args.sizes = network_sizes(args.hidden, parser)
    return args


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
