"""The output blocks of a Markdown page (README.md, docs/*.md), and how one is compared with what
its command prints. tests/course/test_readme.py runs the commands; this module only reads and compares.

- An output block is a fenced block whose first line is `$ ` and the command; the lines after it
  are what the command prints, stdout and stderr together, in order.
- A line that is only `...` stands for one or more printed lines left out; no other elision.
- Timings, speeds and loopback ports differ from run to run, and numbers below 1e-6 in scientific
  notation (the rounding noise of a gradient check) from one NumPy build to another: both sides
  are normalised before comparing (NORMALISE).
- Every other line is compared exactly, but for numbers marked `~`. A number whose digits depend on
  how the computer rounds (a training run long enough for float32 rounding differences, from another
  BLAS kernel or another CPU, to grow into other digits) is written `~93.63%` in the block, and the
  line right before the block's opening fence declares how far such numbers may move, with any of
  three parts:

      <!-- numbers marked ~ may move: points=5 relative=10% bound=1e-03 -->

  A marked percentage may differ by `points` percentage points; any other marked number by the
  `relative` difference; a marked number in scientific notation, where `bound` is given, may be
  anything from 0 up to it (for a run whose small numbers are chaotic). The prose under the block
  explains the tolerance to readers; the test reads only the declaration. Everything else on a line
  with a mark must be as shown: its words, its unmarked numbers (an epoch count, a verdict's
  figures), its layout but for the width of the spaces between columns, which a wider number shifts.
"""
import difflib
import re
from dataclasses import dataclass, field

NORMALISE = [
    (re.compile(r" *\b\d+\.\d s\b"), " # s"),                   # a duration: "  0.5 s"
    (re.compile(r" *\b\d[\d,]* samples/s\b"), " # samples/s"),  # a speed: " 127,690 samples/s"
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),        # a loopback port
    (re.compile(r" in \d+\.\d+s\b"), " in #s"),                  # pytest's time: "in 1.91s"
]
# Rounding noise: a relative error or a difference below 1e-6, printed like 2.8e-11 or 0.00e+00,
# is the last bits of float arithmetic, which another NumPy build sums in another order. A wrong
# gradient gives 1e-2 or more, and the verdict line beside it is compared. (In the part of a block
# with a tolerance, its numbers are compared by the tolerance instead.)
NOISE = (re.compile(r"\b(\d\.\d+e-(0[7-9]|[1-9]\d)|0\.0+e\+00)\b"), "<1e-6>")
DECLARATION = re.compile(r"<!-- numbers marked ~ may move: (.*) -->")
PART = re.compile(r"(points|relative|bound)=(\d+(?:\.\d+)?(?:e[+-]\d+)?)(%?)")
MARK = "~"
# A number in scientific notation, a percentage, a number with a decimal point, a whole number (with
# thousands separators): in this order of trying; a mark ~ right before it, if any.
TOKEN = re.compile(r"(?P<mark>~)?(?:(?P<sci>\d(?:\.\d+)?e[+-]\d+)|(?P<pct>\d+(?:\.\d+)?)%"
                   r"|(?P<dec>\d+\.\d+)|(?P<int>\d[\d,]*))")


@dataclass
class Tolerance:
    """How far a marked number of each kind may differ, as one block's statement gives it."""
    points: float = None            # percentages, in percentage points
    relative: float = None          # any other number, as a fraction of the number shown
    bound: float = None             # scientific notation: anything in [0, bound]


@dataclass
class Block:
    line: int                       # line number of the opening fence
    command: str                    # what follows "$ " on the first line, or "" for a command list
    language: str = ""              # what follows the opening ```, e.g. "python" for a code sample
    lines: list = field(default_factory=list)   # [(line number, text)] after the "$" line
    page: str = "README.md"         # the page the block is on
    tolerance: Tolerance = None     # None: every line is compared exactly

    def __str__(self):
        return f"{self.page} line {self.line}" + (f" (`$ {self.command}`)" if self.command else "")


def fenced_blocks(text, page="README.md"):
    """Every ``` block of a Markdown text as a Block (command "" unless it starts with "$ "), with
    the tolerance declared on the line before its opening fence, if any."""
    blocks, current = [], None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            if current is None:
                declared = lines[number - 2] if number > 1 else ""
                current = Block(number, "", line[3:].strip(), page=page,
                                tolerance=declared_tolerance(declared, page, number - 1))
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            if not current.command and not current.lines and line.startswith("$ "):
                current.command = line[2:].strip()
            else:
                current.lines.append((number, line))
    assert current is None, f"{page} line {current.line}: a ``` block is never closed"
    return blocks


def declared_tolerance(line, page, number):
    """The Tolerance that `line` declares (see the module docstring), or None if it declares none."""
    declaration = DECLARATION.fullmatch(line.strip())
    if not declaration:
        return None
    tolerance = Tolerance()
    for part in declaration.group(1).split():
        match = PART.fullmatch(part)
        assert match, f"{page} line {number}: cannot read the tolerance {part!r}"
        kind, value, percent = match.groups()
        setattr(tolerance, kind, float(value) / 100 if percent else float(value))
    return tolerance


def normalise(line):
    line = line.rstrip()
    for pattern, replacement in NORMALISE:
        line = pattern.sub(replacement, line)
    return line


