"""Tests for lesson 05's own-digit tools: --predict IMAGE and the drawing pad, with 05's network.

The agreement tests render real MNIST test digits into picture files in the forms a learner's files
come in and require the network (trained once per test run by the fixture `mnist_model`) to read at
least 90% of them as it reads the original 28 x 28. Bad inputs, the missing model and --draw without
a display use a tiny untrained model, so they need no MNIST. Everything runs headless (Agg) and
offline. The preprocessing, the image reader and the drawing pad on their own are tested in
test_support_own_digits.py, test_support_images.py and test_support_draw_pad.py.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from draw_events import bar_heights, drag  # noqa: E402
from helpers import (LESSON_ENV, REPO, assert_mentions, load_lesson, run_script,  # noqa: E402
                     upscale, write_png)
from support.draw_pad import DrawPad  # noqa: E402
from support.model_file import load_model, save_model  # noqa: E402
from support.images import read_image  # noqa: E402
from support.own_digits import (MAX_INK_SHARE, MIN_INK_SHARE, digit_reader,  # noqa: E402
                                predict_images)
from support.prepare_digit import preprocess_digit  # noqa: E402

lesson = load_lesson("05_train_mnist.py")
N_DIGITS = 50
MIN_AGREEMENT = 0.9


# --------------------------------------------------------------------------------------------------
# Rendering MNIST digits as a learner's picture files
# --------------------------------------------------------------------------------------------------
def render(form, digit, path):
    """Write one 28 x 28 MNIST digit (floats, white on black) to `path` in the given form; return
    path."""
    big = upscale(digit, 200, 200)                                   # (200, 200) white on black
    if form == "scaled_200":
        plt.imsave(path, big, cmap="gray", vmin=0, vmax=1)
    elif form == "inverted_200":                                     # black on white, like paper
        plt.imsave(path, 1 - big, cmap="gray", vmin=0, vmax=1)
    elif form == "rgb_blue_ink":                                     # blue ink on cream paper
        paper, ink = np.array([245, 238, 220]) / 255, np.array([25, 40, 130]) / 255
        plt.imsave(path, paper * (1 - big[..., None]) + ink * big[..., None])
    elif form == "rgba_transparent":                         # black ink on a transparent background
        rgba = np.zeros((200, 200, 4))
        rgba[..., 3] = big
        plt.imsave(path, rgba)
    elif form == "off_centre_canvas":                          # small digit, top left of a big page
        page = np.ones((450, 600))
        page[40:160, 70:190] = 1 - upscale(digit, 120, 120)
        plt.imsave(path, page, cmap="gray", vmin=0, vmax=1)
    elif form == "png16_gray":
        write_png(path, np.round((1 - big) * 65535).astype(np.uint16))
    elif form == "jpeg":
        plt.imsave(path, np.repeat((1 - big)[..., None], 3, axis=2), format="jpg")
    else:
        raise ValueError(form)
    return path


FORMS = ["scaled_200", "inverted_200", "rgb_blue_ink", "rgba_transparent",   # what render makes
         "off_centre_canvas", "png16_gray", "jpeg"]


def predictions_from_output(text):
    """{path: digit} from the lines "PATH: D    top three: ..." that --predict prints."""
    found = {}
    for line in text.splitlines():
        if "    top three: " in line:
            path, digit = line.split("    top three: ")[0].rsplit(": ", 1)
            found[path] = int(digit)
    return found


@pytest.fixture(scope="module")
def test_digits(mnist):
    _, (x_test, _) = mnist
    return x_test[:N_DIGITS]                                         # uint8 (50, 28, 28)


@pytest.fixture(scope="module")
def trained(mnist_model, test_digits):
    """(model path, network, what the network says about each original 28 x 28 test digit)."""
    path, _ = mnist_model
    net = load_model(path, lesson.Network)
    return path, net, net.forward(lesson.to_inputs(test_digits)).argmax(axis=1)


def render_all(form, digits, folder):
    suffix = ".jpg" if form == "jpeg" else ".png"
    return [str(render(form, d / 255.0, folder / f"digit{i:02d}{suffix}"))
            for i, d in enumerate(digits)]


def check_agreement(form, paths, found, expected):
    assert sorted(found) == sorted(paths)
    got = np.array([found[p] for p in paths])
    rate = float(np.mean(got == expected))
    print(f"agreement [{form}]: {rate:.0%}")
    assert rate >= MIN_AGREEMENT, (f"{form}: only {rate:.0%} agree; "
                                   f"disagreeing: {np.flatnonzero(got != expected)}")


# --------------------------------------------------------------------------------------------------
# The network reads a rendered digit as it reads the original 28 x 28
# --------------------------------------------------------------------------------------------------
def test_command_line_predict_agrees_with_the_original_28x28(trained, test_digits, mnist_model,
                                                             tmp_path):
    model, net, expected = trained
    paths = render_all("inverted_200", test_digits, tmp_path)
    result = run_script("05_train_mnist.py", "--predict", *paths, "--model", model, "--no-plots",
                        "--data-dir", tmp_path / "no_data")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # The accuracy the training run printed for its last epoch, which it saved with the model
    last_epoch = re.findall(r"val acc +(\d+\.\d\d%)", mnist_model[1])[-1]
    first = result.stdout.splitlines()[0]
    assert first.startswith("model: "), first
    assert_mentions(first, model, f"Network({net.sizes})", last_epoch, "validation")
    assert not (tmp_path / "no_data").exists()                       # --predict needs no MNIST
    check_agreement("inverted_200 via the command line", paths,
                    predictions_from_output(result.stdout), expected)


@pytest.mark.parametrize("form", [form for form in FORMS if form != "inverted_200"])
def test_predict_agrees_with_the_original_28x28(form, trained, test_digits, tmp_path, capsys):
    _, net, expected = trained
    paths = render_all(form, test_digits, tmp_path)
    capsys.readouterr()
    assert predict_images(digit_reader(net, lesson.to_inputs), paths) == 0
    out, err = capsys.readouterr()
    assert err == ""                                     # not one taken for "no digit found"
    check_agreement(form, paths, predictions_from_output(out), expected)


@pytest.fixture(scope="module")
def least_and_most_inked(mnist):
    """The two of MNIST's 70,000 digits with the smallest and the largest share of pixels above
    half ink."""
    (x_train, _), (x_test, _) = mnist
    digits = np.concatenate([x_train, x_test])
    inked = np.count_nonzero(digits >= 128, axis=(1, 2))   # above half ink: 128 / 255 and more
    return digits[[inked.argmin(), inked.argmax()]]


def test_mnist_digits_as_pictures_are_never_taken_for_no_digit(least_and_most_inked, tmp_path):
    """"no digit found" needs both: no output reaches 0.5, and an ink share outside MNIST's. The
    least and the most inked of MNIST's digits, in every form a picture comes in, stay inside, so
    that whatever the network says, no MNIST digit is ever refused that way."""
    for form in FORMS:
        for path in render_all(form, least_and_most_inked, tmp_path):
            ink = float(np.mean(preprocess_digit(read_image(path)) > 0.5))
            assert MIN_INK_SHARE <= ink <= MAX_INK_SHARE, (form, path, ink)


def test_a_page_of_noise_is_no_digit(trained, test_digits, tmp_path):
    model, _, expected = trained
    noise = tmp_path / "noise.png"
    write_png(noise, np.random.default_rng(0).integers(0, 256, (300, 400), dtype=np.uint8))
    digit = render("inverted_200", test_digits[0] / 255.0, tmp_path / "digit.png")
    result = run_script("05_train_mnist.py", "--predict", noise, digit, "--model", model,
                        "--no-plots")
    assert result.returncode == 1
    err = result.stderr
    assert err.startswith(f"error: {noise}: ") and err.count("\n") == 1, err
    assert_mentions(err, "no digit found", "0.5", "0.0%", "1.9%", "39.8%", "one dark digit")
    assert predictions_from_output(result.stdout) == {str(digit): expected[0]}


# --------------------------------------------------------------------------------------------------
# Bad input: one line each, the other files still read, exit status 1
# --------------------------------------------------------------------------------------------------
def test_each_bad_file_gets_one_line_and_the_rest_are_still_read(tiny_model, tmp_path):
    (tmp_path / "notes.png").write_text("this is not a picture\n")
    plt.imsave(tmp_path / "blank.png", np.full((50, 50), 0.9), cmap="gray", vmin=0, vmax=1)
    # 20 megapixels, 20 kB on disk
    write_png(tmp_path / "huge.png", np.zeros((4000, 5000), np.uint8))
    plt.imsave(tmp_path / "good digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    bad = {"missing.png": ["no such file", "path"],
           "notes.png": ["not an image", "PNG or JPEG"],
           "blank.png": ["no ink"],
           "huge.png": ["5000 x 4000 pixels", "too large", "16 megapixels"],
           "b" * 300 + ".png": ["name is longer", "path"]}
    if Path("/dev/zero").exists():                  # tmp_path / "/dev/zero" is /dev/zero
        bad["/dev/zero"] = ["character device", "not an image file", "pipe"]
    paths = [tmp_path / name for name in bad] + [tmp_path / "good digit.png"]

    result = run_script("05_train_mnist.py", "--predict", *paths, "--model", tiny_model,
                        "--figures-dir", tmp_path / "figures")

    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("model: "), first
    assert_mentions(first, tiny_model, "Network([784, 5, 10])", "not recorded")
    errors = result.stderr.splitlines()
    assert len(errors) == len(bad), result.stderr                    # one line each, no traceback
    for line, (name, facts) in zip(errors, bad.items()):
        assert line.startswith(f"error: {tmp_path / name}: "), line
        assert_mentions(line, *facts)
    assert f"{tmp_path / 'good digit.png'}: " in result.stdout
    assert [p.name for p in (tmp_path / "figures").iterdir()] == ["05_predict_good_digit.png"]


@pytest.mark.skipif(not shutil.which("bash") or sys.platform == "win32",
                    reason="needs bash's process substitution")
def test_a_pipe_is_read_like_a_file(tiny_model, tmp_path):
    """--predict <(cat digit.png): bash hands over /dev/fd/63, a pipe, which cannot seek."""
    digit = tmp_path / "digit.png"
    plt.imsave(digit, np.pad(np.ones((20, 4)), 10), cmap="gray")
    command = ['"$@" --predict <(cat "$0")', digit, sys.executable, REPO / "05_train_mnist.py",
               "--model", tiny_model, "--no-plots"]
    result = subprocess.run(["bash", "-c", *map(str, command)], capture_output=True, text=True,
                            timeout=120, env=LESSON_ENV)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert re.search(r"^/dev/fd/\d+: \d    top three: ", result.stdout, re.M), result.stdout


@pytest.mark.skipif(not shutil.which("bash") or sys.platform == "win32",
                    reason="needs bash's process substitution")
def test_a_pipe_that_never_ends_is_refused_after_100_mb(tiny_model):
    command = ['"$@" --predict <(yes)', "bash", sys.executable, REPO / "05_train_mnist.py",
               "--model", tiny_model, "--no-plots"]
    result = subprocess.run(["bash", "-c", *map(str, command)], capture_output=True, text=True,
                            timeout=120, env=LESSON_ENV)
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "more than 100 MB (or never ends" in result.stderr


def test_standard_input_is_read_for_a_dash(tiny_model, tmp_path):
    """--predict - < digit.png; and a terminal or nothing on standard input is refused."""
    digit = tmp_path / "digit.png"
    plt.imsave(digit, np.pad(np.ones((20, 4)), 10), cmap="gray")
    command = [sys.executable, REPO / "05_train_mnist.py", "--predict", "-", "--model",
               tiny_model, "--figures-dir", tmp_path / "figures"]
    result = subprocess.run(list(map(str, command)), input=digit.read_bytes(),
                            capture_output=True, timeout=120, env=LESSON_ENV)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    assert re.search(rb"^-: \d    top three: ", result.stdout, re.M), result.stdout
    assert len(list((tmp_path / "figures").iterdir())) == 1
    result = subprocess.run(list(map(str, command)), input=b"", capture_output=True,
                            timeout=120, env=LESSON_ENV)
    assert result.returncode == 1 and result.stderr.startswith(b"error: -: the file is empty")


@pytest.mark.skipif(not hasattr(os, "mkfifo"),
                    reason=f"{sys.platform} has no named pipes in the file system (os.mkfifo)")
def test_a_named_pipe_nothing_writes_to_is_refused_without_waiting(tiny_model, tmp_path):
    """Opening a FIFO waits for a writer: once, for ever, until Ctrl-C."""
    os.mkfifo(tmp_path / "fifo")
    plt.imsave(tmp_path / "digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    result = run_script("05_train_mnist.py", "--predict", tmp_path / "fifo", tmp_path / "digit.png",
                        "--model", tiny_model, "--no-plots", timeout=60)
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {tmp_path / 'fifo'}: this is a named pipe (FIFO) "
                                    "that nothing writes to; give an image file, or - ")
    assert f"{tmp_path / 'digit.png'}: " in result.stdout                   # the next one is read


def test_a_model_name_too_long_is_said_in_one_line_as_training_says_it(tiny_model, tmp_path):
    """A 304-byte name, and a path beyond the system's whole-path limit made of short names: the
    system's only word for either is "File name too long", from is_dir, as a traceback."""
    plt.imsave(tmp_path / "digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    long_name = tmp_path / ("m" * 300 + ".npz")
    deep = tmp_path.joinpath(*["d" * 200] * 30, "model.npz")               # 6000 bytes and more
    cases = [(long_name, "a name in it is 304 bytes long")]
    if sys.platform != "win32":         # Windows' limits on a whole path are another matter
        cases.append((deep, ""))
    for model, says in cases:
        result = run_script("05_train_mnist.py", "--predict", tmp_path / "digit.png", "--model",
                            model, "--no-plots")
        assert result.returncode == 1 and result.stdout == ""
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith(f"error: --model {model}: {says}"), result.stderr


def test_image_names_too_long_for_a_figure_name_get_their_figures(tiny_model, tmp_path):
    """A 250-byte image name, and one of 83 letters of 3 bytes each: figure names are cut to 100
    bytes, not letters, so that with "05_predict_" and ".png" they fit in the 255 a file system
    allows. And a letter the font lacks (数) adds no warning to the output."""
    names = ["a" * 246 + ".png", "数" * 83 + ".png"]
    for name in names:
        plt.imsave(tmp_path / name, np.pad(np.ones((20, 4)), 10), cmap="gray")
    result = run_script("05_train_mnist.py", "--predict", *[tmp_path / n for n in names],
                        "--model", tiny_model, "--figures-dir", tmp_path / "figures")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(
        [f"05_predict_{'a' * 100}.png", f"05_predict_{'数' * 33}.png"])


def test_a_model_whose_weights_would_overflow_is_refused_in_one_line(tmp_path):
    """Finite weights of 1e38: z reaches 7.8e40, beyond float32. Refused when loaded, before any
    image is read: one line, no RuntimeWarning, no answer made of infinities."""
    net = lesson.Network([784, 5, 10], dtype=np.float32)
    net.weights[0][:] = 1e38
    model = save_model(tmp_path / "huge.npz", net)
    plt.imsave(tmp_path / "digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    result = run_script("05_train_mnist.py", "--predict", tmp_path / "digit.png", "--model", model,
                        "--no-plots")
    assert result.returncode == 1 and result.stdout == ""
    err = result.stderr
    assert err.startswith(f"error: {model} ") and err.count("\n") == 1, err
    assert_mentions(err, "layer 1", "7.8e+40", "overflow",
                    f"python 05_train_mnist.py --model {model}")


def test_a_folder_given_as_image_or_model_is_named_as_such(tiny_model, tmp_path):
    result = run_script("05_train_mnist.py", "--predict", tmp_path, "--model", tiny_model,
                        "--no-plots")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {tmp_path}: "), result.stderr
    assert_mentions(result.stderr, "folder")
    result = run_script("05_train_mnist.py", "--predict", tmp_path, "--model", tmp_path)
    assert result.returncode == 1
    assert_mentions(result.stderr, f"{tmp_path} is a folder", "file name")


def test_a_model_that_does_not_read_mnist_is_refused(tmp_path):
    model = save_model(tmp_path / "xor.npz", lesson.Network([2, 3, 1]))
    plt.imsave(tmp_path / "digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    result = run_script("05_train_mnist.py", "--predict", tmp_path / "digit.png", "--model", model)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert_mentions(result.stderr, "[2, 3, 1]", "28 x 28")


def test_missing_model_says_how_to_train_one_and_downloads_nothing(tmp_path):
    plt.imsave(tmp_path / "digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    model = tmp_path / "no_model.npz"
    result = run_script("05_train_mnist.py", "--predict", tmp_path / "digit.png", "--model", model,
                        "--data-dir", tmp_path / "data")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: "), result.stderr
    assert_mentions(result.stderr, f"no model file at {model}", "train")
    assert f"python 05_train_mnist.py --model {model}" in result.stderr      # the exact command
    assert result.stdout == "" and not (tmp_path / "data").exists()


def test_draw_without_a_display_refuses_with_one_message(tiny_model, tmp_path):
    result = run_script("05_train_mnist.py", "--draw", "--model", tiny_model,
                        "--figures-dir", tmp_path)
    assert result.returncode != 0
    assert result.stdout == ""                         # no "note: --show needs a display" either
    assert result.stderr.startswith("error: --draw "), result.stderr
    assert_mentions(result.stderr, "display")
    assert "'agg'" in result.stderr.lower()
    assert len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------------------------------
# The drawing pad under Agg, driven by synthetic mouse events, with the trained network
# --------------------------------------------------------------------------------------------------
def test_drawing_pad_with_the_trained_network_reads_a_one(trained):
    _, net, _ = trained
    fig = plt.figure(figsize=(8, 4.5))
    try:
        outputs_of = digit_reader(net, lesson.to_inputs)
        pad = DrawPad(fig, lambda canvas: outputs_of(preprocess_digit(canvas)))
        fig.canvas.draw()
        drag(fig, pad.ax_draw, [(16, 4), (15, 14), (14, 24)])   # a slightly slanted "1", off centre
        assert np.argmax(bar_heights(pad)) == 1 and pad.ax_bars.get_title() == "the network says 1"
    finally:
        plt.close(fig)
