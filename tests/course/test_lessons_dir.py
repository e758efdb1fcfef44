"""pytest --lessons-dir FOLDER points the lesson tests at a learner's files, and says in one line
what is wrong with them: a function still to write (its TODO, the file and the line of its raise),
a file that does not load (a syntax error, a missing module, a missing earlier lesson), a folder
with no lessons. In that mode the runs that train on all of MNIST are left out; in a normal run
they are not."""
import ast
import re
import shutil
import time

import pytest

from helpers import (LESSONS, REPO, assert_mentions, copy_lessons, edit, forget_hidden_slope,
                     run_script, start_pytest, todo_message)

EXERCISES = REPO / "exercises"


def learner_folder(tmp_path, name, change=None, remove=None):
    """A copy of exercises/ (inside the course, as a learner's my-exercises/ is), with one file
    edited (file, old, new) or removed."""
    folder = tmp_path / name
    shutil.copytree(EXERCISES, folder)
    if change:
        filename, old, new = change
        edit(folder / filename, old, new)
    if remove:
        (folder / remove).unlink()
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every pytest run below, started together so that they share the machine's cores."""
    tmp = tmp_path_factory.mktemp("lessons_dir")
    syntax = learner_folder(tmp, "syntax", ("01_single_neuron.py", "def neuron(x, w, b):",
                                            "def neuron(x, w, b)"))
    module = learner_folder(tmp, "module", ("02_forward_pass.py", "import numpy as np\n",
                                            "import numpy as np\nimport numpi\n"))
    no_03 = learner_folder(tmp, "no_03", remove="03_loss_function.py")
    no_05 = learner_folder(tmp, "no_05", remove="05_train_mnist.py")
    (tmp / "empty").mkdir()
    forgot_slope = copy_lessons(tmp / "forgot_slope")     # with 04b's σ' left out going back
    forget_hidden_slope(forgot_slope)
    started = {
        "syntax": start_pytest(syntax, "tests/lessons/test_02_forward_pass.py"),
        "module": start_pytest(module, "tests/lessons/test_02_forward_pass.py"),
        "no_03": start_pytest(no_03, "tests/lessons/test_04a_backprop_single_neuron.py"),
        "no_05": start_pytest(no_05, "tests/lessons/test_05_training.py"),
        "empty": start_pytest(tmp / "empty", "tests/lessons/test_01_single_neuron.py"),
        "todos": start_pytest(
            EXERCISES, "tests/lessons/test_02_forward_pass.py::test_batched_equals_per_sample",
            "tests/lessons/test_03_loss_function.py::test_neuron_loss_surface_matches_a_loop"),
        "forgot σ'": start_pytest(forgot_slope, "tests/lessons/test_04b_backprop_network.py", "-k",
                                  "central_differences or solves_xor"),
        "collected normally": start_pytest(None, "--collect-only", "tests/lessons/test_05_training.py"),
        "collected for exercises": start_pytest(EXERCISES, "--collect-only",
                                                "tests/lessons/test_05_training.py"),
    }
    outputs = {name: process.communicate(timeout=300)[0] for name, process in started.items()}
    return {name: (process.returncode, outputs[name]) for name, process in started.items()}


@pytest.mark.parametrize("name, line", [
    ("syntax", r"01_single_neuron\.py, line \d+: SyntaxError: .*def neuron\(x, w, b\); fix that "
               r"line, then run the tests again"),
    ("module", r"02_forward_pass\.py, line \d+: ModuleNotFoundError: No module named 'numpi'; a "
               r"lesson uses only numpy, matplotlib and support/"),
    ("no_05", r"05_train_mnist\.py is not in \S+no_05: it was asked for; copy the lesson "
              r"05_train_mnist\.py into that folder"),
])
def test_a_file_that_does_not_load_is_one_line(runs, name, line):
    returncode, output = runs[name]
    assert returncode != 0
    assert re.search(f"^\\S*{line}$", output, re.MULTILINE), output
    for noise in ("Traceback", "importlib", "_bootstrap", "During handling"):
        assert noise not in output, output


