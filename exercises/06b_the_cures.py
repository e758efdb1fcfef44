# Exercise: 06b_the_cures.py, its new functions left to you (each raises a TODO).
# Written from the lesson by tools/make_exercises.py; see README: Do it yourself.
"""
Lesson 06b: the cures. Each failure of lesson 06a, cured, and measured on the same numbers.

What this file teaches
    Lesson 06a made training fail four ways and read each cause from every layer's numbers: how fast
    it learns (|dL/db|), how many of its units are saturated, how big a step is next to its weights.
    Here each failure is run again from the same seed, then cured, and the two tables are printed
    side by side:

    - Saturated outputs (a stall under the MSE loss): softmax with cross-entropy at the output,
      continuing from the stalled weights. Its delta is delta^L = (softmax(z^L) - Y) / N: the
      softmax's slope p_k (δ_ki - p_i) cancels the log's 1 / p_k, so no slope factor is left,
      unlike the σ'(z^L) of sigmoid + MSE that froze the saturated outputs
      (SoftmaxNetwork.output_delta derives it).
    - Vanishing gradients (a deep sigmoid stack) and exploding ones (a ReLU stack started with
      weights too large, N(0, 1)): ReLU hidden layers, whose slope is 1 wherever a unit is on,
      started with He's variance Var(W) = 2 / n_in, which keeps Var(z) the same at every depth
      (he_start derives it).
    - Steps too small to move the weights: a learning rate read from the step / weight
      measurement (06a's rate_for_step). It is a setting of the run, not of the network.
    - Momentum, v <- mu v - lr g, W <- W + v, cures none of 06a's failures: it speeds up a run
      that already learns, by adding up the steps that agree along a long, shallow valley
      (momentum_step derives it).

    A closing table trains lesson 05's network (width 100, batch 16, 10 epochs, seed 0) five ways,
    with no cure, each cure alone, and all three (softmax + cross-entropy, ReLU + He, momentum:
    CuredNetwork and train_with_momentum), and a network with all three, 256 wide, passes 98% on
    the test images.

What is new since 06a, the most important first
    1. softmax, cross_entropy and SoftmaxNetwork: softmax outputs trained on cross-entropy.
    2. he_start: ReLU layers started with variance 2 / n_in (relu and ReluNetwork are 06a's).
    3. momentum_step and momentum_epoch: heavy-ball momentum.
    4. A learning rate chosen from the step / weight measurement (06a's rate_for_step).
    5. CuredNetwork, the three together, and a model file that records its activations.
    From 06a it takes relu, ReluNetwork, the failure setups, watch_training, layer_health,
    rate_for_step and the table; from 05 the data split, to_inputs and evaluate; from 04b the
    Network.

What it leaves out
    Adam and other adaptive steps, weight decay and dropout, batch normalisation, convolutions:
    each is a better cure for some run, and none is needed to pass 98% on MNIST.

Run
    python 06b_the_cures.py                          every part, then the 98% network (about 35 s)
    python 06b_the_cures.py --part softmax           one part: softmax, relu, momentum,
                                                     tiny-steps, compare or combined
    python 06b_the_cures.py --part combined --seed 1
    python 05_train_mnist.py --predict my_digit.png --model data/model_06b.npz
"""
import pathlib, sys  # noqa: E401  (an exercise sits in a folder inside the course)
sys.path[:0] = [str(folder) for folder in pathlib.Path(__file__).resolve().parents
                if (folder / 'support' / 'lessons.py').is_file()][:1]
import sys
import time
from pathlib import Path

try:                    # support/ is the course's machinery, beside the lessons or on PYTHONPATH
    import support.threads  # noqa: F401  (importing it asks for one BLAS thread, before NumPy)
except ModuleNotFoundError:
    sys.exit("error: support/ not found: to run a lesson outside the course folder, set "
             "PYTHONPATH to the course folder (README: Quick start)")

import numpy as np

from support.arguments import make_parser, user_path
from support.columns import print_side_by_side
from support.lessons import from_lesson
from support.lifecycle import Fatal, on_stop, one_line_errors, run
from support.mnist import N_CLASSES, download_missing_and_load
from support.model_file import load_model, save_model_and_say
from support.own_digits import read_own_digits

