"""support/threads.py: importing it asks for one BLAS thread, unless the user chose a number, and
whatever relies on that imports it before anything can load NumPy."""
import ast
import os
import subprocess
import sys

import pytest

from helpers import REPO
from support.threads import BLAS_THREAD_VARIABLES

SHOW_THREADS = ("import os, support.threads; "
                f"print(*(os.environ[name] for name in {BLAS_THREAD_VARIABLES!r}))")


def thread_counts_after_import(**preset):
    env = {name: value for name, value in os.environ.items() if name not in BLAS_THREAD_VARIABLES}
    result = subprocess.run([sys.executable, "-c", SHOW_THREADS], capture_output=True, text=True,
                            env={**env, **preset, "PYTHONPATH": str(REPO)}, check=True)
    return result.stdout.split()


def test_importing_it_asks_for_one_thread_of_each_kind():
    assert thread_counts_after_import() == ["1", "1", "1"]


def test_a_count_the_user_set_wins():
    assert thread_counts_after_import(OPENBLAS_NUM_THREADS="3") == ["3", "1", "1"]


STANDARD_LIBRARY_ONLY = {"math", "os", "sys", "time", "pathlib"}   # none of them loads NumPy


@pytest.mark.parametrize("filename", ["05_train_mnist.py", "conftest.py"])
def test_it_is_imported_before_anything_that_could_load_numpy(filename):
    """Anything imported before it could load NumPy, whose BLAS then keeps its own count. It may
    sit in the try that stops a lesson outside the course with one line."""
    tree = ast.parse((REPO / filename).read_text(encoding="utf-8"))
    before = []
    for node in tree.body:
        found = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
        if any(ast.unparse(n) == "import support.threads" for n in found):
            break
        before += [(n.module if isinstance(n, ast.ImportFrom) else n.names[0].name) for n in found]
    else:
        pytest.fail(f"{filename} never imports support.threads")
    assert set(before) <= STANDARD_LIBRARY_ONLY, before
