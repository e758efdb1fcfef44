"""Tests for lesson 05's own-digit tools: --predict IMAGE and the drawing pad.

The agreement tests render real MNIST test digits into picture files in the forms a learner's files
come in and require the network (trained once per test run by the fixture `mnist_model`) to read at
least 90% of them as it reads the original 28 x 28. Bad inputs, the missing model and --draw without
a display use a tiny untrained model, so they need no MNIST. Everything runs headless (Agg) and
offline.
"""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backend_bases import MouseEvent  # noqa: E402

from helpers import load_lesson, run_script, upscale, write_png  # noqa: E402

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


def predictions_from_output(text):
    """{path: digit} from the lines "PATH: D    top three: ..." that --predict prints."""
    found = {}
    for line in text.splitlines():
        if "    top three: " in line:
            path, digit = line.split("    top three: ")[0].rsplit(": ", 1)
            found[path] = int(digit)
    return found


@pytest.fixture(scope="module")
def test_digits(shared_mnist):
    _, (x_test, _) = lesson.load_mnist(shared_mnist)
    return x_test[:N_DIGITS]                                         # uint8 (50, 28, 28)


@pytest.fixture(scope="module")
def trained(mnist_model, test_digits):
    """(model path, network, what the network says about each original 28 x 28 test digit)."""
    path, _ = mnist_model
    net = lesson.load_model(path)
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
def test_command_line_predict_agrees_with_the_original_28x28(trained, test_digits, tmp_path):
    model, _, expected = trained
    paths = render_all("inverted_200", test_digits, tmp_path)
    result = run_script("05_train_mnist.py", "--predict", *paths, "--model", model, "--no-plots",
                        "--data-dir", tmp_path / "no_data")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert not (tmp_path / "no_data").exists()                       # --predict needs no MNIST
    check_agreement("inverted_200 via the command line", paths,
                    predictions_from_output(result.stdout), expected)


@pytest.mark.parametrize("form", ["scaled_200", "rgb_blue_ink", "rgba_transparent",
                                  "off_centre_canvas", "png16_gray", "jpeg"])
def test_predict_agrees_with_the_original_28x28(form, trained, test_digits, tmp_path, capsys):
    _, net, expected = trained
    paths = render_all(form, test_digits, tmp_path)
    capsys.readouterr()
    assert lesson.predict_images(net, paths) == 0
    check_agreement(form, paths, predictions_from_output(capsys.readouterr().out), expected)


def test_preprocessing_an_mnist_digit_nearly_gives_it_back(test_digits):
    """MNIST digits already are what preprocess_digit makes; it must not move or rescale them."""
    for digit in test_digits[:10] / 255.0:
        out = lesson.preprocess_digit(digit)
        assert out.shape == (28, 28) and out.dtype == np.float32
        assert np.abs(out - digit).mean() < 0.01


# --------------------------------------------------------------------------------------------------
# The preprocessing steps, on hand-made pictures
# --------------------------------------------------------------------------------------------------
def test_dark_bar_on_grey_paper_becomes_a_centred_white_bar_in_a_20_pixel_box():
    gray = np.full((300, 500), 0.8, np.float32)
    gray[50:250, 400:430] = 0.1                               # dark stroke, 200 x 30, near the edge
    out = lesson.preprocess_digit(gray)
    rows, cols = np.nonzero(out > 0.5)
    assert rows.max() - rows.min() + 1 == 20                # the longer side fills the 20-pixel box
    assert cols.max() - cols.min() + 1 == 3                 # the shape is kept: 200 x 30 -> 20 x 3
    row, col = lesson.centre_of_mass(out)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    assert out[0].max() == 0 and out[:, 0].max() == 0                 # the paper became black


def test_uneven_light_and_camera_noise_are_not_taken_for_ink():
    """A 3000 x 2000 'photo', darker on the left, noisy, with a faint pencil '1'."""
    rng = np.random.default_rng(0)
    page = 0.55 + 0.35 * np.arange(3000) / 3000 + rng.normal(0, 0.02, (2000, 3000))
    page[600:1400, 1450:1510] -= 0.35
    out = lesson.preprocess_digit(np.clip(page, 0, 1))
    rows, cols = np.nonzero(out > 0.5)
    assert rows.max() - rows.min() + 1 >= 18 and cols.max() - cols.min() + 1 <= 4