sigmoid = from_lesson("01_single_neuron", "sigmoid")
one_hot = from_lesson("03_loss_function", "one_hot")
Network = from_lesson("04b_backprop_network", "Network")
(evaluate, layer_rates, network_sizes, new_network, split_validation, to_inputs, NETWORK_DTYPE,
 HIDDEN, BATCH_SIZE, EPOCHS, LEARNING_RATE) = from_lesson(
    "05_train_mnist", "evaluate", "layer_rates", "network_sizes", "new_network",
    "split_validation", "to_inputs", "NETWORK_DTYPE", "HIDDEN", "BATCH_SIZE", "EPOCHS",
    "LEARNING_RATE")
(relu, ReluNetwork, layer_health, print_layer_table, watch_training, probe, vanishing_setup,
 exploding_setup, saturated_setup, tiny_steps_setup, rate_for_step, PROBE_SIZE,
 STEP_AT_START) = from_lesson(
    "06a_when_training_fails", "relu", "ReluNetwork", "layer_health", "print_layer_table",
    "watch_training", "probe", "vanishing_setup", "exploding_setup", "saturated_setup",
    "tiny_steps_setup", "rate_for_step", "PROBE_SIZE", "STEP_AT_START")

# The 98% network. Every setting chosen on the validation images (the test images are read once,
# at the end): one hidden layer of 256 ReLUs, softmax + cross-entropy, momentum; the last
# DECAY_EPOCHS epochs at a tenth of the rate, to settle into the valley it has found.
CURED_HIDDEN = (256,)
CURED_EPOCHS = 15
DECAY_EPOCHS = 5
CURED_BATCH_SIZE = 64
CURED_LR = 0.1
MOMENTUM = 0.9
# The comparison: lesson 05's network (HIDDEN, BATCH_SIZE, EPOCHS: 100 wide, batch 16, 10 epochs),
# with no cure, each cure alone and all three; each learning rate chosen on the validation images.
COMPARE_RUNS = [            # (name, hidden activation, output, learning rate, momentum)
    ("05: sigmoid + MSE", "sigmoid", "sigmoid", LEARNING_RATE, 0.0),
    ("softmax + CE", "sigmoid", "softmax", 0.3, 0.0),
    ("ReLU + He", "relu", "sigmoid", 3.0, 0.0),
    ("momentum 0.9", "sigmoid", "sigmoid", 3.0, 0.9),
    ("all three", "relu", "softmax", 0.01, 0.9),
]
TARGET = 0.97               # the validation accuracy each run is timed to
SATURATED_CURE_LR = 0.3     # softmax + CE on the run that saturated under MSE
RELU_LR = 3.0               # ReLU + He, in the deep stacks as in the comparison
CURES = ("softmax", "relu", "momentum", "tiny-steps", "compare", "combined")   # the parts


# ==================================================================================================
# Cure 1: softmax outputs, trained on cross-entropy
# ==================================================================================================
def softmax(z):
    """softmax(z)_k = e^(z_k) / sum_j e^(z_j), row by row: (N, K) -> (N, K), each row positive
    and summing to 1, a probability for each class.

    Subtracting each row's largest z first changes nothing (the top and the bottom are both
    multiplied by e^(-max)) and keeps every exponent <= 0: e^(1000) would overflow to inf, and
    inf / inf is NaN.
    """
    raise NotImplementedError(
        "TODO softmax: each row's e^(z_k) / sum_j e^(z_j), (N, K) -> (N, K), with no overflow "
        "even at z = 1e4; stuck? python tools/hint.py softmax")


def cross_entropy(z, Y):
    """The mean cross-entropy of softmax(z) against one-hot targets Y, both (N, K):
    L = -(1/N) sum_n sum_k Y_nk log softmax(z)_nk.

    Computed from z, never from the probabilities: log softmax(z)_k = z_k - log sum_j e^(z_j), and
    log sum_j e^(z_j) = m + log sum_j e^(z_j - m), m the row's largest z (log-sum-exp), so no
    exponent overflows and no log meets a probability rounded to 0.
    """
    m = z.max(axis=1, keepdims=True)                                   # (N, 1)
    log_sum = m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))     # (N, 1)
    return float(-np.sum(Y * (z - log_sum)) / len(Y))


