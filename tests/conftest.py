"""Fixtures shared by the tests. Plain helpers live in tests/helpers.py."""
import os

import pytest

from helpers import REPO, SHARED_MNIST, run_script


@pytest.fixture(scope="session")
def shared_mnist():
    """A folder holding the four real MNIST .gz files: ../shared/mnist, else this project's data/.

    The project's machines have ../shared/mnist; a learner's clone has data/ once 05 has downloaded into
    it (python 05_train_mnist.py --download-only). With neither, these tests skip, except under CI
    (CI=true), where they fail: a missing data set must never pass unnoticed there.
    """
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    for folder in (SHARED_MNIST, REPO / "data"):
        if all((folder / n).is_file() for n in names):
            return folder
    message = (f"the real MNIST files are neither in {SHARED_MNIST} nor in {REPO / 'data'}; "
               "run python 05_train_mnist.py --download-only first")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " (under CI these tests must run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def mnist_model(shared_mnist, tmp_path_factory):
    """A network trained by 05_train_mnist.py on the real data for 3 epochs, run as a user runs it.

    Returns (model path, the run's stdout). The data is read straight from ../shared/mnist: with all four
    files present and valid the script writes nothing there (in CI that folder is read-only).
    """
    model = tmp_path_factory.mktemp("model") / "model.npz"
    result = run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--epochs", 3, "--no-plots",
                        "--model", model)
    assert result.returncode == 0, result.stderr
    return model, result.stdout
