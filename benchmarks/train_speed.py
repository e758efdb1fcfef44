"""
How fast does lesson 05 train, against this machine's limit and against PyTorch?

Measured in one run, as ratios taken side by side (on a shared machine absolute times drift;
ratios measured a second apart hold):
  1. the machine's float32 matrix-multiply peak through NumPy (the best of several large products);
  2. epochs of 05's own train_epoch (05 loaded with support/lessons.py) at several batch sizes, on
     the 50,000 MNIST images 05 trains on: seconds, GFLOP/s, and the ratio to the compute-bound
     time (the epoch's matrix products at the peak). A layer of n_in inputs and n_out outputs
     costs, per image, 2 n_in n_out operations forward (a @ W), as many for its weight gradient
     (a.T @ delta) and, in every layer but the first, as many to send the error back
     (delta @ W.T); element-wise work is left out, so the compute-bound time is a floor;
  3. beside each, the same model in PyTorch when it is importable (05's starting weights, batches
     and per-layer rates; sigmoid, mean-over-entries MSE, plain SGD), one step of it checked
     against one step of 05 before anything is timed;
  4. how long 05's default run takes to reach 97% validation accuracy, and its peak memory.
It prints a Markdown report and writes it to benchmarks/results/YYYY-MM-DD.md. Run it from the
repository root: `python benchmarks/train_speed.py` (about half a minute; --quick, a few seconds);
`pip install -r benchmarks/requirements.txt` adds the optional PyTorch (CPU) baseline.
"""
import argparse
import datetime
import importlib.util
import os
import platform
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:           # support/ is found beside the lessons
    sys.path.insert(0, str(REPO))
from support.arguments import positive_int  # noqa: E402  (these import no NumPy)
from support.lessons import LessonMissing, load_lesson  # noqa: E402
from support.threads import BLAS_THREAD_VARIABLES  # noqa: E402  (one BLAS thread from here on)
from support.mnist import N_CLASSES  # noqa: E402

# NumPy is imported after the lesson (load_training_code): 05 asks for its BLAS threads before
# NumPy loads, and that only takes effect if this process has not loaded NumPy first.
np = None

USED = ["new_network", "layer_rates", "train_epoch", "to_inputs", "evaluate", "split_validation",
        "LEARNING_RATE", "BATCH_SIZE", "HIDDEN", "EPOCHS", "NETWORK_DTYPE"]   # 05's names used
GOAL_ACCURACY = 0.97
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
TWIN_TOLERANCE = 1e-5  # largest difference allowed between one step of 05 and one of PyTorch


class BenchmarkError(Exception):
    """Something the user can fix; the message says what and how."""


def batch_sizes_arg(text):
    """argparse type: comma-separated whole numbers >= 1, or 'default' (05's BATCH_SIZE)."""
    sizes = [part.strip() for part in text.split(",")]
    for part in sizes:
        if part != "default" and (not part.isdigit() or int(part) < 1):
            raise argparse.ArgumentTypeError(f"{part!r} is not a batch size: give whole numbers "
                                             ">= 1 or 'default', e.g. 10,32,default,128")
    return [part if part == "default" else int(part) for part in sizes]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--epochs", type=positive_int, help="epochs timed, the fastest counts (2; quick: 1)")
    add("--batch-sizes", type=batch_sizes_arg, metavar="LIST", help="comma-separated; 'default' "
        "is 05's BATCH_SIZE (default: 10,32,default,128,256; quick: 32,default)")
    add("--samples", type=positive_int, help="time epochs of the first SAMPLES training images, "
        "scaled to a full epoch (default: all 50000; quick: 2000)")
    add("--data-dir", type=Path, default=REPO / "data", help="the MNIST files' folder (data/)")
    add("--quick", action="store_true", help="rough numbers in a few seconds")
    add("--no-torch", action="store_true", help="skip the PyTorch baseline")
    add("--no-memory", action="store_true", help="skip the peak-memory run")
    add("--results-dir", type=Path, default=Path(__file__).parent / "results",
        help="the report's folder (benchmarks/results/)")
    add("--module", type=Path, default=REPO / "05_train_mnist.py", help="the training code to "
        "measure (default: 05_train_mnist.py); a changed copy measures a proposed change")
    add("--seed", type=int, default=0, help="seed of the weights and the shuffling (0)")
    add("--peak-child", help=argparse.SUPPRESS)   # the all-cores matmul peak, in a subprocess
    args = parser.parse_args(argv)
    args.epochs = args.epochs or (1 if args.quick else 2)
    args.batch_sizes = args.batch_sizes or (["default", 32] if args.quick
                                            else [10, 32, "default", 128, 256])
    args.samples = args.samples or (2000 if args.quick else None)
    args.peak_n, args.peak_repeats = (1024, 3) if args.quick else (2048, 7)
    return args


