"""exercises/: made from the lessons, failing with their TODOs, checked by the lessons' tests.

The same checks run both ways through pytest --lessons-dir: every blank exercise fails them with its
TODO line, and copies of the lessons pass them (01-04b in full, 05 by its short train_epoch check).
Each exercise blanks only its own lesson's new functions, keeps their docstrings, and takes the
rest from the learner's earlier files, so a learner can start at any lesson with the earlier ones
solved (tools/make_exercises.py --solved), and exercises/05 runs on the learner's own backward.
"""
import ast
import json
import re
import shutil
import subprocess
import sys

import pytest

from helpers import LESSONS, REPO, copy_lessons, finish, run_script, start_pytest
from tools import make_exercises

GENERATOR = REPO / "tools" / "make_exercises.py"
HINT = REPO / "tools" / "hint.py"

CHECKS = ["tests/lessons/test_01_single_neuron.py", "tests/lessons/test_02_forward_pass.py",
          "tests/lessons/test_03_loss_function.py", "tests/lessons/test_04a_backprop_single_neuron.py",
          "tests/lessons/test_04b_backprop_network.py",
          "tests/lessons/test_05_training.py::test_one_epoch_on_a_small_subset_learns",
          "tests/lessons/test_06a_when_training_fails.py",
          "tests/lessons/test_06b_the_cures.py"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory, shared_mnist):
    """The three pytest runs below, started together so that they share the machine's cores."""
    copies = copy_lessons(tmp_path_factory.mktemp("lessons"))
    # A learner's backward whose layer-1 weight gradient is 1% off (the lessons before it right).
    one_percent_off = copy_lessons(tmp_path_factory.mktemp("one_percent_off"), LESSONS[:4])
    source = (REPO / "04b_backprop_network.py").read_text(encoding="utf-8")
    method = "backward_from" if "def backward_from(" in source else "backward"
    (one_percent_off / "04b_backprop_network.py").write_text(source + f"""

right_{method} = Network.{method}


def {method}_1_percent_off(self, *args):
    grad_weights, grad_biases = right_{method}(self, *args)
    return [grad_weights[0] * 1.01, *grad_weights[1:]], grad_biases


Network.{method} = {method}_1_percent_off
""", encoding="utf-8")
    before = folders_in(REPO / "exercises")
    # A 05 run with its default folders, refused before it reaches the TODO: it must make none.
    default_folders = ("tests/lessons/test_05_training.py::"
                       "test_unusable_output_paths_are_refused_before_training")
    started = {"exercises": start_pytest(REPO / "exercises", *CHECKS, default_folders),
               "lessons": start_pytest(copies, *CHECKS),
               "one_percent_off": start_pytest(one_percent_off, CHECKS[4],
                                               "-k", "central_differences and 0-7-sizes1")}
    finished = {name: finish(process) for name, process in started.items()}
    return {**finished, "exercises folder": (before, folders_in(REPO / "exercises"))}


def folders_in(folder):
    """The folders in `folder` but __pycache__, which Python writes when it imports the files."""
    return sorted(path.name for path in folder.iterdir()
                  if path.is_dir() and path.name != "__pycache__")


