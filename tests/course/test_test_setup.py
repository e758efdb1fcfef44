"""How the tests find what they need: the real MNIST through MNIST_DIR (or the default folders),
and a learner's lessons through --lessons-dir, also from a folder outside the course."""
import os
import subprocess
import sys

from helpers import REPO, copy_lessons, edit

ONE_MNIST_TEST = "tests/lessons/test_05_training.py::test_one_epoch_on_a_small_subset_learns"


def pytest_run(*args, **env):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def test_mnist_dir_names_the_data_and_a_folder_without_it_fails_in_one_line(tmp_path,
                                                                           shared_mnist):
    assert pytest_run(ONE_MNIST_TEST, MNIST_DIR=str(shared_mnist)).returncode == 0
    wrong = pytest_run(ONE_MNIST_TEST, MNIST_DIR=str(tmp_path))
    assert wrong.returncode != 0 and "skipped" not in wrong.stdout.splitlines()[-1]
    assert f"MNIST_DIR={tmp_path} lacks" in wrong.stdout, wrong.stdout


def test_lessons_outside_the_course_are_tested_when_the_test_folder_is_named(tmp_path):
    outside = copy_lessons(tmp_path / "mine", ["01_single_neuron.py"])
    right = pytest_run("tests/lessons/test_01_single_neuron.py", "--lessons-dir", str(outside))
    assert right.returncode == 0, right.stdout
    edit(outside / "01_single_neuron.py", "return np.where(z >= 0, 1.0, e) / (1.0 + e)",
         "return np.where(z >= 0, 1.0, e) / (2.0 + e)")
    wrong = pytest_run("tests/lessons/test_01_single_neuron.py", "--lessons-dir", str(outside))
    assert wrong.returncode == 1 and "failed" in wrong.stdout, "the copy outside was tested"
