"""Every output block in README.md and in docs/*.md is what its command really prints.

How a block is read and compared with the output (exactly, or within the tolerance that a block
of a training run states) is in tests/output_blocks.py; the README's "Reading the output below"
paragraph tells readers the same. A fenced block without a `$` line may only list commands (every
line starts with `python `), so no block of output can slip in without the command that checks it;
a ```python block is a code sample, not output. How each command is run is in
tests/page_commands.py. README.zh-CN.md, the course in Chinese, shows the same blocks; they are
not run again but compared with these (tests/course/test_readme_zh.py).
"""
import re
import shlex

import pytest

from helpers import LESSONS, REPO, assert_mentions
from output_blocks import fenced_blocks, mismatch
from page_commands import run_block_command

README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]       # whose output blocks are run
TRANSLATIONS = [REPO / "README.zh-CN.md"]                       # whose blocks are README.md's
COMMAND_LINE = re.compile(r"([A-Z_]+=\S+ )*python \S")     # a command a reader types


@pytest.fixture
def runner(page_runner):
    return page_runner


# --------------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------------
BLOCKS = [block for page in PAGES
          for block in fenced_blocks(page.read_text(encoding="utf-8"),
                                     str(page.relative_to(REPO)))]
OUTPUT_BLOCKS = [b for b in BLOCKS if b.command]


def block_id(block):
    what = block.command.split()[1].split("_")[0] if " -m " not in block.command else "pytest"
    return f"{block.page}:{block.line}-{what}"


@pytest.mark.parametrize("block", OUTPUT_BLOCKS, ids=block_id)
def test_readme_block_is_what_its_command_prints(block, runner, request):
    problem = mismatch(block, run_block_command(block, runner, request))
    if problem:
        pytest.fail(problem, pytrace=False)


def unlabelled_output(blocks):
    """The blocks that show something other than commands yet name no command to check them by."""
    return [b for b in blocks if not b.command and b.language != "python"
            and not all(COMMAND_LINE.match(text) for _, text in b.lines if text.strip())]


def test_every_other_block_only_lists_commands():
    for block in unlabelled_output(BLOCKS):
        pytest.fail(f"{block} shows something other than commands; start it with `$ COMMAND`",
                    pytrace=False)


def test_the_readme_shows_output_of_every_lesson():
    shown = {shlex.split(b.command)[1] for b in OUTPUT_BLOCKS if b.page == "README.md"}
    assert set(LESSONS) <= shown, f"no output block for {sorted(set(LESSONS) - shown)}"


@pytest.mark.parametrize("page", PAGES + TRANSLATIONS, ids=lambda page: page.name)
def test_no_block_hides_behind_an_indent(page):
    """A fence indented (inside a list item, say) is not read as a block, so nothing checks it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    indented = [n for n, line in enumerate(lines, start=1) if re.match(r"\s+```", line)]
    assert indented == [], f"{page.name} lines {indented}: put the ``` at the start of the line"


def test_the_readme_reads_as_a_course_not_a_manual():
    """The English README at most 8,000 words, lesson 05's section at most 2,000: the rest belongs
    in docs/. The Chinese README follows the English, so it has no limit of its own."""
    text = README.read_text(encoding="utf-8")
    lesson_05 = text[text.index("## 05 "):text.index("\n## ", text.index("## 05 ") + 1)]
    assert len(text.split()) <= 8000, f"README.md has {len(text.split())} words"
    assert len(lesson_05.split()) <= 2000, f"its 05 section has {len(lesson_05.split())} words"


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
    assert problem.count("\n") == 2, problem      # the place, then the two lines
    assert_mentions(problem, f"README.md line {block.line}", "python 01_single_neuron.py",
                    f"line {number}", f"shown:   {line[:-1] + '9'!r}", f"printed: {line!r}")


def block_of(text):
    return fenced_blocks("```\n$ python 01_single_neuron.py\n" + text + "```\n")[0]


def test_dots_stand_for_at_least_one_line_and_nothing_else_is_skipped():
    output = "first\nsecond\nthird\n"
    assert mismatch(block_of("first\n...\nthird\n"), output) is None
    assert mismatch(block_of("...\nsecond\n...\n"), output) is None
    assert "'...' before line 6 stands for no line" in mismatch(
        block_of("first\nsecond\n...\nthird\n"), output)
    assert "line 3 differs" in mismatch(block_of("second\n...\n"), output)   # no leading ...
    assert "prints more after line 4" in mismatch(block_of("first\nsecond\n"), output)
    assert "line 5 differs" in mismatch(block_of("first\n...\nfourth\n"), output)
    assert "line 5 is not in the output" in mismatch(block_of("first\n...\nfourth\n...\n"),
                                                            output)
    assert "'...' after line 5 stands for no line" in mismatch(
        block_of("first\n...\nthird\n...\n"), output)


def test_rounding_noise_is_normalised_but_not_a_real_error():
    printed = "  W2 (5, 4)   largest relative error 1.6e-08\n  largest difference: 0.00e+00\n"
    shown = "  W2 (5, 4)   largest relative error 1.1e-09\n  largest difference: 5.55e-17\n"
    assert mismatch(block_of(shown), printed) is None
    wrong = "  W2 (5, 4)   largest relative error 9.9e-03\n  largest difference: 5.55e-17\n"
    assert "line 3 differs" in mismatch(block_of(shown), wrong)
    assert "line 3 differs" in mismatch(block_of(shown.replace("e-09", "e-05")), printed)


def test_only_timings_speeds_and_ports_are_normalised():
    printed = ("epoch  1/10  train loss 0.01844  test acc  95.27%    0.5 s   130,311 samples/s\n"
               "from http://127.0.0.1:43685/old-mirror/\ntook 5.0 s\n")
    shown = ("epoch  1/10  train loss 0.01844  test acc  95.27%   10.9 s     9,464 samples/s\n"
             "from http://127.0.0.1:8001/old-mirror/\ntook 8.7 s\n")
    assert mismatch(block_of(shown), printed) is None
    for old, new, line in [("95.27", "95.28", 3), ("0.01844", "0.01845", 3), ("1/10", "1/11", 3),
                           ("old-mirror", "new-mirror", 4), ("took", "took about", 5)]:
        assert f"line {line} differs" in mismatch(block_of(shown.replace(old, new)), printed)


def tolerant_block(text, declaration):
    """A block of `text` with `declaration` on the line before its fence."""
    return fenced_blocks(declaration + "\n```\n$ python 05_train_mnist.py\n" + text + "```\n")[0]


TRAINING_RUN = """Network([784, 30, 10]), 3 epochs of 50,000 training images
    layer  speed |dL/db|  saturated  step / weight
        1       8.52e-06       0.0%        2.0e-04
