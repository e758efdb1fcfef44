"""Saving a trained network, and loading one without trusting the file.

A model file is an .npz archive (np.savez) of plain arrays: sizes, the layer sizes, input first, and
w0, b0, w1, b1, ..., each layer's weights and biases; activations, each hidden layer's activation
("sigmoid" or "relu"), and output, the output layer's ("sigmoid" or "softmax"). A file without the
last two (saved before they were recorded) holds lesson 04b's sigmoid network. Loading makes the
network of the class that computes what the file records (NETWORK_CLASSES).

What it promises: a save never leaves a half-written model under its name (it writes a temporary
file of its own beside it and renames it when whole, so of two saves at once the last one wins,
whole); loading never runs code from the file (allow_pickle=False), and never allocates what a file
merely claims: the sizes must make a network of at most MAX_PARAMETERS and every array's header must
declare exactly the shape those sizes give before any array is read. A missing, damaged, mismatched
or oversized file is one ModelFileError saying what is wrong and how to train a new one.
"""
import os
import secrets
import zipfile
from pathlib import Path

import numpy as np

from support.download import remove_if_abandoned, space_advice
from support.lessons import REPO, load_lesson
from support.lifecycle import Fatal, on_stop

MAX_PARAMETERS = 50_000_000   # 200 MB of float32 weights: far beyond what MNIST needs, and a
                              # bound on what a --hidden typo or a model file can make us allocate
MAX_SIZES = 100               # layer sizes in a model file: far more layers than a lesson makes
LARGEST_Z = 1e30              # float32 overflows at 3.4e38; a z this large is unusable anyway
HIDDEN_KINDS, OUTPUT_KINDS = ("sigmoid", "relu"), ("sigmoid", "softmax")
# (hidden activation, output) -> the lesson and class that compute it. A network class states its
# kinds as hidden_kind and output_kind; one that states none is lesson 04b's, sigmoids throughout.
NETWORK_CLASSES = {
    ("sigmoid", "sigmoid"): ("04b_backprop_network", "Network"),
    ("sigmoid", "softmax"): ("06b_the_cures", "SoftmaxNetwork"),
    ("relu", "sigmoid"): ("06a_when_training_fails", "ReluNetwork"),
    ("relu", "softmax"): ("06b_the_cures", "CuredNetwork"),
}


class ModelFileError(Exception):
    """A model file is missing, unreadable, or does not describe a valid network."""


def save_model_and_say(path, net, validation_accuracy=None):
    """save_model, then one line saying where the model went. A failed save is a Fatal error
    (cannot_save_message), and a stop while saving (Ctrl-C, SIGTERM, SIGHUP) says that the model
    was not saved: save_model leaves nothing half-written either way."""
    replaced = replaced_model_text(path)
    try:
        with on_stop("the model was not saved", label="interrupted while saving"):
            saved = save_model(path, net, validation_accuracy=validation_accuracy)
    except OSError as error:
        raise Fatal(cannot_save_message(path, error)) from None
    print(f"model saved: {path}" + (f" (a link to {saved})" if saved != Path(path) else "")
          + replaced)


def replaced_model_text(path):
    """What saving at `path` replaces, said in a few words ("" when nothing is there): a model an
    experiment overwrites is named with the validation accuracy it recorded."""
    path = Path(path)
    try:
        if not path.is_file():
            return ""
        with np.load(path, allow_pickle=False) as data:
            accuracy = (float(data["validation_accuracy"]) if "validation_accuracy" in data.files
                        else None)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return "; it replaced an earlier file of that name"
    if accuracy is None:
        return "; it replaced an earlier model"
    return f"; it replaced a model with {accuracy:.2%} on the validation images"