def without_noise(line):
    return NOISE[0].sub(NOISE[1], line)


def mismatch(block, output):
    """None if `output` is what `block` shows, else a message naming the command and the line."""
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
    marked = [number for number, text in block.lines if re.search(MARK + r"\d", text)]
    assert not marked or block.tolerance, (f"{block}: line {marked[0] if marked else 0} marks "
                                           "numbers with ~, but the line before the block declares "
                                           "no tolerance")

    def same(entry, line):
        number, text = entry
        if number not in marked:
            return without_noise(line) == without_noise(text)
        return number_differences(text, line, block.tolerance) == []

    def matched(chunk, start):
        """How many of the chunk's lines, from the first, the output has from `start` on."""
        n = 0
        while n < len(chunk) and start + n < len(printed) and same(chunk[n], printed[start + n]):
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
            return (f"{block}: the '...' before line {chunk[0][0]} stands for no line; "
                    "remove it")
        return describe(block, chunk, printed, list(starts) or [first], matched, anchored_end,
                        searched=gap_before and not anchored_end, marked=marked)
    if trailing_gap and position >= len(printed):
        last = chunks[-1][1][-1][0]
        return f"{block}: the '...' after line {last} stands for no line; remove it"
    return None


def describe(block, chunk, printed, starts, matched, anchored_end, searched, marked):
    """A readable message for a chunk of lines the output lacks where the block puts it."""
    start = max(starts, key=lambda s: (matched(chunk, s), -s))
    n = matched(chunk, start)
    if n == len(chunk) and anchored_end:
        extra = printed[start + n] if start + n < len(printed) else "(nothing)"
        return (f"{block}: the command prints more after line {chunk[-1][0]}:\n"
                f"  printed: {extra!r}\nShow it, or end the block with a line '...'.")
    number, expected = chunk[n]
    if n == 0 and searched:
        near = difflib.get_close_matches(expected, printed[starts[0]:], n=1, cutoff=0.0)
        return (f"{block}: line {number} is not in the output where the block puts it\n"
                f"  shown:   {expected!r}\n"
                f"  nearest printed line: {near[0] if near else '(none)'!r}")
    got = printed[start + n] if start + n < len(printed) else "(the output ends here)"
    why = ""
    if number in marked and start + n < len(printed):
        why = "".join(f"\n  {reason}" for reason in number_differences(expected, got,
                                                                       block.tolerance))
    return (f"{block}: line {number} differs from what the command prints\n"
            f"  shown:   {expected!r}\n  printed: {got!r}{why}")


def number_differences(shown, printed, tolerance):
    """[] when two lines are the same but for marked numbers within `tolerance`; else what
    differs."""
    shown_tokens, printed_tokens = tokens(shown), tokens(printed)
    if [text for text, _ in shown_tokens] != [text for text, _ in printed_tokens]:
        return ["the words or the layout differ, not only the numbers"]
    problems = []
    for (_, a), (_, b) in zip(shown_tokens, printed_tokens):
        problem = number_difference(a, b, tolerance)
        if problem:
            problems.append(problem)
    return problems


def tokens(line):
    """[(the words before a number, the number's match)] for every number in `line`, then the
    rest (with None); runs of spaces count as one, so that a wider number may shift the columns."""
    found, position = [], 0
    for match in TOKEN.finditer(line):
        found.append((line[position:match.start()].split(), match))
        position = match.end()
    found.append((line[position:].split(), None))
    return found


def number_difference(a, b, tolerance):
    """None if the numbers `a` (shown, perhaps marked ~) and `b` (printed), two TOKEN matches,
    agree: exactly, or within the tolerance for a marked one's kind; else how far apart they are."""
    if a is None or b is None:
        return None if a is b else "a number is missing"
    x, y = a.group().lstrip(MARK), b.group()
    if b["mark"] or kind_of(a) != kind_of(b):
        return f"shown {a.group()}, printed {y}: not the same kind of number"
    if x == y:
        return None
    if not a["mark"]:
        return f"shown {x}, printed {y}: an unmarked number must be exact"
    kind = kind_of(a)
    u, v = float(a[kind].replace(",", "")), float(b[kind].replace(",", ""))
    if kind == "pct" and tolerance.points is not None:
        apart = abs(u - v)
        return None if apart <= tolerance.points + 1e-9 else (
            f"shown ~{x}, printed {y}: {apart:.2f} points apart, the block allows "
            f"{tolerance.points:g}")
    if kind == "sci" and tolerance.bound is not None:
        return None if 0 <= v <= tolerance.bound else (
            f"shown ~{x}, printed {y}: above {tolerance.bound:.0e}, the most the block allows")
    if kind != "pct" and tolerance.relative is not None and u != 0:
        apart = abs(v / u - 1)
        return None if apart <= tolerance.relative + 1e-9 else (
            f"shown ~{x}, printed {y}: {apart:.1%} apart, the block allows "
            f"{tolerance.relative:.0%}")
    return f"shown ~{x}, printed {y}: the block states no tolerance for this kind of number"


def kind_of(match):
    """The kind of number a TOKEN match is: sci, pct, dec or int."""
    return next(kind for kind in ("sci", "pct", "dec", "int") if match[kind] is not None)
