"""Helpers shared by the test files: load a lesson by path, run it as a script."""
import functools
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

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


@functools.lru_cache(maxsize=None)
def load_lesson(filename):
    """Import a lesson file by path (its name starts with a digit, so `import` can't)."""
    path = REPO / filename
    name = "lesson_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    spec.loader.exec_module(module)
    return module


def run_script(filename, *args, timeout=300, env=None, cwd=None):
    """Run a lesson (or any repo script) as a user would, headless, and capture its output."""
    full_env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(REPO / filename), *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=full_env, cwd=cwd or REPO,
    )