def test_an_earlier_lesson_missing_from_the_folder_is_the_course_s(runs):
    """The learner's 04a takes lesson 03 from the course folder when their folder has none, so
    its tests reach 04a's own TODOs."""
    returncode, output = runs["no_03"]
    assert "TODO neuron_loss_and_gradients" in output and "is not in" not in output, output


def test_a_wrong_gradient_is_reported_in_full_once_then_in_a_line_per_test(runs):
    """24 sizes of the gradient check and 5 XOR runs fail on one forgotten σ': the first report
    in full, each other failure in two lines that point back to it."""
    returncode, output = runs["forgot σ'"]
    assert returncode == 1, output
    failed = int(re.search(r"(\d+) failed", output.splitlines()[-1]).group(1))
    assert failed == 29, output
    # The reports; the summary after them repeats each message (in full where CI is set).
    output = output.split("short test summary info")[0]
    assert output.count("wrong gradient (relative error allowed") == 1, output
    assert output.count("σ' left out of the delta sent back") >= 1, output
    pointers = re.findall(r"^  \(after the wrong gradient reported in full in "
                          r"test_backward_matches_central_differences\[\S+\]: fix that first\)$",
                          output, re.MULTILINE)
    assert len(pointers) == failed - 1, output
    assert output.count("the same wrong gradient\n") == 23, output
    assert "after 2000 steps on XOR" in output, "a later failure still says what it found"
    lines = len(output.splitlines())     # per failure: its title and two lines
    assert lines <= 3 * failed + 8, f"{lines} lines:\n{output}"


# Mistakes in backward_from that its numbers cannot show, each planted in a copy of the lessons:
# NumPy refuses a product, or what comes back is not two lists of gradients shaped as the weights.
SEND_BACK = "delta = (delta @ self.weights[l].T) * self.slope(a_prev)"
PLANTED = {
    "W for W^T": (SEND_BACK, "delta = (delta @ self.weights[l]) * self.slope(a_prev)"),
    "weights[l - 1]": (SEND_BACK, "delta = (delta @ self.weights[l - 1].T) * self.slope(a_prev)"),
    "activations[l - 1]": ("a_prev = activations[l]", "a_prev = activations[l - 1]"),
    "returns None": ("return grad_weights, grad_biases\n", "return None\n"),
    "grad_W transposed": ("grad_weights.insert(0, a_prev.T @ delta)",
                          "grad_weights.insert(0, delta.T @ a_prev)"),
}
TEST_04B = "tests/lessons/test_04b_backprop_network.py"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """{("script", bug): (status, stderr)} of 04b run as a script from a copy of the lessons with
    the bug planted, and {("pytest", bug): (status, output)} of the lesson tests on that copy (the
    one-epoch test of 05 for "grad_W transposed"), the pytest runs started together."""
    tmp = tmp_path_factory.mktemp("planted")
    folders = {}
    for i, (bug, (old, new)) in enumerate(PLANTED.items()):
        folders[bug] = copy_lessons(tmp / f"bug{i}")
        edit(folders[bug] / "04b_backprop_network.py", old, new)
    results = {}
    for bug, folder in folders.items():
        script = run_script("04b_backprop_network.py", "--no-plots", folder=folder)
        results["script", bug] = script.returncode, script.stderr
    started = {("pytest", bug): start_pytest(folders[bug], TEST_04B, "-k", "central_differences")
               for bug in ("W for W^T", "weights[l - 1]", "activations[l - 1]")}
    started["pytest", "returns None"] = start_pytest(folders["returns None"], TEST_04B)
    started["pytest", "square W"] = start_pytest(folders["W for W^T"], TEST_04B, "-k",
                                                 "central_differences and sizes3")
    started["pytest", "grad_W transposed"] = start_pytest(
        folders["grad_W transposed"],
        "tests/lessons/test_05_training.py::test_one_epoch_on_a_small_subset_learns")
    for key, process in started.items():
        output = process.communicate(timeout=300)[0]
        results[key] = process.returncode, output
    return results


