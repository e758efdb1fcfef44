"""Write exercises/: every lesson, runnable, with the functions it introduces left to write.

    python tools/make_exercises.py                              write exercises/ from the lessons
    python tools/make_exercises.py --solved 04a my-exercises    the lessons up to 04a, solved,
                                                                into my-exercises (to start at 04b)
    ... --force                                                 replace files you have changed
                                                                too, keeping yours as FILE.bak

A file changed since this script wrote it (its manifest, .exercises.json in the folder, says what
it wrote) is the learner's: it is replaced only with --force, and then kept as FILE.bak (or
FILE.1.bak, ...). A run writes every file or none.

The lessons are the one source: never edit exercises/ by hand, change the lesson and run this again
(tests/course/test_exercises.py fails while exercises/ differs from what this script writes). Each exercise
blanks only the functions of its own lesson: a blanked function keeps its signature and docstring
(what to compute, and what the tests check), and its body becomes
    raise NotImplementedError("TODO <name>: <task>; stuck? python tools/hint.py <name>")
Everything earlier comes from the learner's own earlier exercise files, through the same imports
the lessons use (support/lessons.py loads a lesson from the folder of the file that asks), so
exercises/05 trains MNIST with the learner's own backward. Functions are found by name with the
ast module, so lessons may move them around freely.
"""
import argparse
import ast
import errno
import hashlib
import itertools
import json
import os
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted(path.name for path in REPO.glob("0*.py"))   # 01_... to 05_..., in lesson order
MAX_COLUMNS = 100

