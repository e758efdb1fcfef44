"""support/model_file.py: a saved network comes back as it was; a save never leaves a half-written
file; a model file is trusted only as far as it has been checked (no code run, nothing huge
allocated), and a broken one gets one clear error. The networks are lesson 04b's, as lesson 05
trains them."""
import errno
import os
import pickle
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest

import support.model_file
from helpers import REPO, assert_mentions, load_lesson
from support.model_file import ModelFileError, cannot_save_message, load_model, save_model

LESSON_04B = "04b_backprop_network.py"
Network = load_lesson(LESSON_04B, REPO).Network


# --- saving a model: a unique temporary file, renamed when whole ----------------------------------
def test_saving_never_touches_another_runs_temporary_file(tmp_path):
    """Two runs saving to the same --model must not share a temporary file."""
    path = tmp_path / "model.npz"
    others = [tmp_path / "model.npz.tmp", tmp_path / ".model.npz.tmp"]
    for other in others:
        other.write_bytes(b"another run is writing this")
    save_model(path, Network([4, 3, 2]))
    for other in others:
        assert other.read_bytes() == b"another run is writing this"
    assert load_model(path, Network).sizes == [4, 3, 2]


@pytest.mark.parametrize("code, space", [(errno.ENOSPC, True), (errno.EACCES, False),
                                         (errno.EROFS, False)])
def test_a_failed_save_advises_freeing_space_only_when_space_ran_out(tmp_path, code, space):
    path = tmp_path / "model.npz"
    message = cannot_save_message(path, OSError(code, os.strerror(code)))
    assert_mentions(message, path, os.strerror(code), "another file with --model")
    assert ("free some space" in message) == space, message


SAVE_MANY = """
import sys
sys.path.insert(0, {repo!r})
from support.lessons import load_lesson
from support.model_file import save_model
net = load_lesson({lesson!r}).Network([784, 64, 10], seed={seed})
for _ in range(25):
    save_model({path!r}, net)
"""


def test_two_runs_saving_at_once_leave_a_whole_file(tmp_path):
    path = tmp_path / "model.npz"
    runs = [subprocess.Popen([sys.executable, "-c", SAVE_MANY.format(
        repo=str(REPO), lesson=str(REPO / LESSON_04B), seed=seed, path=str(path))],
        stderr=subprocess.PIPE, text=True) for seed in (1, 2)]
    for run in runs:
        _, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stderr
    net = load_model(path, Network)                                  # the last save wins, whole
    assert any(np.array_equal(net.weights[0], Network([784, 64, 10], seed=s).weights[0])
               for s in (1, 2))
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_a_save_that_fails_halfway_keeps_the_old_model(tmp_path, monkeypatch):
    path = save_model(tmp_path / "model.npz", Network([4, 3, 2], seed=1))
    before = path.read_bytes()

    def write_half_then_fail(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(np, "savez", write_half_then_fail)
    with pytest.raises(OSError):
        save_model(path, Network([4, 3, 2], seed=2))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


# --- loading a model: plain numbers only, checked before anything big is made ------------------
class MakesAMarker:
    """Unpickling this creates a file: proof that loading ran code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


@pytest.mark.parametrize("where", ["sizes", "w0"])
def test_loading_a_model_never_runs_code(tmp_path, where):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.npz"
    arrays = dict(sizes=np.array([4, 3, 2]), w0=np.zeros((4, 3)), b0=np.zeros(3),
                  w1=np.zeros((3, 2)), b1=np.zeros(2))
    evil = np.empty(arrays[where].shape, dtype=object)
    evil.flat[0] = MakesAMarker(str(marker))
    np.savez(path, **{**arrays, where: evil})
    pickle.loads(pickle.dumps(evil))                          # the object really makes the marker
    assert marker.exists()
    marker.rmdir()
    with pytest.raises(ModelFileError):
        load_model(path, Network)
    assert not marker.exists()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused(tmp_path, bad):
    net = Network([4, 3, 2])
    net.weights[1][2, 1] = bad
    path = save_model(tmp_path / "model.npz", net)
    with pytest.raises(ModelFileError, match="non-finite"):
        load_model(path, Network)


def npz_with_npy_headers(path, members):
    """An .npz whose members are .npy headers (with any declared shape) followed by `data` bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (array_or_header, data) in members.items():
            if isinstance(array_or_header, np.ndarray):
                with archive.open(name + ".npy", "w") as f:
                    np.lib.format.write_array(f, array_or_header, allow_pickle=False)
            else:
                shape, dtype = array_or_header
                with archive.open(name + ".npy", "w", force_zip64=True) as f:
                    np.lib.format.write_array_header_1_0(
                        f, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape})
                    f.write(data)


