"""support/prepare_digit.py and support/own_digits.py: a picture prepared the way MNIST was made,
and predict_images reading the files it is given.

The preprocessing steps are checked on hand-made pictures and on real MNIST test digits;
predict_images with a tiny untrained network (the fixture `tiny_model`), where the answer doesn't
matter. Lesson 05 run with --predict, and the trained network's agreement with what it reads in the
original 28 x 28, are in test_05_predict.py.
"""
import matplotlib
import matplotlib.figure
import numpy as np
import pytest

import support.images
from helpers import REPO, assert_mentions, digit_png, disk_full_after_some_bytes, load_lesson
from support.model_file import load_model
from support.own_digits import (MAX_INK_SHARE, MIN_INK_SHARE, MNIST_INK, digit_reader,
                                predict_images)
from support.images import ImageError
from support.prepare_digit import (MIN_CONTRAST, centre_of_mass, ink_from_gray, paper_brightness,
                                   paste_centred, preprocess_digit, scale_longer_side)

L05 = load_lesson("05_train_mnist.py", REPO)
Network, to_inputs = L05.Network, L05.to_inputs      # what lesson 05 hands to read_own_digits


@pytest.fixture(scope="module")
def test_digits(mnist):
    _, (x_test, _) = mnist
    return x_test[:10]                                               # uint8 (10, 28, 28)


def test_mnist_ink_is_what_the_four_files_hold(mnist):
    """MNIST_INK, the least and the most inked share of pixels above half ink over MNIST's 70,000
    digits, written as the constant is (3 decimals); and the "no digit found" limits lie outside
    it, so that no MNIST digit could be refused for its ink."""
    (x_train, _), (x_test, _) = mnist
    digits = np.concatenate([x_train, x_test])                       # (70000, 28, 28)
    assert len(digits) == 70_000
    share = np.count_nonzero(digits >= 128, axis=(1, 2)) / (28 * 28)  # above half: 128 / 255 up
    assert (round(share.min(), 3), round(share.max(), 3)) == MNIST_INK
    assert MIN_INK_SHARE < MNIST_INK[0] and MNIST_INK[1] < MAX_INK_SHARE


# --------------------------------------------------------------------------------------------------
# An MNIST digit is already prepared
# --------------------------------------------------------------------------------------------------
def test_preprocessing_an_mnist_digit_nearly_gives_it_back(test_digits):
    """MNIST digits already are what preprocess_digit makes; it must not move or rescale them."""
    for digit in test_digits / 255.0:
        out = preprocess_digit(digit)
        assert out.shape == (28, 28) and out.dtype == np.float32
        assert np.abs(out - digit).mean() < 0.01


# --------------------------------------------------------------------------------------------------
# The preprocessing steps, on hand-made pictures
# --------------------------------------------------------------------------------------------------
def test_dark_bar_on_grey_paper_becomes_a_centred_white_bar_in_a_20_pixel_box():
    gray = np.full((300, 500), 0.8, np.float32)
    gray[50:250, 400:430] = 0.1                               # dark stroke, 200 x 30, near the edge
    out = preprocess_digit(gray)
    rows, cols = np.nonzero(out > 0.5)
    assert rows.max() - rows.min() + 1 == 20                # the longer side fills the 20-pixel box
    assert cols.max() - cols.min() + 1 == 3                 # the shape is kept: 200 x 30 -> 20 x 3
    row, col = centre_of_mass(out)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    assert out[0].max() == 0 and out[:, 0].max() == 0                 # the paper became black


def test_uneven_light_and_camera_noise_are_not_taken_for_ink():
    """A 3000 x 2000 'photo', darker on the left, noisy, with a faint pencil '1'."""
    rng = np.random.default_rng(0)
    page = 0.55 + 0.35 * np.arange(3000) / 3000 + rng.normal(0, 0.02, (2000, 3000))
    page[600:1400, 1450:1510] -= 0.35
    out = preprocess_digit(np.clip(page, 0, 1))
    rows, cols = np.nonzero(out > 0.5)
    assert rows.max() - rows.min() + 1 >= 18 and cols.max() - cols.min() + 1 <= 4


