"""
Does lesson 05 reach its accuracy targets for every network, with nothing but --hidden changed?

It runs the lesson exactly as a learner does, one subprocess per network and seed,

    python 05_train_mnist.py --hidden 300 100 --seed 0 --no-plots --model TMP --data-dir DATA

with the lesson's own defaults for everything else (learning rate, batch size, 10 epochs; the
last 10,000 training images are the validation set, the test set is used once, at the end). From
what the lesson prints it reads the validation accuracy after epoch 2 and after the last epoch
and the test accuracy, times the whole run, and judges each run against its targets:

    [784, 100, 10]          test >= 97.0%, and validation >= 95% after epoch 2
    [784, 300, 10]          test >= 95.3%    the sigmoid + mean-squared-error rows of LeCun et al.,
    [784, 1000, 10]         test >= 95.5%    1998, "Gradient-based learning applied to document
    [784, 300, 100, 10]     test >= 96.95%   recognition" (its table of MNIST results)
    [784, 30, 30, 30, 10]   test >  95%

The exit status is 1 if any target is missed (a run that fails misses its targets), else 0.

Run (from anywhere; a width-1000 run takes a few minutes, all 15 runs about 15-20 minutes on
2 cores)
    python benchmarks/check_widths.py --data-dir ../shared/mnist
    python benchmarks/check_widths.py --hidden-sets 100 30,30,30 --seeds 3,4,5
    python benchmarks/check_widths.py --jobs 2        two runs at once (their seconds then grow)
"""
import argparse
import datetime
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:           # support/ is found beside the lessons
    sys.path.insert(0, str(REPO))
from support.mnist import IMAGE_SHAPE, N_CLASSES  # noqa: E402  (MNIST's geometry, said once)

LESSON = REPO / "05_train_mnist.py"
DEFAULT_HIDDEN_SETS = ["100", "300", "1000", "300,100", "30,30,30"]

# What each network must reach: (measurement, comparison, percent).
TARGETS = {
    (100,): [("test", ">=", 97.0), ("val ep 2", ">=", 95.0)],
    (300,): [("test", ">=", 95.3)],
    (1000,): [("test", ">=", 95.5)],
    (300, 100): [("test", ">=", 96.95)],
    (30, 30, 30): [("test", ">", 95.0)],
}
COMPARE = {">=": lambda x, y: x >= y, ">": lambda x, y: x > y}

# The lines of the lesson's output that hold the numbers:
#   epoch  2/10  train loss 0.01234  train acc  96.50%  val acc  96.48%  ...
#   test accuracy: 97.39% (9739/10000)
EPOCH_LINE = re.compile(r"^epoch\s+(\d+)/\d+\s.*\bval acc\s+([\d.]+)%", re.MULTILINE)
TEST_LINE = re.compile(r"^test accuracy: [\d.]+% \((\d+)/(\d+)\)", re.MULTILINE)


def main(argv=None):
    args = parse_args(argv)
    runs = [(hidden, seed) for hidden in args.hidden_sets for seed in args.seeds]
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
          f"{platform.python_version()}, NumPy {metadata.version('numpy')}, "
          f"{datetime.date.today().isoformat()}; {args.jobs} run(s) at a time")
    print(f"data: {args.data_dir}\n")
    with tempfile.TemporaryDirectory() as tmp:
        def run(hidden_and_seed):
            return run_lesson(*hidden_and_seed, args.data_dir, Path(tmp))
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(run, runs))
    print(f"\n{'network':<22} {'seed':>4} {'val ep 2':>9} {'val final':>9} {'test':>7} "
          f"{'seconds':>7}  verdict")
    missed = 0
    for result in results:
        met, text = verdict(result)
        missed += not met
        print(f"{str(network(result['hidden'])):<22} {result['seed']:4d} "
              f"{percent(result['val ep 2']):>9} {percent(result['val final']):>9} "
              f"{percent(result['test']):>7} {result['seconds']:7.0f}  {text}")
    print(f"\n{len(results) - missed} of {len(results)} runs met their targets"
          + (f"; {missed} missed" if missed else ""))
    return 1 if missed else 0


def run_lesson(hidden, seed, data_dir, tmp):
    """Train one network as a learner would; return what the lesson printed, as numbers."""
    name = "_".join(map(str, hidden))
    command = [sys.executable, str(LESSON), "--hidden", *map(str, hidden), "--seed", str(seed),
               "--no-plots", "--model", str(tmp / f"model_{name}_seed{seed}.npz"),
               "--data-dir", str(data_dir)]
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    validation = {int(epoch): float(value) for epoch, value in EPOCH_LINE.findall(finished.stdout)}
    test = TEST_LINE.search(finished.stdout)
    result = {
        "hidden": hidden, "seed": seed, "seconds": seconds,
        "val ep 2": validation.get(2),
        "val final": validation[max(validation)] if validation else None,
        "test": 100 * int(test.group(1)) / int(test.group(2)) if test else None,
        "error": None,
    }
    if finished.returncode != 0 or test is None:
        last_words = (finished.stderr.strip() or finished.stdout.strip()).splitlines()
        result["error"] = (f"exit {finished.returncode}: "
                           + (last_words[-1] if last_words else "no output"))
    print(f"{str(network(hidden)):<22} seed {seed}: val ep 2 {percent(result['val ep 2'])}, "
          f"test {percent(result['test'])}, {seconds:.0f} s"
          + (f"  [{result['error']}]" if result["error"] else ""), flush=True)
    return result


def verdict(result):
    """(met, text): every target of the run's network checked against its measured numbers."""
    if result["error"]:
        return False, f"FAILED ({result['error']})"
    checks = TARGETS.get(result["hidden"])
    if checks is None:
        return True, "- (no target for this network)"
    failed, parts = False, []
    for measurement, comparison, target in checks:
        value = result[measurement]
        held = value is not None and COMPARE[comparison](value, target)
        failed |= not held
        parts.append(f"{measurement} {percent(value)} {comparison} {target:g}%"
                     + ("" if held else " NO"))
    return not failed, f"{'MISSED' if failed else 'met'} ({', '.join(parts)})"


def network(hidden):
    return [math.prod(IMAGE_SHAPE), *hidden, N_CLASSES]


def percent(value):
    return "-" if value is None else f"{value:.2f}%"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n", 2)[2])
    parser.add_argument("--data-dir", type=Path, default=REPO / "data",
                        help="folder with the MNIST files (default: data/ in the repository)")
    parser.add_argument("--seeds", type=seed_list, default=[0, 1, 2],
                        help="comma-separated seeds (default: 0,1,2)")
    parser.add_argument("--hidden-sets", nargs="+", type=hidden_sizes,
                        default=[hidden_sizes(words) for words in DEFAULT_HIDDEN_SETS],
                        help="one network per word, its hidden layers joined by commas "
                             f"(default: {' '.join(DEFAULT_HIDDEN_SETS)})")
    parser.add_argument("--jobs", type=int, default=1,
                        help="runs at once (default: 1; more make every run slower)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    args.data_dir = args.data_dir.resolve()
    return args


def seed_list(text):
    try:
        return [int(word) for word in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give whole numbers joined by commas, "
                                         "e.g. 0,1,2")


def hidden_sizes(text):
    try:
        return tuple(int(word) for word in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give layer sizes joined by commas, "
                                         "e.g. 300,100")


if __name__ == "__main__":
    sys.exit(main())
