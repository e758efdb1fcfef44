"""support/figures.py: pyplot that needs no display, and figures saved as PNG files or one message.

That every lesson goes through it is checked by the lessons' runs (test_lessons_run.py)."""
import errno
import os
import sys

import matplotlib
import matplotlib.figure
import pytest

from helpers import assert_mentions, disk_full_after_some_bytes
from support.figures import can_open_windows, open_pyplot, pyplot_for_windows, save_figures

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend that needs no display)


pytestmark = pytest.mark.usefixtures("close_figures")


def test_each_figure_is_saved_as_a_png_and_its_path_printed(tmp_path, capsys):
    figures = {"a.png": plt.figure(), "b.png": plt.figure()}
    save_figures(plt, figures, tmp_path / "new" / "figures", show=False)
    saved = [tmp_path / "new" / "figures" / name for name in figures]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(saved), lines                      # one line per figure, in order
    for line, path in zip(lines, saved):
        assert_mentions(line, "saved", path)
    for path in saved:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    assert plt.get_fignums() == [], "the figures should be closed once saved"


def test_without_a_display_show_says_so_and_the_figures_are_still_files(capsys):
    assert not can_open_windows(open_pyplot(show=False)), "without --show: Agg, files only"
    open_pyplot(show=True)          # under Agg, as on a machine without a display
    note = capsys.readouterr().out
    assert note.startswith("note: ") and note.count("\n") == 1, note
    assert_mentions(note, "--show", "display", "PNG")


def test_a_window_is_refused_in_one_reason_under_a_backend_that_draws_only_files():
    plt_or_none, why = pyplot_for_windows()
    assert plt_or_none is None and "non-interactive backend 'agg'" in why.lower(), why
    assert "MPLBACKEND=TkAgg" in why, why


@pytest.mark.parametrize("where, message", [
    ("{file}", "{file} is a file"),
    ("{file}/figures", "{file} is a file"),
    ("{link}", "{link} is a symbolic link"),
    ("{link}/figures", "{link} is a symbolic link"),
])
def test_save_figures_checks_the_folder_before_drawing_into_it(tmp_path, where, message):
    """What every lesson's save_figures says, in-process: the lessons' runs in test_lessons_run.py
    check that each lesson goes through it."""
    if "link" in where and sys.platform == "win32":
        pytest.skip("symbolic links need privileges on Windows")
    names = {"file": tmp_path / "afile", "link": tmp_path / "link"}
    names["file"].write_text("")
    if "link" in where:
        names["link"].symlink_to(tmp_path / "nowhere", target_is_directory=True)
    with pytest.raises(SystemExit) as stopped:
        save_figures(plt, {"a.png": plt.figure()}, where.format(**names), show=False)
    said = stopped.value.code
    assert said.startswith("error: ") and "\n" not in said, said
    assert_mentions(said, message.format(**names), "--figures-dir", "--no-plots")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        name for name in ("afile", "link") if (tmp_path / name).is_symlink() or
        (tmp_path / name).exists())


@pytest.fixture
def full_disk(monkeypatch):
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", disk_full_after_some_bytes)


@pytest.mark.parametrize("earlier_figure", [False, True])
def test_a_full_disk_leaves_no_partial_figure_and_loses_none(tmp_path, full_disk,
                                                             earlier_figure):
    """One line naming the file, the reason and the fixes; no truncated PNG, no temporary file,
    and the figure an earlier run saved under that name stays whole."""
    if earlier_figure:
        (tmp_path / "a.png").write_bytes(b"an earlier run's figure")
    with pytest.raises(SystemExit) as stopped:
        save_figures(plt, {"a.png": plt.figure()}, tmp_path, show=False)
    message = str(stopped.value.code)
    assert message.startswith(f"error: cannot save {tmp_path / 'a.png'}: ")
    assert len(message.splitlines()) == 1
    for words in (os.strerror(errno.ENOSPC), "free some space", "--figures-dir", "--no-plots"):
        assert words in message
    assert [p.name for p in tmp_path.iterdir()] == (["a.png"] if earlier_figure else [])
    if earlier_figure:
        assert (tmp_path / "a.png").read_bytes() == b"an earlier run's figure"