class SoftmaxNetwork(Network):
    """Lesson 04b's Network with a softmax output layer, trained on the cross-entropy loss: its
    outputs are probabilities, one per class. The hidden layers are sigmoids (`hidden`); their
    slope and the backward pass are 04b's."""

    hidden = staticmethod(sigmoid)
    hidden_kind, output_kind = "sigmoid", "softmax"      # what a model file records

    def forward_all(self, X):
        """[a^0 = X, a^1, ..., a^L]: hidden layers as 04b, and a^L = softmax(z^L)."""
        activations = [np.asarray(X)]
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            activations.append(self.hidden(activations[-1] @ W + b))     # (N, n_l)
        z = activations[-1] @ self.weights[-1] + self.biases[-1]          # (N, K)
        activations.append(softmax(z))
        return activations

    def forward(self, X):
        return self.forward_all(X)[-1]

    def logits(self, X):
        """z^L, the output layer's z before the softmax, (N, K): what cross_entropy reads."""
        return self.forward_all(X)[-2] @ self.weights[-1] + self.biases[-1]

    def output_delta(self, output, Y):
        """delta^L = dL/dz^L = (softmax(z^L) - Y) / N for the mean cross-entropy, (N, K).

        For one sample with p = softmax(z) and one-hot y: L = -sum_k y_k log p_k, and
        log p_k = z_k - log sum_j e^(z_j), so dL/dz_i = -sum_k y_k (δ_ki - p_i) = p_i - y_i
        (sum_k y_k = 1). The mean over N divides by N. MSE on sigmoids gave
        2 (a - Y) / (N K) · a (1 - a): near 0 or 1 the factor a (1 - a) froze every output, even a
        wrong one. Here the softmax's slope dp_k/dz_i = p_k (δ_ki - p_i) cancels the log's 1 / p_k,
        so no slope factor is left: a confident wrong output gets the largest delta.
        """
        raise NotImplementedError(
            "TODO SoftmaxNetwork.output_delta: delta^L = dL/dz^L of the mean cross-entropy of "
            "softmax outputs, (N, K); stuck? python tools/hint.py SoftmaxNetwork.output_delta")


# ==================================================================================================
# Cure 2: ReLU hidden layers, started with He's variance
# ==================================================================================================
def he_start(net, seed):
    """Redraw every weight of `net` from N(0, 2 / n_in), in place, and return net.

    Lesson 02 kept Var(z) steady with Var(W) = 1 / n_in: z_j = sum_i a_i W_ij adds n_in independent
    terms, so Var(z_j) = n_in Var(W) E[a^2]. A ReLU passes a = max(z', 0) of a z' symmetric
    around 0: half the time 0, half the time z', so E[a^2] = Var(z') / 2. Then
    Var(z) = n_in Var(W) Var(z') / 2, the same at every layer when Var(W) = 2 / n_in (He et al.,
    2015). With 1 / n_in, Var(z) halves at each layer (its standard deviation shrinks by
    sqrt(2)); with N(0, 1), Var(z) grows n_in / 2 times (the standard deviation by
    sqrt(n_in / 2)). Layer 1, whose inputs are pixels rather than ReLUs, scales by its own
    E[x^2] instead of Var(z') / 2.
    """
    raise NotImplementedError(
        "TODO he_start: redraw every weight from N(0, 2 / n_in), in place, and return net; stuck? "
        "python tools/hint.py he_start")


class CuredNetwork(SoftmaxNetwork, ReluNetwork):
    """ReLU hidden layers (ReluNetwork's slope, (a > 0)) and a softmax output trained on
    cross-entropy (SoftmaxNetwork's forward pass and output_delta)."""

    hidden = staticmethod(relu)
    hidden_kind = "relu"


def network_of_kind(sizes, hidden, output, seed):
    """A network of the given sizes with the given hidden activation ("sigmoid" or "relu") and
    output ("sigmoid" with MSE, or "softmax" with cross-entropy), started as each needs: ReLU
    layers with he_start; sigmoid outputs at 05's base rate 1/10, as new_network starts them;
    softmax outputs with biases 0, so that no class is favoured (p about 1/10 on average).
    ("sigmoid", "sigmoid") is lesson 05's network, uncured."""
    kind = {("sigmoid", "sigmoid"): Network, ("sigmoid", "softmax"): SoftmaxNetwork,
            ("relu", "sigmoid"): ReluNetwork, ("relu", "softmax"): CuredNetwork}[hidden, output]
    if output == "sigmoid":
        net = new_network(sizes, seed, network=kind)                     # 05's base rate
    else:
        net = kind(sizes, seed=seed, dtype=NETWORK_DTYPE)                # biases 0: no favourite
    return he_start(net, seed) if hidden == "relu" else net


