"""Which warnings fail a run: any warning from our own code does; a deprecation that another library
raises inside itself (matplotlib calling an old pyparsing name, say) does not.

Both rule sets are checked as they are used: pytest.ini for the tests (an inner pytest run with that
file), and helpers.strict_warnings() for the lessons and benchmarks the tests run as scripts. The
other library is a tiny stand-in written to tmp_path and put on PYTHONPATH.
"""
import os
import re
import subprocess
import sys
import textwrap

import pytest

from helpers import REPO, run_script, strict_warnings

# A stand-in for another library. Its deprecation class subclasses UserWarning and
# DeprecationWarning, like pyparsing's PyparsingDeprecationWarning; it warns inside itself at import
# and when used.
FAKELIB = '''
import warnings


class FakeDeprecationWarning(UserWarning, DeprecationWarning):
    pass


def _old_helper():
    warnings.warn("'_old_helper' deprecated", FakeDeprecationWarning, stacklevel=2)


def parse():
    """Works, but calls a deprecated name of its own: the warning is raised inside this module."""
    _old_helper()
    warnings.warn("pending", PendingDeprecationWarning)
    warnings.warn("will change", FutureWarning)
    return "parsed"


def old_name():
    """Deprecated for its callers: stacklevel=2 puts the warning on the line that called it."""
    warnings.warn("old_name is deprecated, use parse", DeprecationWarning, stacklevel=2)


def broken():
    """Not a deprecation: a runtime problem inside the library is still an error."""
    warnings.warn("something went wrong", RuntimeWarning)


_old_helper()                      # at import, as matplotlib's use of pyparsing does
'''

# Loaded by name like a lesson under test (helpers.load_lesson names them lesson_...).
LESSON = '''
import warnings

import numpy as np


def overflow():
    return np.exp(np.float64(1000.0))


def deprecated():
    warnings.warn("our own deprecation", DeprecationWarning)
'''

INNER_TESTS = '''
import warnings

import fakelib                     # warns inside itself while the file is collected
import lesson_fake


def test_third_party_deprecations_inside_itself():
    assert fakelib.parse() == "parsed"


def test_own_deprecation():
    warnings.warn("ours", DeprecationWarning)


def test_own_user_warning():
    warnings.warn("ours", UserWarning)


def test_calling_a_deprecated_api():
    fakelib.old_name()


def test_lesson_overflow():
    lesson_fake.overflow()


def test_lesson_deprecation():
    lesson_fake.deprecated()


def test_third_party_runtime_warning():
    fakelib.broken()
'''
INNER_EXPECTED = {
    "test_third_party_deprecations_inside_itself": "PASSED",
    "test_own_deprecation": "FAILED",
    "test_own_user_warning": "FAILED",
    "test_calling_a_deprecated_api": "FAILED",
    "test_lesson_overflow": "FAILED",
    "test_lesson_deprecation": "FAILED",
    "test_third_party_runtime_warning": "FAILED",
}


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "fakelib.py").write_text(FAKELIB)
    (folder / "lesson_fake.py").write_text(LESSON)
    return folder


def test_pytest_ini_fails_on_our_warnings_only(tmp_path, site):
    tests = tmp_path / "inner"
    tests.mkdir()
    (tests / "test_inner_warnings.py").write_text(INNER_TESTS)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["PYTHONPATH"] = str(site)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pytest.ini"), "--rootdir", str(tests),
         "-p", "no:cacheprovider", "-rA", str(tests)],
        capture_output=True, text=True, env=env, cwd=tests, timeout=120)
    outcomes = dict((name, outcome) for outcome, name in
                    re.findall(r"^(PASSED|FAILED|ERROR) \S*::(\w+)", result.stdout, re.MULTILINE))
    assert outcomes == INNER_EXPECTED, result.stdout[-3000:]


SCRIPTS = {
    "third_party.py": ("import fakelib\nprint(fakelib.parse())\n", 0),
    "own_deprecation.py": ("import warnings\nwarnings.warn('ours', DeprecationWarning)\n", 1),
    "own_user_warning.py": ("import warnings\nwarnings.warn('ours')\n", 1),
    "calls_old_api.py": ("import fakelib\nfakelib.old_name()\n", 1),
    "overflow.py": ("import numpy as np\nprint(np.exp(np.float64(1000.0)))\n", 1),
    "third_party_runtime.py": ("import fakelib\nfakelib.broken()\n", 1),
    # A module the script loads by path under its own name, as the benchmark loads lesson 05.
    "loads_own_module.py": (textwrap.dedent('''
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("own_subject", sys.argv[1])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.deprecated()
        '''), 1),
}


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_fail_on_their_own_warnings_only(tmp_path, site, script):
    text, returncode = SCRIPTS[script]
    (tmp_path / script).write_text(text)
    env = {**strict_warnings("own_subject"), "PYTHONPATH": str(site)}
    result = run_script(tmp_path / script, site / "lesson_fake.py", env=env, timeout=60)
    assert result.returncode == returncode, result.stderr
    if returncode == 0:
        assert result.stderr == "" and result.stdout == "parsed\n"
    else:
        assert "Warning:" in result.stderr.splitlines()[-1], result.stderr
