"""exercises/: made from the lessons, failing with their TODOs, checked by the lessons' tests.

The same checks run both ways through pytest --lessons-dir: every blank exercise fails them with its
TODO line, and copies of the lessons pass them (01-04b in full, 05 by its short train_epoch check).
"""
import importlib.util
import re
import shutil
import subprocess
import sys

import pytest

from helpers import LESSONS, REPO

GENERATOR = REPO / "tools" / "make_exercises.py"
spec = importlib.util.spec_from_file_location("make_exercises", GENERATOR)
make_exercises = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_exercises)

CHECKS = ["tests/test_01_single_neuron.py", "tests/test_02_forward_pass.py",
          "tests/test_03_loss_function.py", "tests/test_04a_backprop_single_neuron.py",
          "tests/test_04b_backprop_network.py",
          "tests/test_05_training.py::test_one_epoch_on_a_small_subset_learns"]


def start_pytest(lessons_dir, *checks):
    """pytest on `checks` against the lessons in lessons_dir, started in the background."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--lessons-dir",
               str(lessons_dir), *checks]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace")


def finish(process):
    output = process.communicate(timeout=300)[0]
    return process.returncode, output


@pytest.fixture(scope="module")
def runs(tmp_path_factory, shared_mnist):
    """The three pytest runs below, started together so that they share the machine's cores."""
    copies = tmp_path_factory.mktemp("lessons")
    for lesson in LESSONS:
        shutil.copy(REPO / lesson, copies)
    # A learner's backward whose layer-1 weight gradient is 1% off.
    one_percent_off = tmp_path_factory.mktemp("one_percent_off")
    source = (REPO / "04b_backprop_network.py").read_text(encoding="utf-8")
    method = "backward_from" if "def backward_from(" in source else "backward"
    (one_percent_off / "04b_backprop_network.py").write_text(source + f"""

right_{method} = Network.{method}


def {method}_1_percent_off(self, *args):
    grad_weights, grad_biases = right_{method}(self, *args)
    return [grad_weights[0] * 1.01, *grad_weights[1:]], grad_biases


Network.{method} = {method}_1_percent_off
""", encoding="utf-8")
    started = {"exercises": start_pytest(REPO / "exercises", *CHECKS),
               "lessons": start_pytest(copies, *CHECKS),
               "one_percent_off": start_pytest(one_percent_off, CHECKS[4],
                                               "-k", "central_differences and 0-7-sizes1")}
    return {name: finish(process) for name, process in started.items()}


def test_exercises_are_up_to_date():
    expected = make_exercises.make_exercises(REPO)
    present = {path.name for path in (REPO / "exercises").glob("*.py")}
    assert present == set(expected), f"run python {GENERATOR}"
    stale = [name for name, text in expected.items()
             if (REPO / "exercises" / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"exercises/ {stale} differ from the lessons; run python {GENERATOR}"


def test_the_generator_stops_when_a_function_to_blank_is_missing(tmp_path):
    for lesson in LESSONS:
        shutil.copy(REPO / lesson, tmp_path)
    renamed = (tmp_path / "03_loss_function.py").read_text(encoding="utf-8").replace(
        "def one_hot(", "def one_hot_targets(")
    (tmp_path / "03_loss_function.py").write_text(renamed, encoding="utf-8")
    with pytest.raises(SystemExit, match="03_loss_function.py defines no one_hot"):
        make_exercises.make_exercises(tmp_path)


def test_every_blank_exercise_fails_its_checks_with_todo_lines(runs):
    returncode, output = runs["exercises"]
    assert returncode == 1, output[-3000:]
    failed = int(re.search(r"(\d+) failed", output.splitlines()[-1]).group(1))
    todos = dict(re.findall(r"^TODO ([\w.]+): (\d+) failed tests?$", output, re.MULTILINE))
    assert sum(map(int, todos.values())) == failed, "every failure should be a TODO:\n" + output
    for check in CHECKS:
        assert f"FAILED {check.split('::')[0]}::" in output, f"no failure in {check}"
    # Only the one-line messages, never a traceback.
    assert "Traceback" not in output and "NotImplementedError" not in output


def test_the_lessons_pass_the_same_checks(runs):
    returncode, output = runs["lessons"]
    assert returncode == 0, output[-3000:]
    assert re.fullmatch(r"\d+ passed in .*", output.splitlines()[-1]), output[-3000:]


def test_a_layer_1_weight_gradient_1_percent_off_fails_naming_w1(runs):
    returncode, output = runs["one_percent_off"]
    assert returncode == 1, output[-3000:]
    assert "W1 (layer 1 weights): worst entry W1[" in output
    assert "W2 (layer 2 weights)" not in output and "b1 (layer 1 biases)" not in output


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_blank_exercise_run_as_a_script_prints_its_todo_and_exits_1(lesson, shared_mnist,
                                                                      tmp_path):
    command = [sys.executable, str(REPO / "exercises" / lesson), "--no-plots"]
    if lesson.startswith("05"):
        command += ["--data-dir", str(shared_mnist), "--model", str(tmp_path / "model.npz")]
    result = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=120)
    assert result.returncode == 1
    assert re.fullmatch(r"TODO [\w.]+: .+\n", result.stderr), result.stderr
    assert list(tmp_path.iterdir()) == []