@pytest.mark.parametrize("bug, words", [
    ("W for W^T", ["delta (1, 2) @ W^2 (4, 2)", "needs the transpose", "(W^l)^T"]),
    ("weights[l - 1]", ["delta (1, 2) @ (W^1)^T (4, 3)", "it is delta^2",
                        "weights[0] is one layer too far down", "[l - 1] where [l] belongs"]),
    ("activations[l - 1]", ["from a^0 (1, 3) meets delta (1, 4)", "it is delta^1",
                            "activations[0] is one layer too far down"]),
    ("returns None", ["backward_from returned None", "two lists, grad_weights and grad_biases",
                      "2 each for sizes [3, 4, 2]"]),
])
def test_a_mistake_numpy_stops_or_a_broken_return_is_named_once_by_the_tests(planted, bug,
                                                                             words):
    returncode, output = planted["pytest", bug]
    reports = output.split("short test summary info")[0]
    assert returncode == 1, output
    assert reports.count("wrong gradients: backward_from ") == 1, output    # then pointers to it
    for word in words:
        assert word in reports, f"{bug}: the report should say {word!r}:\n{output}"
    for noise in ("Traceback", "cannot unpack", "Input operand", "could not be broadcast"):
        assert noise not in reports, f"{bug}: {noise!r} in the report:\n{output}"


def test_w_for_its_transpose_in_a_square_network_is_named_from_the_entries(planted):
    """Every W sending delta back is square in Network([3, 4, 4, 4]): delta @ W runs, and only
    the numbers show the transpose missing."""
    returncode, output = planted["pytest", "square W"]
    assert returncode == 1, output
    assert "wrong gradient (relative error allowed" in output, output
    assert "W^l where its transpose (W^l)^T belongs in the delta sent back" in output, output
    assert "backward_from failed" not in output, output


def test_gradients_of_the_wrong_shape_are_named_in_lesson_05s_training_test(planted,
                                                                            shared_mnist):
    returncode, output = planted["pytest", "grad_W transposed"]
    assert returncode == 1, output
    assert re.search(r"backward_from returned grad_weights\[0\] shaped \((\d+), (\d+)\), "
                     r"expected \(\2, \1\), the shape of weights\[0\] \(rows and columns "
                     r"swapped\)", output), output
    assert "could not be broadcast" not in output, output


# Run as a script, 04b first runs backward_from on Network([3, 5, 4, 2]) and a batch of 6. Its
# networks are never square all the way up, so W for W^T is always a product NumPy refuses there.
@pytest.mark.parametrize("bug, words", [
    ("W for W^T", ["delta (6, 2) @ W^3 (4, 2)", "needs the transpose", "(W^l)^T"]),
    ("weights[l - 1]", ["(W^2)^T (4, 5)", "it is delta^3", "weights[1] is one layer too far down"]),
    ("activations[l - 1]", ["from a^1 (6, 5) meets delta (6, 4)", "it is delta^2",
                            "activations[1] is one layer too far down"]),
    ("returns None", ["returned None", "two lists", "3 each for sizes [3, 5, 4, 2]"]),
    ("grad_W transposed", ["grad_weights[0] shaped (5, 3), expected (3, 5)",
                           "rows and columns swapped"]),
])
def test_a_mistake_numpy_stops_or_a_broken_return_is_one_line_from_the_script(planted, bug,
                                                                              words):
    returncode, stderr = planted["script", bug]
    assert returncode == 1 and len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("error: backward_from "), stderr
    for word in words:
        assert word in stderr, f"{bug}: the line should say {word!r}: {stderr}"


def test_a_folder_without_lessons_is_refused(runs):
    returncode, output = runs["empty"]
    assert returncode == 4                       # pytest's usage error
    assert "no lesson files (0*.py) there" in output


