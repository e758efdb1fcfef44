"""
How far does a printed number move when the arithmetic rounds a little differently?

Another CPU (another BLAS kernel: fused multiply-adds, another summation order) rounds float32
products differently in the last bit, and thousands of gradient steps grow that difference into a
visibly different run. This script measures how far, without touching the environment: it runs a
lesson's command in this process, once as it is and then TRIALS times with every initial weight
moved by one rounding step (to the next representable number up or down, at random; --perturb
ulp) or with the hidden neurons in another order (the same network, summed in another order;
--perturb order), and reports, for every number the command prints, the largest distance from
the unperturbed run and the range of all the runs:

    percentages (95.47%)              in percentage points
    every other number                as a relative difference, |x / x0 - 1|

under the line it stands in (a line where nothing moved is left out). The README's tolerances for
output that depends on rounding are chosen from these spreads (docs/tests.md).

Run (from anywhere; the default list took about four minutes per --perturb on 2 cores)
    python benchmarks/rounding_spread.py --data-dir ../shared/mnist
    python benchmarks/rounding_spread.py --trials 4 -- 05_train_mnist.py --epochs 1
"""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:           # support/ is found beside the lessons
    sys.path.insert(0, str(REPO))
from support.threads import ask_for_one_blas_thread  # noqa: E402

ask_for_one_blas_thread()               # as lesson 05 does, before NumPy is imported

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import tempfile  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402

from support.lessons import load_lesson  # noqa: E402  (how the lessons load each other)

# The training runs the README shows (the data, model and figures flags are added here).
COMMANDS = [
    "04b_backprop_network.py --no-plots",
    "05_train_mnist.py --no-plots",
    "05_train_mnist.py --epochs 3 --no-plots",
    "05_train_mnist.py --hidden 30 30 30 30 --epochs 3 --no-plots",
    "05_train_mnist.py --lr 1000 --train-limit 10000 --no-plots",
    "05_train_mnist.py --lr 0.001 --train-limit 10000 --no-plots",
    "05_train_mnist.py --lr 1e300 --train-limit 1000 --no-plots",
    "05_train_mnist.py --batch-size 1 --epochs 1 --no-plots",
]
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e[+-]\d+)?%?")
TIMING = re.compile(r"\d+\.\d s\b|\d[\d,]* samples/s|took \d+\.\d s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=REPO / "data",
                        help="folder with the four MNIST files (default: data/)")
    parser.add_argument("--trials", type=int, default=6, help="perturbed runs per command")
    parser.add_argument("--perturb", choices=["ulp", "order"], default="ulp",
                        help="ulp: every initial weight one rounding step up or down; order: the "
                             "hidden neurons shuffled, the same network summed in another order")
    parser.add_argument("command", nargs="*", help="one lesson command (default: the README's)")
    args = parser.parse_args(argv)
    commands = [" ".join(args.command)] if args.command else COMMANDS
    change = {"ulp": "One rounding step on every initial weight",
              "order": "The hidden neurons in another order"}[args.perturb]
    print(f"{change}, {args.trials} trials per command; largest distance from the unperturbed "
          "run, and the range of all runs")
    for command in commands:
        print(f"\n$ python {command}")
        runs = [run(command, args.data_dir, trial, args.perturb)
                for trial in range(args.trials + 1)]
        for line in spread_report(runs):
            print(line)


def run(command, data_dir, trial, perturb):
    """What `python COMMAND` prints (stdout and stderr), initial weights perturbed if trial > 0."""
    script, *flags = shlex.split(command)
    lesson = load_lesson(REPO / script)
    work = Path(tempfile.mkdtemp())
    if script.startswith("05"):
        flags += ["--data-dir", str(data_dir), "--model", str(work / "model.npz")]
    flags += ["--figures-dir", str(work / "figures")]
    rng = np.random.default_rng(trial)
    with perturbed_networks(lesson, rng if trial else None, perturb):
        output = io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            try:
                lesson.main(flags)
            except SystemExit:
                pass
    return output.getvalue().replace(str(work), "TMP").splitlines()


@contextlib.contextmanager
def perturbed_networks(lesson, rng, perturb):
    """Within this block, every Network the lesson makes starts one rounding step off, or with
    its hidden neurons in another order (the same function, summed in another order)."""
    original = lesson.Network.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if perturb == "order":
            for l in range(len(self.weights) - 1):          # the neurons of hidden layer l + 1
                order = rng.permutation(self.weights[l].shape[1])
                self.weights[l][...] = self.weights[l][:, order]
                self.biases[l][...] = self.biases[l][order]
                self.weights[l + 1][...] = self.weights[l + 1][order, :]
            return
        for W in self.weights:
            up = rng.random(W.shape) < 0.5
            inf = W.dtype.type(np.inf)                    # in W's own type: float32 steps
            W[...] = np.where(up, np.nextafter(W, inf), np.nextafter(W, -inf))
    # mock puts back what was there: the class's own __init__, or none (one inherited from 02).
    with (mock.patch.object(lesson.Network, "__init__", init) if rng is not None
          else contextlib.nullcontext()):
        yield


def spread_report(runs):
    """One line per printed line that holds a number: the line, then each number's spread."""
    reference, others = runs[0], runs[1:]
    if any(len(other) != len(reference) for other in others):
        return [f"  the runs print {sorted({len(r) for r in runs})} lines: they end differently"]
    report = []
    for i, line in enumerate(reference):
        line = TIMING.sub("", line)
        numbers = NUMBER.findall(line)
        if not numbers:
            continue
        spreads = []
        for k, number in enumerate(numbers):
            values = []
            for other in others:
                found = NUMBER.findall(TIMING.sub("", other[i]))
                values.append(found[k] if k < len(found) else None)
            spreads.append(spread(number, values))
        if any(s for s in spreads):
            report.append(f"  {line.strip()[:90]}")
            report.append("      " + "  ".join(s or "=" for s in spreads))
    return report or ["  every number the same in every trial"]


def spread(number, values):
    """The largest distance of `values` from `number`, in points or relative, and the range of
    all the runs as printed, e.g. '±2.8% (105 to 111)'; '' if none moved."""
    if any(v is None for v in values):
        return "line differs"
    x0 = parse(number)
    xs = [parse(v) for v in values]
    if all(x == x0 for x in xs):
        return ""
    printed = sorted([number, *values], key=parse)
    between = f" ({printed[0]} to {printed[-1]})"
    if number.endswith("%"):
        return f"±{max(abs(x - x0) for x in xs):.2f} pts{between}"
    if x0 == 0:
        return f"±{max(abs(x) for x in xs):.2g} abs{between}"
    return f"±{max(abs(x / x0 - 1) for x in xs):.1%}{between}"


def parse(text):
    return float(text.rstrip("%").replace(",", ""))


if __name__ == "__main__":
    main()