def save_model(path, net, validation_accuracy=None):
    """Save the architecture and parameters with np.savez: arrays sizes, w0, b0, w1, b1, ..., and
    the accuracy on the validation images when it is given. Returns the path of the file written:
    `path` itself, or the file a symbolic link at `path` points to (the link stays a link).

    We write to a temporary file of our own beside it (a unique name, so two runs saving at once
    never write into the same file) and rename it at the end: an interrupted save never leaves a
    half-written model behind, and of two saves at once the last one wins, whole. A temporary
    file that a killed run left behind (SIGKILL, a power cut) is removed by the next save once it
    is an hour old.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()                           # write through the link, to its target
    path.parent.mkdir(parents=True, exist_ok=True)
    hidden, output = kinds_of(type(net))
    arrays = {"sizes": np.array(net.sizes, dtype=np.int64),
              "activations": np.array([hidden] * (len(net.sizes) - 2), dtype="<U7"),
              "output": np.array(output, dtype="<U7")}
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"w{l}"] = w
        arrays[f"b{l}"] = b
    if validation_accuracy is not None:
        arrays["validation_accuracy"] = np.float64(validation_accuracy)
    remove_abandoned_temporary_files(path)
    tmp = None
    try:
        # The name is chosen before the file exists, inside the try, so that a stop at any moment
        # (even as the file is being created) finds it here and removes it. O_EXCL makes the
        # name ours alone: another run that drew the same letters makes us draw again.
        while tmp is None:
            tmp = path.parent / f"{temporary_prefix(path)}{secrets.token_hex(4)}.tmp"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                             0o644)
            except FileExistsError:
                tmp = None
        with os.fdopen(fd, "wb") as f:   # a file object: np.savez then adds no ".npz" to the name
            np.savez(f, **arrays)
        os.replace(tmp, path)            # atomic on the same disk
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
    return path


def temporary_prefix(path):
    """The start of our temporary files' names beside `path`: a dot, the name (cut to 200 bytes, so
    that with 8 random letters and ".tmp" it stays a legal name), a dot."""
    return "." + path.name.encode("utf-8")[:200].decode("utf-8", "ignore") + "."


def remove_abandoned_temporary_files(path):
    """Remove temporary files of ours beside `path` that nobody has written to for an hour: a
    save takes seconds, so such a file was left by a run that was killed while saving."""
    for tmp in path.parent.glob(glob_escape(temporary_prefix(path)) + "*.tmp"):
        remove_if_abandoned(tmp)


def glob_escape(text):
    """`text` with the characters glob reads as patterns made literal."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def cannot_save_message(path, error):
    """One line for an OSError that save_model raised: what went wrong, and what helps."""
    return (f"cannot save the model to {path}: {error.strerror or error}; "
            f"{space_advice(error)}choose another file with --model")


def kinds_of(network_class):
    """(hidden activation, output) of a network class: its hidden_kind and output_kind, or
    lesson 04b's sigmoids for a class that states none."""
    return (getattr(network_class, "hidden_kind", "sigmoid"),
            getattr(network_class, "output_kind", "sigmoid"))


