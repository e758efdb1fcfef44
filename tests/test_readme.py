"""Every output block in README.md is what its command really prints.

How the README shows output (its "Reading the output below" paragraph tells readers the same):

- An output block is a fenced block whose first line is `$ ` and the command, as a reader types it
  in the project folder; the lines after it are what the command prints, stdout and stderr
  together, in order.
- A line that is only `...` (indented or not) stands for one or more printed lines left out. There
  is no other elision: every other line must be printed exactly (trailing spaces aside).
- Timings (`0.5 s`, `took 4.9 s`), speeds (`127,690 samples/s`) and loopback ports
  (`127.0.0.1:8001`) differ from run to run, and numbers below 1e-6 in scientific notation (the
  rounding noise of a gradient check) from one NumPy build to another; both sides are normalised
  before comparing (NORMALISE).
- A fenced block without a `$` line may only list commands (every line starts with `python `), so
  no block of output can slip in without the command that checks it; a ```python block is a code
  sample, not output.

How each command is run: from a fresh temporary folder (so relative paths in the command land
there), headless (MPLBACKEND=Agg), unbuffered so that stdout and stderr interleave as on a terminal.
The test adds only flags that change where files go, and in the output writes those paths back as
the defaults they replace (figures/, data/, data/model.npz beside the lessons), and the project
folder as README_HOME:
- `--figures-dir TMP`, unless the command names its own folder;
- for 05: `--data-dir` the real MNIST (the shared_mnist fixture), or an empty folder when the
  command downloads from 127.0.0.1; `--model TMP` for a training run; for `--predict`, `--model`
  the model of the default run (`python 05_train_mnist.py`, run once for the whole module).
Mirrors on 127.0.0.1 are MirrorServers (tests/mnist_server.py) serving the real MNIST in the mode
README_MIRRORS gives for the README's port; MNIST_MIRRORS points at a closed loopback port, so no
command can reach the internet. Pictures for --predict are drawn by PICTURES.
"""
import contextlib
import difflib
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from helpers import LESSONS, REPO, load_lesson, upscale
from mnist_server import MirrorServer

README = REPO / "README.md"
README_HOME = "/home/me/nn-tutorial"     # the project folder as the README writes it
DEFAULT_RUN = "python 05_train_mnist.py"
README_MIRRORS = {"8001": "404", "8002": "ok", "8003": "html"}   # README port -> MirrorServer mode
NORMALISE = [
    (re.compile(r" *\b\d+\.\d s\b"), " # s"),                   # a duration: "  0.5 s"
    (re.compile(r" *\b\d[\d,]* samples/s\b"), " # samples/s"),  # a speed: " 127,690 samples/s"
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),        # a loopback port
    # Rounding noise: a relative error or a difference below 1e-6, printed like 2.8e-11 or
    # 0.00e+00, is the last bits of float arithmetic, which another NumPy build sums in another
    # order. A wrong gradient gives 1e-2 or more, and the verdict line beside it is compared.
    (re.compile(r"\b(\d\.\d+e-(0[7-9]|[1-9]\d)|0\.0+e\+00)\b"), "<1e-6>"),
]


# --------------------------------------------------------------------------------------------------
# Reading the README and comparing a block with an output
# --------------------------------------------------------------------------------------------------
@dataclass
class Block:
    line: int                       # README line number of the opening fence
    command: str                    # what follows "$ " on the first line, or "" for a command list
    language: str = ""              # what follows the opening ```, e.g. "python" for a code sample
    lines: list = field(default_factory=list)   # [(README line number, text)] after the "$" line

    def __str__(self):
        return f"README.md line {self.line}" + (f" (`$ {self.command}`)" if self.command else "")


def fenced_blocks(text):
    """Every ``` block of a Markdown text as a Block (command "" unless it starts with "$ ")."""
    blocks, current = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("```"):
            if current is None:
                current = Block(number, "", line[3:].strip())
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            if not current.command and not current.lines and line.startswith("$ "):
                current.command = line[2:].strip()
            else:
                current.lines.append((number, line))
    assert current is None, f"README.md line {current.line}: a ``` block is never closed"
    return blocks


