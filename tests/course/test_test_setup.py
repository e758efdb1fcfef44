"""How the tests find what they need: the real MNIST through MNIST_DIR (or the default folders),
and a learner's lessons through --lessons-dir, also from a folder outside the course."""
from helpers import copy_lessons, edit, finish, start_pytest

ONE_MNIST_TEST = "tests/lessons/test_05_training.py::test_one_epoch_on_a_small_subset_learns"


def pytest_run(*args, lessons_dir=None, **env):
    """(exit status, output) of pytest with `args` in the course folder, `env` on top."""
    return finish(start_pytest(lessons_dir, *args, env=env))


def test_mnist_dir_names_the_data_and_a_folder_without_it_fails_in_one_line(tmp_path,
                                                                           shared_mnist):
    assert pytest_run(ONE_MNIST_TEST, MNIST_DIR=str(shared_mnist))[0] == 0
    returncode, output = pytest_run(ONE_MNIST_TEST, MNIST_DIR=str(tmp_path))
    assert returncode != 0 and "skipped" not in output.splitlines()[-1]
    assert f"MNIST_DIR={tmp_path} lacks" in output, output


def test_lessons_outside_the_course_are_tested_when_the_test_folder_is_named(tmp_path):
    outside = copy_lessons(tmp_path / "mine", ["01_single_neuron.py"])
    returncode, output = pytest_run("tests/lessons/test_01_single_neuron.py", lessons_dir=outside)
    assert returncode == 0, output
    edit(outside / "01_single_neuron.py", "return np.where(z >= 0, 1.0, e) / (1.0 + e)",
         "return np.where(z >= 0, 1.0, e) / (2.0 + e)")
    returncode, output = pytest_run("tests/lessons/test_01_single_neuron.py", lessons_dir=outside)
    assert returncode == 1 and "failed" in output, "the copy outside was tested"
