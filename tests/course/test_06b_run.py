"""Lesson 06b run as a user runs it: the 98% network on the real MNIST (a whole run, ~10 s), its
model file read back by lesson 05's --predict, and a part run alone."""
import re

import pytest

from helpers import run_script, write_png
from support.model_file import load_model

LAST_LINE = re.compile(r"test accuracy: (\d+\.\d\d)% \((\d+)/10000\)")


@pytest.fixture(scope="module")
def combined_run(shared_mnist, tmp_path_factory):
    """06b's 98% network trained once, seed 0: (model path, the run's result)."""
    model = tmp_path_factory.mktemp("model_06b") / "model_06b.npz"
    result = run_script("06b_the_cures.py", "--part", "combined", "--data-dir", shared_mnist,
                        "--model", model)
    return model, result


@pytest.mark.whole_run
def test_the_combined_network_passes_98_percent_on_the_test_images(combined_run):
    model, result = combined_run
    assert result.returncode == 0, result.stderr
    last = LAST_LINE.fullmatch(result.stdout.strip().splitlines()[-1])
    assert last, result.stdout[-500:]
    assert float(last.group(1)) >= 98.0 and int(last.group(2)) >= 9800, last.group(0)
    assert "model saved: " in result.stdout and model.is_file()


@pytest.mark.whole_run
def test_lesson_05_reads_digits_with_the_cured_network(combined_run, mnist, tmp_path):
    model, _ = combined_run
    net = load_model(model, None)
    assert (type(net).__name__, net.hidden_kind, net.output_kind) == ("CuredNetwork", "relu",
                                                                      "softmax")
    (_, _), (x_test, y_test) = mnist
    image = tmp_path / "digit.png"
    write_png(image, 255 - x_test[0])                       # dark ink on white, as drawn
    result = run_script("05_train_mnist.py", "--predict", image, "--model", model, "--no-plots")
    assert result.returncode == 0, result.stderr
    assert re.search(rf"\b{y_test[0]}\b", result.stdout), result.stdout


def test_a_part_runs_alone_and_an_unknown_part_is_refused(shared_mnist):
    result = run_script("06b_the_cures.py", "--part", "softmax", "--data-dir", shared_mnist)
    assert result.returncode == 0, result.stderr
    assert "softmax + CE" in result.stdout and "test accuracy" not in result.stdout
    bad = run_script("06b_the_cures.py", "--part", "sofmax", "--data-dir", shared_mnist)
    assert bad.returncode == 2 and "--part" in bad.stderr and "softmax" in bad.stderr, bad.stderr
