"""
How fast does lesson 05 train, measured against this machine's limit and against PyTorch?

Learners ask "is NumPy slow?" and "how far from the hardware is this?". This script answers with
numbers it measures itself, in one process, as ratios taken side by side (absolute times on a shared
machine drift; ratios measured a second apart hold much better):

  1. the machine's float32 matrix-multiply peak through NumPy (large square matmuls, best of
     several);
  2. epochs of 05's own train_epoch (loaded by path as the lessons load each other, never copied)
     at several batch sizes, on the 50,000 training images 05 trains on (the last 10,000 are its
     validation set);
  3. the floating-point work of one epoch, counted from the architecture, hence the achieved
     GFLOP/s and the ratio epoch time / compute-bound time (the time the matrix products would take
     at the peak);
  4. the same model trained with PyTorch on the CPU, when it is importable: same sizes, same initial
     weights and biases (copied from 05's new_network), same batches, the same learning rate for
     each layer (05's layer_rates), float32, sigmoid + mean-over-entries MSE, plain SGD; one step
     of it is checked against one step of 05 before anything is timed;
  5. the peak resident memory of a default training run, in a subprocess (standard library only);
  6. where the time of one training step goes: matrix products, element-wise work, everything else;
  7. with real MNIST, how long 05's default run takes to reach 97% validation accuracy: epochs and
     seconds of training.

It prints one report and writes the same Markdown to benchmarks/results/YYYY-MM-DD.md.

Counting the work
    A layer with n_in inputs and n_out outputs does, for each sample,
      forward:   z = a @ W            n_in * n_out multiply-adds = 2 n_in n_out floating-point
                                      operations
      backward:  grad_W = a.T @ delta the same again
                 delta_prev = delta @ W.T   the same again, for every layer but the first (nothing
                                            needs the error at the input pixels)
    Element-wise work (sigmoid, bias, loss) is ignored: it is small next to the products for
    784-pixel inputs, and the compute-bound time is meant as a floor, not a prediction.

Run (from the repository root)
    python benchmarks/train_speed.py                       # about a minute
    python benchmarks/train_speed.py --quick               # a few seconds, rough numbers
    python benchmarks/train_speed.py --batch-sizes 10,32,default,128,256 --epochs 2 --data-dir data
    pip install -r benchmarks/requirements.txt             # optional: PyTorch (CPU) baseline
"""
import argparse
import contextlib
import copy
import datetime
import io
import json
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
from support.lessons import LessonMissing, load_lesson  # noqa: E402  (imports no NumPy)
from support.arguments import positive_int  # noqa: E402  (nor do these)
from support.threads import BLAS_THREAD_VARIABLES  # noqa: E402

# NumPy is imported in main(), after the lesson: 05 chooses the number of BLAS threads before it
# imports NumPy, and that choice only takes effect if this process has not loaded NumPy (and its
# BLAS) first. The same goes for support.mnist, which imports NumPy.
np = None

DEFAULT_MODULE = REPO / "05_train_mnist.py"
DEFAULT_DATA_DIR = REPO / "data"
DEFAULT_RESULTS_DIR = Path(__file__).resolve().parent / "results"
REQUIRED = ["new_network", "layer_rates", "gradient_step", "split_validation", "to_inputs",
            "train_epoch", "evaluate", "one_hot", "EPOCHS", "BATCH_SIZE", "LEARNING_RATE",
            "HIDDEN", "NETWORK_DTYPE"]
# What the step breakdown times besides 05's own code: from the earlier lessons beside it, the very
# functions its gradient_step (lesson 04b's) calls.
FROM_EARLIER = {"sigmoid": "01_single_neuron", "mse_loss": "03_loss_function"}
N_CLASSES = 10
TRAIN_SHAPE = (60000, 28, 28)   # 05 holds the last 10,000 out for validation
TARGETS = {"compute": 3.0, "torch": 0.6, "rss_mb": 300}   # at the default batch size
GOAL_ACCURACY = 0.97   # the validation accuracy whose epochs and seconds the report gives
TWIN_TOLERANCE = 1e-5  # largest difference allowed between one step of 05 and one of the twin


class BenchmarkError(Exception):
    """Something the user can fix; the message says what and how."""


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------
def batch_sizes_arg(text):
    """argparse type: comma-separated whole numbers >= 1, or the word 'default' (05's
    BATCH_SIZE)."""
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if part == "default":
            sizes.append(part)
            continue
        if not part.isdigit() or int(part) < 1:
            raise argparse.ArgumentTypeError(
                f"{part!r} is not a batch size: give whole numbers >= 1 or 'default', "
                "e.g. 10,32,default,128")
        sizes.append(int(part))
    return sizes


def make_parser():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="epochs timed per batch size and framework; the fastest counts "
                             "(default: 2, quick: 1)")
    parser.add_argument("--batch-sizes", type=batch_sizes_arg, default=None, metavar="LIST",
                        help="comma-separated batch sizes; 'default' means 05's BATCH_SIZE "
                             "(default: 10,32,default,128,256; quick: 32,default)")
    parser.add_argument("--samples", type=positive_int, default=None,
                        help="time each epoch on the first SAMPLES training images and scale the "
                             "time to a full epoch (default: all 50000; quick: 2000)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the four MNIST files (default: data/ of the repository; "
                             "when MNIST is not there, random images of the same shapes are used "
                             "instead)")
    parser.add_argument("--random-data", action="store_true",
                        help="use random images of MNIST's shapes even when MNIST is present")
    parser.add_argument("--quick", action="store_true",
                        help="tiny settings for a smoke test: rough numbers in a few seconds")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch baseline")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocess")
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS_DIR,
                        help="where the Markdown report goes (default: benchmarks/results/)")
    parser.add_argument("--module", type=Path, default=DEFAULT_MODULE,
                        help="the training code to measure (default: 05_train_mnist.py of the "
                             "repository); point it at a modified copy to measure a proposed "
                             "change")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for the weights and the shuffling (default: 0)")
    # internal: the peak-memory subprocess, and the all-cores matmul peak
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    parser.add_argument("--peak-child", help=argparse.SUPPRESS)
    return parser