epoch  1/3  train loss 0.08468  train acc  18.29%  val acc  37.47%    0.5 s   114,001 samples/s
epoch  3/3  train loss ~0.01462  train acc ~90.99%  val acc ~93.63%    0.5 s   101,811 samples/s
test accuracy: ~92.74% (~9274/10000)
"""
STATEMENT = "<!-- numbers marked ~ may move: points=5 relative=10% -->"


def printed(run):
    return run.replace("~", "")


def test_a_tolerance_is_read_from_the_declaration_before_the_block():
    block = tolerant_block(TRAINING_RUN, STATEMENT)
    assert (block.tolerance.points, block.tolerance.relative, block.tolerance.bound) == \
        (5, 0.10, None)
    prose = "*Numbers marked ~ may differ on another computer: percentages by up to 5 points.*"
    assert fenced_blocks("```\n$ python 05_train_mnist.py\nx\n```\n\n" + prose + "\n"
                         )[0].tolerance is None, "the prose explains; only the declaration counts"
    with pytest.raises(AssertionError, match="tolerance 'losses=roughly'"):
        tolerant_block(TRAINING_RUN, "<!-- numbers marked ~ may move: losses=roughly -->")
    with pytest.raises(AssertionError, match="~.*no tolerance"):
        mismatch(tolerant_block(TRAINING_RUN, "Nothing declared."), printed(TRAINING_RUN))


def test_marked_numbers_within_the_tolerance_pass_and_the_rest_stays_exact():
    block = tolerant_block(TRAINING_RUN, STATEMENT)
    assert mismatch(block, printed(TRAINING_RUN)) is None
    another_cpu = (printed(TRAINING_RUN).replace("0.01462", "0.01423").replace("90.99%", "91.17%")
                   .replace(" 93.63%", " 89.10%").replace("92.74% (9274/", "88.00% (8800/"))
    assert mismatch(block, another_cpu) is None
    for old, new in [("8.52e-06", "8.53e-06"), ("0.08468", "0.08469"), ("37.47%", "37.48%"),
                     ("3 epochs", "4 epochs")]:                     # the same on every computer
        changed = printed(TRAINING_RUN).replace(old, new)
        assert changed != printed(TRAINING_RUN)
        assert "differs from what the command prints" in mismatch(block, changed)


@pytest.mark.parametrize("old, new, reason", [
    ("epoch  3/3", "epoch  4/3", "shown 3, printed 4: an unmarked number must be exact"),
    ("val acc 93.63%", "val acc  87.00%", "6.63 points apart, the block allows 5"),
    ("0.01462", "0.01700", "16.3% apart, the block allows 10%"),
    ("(9274/10000)", "(8300/10000)", "10.5% apart, the block allows 10%"),
    ("test accuracy", "test accuracy (stalled)", "the words or the layout differ"),
])
def test_a_real_change_still_fails_and_says_by_how_much(old, new, reason):
    block = tolerant_block(TRAINING_RUN, STATEMENT)
    changed = printed(TRAINING_RUN).replace(old, new)
    assert changed != printed(TRAINING_RUN)
    problem = mismatch(block, changed)
    assert problem and reason in problem, problem


def test_a_bound_lets_chaotic_small_numbers_be_anything_below_it():
    block = tolerant_block("epoch  1/10  val acc  ~9.83%\nonly ~2.3e-07 and ~2.5e-08\n",
                           "<!-- numbers marked ~ may move: points=5 bound=1e-03 -->")
    assert mismatch(block, "epoch  1/10  val acc  10.30%\nonly 0.0e+00 and 6.8e-10\n") is None
    assert "above 1e-03" in mismatch(block, "epoch  1/10  val acc 9.83%\nonly 2.3e-02 and 1e-9\n")


def test_a_block_of_output_without_its_command_is_found():
    text = "```\npython 01_single_neuron.py\n```\n\n```\nepoch 1 ...\n```\n"
    assert [b.line for b in unlabelled_output(fenced_blocks(text))] == [5]
