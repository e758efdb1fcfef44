"""Loaded by pytest before any test module, so it sets two things that must come first.

The BLAS library behind NumPy reads its thread count once, when NumPy is imported. Lesson 05 asks
for one thread before it imports NumPy; the tests import the lessons into this process after
NumPy, so we ask here, before anything imports it: a network trained inside the tests then
computes as the lesson's script does, and the tests' own matrix products do not fight the lesson
runs they start for the two cores of a small machine. A value you set yourself wins.

pytest's option --lessons-dir is declared here too, at the top, so that pytest knows it from the
start, also when no test file is named (python -m pytest --lessons-dir exercises).
tests/conftest.py uses it.
"""
import support.threads  # noqa: F401  (one BLAS thread, as in lesson 05, before NumPy loads)


def pytest_addoption(parser):
    parser.addoption("--lessons-dir", metavar="FOLDER",
                     help="run the lesson tests against the lessons in FOLDER, e.g. exercises "
                          "(default: the repository's own lessons)")
