"""benchmarks/train_speed.py keeps working: tiny runs exit 0 and write their Markdown report.

No timing is checked (the machine is shared and timings are noise here); only that every part of the
report is produced, that it is written where asked, and that bad input gets one clear message.
"""
import re
import shutil
from pathlib import Path

from helpers import LESSONS, REPO, run_script, strict_warnings

BENCHMARK = "benchmarks/train_speed.py"
TINY = ["--quick", "--epochs", "1", "--batch-sizes", "32,default", "--samples", "500", "--no-torch"]
# The benchmark loads lesson 05 as the lessons load each other (support/lessons.py), so 05 and the
# lessons it builds on are the modules lesson_<file name>; the rest of what 05 runs is support.*.
OWN_MODULES = (["lesson_" + Path(lesson).stem for lesson in LESSONS] + ["support"]
               + sorted(f"support.{path.stem}" for path in (REPO / "support").glob("*.py")
                        if path.stem != "__init__"))
STRICT = strict_warnings(*OWN_MODULES)
SECTIONS = ["## Machine", "## Results", "## Time to 97% validation accuracy",
            "## Peak memory of a default training run", "## Where the time of one step goes",
            "## Targets at the default batch size"]


def run_benchmark(*args, **kwargs):
    return run_script(BENCHMARK, *args, folder=REPO, **kwargs)  # a repository script, not a lesson


def only_report(results_dir):
    reports = list(results_dir.iterdir())
    assert len(reports) == 1, reports
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.md", reports[0].name)
    return reports[0].read_text(encoding="utf-8")


def test_tiny_run_prints_and_writes_the_same_report(tmp_path):
    result = run_benchmark(*TINY, "--random-data", "--results-dir", tmp_path, env=STRICT)
    assert result.returncode == 0, result.stderr
    text = only_report(tmp_path)
    assert text in result.stdout
    for section in SECTIONS:
        assert section in text
    assert re.search(r"^\| 32 \| [\d.]+ \|", text, re.MULTILINE)   # a row for the batch size asked
    assert "(default) |" in text                                      # and one for 05's default
    assert "random uint8 images" in text and "extrapolated" in text
    assert "PyTorch: skipped (--no-torch)" in text
    assert "twin against one step of 05: not checked (no PyTorch)" in text
    assert "not measured: it needs real MNIST" in text
    assert re.search(r"peak RSS \*\*\d+ MB\*\*", text)
    assert "| **whole step** |" in text


def test_real_mnist_is_used_when_given(tmp_path, shared_mnist):
    result = run_benchmark(*TINY, "--no-memory", "--data-dir", shared_mnist,
                        "--results-dir", tmp_path, env=STRICT)
    assert result.returncode == 0, result.stderr
    text = only_report(tmp_path)
    assert f"data: MNIST from {shared_mnist}" in text
    # 05's default run, trained on the 50,000 training images and measured on the 10,000 held out
    goal = re.search(r"reached 97% validation accuracy after \*\*(\d+) epochs?\*\* and "
                     r"\*\*([\d.]+) s\*\*|97% validation accuracy \*\*not reached in (\d+) "
                     r"epochs\*\*", text)
    assert goal, text
    assert "on all 50000 training images; the 10000 validation images" in text
    accuracies = re.search(r"validation accuracy after each epoch: (.*)", text).group(1)
    assert len(accuracies.split(", ")) == int(goal.group(1) or goal.group(3))


def test_bad_input_gets_one_clear_message_and_no_report(tmp_path):
    bad_size = run_benchmark("--batch-sizes", "32,0", "--results-dir", tmp_path)
    assert bad_size.returncode == 2 and "'0' is not a batch size" in bad_size.stderr
    no_data = run_benchmark(*TINY, "--data-dir", tmp_path / "missing",
                            "--results-dir", tmp_path / "out")
    assert no_data.returncode == 1
    assert no_data.stderr.startswith("error: cannot use --data-dir")
    assert "Traceback" not in no_data.stderr
    assert not (tmp_path / "out").exists()


def test_a_lesson_without_network_dtype_is_refused(tmp_path):
    """The benchmark builds the network with 05's NETWORK_DTYPE; it must not guess one."""
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
