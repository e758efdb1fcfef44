"""benchmarks/train_speed.py keeps working: a tiny run exits 0 and writes its Markdown report;
and benchmarks/cured_speed.py times 06b's network with PyTorch absent.

No timing is checked (the machine is shared and timings are noise here); only that every part of the
report is produced, that its numbers agree with each other and with the architecture, that it is
written where asked, and that bad input gets one clear message. PyTorch is never needed.
"""
import re
import shutil
from pathlib import Path

import pytest

from helpers import LESSONS, REPO, assert_mentions, run_script, strict_warnings

BENCHMARK = "benchmarks/train_speed.py"
TINY = ["--quick", "--epochs", "1", "--batch-sizes", "32,default", "--samples", "500", "--no-torch"]
# The benchmark loads lesson 05 as the lessons load each other (support/lessons.py), so 05 and the
# lessons it builds on are the modules lesson_<file name>; the rest of what 05 runs is support.*.
OWN_MODULES = (["lesson_" + Path(lesson).stem for lesson in LESSONS] + ["support"]
               + sorted(f"support.{path.stem}" for path in (REPO / "support").glob("*.py")
                        if path.stem != "__init__"))
STRICT = strict_warnings(*OWN_MODULES)
SECTIONS = ["## Machine", "## Setup", "## Results", "## Time to 97% validation accuracy",
            "## Peak memory of 05 run for one epoch"]
# [784, 100, 10] on 50,000 images: 2·(784·100 + 100·10) forward, as much for the weight gradients,
# and 2·100·10 to send the error back to the hidden layer, per image
EPOCH_GFLOP = 50_000 * (2 * 2 * (784 * 100 + 100 * 10) + 2 * 100 * 10) / 1e9


def run_benchmark(*args, **kwargs):
    return run_script(BENCHMARK, *args, folder=REPO, **kwargs)  # a repository script, not a lesson


def only_report(results_dir):
    reports = list(results_dir.iterdir())
    assert len(reports) == 1, reports
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.md", reports[0].name)
    return reports[0].read_text(encoding="utf-8")


def test_tiny_run_prints_and_writes_the_same_report(tmp_path, shared_mnist):
    result = run_benchmark(*TINY, "--data-dir", shared_mnist, "--results-dir", tmp_path,
                           env=STRICT)
    assert result.returncode == 0, result.stderr
    text = only_report(tmp_path)
    assert text in result.stdout
    for section in SECTIONS:
        assert section in text
    assert f"data: MNIST from {shared_mnist}" in text and "extrapolated" in text
    assert "PyTorch: skipped (--no-torch)" in text
    line = [line for line in text.splitlines() if "one step of 05" in line]
    assert len(line) == 1, text
    assert_mentions(line[0], "not checked", "no PyTorch")
    assert re.search(r"peak RSS \*\*\d+ MB\*\*", text)
    work = float(re.search(r"work of one epoch \(matrix products only\): ([\d.]+) GFLOP", text)[1])
    assert abs(work - EPOCH_GFLOP) < 0.01
    rows = re.findall(r"^\| (\d+)( \(default\))? \| ([\d.]+) \| (\d+) \| ([\d.]+) \|", text,
                      re.MULTILINE)
    assert [(batch, default) for batch, default, *_ in rows] == [("16", " (default)"), ("32", "")]
    for _, _, seconds, _, gflops in rows:          # s/epoch x GFLOP/s is the epoch's work
        assert abs(float(seconds) * float(gflops) / work - 1) < 0.1, rows
    assert_time_to_97_percent_lists_every_epoch(text)


def assert_time_to_97_percent_lists_every_epoch(text):
    """05's default run, trained on the 50,000 training images and measured on the 10,000 held
    out, stops at the first epoch at 97% or after 05's EPOCHS."""
    goal = re.search(r"- (reached|\*\*not reached\*\*) after \*\*(\d+) epoch\(s\)\*\* and "
                     r"\*\*[\d.]+ s\*\* of training on all 50000 training images", text)
    assert goal, text
    accuracies = re.search(r"accuracy on the 10000 validation images after each epoch: (.*)",
                           text)[1].split(", ")
    assert len(accuracies) == int(goal[2])
    reached = [float(a.rstrip("%")) >= 97 for a in accuracies]
    assert reached == [False] * (len(reached) - 1) + [goal[1] == "reached"]


def test_bad_input_gets_one_clear_message_and_no_report(tmp_path):
    bad_size = run_benchmark("--batch-sizes", "32,0", "--results-dir", tmp_path)
    assert bad_size.returncode == 2 and "'0' is not a batch size" in bad_size.stderr
    no_data = run_benchmark(*TINY, "--data-dir", tmp_path / "missing",
                            "--results-dir", tmp_path / "out")
    assert no_data.returncode == 1
    assert no_data.stderr.startswith("error: cannot use --data-dir")
    assert "--download-only" in no_data.stderr and "Traceback" not in no_data.stderr
    assert not (tmp_path / "out").exists()


def test_a_lesson_without_network_dtype_is_refused(tmp_path):
    """The twin is built in 05's NETWORK_DTYPE; the benchmark must not guess one."""
    source = (REPO / "05_train_mnist.py").read_text(encoding="utf-8")
    for lesson in LESSONS:                          # the copy builds on the lessons beside it
        if lesson != "05_train_mnist.py":
            shutil.copy(REPO / lesson, tmp_path)
    renamed = tmp_path / "05_renamed_dtype.py"
    renamed.write_text(source.replace("NETWORK_DTYPE", "WEIGHT_DTYPE"), encoding="utf-8")
    result = run_benchmark("--module", renamed, "--no-torch",
                           "--results-dir", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "lacks NETWORK_DTYPE" in result.stderr
    assert not (tmp_path / "out").exists()


CURED = "benchmarks/cured_speed.py"


@pytest.mark.parametrize("how", ["--no-torch", "hidden"])
def test_cured_speed_times_numpy_without_torch(tmp_path, shared_mnist, how):
    """Without PyTorch (skipped by its flag, or not importable: a torch module that raises
    ImportError stands first on the path) the quick run still times 06b's epochs, exit 0."""
    (tmp_path / "torch.py").write_text("raise ImportError('no torch in this test')\n")
    env = dict(STRICT, PYTHONPATH=str(tmp_path))
    saved = REPO / "benchmarks" / "results" / "cured_speed.txt"
    before = saved.stat().st_mtime_ns if saved.exists() else None
    flags = ["--no-torch"] if how == "--no-torch" else []
    result = run_script(CURED, "--quick", "--data-dir", shared_mnist, *flags, folder=REPO,
                        env=env)
    assert result.returncode == 0, result.stderr
    assert ("skipped (--no-torch)" if flags else "not importable") in result.stdout
    assert "5,000 training images" in result.stdout and "batch 64" in result.stdout
    seconds = re.search(r"^NumPy: ([\d.]+) s per epoch$", result.stdout, re.MULTILINE)
    assert seconds and float(seconds[1]) > 0, result.stdout
    assert "NumPy / PyTorch" not in result.stdout
    assert (saved.stat().st_mtime_ns if saved.exists() else None) == before   # only with --save


def test_cured_speed_without_mnist_says_where_to_get_it(tmp_path):
    result = run_script(CURED, "--quick", "--no-torch", "--data-dir", tmp_path, folder=REPO)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(tmp_path) in result.stderr and "--download-only" in result.stderr