# What the learner writes, in lesson order: the function (Class.method for a method), the lesson
# that introduces it (which must define it: a renamed function stops this script), what to compute
# (never how), and hints, to open one at a time with tools/hint.py, the formula last.
TODOS = [
    ("sigmoid", "01_single_neuron.py",
     "σ(z) for a number or an array, in its float type, without overflow or warnings",
     ["np.exp(-z) overflows when -z is large (z below about -710 in float64, -89 in float32). "
      "For which sign of z is 1 / (1 + e^(-z)) safe as it stands?",
      "For z < 0, multiply the top and the bottom of 1 / (1 + e^(-z)) by e^z: the result needs "
      "only e^z, which is then below 1. np.where(condition, a, b) picks, entry by entry, from a "
      "or b, but computes all of a and all of b first, for every z: so neither may overflow "
      "anywhere. Both cases can be written with e^(-|z|), which lies in (0, 1].",
      "e = np.exp(-np.abs(z)), then σ = np.where(z >= 0, 1.0, e) / (1.0 + e)"]),
    ("Network.forward", "02_forward_pass.py",
     "the output (N, n_out) for a batch X (N, n_in), layer after layer",
     ["One layer is one matrix product: (N, n_in) @ (n_in, n_out) -> (N, n_out); add the bias "
      "(n_out,) to every row and squash with sigmoid. Then the next layer takes that as its input.",
      "Before the maths, check X: np.asarray(X) must be 2-D with self.sizes[0] columns, else "
      "raise a ValueError whose message shows the shape expected with the number filled in: "
      "(N, 3) for a network with 3 inputs.",
      "a = X; for W, b in zip(self.weights, self.biases): a = sigmoid(a @ W + b); return a"]),
    ("mse_loss", "03_loss_function.py",
     "the mean of (prediction - target)^2 over every entry, as a float; refuse unequal shapes",
     ["The mean squared error averages (prediction - target)^2 over every entry, each sample "
      "and each output alike: N x K of them for (N, K). np.mean of an array averages over all of "
      "its entries at once.",
      "Before the maths, make both arrays with np.asarray and compare their .shape; if they "
      "differ, raise ValueError with both shapes and a word about one_hot.",
      "float(np.mean((prediction - target) ** 2))"]),
    ("one_hot", "03_loss_function.py",
     "labels (N,) -> targets (N, n_classes), a 1 in each row's label column; refuse bad labels",
     ["A target row is the label written as a vector: all zeros but a 1 in the label's column. "
      "Start from np.zeros((N, n_classes), dtype=dtype). Indexing with two arrays of length N, "
      "targets[rows, columns] = 1, sets one entry per row.",
      "Before that, turn away bad labels with a ValueError: not 1-D, not whole numbers "
      "(np.issubdtype(labels.dtype, np.integer)), or outside 0 .. n_classes - 1.",
      "targets[np.arange(len(labels)), labels] = 1"]),
    ("neuron_loss_and_gradients", "04a_backprop_single_neuron.py",
     "(L, dL/dw shaped (n,), dL/db a float) for one neuron on a batch X (N, n), y (N,)",
     ["Forward first: z = X @ w + b is (N,), a = σ(z), and the loss is mse_loss(a, y).",
      "Backward, node by node: dL/da_n = 2 (a_n - y_n) / N, then delta = dL/dz = dL/da · σ'(z), "
      "(N,). Each sample adds its delta_n x_n to dL/dw and its delta_n to dL/db.",
      "grad_w = X.T @ delta, (n, N) @ (N,) -> (n,); grad_b = float(np.sum(delta))"]),
    ("train_neuron", "04a_backprop_single_neuron.py",
     "`steps` steps of gradient descent; return w, b and the path of (w, b, loss) rows",
     ["Work on a copy: w = np.array(w, dtype=float). Each step: the loss and gradients at the "
      "current (w, b) from neuron_loss_and_gradients, a row [*w, b, loss] for the path, then the "
      "step.",
      "A step goes against the gradient, scaled by the learning rate. After the last step, add one "
      "more row for where it ended: steps + 1 rows in all.",
      "w -= lr * grad_w; b -= lr * grad_b; return w, b, np.array(path)"]),
    ("Network.slope", "04b_backprop_network.py",
     "σ'(z) of a hidden sigmoid, computed from its output a = σ(z) alone",
     ["σ(z) = 1 / (1 + e^(-z)). Differentiate it with the chain rule and write the result with "
      "σ(z) itself: no e^(-z) may be left.",
      "σ'(z) = e^(-z) / (1 + e^(-z))^2 = σ(z) · (1 - σ(z)).",
      "return a * (1 - a)"]),
    ("Network.output_delta", "04b_backprop_network.py",
     "delta^L = dL/dz^L (N, K) for the MSE loss on the sigmoid outputs",
     ["The loss averages (a - y)^2 over all N K entries: its slope in one output a is "
      "2 (a - y) / (N K). The chain rule then multiplies by da/dz = σ'(z^L).",
      "output.size is N K, and σ'(z^L) = a^L (1 - a^L) needs only the outputs.",
      "return 2 * (output - Y) / output.size * output * (1 - output)"]),
    ("Network.backward_from", "04b_backprop_network.py",
     "the gradients of every weight and bias from the activations and Y (N, K): two lists "
     "shaped like weights and biases",
     ["Start at the output with delta^L = self.output_delta(a^L, Y), then go from the last "
      "layer down to the first. The weight gradient pairs each layer input a^(l-1) with delta^l, "
      "summed over the batch: a matrix product shaped like W^l, (n_in, n_out); the bias gradient "
      "sums delta^l over the batch.",
      "Sending delta back one layer runs the forward product backwards: delta^l (N, n_out) times "
      "(W^l)^T (n_out, n_in) gives (N, n_in), then times self.slope(a^(l-1)) for the sigmoid "
      "between.",
      "Two practical points. Before the maths, check that Y has the output's shape, else raise "
      "a ValueError whose message shows Y's shape. To keep float32, scale by Python numbers "
      "(output.size is one): under NumPy 2 a NumPy number such as np.prod(output.shape) turns "
      "float32 arrays into float64; NumPy 1.x keeps float32 for it, looking at its value only.",
      "grad_W = a_prev.T @ delta; grad_b = delta.sum(axis=0); "
      "delta = (delta @ W.T) * self.slope(a_prev)"]),
    ("train_epoch", "05_train_mnist.py",
     "one epoch of mini-batch SGD; return (mean loss, accuracy) measured on the batches",
     ["order = rng.permutation(len(images)) is a new order every epoch; take it batch_size at a "
      "time: order[start:start + batch_size].",
      "For each batch: X = to_inputs(images[batch]), Y = one_hot(labels[batch], N_CLASSES, "
      "dtype=NETWORK_DTYPE); gradient_step(net, X, Y, rates) returns the batch's loss and output "
      "before its step. If the loss is not math.isfinite, raise Diverged(loss, batch number), "
      "the first batch being number 1.",
      "total_loss += loss * len(batch); n_correct += np.sum(output.argmax(axis=1) == y); "
      "return total_loss / len(images), n_correct / len(images)"]),
    ("ReluNetwork.slope", "06a_when_training_fails.py",
     "relu'(z) of a hidden ReLU, computed from its output a = relu(z) alone, in a's float type",
     ["relu(z) = max(z, 0) has slope 1 where z > 0 and 0 where z < 0. Which outputs a tell you "
      "that z was above 0?",
      "a > 0 exactly where z > 0. A comparison gives booleans; backward_from multiplies delta by "
      "the slope, which should keep delta's float type (float32 stays float32).",
      "return (a > 0).astype(a.dtype)"]),
    ("layer_health", "06a_when_training_fails.py",
     "per layer of weights, (speed |dL/db|, share of slopes below SATURATED, step / weight) on "
     "the probe",
     ["One forward pass, net.forward_all(X), then one backward_from per mini-batch of the "
      "probe's activations. The whole probe's dL/db is the batches' dL/db weighted by each "
      "batch's share of the images, len(batch) / len(X); the speed is its length, "
      "np.linalg.norm.",
      "saturated: unit_slopes(net, activations) gives every unit's slope, layer by layer; the "
      "share below SATURATED is the mean of a comparison. step / weight: for each whole batch "
      "(or the one batch there is), |rate dL/dW| / |W| per layer; the median over the batches, "
      "np.median(..., axis=0).",
      "steps.append([np.linalg.norm(rate * grad_W) / np.linalg.norm(W) for W, grad_W, rate in "
      "zip(net.weights, grad_weights, rates)]); return list(zip(speeds, saturated, "
      "np.median(steps, axis=0).tolist()))"]),
    ("softmax", "06b_the_cures.py",
     "each row's e^(z_k) / sum_j e^(z_j), (N, K) -> (N, K), with no overflow even at z = 1e4",
     ["softmax(z) = softmax(z - c) for any number c per row: the top and the bottom are both "
      "multiplied by e^(-c). Which c keeps every exponent at 0 or below?",
      "Take c = the row's largest z: z.max(axis=1, keepdims=True) keeps the shape (N, 1), so it "
      "broadcasts against (N, K). Then divide each row by its own sum, again with keepdims.",
      "e = np.exp(z - z.max(axis=1, keepdims=True)); return e / e.sum(axis=1, keepdims=True)"]),
    ("SoftmaxNetwork.output_delta", "06b_the_cures.py",
     "delta^L = dL/dz^L of the mean cross-entropy of softmax outputs, (N, K)",
     ["For one sample, L = -sum_k y_k log p_k with log p_k = z_k - log sum_j e^(z_j). "
      "Differentiate by z_i: what is d(log sum_j e^(z_j))/dz_i? And sum_k y_k for a one-hot y?",
      "dL/dz_i = p_i - y_i for one sample: the softmax's slope and the log's cancel, so no σ' is "
      "left. The loss is the mean over the N samples of the batch: divide by N once.",
      "return (output - Y) / len(Y)"]),
    ("he_start", "06b_the_cures.py",
     "redraw every weight from N(0, 2 / n_in), in place, and return net",
     ["z_j = sum_i a_i W_ij adds n_in terms, so Var(z) = n_in Var(W) E[a^2]. For a ReLU of a z' "
      "symmetric around 0, E[a^2] = Var(z') / 2. Which Var(W) keeps Var(z) = Var(z')?",
      "Var(W) = 2 / n_in, so the standard deviation is sqrt(2 / n_in); n_in is W.shape[0]. "
      "Draw with np.random.default_rng(seed) and write into W[:] so the array stays the same "
      "(and keeps its float type).",
      "rng = np.random.default_rng(seed); for W in net.weights: "
      "W[:] = rng.standard_normal(W.shape) * np.sqrt(2 / W.shape[0]); return net"]),
    ("momentum_step", "06b_the_cures.py",
     "one heavy-ball step, v <- mu v - rate g and p <- p + v, for every weight and bias",
     ["Get the gradients as 04b's gradient_step does: activations = net.forward_all(X), then "
      "net.backward_from(activations, Y). Pair each parameter with its velocity, its gradient "
      "and its layer's rate: net.weights + net.biases, velocities, grads, rates + rates.",
      "Update in place, so that the caller's arrays change: v *= mu, then v -= rate * g, then "
      "p += v. Return the output before the step, activations[-1].",
      "for p, v, g, rate in zip(net.weights + net.biases, velocities, grad_weights + "
      "grad_biases, rates + rates): v *= mu; v -= rate * g; p += v"]),
]
# A lesson file run from a folder one level below the course (exercises/, my-exercises/) finds
# support/ in the folder above it.
FIND_SUPPORT = [
    "import pathlib, sys  # noqa: E401  (an exercise sits in a folder inside the course)",
    "sys.path[:0] = [str(folder) for folder in pathlib.Path(__file__).resolve().parents",
    "                if (folder / 'support' / 'lessons.py').is_file()][:1]",
]