def test_exercises_are_up_to_date():
    expected = make_exercises.make_exercises(REPO)
    present = {path.name for path in (REPO / "exercises").glob("*.py")}
    assert present == set(expected), f"run python {GENERATOR}"
    stale = [name for name, text in expected.items()
             if (REPO / "exercises" / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"exercises/ {stale} differ from the lessons; run python {GENERATOR}"
    # Its manifest records what the generator wrote, so that a fresh clone regenerates unhindered.
    manifest = REPO / "exercises" / make_exercises.MANIFEST
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    assert recorded == {name: make_exercises.fingerprint(text.encode("utf-8"))
                        for name, text in expected.items()}, f"run python {GENERATOR}"


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
    before, after = runs["exercises folder"]
    assert after == before, "the README's command left in exercises/: " + ", ".join(
        sorted(set(after) - set(before)))


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
    if lesson[:2] in ("05", "06"):                     # the lessons that train on MNIST
        command += ["--data-dir", str(shared_mnist)]
    if lesson.startswith(("05", "06b")):               # and save a model
        command += ["--model", str(tmp_path / "model.npz")]
    result = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=120)
    assert result.returncode == 1
    assert re.fullmatch(r"TODO [\w.]+: .+\n", result.stderr), result.stderr
    assert list(tmp_path.iterdir()) == []


# --- what each exercise asks, and what it takes from the learner's earlier files ----------------
def functions(source):
    """{name or Class.method: (docstring, body source)} of every function in a file's text."""
    found = {}
    for node in ast.parse(source).body:
        members = [(f"{node.name}.", item) for item in node.body] if isinstance(
            node, ast.ClassDef) else [("", node)]
        for prefix, item in members:
            if isinstance(item, ast.FunctionDef):
                body = "\n".join(ast.get_source_segment(source, statement)
                                 for statement in item.body[1:] or item.body)
                found[prefix + item.name] = (ast.get_docstring(item), body)
    return found


@pytest.fixture(scope="module")
def generated_exercises():
    """The exercises as the generator writes them now (not as exercises/ holds them, which
    test_exercises_are_up_to_date compares)."""
    return make_exercises.make_exercises(REPO)


@pytest.mark.parametrize("lesson", LESSONS)
def test_an_exercise_blanks_only_its_own_new_functions_and_keeps_their_docstrings(
        lesson, generated_exercises):
    own = {name for name, first_lesson, _, _ in make_exercises.TODOS if first_lesson == lesson}
    assert own, f"{lesson} has no function to write"
    taught = functions((REPO / lesson).read_text(encoding="utf-8"))
    asked = functions(generated_exercises[lesson])
    assert set(asked) == set(taught)
    blanked = {name for name in taught if asked[name][1] != taught[name][1]}
    assert blanked == own
    for name in own:
        assert asked[name][0] == taught[name][0], f"{name} lost its docstring: what to compute"
        assert asked[name][1].startswith('raise NotImplementedError(') and f"TODO {name}:" in \
            asked[name][1].replace('"\n', "").replace('    "', "")


def test_every_line_fits_in_100_bytes_even_with_two_byte_letters():
    for path in (REPO / "exercises").glob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert len(line.encode("utf-8")) <= 100, f"{path.name} line {number}"
    task = "σ · " * 30                                  # 120 characters, 210 bytes
    lines = make_exercises.todo_lines("sigmoid", task, " " * 8)
    assert all(len(line.encode("utf-8")) <= 100 for line in lines), lines
    assert "".join(line.strip().strip('"').strip('")') for line in lines[1:]).count("σ") == 30


def test_hints_open_one_at_a_time_with_the_formula_last():
    for name, lesson, task, hints in make_exercises.TODOS:
        assert 2 <= len(hints) <= 4, name
        first = subprocess.run([sys.executable, str(HINT), name], capture_output=True, text=True,
                               timeout=60)
        assert first.returncode == 0, first.stderr
        assert hints[0] in first.stdout and hints[-1] not in first.stdout
        assert f"still stuck? python tools/hint.py {name} 2" in first.stdout
        last = subprocess.run([sys.executable, str(HINT), name, str(len(hints))],
                              capture_output=True, text=True, timeout=60)
        assert f"(the formula): {hints[-1]}" in last.stdout and "still stuck" not in last.stdout
        assert hints[-1] not in task                    # the TODO asks; it does not answer
    wrong = subprocess.run([sys.executable, str(HINT), "sigmoid", "9"], capture_output=True,
                           text=True, timeout=60)
    assert wrong.returncode == 1 and wrong.stderr.strip() == \
        "error: sigmoid has hints 1 to 3, not '9'"


def test_exercise_05_trains_with_the_learners_own_backward(shared_mnist, tmp_path):
    """The lessons solved up to 05, then a learner's backward_from that leaves a mark: 05 uses
    it."""
    folder = tmp_path / "mine"
    solved = subprocess.run([sys.executable, str(GENERATOR), "--solved", "05", str(folder)],
                            capture_output=True, text=True, timeout=60)
    assert solved.returncode == 0, solved.stderr
    assert sorted(p.name for p in folder.glob("*.py")) == [name for name in LESSONS
                                                           if name.split("_")[0] <= "05"]
    mine = folder / "04b_backprop_network.py"
    mine.write_text(mine.read_text(encoding="utf-8").replace(
        "        output = activations[-1]\n",
        "        output = activations[-1]\n        print('my backward_from ran')\n", 1),
        encoding="utf-8")
    result = run_script("05_train_mnist.py", "--data-dir", shared_mnist, "--train-limit", 32,
                        "--epochs", 1, "--batch-size", 16, "--no-plots", "--model",
                        tmp_path / "model.npz", folder=folder)
    assert result.stdout.count("my backward_from ran") >= 2, result.stdout + result.stderr


def test_a_learner_can_start_at_04b_with_the_earlier_lessons_solved(tmp_path):
    folder = tmp_path / "start_at_04b"
    shutil.copytree(REPO / "exercises", folder)
    solved = subprocess.run([sys.executable, str(GENERATOR), "--solved", "04a", str(folder)],
                            capture_output=True, text=True, timeout=60)
    assert solved.returncode == 0 and solved.stdout.count("wrote ") == 4, solved.stderr
    returncode, output = finish(start_pytest(folder, CHECKS[4]))
    assert returncode == 1
    todos = dict(re.findall(r"^TODO ([\w.]+): (\d+) failed tests?$", output, re.MULTILINE))
    assert list(todos) == ["Network.backward_from"], output[-3000:]