@pytest.mark.parametrize("case", ["sizes declare a billion units", "header claims terabytes",
                                  "zip bomb"])
def test_a_model_file_declaring_a_huge_network_is_refused_without_allocating_it(tmp_path, case):
    path = tmp_path / "model.npz"
    small = {"b0": (np.zeros(100, np.float32), None), "w1": (np.zeros((100, 10), np.float32), None),
             "b1": (np.zeros(10, np.float32), None)}
    if case == "sizes declare a billion units":
        members = {"sizes": (np.array([784, 10**9, 10]), None),
                   "w0": (np.zeros((784, 1), np.float32), None), **small}
    elif case == "header claims terabytes":         # the sizes are fine, one array's header is not
        members = {"sizes": (np.array([784, 100, 10]), None),
                   "w0": (((784, 10**12), np.float32), bytes(1000)), **small}
    else:  # every header agrees with sizes of 2.2 GB of weights; 10 MB of zeros pack into 10 kB
        members = {"sizes": (np.array([784, 700_000, 10]), None),
                   "w0": (((784, 700_000), np.float32), bytes(10_000_000)),
                   "b0": (((700_000,), np.float32), bytes(1000)),
                   "w1": (((700_000, 10), np.float32), bytes(1000)),
                   "b1": (np.zeros(10, np.float32), None)}
    npz_with_npy_headers(path, members)
    assert path.stat().st_size < 2_000_000
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError) as caught:
            load_model(path, Network)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, f"loading a {path.stat().st_size} byte file took {peak:,} bytes"
    assert str(path) in str(caught.value)


def test_an_unreadable_model_file_gets_a_message(tmp_path, monkeypatch):
    path = save_model(tmp_path / "model.npz", Network([4, 3, 2]))

    def no_permission(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))
    monkeypatch.setattr(support.model_file, "open", no_permission, raising=False)
    with pytest.raises(ModelFileError, match="Permission denied"):
        load_model(path, Network)


# --- saving and loading: the same network back, a clear error for a broken file -------------
def test_save_and_load_give_identical_predictions(tmp_path):
    net = Network([784, 30, 20, 10], seed=4, dtype=np.float32)
    path = save_model(tmp_path / "sub" / "model.npz", net)
    loaded = load_model(path, Network)
    assert loaded.sizes == net.sizes
    X = np.random.default_rng(0).uniform(size=(50, 784)).astype(np.float32)
    assert np.array_equal(loaded.forward(X), net.forward(X))
    assert [p.name for p in path.parent.iterdir()] == ["model.npz"]  # no temporary file left


def broken_model_files(tmp_path):
    good = save_model(tmp_path / "good.npz", Network([4, 3, 2]))
    data = good.read_bytes()
    files = {
        "missing": tmp_path / "nothing-here.npz",
        "truncated": tmp_path / "truncated.npz",
        "not a zip": tmp_path / "text.npz",
        "flipped bytes": tmp_path / "flipped.npz",
        "missing layer": tmp_path / "missing-layer.npz",
        "wrong shape": tmp_path / "wrong-shape.npz",
        "object array": tmp_path / "object.npz",
    }
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["not a zip"].write_text("these are not the weights you are looking for")
    middle = len(data) // 2
    flipped = bytes(b ^ 0xFF for b in data[middle - 40:middle])
    files["flipped bytes"].write_bytes(data[:middle - 40] + flipped + data[middle:])
    np.savez(files["missing layer"], sizes=np.array([4, 3, 2]), w0=np.zeros((4, 3)), b0=np.zeros(3))
    np.savez(files["wrong shape"], sizes=np.array([4, 3, 2]), w0=np.zeros((3, 4)), b0=np.zeros(3),
             w1=np.zeros((3, 2)), b1=np.zeros(2))
    np.savez(files["object array"], sizes=np.array([4, 3, 2]),
             w0=np.array([{"a": 1}], dtype=object), b0=np.zeros(3), w1=np.zeros((3, 2)),
             b1=np.zeros(2))
    return files


def test_broken_model_files_give_a_clear_error(tmp_path):
    for problem, path in broken_model_files(tmp_path).items():
        with pytest.raises(ModelFileError) as caught:
            load_model(path, Network)
        message = str(caught.value)
        assert str(path) in message, problem
        assert ("train" in message) or ("delete it" in message), \
            f"{problem}: no advice in {message!r}"


