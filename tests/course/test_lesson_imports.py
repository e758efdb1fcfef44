"""Each lesson defines what it teaches and imports what it reuses from the lesson that taught it.

A lesson may import the standard library, NumPy, matplotlib, support/ (the plumbing) and, through
support.lessons.from_lesson, earlier lessons: one from_lesson line per earlier lesson, at the top,
saying what it takes from there. No function, class or setting is defined in two lessons, no
lesson imports a later one, and no lesson imports a framework that would hide the maths. A lesson
uses every function it defines (main excepted, and what a lesson offers its readers to call).
"""
import ast
import itertools

import pytest

from helpers import LESSONS, REPO, copy_lessons, edit

ALLOWED_MODULES = {"argparse", "math", "os", "sys", "time", "pathlib", "numpy", "matplotlib",
                   "support"}
FRAMEWORKS = {"torch", "tensorflow", "sklearn", "jax", "PIL", "keras"}
NOT_COUNTED = {"main", "parse_args"}   # every lesson has its own main() and command line


def parse(filename, folder=REPO):
    return ast.parse((folder / filename).read_text(encoding="utf-8"))


def imported_lessons(tree):
    """[(lesson, (name, ...), line)] of every from_lesson(...) call in the file, in order."""
    calls = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "from_lesson"):
            lesson, *names = [arg.value for arg in node.args]
            calls.append((lesson, tuple(names), node.lineno))
    return sorted(calls, key=lambda call: call[2])


def imported_modules(tree):
    """The top-level package of every import statement in the file."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module.split(".")[0])
    return found


def definitions(tree):
    """The names a file defines at its top level: functions, classes and assigned names, except
    those it assigns from from_lesson (imported, not defined) and a class that extends the
    earlier lesson's class of the same name (lesson 04b's Network adds backpropagation to lesson
    02's: a subclass, not a copy)."""
    names, imported = set(), {}                   # imported: local name -> the name it imports
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(
                node.value.func, ast.Name) and node.value.func.id == "from_lesson":
            targets = [n.id for n in ast.walk(node.targets[0]) if isinstance(n, ast.Name)]
            imported.update(zip(targets, [arg.value for arg in node.value.args[1:]]))
        elif isinstance(node, ast.ClassDef):
            bases = [base.id for base in node.bases if isinstance(base, ast.Name)]
            if node.name not in [imported.get(base) for base in bases]:
                names.add(node.name)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return {name for name in names if not name.startswith("_")} - NOT_COUNTED


def import_problems(filename, folder=REPO):
    """What is wrong with a lesson's imports, a sentence each; [] when all is well."""
    tree = parse(filename, folder)
    problems = []
    stem = filename[:-3]
    earlier = [name[:-3] for name in LESSONS[:LESSONS.index(filename)]]
    calls = imported_lessons(tree)
    for lesson, names, line in calls:
        if lesson not in earlier:
            problems.append(f"{filename} line {line}: imports {lesson}, which is not an earlier "
                            f"lesson than {stem}")
    lessons = [lesson for lesson, _, _ in calls]
    if len(set(lessons)) != len(lessons):
        problems.append(f"{filename}: more than one from_lesson line for the same lesson")
    if lessons != sorted(lessons):
        problems.append(f"{filename}: the from_lesson lines are not in lesson order")
    first_def = min((node.lineno for node in tree.body
                     if isinstance(node, (ast.FunctionDef, ast.ClassDef))), default=0)
    late = [line for _, _, line in calls if line > first_def]
    if late:
        problems.append(f"{filename} line {late[0]}: from_lesson after the first definition; "
                        "what a lesson takes from earlier ones goes at its top")
    modules = imported_modules(tree)
    for module in sorted(modules & FRAMEWORKS):
        problems.append(f"{filename}: imports {module}; the lessons show every line of the maths")
    for module in sorted(modules - ALLOWED_MODULES - FRAMEWORKS):
        problems.append(f"{filename}: imports {module}; a lesson imports only the standard "
                        "library it needs, numpy, matplotlib, support and earlier lessons")
    if "importlib" in modules or "runpy" in modules:
        problems.append(f"{filename}: loads code another way than support.lessons.from_lesson")
    return problems