def normalise(line):
    line = line.rstrip()
    for pattern, replacement in NORMALISE:
        line = pattern.sub(replacement, line)
    return line


def mismatch(block, output):
    """None if `output` is what `block` shows, else a message naming the command and README line."""
    printed = [normalise(line) for line in output.splitlines()]
    while printed and not printed[-1]:
        printed.pop()
    chunks, gap = [], False          # chunks: [(gap before it, [(line number, normalised text)])]
    for number, text in block.lines:
        if text.strip() == "...":
            gap = True
            continue
        if gap or not chunks:
            chunks.append((gap, []))
            gap = False
        chunks[-1][1].append((number, normalise(text)))
    trailing_gap = gap
    if not chunks:
        return f"{block} shows no output at all"

    def matched(chunk, start):
        """How many of the chunk's lines, from the first, the output has from `start` on."""
        n = 0
        while n < len(chunk) and start + n < len(printed) and printed[start + n] == chunk[n][1]:
            n += 1
        return n

    position = 0
    for index, (gap_before, chunk) in enumerate(chunks):
        anchored_end = index == len(chunks) - 1 and not trailing_gap
        first = position + 1 if gap_before else position
        if anchored_end:
            starts = [len(printed) - len(chunk)] if gap_before else [position]
            starts = [s for s in starts if s >= first]
        elif gap_before:
            starts = range(first, len(printed))
        else:
            starts = [position]
        found = [s for s in starts if matched(chunk, s) == len(chunk)]
        if found and (not anchored_end or found[0] + len(chunk) == len(printed)):
            position = found[0] + len(chunk)
            continue
        if gap_before and matched(chunk, position) == len(chunk):
            return (f"{block}: the '...' before README line {chunk[0][0]} stands for no line; "
                    "remove it")
        return describe(block, chunk, printed, list(starts) or [first], matched, anchored_end,
                        searched=gap_before and not anchored_end)
    if trailing_gap and position >= len(printed):
        last = chunks[-1][1][-1][0]
        return f"{block}: the '...' after README line {last} stands for no line; remove it"
    return None


def describe(block, chunk, printed, starts, matched, anchored_end, searched):
    """A readable message for a chunk of README lines the output lacks where the block puts it."""
    start = max(starts, key=lambda s: (matched(chunk, s), -s))
    n = matched(chunk, start)
    if n == len(chunk) and anchored_end:
        extra = printed[start + n] if start + n < len(printed) else "(nothing)"
        return (f"{block}: the command prints more after README line {chunk[-1][0]}:\n"
                f"  printed: {extra!r}\nShow it, or end the block with a line '...'.")
    number, expected = chunk[n]
    if n == 0 and searched:
        near = difflib.get_close_matches(expected, printed[starts[0]:], n=1, cutoff=0.0)
        return (f"{block}: README line {number} is not in the output where the block puts it\n"
                f"  README:  {expected!r}\n"
                f"  nearest printed line: {near[0] if near else '(none)'!r}")
    got = printed[start + n] if start + n < len(printed) else "(the output ends here)"
    return (f"{block}: README line {number} differs from what the command prints\n"
            f"  README:  {expected!r}\n  printed: {got!r}")


# --------------------------------------------------------------------------------------------------
# Running a README command
# --------------------------------------------------------------------------------------------------
def my_seven_picture(path, shared_mnist):
    """The --predict example's picture: MNIST's first test digit (a 7) in blue ink on cream paper,
    400 x 300 pixels, a shadow darkening the page towards the left, and a little camera noise."""
    _, (x_test, _) = load_lesson("05_train_mnist.py").load_mnist(shared_mnist)
    ink = np.zeros((300, 400))
    ink[50:250, 160:360] = upscale(x_test[0] / 255.0, 200, 200)
    paper = np.array([245, 238, 220]) / 255 * (0.7 + 0.3 * np.linspace(0, 1, 400))[None, :, None]
    blue = np.array([25, 40, 130]) / 255
    page = paper * (1 - ink[..., None]) + blue * ink[..., None]
    page += np.random.default_rng(0).normal(0, 0.02, page.shape)
    from matplotlib.image import imsave   # here, so that only this picture needs matplotlib
    imsave(path, np.clip(page, 0, 1))


