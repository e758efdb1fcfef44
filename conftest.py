"""pytest's option --lessons-dir, declared at the top so that pytest knows it from the start, also
when no test file is named (python -m pytest --lessons-dir exercises). tests/conftest.py uses it."""


def pytest_addoption(parser):
    parser.addoption("--lessons-dir", metavar="FOLDER",
                     help="run the lesson tests against the lessons in FOLDER, e.g. exercises "
                          "(default: the repository's own lessons)")