def defined_twice(folder=REPO):
    """[(name, first lesson, second lesson)] for every name two lessons both define."""
    defined = {name: definitions(parse(name, folder)) for name in LESSONS}
    return sorted((name, a, b) for a, b in itertools.combinations(LESSONS, 2)
                  for name in defined[a] & defined[b])


def unused_definitions(filename, folder=REPO, public=()):
    """Top-level functions and classes that nothing else in the file refers to (main excepted)."""
    tree = parse(filename, folder)
    defined = {node.name: node for node in tree.body
               if isinstance(node, (ast.FunctionDef, ast.ClassDef))
               and node.name not in NOT_COUNTED}
    used = set()
    for top in tree.body:
        for node in ast.walk(top):
            if isinstance(node, ast.Name) and defined.get(node.id) is not top:
                used.add(node.id)
    return sorted(set(defined) - used - set(public))


# Names a lesson defines for later lessons (or its readers) to use, though it never calls them
# itself: checked in the lessons that import them.
FOR_LATER = {"01_single_neuron.py": {"sigmoid_prime"}, "04a_backprop_single_neuron.py": set(),
             "04b_backprop_network.py": set()}


@pytest.mark.parametrize("filename", LESSONS)
def test_a_lesson_imports_only_earlier_lessons_and_support(filename):
    assert import_problems(filename) == []


def test_each_lesson_takes_something_from_the_lesson_before_it():
    for filename in LESSONS[1:]:
        taken = {lesson for lesson, _, _ in imported_lessons(parse(filename))}
        assert taken, f"{filename} imports nothing from an earlier lesson"


def test_nothing_is_defined_in_two_lessons():
    assert defined_twice() == []


@pytest.mark.parametrize("filename", LESSONS)
def test_every_function_is_used(filename):
    """Used in its own file, or imported by a later lesson."""
    later = set()
    for other in LESSONS[LESSONS.index(filename) + 1:]:
        for lesson, names, _ in imported_lessons(parse(other)):
            if lesson == filename[:-3]:
                later |= set(names)
    assert unused_definitions(filename, public=later | FOR_LATER.get(filename, set())) == []


# --- the checks themselves catch what they are for ------------------------------------------------
def test_the_checks_catch_a_copied_function_and_a_later_import(tmp_path):
    folder = copy_lessons(tmp_path)
    sigmoid = ast.get_source_segment((REPO / LESSONS[0]).read_text(encoding="utf-8"), next(
        node for node in parse(LESSONS[0]).body
        if isinstance(node, ast.FunctionDef) and node.name == "sigmoid"))
    edit(folder / "03_loss_function.py", 'sigmoid = from_lesson("01_single_neuron", "sigmoid")\n',
         "")
    edit(folder / "03_loss_function.py", "\n\ndef main(", f"\n\n{sigmoid}\n\n\ndef main(")
    assert ("sigmoid", "01_single_neuron.py", "03_loss_function.py") in defined_twice(folder)
    edit(folder / "02_forward_pass.py", "from support.lessons import from_lesson\n",
         'from support.lessons import from_lesson\nX = from_lesson("04b_backprop_network", "X")\n')
    assert any("not an earlier lesson" in problem
               for problem in import_problems("02_forward_pass.py", folder))
    edit(folder / "04a_backprop_single_neuron.py", "import numpy as np\n",
         "import numpy as np\nimport torch\n")
    assert any("imports torch" in problem
               for problem in import_problems("04a_backprop_single_neuron.py", folder))


def test_the_usage_check_catches_an_unused_function(tmp_path):
    folder = copy_lessons(tmp_path)
    edit(folder / "02_forward_pass.py", "\n\ndef main(",
         "\n\ndef never_called(x):\n    return x\n\n\ndef main(")
    assert unused_definitions("02_forward_pass.py", folder) == ["never_called"]
    assert unused_definitions("02_forward_pass.py") == []