def settle_settings(args, module):
    """Fill in the defaults that depend on --quick and on 05's settings."""
    quick = args.quick
    args.epochs = args.epochs or (1 if quick else 2)
    args.batch_sizes = args.batch_sizes or (["default", 32] if quick
                                            else [10, 32, "default", 128, 256])
    sizes = [module.BATCH_SIZE if b == "default" else b for b in args.batch_sizes]
    args.batch_sizes = sorted(set(sizes))
    args.samples = args.samples or (2000 if quick else None)
    args.peak_n, args.peak_repeats = (1024, 3) if quick else (2048, 7)
    return args


# --------------------------------------------------------------------------------------------------
# The code under test: 05_train_mnist.py, loaded by path
# --------------------------------------------------------------------------------------------------
def load_training_module(path):
    """Load the lesson by path, as the lessons load each other (support/lessons.py: its name
    starts with a digit, so `import` can't), with the earlier lessons beside it that it builds on,
    and check its API."""
    path = Path(path)
    if not path.is_file():
        raise BenchmarkError(f"{path} does not exist; give the lesson file with --module PATH")
    try:
        module = load_lesson(path)
        earlier = {name: load_lesson(path.parent / f"{lesson}.py")
                   for name, lesson in FROM_EARLIER.items()}
    except LessonMissing as error:
        raise BenchmarkError(f"cannot load {path}: {error}") from None
    import_numpy()                      # after the lesson, which may set BLAS threads first
    missing = ([name for name in REQUIRED if not hasattr(module, name)]
               + [f"{Path(earlier[name].__file__).name}'s {name}" for name in FROM_EARLIER
                  if not hasattr(earlier[name], name)])
    if missing:
        raise BenchmarkError(f"{path.name} lacks {', '.join(missing)}: the benchmark needs 05's "
                             "training code and settings; measure a file that has them with "
                             "--module PATH")
    return module


def from_earlier_lesson(module, name):
    """sigmoid or mse_loss from the earlier lesson beside `module` (FROM_EARLIER), the one the
    lesson trains with."""
    return getattr(load_lesson(Path(module.__file__).parent / f"{FROM_EARLIER[name]}.py"), name)


def network_sizes(module, n_inputs):
    return [n_inputs, *module.HIDDEN, N_CLASSES]


def new_network(module, n_inputs, seed):
    """The network 05 trains, built by 05's own new_network (its weight type, its output biases)."""
    return module.new_network(network_sizes(module, n_inputs), seed)


def load_data(module, data_dir, random_data, seed):
    """((x_train, y_train), (x_val, y_val)) as uint8, split as 05 splits them with
    split_validation, and a note saying where they came from.

    Real MNIST when it is in data_dir; otherwise random images of the same shapes, which cost the
    same to train on (the arithmetic does not depend on the pixel values). An explicit --data-dir
    that does not hold MNIST is an error, not a silent switch to random data.
    """
    from support.mnist import MnistError, load_mnist    # after NumPy's BLAS threads are set
    explicit = data_dir is not None
    data_dir = Path(data_dir) if explicit else DEFAULT_DATA_DIR
    if not random_data:
        try:
            (x_train, y_train), _test = load_mnist(data_dir)
            return module.split_validation(x_train, y_train), f"MNIST from {data_dir}"
        except MnistError as error:
            if explicit:
                raise BenchmarkError(f"cannot use --data-dir {data_dir}: {error}") from None
    rng = np.random.default_rng(seed)
    data = module.split_validation(rng.integers(0, 256, TRAIN_SHAPE, dtype=np.uint8),
                                   rng.integers(0, N_CLASSES, TRAIN_SHAPE[0]))
    why = "--random-data" if random_data else f"MNIST is not in {data_dir}"
    return data, f"random uint8 images of MNIST's shapes ({why})"


# --------------------------------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------------------------------
def blas_name():
    """The BLAS NumPy calls for matrix products, as threadpoolctl or numpy.show_config() reports
    it."""
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                return (f"{pool.get('internal_api')} {pool.get('version')} "
                        f"({pool.get('architecture')}, {pool.get('num_threads')} thread(s), "
                        "via threadpoolctl)")
    except ImportError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = f"{blas.get('name')} {blas.get('version', '')} (numpy.show_config)"
        return name.replace("  ", " ")
    except (TypeError, KeyError):  # NumPy < 1.25 only prints its configuration
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            np.show_config()
        names = [word for word in ("openblas", "mkl", "accelerate", "blis", "atlas")
                 if word in text.getvalue().lower()]
        return (names[0] if names else "unknown") + " (numpy.show_config)"


def blas_threads():
    """(threads NumPy's BLAS uses, how we know). threadpoolctl asks the library; else the usual
    variables."""
    try:
        from threadpoolctl import threadpool_info
        threads = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
        if threads:
            return threads[0], "threadpoolctl"
    except ImportError:
        pass
    for name in BLAS_THREAD_VARIABLES:
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name]), f"${name}"
    return usable_cores(), "assumed: one per usable core (install threadpoolctl to ask the library)"


def usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def load_average():
    try:
        return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def busy_warning():
    """A warning when other programs already keep the cores busy: BLAS threads then wait for each
    other and small matrix products can take 100 times longer, so every time in the report means
    little."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return None
    if load > 0.5 * usable_cores():
        return (f"the machine was busy before this run started (load {load:.1f} on "
                f"{usable_cores()} cores): times are unreliable; re-run when it is idle")
    return None


def machine_facts(threads, threads_source):
    return {
        "cores": f"{usable_cores()} usable of {os.cpu_count()}",
        "CPU": cpu_model(),
        "load average at start (1, 5, 15 min)": load_average(),
        "Python": platform.python_version(),
        "NumPy": np.__version__,
        "BLAS": blas_name(),
        "BLAS threads": f"{threads} ({threads_source})",
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "not set"),
    }


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


# --------------------------------------------------------------------------------------------------
# 1. The matrix-multiply peak
# --------------------------------------------------------------------------------------------------
def machine_peak(n, repeats, cores):
    """The matmul peak with every core, measured in a subprocess whose BLAS is told to use them all
    (05 may ask for fewer threads in this process; the machine's limit does not depend on that)."""
    env = dict(os.environ, **{name: str(cores) for name in BLAS_THREAD_VARIABLES})
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()),
                             "--peak-child", f"{n},{repeats}"],
                            capture_output=True, text=True, timeout=600, env=env)
    if result.returncode != 0:
        raise BenchmarkError(f"the matmul-peak subprocess failed:\n{result.stderr.strip()}")
    return float(result.stdout.strip().splitlines()[-1])


