"""pyplot without a display, and saving figures as PNG files.

The lessons draw with matplotlib and save every figure as a PNG (save_figures), so they run the
same on a laptop, over ssh and in CI. Only --show (and lesson 05's --draw) asks for windows; on a
machine that cannot open one, a lesson says so in one line instead of failing. What it promises: a
figure that cannot be saved stops the lesson with one message naming the file, the reason and the
flag that fixes it (exit status 1).
"""
import os
import secrets
import sys
from pathlib import Path

from support.download import space_advice
from support.preflight import figures_dir_problem

# matplotlib's backends that draw only to files: with one of them no window can ever open.
NON_INTERACTIVE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def open_pyplot(show):
    """pyplot drawing straight to PNG files unless --show, so that it never needs a display."""
    plt = import_pyplot(None if show else "Agg")
    if show and not can_open_windows(plt):
        print("note: --show needs a display and none was found; the figures are saved as PNG only")
    return plt


def pyplot_for_windows():
    """(pyplot, None) when a window can open, else (None, why not): for lesson 05's --draw, which
    is nothing without one."""
    asked = import_matplotlib().get_backend()
    if asked.lower() in NON_INTERACTIVE_BACKENDS:
        return None, (f"matplotlib is using the non-interactive backend '{asked}'; run it on a "
                      "desktop (or set MPLBACKEND=TkAgg or QtAgg)")
    plt = import_pyplot()
    if not can_open_windows(plt):
        # The backend asked for could not open a display, and matplotlib fell back to one that
        # draws only to files: the window would never appear.
        return None, (f"none could be opened (matplotlib fell back to '{plt.get_backend()}'); "
                      "run it on a desktop, where a window can open")
    return plt, None


def import_pyplot(backend=None):
    """matplotlib.pyplot, set to `backend` if one is given."""
    matplotlib = import_matplotlib()
    if backend:
        matplotlib.use(backend)
    import matplotlib.pyplot as plt
    return plt


def import_matplotlib():
    """matplotlib itself. A backend name that matplotlib does not know, in MPLBACKEND or a
    matplotlibrc, makes the import fail; it stops the lesson with one line saying how to fix it."""
    try:
        import matplotlib
    except ValueError as error:
        if "backend" not in str(error):
            raise
        asked = os.environ.get("MPLBACKEND")
        where = f"MPLBACKEND={asked}" if asked else "the backend in your matplotlibrc"
        sys.exit(f"error: {where} is not a backend matplotlib knows; unset it (the figures are "
                 "saved as PNG files either way), or name one that exists: Agg for files only, "
                 "TkAgg or QtAgg for windows")
    return matplotlib


def can_open_windows(plt):
    """Whether pyplot's backend draws in windows (not only to files)."""
    return plt.get_backend().lower() not in NON_INTERACTIVE_BACKENDS


def save_figures(plt, figures, figures_dir, show):
    """Save each {filename: figure} as a PNG and say where (or stop with one message); then, with
    --show, open them in windows and wait until they are closed."""
    problem = figures_dir_problem(Path(figures_dir))
    if problem:
        sys.exit(f"error: {problem}")
    for filename, fig in figures.items():
        path = Path(figures_dir) / filename
        try:
            save_whole(fig, path)
        except OSError as error:
            sys.exit(f"error: cannot save {path}: {error.strerror or error}; "
                     f"{space_advice(error)}choose another folder with --figures-dir, or skip "
                     "the figures with --no-plots")
        print(f"figure saved: {path}")
    if show and can_open_windows(plt):
        plt.show()
    plt.close("all")


def save_whole(fig, path):
    """Save fig as a PNG at path, whole or not at all.

    It is drawn into a temporary file of its own beside path and renamed when complete, so a full
    disk, or Ctrl-C, never leaves a truncated PNG under the figure's name, and the figure of an
    earlier run stays as it was until the new one is whole. open(..., "xb") makes the file with the
    mode any new file gets (the umask), and never reuses another run's temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = None
    try:
        while tmp is None:
            # A short name of its own: whatever figure name fits, this one fits beside it
            tmp = path.with_name(f".saving-{secrets.token_hex(4)}.png.part")
            try:
                f = open(tmp, "xb")
            except FileExistsError:
                tmp = None
        with f:                            # closing writes what is buffered: it can fail too
            fig.savefig(f, format="png", dpi=100, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:                # renamed (the figure is in place), or never made
                pass
