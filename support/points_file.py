"""Reading a learner's 2-D points from a CSV file, for lesson 04b's --data.

    X, labels = read_points(path)      X: (n, 2) floats, labels: (n,) integers 0 or 1

The file holds one point per row, three values separated by commas: x1, x2 and a label of 0 or 1.
A first row in which no value is a number (x1,x2,label) is a header and is skipped; so are blank
lines. Rows are numbered as a text editor or a spreadsheet numbers them, the header being row 1.

What it promises: a file that cannot be used is one PointsFileError whose message names the
problem, the row and the column where there is one, and the fix: a file that is not there or cannot
be read, a file that is not UTF-8 text, a row with too few or too many columns, text where a number
belongs, NaN or infinity, a number beyond LARGEST, a label other than 0 or 1, no points (an empty
file, a header only), fewer than MIN_POINTS or more than MAX_POINTS points, and points of one label
only.
"""
import csv
import math

import numpy as np

COLUMNS = ("x1", "x2", "label")
MIN_POINTS = 10          # lesson 04b holds a fifth out to test on: at least 2 points
MAX_POINTS = 100_000     # full-batch training on more would take minutes per run
LARGEST = 1e150          # the std squares each value: beyond ~1.3e154 the square overflows float64


class PointsFileError(Exception):
    """A points file we cannot use; the message names the problem and the fix."""


def read_points(path):
    """The points of a CSV file of x1,x2,label rows: X (n, 2) float64 and labels (n,) int64."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:   # -sig: a spreadsheet's BOM
            rows = read_rows(csv.reader(file), path)
    except FileNotFoundError:
        raise PointsFileError(f"{path}: no such file; check the name and the folder") from None
    except IsADirectoryError:
        raise PointsFileError(f"{path} is a folder; give the CSV file in it") from None
    except UnicodeDecodeError as error:
        raise PointsFileError(
            f"{path} is not a text file (byte {error.object[error.start]:#04x} is not UTF-8); "
            "save your points as CSV text, one x1,x2,label row per point") from None
    except csv.Error as error:
        raise PointsFileError(f"{path}: {error}; save your points as plain CSV text") from None
    except OSError as error:                   # permission denied, a device, a network failure
        raise PointsFileError(f"cannot read {path}: {error.strerror or error}; make the file "
                              "readable, or copy it somewhere you can read") from None
    return checked_points(rows, path)


def read_rows(reader, path):
    """[(row number, [x1, x2, label])] of every point in the file, as floats, at most
    MAX_POINTS + 1 of them (enough to tell that there are too many)."""
    points, first = [], True
    for fields in reader:
        if not any(field.strip() for field in fields):                # a blank line
            continue
        is_header = first and not any(map(is_number, fields))
        first = False
        if not is_header:
            points.append((reader.line_num, parse_row(fields, reader.line_num, path)))
        if len(points) > MAX_POINTS:
            break
    return points


def parse_row(fields, row, path):
    """[x1, x2, label] of one row, as floats, or a PointsFileError naming the row and column."""
    if len(fields) != len(COLUMNS):
        fix = "add the missing one" if len(fields) < len(COLUMNS) else "remove the extra one"
        raise PointsFileError(f"{path}, row {row}: {len(fields)} column"
                              f"{'s' * (len(fields) != 1)} where 3 belong (x1,x2,label, "
                              f"separated by commas); {fix}")
    values = []
    for column, (name, text) in enumerate(zip(COLUMNS, fields), start=1):
        where = f"{path}, row {row}, column {column} ({name})"
        if not is_number(text):
            raise PointsFileError(f"{where}: {text.strip()!r} is not a number; write a number "
                                  "there (only the first row may be a header)")
        value = float(text)
        if not math.isfinite(value):
            raise PointsFileError(f"{where}: {text.strip()} is not a finite number; give a value, "
                                  "or delete the row")
        if abs(value) > LARGEST:
            raise PointsFileError(f"{where}: {text.strip()} is too large for the standard "
                                  "deviation to be computed; divide the column by a power of 10")
        if name == "label" and value not in (0, 1):
            raise PointsFileError(f"{where}: the label {text.strip()} is neither 0 nor 1; label "
                                  "each point 0 or 1")
        values.append(value)
    return values


def is_number(text):
    """Whether float() reads the text (NaN and infinity included: parse_row names them)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def checked_points(rows, path):
    """X (n, 2) and labels (n,) from read_rows' rows, if there are enough, not too many, and of
    both labels; else a PointsFileError saying what to change."""
    if not rows:
        raise PointsFileError(f"{path} holds no points (it is empty, or a header only); write "
                              "one point per row: x1,x2,label, e.g. 120.5,-33,1")
    if len(rows) > MAX_POINTS:
        raise PointsFileError(f"{path} holds more than {MAX_POINTS:,} points (row "
                              f"{rows[-1][0]} is point {MAX_POINTS + 1:,}); keep at most "
                              f"{MAX_POINTS:,}, e.g. a random sample")
    if len(rows) < MIN_POINTS:
        raise PointsFileError(f"{path} holds {len(rows)} point{'s' * (len(rows) != 1)}; give at "
                              f"least {MIN_POINTS}, so that a fifth can be held out to test on")
    values = np.array([values for _, values in rows])                  # (n, 3)
    X, labels = values[:, :2], values[:, 2].astype(np.int64)
    if len(np.unique(labels)) == 1:
        raise PointsFileError(f"{path}: all {len(labels)} points have label {labels[0]}; the "
                              f"network learns to tell two labels apart: add points labelled "
                              f"{1 - labels[0]}")
    return X, labels
