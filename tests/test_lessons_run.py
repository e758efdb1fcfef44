"""Every lesson runs as a user runs it: headless, exit 0, its PNG figures written and their paths
printed."""
import pytest

from helpers import run_script, strict_warnings

# Lesson 05 trains on MNIST; its script runs are tested in its own test files.
FIGURES = {
    "01_single_neuron.py": ["01_sigmoid.png", "01_and_gate.png"],
    "02_forward_pass.py": ["02_activations.png"],
    "03_loss_function.py": ["03_loss_surface.png"],
    "04a_backprop_single_neuron.py": ["04a_loss_curve.png", "04a_descent_path.png"],
    "04b_backprop_network.py": ["04b_loss_curve.png", "04b_decision_boundary.png", "04b_xor.png"],
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STRICT = strict_warnings()  # an overflow or a deprecation in a lesson fails the run


@pytest.mark.parametrize("lesson", FIGURES)
def test_lesson_runs_and_writes_its_figures(lesson, tmp_path):
    result = run_script(lesson, "--figures-dir", tmp_path, env=STRICT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FIGURES[lesson])
    for name in FIGURES[lesson]:
        path = tmp_path / name
        assert path.read_bytes()[:8] == PNG_SIGNATURE and path.stat().st_size > 5000
        assert str(path) in result.stdout


@pytest.mark.parametrize("lesson", FIGURES)
def test_no_plots_is_deterministic_and_writes_nothing(lesson, tmp_path):
    first = run_script(lesson, "--no-plots", "--figures-dir", tmp_path / "figs", env=STRICT)
    second = run_script(lesson, "--no-plots", "--figures-dir", tmp_path / "figs", env=STRICT)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout) > 200
    assert not (tmp_path / "figs").exists()


@pytest.mark.parametrize("lesson", FIGURES)
def test_show_without_a_display_neither_blocks_nor_fails(lesson, tmp_path):
    result = run_script(lesson, "--show", "--figures-dir", tmp_path, timeout=60,
                        env={"DISPLAY": "", **STRICT})
    assert result.returncode == 0, result.stderr
    assert "--show needs a display" in result.stdout
    assert len(list(tmp_path.glob("*.png"))) == len(FIGURES[lesson])


@pytest.mark.parametrize("lesson", FIGURES)
def test_help_and_bad_flags(lesson):
    assert run_script(lesson, "--help").returncode == 0
    for seed in ("abc", "-1", "1.5"):
        bad = run_script(lesson, "--seed", seed, "--no-plots")
        assert bad.returncode == 2, (seed, bad.stderr)
        assert "--seed: must be a whole number, 0 or more" in bad.stderr, bad.stderr
        assert "Traceback" not in bad.stderr


def test_the_seed_changes_the_random_example():
    assert run_script("01_single_neuron.py", "--no-plots", "--seed", "1").stdout != \
        run_script("01_single_neuron.py", "--no-plots", "--seed", "2").stdout


@pytest.mark.parametrize("lesson", FIGURES)
def test_an_unusable_figures_folder_gets_a_message_not_a_traceback(lesson, tmp_path):
    (tmp_path / "afile").write_text("")
    result = run_script(lesson, "--figures-dir", tmp_path / "afile" / "figures")
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {tmp_path / 'afile'} is a file, not a folder; choose "
                                     "another folder with --figures-dir, or skip the figures with "
                                     "--no-plots")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("lesson", FIGURES)
def test_output_to_a_file_without_utf8_does_not_crash(lesson):
    """A Windows console redirected to a file may encode with cp1252, which has no σ."""
    result = run_script(lesson, "--no-plots", env={"PYTHONIOENCODING": "cp1252"})
    assert result.returncode == 0, result.stderr
