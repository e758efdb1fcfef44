"""support/preflight.py: the checks of output folders and files before any work, which create
nothing and name the flag and the fix.
"""
import pytest

from helpers import assert_mentions, needs_symlinks, no_space_left
from support import preflight
from support.preflight import output_folders_problem, writable_folder_problem


# --- output folders: checked before the work, nothing created ---------------------------------
def test_checking_the_output_folders_creates_nothing(tmp_path):
    """A run that stops after the check (a typo, Ctrl-C, a TODO) must leave no empty data/ or
    figures/ behind: in a learner's exercises/ folder they would look like a run's output."""
    assert writable_folder_problem(tmp_path / "figures" / "deeper", "--figures-dir") is None
    assert output_folders_problem(tmp_path / "data" / "model.npz", tmp_path / "figures",
                                  model_bytes=1000) is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("length", [256, 300])
def test_a_name_longer_than_the_file_system_allows_is_one_line_naming_the_flag(tmp_path, length):
    long_name = "m" * (length - 4) + ".npz"
    checks = {"--model": lambda: output_folders_problem(tmp_path / long_name, None),
              "--figures-dir": lambda: output_folders_problem(tmp_path / "m.npz",
                                                              tmp_path / long_name)}
    for flag, check in checks.items():
        problem = check()
        assert problem and problem.startswith(f"{flag} {tmp_path / long_name}: "), problem
        assert "long" in problem and "\n" not in problem, problem
        advice = problem.removesuffix(", or skip the figures with --no-plots" * (
            flag == "--figures-dir"))
        assert advice.endswith(("choose a shorter name", f"choose another folder with {flag}",
                                f"choose another file with {flag}")), problem
    assert list(tmp_path.iterdir()) == []


def test_a_name_of_250_bytes_is_allowed(tmp_path):
    assert output_folders_problem(tmp_path / ("m" * 246 + ".npz"), tmp_path / ("f" * 250)) is None


@needs_symlinks
def test_a_model_link_is_checked_where_it_leads(tmp_path):
    """save_model writes through a link: a link into a folder that cannot be written must be
    refused before training, not after it."""
    (tmp_path / "afile").write_text("")
    (tmp_path / "model.npz").symlink_to(tmp_path / "afile" / "model.npz")
    assert_mentions(output_folders_problem(tmp_path / "model.npz", None),
                    f"{tmp_path / 'afile'} is a file", "another folder with --model")
    (tmp_path / "loop.npz").symlink_to(tmp_path / "loop.npz")
    assert "leads in a loop" in output_folders_problem(tmp_path / "loop.npz", None)
    (tmp_path / "fine.npz").symlink_to(tmp_path / "elsewhere" / "model.npz")
    assert output_folders_problem(tmp_path / "fine.npz", None) is None


def test_too_little_space_for_the_model_names_the_space_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(preflight.shutil, "disk_usage", no_space_left(free=300_000))
    assert_mentions(output_folders_problem(tmp_path / "model.npz", None, model_bytes=318_040),
                    f"space in {tmp_path}", "0.6 MB", "0.3 MB", "--model")
