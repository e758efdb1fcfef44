"""The lessons' command lines: a bad value refused in one line with exit status 2, and what a run
prints about itself (where each descent ends, a rate too large to train with), read from its
numbers. The maths these runs print is checked in tests/lessons/."""
import pytest

from helpers import assert_mentions, run_script


# --- lesson 04a ---------------------------------------------------------------------------------
@pytest.mark.parametrize("flag, value, fact", [
    ("--lr", "0", "greater than 0"), ("--lr", "-1", "greater than 0"), ("--lr", "nan", "finite"),
    ("--lr", "fast", "not a number"), ("--steps", "0", "1 or more"),
    ("--steps", "2.5", "not a whole number"),
])
def test_bad_values_are_refused_clearly(flag, value, fact):
    result = run_script("04a_backprop_single_neuron.py", flag, value, "--no-plots")
    refused = result.returncode == 2 and "Traceback" not in result.stderr
    assert refused, (f"{flag} {value}: expected exit status 2 and no traceback; got status "
                     f"{result.returncode}, stderr:\n{result.stderr}")
    assert_mentions(result.stderr, flag, fact)


def verdicts(*flags):
    """The lines of a 04a run with these flags that say where a descent ended (or, if it failed,
    the last line of its stderr)."""
    result = run_script("04a_backprop_single_neuron.py", "--no-plots", *flags)
    said = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("->")]
    return said if result.returncode == 0 else result.stderr.splitlines()[-1:]


def saying(said, *facts):
    """How many of the lines `said` hold every one of the facts."""
    return sum(all(fact in line for fact in facts) for line in said)


def test_where_each_descent_ends_is_read_from_its_numbers():
    said = verdicts()
    right = saying(said, "near the minimum") == 1 and saying(said, "ends on a plateau",
                                                             "answers 0") == 1
    assert right, f"the default run (lr 2) should end near the minimum, then on a plateau of 0s: " \
        f"{said}"
    # With a far larger step the good start overshoots onto the other plateau: every output near 1.
    said = verdicts("--lr", "50")
    right = (saying(said, "near the minimum") == 0
             and saying(said, "ends on a plateau", "answers 1") >= 1)
    assert right, f"at lr 50 the good start should overshoot onto a plateau of 1s; it says {said}"
    # A ten times smaller step: the good start has not got there yet and is still moving; the
    # stuck start is on its way to the plateau, which the lesson reads from its flattening slope.
    said = verdicts("--lr", "0.2")
    right = (saying(said, "not reached the minimum") == 1
             and saying(said, "heading for a plateau", "answers 0") == 1
             and saying(said, "ends on a plateau") == 0)
    assert right, f"at lr 0.2 one start should still be on its way, the other heading for a " \
        f"plateau: {said}"
    said = verdicts("--lr", "0.2", "--steps", "10000")
    right = saying(said, "near the minimum") == 1 and saying(said, "ends on a plateau",
                                                             "answers 0") == 1
    assert right, f"at lr 0.2 for 10000 steps: expected near the minimum, then a plateau of 0s: " \
        f"{said}"


# --- lesson 04b ---------------------------------------------------------------------------------
def test_an_absurd_learning_rate_is_reported_not_passed_over():
    result = run_script("04b_backprop_network.py", "--lr", "1e300", "--no-plots")
    lines = result.stderr.splitlines()
    reported = (result.returncode == 1 and len(lines) == 2
                and all(line.startswith("error: Network(") for line in lines))
    assert reported, (f"at lr 1e300 both networks should fail, each with one line 'error: "
                      f"Network(...', and status 1; got status {result.returncode}, stderr:\n"
                      f"{result.stderr}")
    for line in lines:
        assert_mentions(line, "1e+300", "too large")
