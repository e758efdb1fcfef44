"""MNIST's geometry is said once, in support/mnist.py: IMAGE_SHAPE (28, 28) and N_CLASSES (10).

Everything else (the lessons, support/, the benchmarks, the tools) imports them. A second
definition, or a 28 or 784 written into code, would let the two drift apart. Strings and comments
may say "28 x 28"; the tests may build 28 x 28 arrays of their own.
"""
import ast

from helpers import REPO

DEFINED_IN = "support/mnist.py"
NAMES = {"IMAGE_SHAPE", "N_CLASSES", "DIGITS", "FIELD"}     # the last two: older names for them
NUMBERS = {28, 784}                                          # 28 x 28 pixels


def checked_files():
    for pattern in ("0*.py", "conftest.py", "support/*.py", "benchmarks/*.py", "tools/*.py",
                    "docs/*.py"):
        for path in sorted(REPO.glob(pattern)):
            name = path.relative_to(REPO).as_posix()
            if name != DEFINED_IN:
                yield name, path


def second_definitions(source):
    """(line, what) for each place in `source` that defines MNIST's geometry again."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            found += [(name.lineno, f"assigns {name.id}") for name in ast.walk(target)
                      if isinstance(name, ast.Name) and name.id in NAMES]
        if (isinstance(node, ast.Constant) and type(node.value) is int
                and node.value in NUMBERS):
            found.append((node.lineno, f"writes {node.value}"))
    return found


def test_mnist_geometry_is_defined_once():
    found = [f"{name}:{line} {what}" for name, path in checked_files()
             for line, what in second_definitions(path.read_text(encoding="utf-8"))]
    assert not found, ("MNIST's geometry again, instead of an import from support.mnist: "
                       + "; ".join(found))


def test_the_check_finds_a_copy():
    assert second_definitions("N_CLASSES = 10\n") == [(1, "assigns N_CLASSES")]
    assert second_definitions("sizes = [28 * 28, 100, 10]\n") == [(1, "writes 28"),
                                                                    (1, "writes 28")]
    assert second_definitions("from support.mnist import N_CLASSES\nsizes = [784]\n") == [
        (2, "writes 784")]
    assert second_definitions('print("28 x 28 digits")  # 28 x 28\n') == []
