"""README.zh-CN.md, the course in Chinese, keeps in step with README.md.

Its output blocks are not run a second time: each must be the English block in its place, line for
line with the tolerance declared before it, and tests/course/test_readme.py runs the English ones.
When README.md changes, these tests name what to carry over, with the line numbers on both pages:
- blocks: every fenced block (output blocks, lists of commands, code samples), in order;
- sections: the headings, matched by order: the same count and levels, and the same lesson number
  where a title starts with one (`## 04a — ...`);
- links: the targets of links and images, in order, but for in-page anchors (`#...`), whose names
  differ by language, and each README's link to the other;
- in each section: the commands in the prose (`python ...` in backticks) and the measured numbers
  (with a decimal point, a % or an exponent), which are what the code prints.
"""
import difflib
import re

import pytest

from helpers import REPO

EN, ZH = "README.md", "README.zh-CN.md"
FENCE = "```"
DECLARATION = "<!-- numbers marked ~ may move:"
HEADING = re.compile(r"(#{1,6}) (.*)")
LESSON_NUMBER = re.compile(r"\d\d[a-z]?\b")                     # 01, 04a, 06b
LINK = re.compile(r"!?\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\)")
INLINE_CODE = re.compile(r"`([^`]+)`")
COMMAND = re.compile(r"([A-Z_]+=\S+ )*python \S")               # a command a reader types
NUMBER = re.compile(r"\d(?:\.\d+)?e[+-]?\d+|\d+(?:\.\d+)? ?%|\d+\.\d+")