def raise_statement_line(path, function):
    """The line number of the `raise NotImplementedError(` in `function` of an exercise file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return next(n.lineno for n in ast.walk(node) if isinstance(n, ast.Raise))
    raise AssertionError(f"{path} has no {function}")


def test_a_todo_names_the_raise_of_the_function_to_write(runs):
    """Lesson 02's own TODO, and lesson 01's sigmoid reached from lesson 03's neuron_loss."""
    _, output = runs["todos"]
    forward = raise_statement_line(EXERCISES / "02_forward_pass.py", "forward")
    sigmoid = raise_statement_line(EXERCISES / "01_single_neuron.py", "sigmoid")
    assert_mentions(output, f"02_forward_pass.py, line {forward}",
                    f"01_single_neuron.py, line {sigmoid}", "python tools/hint.py Network.forward")
    assert "TODO Network.forward: 1 failed test" in output
    assert "TODO sigmoid: 1 failed test" in output


def test_whole_mnist_runs_are_left_out_for_exercises_only(runs):
    whole_runs = ["test_three_epochs_pass_95_percent",
                  "test_the_default_run_reaches_97_percent_and_draws_its_figures"]
    _, normal = runs["collected normally"]
    _, exercises = runs["collected for exercises"]
    assert all(name in normal for name in whole_runs) and "deselected" not in normal, normal
    assert not any(name in exercises for name in whole_runs), exercises
    assert re.search(r"\d+ deselected", exercises), exercises
    assert "test_one_epoch_on_a_small_subset_learns" in exercises      # its stand-in stays


def test_the_todo_is_found_as_the_cause_and_as_the_context():
    todo = NotImplementedError("TODO sigmoid: σ(z)")
    try:
        try:
            raise todo
        except NotImplementedError:
            raise ValueError("while handling it")      # the TODO is this error's __context__
    except ValueError as error:
        handled = error
    caused = RuntimeError("wrapped")
    caused.__cause__ = todo
    assert todo_message(handled) == todo_message(caused) == "TODO sigmoid: σ(z)"
    assert todo_message(ValueError("no TODO here")) is None
    assert todo_message(NotImplementedError("not a TODO")) is None
    assert LESSONS[0] == "01_single_neuron.py"


# --- a learner's function that never returns ----------------------------------------------------
@pytest.mark.parametrize("stuck", ["while True:\n        pass", "import time; time.sleep(3600)"],
                         ids=["a loop in Python", "one long C call"])
def test_a_function_that_never_returns_fails_its_test_at_the_time_limit(tmp_path, monkeypatch,
                                                                         stuck):
    """sigmoid stuck for ever, and two tests that call it: each fails after the limit (1 s here)
    with one line naming sigmoid, and pytest ends. The loop is stopped; the sleep, which nothing
    can interrupt from outside, runs on in a daemon thread that must not keep pytest alive."""
    folder = copy_lessons(tmp_path / "stuck")
    edit(folder / "01_single_neuron.py", "def sigmoid(z):\n", f"def sigmoid(z):\n    {stuck}\n")
    monkeypatch.setenv("LESSON_TEST_TIME_LIMIT", "1")
    started = time.monotonic()
    process = start_pytest(folder, "tests/lessons/test_01_single_neuron.py::"
                           "test_sigmoid_is_symmetric", "tests/lessons/test_01_single_neuron.py::"
                           "test_and_gate_truth_table")
    try:
        output = process.communicate(timeout=120)[0]
    finally:
        process.kill()                        # if it never ended: no stuck pytest left behind
    took = time.monotonic() - started
    assert process.returncode == 1 and "2 failed" in output.splitlines()[-1], output
    stopped = re.findall(r"^sigmoid\(\) has not returned after 1 s: an endless loop\? It was at "
                         r"01_single_neuron\.py, line \d+: .*; make it return", output, re.M)
    assert len(stopped) == 2, output
    assert "Traceback" not in output and took < 20, (took, output)


def test_a_time_limit_that_is_no_number_is_refused(monkeypatch):
    monkeypatch.setenv("LESSON_TEST_TIME_LIMIT", "soon")
    process = start_pytest(EXERCISES, "tests/lessons/test_01_single_neuron.py")
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 4 and "LESSON_TEST_TIME_LIMIT=soon: give the seconds" in output