# ==================================================================================================
# Cure 3: momentum
# ==================================================================================================
def momentum_step(net, X, Y, rates, mu, velocities):
    """One heavy-ball step for every weight and bias: v <- mu v - rate · g, then p <- p + v.

    v, the velocity, is a running sum of past steps, each weighted by mu once more per step:
    v_t = -rate (g_t + mu g_(t-1) + mu^2 g_(t-2) + ...). Where the gradients agree (down a long
    shallow valley) the steps add up to as much as 1 / (1 - mu) = 10 plain ones (mu = 0.9); where
    they flip sign (across a narrow valley) they cancel. mu = 0 is plain SGD. `velocities` holds
    one array per weight then per bias, updated in place. Returns the output before the step.
    """
    raise NotImplementedError(
        "TODO momentum_step: one heavy-ball step, v <- mu v - rate g and p <- p + v, for every "
        "weight and bias; stuck? python tools/hint.py momentum_step")


def momentum_epoch(net, images, labels, batch_size, rates, mu, velocities, rng):
    """One epoch of mini-batch SGD with momentum: lesson 05's train_epoch (every image once, in a
    fresh order from rng), each step a momentum_step. Raises Fatal if an output becomes NaN: the
    rate given (COMPARE_RUNS, CURED_LR) is too large for this network."""
    order = rng.permutation(len(images))
    for start in range(0, len(images), batch_size):
        batch = order[start:start + batch_size]
        X = to_inputs(images[batch])                                      # (B, 784)
        Y = one_hot(labels[batch], N_CLASSES, dtype=NETWORK_DTYPE)        # (B, 10)
        output = momentum_step(net, X, Y, rates, mu, velocities)
        if not np.all(np.isfinite(output)):
            raise Fatal(f"training diverged at mini-batch {start // batch_size + 1}: the outputs "
                        f"became NaN at learning rates {', '.join(f'{r:g}' for r in rates)}; "
                        "lower the rate in 06b's COMPARE_RUNS or CURED_LR")


def quadratic_path(w, lr, mu, steps):
    """Momentum on f(w) = w^2 / 2, whose gradient is w: the first `steps` iterates after w."""
    path, v = [], 0.0
    for _ in range(steps):
        v = mu * v - lr * w
        w = w + v
        path.append(w)
    return path


# ==================================================================================================
# The parts: each failure of 06a, then its cure, from the same seed
# ==================================================================================================
def part_softmax(mnist, seed):
    """06a's run that stalled under MSE (its saturated setup); then, from its stalled weights, one
    more epoch under MSE at 05's rate, and one under softmax + cross-entropy."""
    net, rates, settings = saturated_setup(seed)
    train_set, validation_set = split_validation(*mnist[0], settings["train_limit"])
    print_setup(net, settings, len(train_set[0]), seed)
    stalled = watch_training(net, train_set, validation_set, settings["epochs"],
                             settings["batch_size"], rates, seed)[-1]
    X, Y = probe(validation_set)                                  # (1000, 784), (1000, 10)
    cured = with_weights(SoftmaxNetwork, net)
    stalled_logits = cured.logits(X)
    print(f"  after it: validation accuracy {accuracy_text(stalled)}; from its weights, one more "
          f"epoch under MSE at learning rate {LEARNING_RATE:g}, and one under softmax + "
          f"cross-entropy at {SATURATED_CURE_LR:g}")
    runs = {}
    for again, lr in ((with_weights(Network, net), LEARNING_RATE), (cured, SATURATED_CURE_LR)):
        runs[again] = watch_training(again, train_set, validation_set, 1, settings["batch_size"],
                                     [lr] * len(rates), seed)
    print_pair(*runs.values(), "MSE", "softmax + CE", "at the stalled weights")
    print(f"  cross-entropy on those images: {cross_entropy(stalled_logits, Y):.2f} at the "
          f"stalled weights, {cross_entropy(cured.logits(X), Y):.2f} after the epoch")
    print()


def with_weights(kind, net):
    """A network of class `kind` holding copies of net's weights and biases."""
    copy = kind(net.sizes, dtype=NETWORK_DTYPE)
    copy.weights = [W.copy() for W in net.weights]
    copy.biases = [b.copy() for b in net.biases]
    return copy