# --- what a model file declares: checked before it is believed ------------------------------------
def consistent_arrays(sizes, dtype=np.float64):
    """The arrays of a model file whose every header fits `sizes` (any whole numbers >= 0)."""
    arrays = {"sizes": np.array(sizes)}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        arrays[f"w{l}"], arrays[f"b{l}"] = np.zeros((n_in, n_out), dtype), np.zeros(n_out, dtype)
    return arrays


@pytest.mark.parametrize("case, fault", [
    ("one size", r"its 'sizes' array holds int64 of shape \(1,\), not 2 to 100 whole numbers"),
    ("101 sizes", r"of shape \(101,\), not 2 to 100"),
    ("a hundred million sizes claimed", r"of shape \(100000000,\), not 2 to 100"),
    ("a layer of 0 units", r"its sizes \[784, 0, 10\] include a layer of 0 units"),
    ("a layer of -5 units", r"its sizes \[784, -5, 10\] include a layer of -5 units"),
    ("sizes not whole numbers", "holds float64 of shape"),
])
def test_sizes_that_make_no_network_are_refused(tmp_path, case, fault):
    path = tmp_path / "model.npz"
    if case == "one size":                  # no layer at all: once a KeyError on 'w0'
        np.savez(path, sizes=np.array([784]))
    elif case == "101 sizes":
        np.savez(path, **consistent_arrays([2] * 101))
    elif case == "a hundred million sizes claimed":     # 800 MB claimed in a file of a kilobyte
        npz_with_npy_headers(path, {"sizes": (((10**8,), np.int64), bytes(80)),
                                    **{k: (v, None) for k, v in consistent_arrays([4, 2]).items()
                                       if k != "sizes"}})
    elif case == "a layer of 0 units":      # every header fits: loading it once "worked"
        np.savez(path, **consistent_arrays([784, 0, 10]))
    elif case == "a layer of -5 units":
        np.savez(path, **{**consistent_arrays([784, 5, 10]), "sizes": np.array([784, -5, 10])})
    else:
        np.savez(path, **{**consistent_arrays([4, 3, 2]), "sizes": np.array([4.0, 3.0, 2.0])})
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=fault) as caught:
            load_model(path, Network)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, f"loading a {path.stat().st_size} byte file took {peak:,} bytes"
    assert str(caught.value).startswith(f"{path} is not a model saved by this lesson (")


@pytest.mark.parametrize("name, dtype", [("w0", np.int64), ("b1", np.int32), ("w1", bool),
                                         ("b0", np.complex128)])
def test_weights_that_are_not_floating_point_numbers_are_refused(tmp_path, name, dtype):
    path = tmp_path / "model.npz"
    arrays = consistent_arrays([4, 3, 2])
    np.savez(path, **{**arrays, name: arrays[name].astype(dtype)})
    with pytest.raises(ModelFileError, match="not floating-point numbers"):
        load_model(path, Network)


def test_weights_so_large_that_z_would_overflow_are_refused(tmp_path):
    """Finite, and yet unusable: 784 inputs times 1e38 overflow float32 (3.4e38)."""
    net = Network([784, 5, 10], dtype=np.float32)
    net.weights[0][:] = 1e38
    path = save_model(tmp_path / "huge.npz", net)
    with pytest.raises(ModelFileError) as caught:
        load_model(path, Network)
    assert str(caught.value).startswith(f"{path} "), str(caught.value)
    assert_mentions(str(caught.value), "layer 1", "7.8e+40", "overflow", "train again")
    net.weights[0][:] = 1e-3                          # large weights that fit are no problem
    net.weights[1][:] = -50
    assert load_model(save_model(path, net), Network).weights[1][0, 0] == -50


def test_the_validation_accuracy_is_kept_when_recorded(tmp_path):
    net = Network([4, 3, 2])
    assert load_model(save_model(tmp_path / "a.npz", net, 0.9751), Network
                      ).validation_accuracy == 0.9751
    assert load_model(save_model(tmp_path / "b.npz", net), Network).validation_accuracy is None