def matmul_peak(n, repeats, budget=4.0):
    """Best GFLOP/s of an (n, n) @ (n, n) float32 product: 2 n^3 operations. The best, not the mean,
    because on a shared machine every disturbance makes a run slower, never faster; so we try
    `repeats` times, and keep trying (up to `budget` seconds) while the other cores look busy."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    a @ b  # warm up: threads started, pages touched
    times, started = [], time.perf_counter()
    while len(times) < repeats or (len(times) < 4 * repeats
                                   and time.perf_counter() - started < budget):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / min(times) / 1e9


# --------------------------------------------------------------------------------------------------
# 2 and 3. Epochs of 05's train_epoch, and the work they do
# --------------------------------------------------------------------------------------------------
def epoch_flops(sizes, n_samples):
    """Floating-point operations of the matrix products of one epoch (see the module docstring)."""
    layers = list(zip(sizes[:-1], sizes[1:]))
    forward = 2 * sum(n_in * n_out for n_in, n_out in layers)
    backward = forward + 2 * sum(n_in * n_out for n_in, n_out in layers[1:])
    return n_samples * (forward + backward)


def time_numpy_epochs(module, data, batch_size, epochs, seed):
    """Seconds of the fastest of `epochs` calls of 05's train_epoch, and the mean loss of the
    first."""
    images, labels = data
    net = new_network(module, images[0].size, seed)
    rng = np.random.default_rng(seed)
    times, losses = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        loss, _accuracy = module.train_epoch(net, images, labels, batch_size,
                                             module.layer_rates(net, module.LEARNING_RATE), rng)
        times.append(time.perf_counter() - start)
        losses.append(loss)
    return min(times), losses[0]


# --------------------------------------------------------------------------------------------------
# 4. The same model in PyTorch
# --------------------------------------------------------------------------------------------------
def import_torch():
    try:
        import torch
        return torch
    except ImportError:
        return None


def torch_twin(torch, net, rates):
    """The PyTorch twin of 05's network `net` and of its gradient_step: (weights, biases, step).

    Starts from copies of net's weights and biases (05's new_network set the output biases to the
    base rate; they are copied like everything else). step(X, Y) does what 05's gradient_step
    does: sigmoid on every layer, MSE averaged over every entry, then plain SGD with layer l's
    weights and biases in a parameter group of their own, at 05's rate for that layer; it returns
    (loss, output before the step).
    """
    weights = [torch.tensor(np.asarray(W, dtype=np.float32), requires_grad=True)
               for W in net.weights]
    biases = [torch.tensor(np.asarray(b, dtype=np.float32), requires_grad=True)
              for b in net.biases]
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
    return weights, biases, step


def twin_step_difference(torch, module, data, batch_size, seed):
    """The largest difference, over every weight, bias and the loss, between one step of 05's
    gradient_step and one step of the twin, from the same network on the same batch."""
    images, labels = data
    net = new_network(module, images[0].size, seed)
    rates = module.layer_rates(net, module.LEARNING_RATE)
    weights, biases, step = torch_twin(torch, net, rates)
    idx = np.random.default_rng(seed).permutation(len(images))[:batch_size]
    X = module.to_inputs(images[idx])                                    # (B, 784)
    Y = module.one_hot(labels[idx], N_CLASSES, module.NETWORK_DTYPE)    # (B, 10)
    loss, _output = module.gradient_step(net, X, Y, rates)
    twin_loss, _ = step(torch.from_numpy(np.asarray(X, dtype=np.float32)),
                        torch.from_numpy(np.asarray(Y, dtype=np.float32)))
    gaps = [float(np.max(np.abs(P - T.detach().numpy())))
            for P, T in zip(net.weights + net.biases, weights + biases)]
    return max(gaps + [abs(float(loss) - twin_loss.item())])


def time_torch_epochs(torch, module, data, batch_size, epochs, seed):
    """The PyTorch twin of 05's training: seconds of the fastest epoch, and the mean loss of the
    first.

    The same network (05's new_network with the same seed, copied), the same steps (torch_twin:
    each layer at 05's rate), the same shuffling (the same generator draws the same permutation),
    the same per-batch work (gather uint8 images, scale to [0, 1], one-hot targets), float32.
    """
    images, labels = data
    net = new_network(module, images[0].size, seed)
    _weights, _biases, step = torch_twin(torch, net,
                                         module.layer_rates(net, module.LEARNING_RATE))
    pixels = torch.from_numpy(images.reshape(len(images), -1))      # (N, 784) uint8, no copy
    targets = torch.from_numpy(labels.astype(np.int64))
    rng = np.random.default_rng(seed)
    times, losses = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(images)))
        total_loss, correct = 0.0, 0
        for first in range(0, len(images), batch_size):
            idx = order[first:first + batch_size]
            X = pixels[idx].float().div_(255)                               # (B, 784) float32
            y = targets[idx]
            Y = torch.nn.functional.one_hot(y, N_CLASSES).float()         # (B, 10)
            loss, a = step(X, Y)
            total_loss += loss.item() * len(idx)          # 05 reports these two as well
            correct += int((a.argmax(dim=1) == y).sum())
        times.append(time.perf_counter() - start)
        losses.append(total_loss / len(images))
    return min(times), losses[0]


# --------------------------------------------------------------------------------------------------
# 5. Peak memory of a default training run, in a subprocess
# --------------------------------------------------------------------------------------------------
def max_rss_bytes(who):
    """ru_maxrss is kB on Linux but bytes on macOS; None where the resource module does not
    exist."""
    try:
        import resource
    except ImportError:   # Windows
        return None
    value = resource.getrusage(who(resource)).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def memory_child(spec_json):
    """Runs in the subprocess: load the data, train one epoch at 05's defaults, evaluate on the
    10,000 validation images (as many as the test set).

    More epochs would not raise the peak (each reuses the same arrays). Prints the process's own
    peak after each stage as JSON, so the report can say which stage set it.
    """
    spec = json.loads(spec_json)
    own = lambda: max_rss_bytes(lambda r: r.RUSAGE_SELF)  # noqa: E731
    marks = {"Python + NumPy + lesson imported": None}
    module = load_training_module(spec["module"])
    marks["Python + NumPy + lesson imported"] = own()
    (x_train, y_train), (x_val, y_val) = load_data(module, spec["data_dir"],
                                                   spec["random_data"], spec["seed"])[0]
    x_train, y_train = x_train[:spec["samples"]], y_train[:spec["samples"]]
    marks["data loaded"] = own()
    net = new_network(module, x_train[0].size, spec["seed"])
    module.train_epoch(net, x_train, y_train, module.BATCH_SIZE,
                       module.layer_rates(net, module.LEARNING_RATE),
                       np.random.default_rng(spec["seed"]))
    marks["one epoch trained"] = own()
    module.evaluate(net, x_val, y_val)
    marks["validation set evaluated"] = own()
    print(json.dumps(marks))


MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte"]


def mnist_files_present(data_dir):
    """All four MNIST files are there (gzipped or not). Only looked at, not read: reading them here
    would raise this process's resident size, and on Linux a child's peak starts at its parent's."""
    return all((data_dir / name).is_file() or (data_dir / (name + ".gz")).is_file()
               for name in MNIST_FILES)


def measure_memory(args):
    """Peak RSS of a default training run in a subprocess, read with
    resource.getrusage(RUSAGE_CHILDREN).

    With real MNIST, the subprocess is the lesson itself run as a user runs it (figures and model
    file included, into a temporary folder), for one epoch: more epochs reuse the same arrays.
    Without MNIST it would download it, so instead a child of this script trains one epoch of
    train_epoch on random data and evaluates, reporting its own peak after each stage.
    RUSAGE_CHILDREN holds the largest peak of all children waited for so far, so this must be the
    first subprocess the benchmark starts (it is). Returns (peak bytes or None, stage marks, how,
    note).
    """
    before = max_rss_bytes(lambda r: r.RUSAGE_CHILDREN)
    parent = max_rss_bytes(lambda r: r.RUSAGE_SELF)
    data_dir = DEFAULT_DATA_DIR if args.data_dir is None else Path(args.data_dir)
    limit = ["--train-limit", str(args.samples)] if args.samples else []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.random_data and mnist_files_present(data_dir):
            command = [sys.executable, str(Path(args.module).resolve()),
                       "--data-dir", str(data_dir), "--epochs", "1",
                       "--seed", str(args.seed), "--model", str(Path(tmp) / "model.npz"),
                       "--figures-dir", str(Path(tmp) / "figures"), *limit]
            how = (f"`{' '.join([Path(args.module).name, '--epochs', '1', *limit])}` run as a "
                   "script, otherwise with its defaults (data loaded, trained, evaluated, model "
                   "saved, figures drawn)")
        else:
            spec = {"module": str(args.module),
                    "data_dir": None if args.data_dir is None else str(args.data_dir),
                    "random_data": args.random_data, "seed": args.seed, "samples": args.samples}
            command = [sys.executable, str(Path(__file__).resolve()),
                       "--memory-child", json.dumps(spec)]
            how = ("one epoch of train_epoch at 05's defaults on random data, then 10,000 images "
                   "evaluated (05 run as a script would try to download MNIST)")
        env = dict(os.environ, MPLBACKEND="Agg")
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env,
                                cwd=tmp)
    if result.returncode != 0:
        message = result.stderr.strip()
        # a problem the user can fix (say, --data-dir): pass it on as it is
        if message.startswith("error: "):
            raise BenchmarkError(message[len("error: "):])
        raise BenchmarkError(f"the peak-memory subprocess failed:\n{message}")
    marks = (json.loads(result.stdout.strip().splitlines()[-1]) if "--memory-child" in command
             else {})
    peak = max_rss_bytes(lambda r: r.RUSAGE_CHILDREN)
    if peak is None:
        return (None, marks, how,
                "the resource module does not exist on this system (Windows): not measured")
    note = "resource.getrusage(RUSAGE_CHILDREN).ru_maxrss " + (
        "(bytes on macOS)" if sys.platform == "darwin" else "(kB on Linux)")
    if before and before >= peak:
        note += (f"; an earlier child had already reached {before / 1e6:.0f} MB, so this is an "
                 "upper bound")
    if parent and parent >= peak:
        note += (f"; this process had {parent / 1e6:.0f} MB when it spawned the child "
                 "(a Linux child starts there)")
    return peak, marks, how, note