def test_area_resize_averages_and_keeps_thin_lines():
    image = np.arange(36, dtype=np.float32).reshape(6, 6)
    small = lesson.scale_longer_side(image, 3)
    assert small.shape == (3, 3)
    np.testing.assert_allclose(small[0, 0], image[:2, :2].mean(), rtol=1e-6)
    line = np.zeros((1000, 1000), np.float32)
    line[:, 517] = 1                                                  # 1 pixel wide in 1000
    # grey, not gone
    assert lesson.scale_longer_side(line, 20).max() == pytest.approx(1 / 50, rel=1e-4)


def test_lopsided_digit_is_clamped_inside_the_field():
    digit = np.zeros((20, 20), np.float32)
    digit[0, :] = 1                                                   # all the mass on the top row
    out = lesson.paste_centred(digit)
    assert out.sum() == digit.sum() and out[8, :].sum() == 20  # pushed as low as it can go, not cut


# --------------------------------------------------------------------------------------------------
# Image formats
# --------------------------------------------------------------------------------------------------
def test_16_bit_png_is_read_at_full_precision(tmp_path):
    values = np.array([[0, 1, 32768, 65535]], np.uint16)
    write_png(tmp_path / "g16.png", values)
    gray = lesson.read_image(tmp_path / "g16.png")
    assert gray.dtype == np.float32 and gray.shape == (1, 4)
    np.testing.assert_allclose(gray, values / 65535, atol=1e-7)      # 1/65535 is not rounded to 0


def test_transparency_is_painted_on_white_paper(tmp_path):
    rgba = np.zeros((4, 4, 4))                                     # fully transparent black = paper
    rgba[1, 1] = [0, 0, 0, 1]                                      # opaque black
    rgba[2, 2] = [1, 0, 0, 0.5]                                    # half-transparent red
    plt.imsave(tmp_path / "rgba.png", rgba)
    gray = lesson.read_image(tmp_path / "rgba.png")
    assert gray[0, 0] == pytest.approx(1.0) and gray[1, 1] == pytest.approx(0.0)
    assert gray[2, 2] == pytest.approx(0.5 * 0.299 + 0.5, abs=0.01)
    write_png(tmp_path / "la.png", np.zeros((3, 3), np.uint8),
              alpha=np.array([[0, 255, 0]] * 3, np.uint8))
    # grey + alpha
    np.testing.assert_allclose(lesson.read_image(tmp_path / "la.png"), [[1, 0, 1]] * 3)


def test_jpeg_bytes_in_a_png_name_are_read(tmp_path):
    plt.imsave(tmp_path / "photo.png", np.ones((30, 20, 3)), format="jpg")
    assert lesson.read_image(tmp_path / "photo.png").shape == (30, 20)


# --------------------------------------------------------------------------------------------------
# Bad input: one line each, the other files still read, exit status 1
# --------------------------------------------------------------------------------------------------
def test_each_bad_file_gets_one_line_and_the_rest_are_still_read(tiny_model, tmp_path):
    (tmp_path / "notes.png").write_text("this is not a picture\n")
    plt.imsave(tmp_path / "blank.png", np.full((50, 50), 0.9), cmap="gray", vmin=0, vmax=1)
    # 20 megapixels, 20 kB on disk
    write_png(tmp_path / "huge.png", np.zeros((4000, 5000), np.uint8))
    plt.imsave(tmp_path / "good digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    bad = {"missing.png": "no such file; check the path",
           "notes.png": "not an image (it starts like no PNG, JPEG, GIF, BMP or TIFF file); "
                        "save it as PNG or JPEG",
           "blank.png": "no ink found",
           "huge.png": "5000 x 4000 pixels is too large to read sensibly; "
                       "shrink it below 16 megapixels"}
    paths = [tmp_path / name for name in bad] + [tmp_path / "good digit.png"]

    result = run_script("05_train_mnist.py", "--predict", *paths, "--model", tiny_model,
                        "--figures-dir", tmp_path / "figures")

    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert len(errors) == len(bad), result.stderr                    # one line each, no traceback
    for line, (name, message) in zip(errors, bad.items()):
        assert line.startswith(f"error: {tmp_path / name}: {message}")
    assert f"{tmp_path / 'good digit.png'}: " in result.stdout
    assert [p.name for p in (tmp_path / "figures").iterdir()] == ["05_predict_good_digit.png"]