def load_training_code(path):
    """Lesson 05, or the copy at `path`, by support/lessons.py's load_lesson, checked for the
    names the benchmark uses; then NumPy, after the lesson has chosen its BLAS threads."""
    try:
        module = load_lesson(path)
    except LessonMissing as error:
        raise BenchmarkError(f"cannot load {path}: {error}; or give the lesson with --module")
    missing = [name for name in USED if not hasattr(module, name)]
    if missing:
        raise BenchmarkError(f"{Path(path).name} lacks {', '.join(missing)}: give a file with "
                             "05's training code and settings with --module PATH")
    global np
    import numpy as np
    return module


# --- The machine ----------------------------------------------------------------------------------
def matmul_peak(n, repeats):
    """Best GFLOP/s of an (n, n) @ (n, n) float32 product, 2 n^3 operations. The best, not the
    mean: on a shared machine a disturbance only ever makes a product slower."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    a @ b                               # warm up: threads started, pages touched
    return 2 * n ** 3 / min(timeit.repeat(lambda: a @ b, number=1, repeat=repeats)) / 1e9


def all_cores_peak(n, repeats, cores):
    """matmul_peak in a subprocess whose BLAS may use every core (05 asks this one for fewer)."""
    env = dict(os.environ, **{name: str(cores) for name in BLAS_THREAD_VARIABLES})
    result = subprocess.run([sys.executable, __file__, "--peak-child", f"{n},{repeats}"],
                            capture_output=True, text=True, timeout=600, env=env)
    if result.returncode != 0:
        raise BenchmarkError(f"the matmul-peak subprocess failed:\n{result.stderr.strip()}")
    return float(result.stdout.split()[-1])


def epoch_flops(sizes, n_samples):
    """Floating-point operations of the matrix products of one epoch (see the docstring above)."""
    layers = list(zip(sizes[:-1], sizes[1:]))
    forward = 2 * sum(n_in * n_out for n_in, n_out in layers)
    return n_samples * (2 * forward + 2 * sum(n_in * n_out for n_in, n_out in layers[1:]))


# --- Epochs of 05's train_epoch, and of the same model in PyTorch --------------------------------
def fastest(epoch, epochs):
    """Seconds of the fastest of `epochs` calls of epoch(), and what the first call returned."""
    times, results = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        results.append(epoch())
        times.append(time.perf_counter() - start)
    return min(times), results[0]


def time_numpy_epochs(module, sizes, data, batch_size, epochs, seed):
    """Seconds of the fastest of `epochs` epochs of 05's train_epoch; the first one's mean loss."""
    net = module.new_network(sizes, seed)
    rates, rng = module.layer_rates(net, module.LEARNING_RATE), np.random.default_rng(seed)
    return fastest(lambda: module.train_epoch(net, *data, batch_size, rates, rng)[0], epochs)


def torch_twin(torch, module, net):
    """PyTorch's copy of 05's network `net` and of its step, in 05's NETWORK_DTYPE: (weights,
    biases, step, dtype). step(X, Y) does what 05's step does: sigmoid on every layer, MSE averaged
    over every entry, then plain SGD, each layer in a parameter group at 05's rate for it. It
    returns (loss, output before the step)."""
    dtype = getattr(torch, np.dtype(module.NETWORK_DTYPE).name)
    weights = [torch.tensor(W, dtype=dtype, requires_grad=True) for W in net.weights]
    biases = [torch.tensor(b, dtype=dtype, requires_grad=True) for b in net.biases]
    rates = module.layer_rates(net, module.LEARNING_RATE)
    optimizer = torch.optim.SGD([{"params": [W, b], "lr": rate}
                                 for W, b, rate in zip(weights, biases, rates)], lr=rates[0])

    def step(X, Y):
        a = X
        for W, b in zip(weights, biases):
            a = torch.sigmoid(a @ W + b)
        loss = torch.mean((a - Y) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss, a
    return weights, biases, step, dtype


def twin_step_difference(torch, module, sizes, data, batch_size, seed):
    """The largest difference, over every weight, bias and the loss, between one step of 05 and
    one of its twin on the same batch. 05's is train_epoch on that one batch, whose rows it
    shuffles: that changes no gradient."""
    images, labels = data[0][:batch_size], data[1][:batch_size]
    net = module.new_network(sizes, seed)
    weights, biases, step, dtype = torch_twin(torch, module, net)
    loss, _ = module.train_epoch(net, images, labels, batch_size,
                                 module.layer_rates(net, module.LEARNING_RATE),
                                 np.random.default_rng(seed))
    Y = torch.nn.functional.one_hot(torch.from_numpy(labels.astype(np.int64)), N_CLASSES)
    twin_loss, _ = step(torch.from_numpy(module.to_inputs(images)).to(dtype), Y.to(dtype))
    gaps = [float(np.max(np.abs(P - T.detach().numpy())))
            for P, T in zip(net.weights + net.biases, weights + biases)]
    return max(gaps + [abs(loss - twin_loss.item())])


def time_torch_epochs(torch, module, sizes, data, batch_size, epochs, seed):
    """The twin's epochs, run as train_epoch runs 05's (the same permutations from the same
    generator; gather uint8 images, scale to [0, 1], one-hot targets, count the correct answers):
    seconds of the fastest, and the first one's mean loss."""
    _weights, _biases, step, dtype = torch_twin(torch, module, module.new_network(sizes, seed))
    pixels = torch.from_numpy(data[0].reshape(len(data[0]), -1))    # (N, 784) uint8, no copy
    targets = torch.from_numpy(data[1].astype(np.int64))
    rng = np.random.default_rng(seed)

    def epoch():
        order = torch.from_numpy(rng.permutation(len(pixels)))
        total_loss, correct = 0.0, 0
        for first in range(0, len(pixels), batch_size):
            idx = order[first:first + batch_size]
            y = targets[idx]
            loss, a = step(pixels[idx].to(dtype).div_(255),
                           torch.nn.functional.one_hot(y, N_CLASSES).to(dtype))
            total_loss += loss.item() * len(idx)
            correct += int((a.argmax(dim=1) == y).sum())
        return total_loss / len(pixels)
    return fastest(epoch, epochs)


