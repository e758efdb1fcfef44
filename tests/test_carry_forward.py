"""The carried-forward blocks: every lesson that copies a function or class keeps it identical.

Each lesson is self-contained, so code from earlier lessons is copied forward into an appendix after
main(), under a banner starting "# Carried over from". Two checks keep the copies from drifting
apart:
  1. the source text: a top-level function, constant or class method with the same name reads the
     same in every lesson that has it (a later lesson may ADD methods to a class, never change one);
  2. the behaviour: the same inputs and weights give the same outputs in every lesson that has them.
A third keeps the copies lean: a lesson carries only what it uses.
"""
import ast
import itertools

import numpy as np
import pytest

from helpers import LESSONS, REPO, load_lesson

PRESENT = [name for name in LESSONS if (REPO / name).exists()]
LESSON_SPECIFIC = {"main"}  # every lesson has its own main()
# Functions a lesson defines for its readers to call, though the file itself never does (the README
# shows how); every other top-level function and class must be used in its own file.
PUBLIC_API = {"05_train_mnist.py": {"load_mnist"}}


def definitions(path):
    """name -> source text of each top-level function, assignment, class and class method."""
    source = path.read_text(encoding="utf-8")
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name not in LESSON_SPECIFIC:
            found[node.name] = ast.get_source_segment(source, node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = ast.get_source_segment(source, node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                text = ast.get_source_segment(source, item)
                if isinstance(item, ast.FunctionDef):
                    key = f"{node.name}.{item.name}"
                else:
                    key = f"{node.name}.{text}"
                found[key] = text
    return found


def drifted(first_path, second_path):
    a, b = definitions(first_path), definitions(second_path)
    return sorted(name for name in a.keys() & b.keys() if a[name] != b[name])


def test_the_first_lessons_are_there():
    assert PRESENT[:3] == LESSONS[:3]


@pytest.mark.parametrize("first, second", list(itertools.combinations(PRESENT, 2)))
def test_shared_names_have_identical_source(first, second):
    assert drifted(REPO / first, REPO / second) == [], \
        f"{first} and {second} define these differently"


def unused_definitions(path, public=()):
    """Top-level functions and classes that nothing else in the file refers to (main excepted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = {node.name: node for node in tree.body
               if isinstance(node, (ast.FunctionDef, ast.ClassDef))
               and node.name not in LESSON_SPECIFIC}
    used = set()
    for top in tree.body:
        for node in ast.walk(top):
            if isinstance(node, ast.Name) and defined.get(node.id) is not top:
                used.add(node.id)
    return sorted(set(defined) - used - set(public))


@pytest.mark.parametrize("filename", PRESENT[1:])
def test_carried_block_is_marked_and_comes_after_main(filename):
    lines = (REPO / filename).read_text(encoding="utf-8").splitlines()
    main_line = lines.index("def main(argv=None):")
    banners = [i for i, line in enumerate(lines) if line.startswith("# Carried over from ")]
    assert banners, f"{filename} has no '# Carried over from' banner"
    assert all(i > main_line for i in banners), f"{filename} carries code before main()"


@pytest.mark.parametrize("filename", PRESENT)
def test_every_function_is_used_in_its_own_file(filename):
    unused = unused_definitions(REPO / filename, PUBLIC_API.get(filename, ()))
    assert unused == [], f"{filename} defines but never uses {unused}"


def test_the_usage_check_catches_an_unused_copy(tmp_path):
    """Carrying lesson 01's sigmoid_prime into 03, which never calls it, must fail the check."""
    lesson_01 = (REPO / "01_single_neuron.py").read_text(encoding="utf-8")
    sigmoid_prime = definitions(REPO / "01_single_neuron.py")["sigmoid_prime"]
    assert sigmoid_prime in lesson_01
    original = (REPO / "03_loss_function.py").read_text(encoding="utf-8")
    edited = original.replace('\n\nif __name__ == "__main__":',
                              f'\n\n{sigmoid_prime}\n\n\nif __name__ == "__main__":')
    assert edited != original
    (tmp_path / "03_loss_function.py").write_text(edited, encoding="utf-8")
    assert unused_definitions(REPO / "03_loss_function.py") == []
    assert unused_definitions(tmp_path / "03_loss_function.py") == ["sigmoid_prime"]


def test_the_source_check_catches_a_one_character_change(tmp_path):
    original = (REPO / "02_forward_pass.py").read_text(encoding="utf-8")
    edited = original.replace("np.where(z >= 0, 1.0, e)", "np.where(z > 0, 1.0, e)")
    assert edited != original
    (tmp_path / "02_forward_pass.py").write_text(edited, encoding="utf-8")
    assert drifted(REPO / "01_single_neuron.py", tmp_path / "02_forward_pass.py") == ["sigmoid"]


# --- behaviour: same inputs, same outputs -------------------------------------------------------
def outputs_agree(name, compute, has=None):
    """compute(lesson) gives a list of arrays; it must be the same list in every lesson defining
    `name` (and, if given, whose `name` has the attribute `has`). Returns how many lessons were
    compared."""
    modules = [load_lesson(f, REPO) for f in PRESENT]  # the repository's, whatever --lessons-dir
    modules = [m for m in modules
               if hasattr(m, name) and (has is None or hasattr(getattr(m, name), has))]
    assert len(modules) >= 2, f"fewer than two lessons define {name}"
    reference = compute(modules[0])
    for module in modules[1:]:
        result = compute(module)
        assert len(result) == len(reference), \
            f"{module.__name__}.{name} gives a different number of results"
        for expected, got in zip(reference, result):
            np.testing.assert_array_equal(
                got, expected, err_msg=f"{module.__name__}.{name} != {modules[0].__name__}.{name}")
    return len(modules)


Z = np.concatenate([np.linspace(-50, 50, 101), [-1e4, 1e4]])
X = np.random.default_rng(0).uniform(size=(7, 5))
Y = np.eye(3)[np.arange(7) % 3]


def test_sigmoid_and_its_slope_agree():
    assert outputs_agree("sigmoid", lambda m: [m.sigmoid(Z), m.sigmoid(Z.astype(np.float32))]) == 6
    assert outputs_agree("sigmoid_prime", lambda m: [m.sigmoid_prime(Z)]) == 3  # 01, 04a, 04b


def test_neuron_agrees():
    x, w = np.array([0.3, -1.2, 2.0]), np.array([1.5, 0.2, -0.7])
    assert outputs_agree("neuron", lambda m: [m.neuron(x, w, 0.4)]) == 2  # 01, 02


def test_network_forward_agrees():
    def compute(m):
        net = m.Network([5, 4, 3], seed=2)
        return [*net.weights, *net.biases, net.forward(X)]
    assert outputs_agree("Network", compute) == 4  # 02, 03, 04b, 05


def test_network_backward_and_gradient_step_agree():
    def compute(m):
        net = m.Network([5, 4, 3], seed=2)
        grad_weights, grad_biases = net.backward(X, Y)
        loss, output = m.gradient_step(net, X, Y, 0.5)
        return [*grad_weights, *grad_biases, loss, output, *net.weights, *net.biases]
    assert outputs_agree("Network", compute, has="backward") == 2  # 04b, 05


def test_loss_and_targets_agree():
    rng = np.random.default_rng(1)
    p, t = rng.uniform(size=(4, 3)), rng.uniform(size=(4, 3))
    assert outputs_agree("mse_loss", lambda m: [m.mse_loss(p, t)]) == 4  # 03, 04a, 04b, 05
    assert outputs_agree("one_hot", lambda m: [m.one_hot(np.array([2, 0, 1]), 3)]) == 2  # 03, 05


def test_command_line_plumbing_agrees():
    argv = ["--seed", "7", "--no-plots", "--figures-dir", "somewhere"]
    def parsed(m):
        return [str(sorted(vars(m.make_parser("x").parse_args(argv)).items()))]
    assert outputs_agree("make_parser", parsed) == 6
    assert outputs_agree("positive_float", lambda m: [m.positive_float("2.5")]) == 3  # 04a, 04b, 05
    assert outputs_agree("positive_int", lambda m: [m.positive_int("3")]) == 2        # 04a, 05
