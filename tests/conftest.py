"""Fixtures shared by the tests. Plain helpers live in tests/helpers.py."""
import os

import pytest

from helpers import SHARED_MNIST, run_script


@pytest.fixture(scope="session")
def shared_mnist():
    """The real MNIST .gz files in ../shared/mnist.

    Outside CI the tests that need them skip when the folder is absent; under CI (CI=true) they fail,
    so a missing data set can never pass unnoticed.
    """
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    if all((SHARED_MNIST / n).is_file() for n in names):
        return SHARED_MNIST
    message = f"the real MNIST files are not in {SHARED_MNIST}"
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