# --- The time to 97% validation accuracy, and the peak memory of a run ---------------------------
def time_to_accuracy(module, sizes, train, validation, seed):
    """05's default training for up to EPOCHS epochs: [(validation accuracy, training seconds so
    far)] after each, up to the first at GOAL_ACCURACY. Only train_epoch is timed."""
    net = module.new_network(sizes, seed)
    rates, rng = module.layer_rates(net, module.LEARNING_RATE), np.random.default_rng(seed)
    seconds, epochs = 0.0, []
    while len(epochs) < module.EPOCHS and (not epochs or epochs[-1][0] < GOAL_ACCURACY):
        start = time.perf_counter()
        module.train_epoch(net, *train, module.BATCH_SIZE, rates, rng)
        seconds += time.perf_counter() - start
        epochs.append((module.evaluate(net, *validation)[0], seconds))
    return epochs


def measure_memory(module_path, data_dir, samples, seed):
    """Peak resident MB of 05 run as a script for one epoch (data, training, evaluation, model
    file, figures; more epochs reuse the same arrays), None on Windows. RUSAGE_CHILDREN is the
    largest peak of all children, and on Linux a child's starts at its parent's size: so this is
    the first child, started before the benchmark reads any data."""
    limit = ["--train-limit", str(samples)] if samples else []
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))   # support/, for a copy of 05
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, str(Path(module_path).resolve()), "--data-dir", str(data_dir),
             "--epochs", "1", "--seed", str(seed), "--model", str(Path(tmp) / "model.npz"),
             "--figures-dir", str(Path(tmp) / "figures"), *limit],
            capture_output=True, text=True, timeout=900, env=env, cwd=tmp)
    if result.returncode != 0:
        raise BenchmarkError(f"the peak-memory run of {Path(module_path).name} failed:\n"
                             f"{result.stderr.strip()}")
    if importlib.util.find_spec("resource") is None:
        return None
    import resource
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss   # bytes on macOS, else kB
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