def test_a_folder_given_as_image_or_model_is_named_as_such(tiny_model, tmp_path):
    result = run_script("05_train_mnist.py", "--predict", tmp_path, "--model", tiny_model,
                        "--no-plots")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {tmp_path}: this is a folder")
    result = run_script("05_train_mnist.py", "--predict", tmp_path, "--model", tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path} is a folder; give the model's file name" in result.stderr


def test_a_model_that_does_not_read_mnist_is_refused(tmp_path):
    model = lesson.save_model(tmp_path / "xor.npz", lesson.Network([2, 3, 1]))
    plt.imsave(tmp_path / "digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    result = run_script("05_train_mnist.py", "--predict", tmp_path / "digit.png", "--model", model)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sizes [2, 3, 1], which does not read 28 x 28 digits" in result.stderr


def test_huge_png_is_refused_before_decoding(tmp_path, monkeypatch):
    write_png(tmp_path / "huge.png", np.zeros((4000, 5000), np.uint8))
    import matplotlib.image

    def must_not_decode(*args, **kwargs):
        raise AssertionError("a too-large image was decoded")
    monkeypatch.setattr(matplotlib.image, "imread", must_not_decode)
    with pytest.raises(lesson.ImageError, match="5000 x 4000 pixels is too large"):
        lesson.read_image(tmp_path / "huge.png")


def test_huge_images_of_other_formats_are_refused(tmp_path, monkeypatch):
    import matplotlib.image
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8 whatever")
    # After decoding: a 5000 x 4000 RGB picture that takes no memory (every pixel is the same
    # element).
    monkeypatch.setattr(matplotlib.image, "imread",
                        lambda *a, **k: np.broadcast_to(np.uint8(0), (4000, 5000, 3)))
    with pytest.raises(lesson.ImageError, match="5000 x 4000 pixels is too large"):
        lesson.read_image(tmp_path / "photo.jpg")

    class DecompressionBombError(Exception):                          # Pillow's name for "enormous"
        pass

    def bomb(*args, **kwargs):
        raise DecompressionBombError("Image size (200000000 pixels) exceeds limit")
    monkeypatch.setattr(matplotlib.image, "imread", bomb)
    with pytest.raises(lesson.ImageError, match="the image is too large to read sensibly"):
        lesson.read_image(tmp_path / "photo.jpg")


def test_missing_model_says_how_to_train_one_and_downloads_nothing(tmp_path):
    plt.imsave(tmp_path / "digit.png", np.pad(np.ones((20, 4)), 10), cmap="gray")
    model = tmp_path / "no_model.npz"
    result = run_script("05_train_mnist.py", "--predict", tmp_path / "digit.png", "--model", model,
                        "--data-dir", tmp_path / "data")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: no model file at {model}; train one first")
    assert f"python 05_train_mnist.py --model {model}" in result.stderr      # the exact command
    assert result.stdout == "" and not (tmp_path / "data").exists()


def test_draw_without_a_display_refuses_with_one_message(tiny_model, tmp_path):
    result = run_script("05_train_mnist.py", "--draw", "--model", tiny_model,
                        "--figures-dir", tmp_path)
    assert result.returncode != 0
    assert result.stdout == ""                         # no "note: --show needs a display" either
    assert result.stderr.startswith("error: --draw needs a display")
    assert "'agg'" in result.stderr.lower()
    assert len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------------------------------
# The drawing pad under Agg, driven by synthetic mouse events
# --------------------------------------------------------------------------------------------------
def send(fig, name, ax, xdata, ydata, button=1):
    """Deliver one mouse event at data coordinates (xdata, ydata) of `ax`, as a GUI backend
    would."""
    x, y = ax.transData.transform((xdata, ydata))
    fig.canvas.callbacks.process(name, MouseEvent(name, fig.canvas, x, y, button=button))


def drag(fig, ax, points):
    send(fig, "button_press_event", ax, *points[0])
    for point in points[1:]:
        send(fig, "motion_notify_event", ax, *point)
    send(fig, "button_release_event", ax, *points[-1])


def click(fig, ax):
    x, y = ax.transAxes.transform((0.5, 0.5))
    for name in ("button_press_event", "button_release_event"):
        fig.canvas.callbacks.process(name, MouseEvent(name, fig.canvas, x, y, button=1))


def bar_heights(pad):
    return np.array([bar.get_height() for bar in pad.bars])


@pytest.fixture
def pad_with_recorder():
    """A DrawPad whose predict records what it was given; output k is the share of ink in columns
    3k..3k+2."""
    calls = []

    def predict(canvas):
        calls.append(canvas.copy())
        bands = canvas[:, :27].reshape(28, 9, 3).sum(axis=(0, 2))
        return np.append(bands, 0) / bands.sum()
    fig = plt.figure(figsize=(8, 4.5))
    pad = lesson.DrawPad(fig, predict)
    fig.canvas.draw()                                                 # lay it out as a window would
    yield fig, pad, calls
    plt.close(fig)


def test_a_stroke_inks_the_canvas_softly_and_updates_the_bars(pad_with_recorder):
    fig, pad, calls = pad_with_recorder
    assert pad.canvas.max() == 0 and not bar_heights(pad).any() and calls == []
    drag(fig, pad.ax_draw, [(4, 5), (4, 15), (4, 23)])               # a vertical line down column 4

    assert pad.canvas[5:24, 4].min() > 0.9                            # no gaps between the events
    assert pad.canvas[:, 12:].max() < 1e-3                            # the brush stays local
    assert 0 < pad.canvas[14, 6] < pad.canvas[14, 5] < 1              # soft edges
    assert np.argmax(bar_heights(pad)) == 1 and bar_heights(pad)[1] > 0.5   # band 1 = columns 3-5
    assert pad.ax_bars.get_title() == "the network says 1"
    np.testing.assert_array_equal(calls[-1], pad.canvas)

    n = len(calls)
    send(fig, "motion_notify_event", pad.ax_draw, 20, 20)        # moving with the button up: no ink
    assert len(calls) == n and pad.canvas[20, 20] < 1e-3


def test_only_the_left_button_on_the_canvas_draws(pad_with_recorder):
    fig, pad, calls = pad_with_recorder
    drag(fig, pad.ax_bars, [(5, 0.5), (6, 0.5)])                      # on the bar chart
    send(fig, "button_press_event", pad.ax_draw, 10, 10, button=3)    # right button on the canvas
    send(fig, "motion_notify_event", pad.ax_draw, 12, 12, button=3)
    assert pad.canvas.max() == 0 and calls == []


def test_clear_resets_canvas_and_bars(pad_with_recorder):
    fig, pad, _ = pad_with_recorder
    drag(fig, pad.ax_draw, [(20, 3), (22, 25)])
    assert pad.canvas.max() > 0.9 and bar_heights(pad).max() > 0

    click(fig, pad.ax_clear)

    assert pad.canvas.max() == 0 and not bar_heights(pad).any()
    assert pad.ax_bars.get_title() == "network outputs"
    drag(fig, pad.ax_draw, [(4, 5), (4, 20)])                         # it still draws after a clear
    assert pad.canvas[10, 4] > 0.9


def test_drawing_pad_with_the_trained_network_reads_a_one(trained):
    _, net, _ = trained
    fig = plt.figure(figsize=(8, 4.5))
    try:
        pad = lesson.DrawPad(
            fig, lambda canvas: lesson.digit_outputs(net, lesson.preprocess_digit(canvas)))
        fig.canvas.draw()
        drag(fig, pad.ax_draw, [(16, 4), (15, 14), (14, 24)])   # a slightly slanted "1", off centre
        assert np.argmax(bar_heights(pad)) == 1 and pad.ax_bars.get_title() == "the network says 1"
    finally:
        plt.close(fig)