def part_relu(mnist, seed):
    """The deep sigmoid stack whose first layer barely learns, and the same stack of ReLUs started
    with He's variance; then the ReLU stack started too wide, and started with He's variance."""
    for setup in (vanishing_setup, exploding_setup):
        net, rates, settings = setup(seed)
        train_set, validation_set = split_validation(*mnist[0], settings["train_limit"])
        print_setup(net, settings, len(train_set[0]), seed)
        failed = watch_training(net, train_set, validation_set, settings["epochs"],
                                settings["batch_size"], rates, seed)
        cured = network_of_kind(net.sizes, "relu", "sigmoid", seed)
        healed = watch_training(cured, train_set, validation_set, settings["epochs"],
                                settings["batch_size"], layer_rates(cured, RELU_LR), seed)
        print(f"  cure: ReLU hidden layers started with He's variance 2 / n_in, learning rate "
              f"{RELU_LR:g}")
        print_pair(failed, healed, "failure", "ReLU + He")
        for name, history in (("failure", failed), ("ReLU + He", healed)):
            factors = [speed_factor_text(record) for record in (history[0], history[-1])]
            print(f"  {name}: the last layer's speed over the first's " + ", ".join(factors))
        print()


def part_momentum(mnist, seed):
    """Momentum worked by hand on w^2 / 2, then the epochs 05's network takes to reach TARGET on
    the validation images, with and without momentum."""
    lr, mu = 0.5, 0.9
    path = [1.0] + quadratic_path(1.0, lr, mu, 3)                   # w0 = 1, w1, w2, w3
    print(f"Momentum on f(w) = w^2 / 2 (gradient w) from w = 1, lr {lr:g}, mu {mu:g}: "
          "v <- mu v - lr w, w <- w + v")
    v = [0.0] + [w - before for before, w in zip(path, path[1:])]     # v_t = w_t - w_(t-1)
    print("  " + ";  ".join(f"v{t} = {mu:g} · {v[t - 1]:.3g} - {lr:g} · {path[t - 1]:.3g}"
                            f" = {v[t]:.3g}, w{t} = {path[t]:.3g}" for t in (1, 2, 3)))
    plain = quadratic_path(1.0, lr, 0.0, 3)
    print("  momentum: " + ", ".join(f"{w:.3g}" for w in path[1:]) + ";  plain steps (mu 0): "
          + ", ".join(f"{w:.3g}" for w in plain))
    print("  on this steep bowl momentum carries w past the bottom at 0; it pays off on long, "
          "shallow slopes, where the steps agree")
    print(f"Epochs to {TARGET:.0%} validation accuracy, Network({network_sizes(HIDDEN)}), "
          f"batch {BATCH_SIZE}:")
    for name, hidden, output, lr, mu in (COMPARE_RUNS[0], COMPARE_RUNS[3]):
        net = network_of_kind(network_sizes(HIDDEN), hidden, output, seed)
        result = train_with_momentum(net, mnist, lr, mu, EPOCHS, BATCH_SIZE, seed,
                                     stop_at_target=True)
        print(f"  {name:18s} lr {lr:<4g} {epochs_to_target(result)}")


def part_tiny_steps(mnist, seed):
    """The run whose steps are too small to move the weights, and the same run at the rate that
    the step / weight measurement asks for."""
    net, rates, settings = tiny_steps_setup(seed)
    train_set, validation_set = split_validation(*mnist[0], settings["train_limit"])
    print_setup(net, settings, len(train_set[0]), seed)
    start = new_network(net.sizes, seed)            # the same start, kept for the cure
    tiny = watch_training(net, train_set, validation_set, settings["epochs"],
                          settings["batch_size"], rates, seed)
    step = tiny[0]["layers"][-1][2]
    lr = rate_for_step(settings["lr"], step, STEP_AT_START)
    print(f"  cure: a step changes the output weights by {step:.1e} of their size at the start;")
    print(f"  for {STEP_AT_START:.0e}: learning rate {settings['lr']:g} x {STEP_AT_START:.0e} / "
          f"{step:.1e} = {lr:.3g}")
    healed = watch_training(start, train_set, validation_set, settings["epochs"],
                            settings["batch_size"], layer_rates(start, lr), seed)
    print_pair(tiny, healed, f"lr {settings['lr']:g}", f"lr {lr:.3g}")
    print()


