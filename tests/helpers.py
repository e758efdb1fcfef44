"""Helpers shared by the test files: load a lesson by path, run it as a script."""
import functools
import importlib.util
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED_MNIST = REPO.parent / "shared" / "mnist"

LESSONS = [
    "01_single_neuron.py",
    "02_forward_pass.py",
    "03_loss_function.py",
    "04a_backprop_single_neuron.py",
    "04b_backprop_network.py",
    "05_train_mnist.py",
]


# The folder the lesson tests read the lessons from: pytest --lessons-dir (see conftest.py), e.g. a
# learner's copy of exercises/. Tests about the repository itself pass folder=REPO instead.
LESSONS_DIR = REPO


def load_lesson(filename, folder=None):
    """Import a lesson file by path (its name starts with a digit, so `import` can't)."""
    return _load(Path(folder or LESSONS_DIR) / filename)


@functools.lru_cache(maxsize=None)
def _load(path):
    name = "lesson_" + path.stem
    if path.parent != REPO:  # the same lesson from another folder is another module
        name += f"_from_{zlib.crc32(str(path.parent).encode()):08x}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    spec.loader.exec_module(module)
    return module


def run_script(filename, *args, timeout=300, env=None, cwd=None, folder=None):
    """Run a lesson (folder=REPO: any repo script) as a user would, headless; capture the output."""
    full_env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, str(Path(folder or LESSONS_DIR) / filename), *map(str, args)],
        capture_output=True, text=True, errors="replace", timeout=timeout, env=full_env,
        cwd=cwd or REPO,
    )
    last_line = result.stderr.strip().splitlines()[-1:]
    if result.returncode == 1 and last_line and last_line[0].startswith("TODO "):
        raise NotImplementedError(last_line[0])  # an exercise stopped at a function still to write
    return result


def write_png(path, pixels, alpha=None):
    """Write a grey PNG (plus alpha if given) straight from the PNG spec: 8-bit for uint8 pixels,
    16-bit for uint16 (matplotlib can only write 8-bit). A PNG is a signature, then chunks (length,
    type, data, CRC-32); the image data is each row prefixed by filter type 0, big-endian samples,
    zlib-compressed."""
    pixels = np.asarray(pixels)
    depth = {np.dtype(np.uint8): 8, np.dtype(np.uint16): 16}[pixels.dtype]
    if alpha is None:
        samples = pixels[..., None]
    else:
        samples = np.stack([pixels, np.asarray(alpha, pixels.dtype)], -1)
    height, width = pixels.shape
    rows = samples.astype(samples.dtype.newbyteorder(">")).reshape(height, -1).view(np.uint8)
    raw = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    colour_type = 0 if alpha is None else 4                        # 0 = grey, 4 = grey + alpha
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def upscale(image, height, width):
    """Bilinear upscaling, written independently of the code under test:
    (28, 28) -> (height, width)."""
    def axis_weights(n_in, n_out):
        pos = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
        eye = np.eye(n_in)
        return np.stack([np.interp(pos, np.arange(n_in), eye[j]) for j in range(n_in)], axis=1)
    rows, columns = axis_weights(image.shape[0], height), axis_weights(image.shape[1], width)
    return np.clip(rows @ image @ columns.T, 0, 1)


# Deprecations that another library raises inside itself (matplotlib calling an old pyparsing name,
# say): not ours to fix, and they come and go with versions, so they must not fail a run.
OTHERS_DEPRECATIONS = ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning")


def strict_warnings(*own_modules):
    """The environment for a script whose own warnings are errors, as pytest.ini has it for the
    tests.

    Every warning is an error, except the deprecation categories (ignored, as Python does by
    default outside the script); then every warning raised from the script itself (`__main__`) or
    from a module it loads by path under one of `own_modules` is an error again. The last matching
    entry wins, and in PYTHONWARNINGS a module is an exact name, not a pattern. A warning is raised
    "from" the module of the line it points at: numpy's overflow points at our line, and so does a
    library's deprecation of a name we call; pyparsing's deprecation inside matplotlib points at
    matplotlib.
    """
    filters = ["error", *(f"ignore::{category}" for category in OTHERS_DEPRECATIONS),
               *(f"error:::{module}" for module in ("__main__", *own_modules))]
    return {"PYTHONWARNINGS": ",".join(filters)}
