"""Fixtures shared by the tests. Plain helpers live in tests/helpers.py."""
import os

import pytest

from helpers import SHARED_MNIST


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
