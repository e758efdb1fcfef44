"""Lesson 04b --data: the moons' network on a learner's own points from a CSV file, and one line
with exit status 1 for each kind of file it cannot use."""
import re
from unittest import mock

import numpy as np
import pytest

from helpers import load_lesson, run_script
from support.figures import open_pyplot
from support.plane_figures import plot_decision_boundary
from support.points_file import read_points

L04B = load_lesson("04b_backprop_network.py")


def blobs_file(path, n=200, seed=0):
    """Two round clouds of n points in all, far from the origin and hundreds wide (what a sigmoid
    network cannot learn unstandardised), as x1,x2,label rows under a header."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    centres = np.array([[1000.0, 2000.0], [1400.0, 2300.0]])[labels]
    X = centres + rng.normal(0, 80, size=(n, 2))
    rows = "".join(f"{x1:.2f},{x2:.2f},{label}\n" for (x1, x2), label in zip(X, labels))
    path.write_text("x1,x2,label\n" + rows, encoding="utf-8")
    return X, labels


def percentages(text):
    return [float(p) for p in re.findall(r"(\d+\.\d)%", text)]


@pytest.fixture(scope="module")
def blobs_run(tmp_path_factory):
    """One run of `--data blobs.csv` with its figures on: (result, points, labels, folder)."""
    folder = tmp_path_factory.mktemp("blobs")
    X, labels = blobs_file(folder / "blobs.csv")
    result = run_script("04b_backprop_network.py", "--data", folder / "blobs.csv",
                        "--figures-dir", folder / "figures")
    return result, X, labels, folder


def test_own_points_train_and_report_both_accuracies(blobs_run):
    result, X, labels, _ = blobs_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "200 points; 160 to train on, 40 held out" in out, out
    line = [line for line in out.splitlines() if "accuracy on the 160 training points" in line]
    assert len(line) == 1 and "40 held-out points" in line[0], out
    trained, held_out = percentages(line[0])
    # Unstandardised, coordinates near 1000 saturate every sigmoid and the net guesses (~50%).
    assert trained >= 95 and held_out >= 90, line[0]
    assert re.search(r"step  3000  loss \d\.\d{4}  training accuracy", out), out


def test_standardisation_uses_the_training_points_only(blobs_run):
    result, X, labels, _ = blobs_run
    line = [line for line in result.stdout.splitlines() if "standardised" in line]
    assert len(line) == 1, result.stdout
    shown = [v for pair in re.findall(r"\(x - (\S+)\) / ([^,\s]+)", line[0]) for v in pair]
    training = np.random.default_rng(0).permutation(len(X))[len(X) // 5:]   # --seed 0

    def mean_and_std(points):
        return [f"{v:.4g}" for v in (points[:, 0].mean(), points[:, 0].std(),
                                     points[:, 1].mean(), points[:, 1].std())]

    assert shown == mean_and_std(X[training]), (line[0], mean_and_std(X[training]))
    assert shown != mean_and_std(X), "the held-out points were standardised with"


def test_the_figures_are_written(blobs_run):
    result, _, _, folder = blobs_run
    for name in ["04b_points_decision_boundary.png", "04b_points_loss_curve.png"]:
        path = folder / "figures" / name
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", \
            f"{name} not written; stdout:\n{result.stdout}"


def test_the_seed_chooses_the_held_out_points(tmp_path, capsys):
    blobs_file(tmp_path / "blobs.csv", n=40)
    standardised = []
    for seed in ["0", "1"]:
        L04B.main(["--data", str(tmp_path / "blobs.csv"), "--no-plots", "--seed", seed])
        standardised += [line for line in capsys.readouterr().out.splitlines()
                         if "standardised" in line]
    assert len(standardised) == 2 and standardised[0] != standardised[1], standardised


def test_the_boundary_is_drawn_in_the_files_coordinates():
    """plot_decision_boundary maps its grid through to_inputs: the axes show the file's
    coordinates, the network sees standardised ones."""
    plt = open_pyplot(show=False)
    X = np.array([[1000.0, 2000.0], [1400.0, 2300.0], [1200.0, 2100.0]])
    mean, std = X.mean(axis=0), X.std(axis=0)
    seen = []

    class Net:
        def forward(self, inputs):
            seen.append(inputs)
            return (inputs[:, :1] > 0).astype(float)

    fig = plot_decision_boundary(plt, Net(), X, np.array([0, 1, 0]), "t",
                                 to_inputs=lambda points: (points - mean) / std)
    low, high = fig.axes[0].get_xlim()
    plt.close(fig)
    assert 500 < low < 990 and 1410 < high < 1900, (low, high)   # a margin of half a std
    assert np.all(np.abs(seen[0]) < 3), "the network was given the file's own coordinates"


def test_blank_lines_and_a_spreadsheets_byte_order_mark_are_read(tmp_path):
    """A spreadsheet's "CSV UTF-8" starts with the byte order mark U+FEFF, here before a number."""
    rows = "".join(f"{i},{-i}.5,{i % 2}\r\n" for i in range(12))
    (tmp_path / "p.csv").write_bytes(("\ufeff" + rows[:7] + "\r\n" + rows[7:] + "\r\n").encode())
    X, labels = read_points(tmp_path / "p.csv")
    assert X.shape == (12, 2) and list(labels) == [0, 1] * 6 and X[1, 1] == -1.5, X