# --------------------------------------------------------------------------------------------------
# 6. Where the time of one training step goes
# --------------------------------------------------------------------------------------------------
def best_seconds(fn, repeat=7, budget=0.02):
    """Seconds per call of fn: the fastest of `repeat` rounds, each long enough (about `budget` s)
    to time."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(budget / once))
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def step_breakdown(module, data, batch_size, seed, repeat):
    """Time the operations of one training step separately, on one batch at the default batch size.

    Each piece re-runs exactly what the step runs (05's to_inputs and one_hot, lesson 01's
    sigmoid and lesson 03's mse_loss, and the expressions of Network.forward_all / backward_from /
    gradient_step, carried from 04b);
    the whole step is timed too, and what the pieces do not account for is Python's own overhead
    (calls, lists, checks).
    The whole step (the body of train_epoch's loop for this batch) is timed the same way, a moment
    apart, so that pieces and whole share the machine's conditions.
    Returns [(group, piece, seconds)] and the seconds of the whole step.
    """
    images, labels = data
    net = new_network(module, images[0].size, seed)
    idx = np.random.default_rng(seed).permutation(len(images))[:batch_size]
    rates = module.layer_rates(net, module.LEARNING_RATE)     # one learning rate per layer
    sigmoid, mse_loss = (from_earlier_lesson(module, name) for name in ("sigmoid", "mse_loss"))
    X = module.to_inputs(images[idx])
    Y = module.one_hot(labels[idx], N_CLASSES, module.NETWORK_DTYPE)
    # One forward and backward pass, keeping every intermediate, so each piece gets realistic
    # inputs.
    activations, zs = [X], []
    for W, b in zip(net.weights, net.biases):
        zs.append(activations[-1] @ W + b)
        activations.append(sigmoid(zs[-1]))
    output = activations[-1]
    deltas = [None] * len(net.weights)
    delta = 2 * (output - Y) / output.size * output * (1 - output)
    for l in range(len(net.weights) - 1, -1, -1):
        deltas[l] = delta
        if l > 0:
            delta = (delta @ net.weights[l].T) * activations[l] * (1 - activations[l])
    sent_back = {l: deltas[l] @ net.weights[l].T                     # delta @ W.T
                 for l in range(1, len(net.weights))}
    grads_W = [activations[l].T @ deltas[l] for l in range(len(net.weights))]
    grads_b = [d.sum(axis=0) for d in deltas]
    scratch = copy.deepcopy(net)   # the update pieces change weights; keep the step's net untouched
    layers = range(len(net.weights))
    t = lambda fn: best_seconds(fn, repeat)  # noqa: E731
    pieces = [
        ("matrix products", "forward a @ W",
         t(lambda: [activations[l] @ net.weights[l] for l in layers])),
        ("matrix products", "backward a.T @ delta",
         t(lambda: [activations[l].T @ deltas[l] for l in layers])),
        ("matrix products", "backward delta @ W.T",
         t(lambda: [deltas[l] @ net.weights[l].T for l in layers if l > 0])),
        ("element-wise", "sigmoid", t(lambda: [sigmoid(z) for z in zs])),
        ("element-wise", "sigmoid derivative and output error (delta)",
         t(lambda: [2 * (output - Y) / output.size * output * (1 - output)]
           + [sent_back[l] * activations[l] * (1 - activations[l]) for l in sent_back])),
        ("element-wise", "loss (mse_loss)", t(lambda: mse_loss(output, Y))),
        ("everything else", "batch: gather uint8 images, to_inputs, one_hot",
         t(lambda: (module.to_inputs(images[idx]),
                    module.one_hot(labels[idx], N_CLASSES, module.NETWORK_DTYPE)))),
        ("everything else", "bias add (z + b) and bias gradients (sum)",
         t(lambda: [zs[l] + net.biases[l] for l in layers]
           + [deltas[l].sum(axis=0) for l in layers])),
        ("everything else", "parameter update (W -= rate * grad)",
         t(lambda: [np.subtract(P, rate * G, out=P) for P, G, rate in
                    zip(scratch.weights + scratch.biases, grads_W + grads_b, rates + rates)])),
        ("everything else", "train_epoch's accuracy count (argmax, compare, sum)",
         t(lambda: int(np.sum(output.argmax(axis=1) == labels[idx])))),
    ]

    def whole_step():   # the body of train_epoch's loop, for this one batch
        Xb = module.to_inputs(images[idx])
        Yb = module.one_hot(labels[idx], N_CLASSES, module.NETWORK_DTYPE)
        _, output_b = module.gradient_step(scratch, Xb, Yb, rates)
        int(np.sum(output_b.argmax(axis=1) == labels[idx]))
    step = t(whole_step)
    rest = step - sum(seconds for _, _, seconds in pieces)
    pieces.append(("everything else", "the rest: Python's own work (calls, lists, checks)",
                   max(rest, 0.0)))
    return pieces, step


# --------------------------------------------------------------------------------------------------
# 7. How long the default run takes to reach 97% validation accuracy
# --------------------------------------------------------------------------------------------------
def time_to_accuracy(module, train, validation, seed, goal=GOAL_ACCURACY):
    """Train 05's default network as 05 does (its new_network, train_epoch, BATCH_SIZE,
    LEARNING_RATE, the same seed for weights and shuffling) for up to EPOCHS epochs on the whole
    training split, and measure the validation accuracy after each epoch.

    Returns (the first epoch whose validation accuracy reaches `goal`, or None, and the list of
    (epoch, validation accuracy, training seconds so far)). Only train_epoch is timed: the
    evaluation after each epoch measures, it does not train.
    """
    (x_train, y_train), (x_val, y_val) = train, validation
    net = new_network(module, x_train[0].size, seed)
    rng = np.random.default_rng(seed)
    seconds, epochs = 0.0, []
    for epoch in range(1, module.EPOCHS + 1):
        start = time.perf_counter()
        module.train_epoch(net, x_train, y_train, module.BATCH_SIZE,
                           module.layer_rates(net, module.LEARNING_RATE), rng)
        seconds += time.perf_counter() - start
        accuracy, _ = module.evaluate(net, x_val, y_val)
        epochs.append((epoch, accuracy, seconds))
        if accuracy >= goal:
            return epoch, epochs
    return None, epochs


def goal_lines(r):
    """The report's lines on the time to GOAL_ACCURACY."""
    if r.get("goal_epochs") is None:
        return [f"- {r['goal_note']}"]
    reached, epochs = r["goal"], r["goal_epochs"]
    per_epoch = ", ".join(f"{accuracy:.2%}" for _, accuracy, _ in epochs)
    if reached:
        seconds = epochs[reached - 1][2]
        head = (f"- reached {GOAL_ACCURACY:.0%} validation accuracy after **{reached} "
                f"epoch{'s' * (reached != 1)}** and **{seconds:.1f} s** of training")
    else:
        head = (f"- {GOAL_ACCURACY:.0%} validation accuracy **not reached in {len(epochs)} "
                f"epochs** ({epochs[-1][2]:.1f} s of training)")
    return [head, f"- validation accuracy after each epoch: {per_epoch}",
            f"- how: {r['goal_note']}"]


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------
def fmt_seconds(s):
    return f"{s:.2f}" if s >= 0.1 else f"{s:.3f}"