def speed_factor_text(record):
    """The moment of a watch_training record (before training, after epoch E) and its
    speed_factor, or that the first layer gets no gradient."""
    when = "before training" if record["epoch"] == 0 else f"after epoch {record['epoch']}"
    if not record["layers"] or record["layers"][0][0] == 0:
        return f"{when}: the first layer gets no gradient"
    return f"{when}: {speed_factor(record['layers']):.3g}"


def speed_factor(layers):
    """The last layer's speed |dL/db| over the first's, from layer_health's (speed, saturated,
    step) per layer: how many times faster the layer at the output learns than the one at the
    input. The first layer's speed must not be 0."""
    return layers[-1][0] / layers[0][0]


def print_setup(net, settings, n_train, seed):
    """What a failure of 06a is: its title, network, learning rate, images, epochs and seed."""
    epochs = settings["epochs"]
    print(f"06a's {settings['title']}: Network({net.sizes}), learning rate {settings['lr']:g}, "
          f"{n_train:,} images, {epochs} epoch{'s' * (epochs != 1)}, seed {seed}")


def print_pair(failed, cured, left, right, start="before training"):
    """The layer tables of a failed run and of its cure side by side, at the start and after
    training, and both validation accuracies."""
    for when in (0, -1):
        what = start if when == 0 else f"after epoch {failed[when]['epoch']}"
        print(f"  inside the network {what}, on {PROBE_SIZE:,} validation images: {left} | {right}")
        print_side_by_side(lambda: print_layer_table(failed[when]["layers"], what),
                           lambda: print_layer_table(cured[when]["layers"], what), skip=1)
    print(f"  validation accuracy: {left} {accuracy_text(failed[-1])}, "
          f"{right} {accuracy_text(cured[-1])}")


def accuracy_text(record):
    return "diverged" if record.get("diverged") else f"{record['val_accuracy']:.2%}"


# ==================================================================================================
# The comparison, and the 98% network
# ==================================================================================================
def train_with_momentum(net, mnist, lr, mu, epochs, batch_size, seed, stop_at_target=False,
                        decay_epochs=0):
    """Train net with momentum_epoch on lesson 05's split (50,000 images; the last 10,000 of the
    training file for validation), every layer at rate lr (05's layer_rates for sigmoid outputs),
    the last decay_epochs epochs at lr / 10. Returns a dict: the validation accuracy and the
    seconds of each epoch, and the speed_factor after epoch 1 (on 06a's probe)."""
    train_set, validation_set = split_validation(*mnist[0])
    rng = np.random.default_rng(seed)
    # A softmax output gets lr as every layer does: its delta, p - y, has no push shared by all
    # outputs for 05's width-scaled rate to tame (biases 0: no class favoured, p about 1/10 on
    # average, the base rate).
    rates = [lr] * len(net.weights) if isinstance(net, SoftmaxNetwork) else layer_rates(net, lr)
    velocities = [np.zeros_like(p) for p in net.weights + net.biases]
    result = dict(val_accuracy=[], seconds=[])
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        scale = 0.1 if epoch > epochs - decay_epochs else 1.0
        momentum_epoch(net, *train_set, batch_size, [rate * scale for rate in rates], mu,
                       velocities, rng)
        result["seconds"].append(time.perf_counter() - started)
        result["val_accuracy"].append(evaluate(net, *validation_set)[0])
        if epoch == 1:
            result["speed_factor"] = probe_speed_factor(net, validation_set, rates, batch_size)
        if stop_at_target and result["val_accuracy"][-1] >= TARGET:
            break
    return result


def probe_speed_factor(net, validation_set, rates, batch_size):
    """speed_factor, the last layer's speed over the first's, on 06a's probe of validation
    images."""
    return speed_factor(layer_health(net, *probe(validation_set), rates, batch_size))


def epochs_to_target(result):
    """The first epoch whose validation accuracy reached TARGET and the seconds of training up
    to it, as text; or that TARGET was not reached."""
    reached = [e for e, accuracy in enumerate(result["val_accuracy"], 1) if accuracy >= TARGET]
    if not reached:
        return "not reached"
    return f"epoch {reached[0]:2d}, {sum(result['seconds'][:reached[0]]):5.1f} s"


