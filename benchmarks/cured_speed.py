"""
How fast does lesson 06b's 98% network train, against PyTorch on the same model? Times epochs of
06b's own momentum_epoch on its combined network, and of the same model in PyTorch (the same start
and batches; tensor ops, SGD with momentum), checked equal after two steps before any timing. The
epochs take turns, the fastest of each counts: a disturbance only slows an epoch, and on a shared
machine a ratio of epochs a second apart holds where times drift. One BLAS thread for each.
Run: python benchmarks/cured_speed.py --data-dir /work/shared/mnist  (--quick: a few seconds)
"""
import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))           # support/ is found beside the lessons
import support.threads  # noqa: E402,F401  (one BLAS thread, asked for before NumPy loads)
import numpy as np  # noqa: E402
from support.arguments import positive_int  # noqa: E402
from support.lessons import load_lesson  # noqa: E402
from support.mnist import N_CLASSES, MnistError, load_mnist  # noqa: E402

LESSON = REPO / "06b_the_cures.py"
REPEATS, QUICK_IMAGES = 5, 5000     # epochs timed of each (quick: 1), images in a quick epoch
TWIN_STEPS, TWIN_TOLERANCE = 2, 1e-5   # steps checked, largest difference allowed in any weight
SEED = 0
RESULT = Path(__file__).parent / "results" / "cured_speed.txt"


def main(argv=None):
    args = parse_args(argv)
    lesson = load_lesson(LESSON)
    load = getattr(os, "getloadavg", lambda: [float("nan")])()[0]      # none on Windows
    images, labels = training_images(lesson, args.data_dir, args.quick)
    net, numpy_epoch = numpy_trainer(lesson, images, labels)
    lines = [f"06b's combined network {net.sizes}: ReLU + He, softmax + "
             f"cross-entropy, batch {lesson.CURED_BATCH_SIZE}, lr {lesson.CURED_LR:g}, momentum "
             f"{lesson.MOMENTUM:g}; {len(images):,} training images from {args.data_dir}",
             f"fastest of {args.repeats} epoch(s) each, in turn; load {load:.1f} at the start; "
             f"NumPy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}"]
    epochs, torch, why = {"NumPy": numpy_epoch}, None, "skipped (--no-torch)"
    if not args.no_torch:
        try:
            import torch
            torch.set_num_threads(1)
        except ImportError as error:
            why = f"not importable ({error}), so NumPy only"
    if torch is None:
        lines.append(f"PyTorch: {why}")
    else:
        gap = twin_gap(torch, lesson, images, labels)
        if not gap <= TWIN_TOLERANCE:
            sys.exit(f"error: {TWIN_STEPS} PyTorch steps differ from 06b's by {gap:.1e}, more "
                     f"than {TWIN_TOLERANCE:g}: make torch_trainer do what momentum_step does")
        epochs["PyTorch"] = torch_trainer(torch, lesson, net, images, labels)[1]
        lines.append(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread: "
                     f"{TWIN_STEPS} steps match 06b's to {gap:.1e} in every weight and bias")
    best = fastest_interleaved(epochs, args.repeats)
    lines += [f"{name}: {seconds:.3f} s per epoch" for name, seconds in best.items()]
    if "PyTorch" in best:
        lines.append(f"NumPy / PyTorch: {best['NumPy'] / best['PyTorch']:.2f}")
    report = "\n".join(lines)
    print(report)
    if args.save:
        RESULT.write_text(" ".join(["python", *sys.argv]) + f"\n{report}\n", encoding="utf-8")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--data-dir", type=Path, default=REPO / "data", help="MNIST's folder (default: data/)")
    add("--repeats", type=positive_int, help=f"epochs timed of each ({REPEATS}; quick: 1)")
    add("--quick", action="store_true", help=f"{QUICK_IMAGES:,} images: rough numbers")
    add("--no-torch", action="store_true", help="time NumPy only")
    add("--save", action="store_true", help=f"also write the report to {RESULT}")
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (1 if args.quick else REPEATS)
    return args


def training_images(lesson, data_dir, quick):
    """06b's 50,000 training images and labels (quick: the first QUICK_IMAGES of them)."""
    try:
        train, _validation = lesson.split_validation(*load_mnist(data_dir)[0])
    except MnistError as error:
        sys.exit(f"error: {str(error).splitlines()[0].rstrip(':')}; give its folder with "
                 f"--data-dir, or python 05_train_mnist.py --download-only --data-dir {data_dir}")
    return (train[0][:QUICK_IMAGES], train[1][:QUICK_IMAGES]) if quick else train


def numpy_trainer(lesson, images, labels):
    """(06b's combined network, an epoch of 06b's momentum_epoch on it, at 06b's settings)."""
    sizes = [images[0].size, *lesson.CURED_HIDDEN, N_CLASSES]        # 784 pixels in, 10 out
    net = lesson.network_of_kind(sizes, "relu", "softmax", SEED)
    rates, rng = [lesson.CURED_LR] * len(net.weights), np.random.default_rng(SEED)
    velocities = [np.zeros_like(p) for p in net.weights + net.biases]
    return net, lambda: lesson.momentum_epoch(net, images, labels, lesson.CURED_BATCH_SIZE,
                                              rates, lesson.MOMENTUM, velocities, rng)


def torch_trainer(torch, lesson, net, images, labels):
    """(parameters, an epoch): a copy of `net` in PyTorch trained as 06b trains it, on the same
    batches; SGD's v <- mu v + g, p <- p - lr v is 06b's momentum with its v scaled by -lr."""
    params = [torch.tensor(p, requires_grad=True) for p in net.weights + net.biases]
    weights, biases = params[:len(net.weights)], params[len(net.weights):]
    optimizer = torch.optim.SGD(params, lr=lesson.CURED_LR, momentum=lesson.MOMENTUM)
    pixels = torch.from_numpy(images.reshape(len(images), -1))     # (N, 784) uint8, no copy
    targets = torch.from_numpy(labels.astype(np.int64))
    rng, batch = np.random.default_rng(SEED), lesson.CURED_BATCH_SIZE
    def epoch():                        # as momentum_epoch: a permutation, then batch after batch
        order = torch.from_numpy(rng.permutation(len(pixels)))
        for first in range(0, len(pixels), batch):
            idx = order[first:first + batch]
            a = pixels[idx].to(torch.float32).div_(255)              # (B, 784), as to_inputs
            for W, b in zip(weights[:-1], biases[:-1]):
                a = torch.relu(a @ W + b)
            loss = torch.nn.functional.cross_entropy(a @ weights[-1] + biases[-1], targets[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return params, epoch


def twin_gap(torch, lesson, images, labels):
    """The largest difference in any weight or bias after an epoch of TWIN_STEPS batches of 06b
    and of its PyTorch twin, on the same images: the second step checks the velocity."""
    n = TWIN_STEPS * lesson.CURED_BATCH_SIZE
    net, numpy_epoch = numpy_trainer(lesson, images[:n], labels[:n])
    params, torch_epoch = torch_trainer(torch, lesson, net, images[:n], labels[:n])
    numpy_epoch()
    torch_epoch()
    return max(float(np.max(np.abs(p - t.detach().numpy())))
               for p, t in zip(net.weights + net.biases, params))


def fastest_interleaved(epochs, repeats):
    """{name: seconds of the fastest of `repeats` calls of epochs[name]()}, the calls taken in
    turn, the order reversed every other round so that neither always follows the other."""
    best, names = {name: float("inf") for name in epochs}, list(epochs)
    for round_ in range(repeats):
        for name in names if round_ % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            epochs[name]()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


if __name__ == "__main__":
    main()
