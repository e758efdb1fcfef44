"""tools/hint.py: one hint at a time, by full or short name, on any console, never a traceback;
and the hints lead with the idea, the checks of the input later, the formula last."""
import os
import subprocess
import sys

import pytest

from helpers import REPO
from tools import hint, make_exercises

HINT = REPO / "tools" / "hint.py"


def run_hint(*args, module=False, **env):
    command = [sys.executable, *(["-m", "tools.hint"] if module else [str(HINT)]), *args]
    result = subprocess.run(command, capture_output=True, text=True, errors="replace",
                            timeout=60, cwd=REPO, env={**os.environ, **env})
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.parametrize("number", ["²", "３", "0", "-1", "1.0", "", "4"])
def test_a_hint_number_that_is_not_1_to_the_last_is_refused(number):
    result = run_hint("sigmoid", number)
    assert result.returncode == 1 and result.stdout == ""
    assert "sigmoid" in result.stderr and "1 to 3" in result.stderr, result.stderr


def test_an_unknown_name_is_refused_naming_the_names():
    result = run_hint("sigmod")
    assert result.returncode == 1 and result.stdout == ""
    assert "sigmod" in result.stderr and "Network.backward_from" in result.stderr


def test_it_runs_as_a_module_too():
    result = run_hint("sigmoid", "2", module=True)
    assert result.returncode == 0, result.stderr
    assert make_exercises.todo("sigmoid")[2][1] in result.stdout


@pytest.mark.parametrize("console", [{"PYTHONIOENCODING": "ascii"},
                                     {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
                                      "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": ""}],
                         ids=["PYTHONIOENCODING=ascii", "C locale"])
def test_sigma_on_an_ascii_console_is_replaced_not_a_crash(console):
    result = run_hint("sigmoid", "3", **console)
    assert result.returncode == 0, result.stderr
    assert "?(z)" in result.stdout and "np.where(z >= 0" in result.stdout


@pytest.mark.parametrize("short, full", [("backward_from", "Network.backward_from"),
                                         ("forward", "Network.forward")])
def test_a_method_opens_by_its_own_name(short, full):
    result = run_hint(short, "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{full} (") and "hint 2 of" in result.stdout
    assert f"python tools/hint.py {full} 3" in result.stdout


def test_a_short_name_two_methods_share_is_refused(monkeypatch):
    monkeypatch.setattr(hint, "TODOS", [("A.step", "x.py", "", ["h"]), ("B.step", "y.py", "", [])])
    assert hint.full_name("step") is None and hint.full_name("A.step") == "A.step"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_shows_the_usage(flag):
    result = run_hint(flag)
    assert result.returncode == 0, result.stderr
    assert "python tools/hint.py sigmoid 2" in result.stdout and "no exercise" not in result.stdout


def test_more_than_a_name_and_a_number_is_refused():
    result = run_hint("sigmoid", "1", "2")
    assert result.returncode == 1 and "python tools/hint.py" in result.stderr, result.stderr


# --- the ladder: the idea first, the checks of the input later, the formula last ---------------
def checks_the_input(text):
    return any(word in text for word in ("ValueError", "refuse", "Refuse", "check", "Check"))


@pytest.mark.parametrize("name", [name for name, *_ in make_exercises.TODOS])
def test_the_first_hint_is_the_idea_and_the_input_checks_come_before_the_formula(name):
    hints = make_exercises.todo(name)[2]
    assert not checks_the_input(hints[0]), hints[0]
    assert not checks_the_input(hints[-1]), hints[-1]


def test_the_float32_advice_says_which_numpy_it_holds_for():
    hints = make_exercises.todo("Network.backward_from")[2]
    advice = [text for text in hints if "np.prod(output.shape)" in text]
    assert advice and "NumPy 2" in advice[0] and "NumPy 1" in advice[0], advice