def load_model(path, network_class):
    """Load a network saved by save_model, or raise ModelFileError saying what is wrong with the
    file. It comes back as a `network_class` (lesson 04b's Network, say) when that class computes
    the activations the file records, else as the class of NETWORK_CLASSES that does, from the
    course folder (network_class None: always so). It has an attribute validation_accuracy: the
    accuracy save_model recorded, or None for a file saved without one.

    A model file is only trusted as far as it has been checked. allow_pickle=False: it holds plain
    numbers only, so loading one can never run code. And before any array is read, the sizes it
    declares must make a network of at most MAX_PARAMETERS, and every array's header must declare
    exactly the shape those sizes give: a small file can claim any size, so a claim is never
    allocated unchecked.
    """
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder; give the model's file name, e.g. "
                             f"--model {path / 'model.npz'}")
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}; train one first: "
                             f"python 05_train_mnist.py --model {path}")

    train_again = f"delete it and train again: python 05_train_mnist.py --model {path}"

    def invalid_model_error(reason):
        return ModelFileError(f"{path} is not a model saved by this lesson ({reason}); "
                              f"{train_again}")

    try:
        # We open the file ourselves so that it is closed even when NumPy gives up on a damaged one.
        with open(path, "rb") as f:
            if not zipfile.is_zipfile(f):
                raise invalid_model_error("it is not an .npz archive: damaged, or another kind of "
                                          "file")
            f.seek(0)
            with np.load(f, allow_pickle=False) as data:
                sizes = read_sizes(data, invalid_model_error)
                check_headers(data, sizes, invalid_model_error)
                arrays = {name: data[name] for name in data.files}   # reading checks each CRC
    except OSError as error:
        raise ModelFileError(f"cannot read {path} ({error.strerror or error}); check its "
                             "permissions, or give another file with --model") from None
    except (ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise invalid_model_error(f"it cannot be read: {error}") from None
    kinds = read_kinds(arrays, len(sizes), invalid_model_error)
    if network_class is None or kinds_of(network_class) != kinds:
        network_class = class_for(kinds)
    net = network_class(sizes, dtype=arrays["w0"].dtype)
    for l in range(len(sizes) - 1):
        W, b = arrays[f"w{l}"], arrays[f"b{l}"]
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise invalid_model_error(f"layer {l + 1} holds non-finite values (NaN or infinity)")
        # Every input of a layer lies in [0, 1] (pixels, or sigmoids), so |z_j| can reach
        # sum_i |W_ij| + |b_j| and no more: beyond LARGEST_Z, float32 would overflow to inf.
        largest = float(np.max(np.abs(W).sum(axis=0, dtype=np.float64) + np.abs(b)))
        if largest > LARGEST_Z:
            raise ModelFileError(f"{path} holds a network that cannot be used: layer {l + 1}'s "
                                 f"weights are so large that its z can reach {largest:.1e}, and "
                                 f"its outputs would overflow; {train_again}")
        net.weights[l], net.biases[l] = W, b
    accuracy = arrays.get("validation_accuracy")
    if accuracy is not None and not 0 <= accuracy <= 1:      # NaN too: it compares False
        raise invalid_model_error(f"its validation_accuracy is {accuracy}, not from 0 to 1")
    net.validation_accuracy = None if accuracy is None else float(accuracy)
    return net


def read_kinds(arrays, n_sizes, invalid_model_error):
    """(hidden activation, output) that a file's arrays record, checked; lesson 04b's sigmoids for
    a file that records none. Every hidden layer must have the same activation."""
    if "output" not in arrays:
        return "sigmoid", "sigmoid"
    hidden, output = [str(kind) for kind in arrays["activations"]], str(arrays["output"])
    if len(hidden) != n_sizes - 2 or len(set(hidden)) > 1 or not set(hidden) <= set(HIDDEN_KINDS):
        raise invalid_model_error(f"its activations {hidden} are not one of {HIDDEN_KINDS} for "
                                  f"each of its {n_sizes - 2} hidden layers")
    if output not in OUTPUT_KINDS:
        raise invalid_model_error(f"its output {output!r} is not one of {OUTPUT_KINDS}")
    # A network without hidden layers has only its output's kind: the sigmoid's class reads it.
    return (hidden[0] if hidden else "sigmoid"), output


def class_for(kinds):
    """The network class that computes these (hidden, output) kinds, from the course folder."""
    lesson, name = NETWORK_CLASSES.get(kinds, (None, None))
    if lesson is None:
        raise ModelFileError(f"no lesson makes a network with {kinds[0]} hidden layers and a "
                             f"{kinds[1]} output")
    return getattr(load_lesson(REPO / f"{lesson}.py"), name)


def read_sizes(data, invalid_model_error):
    """The layer sizes an open .npz declares, checked: 2 to MAX_SIZES whole numbers >= 1, and a
    network of at most MAX_PARAMETERS."""
    if "sizes" not in data.files:
        raise invalid_model_error("it holds no 'sizes' array")
    shape, dtype = header_of(data, "sizes")
    # The header first: a file of a few bytes can claim a sizes array of a billion numbers, and
    # reading it would allocate them all.
    if len(shape) != 1 or not 2 <= shape[0] <= MAX_SIZES or dtype.kind not in "iu":
        raise invalid_model_error(f"its 'sizes' array holds {dtype} of shape {shape}, not 2 to "
                                  f"{MAX_SIZES} whole numbers")
    sizes = [int(n) for n in data["sizes"]]
    if min(sizes) < 1:
        raise invalid_model_error(f"its sizes {sizes} include a layer of {min(sizes)} units")
    too_large = network_too_large(sizes)
    if too_large:
        raise invalid_model_error(too_large)
    return sizes


def check_headers(data, sizes, invalid_model_error):
    """Every array's header declares the shape `sizes` gives it, and a float type; a recorded
    validation accuracy is one float."""
    expected = {"sizes"} | {f"{kind}{l}" for l in range(len(sizes) - 1) for kind in "wb"}
    if "output" in data.files or "activations" in data.files:
        expected |= {"activations", "output"}
        for name, shape in (("activations", (len(sizes) - 2,)), ("output", ())):
            found_shape, dtype = header_of(data, name) if name in data.files else (None, None)
            if name in data.files and (found_shape != shape or dtype.kind != "U"
                                       or dtype.itemsize > 4 * 16):
                raise invalid_model_error(f"its '{name}' array is not {shape or 'one'} short "
                                          "word(s)")
    if "validation_accuracy" in data.files:
        expected.add("validation_accuracy")
        shape, dtype = header_of(data, "validation_accuracy")
        if shape != () or dtype.kind != "f":
            raise invalid_model_error("its validation_accuracy is not one number")
    if set(data.files) != expected:
        raise invalid_model_error(f"it holds the arrays {sorted(data.files)}, "
                                  f"not {sorted(expected)}")
    for l in range(len(sizes) - 1):
        (W_shape, W_dtype), (b_shape, b_dtype) = header_of(data, f"w{l}"), header_of(data, f"b{l}")
        if W_shape != (sizes[l], sizes[l + 1]) or b_shape != (sizes[l + 1],):
            raise invalid_model_error(f"layer {l + 1} has weights {W_shape} and biases {b_shape}, "
                                      f"not fitting sizes {sizes}")
        if W_dtype.kind != "f" or b_dtype.kind != "f":
            raise invalid_model_error(f"layer {l + 1} holds {W_dtype} and {b_dtype}, "
                                      "not floating-point numbers")


def header_of(data, name):
    """(shape, dtype) of one array in an open .npz, read from its .npy header alone."""
    with data.zip.open(name + ".npy") as member:
        version = np.lib.format.read_magic(member)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"{name} has an .npy header of version {version}")
        shape, _, dtype = read_header(member)
    return shape, dtype


def parameter_count(sizes):
    """How many weights and biases a network of these layer sizes has."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def network_too_large(sizes):
    """Why a network of these layer sizes is too large to make, or None."""
    n = parameter_count(sizes)
    if n <= MAX_PARAMETERS:
        return None
    return (f"Network({list(sizes)}) would have {n:,} parameters, {n * 4 / 1e9:,.1f} GB as "
            f"float32; this lesson makes networks of at most {MAX_PARAMETERS:,} parameters")