def part_compare(mnist, seed):
    """Lesson 05's network trained five ways: no cure, each cure alone, all three together."""
    (x_test, y_test) = mnist[1]
    sizes = network_sizes(HIDDEN)
    print(f"Five runs of Network({sizes}), batch {BATCH_SIZE}, {EPOCHS} epochs, "
          f"seed {seed}; the rates chosen on the validation images:")
    print(f"  {'run':18s} {'lr':>5s}  {'test acc':>8s}  {'to 97% validation':>17s}  "
          "last/first speed")
    for name, hidden, output, lr, mu in COMPARE_RUNS:
        net = network_of_kind(sizes, hidden, output, seed)
        result = train_with_momentum(net, mnist, lr, mu, EPOCHS, BATCH_SIZE, seed)
        test_accuracy, _ = evaluate(net, x_test, y_test)
        print(f"  {name:18s} {lr:5g}  {test_accuracy:8.2%}  {epochs_to_target(result):>17s}  "
              f"{result['speed_factor']:16.2f}", flush=True)
    print()


def part_combined(mnist, seed, model_path):
    """The three cures together, 256 wide: trained, saved, and measured once on the test images.
    Returns the test accuracy and the count of test images read right, as one line."""
    sizes = network_sizes(CURED_HIDDEN)
    net = network_of_kind(sizes, "relu", "softmax", seed)
    print(f"All three cures: CuredNetwork({sizes}), batch {CURED_BATCH_SIZE}, learning rate "
          f"{CURED_LR:g} (the last {DECAY_EPOCHS} of {CURED_EPOCHS} epochs at "
          f"{CURED_LR / 10:g}), momentum {MOMENTUM:g}, seed {seed}")
    with on_stop("training stopped, nothing was saved", signals=False):
        result = train_with_momentum(net, mnist, CURED_LR, MOMENTUM, CURED_EPOCHS,
                                     CURED_BATCH_SIZE, seed, decay_epochs=DECAY_EPOCHS)
    for epoch, (accuracy, seconds) in enumerate(zip(result["val_accuracy"], result["seconds"]),
                                                start=1):
        print(f"  epoch {epoch:2d}  val acc {accuracy:7.2%}  {seconds:4.1f} s")
    print(f"  {epochs_to_target(result)} to {TARGET:.0%}; "
          f"{sum(result['seconds']) / CURED_EPOCHS:.1f} s per epoch")
    save_model_and_say(model_path, net, validation_accuracy=result["val_accuracy"][-1])
    accuracy, predictions = evaluate(net, *mnist[1])        # the test set, once, at the very end
    labels = mnist[1][1]
    return f"test accuracy: {accuracy:.2%} ({int(np.sum(predictions == labels))}/{len(labels)})"


@one_line_errors
def main(argv=None):
    """Returns the exit status: 0 on success, 1 when the data, a run or the save failed."""
    args = parse_args(argv)
    if args.predict:
        return read_own_digits(args, lambda path: load_model(path, CuredNetwork), to_inputs)
    with on_stop("nothing half-downloaded was kept"):
        mnist = download_missing_and_load(args.data_dir, args.mirror)
    parts = CURES if args.part is None else (args.part,)
    runs = {"softmax": part_softmax, "relu": part_relu, "momentum": part_momentum,
            "tiny-steps": part_tiny_steps, "compare": part_compare,
            "combined": lambda mnist, seed: print(part_combined(mnist, seed, args.model))}
    for part in parts:
        runs[part](mnist, args.seed)
    return 0


def parse_args(argv):
    here = Path(__file__).resolve().parent
    parser = make_parser(__doc__, __file__)
    add = parser.add_argument
    add("--part", choices=CURES, help="run one part only (default: all, in this order)")
    add("--data-dir", type=user_path, default=here / "data",
        help="folder for the MNIST files (default: data/ beside this script)")
    add("--mirror", action="append", metavar="URL",
        help="base URL to download MNIST from, as lesson 05's --mirror")
    add("--model", type=user_path, default=here / "data" / "model_06b.npz",
        help="where to save the 98%% network, and where --predict loads it "
             "(default: data/model_06b.npz)")
    add("--predict", nargs="+", type=user_path, metavar="IMAGE",
        help="read the digit in each image file with the saved --model")
    args = parser.parse_args(argv)
    args.draw = False
    return args


if __name__ == "__main__":
    try:
        run(main)
    except NotImplementedError as todo:  # say which TODO, without a traceback
        raise SystemExit(str(todo))