def test_a_stroke_along_the_edge_is_left_out_of_the_paper_and_kept_as_ink():
    """A pencil "T" whose bar runs along the top edge: a quarter of the border is then ink, and
    the plane fitted to the border as paper would take the bar for a shadow and fade it. The
    second fit leaves those pixels out, so the picture is prepared exactly as the same "T" with a
    margin of paper around it."""
    gray = np.full((60, 60), 0.9, np.float32)
    gray[0:50, 27:33] = gray[0:6, 5:55] = 0.5
    np.testing.assert_allclose(paper_brightness(gray), 0.9, atol=0.01)
    assert ink_from_gray(gray)[gray < 0.85].min() > 0.95             # the bar as strong as the stem
    with_margin = np.pad(gray, 10, constant_values=0.9)
    np.testing.assert_allclose(preprocess_digit(gray), preprocess_digit(with_margin), atol=0.02)


@pytest.mark.parametrize("contrast", [0.0, 0.05, 0.099])
def test_a_picture_whose_contrast_is_below_the_minimum_is_refused(contrast):
    """No contrast at all, and a little: both are paper, not a digit (MIN_CONTRAST = 0.1)."""
    gray = np.full((40, 40), 0.9, np.float32)
    gray[10:30, 18:22] -= contrast
    with pytest.raises(ImageError, match="no ink found"):
        preprocess_digit(gray)
    gray[10:30, 18:22] = 0.9 - MIN_CONTRAST - 0.01                     # just enough: a digit
    assert (preprocess_digit(gray) > 0.5).sum() > 20


def test_area_resize_averages_and_keeps_thin_lines():
    image = np.arange(36, dtype=np.float32).reshape(6, 6)
    small = scale_longer_side(image, 3)
    assert small.shape == (3, 3)
    np.testing.assert_allclose(small[0, 0], image[:2, :2].mean(), rtol=1e-6)
    line = np.zeros((1000, 1000), np.float32)
    line[:, 517] = 1                                                  # 1 pixel wide in 1000
    # grey, not gone
    assert scale_longer_side(line, 20).max() == pytest.approx(1 / 50, rel=1e-4)


def test_lopsided_digit_is_clamped_inside_the_field():
    digit = np.zeros((20, 20), np.float32)
    digit[0, :] = 1                                                   # all the mass on the top row
    out = paste_centred(digit)
    assert out.sum() == digit.sum() and out[8, :].sum() == 20  # pushed as low as it can go, not cut


# --------------------------------------------------------------------------------------------------
# predict_images: a bad file does not stop the others
# --------------------------------------------------------------------------------------------------
def test_an_unreadable_image_does_not_stop_the_others(tiny_model, tmp_path, monkeypatch, capsys):
    locked, good = digit_png(tmp_path / "locked.png"), digit_png(tmp_path / "good.png")
    real_open = open

    def no_permission_for_locked(file, *args, **kwargs):
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(support.images, "open", no_permission_for_locked, raising=False)
    status = predict_images(digit_reader(load_model(tiny_model, Network), to_inputs),
                            [locked, good])
    out, err = capsys.readouterr()
    assert status == 1
    assert err.startswith(f"error: {locked}: ") and err.count("\n") == 1, err
    assert_mentions(err, "Permission denied", "permissions")
    assert f"{good}: " in out


def test_predict_s_figure_on_a_full_disk_is_one_line_and_no_partial_file(
        tiny_model, tmp_path, monkeypatch, close_figures):
    """--predict's figures are saved as the lessons' are (save_figures): whole, or not at all."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", disk_full_after_some_bytes)
    figures = tmp_path / "figures"
    with pytest.raises(SystemExit) as stopped:
        predict_images(digit_reader(load_model(tiny_model, Network), to_inputs),
                       [digit_png(tmp_path / "digit.png")], plt, figures)
    message = str(stopped.value.code)
    assert message.startswith(f"error: cannot save {figures / '05_predict_digit.png'}: ")
    assert "free some space" in message and len(message.splitlines()) == 1
    assert list(figures.iterdir()) == []