def read(name):
    return (REPO / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Reading a page: its blocks, the rest of its lines, its headings
# --------------------------------------------------------------------------------------------------
def blocks_and_prose(text):
    """([(line number of the opening fence, the block's lines)], [(line number, a line outside
    every block)]). A block's lines run from the tolerance declared before it, if any, to its
    closing fence."""
    blocks, prose, opened = [], [], None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith(FENCE):
            if opened is None:
                opened = number
                continue
            declared = opened > 1 and lines[opened - 2].startswith(DECLARATION)
            first = opened - 1 if declared else opened
            blocks.append((opened, [(n, lines[n - 1]) for n in range(first, number + 1)]))
            if first < opened:
                prose.pop()                       # the declaration belongs to the block
            opened = None
        elif opened is None:
            prose.append((number, line))
    assert opened is None, f"line {opened}: a ``` block is never closed"
    return blocks, prose


def headings(text):
    """[(line number, level, the heading's text)] outside the blocks."""
    _, prose = blocks_and_prose(text)
    return [(number, len(match[1]), match[2]) for number, line in prose
            for match in [HEADING.fullmatch(line)] if match]


def heading_key(level, title):
    """What a heading and its translation share: its level, and the lesson number it starts with."""
    number = LESSON_NUMBER.match(title)
    return level, number.group() if number else None


def links(text, other_readme):
    """[(line number, target)] of every link and image outside the blocks and the inline code, but
    for in-page anchors and the link to the same course in the other language."""
    _, prose = blocks_and_prose(text)
    return [(number, target) for number, line in prose
            for target in LINK.findall(INLINE_CODE.sub("", line))
            if not target.startswith("#") and target != other_readme]


def sections(text):
    """[(the heading's line number, or 0 before the first; [(line number, line)] of its prose)]."""
    _, prose = blocks_and_prose(text)
    found = [(0, [])]
    for number, line in prose:
        if HEADING.fullmatch(line):
            found.append((number, []))
        else:
            found[-1][1].append((number, line))
    return found


def commands_in(lines):
    """The commands written in backticks in `lines`, a command wrapped over two lines joined."""
    text = " ".join(line.strip() for _, line in lines)
    return {" ".join(code.split()) for code in INLINE_CODE.findall(text) if COMMAND.match(code)}


def numbers_in(lines):
    """The measured numbers in `lines`: 0.0852, 95.47%, 1e-4 (a % with or without a space)."""
    return {found.replace(" ", "") for _, line in lines for found in NUMBER.findall(line)}


# --------------------------------------------------------------------------------------------------
# Comparing the pages: each returns [] when they agree, else one message per difference
# --------------------------------------------------------------------------------------------------
def aligned(en_items, zh_items, key):
    """difflib's opcodes for two lists compared by `key`: equal, replace, delete, insert."""
    return difflib.SequenceMatcher(None, [key(i) for i in en_items], [key(i) for i in zh_items],
                                   autojunk=False).get_opcodes()


def where(items, index):
    """Where an item missing before items[index] goes: before its line, or after the last."""
    if index < len(items):
        return f"before line {items[index][0]}"
    return f"after line {items[-1][0]}" if items else "at the top"


def block_drift(en_text, zh_text):
    """Every block of the English page that the Chinese page lacks, shows differently, or adds."""
    en, _ = blocks_and_prose(en_text)
    zh, _ = blocks_and_prose(zh_text)
    problems = []
    for tag, i1, i2, j1, j2 in aligned(en, zh, key=lambda block: tuple(t for _, t in block[1])):
        if tag == "replace" and i2 - i1 == j2 - j1:
            problems += [first_difference(en[i], zh[j])
                         for i, j in zip(range(i1, i2), range(j1, j2))]
        elif tag != "equal":
            problems += [f"{EN} line {en[i][0]}: its block is not in {ZH} (put it "
                         f"{where(zh, j1)}):\n  {en[i][1][0][1]!r}\n  {en[i][1][1][1]!r}"
                         for i in range(i1, i2)]
            problems += [f"{ZH} line {zh[j][0]}: a block that {EN} does not have:\n"
                         f"  {zh[j][1][0][1]!r}\n  {zh[j][1][1][1]!r}" for j in range(j1, j2)]
    return problems


def first_difference(en_block, zh_block):
    """Where two blocks in the same place first differ, with the line on each page."""
    (en_fence, en_lines), (zh_fence, zh_lines) = en_block, zh_block
    k = next((k for k, (a, b) in enumerate(zip(en_lines, zh_lines)) if a[1] != b[1]),
             min(len(en_lines), len(zh_lines)) - 1)
    en_n, en_line = en_lines[k]
    zh_n, zh_line = zh_lines[k]
    return (f"the block at {EN} line {en_fence} and {ZH} line {zh_fence} differs at "
            f"{EN} line {en_n}, {ZH} line {zh_n}:\n  {EN}: {en_line!r}\n  {ZH}: {zh_line!r}")


def section_drift(en_text, zh_text):
    """Every heading of the English page without its counterpart in the same place on the Chinese
    page (by level and lesson number), and every heading the Chinese page adds."""
    en, zh = headings(en_text), headings(zh_text)
    problems = []
    for tag, i1, i2, j1, j2 in aligned(en, zh, key=lambda h: heading_key(h[1], h[2])):
        if tag == "equal":
            continue
        problems += [f"{EN} line {n}: `{'#' * level} {title}` has no counterpart in {ZH} "
                     f"(put it {where(zh, j1)})" for n, level, title in en[i1:i2]]
        problems += [f"{ZH} line {n}: `{'#' * level} {title}` is not a heading of {EN} there"
                     for n, level, title in zh[j1:j2]]
    return problems


def link_drift(en_text, zh_text):
    """Every link target of the English page missing from the Chinese page, in order, or added."""
    en, zh = links(en_text, other_readme=ZH), links(zh_text, other_readme=EN)
    problems = []
    for tag, i1, i2, j1, j2 in aligned(en, zh, key=lambda link: link[1]):
        if tag == "equal":
            continue
        problems += [f"{EN} line {n}: the link to {target} is not in {ZH} (put it "
                     f"{where(zh, j1)})" for n, target in en[i1:i2]]
        problems += [f"{ZH} line {n}: a link to {target} that {EN} does not have there"
                     for n, target in zh[j1:j2]]
    return problems


def prose_drift(en_text, zh_text):
    """For each pair of sections, the commands and measured numbers that one page's prose gives and
    the other's does not. Only when the sections pair up (section_drift reports it otherwise)."""
    en, zh = sections(en_text), sections(zh_text)
    if len(en) != len(zh):
        return []
    problems = []
    for (en_line, en_lines), (zh_line, zh_lines) in zip(en, zh):
        at = f"the section at {EN} line {en_line}, {ZH} line {zh_line}"
        for what, found in (("command", commands_in), ("number", numbers_in)):
            en_found, zh_found = found(en_lines), found(zh_lines)
            if en_found - zh_found:
                problems.append(f"{at}: {ZH} lacks the {what}s {sorted(en_found - zh_found)}")
            if zh_found - en_found:
                problems.append(f"{at}: {ZH} gives {what}s that {EN} does not: "
                                f"{sorted(zh_found - en_found)}")
    return problems


# --------------------------------------------------------------------------------------------------
# The tests: the two READMEs agree
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("drift", [block_drift, section_drift, link_drift, prose_drift],
                         ids=lambda drift: drift.__name__)
def test_the_chinese_readme_is_in_step_with_the_english(drift):
    problems = drift(read(EN), read(ZH))
    if problems:
        pytest.fail(f"{ZH} is out of step with {EN}; carry over:\n" + "\n".join(problems),
                    pytrace=False)


def test_each_readme_links_to_the_other_at_the_top():
    for page, other in ((EN, ZH), (ZH, EN)):
        top = read(page).split("\n# ", 1)[0]
        assert f"]({other})" in top, f"{page} has no link to {other} before its title"


def test_the_pages_hold_what_the_comparisons_read():
    """Guards against comparing two empty lists: the pages have blocks, headings and links."""
    text = read(ZH)
    blocks, _ = blocks_and_prose(text)
    assert len(blocks) >= 20 and len(headings(text)) >= 10 and len(links(text, EN)) >= 10
    assert any(DECLARATION in lines[0][1] for _, lines in blocks), "no declared tolerance read"


# --------------------------------------------------------------------------------------------------
# The checks themselves: each fails on a drifted copy. The copy is made from README.md as its own
# perfect translation, so that these tests hold whether or not the real pages are in step.
# --------------------------------------------------------------------------------------------------
def translation():
    """README.md as its own translation: every check finds it in step, its link to the Chinese
    README aside, which points back to it as the Chinese README's link does."""
    return read(EN).replace(f"]({ZH})", f"]({EN})", 1)


def drifted(old, new, text=None):
    """The translation (or `text`) with its first `old` replaced by `new`."""
    text = translation() if text is None else text
    assert old in text, f"{old!r} is not in {EN}"
    return text.replace(old, new, 1)


def line_of(text, needle):
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def fence_of(text, needle):
    """The line number of the opening fence of the block that holds `needle`."""
    blocks, _ = blocks_and_prose(text)
    return next(fence for fence, lines in blocks if any(needle in line for _, line in lines))


@pytest.mark.parametrize("drift", [block_drift, section_drift, link_drift, prose_drift],
                         ids=lambda drift: drift.__name__)
def test_a_page_in_step_passes(drift):
    assert drift(read(EN), translation()) == []


def test_a_changed_command_names_both_lines_and_the_first_differing_line():
    en = read(EN)
    zh = drifted("$ python 01_single_neuron.py\n...\nA neuron with hand-chosen",
                 "$ python 01_single_neuron.py --seed 1\n...\nA neuron with hand-chosen")
    problems = block_drift(en, zh)
    assert len(problems) == 1, problems
    fence = fence_of(en, "A neuron with hand-chosen")
    assert (f"the block at {EN} line {fence} and {ZH} line {fence} differs at {EN} line "
            f"{fence + 1}, {ZH} line {fence + 1}") in problems[0]
    assert "'$ python 01_single_neuron.py --seed 1'" in problems[0]


@pytest.mark.parametrize("old, new", [
    ("test accuracy: 97.61% (9761/10000)", "test accuracy: 97.62% (9762/10000)"),  # an output line
    ("<!-- numbers marked ~ may move: points=5 relative=40% bound=1e-03 -->",
     "<!-- numbers marked ~ may move: points=5 relative=10% bound=1e-03 -->"),     # a tolerance
    ("  x = [0. 0.]  target 0  output 0.011  right\n", ""),                        # a line left out
])
def test_a_block_that_differs_anywhere_is_reported(old, new):
    problems = block_drift(read(EN), drifted(old, new))
    assert len(problems) == 1 and "differs at" in problems[0], problems


def test_a_block_without_its_declared_tolerance_is_reported():
    declaration = next(line for line in translation().splitlines() if line.startswith(DECLARATION))
    problems = block_drift(read(EN), drifted(declaration + "\n", ""))
    assert len(problems) == 1 and "differs at" in problems[0] and declaration in problems[0], \
        problems


def test_a_block_left_out_is_named_with_where_it_goes():
    en, zh = read(EN), translation()
    fence = fence_of(zh, "A neuron with hand-chosen weights")
    lines = zh.splitlines(keepends=True)
    end = next(n for n in range(fence, len(lines)) if lines[n].startswith(FENCE))
    without = "".join(lines[:fence - 1] + lines[end + 1:])
    problems = block_drift(en, without)
    assert len(problems) == 1, problems
    next_block = fence_of(without, "The first layer's z = x @ W")     # the block after it
    assert problems[0].startswith(f"{EN} line {fence}: its block is not in {ZH} (put it "
                                  f"before line {next_block})")


def test_a_missing_section_is_named_by_its_heading_in_the_english():
    en = read(EN)
    line, level, title = headings(en)[-3]                 # a ## or ### heading near the end
    problems = section_drift(en, drifted(f"{'#' * level} {title}\n", ""))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{EN} line {line}: `{'#' * level} {title}` has no counterpart")


def test_a_heading_of_another_level_or_lesson_is_a_drift():
    sub = next(h for h in headings(translation()) if h[1] == 3)
    assert section_drift(read(EN), drifted(f"### {sub[2]}\n", f"## {sub[2]}\n"))
    assert section_drift(read(EN), drifted("## 04b ", "## 04c "))


def test_a_new_english_section_is_reported_until_translated():
    en = drifted("\n## More\n", "\n## 06z — a new lesson\n\nText.\n\n## More\n", read(EN))
    problems = section_drift(en, translation())
    assert len(problems) == 1 and "06z — a new lesson" in problems[0], problems


@pytest.mark.parametrize("old, new", [
    ("(docs/figures/05_confusion_matrix.png)", "(docs/figures/05_confusion.png)"),
    ("[docs/own-digits.md](docs/own-digits.md) ·", "docs/own-digits.md ·"),
    ("[docs/tests.md](docs/tests.md): the", "[docs/tests.md](https://example.org/tests.md): the"),
])
def test_a_changed_or_missing_link_is_reported(old, new):
    problems = link_drift(read(EN), drifted(old, new))
    assert problems and all(ZH in problem for problem in problems), problems


def test_anchors_and_the_language_links_are_not_compared():
    zh = drifted(f"]({EN})", f"]({EN}) · [top](#quick-start)")
    assert link_drift(read(EN), zh) == []
    assert links(f"[English]({EN}) [中文]({ZH}) [a](#b) `[c](d.md)`", other_readme=EN) == \
        [(1, ZH)], "only the link to the page itself in the other language is left out"


@pytest.mark.parametrize("old, new, word", [
    ("`python 04b_backprop_network.py --lr 40`", "`python 04b_backprop_network.py --lr 30`",
     "command"),
    ("are still checked", "are still checked (`python 05_train_mnist.py --epochs 2`)", "command"),
    ("72% to 85%", "72% to 86%", "number"),
])
def test_a_command_or_number_in_the_prose_that_differs_is_reported(old, new, word):
    problems = prose_drift(read(EN), drifted(old, new))
    assert problems and all(f"{word}s" in problem for problem in problems), problems


def test_each_measured_number_in_the_prose_counts():
    """The first and the last three measured numbers of the prose, each changed in turn."""
    en = read(EN)
    _, prose = blocks_and_prose(en)
    number_lines = [(line, match) for _, line in prose if not HEADING.fullmatch(line)
                    for match in NUMBER.finditer(line)]
    assert len(number_lines) > 50, "too few measured numbers found to test the check"
    for line, match in number_lines[:1] + number_lines[-3:]:
        changed = line[:match.start()] + "9" + line[match.start():]     # 0.0853 becomes 90.0853
        problems = prose_drift(en, drifted(line, changed))
        assert problems and all("numbers" in problem for problem in problems), (line, problems)