# ------------------------------------------------------------------------------------------------
# Files it cannot use: one line, exit status 1
# ------------------------------------------------------------------------------------------------
HEADER = "x1,x2,label\n"
GOOD = "".join(f"{i}.5,{2 * i},{i % 2}\n" for i in range(12))      # rows 2-13 under HEADER

BAD_FILES = {
    # name: (the file's bytes, words the one line must hold)
    "missing column": (HEADER + GOOD + "1.5,2\n" + GOOD, ["row 14", "2 columns", "missing"]),
    "extra column": (HEADER + GOOD + "1.5,2,0,7\n", ["row 14", "4 columns", "extra"]),
    "text for a number": (HEADER + GOOD + "1.5,abc,1\n", ["row 14", "column 2", "'abc'"]),
    "text in row 1 beside numbers": ("1.5,2,zero\n" + GOOD, ["row 1", "column 3", "'zero'"]),
    "label 2": (HEADER + GOOD + "1.5,2,2\n", ["row 14", "label", "0 or 1"]),
    "label 0.5": (HEADER + GOOD + "1.5,2,0.5\n", ["row 14", "label", "0 or 1"]),
    "NaN": (HEADER + GOOD + "nan,2,1\n", ["row 14", "column 1", "nan", "finite"]),
    "infinity": (HEADER + GOOD + "1.5,-inf,1\n", ["row 14", "column 2", "-inf", "finite"]),
    "too large for a float": (HEADER + GOOD + "1e999,2,1\n", ["row 14", "finite"]),
    "too large to square": (HEADER + GOOD + "1.5,-2e200,1\n", ["row 14", "column 2", "-2e200",
                                                                "too large"]),
    "one class": (HEADER + GOOD.replace(",1\n", ",0\n"), ["12 points", "label 0", "labelled 1"]),
    "empty": ("", ["no points", "x1,x2,label"]),
    "header only": (HEADER + "\n", ["no points", "header"]),
    "too few points": (HEADER + "1,2,0\n3,4,1\n", ["2 points", "at least 10"]),
    "not text": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["not a text file", "UTF-8", "0x89"]),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_one_line_and_status_1(name, tmp_path):
    content, words = BAD_FILES[name]
    path = tmp_path / "points.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert_one_line_refusal(path, words)


def test_too_many_rows_is_one_line_and_status_1(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(HEADER + "1,2,0\n3,4,1\n" * 50_001, encoding="utf-8")   # 100,002 points
    assert_one_line_refusal(path, ["100,000", "row 100002"])


def test_a_missing_file_and_a_folder_are_one_line_and_status_1(tmp_path):
    assert_one_line_refusal(tmp_path / "nowhere.csv", ["nowhere.csv", "no such file"])
    assert_one_line_refusal(tmp_path, ["is a folder", "CSV file"])


def test_an_unreadable_file_is_one_line_and_status_1(tmp_path, capsys):
    """Tests run as root, who can read any file: the refusal is simulated."""
    path = tmp_path / "points.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    denied = PermissionError(13, "Permission denied", str(path))
    with mock.patch("support.points_file.open", side_effect=denied, create=True):
        status = L04B.main(["--data", str(path), "--no-plots"])
    out, err = capsys.readouterr()
    assert status == 1 and out == "", out
    assert len(err.splitlines()) == 1 and "Permission denied" in err and str(path) in err, err
    assert "readable" in err, err


def assert_one_line_refusal(path, words):
    result = run_script("04b_backprop_network.py", "--data", path, "--no-plots")
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == "", result.stdout
    missing = [word for word in words if word not in lines[0]]
    assert not missing, f"the line lacks {missing}: {lines[0]}"
