"""Reading a run's outcome from its numbers, and saying it in words.

Lesson 04a asks where a gradient descent ended and where it is heading (print_descent_end,
print_far_side); lesson 04b how one neuron did on XOR (print_single_neuron_verdict), how often
full-batch steps raised the loss (print_loss_jumps) and why a network learned no better than a
baseline (why_training_failed). Every verdict is read from the numbers the lesson hands in: its
losses, its outputs and the slopes σ'(z) it measured. The lessons compute those numbers; this
module only compares them with thresholds and words the result.
"""
import numpy as np

NEAR = 1e-3          # a loss within this of the least reachable one counts as having reached it
FLAT = 0.05          # a sigmoid whose slope is below this everywhere (a fifth of its peak, 0.25)
                     # passes on little gradient
SATURATED = 0.01     # an output within this of 0 or 1 sits where σ'(z) = a (1 - a) is about 0


# ==================================================================================================
# Lesson 04a: where a descent ended
# ==================================================================================================
def print_descent_end(path, minimum, outputs_and_slope, loss_of, targets):
    """Where a descent ended and where it is heading, for `path`, rows (w, b, loss) of one neuron
    with one weight, start first; `minimum` is (w, b, loss) at the bottom of the loss surface.

    outputs_and_slope(w, b) gives the neuron's outputs on the data and the largest σ'(z) among
    them. The descent is near the minimum if its last loss is within NEAR of the minimum's; on a
    plateau if every output is on one side of 0.5 (one answer for everyone) and σ'(z) < FLAT for
    all of them, so that the gradient, which carries σ'(z) as a factor, nearly vanishes; heading
    for one if everyone gets one answer and the largest σ'(z) has fallen over the last tenth of
    the steps; else still on its way down. From a plateau, print_far_side (with loss_of(w, b) and
    the 0/1 targets) says where the minimum lies.
    """
    w, b, loss = path[-1]
    outputs, slope = outputs_and_slope(w, b)
    _, slope_before = outputs_and_slope(*path[-1 - (len(path) - 1) // 10][:2])
    answer = "0" if np.all(outputs < 0.5) else "1" if np.all(outputs > 0.5) else None
    if loss <= minimum[2] + NEAR:
        print(f"  -> it ends near the minimum: loss {loss:.4f}, the minimum is {minimum[2]:.4f}")
    elif answer and slope < FLAT:
        print(f"  -> it ends on a plateau: the neuron answers {answer} for every student, and "
              f"σ'(z) <= {slope:.1e}")
        print("     everywhere: the sigmoid is flat, so the gradient nearly vanishes and w, b "
              "crawl.")
        print_far_side(path[0][:2], w, minimum, loss_of, targets)
    elif answer and slope < slope_before:
        print(f"  -> it is heading for a plateau: the neuron answers {answer} for every student, "
              "and σ'(z) is up to")
        print(f"     {slope:.1e}, down from {slope_before:.1e} a tenth of the run ago: the sigmoid "
              "flattens, and the gradient")
        print("     with it.")
        print_far_side(path[0][:2], w, minimum, loss_of, targets)
    else:
        print(f"  -> it has not reached the minimum yet: loss {loss:.4f}, the minimum is "
              f"{minimum[2]:.4f};")
        print(f"     σ'(z) is up to {slope:.1e}, so it is still moving")


def print_far_side(start, w, minimum, loss_of, targets):
    """Where the minimum (w, b, loss) lies, seen from a plateau with weight w reached from `start`
    (w, b), on data whose 0/1 targets rise with the input.

    With w >= 0, only that the minimum lies elsewhere. With w < 0 the neuron's answer falls as the
    input grows while the targets rise, so no such neuron beats the best constant answer, the
    mean of the targets (the pass rate), whose loss is their variance; it gets near it only as w
    rises to 0. Then whether loss_of(w, b) falls all the way along the straight line from `start`
    to the minimum (1001 points), or else the highest loss on that line.
    """
    if w >= 0:
        print(f"     The minimum ({minimum[2]:.4f}) lies elsewhere; from here descent barely moves "
              "towards it.")
        return
    rate, constant_loss = float(np.mean(targets)), float(np.var(targets))
    print(f"     With w < 0 no (w, b) does better than {constant_loss:.2f}, the loss of answering "
          f"the pass rate {rate:.1f}")
    print(f"     for everyone, and that only as w rises to 0; the minimum ({minimum[2]:.4f}) has "
          "w > 0.")
    t = np.linspace(0, 1, 1001)                               # the straight line start -> minimum
    line = loss_of(start[0] + t * (minimum[0] - start[0]),
                   start[1] + t * (minimum[1] - start[1]))    # (1001,)
    if np.all(np.diff(line) <= 0):
        print("     Yet the straight line from the start to the minimum runs downhill all the way:")
        print("     descent follows the steepest slope where it stands, and from this start that "
              "leads onto")
        print("     the plateau.")
    else:
        print(f"     The straight line from the start to the minimum first climbs to a loss of "
              f"{line.max():.4f}.")


# ==================================================================================================
# Lesson 04b: one neuron on XOR, the loss's rises, and a network that failed
# ==================================================================================================
def print_single_neuron_verdict(loss, best, lr):
    """How one neuron trained at learning rate lr ended on XOR: at the least loss one neuron can
    reach there, `best` (within NEAR), or above it, where the steps were too large to settle."""
    if loss <= best + NEAR:
        print(f"  loss {loss:.4f}, the least one neuron can reach on XOR (searched over a grid of "
              "weights):")
        print("  a straight decision line cannot separate XOR's 1s from its 0s.")
        return
    print(f"  loss {loss:.4f}, more than the {best:.4f} one neuron can reach on XOR: at lr {lr:g} "
          "the steps")
    print("  are too large for descent to settle even there. And at best a straight decision "
          "line gets")
    print("  3 of the 4 right: it cannot separate XOR's 1s from its 0s.")


def print_loss_jumps(losses):
    """How many of the steps between consecutive `losses` raised the loss (losses[i + 1] >
    losses[i]), and the largest such rise by ratio, with its step and both losses."""
    ratios = losses[1:] / losses[:-1]                  # (steps - 1,): > 1 where the loss went up
    worst = int(np.argmax(ratios))
    if ratios[worst] <= 1:
        print(f"  the loss went down at every one of the {len(losses)} steps")
        return
    rises = int(np.sum(ratios > 1))
    print(f"  the loss went up {rises} time{'s' * (rises != 1)} in {len(losses)} steps; the "
          f"largest jump, at step {worst + 1}, from {losses[worst]:.4f} to {losses[worst + 1]:.4f}")


def why_training_failed(net, X, labels, lr, must_beat, what, usual_lr):
    """None if the one-output network `net` gets a larger share than `must_beat` of the points X
    right (output on the side of 0.5 of their 0/1 labels); else why not, as one sentence.

    `what` names the baseline that gets `must_beat` right (guessing; a straight line). The cause
    is read from the outputs a: saturated when more than 90% sit within SATURATED of 0 or 1, where
    σ'(z) = a (1 - a) is about 0 and no gradient flows; that blames a rate lr above `usual_lr`
    (the lesson's default) as too large. Unsaturated outputs at a rate below usual_lr blame it as
    too small. Otherwise the rate does not explain it: the gradient may be wrong, or lr too large
    for this start, and half of it is suggested.
    """
    a = net.forward(X)[:, 0]
    right = float(np.mean((a > 0.5) == labels))
    if right > must_beat:
        return None
    saturated = float(np.mean(np.minimum(a, 1 - a) < SATURATED))
    summary = (f"Network({net.sizes}) gets {right:.1%} of its training points right, no better "
               f"than {what}")
    if saturated > 0.9:
        summary += (f": {saturated:.0%} of its outputs sit within {SATURATED} of 0 or 1, where "
                    "the sigmoid's slope is ~0 and no gradient flows")
        if lr > usual_lr:
            return f"{summary}. The learning rate {lr:g} is too large; try --lr {usual_lr:g}"
    elif lr < usual_lr:
        return (f"{summary}, and its outputs are not saturated: the learning rate {lr:g} is too "
                f"small for this many steps; try a larger --lr, e.g. --lr {usual_lr:g}")
    else:
        summary += ", although its outputs are not saturated"
    return (f"{summary}, and the learning rate {lr:g} does not explain it: if the gradient check "
            f"above reports a mistake, fix that first; else try a smaller --lr, e.g. "
            f"--lr {lr / 2:g}")