PICTURES = {"my_seven.png": my_seven_picture}


class Runner:
    """Runs README commands as described in the module docstring; each command once per module."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.outputs, self.models = {}, {}

    def output(self, command, shared_mnist=None):
        if command not in self.outputs:
            self.outputs[command] = self.run(command, shared_mnist)
        return self.outputs[command]

    def run(self, command, shared_mnist):
        words = shlex.split(command)
        assert len(words) >= 2 and words[0] == "python" and words[1] in LESSONS, \
            f"`$ {command}`: an output block must run a lesson, `python LESSON.py ...`"
        script, args = words[1], words[2:]
        work = self.tmp_path_factory.mktemp("readme_run")
        extra, stands_for = [], []          # stands_for: [(path the test chose, the default)]

        def add(flag, path, default):
            extra.extend([flag, str(path)])
            stands_for.append((str(path), str(default)))

        if "--figures-dir" not in args:
            add("--figures-dir", work / "figures", REPO / "figures")
        servers = []
        if script == "05_train_mnist.py":
            assert shared_mnist is not None
            if "--predict" in args:
                if "--model" not in args:
                    self.output(DEFAULT_RUN, shared_mnist)
                    add("--model", self.models[DEFAULT_RUN], REPO / "data" / "model.npz")
                for name in args:
                    if name in PICTURES:
                        PICTURES[name](work / name, shared_mnist)
            elif "127.0.0.1" in command:
                add("--data-dir", work / "data", REPO / "data")
                for port in sorted(set(re.findall(r"127\.0\.0\.1:(\d+)", command))):
                    assert port in README_MIRRORS, f"`$ {command}`: no mirror for port {port}"
                    servers.append((port, MirrorServer(shared_mnist, README_MIRRORS[port])))
            else:
                add("--data-dir", shared_mnist, REPO / "data")
                if "--model" not in args:
                    add("--model", work / "model.npz", REPO / "data" / "model.npz")
                    self.models[command] = work / "model.npz"
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1",
                   MNIST_MIRRORS="http://127.0.0.1:9/")
        with contextlib.ExitStack() as running:
            for port, server in servers:
                real_port = running.enter_context(server).url.split(":")[2].split("/")[0]
                args = [a.replace(f"127.0.0.1:{port}", f"127.0.0.1:{real_port}") for a in args]
            result = subprocess.run([sys.executable, str(REPO / script), *args, *extra], cwd=work,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, encoding="utf-8", errors="replace", timeout=300)
        output = result.stdout
        for chosen, default in sorted(stands_for, key=lambda pair: -len(pair[0])):
            output = output.replace(chosen, default)
        return output.replace(str(REPO), README_HOME)


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    return Runner(tmp_path_factory)


def run_block_command(block, runner, request):
    needs_mnist = shlex.split(block.command)[1:2] == ["05_train_mnist.py"]
    shared_mnist = request.getfixturevalue("shared_mnist") if needs_mnist else None
    return runner.output(block.command, shared_mnist)


# --------------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------------
BLOCKS = fenced_blocks(README.read_text(encoding="utf-8"))
OUTPUT_BLOCKS = [b for b in BLOCKS if b.command]


def block_id(block):
    return f"line{block.line}-{block.command.split()[1].split('_')[0]}"


@pytest.mark.parametrize("block", OUTPUT_BLOCKS, ids=block_id)
def test_readme_block_is_what_its_command_prints(block, runner, request):
    problem = mismatch(block, run_block_command(block, runner, request))
    if problem:
        pytest.fail(problem, pytrace=False)


def unlabelled_output(blocks):
    """The blocks that show something other than commands yet name no command to check them by."""
    return [b for b in blocks if not b.command and b.language != "python"
            and not all(text.startswith("python ") for _, text in b.lines if text.strip())]


def test_every_other_block_only_lists_commands():
    for block in unlabelled_output(BLOCKS):
        pytest.fail(f"{block} shows something other than commands; start it with `$ COMMAND`",
                    pytrace=False)


def test_the_readme_shows_output_of_every_lesson():
    shown = {shlex.split(b.command)[1] for b in OUTPUT_BLOCKS}
    assert set(LESSONS) <= shown, f"no output block for {sorted(set(LESSONS) - shown)}"


# --------------------------------------------------------------------------------------------------
# The checker itself: it must fail when the README and the output disagree
# --------------------------------------------------------------------------------------------------
def test_a_changed_digit_is_reported_with_the_command_and_both_lines(runner):
    text = README.read_text(encoding="utf-8")
    line = "  a = 1 / (1 + e^-z)  = 1 / (1 + 2.2599) = 0.3068"
    assert text.count(line) == 1
    changed = text.replace(line, line[:-1] + "9")
    number = text.splitlines().index(line) + 1
    block = next(b for b in fenced_blocks(changed) if any(n == number for n, _ in b.lines))
    assert block.command == "python 01_single_neuron.py"
    problem = mismatch(block, runner.output(block.command))
    assert problem == (f"README.md line {block.line} (`$ python 01_single_neuron.py`): README line "
                       f"{number} differs from what the command prints\n"
                       f"  README:  {line[:-1] + '9'!r}\n  printed: {line!r}")


def block_of(text):
    return fenced_blocks("```\n$ python 01_single_neuron.py\n" + text + "```\n")[0]


def test_dots_stand_for_at_least_one_line_and_nothing_else_is_skipped():
    output = "first\nsecond\nthird\n"
    assert mismatch(block_of("first\n...\nthird\n"), output) is None
    assert mismatch(block_of("...\nsecond\n...\n"), output) is None
    assert "'...' before README line 6 stands for no line" in mismatch(
        block_of("first\nsecond\n...\nthird\n"), output)
    assert "README line 3 differs" in mismatch(block_of("second\n...\n"), output)   # no leading ...
    assert "prints more after README line 4" in mismatch(block_of("first\nsecond\n"), output)
    assert "README line 5 differs" in mismatch(block_of("first\n...\nfourth\n"), output)
    assert "README line 5 is not in the output" in mismatch(block_of("first\n...\nfourth\n...\n"),
                                                            output)
    assert "'...' after README line 5 stands for no line" in mismatch(
        block_of("first\n...\nthird\n...\n"), output)


def test_rounding_noise_is_normalised_but_not_a_real_error():
    printed = "  W2 (5, 4)   largest relative error 1.6e-08\n  largest difference: 0.00e+00\n"
    shown = "  W2 (5, 4)   largest relative error 1.1e-09\n  largest difference: 5.55e-17\n"
    assert mismatch(block_of(shown), printed) is None
    wrong = "  W2 (5, 4)   largest relative error 9.9e-03\n  largest difference: 5.55e-17\n"
    assert "README line 3 differs" in mismatch(block_of(shown), wrong)
    assert "README line 3 differs" in mismatch(block_of(shown.replace("e-09", "e-05")), printed)


def test_only_timings_speeds_and_ports_are_normalised():
    printed = ("epoch  1/10  train loss 0.01844  test acc  95.27%    0.5 s   130,311 samples/s\n"
               "from http://127.0.0.1:43685/old-mirror/\ntook 5.0 s\n")
    shown = ("epoch  1/10  train loss 0.01844  test acc  95.27%   10.9 s     9,464 samples/s\n"
             "from http://127.0.0.1:8001/old-mirror/\ntook 8.7 s\n")
    assert mismatch(block_of(shown), printed) is None
    for old, new, line in [("95.27", "95.28", 3), ("0.01844", "0.01845", 3), ("1/10", "1/11", 3),
                           ("old-mirror", "new-mirror", 4), ("took", "took about", 5)]:
        assert f"README line {line} differs" in mismatch(block_of(shown.replace(old, new)), printed)


def test_a_block_of_output_without_its_command_is_found():
    text = "```\npython 01_single_neuron.py\n```\n\n```\nepoch 1 ...\n```\n"
    assert [b.line for b in unlabelled_output(fenced_blocks(text))] == [5]
