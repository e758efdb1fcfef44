"""docs/jupyter.md: its snippets run as a notebook runs them, without a file of their own (no
__file__), in the course folder, and print what their comments say. IPython is not needed: a
`%run FILE FLAGS` line becomes runpy.run_path with those flags, and `%matplotlib inline` is left
out (it only chooses where figures appear). Figures go to a temporary folder, not the course's."""
import os
import re
import shlex
import subprocess
import sys

from helpers import REPO

PAGE = REPO / "docs" / "jupyter.md"


def snippets():
    """The page's ```python blocks, in order."""
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def as_plain_python(snippet, figures_dir):
    """The snippet with its IPython magics written as Python; a lesson's figures go to
    figures_dir."""
    lines = []
    for line in snippet.splitlines():
        if line.startswith("%run "):
            script, *flags = shlex.split(line[len("%run "):])
            flags += ["--figures-dir", str(figures_dir)]
            lines += [f"sys.argv = {[script, *flags]!r}",
                      "try:",
                      f"    globals().update(runpy.run_path({script!r}, run_name='__main__'))",
                      "except SystemExit as stop:",
                      "    assert stop.code in (0, None), stop.code"]
        elif not line.startswith("%matplotlib"):
            lines.append(line)
    return "\n".join(lines)


def expected_prints(snippet):
    """What each `print(...)  # value` line of the snippet says it prints."""
    return re.findall(r"^print\(.*\)\s+# (.+)$", snippet, flags=re.M)


def test_the_notebook_page_snippets_run_without_a_file_and_print_what_they_say(tmp_path):
    blocks = snippets()
    assert len(blocks) >= 3 and any("from_lesson" in block for block in blocks)
    program = "import runpy, sys\n" + "\n".join(as_plain_python(block, tmp_path) for block in blocks)
    run = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stderr
    printed = [line.strip() for line in run.stdout.splitlines()]
    expected = [value for block in blocks for value in expected_prints(block)]
    assert expected and all(value in printed for value in expected), (expected, printed[-5:])
