"""Write exercises/: every lesson, runnable, with the bodies of its key functions left to write.

    python tools/make_exercises.py

The lessons are the one source: never edit exercises/ by hand, change the lesson and run this again
(tests/test_exercises.py fails while exercises/ differs from what this script writes). A blanked
function keeps its signature and docstring; its body becomes
    raise NotImplementedError("TODO <name>: <hint>")
Functions are found by name with the ast module, so lessons may move them around freely.
"""
import ast
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted(path.name for path in REPO.glob("0*.py"))   # 01_... to 05_..., in lesson order
MAX_COLUMNS = 100

# What the learner writes, in lesson order: the function (Class.method for a method), the lesson
# that introduces it (which must define it: a renamed function stops this script), and a one-line
# hint in the lesson's notation. Later lessons carry copies of these functions; the copies are
# blanked too, so no exercise gives away an earlier answer.
TODOS = [
    ("sigmoid", "01_single_neuron.py",
     "σ(z) = 1 / (1 + e^(-z)); for z < 0 use e^z / (1 + e^z), so e^(-|z|) never overflows"),
    ("Network.forward", "02_forward_pass.py",
     "X must be (N, n_in), else ValueError; a^0 = X, a^l = σ(a^(l-1) @ W^l + b^l); return a^L"),
    ("mse_loss", "03_loss_function.py",
     "L = mean of (prediction - target)^2 over all entries; unequal shapes: ValueError (one_hot)"),
    ("one_hot", "03_loss_function.py",
     "labels (N,) -> (N, n_classes) zeros with targets[n, labels[n]] = 1; bad labels: ValueError"),
    ("neuron_loss_and_gradients", "04a_backprop_single_neuron.py",
     "a = σ(X @ w + b), delta = 2 (a - y) / N · σ'(z); return L, X^T @ delta, sum of delta"),
    ("train_neuron", "04a_backprop_single_neuron.py",
     "steps times: record (w, b, L), then w -= lr · dL/dw, b -= lr · dL/db; record the end too"),
    ("Network.backward_from", "04b_backprop_network.py",
     "delta^L = 2 (a^L - Y) / (N K) · a^L (1 - a^L); grad_W^l = (a^(l-1))^T @ delta^l, "
     "grad_b^l = sum of delta^l; delta^(l-1) = (delta^l @ (W^l)^T) · a^(l-1) (1 - a^(l-1))"),
    ("train_epoch", "05_train_mnist.py",
     "for each mini-batch of rng.permutation(N): gradient_step on to_inputs and one_hot; "
     "non-finite loss: TrainingFailed; return (mean loss, accuracy)"),
]


def find_function(tree, name):
    """The FunctionDef of a top-level function `name` or of a method `Class.method`, or None."""
    *owner, leaf = name.split(".")
    body = tree.body
    if owner:
        classes = [node for node in tree.body
                   if isinstance(node, ast.ClassDef) and node.name == owner[0]]
        body = classes[0].body if classes else []
    functions = [node for node in body if isinstance(node, ast.FunctionDef) and node.name == leaf]
    return functions[0] if functions else None


def body_span(function):
    """(first, last) line numbers, 1-based, of the body after the docstring."""
    first = function.body[0]
    has_docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                     and isinstance(first.value.value, str))
    return (first.end_lineno + 1 if has_docstring else first.lineno), function.end_lineno


def todo_lines(name, hint, indent):
    """raise NotImplementedError("TODO name: hint"), split into string pieces that fit
    MAX_COLUMNS, counted in bytes (σ and · take two)."""
    message = f"TODO {name}: {hint}"
    assert '"' not in message and "\\" not in message, f"the hint for {name} needs no quotes"
    one_line = f'{indent}raise NotImplementedError("{message}")'
    if fits([one_line]):
        return [one_line]
    for width in range(MAX_COLUMNS - len(indent) - 8, 20, -1):
        pieces = textwrap.wrap(message, width, break_long_words=False)
        quoted = [f'{indent}    "{piece} "' for piece in pieces[:-1]]
        quoted.append(f'{indent}    "{pieces[-1]}")')
        if fits(quoted):
            return [f"{indent}raise NotImplementedError("] + quoted
    raise SystemExit(f"make_exercises: the hint for {name} does not wrap into {MAX_COLUMNS} bytes")


def fits(lines):
    return all(len(line.encode("utf-8")) <= MAX_COLUMNS for line in lines)


def main_guard(tree):
    """The top-level `if __name__ == "__main__":` statement."""
    for node in tree.body:
        test = ast.dump(node.test) if isinstance(node, ast.If) else ""
        if "'__name__'" in test and "'__main__'" in test:
            return node
    raise SystemExit("make_exercises: a lesson has no `if __name__ == \"__main__\":` block")


def code_lines(lines):
    """The code lines (neither blank nor comment-only), stripped: to spot an answer anywhere."""
    stripped = (line.strip() for line in lines)
    return [line for line in stripped if line and not line.startswith("#")]


def make_exercise(lesson, source, answers):
    """The exercise for one lesson: every TODO function it defines blanked, the main guard wrapped.

    `answers` collects each blanked body (as code lines) by function name."""
    tree = ast.parse(source)
    lines = source.splitlines()
    introduced = LESSONS.index(lesson)
    edits = []  # (first line, last line, replacement lines), 1-based
    for name, first_lesson, hint in TODOS:
        if LESSONS.index(first_lesson) > introduced:
            continue
        function = find_function(tree, name)
        if function is None:
            if lesson == first_lesson:
                raise SystemExit(f"make_exercises: {lesson} defines no {name}; "
                                 f"update TODOS in {__file__}")
            continue
        first, last = body_span(function)
        answers.setdefault(name, code_lines(lines[first - 1:last]))
        indent = " " * function.body[-1].col_offset
        edits.append((first, last, todo_lines(name, hint, indent)))
    guard = main_guard(tree)
    call = [line for line in lines[guard.body[0].lineno - 1:guard.end_lineno] if line.strip()]
    edits.append((guard.body[0].lineno, guard.end_lineno,
                  ["    try:", *("    " + line for line in call),
                   "    except NotImplementedError as todo:  # say which TODO, without a traceback",
                   "        raise SystemExit(str(todo))"]))
    for first, last, replacement in sorted(edits, reverse=True):
        lines[first - 1:last] = replacement
    header = [f"# Exercise: {lesson} with its key functions left to you (each raises a TODO).",
              "# Written from the lesson by tools/make_exercises.py; see README: Do it yourself."]
    return "\n".join(header + lines) + "\n"


def make_exercises(repo=REPO):
    """{lesson file name: exercise text} for every lesson present, checked for leftover answers."""
    answers, exercises = {}, {}
    for lesson in LESSONS:
        if (repo / lesson).exists():
            source = (repo / lesson).read_text(encoding="utf-8")
            exercises[lesson] = make_exercise(lesson, source, answers)
    for lesson, text in exercises.items():
        code = "\n".join(code_lines(text.splitlines()))
        for name, answer in answers.items():
            if answer and "\n".join(answer) in code:
                raise SystemExit(f"make_exercises: exercises/{lesson} still answers {name}")
    return exercises


def main():
    folder = REPO / "exercises"
    folder.mkdir(exist_ok=True)
    for lesson, text in make_exercises().items():
        (folder / lesson).write_text(text, encoding="utf-8")
        print(f"wrote {folder / lesson}")


if __name__ == "__main__":
    sys.exit(main())