def todo(name):
    """(lesson, task, hints) of the TODO called `name`."""
    for todo_name, lesson, task, hints in TODOS:
        if todo_name == name:
            return lesson, task, hints
    raise KeyError(name)


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


def todo_lines(name, task, indent):
    """raise NotImplementedError("TODO name: task; stuck? ..."), split into string pieces that
    fit MAX_COLUMNS, counted in bytes (σ and · take two)."""
    message = f"TODO {name}: {task}; stuck? python tools/hint.py {name}"
    assert '"' not in message and "\\" not in message, f"the task for {name} needs no quotes"
    one_line = f'{indent}raise NotImplementedError("{message}")'
    if fits([one_line]):
        return [one_line]
    for width in range(MAX_COLUMNS - len(indent) - 8, 20, -1):
        pieces = textwrap.wrap(message, width, break_long_words=False)
        quoted = [f'{indent}    "{piece} "' for piece in pieces[:-1]]
        quoted.append(f'{indent}    "{pieces[-1]}")')
        if fits(quoted):
            return [f"{indent}raise NotImplementedError("] + quoted
    raise SystemExit(f"make_exercises: the task for {name} does not wrap into {MAX_COLUMNS} bytes")


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


def make_exercise(lesson, source, answers, blank=True):
    """The exercise for one lesson: the TODO functions it introduces blanked (unless blank=False),
    support/ found from a subfolder, and the main guard wrapped so that a TODO ends the script with
    its one line. `answers` collects each blanked body (as code lines) by function name."""
    tree = ast.parse(source)
    lines = source.splitlines()
    edits = []  # (first line, last line, replacement lines), 1-based
    for name, first_lesson, task, _ in TODOS if blank else []:
        if first_lesson != lesson:
            continue
        function = find_function(tree, name)
        if function is None:
            raise SystemExit(f"make_exercises: {lesson} defines no {name}; "
                             f"update TODOS in {__file__}")
        first, last = body_span(function)
        answers[name] = code_lines(lines[first - 1:last])
        indent = " " * function.body[-1].col_offset
        edits.append((first, last, todo_lines(name, task, indent)))
    guard = main_guard(tree)
    call = [line for line in lines[guard.body[0].lineno - 1:guard.end_lineno] if line.strip()]
    edits.append((guard.body[0].lineno, guard.end_lineno,
                  ["    try:", *("    " + line for line in call),
                   "    except NotImplementedError as todo:  # say which TODO, without a traceback",
                   "        raise SystemExit(str(todo))"]))
    first_statement = tree.body[1].lineno                # right after the module docstring
    edits.append((first_statement, first_statement - 1, FIND_SUPPORT))
    for first, last, replacement in sorted(edits, reverse=True):
        lines[first - 1:last] = replacement
    what = "its new functions left to you (each raises a TODO)" if blank else "solved"
    header = [f"# Exercise: {lesson}, {what}.",
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


# --- Writing: a learner's work is never lost, and a run that cannot finish changes nothing ------
# The manifest records, for each file this script wrote into a folder, the SHA-256 of what it
# wrote. A file that matches neither its record nor the new text has been changed since: it is the
# learner's, and is replaced only with --force, after a backup. exercises/ keeps its manifest in
# git, so that a fresh clone regenerates unhindered.
MANIFEST = ".exercises.json"


class Refused(Exception):
    """A run that does not go ahead; its message names the problem and the fix."""


def write_exercises(folder, texts, force=False):
    """Write {file name: text} into `folder`, all of it or nothing, and update its manifest.
    Returns [(path written, backup of the learner's file or None)]: only the files that change."""
    plan, backups = plan_writes(folder, texts, force)
    created, temporaries = [], {}
    try:
        make_folders(folder, created)
        for path, data in plan.items():
            temporaries[path] = write_temporary(path, data)
    except BaseException as error:                    # a full disk, or Ctrl-C: undo it all
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
        for made in reversed(created):
            made.rmdir()
        if not isinstance(error, OSError):
            raise
        raise Refused(why_not_written(error, folder)) from None
    renamed = 0
    try:
        for path, temporary in temporaries.items():   # backups first, the manifest last
            os.replace(temporary, path)
            renamed += 1
    except OSError as error:                          # all written, yet a rename failed
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
        raise Refused(f"stopped after {renamed} of {len(temporaries)} files in {folder}: "
                      f"{error.strerror}; fix that and run again") from None
    return [(path, backups.get(path)) for path in plan if path.name in texts]


def plan_writes(folder, texts, force):
    """({path: bytes} to write, backups first and the manifest last; {path: its backup}), having
    checked every target and written nothing. Raises Refused."""
    check_folder(folder)
    records = read_manifest(folder)
    plan, backups, saved, changed_by_you = {}, {}, {}, []
    for name, text in texts.items():
        path, data = folder / name, text.encode("utf-8")
        old = read_target(path)
        if old is not None and fingerprint(old) == fingerprint(data):
            continue                                            # already up to date
        if old is not None and fingerprint(old) != records.get(name):
            changed_by_you.append(path)
            backup = backup_path(path, saved)
            saved[backup], backups[path] = old, backup
        plan[path] = data
    if changed_by_you and not force:
        them = "it" if len(changed_by_you) == 1 else "them"
        raise Refused(f"{', '.join(map(str, changed_by_you))}: changed since this script wrote "
                      f"{them}; add --force to replace {them} (yours kept as .bak), or give "
                      f"another folder")
    records.update({name: fingerprint(text.encode("utf-8")) for name, text in texts.items()})
    records = {name: records[name] for name in sorted(records)
               if name in texts or (folder / name).is_file()}
    manifest = (json.dumps(records, indent=1) + "\n").encode("utf-8")
    if read_target(folder / MANIFEST) != manifest:
        plan[folder / MANIFEST] = manifest
    return {**saved, **plan}, backups


def fingerprint(data):
    """SHA-256 of a file's bytes, with line ends as LF (git may check files out with CRLF)."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def check_folder(folder):
    """Refuse a folder that is a file, or lies under one."""
    for path in [folder, *folder.parents]:
        if path.exists():
            if not path.is_dir():
                where = "" if path == folder else f"{folder}: "
                raise Refused(f"{where}{path} is a file, not a folder; give a folder to write into")
            return


def read_manifest(folder):
    """{file name: fingerprint} of what this script last wrote into `folder`; {} if none (then
    every file there that differs from the new text counts as the learner's)."""
    data = read_target(folder / MANIFEST)
    try:
        records = json.loads(data) if data is not None else {}
    except ValueError:
        return {}
    if not isinstance(records, dict):
        return {}
    return {name: value for name, value in records.items() if isinstance(value, str)}


def read_target(path):
    """The bytes of a file about to be replaced, or None if there is none. Raises Refused for a
    folder in its place or a read-only file (os.replace would replace even that)."""
    if path.is_dir():
        raise Refused(f"{path} is a folder where a file goes; move it away or give another folder")
    if not path.exists():
        return None
    if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
        raise Refused(f"{path} is read-only; make it writable (chmod u+w {path}) to let it be "
                      f"replaced, or give another folder")
    try:
        return path.read_bytes()
    except OSError as error:
        raise Refused(f"cannot read {path} ({error.strerror}); check it, or give another "
                      f"folder") from None


def backup_path(path, taken):
    """FILE.bak, or FILE.1.bak, FILE.2.bak, ... : the first that neither exists nor is `taken`."""
    candidates = (path.with_name(f"{path.name}.{n}.bak" if n else f"{path.name}.bak")
                  for n in itertools.count())
    return next(backup for backup in candidates if not backup.exists() and backup not in taken)


def make_folders(folder, created):
    """Create `folder` and any missing parents, adding each to `created` (outermost first), so
    that a failed run can remove them."""
    for path in [path for path in [folder, *folder.parents] if not path.exists()][::-1]:
        path.mkdir()
        created.append(path)


def write_temporary(path, data):
    """`data` written whole into a new hidden file beside `path`, to be renamed onto it."""
    for n in itertools.count():
        temporary = path.with_name(f".{path.name}.{n}.tmp")
        try:
            file = open(temporary, "xb")
        except FileExistsError:
            continue                                    # left by an earlier run: not ours
        try:
            with file:
                file.write(data)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary


def why_not_written(error, folder):
    """One line for an OSError met while writing: what happened, and what to do."""
    where = error.filename or folder
    if error.errno == errno.ENOSPC:
        return f"no space left on the disk holding {folder}; free some space and run again " \
               f"(nothing was changed)"
    if isinstance(error, PermissionError) or error.errno == errno.EROFS:
        return f"cannot write into {where}: permission denied; make it writable " \
               f"(chmod u+w) or give another folder (nothing was changed)"
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        return f"{where} is a file where a folder goes; give another folder (nothing was changed)"
    return f"cannot write into {where}: {error.strerror}; nothing was changed"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--solved", metavar="LESSON",
                        help="write the lessons up to this one (e.g. 04a) solved, instead of the "
                             "exercises, into FOLDER (which must be given)")
    parser.add_argument("--force", action="store_true",
                        help="replace files you have changed too, keeping yours as FILE.bak")
    parser.add_argument("folder", nargs="?",
                        help="where to write them (default: exercises/)")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):      # a folder name the console cannot spell
        sys.stdout.reconfigure(errors="replace")
    starts = ", ".join(name.split("_")[0] for name in LESSONS)
    if args.folder == "":
        parser.error("the folder is empty; give a folder name, e.g. my-exercises")
    if args.solved is None:
        texts = make_exercises()
    elif not args.solved:
        parser.error(f"--solved needs a lesson, one of {starts}; e.g. --solved 04a my-exercises")
    elif not any(name.startswith(args.solved + "_") for name in LESSONS):
        parser.error(f"--solved {args.solved}: no lesson starts with {args.solved}_; give one "
                     f"of {starts}")
    elif args.folder is None:
        parser.error(f"--solved {args.solved} needs the folder to write into, e.g. "
                     f"--solved {args.solved} my-exercises")
    else:
        texts = {name: make_exercise(name, (REPO / name).read_text(encoding="utf-8"), {},
                                     blank=False)
                 for name in LESSONS if name.split("_")[0] <= args.solved}
    folder = REPO / "exercises" if args.folder is None else Path(args.folder)
    try:
        written = write_exercises(folder, texts, args.force)
    except Refused as refusal:
        return f"make_exercises: {refusal}"
    for path, backup in written:
        print(f"wrote {path}" + (f" (yours is kept as {backup})" if backup else ""))
    if len(written) < len(texts):
        print(f"{len(texts) - len(written)} file(s) in {folder} were already up to date")
    if REPO not in folder.resolve().parents:
        print(f"note: {folder} is outside the course folder: its lessons find support/ when "
              f"PYTHONPATH names the course folder, {REPO} (README: Quick start)")
    return None


if __name__ == "__main__":
    sys.exit(main())