def verdict(ok):
    return "**met**" if ok else "**missed**"


def build_report(r):
    """The whole report as Markdown: one main table, then the memory and the step breakdown."""
    a = r["args"]
    lines = [f"# Training speed of 05_train_mnist.py, {r['date']}", "",
             f"Command: `{r['command']}`  ", f"Run took {r['elapsed']:.0f} s.", ""]
    if r["warning"]:
        lines += [f"**Warning: {r['warning']}.**", ""]
    lines += ["## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in r["machine"].items()]
    lines += [f"- PyTorch: {r['torch_note']}", "", "## Setup", "",
              f"- network {r['sizes']} ({r['dtype']} weights, built by 05's new_network), "
              f"learning rate {r['lr']} (per layer: {r['rates']}), "
              f"05's default batch size {r['default_batch']}",
              f"- data: {r['data_note']}",
              f"- each time is the fastest of {a.epochs} epoch(s) on {r['samples']} training images"
              + (f", scaled by {r['n_train']}/{r['samples']} to a full epoch (**extrapolated**)"
                 if r["samples"] < r["n_train"] else " (a full epoch)"),
              f"- float32 matmul peak of the machine: **{r['peak']:.1f} GFLOP/s** with "
              f"{usable_cores()} BLAS threads (best of at least {a.peak_repeats} "
              f"({a.peak_n}, {a.peak_n}) @ ({a.peak_n}, {a.peak_n}) products); "
              f"{r['peak_here']:.1f} GFLOP/s with the {r['threads']} thread(s) the training uses"
              + (f". The {usable_cores()}-thread run gave only {r['peak_all']:.1f} (other programs "
                 "had the cores, or the BLAS threads held each other up), so the machine's peak "
                 f"is taken as "
                 f"{usable_cores()}/{r['threads']} × the {r['threads']}-thread figure"
                 if r["peak"] != r["peak_all"] else ""),
              f"- work of one epoch (matrix products only): {r['flops'] / 1e9:.2f} GFLOP, so the "
              f"compute-bound epoch time is {fmt_seconds(r['bound'])} s", "", "## Results", "",
              "| batch size | NumPy s/epoch | µs/step | GFLOP/s | × compute-bound "
              "| PyTorch s/epoch | NumPy / PyTorch | loss after 1st epoch (NumPy / PyTorch) |",
              "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in r["rows"]:
        mark = " (default)" if row["batch"] == r["default_batch"] else ""
        torch_cells = (f"{fmt_seconds(row['torch'])} | {row['numpy'] / row['torch']:.2f} | "
                       f"{row['loss']:.5f} / {row['torch_loss']:.5f}") if row.get("torch") else \
            f"n/a | n/a | {row['loss']:.5f}"
        lines.append(f"| {row['batch']}{mark} | {fmt_seconds(row['numpy'])} | "
                     f"{row['step_us']:.0f} | {r['flops'] / row['numpy'] / 1e9:.1f} | "
                     f"{row['numpy'] / r['bound']:.1f} | {torch_cells} |")
    lines += ["", f"- one step of the PyTorch twin against one step of 05: {r['twin_note']}"]
    lines += ["", f"## Time to {GOAL_ACCURACY:.0%} validation accuracy (05's defaults)", ""]
    lines += goal_lines(r)
    lines += ["", "## Peak memory of a default training run", ""]
    if r.get("rss") is None:
        lines.append(f"- {r['rss_note']}")
    else:
        lines.append(f"- peak RSS **{r['rss'] / 1e6:.0f} MB** ({r['rss_note']})")
        lines.append(f"- measured on: {r['rss_how']}")
        lines += [f"  - after {stage}: {value / 1e6:.0f} MB"
                  for stage, value in r["rss_marks"].items() if value]
    lines += ["", f"## Where the time of one step goes (batch size {r['default_batch']})", "",
              "Each piece re-runs the same operations of one step separately (fastest of several "
              f"rounds); the whole step is {r['step_source']}.", "",
              "| group | piece | µs | share |", "|---|---|---:|---:|"]
    for group, piece, seconds in r["pieces"]:
        lines.append(f"| {group} | {piece} | {seconds * 1e6:.1f} | "
                     f"{seconds / r['step'] * 100:.0f}% |")
    totals = {}
    for group, _, seconds in r["pieces"]:
        totals[group] = totals.get(group, 0.0) + seconds
    if sum(seconds for _, _, seconds in r["pieces"][:-1]) > r["step"]:
        lines.append("| | the pieces add up to more than the whole step: the machine was busy, "
                     "re-run | | |")
    lines.append("| **whole step** | "
                 + ", ".join(f"{g} {s / r['step'] * 100:.0f}%" for g, s in totals.items())
                 + f" | {r['step'] * 1e6:.1f} | 100% |")
    lines += ["", "## Targets at the default batch size", ""]
    lines += [f"- {text}" for text in r["targets"]]
    return "\n".join(lines) + "\n"


def check_targets(r):
    row = next(row for row in r["rows"] if row["batch"] == r["default_batch"])
    ratio = row["numpy"] / r["bound"]
    found = [f"epoch time {ratio:.1f}× the compute-bound time "
             f"(target ≤ {TARGETS['compute']:g}×): " + verdict(ratio <= TARGETS["compute"])]
    if row.get("torch"):
        vs = row["numpy"] / row["torch"]
        found.append(f"{vs:.2f}× PyTorch's time (target ≤ {TARGETS['torch']:g}×): "
                     + verdict(vs <= TARGETS["torch"]))
    else:
        found.append("PyTorch's time: not measured")
    if r.get("rss") is not None:
        mb = r["rss"] / 1e6
        found.append(f"peak RSS {mb:.0f} MB (target ≤ about {TARGETS['rss_mb']} MB): "
                     + verdict(mb <= TARGETS["rss_mb"] * 1.05))
    else:
        found.append("peak RSS: not measured")
    return found


def write_report(text, results_dir, date):
    """Write atomically: a temporary file in the same folder, renamed when complete."""
    results_dir = Path(results_dir)
    try:
        results_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=results_dir, prefix=".report.", suffix=".md")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        path = results_dir / f"{date}.md"
        os.replace(tmp, path)
        return path
    except OSError as error:
        raise BenchmarkError(f"cannot write the report in {results_dir}: {error}; "
                             "choose another --results-dir")


# --------------------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------------------
def run(args):
    started = time.perf_counter()
    say = lambda text: print(text, flush=True)  # noqa: E731
    warning = busy_warning()                    # before we load the machine ourselves
    module = load_training_module(args.module)
    settle_settings(args, module)
    # Memory first, before this process loads any data: on Linux a child's ru_maxrss starts at its
    # parent's resident size when it is spawned, and RUSAGE_CHILDREN must see no earlier child.
    if not args.no_memory:
        say("measuring peak memory of a default training run (subprocess) ...")
        rss = measure_memory(args)
    else:
        rss = None, {}, "", "skipped (--no-memory)"
    (train, validation), data_note = load_data(module, args.data_dir, args.random_data,
                                               args.seed)
    n_train = len(train[0])
    args.samples = min(args.samples or n_train, n_train)
    subset = (train[0][:args.samples], train[1][:args.samples])
    default_batch = module.BATCH_SIZE
    threads, threads_source = blas_threads()
    r = {"args": args, "date": datetime.date.today().isoformat(), "n_train": n_train,
         "samples": args.samples,
         "command": "python " + " ".join([os.path.relpath(__file__, REPO)] + sys.argv[1:]),
         "machine": machine_facts(threads, threads_source), "data_note": data_note,
         "sizes": network_sizes(module, train[0][0].size), "lr": module.LEARNING_RATE,
         "default_batch": default_batch,
         "rates": ", ".join(f"{rate:g}" for rate in module.layer_rates(
             new_network(module, train[0][0].size, args.seed), module.LEARNING_RATE)),
         "dtype": np.dtype(module.NETWORK_DTYPE).name}
    r["rss"], r["rss_marks"], r["rss_how"], r["rss_note"] = rss
    r["threads"] = threads
    r["warning"] = warning
    torch = None if args.no_torch else import_torch()
    if torch is not None:
        torch.set_num_threads(threads)
        r["torch_note"] = (f"{torch.__version__}, {torch.get_num_threads()} thread(s) "
                           "(set to match NumPy's BLAS)")
    else:
        r["torch_note"] = ("skipped (--no-torch)" if args.no_torch else
                           "not importable, so no baseline "
                           "(pip install -r benchmarks/requirements.txt)")
    say(f"PyTorch: {r['torch_note']}")
    if torch is not None:   # the comparison means something only if the twin trains the same model
        gap = twin_step_difference(torch, module, subset, default_batch, args.seed)
        if not gap <= TWIN_TOLERANCE:
            raise BenchmarkError(
                f"one step of the PyTorch twin differs from one step of {Path(args.module).name} "
                f"by {gap:.1e} (more than {TWIN_TOLERANCE:g}): the twin no longer trains the same "
                "model; make torch_twin do what the lesson's new_network and gradient_step do")
        r["twin_note"] = (f"largest difference {gap:.1e} over every weight, bias and the loss "
                          f"(float32; at most {TWIN_TOLERANCE:g} allowed): the same step")
    else:
        r["twin_note"] = "not checked (no PyTorch)"
    say(f"float32 matmul peak: best of {args.peak_repeats} ({args.peak_n}, {args.peak_n}) "
        f"products, with {usable_cores()} and with {threads} BLAS thread(s) ...")
    r["peak_here"] = matmul_peak(args.peak_n, args.peak_repeats)
    r["peak_all"] = machine_peak(args.peak_n, args.peak_repeats, usable_cores())
    # Large products scale almost perfectly with cores (on an idle 2-core machine here: 199 vs 103
    # GFLOP/s), so an all-core figure well below cores x one thread's means other programs had the
    # cores, or (on some BLAS builds and virtual machines) the threads held each other up: then the
    # scaled one-thread figure is the better estimate of what the machine can do.
    scaled = r["peak_here"] * usable_cores() / r["threads"]
    r["peak"] = r["peak_all"] if r["peak_all"] >= 0.9 * scaled else scaled
    r["flops"] = epoch_flops(r["sizes"], n_train)
    r["bound"] = r["flops"] / (r["peak"] * 1e9)
    scale = n_train / args.samples
    r["rows"] = []
    for batch_size in args.batch_sizes:         # NumPy and PyTorch side by side, a second apart
        say(f"batch size {batch_size}: NumPy ...")
        seconds, loss = time_numpy_epochs(module, subset, batch_size, args.epochs, args.seed)
        row = {"batch": batch_size, "numpy": seconds * scale, "loss": loss,
               "step_us": seconds / -(-args.samples // batch_size) * 1e6}
        if torch is not None:
            say(f"batch size {batch_size}: PyTorch ...")
            seconds, row["torch_loss"] = time_torch_epochs(torch, module, subset, batch_size,
                                                           args.epochs, args.seed)
            row["torch"] = seconds * scale
        r["rows"].append(row)
    say(f"timing the pieces of one step at batch size {default_batch} ...")
    row = next((row for row in r["rows"] if row["batch"] == default_batch), None)
    r["pieces"], r["step"] = step_breakdown(module, train, default_batch, args.seed,
                                            repeat=3 if args.quick else 7)
    r["step_source"] = "the body of train_epoch's loop for the same batch, timed the same way" + (
        f" (for comparison, the epochs above took {row['step_us']:.0f} µs per step)"
        if row else "")
    if data_note.startswith("MNIST"):
        say(f"training 05's default network until {GOAL_ACCURACY:.0%} validation accuracy "
            f"(at most {module.EPOCHS} epochs) ...")
        r["goal"], r["goal_epochs"] = time_to_accuracy(module, train, validation, args.seed)
        r["goal_note"] = (f"05's new_network, train_epoch, batch size {default_batch} and learning "
                          f"rate {module.LEARNING_RATE:g}, seed {args.seed}, on all {n_train} "
                          f"training images; the {len(validation[0])} validation images measured "
                          "after each epoch; seconds count training only")
    else:
        r["goal"], r["goal_epochs"] = None, None
        r["goal_note"] = "not measured: it needs real MNIST (random images teach nothing)"
    r["targets"] = check_targets(r) if default_batch in args.batch_sizes else \
        ["the default batch size was not among --batch-sizes: targets not checked"]
    r["machine"]["load average at end"] = load_average()
    r["elapsed"] = time.perf_counter() - started
    text = build_report(r)
    print()
    print(text)
    print(f"report written: {write_report(text, args.results_dir, r['date'])}")


def import_numpy():
    global np
    import numpy
    np = numpy


def main(argv=None):
    args = make_parser().parse_args(argv)
    try:
        if args.memory_child:
            memory_child(args.memory_child)
        elif args.peak_child:
            import_numpy()
            print(matmul_peak(*map(int, args.peak_child.split(","))))
        else:
            run(args)
    except BenchmarkError as error:
        sys.exit(f"error: {error}")
    except KeyboardInterrupt:
        sys.exit("interrupted: no report written")


if __name__ == "__main__":
    main()