# --- Putting it together --------------------------------------------------------------------------
def run(args):
    started = time.perf_counter()
    module = load_training_code(args.module)
    # 05 sets every thread variable unless the user did; the first one set is the training's
    threads = next((int(os.environ[name]) for name in BLAS_THREAD_VARIABLES
                    if os.environ.get(name, "").isdigit()), CORES)
    r = {"memory": None, "torch": None, "load": os.getloadavg()[0] if hasattr(os, "getloadavg")
         else float("nan")}                                 # before we add to it
    from support.mnist import MNIST_DIGESTS, MnistError, load_mnist
    if not all((args.data_dir / name).is_file() or (args.data_dir / f"{name}.gz").is_file()
               for name in MNIST_DIGESTS):      # looked at, not read: see measure_memory
        raise BenchmarkError(f"cannot use --data-dir {args.data_dir}: MNIST is not there; python "
                             f"05_train_mnist.py --download-only --data-dir {args.data_dir}")
    if not args.no_memory:
        print("peak memory of 05 run for one epoch ...", flush=True)
        r["memory"] = measure_memory(args.module, args.data_dir, args.samples, args.seed)
    try:
        train, validation = module.split_validation(*load_mnist(args.data_dir)[0])
    except MnistError as error:
        raise BenchmarkError(f"cannot use --data-dir {args.data_dir}: {error}") from None
    r["n_train"], r["n_val"] = len(train[0]), len(validation[0])
    r["samples"] = min(args.samples or r["n_train"], r["n_train"])
    subset = (train[0][:r["samples"]], train[1][:r["samples"]])
    r["sizes"] = sizes = [train[0][0].size, *module.HIDDEN, N_CLASSES]
    if not args.no_torch and importlib.util.find_spec("torch"):
        import torch
        torch.set_num_threads(threads)
        r["torch"] = f"{torch.__version__}, {torch.get_num_threads()} thread(s) as NumPy's BLAS"
        r["gap"] = twin_step_difference(torch, module, sizes, subset, module.BATCH_SIZE, args.seed)
        if not r["gap"] <= TWIN_TOLERANCE:
            raise BenchmarkError(f"one PyTorch step differs from one step of {args.module.name} by "
                                 f"{r['gap']:.1e}, more than {TWIN_TOLERANCE:g}: make torch_twin "
                                 "do what the lesson's step does")
    print(f"float32 matmul peak, ({args.peak_n}, {args.peak_n}) products ...", flush=True)
    r["peak_here"] = matmul_peak(args.peak_n, args.peak_repeats)
    r["peak_all"] = all_cores_peak(args.peak_n, args.peak_repeats, CORES)
    # Large products scale almost perfectly with cores (241 against 129 GFLOP/s here, idle)
    r["peak"] = max(r["peak_all"], r["peak_here"] * CORES / threads)
    r["rows"] = []
    for batch_size in sorted({module.BATCH_SIZE if b == "default" else b
                              for b in args.batch_sizes}):  # NumPy and PyTorch a second apart
        print(f"batch size {batch_size} ...", flush=True)
        r["rows"].append([batch_size, *time_numpy_epochs(module, sizes, subset, batch_size,
                                                         args.epochs, args.seed)])
        if r["torch"]:
            r["rows"][-1] += time_torch_epochs(torch, module, sizes, subset, batch_size,
                                               args.epochs, args.seed)
    print(f"05's default run until {GOAL_ACCURACY:.0%} validation accuracy ...", flush=True)
    r["goal"] = time_to_accuracy(module, sizes, train, validation, args.seed)
    r["elapsed"] = time.perf_counter() - started
    text = report(args, module, r, threads)
    print(f"\n{text}")
    print(f"report written: {write_report(text, args.results_dir)}")


def write_report(text, folder):
    """Write the report as folder/YYYY-MM-DD.md; returns its path."""
    path = Path(folder) / f"{datetime.date.today().isoformat()}.md"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BenchmarkError(f"cannot write {path}: {error}; choose another --results-dir")
    return path