@pytest.mark.parametrize("value, fault", [
    (np.array([0.97, 0.95]), "is not one number"), (np.array("97.5%"), "is not one number"),
    (np.int64(1), "is not one number"), (np.array([[0.97]]), "is not one number"),
    (np.float64(np.nan), "is nan, not from 0 to 1"), (np.float64(97.5), "is 97.5, not from 0 to 1"),
], ids=["two numbers", "text", "a whole number", "a 1 x 1 array", "NaN", "a percentage"])
def test_a_validation_accuracy_that_is_not_one_fraction_is_refused(tmp_path, value, fault):
    path = tmp_path / "model.npz"
    np.savez(path, **consistent_arrays([4, 3, 2]), validation_accuracy=value)
    with pytest.raises(ModelFileError, match=f"its validation_accuracy {fault}"):
        load_model(path, Network)


# --- what each layer computes: recorded, and read back as the class that computes it ------------
L06B = load_lesson("06b_the_cures.py", REPO)
L06A = load_lesson("06a_when_training_fails.py", REPO)


def test_a_cured_network_comes_back_as_itself_even_where_lesson_05_loads_it(tmp_path):
    net = L06B.he_start(L06B.CuredNetwork([6, 5, 4], seed=1), seed=1)
    path = save_model(tmp_path / "model.npz", net)
    with np.load(path) as data:
        assert list(data["activations"]) == ["relu"] and str(data["output"]) == "softmax"
    loaded = load_model(path, Network)                      # as lesson 05's --predict asks
    assert type(loaded) is L06B.CuredNetwork
    X = np.random.default_rng(0).uniform(size=(3, 6))
    assert np.allclose(loaded.forward(X), net.forward(X)) and np.allclose(
        loaded.forward(X).sum(axis=1), 1)


def test_a_relu_network_with_sigmoid_outputs_is_recorded_and_comes_back_as_itself(tmp_path):
    net = L06A.ReluNetwork([6, 5, 4], seed=4)
    path = save_model(tmp_path / "relu.npz", net)
    with np.load(path) as data:
        assert list(data["activations"]) == ["relu"] and str(data["output"]) == "sigmoid"
    loaded = load_model(path, Network)                      # as lesson 05's --predict asks
    assert type(loaded).__name__ == "ReluNetwork"
    X = np.random.default_rng(0).uniform(-1, 1, size=(3, 6))
    assert np.allclose(loaded.forward(X), net.forward(X))


def test_a_file_without_activations_is_the_sigmoid_network_it_was_saved_as(tmp_path):
    net = Network([6, 5, 4], seed=2)
    path = tmp_path / "old.npz"
    np.savez(path, sizes=np.array(net.sizes), w0=net.weights[0], b0=net.biases[0],
             w1=net.weights[1], b1=net.biases[1])
    for asked in (Network, L06B.CuredNetwork):
        loaded = load_model(path, asked)
        assert type(loaded) is Network
        assert np.array_equal(loaded.weights[1], net.weights[1])
    saved = save_model(tmp_path / "new.npz", net)
    with np.load(saved) as data:
        assert list(data["activations"]) == ["sigmoid"] and str(data["output"]) == "sigmoid"


@pytest.mark.parametrize("change, says", [
    (dict(activations=np.array(["tanh"])), "activations ['tanh']"),
    (dict(output=np.array("linear")), "output 'linear'"),
    (dict(activations=np.array(["relu", "relu"])), "'activations' array"),
    (dict(dropout=np.array([0.5])), "dropout"),
])
def test_activations_the_format_does_not_define_are_refused(tmp_path, change, says):
    net = L06B.CuredNetwork([6, 5, 4], seed=3)
    arrays = dict(sizes=np.array(net.sizes), w0=net.weights[0], b0=net.biases[0],
                  w1=net.weights[1], b1=net.biases[1], activations=np.array(["relu"]),
                  output=np.array("softmax"), **{})
    arrays.update(change)
    path = tmp_path / "model.npz"
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError) as error:
        load_model(path, Network)
    assert "is not a model saved by this lesson" in str(error.value) and says in str(
        error.value), str(error.value)


def test_saving_over_a_model_says_what_it_replaced(tmp_path, capsys):
    """An experiment run after a good one names the model it replaced, with its accuracy."""
    path, net = tmp_path / "model.npz", Network([4, 3, 2], seed=0)
    support.model_file.save_model_and_say(path, net, validation_accuracy=0.9761)
    first = capsys.readouterr().out
    assert "replaced" not in first, "nothing was there to replace"
    support.model_file.save_model_and_say(path, net, validation_accuracy=0.928)
    assert_mentions(capsys.readouterr().out, "model saved", str(path), "replaced", "97.61%")
    path.write_bytes(b"not a model")
    support.model_file.save_model_and_say(path, net)
    assert_mentions(capsys.readouterr().out, "replaced", "earlier file")