def report(args, module, r, threads):
    """The Markdown report of a run's numbers `r`."""
    scale, flops = r["n_train"] / r["samples"], epoch_flops(r["sizes"], r["n_train"])
    bound = flops / (r["peak"] * 1e9)
    seconds = lambda s: f"{s:.2f}" if s >= 0.1 else f"{s:.3f}"  # noqa: E731
    rates = ", ".join(f"{rate:g}" for rate in module.layer_rates(
        module.new_network(r["sizes"], args.seed), module.LEARNING_RATE))
    torch_note = r["torch"] or ("skipped (--no-torch)" if args.no_torch else "not importable, "
                                "so no baseline (pip install -r benchmarks/requirements.txt)")
    lines = [f"# Training speed of {Path(args.module).name}, {datetime.date.today()}", "",
             f"Command: `python benchmarks/train_speed.py {' '.join(sys.argv[1:])}`  ",
             f"Run took {r['elapsed']:.0f} s.", "", "## Machine", "",
             f"- {CORES} of {os.cpu_count()} cores usable ({platform.machine()}), load "
             f"{r['load']:.1f} at the start; Python {platform.python_version()}, NumPy "
             f"{np.__version__}, {threads} BLAS thread(s) for the training",
             f"- PyTorch: {torch_note}", "", "## Setup", "",
             f"- network {r['sizes']} ({np.dtype(module.NETWORK_DTYPE).name}, built by 05's "
             f"new_network), learning rate {module.LEARNING_RATE:g} (per layer: {rates}), "
             f"05's default batch size {module.BATCH_SIZE}", f"- data: MNIST from {args.data_dir}",
             f"- each time is the fastest of {args.epochs} epoch(s) on {r['samples']} training "
             "images" + (f", scaled by {r['n_train']}/{r['samples']} to a full epoch "
                         "(**extrapolated**)" if scale > 1 else " (a full epoch)"),
             f"- float32 matmul peak: **{r['peak']:.1f} GFLOP/s** on {CORES} core(s), "
             f"{r['peak_here']:.1f} with the training's {threads} thread(s)" + (
                 "" if r["peak"] == r["peak_all"] else f"; all cores gave only "
                 f"{r['peak_all']:.1f}, being busy, so the peak is {CORES}/{threads} × "
                 "the training's")
             + f"; best of {args.peak_repeats} ({args.peak_n}, {args.peak_n}) products",
             f"- work of one epoch (matrix products only): {flops / 1e9:.2f} GFLOP, so the "
             f"compute-bound epoch time is {seconds(bound)} s", "", "## Results", "",
             "| batch size | NumPy s/epoch | µs/step | GFLOP/s | × compute-bound "
             "| PyTorch s/epoch | NumPy / PyTorch | loss after 1st epoch (NumPy / PyTorch) |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for batch, numpy_s, loss, *twin in r["rows"]:
        cells = (f"{seconds(twin[0] * scale)} | {numpy_s / twin[0]:.2f} | {loss:.5f} / "
                 f"{twin[1]:.5f}" if twin else f"n/a | n/a | {loss:.5f}")
        lines.append(f"| {batch}{' (default)' * (batch == module.BATCH_SIZE)} | "
                     f"{seconds(numpy_s * scale)} | "
                     f"{numpy_s / -(-r['samples'] // batch) * 1e6:.0f} | "   # µs per step
                     f"{flops / numpy_s / scale / 1e9:.1f} | {numpy_s * scale / bound:.1f} | "
                     f"{cells} |")
    lines += ["", "- one PyTorch step against one step of 05: " + (
        f"largest difference {r['gap']:.1e} over every weight, bias and the loss (at most "
        f"{TWIN_TOLERANCE:g} allowed)" if r["torch"] else "not checked (no PyTorch)"),
        "", f"## Time to {GOAL_ACCURACY:.0%} validation accuracy (05's defaults)", ""]
    (accuracy, spent), n = r["goal"][-1], len(r["goal"])
    lines += [f"- {'reached' if accuracy >= GOAL_ACCURACY else '**not reached**'} after **{n} "
              f"epoch(s)** and **{spent:.1f} s** of training on all {r['n_train']} training "
              f"images, seed {args.seed} (the seconds count training only)",
              f"- accuracy on the {r['n_val']} validation images after each epoch: "
              + ", ".join(f"{a:.2%}" for a, _ in r["goal"])]
    lines += ["", "## Peak memory of 05 run for one epoch", "",
              f"- peak RSS **{r['memory']:.0f} MB** (getrusage(RUSAGE_CHILDREN)), 05 run with "
              "--epochs 1" + (f" --train-limit {args.samples}" if args.samples else "")
              if r["memory"] else "- not measured: " + (
                  "--no-memory" if args.no_memory else "no resource module on this system")]
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.peak_child:
            load_training_code(args.module)
            print(matmul_peak(*map(int, args.peak_child.split(","))))
        else:
            run(args)
    except BenchmarkError as error:
        sys.exit(f"error: {error}")
    except KeyboardInterrupt:
        sys.exit("interrupted: no report written")


if __name__ == "__main__":
    main()
