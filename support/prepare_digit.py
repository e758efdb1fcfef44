"""Preparing a picture the way MNIST was made, so that the network sees a digit like those it
learned from.

The network only ever saw MNIST: white digits on black, 28 x 28, each digit scaled to fit a 20 x
20 box and then shifted so that its centre of mass sits at pixel (14, 14). A photo of a digit on
paper is none of that, so before asking the network we redo, step by step, what the makers of
MNIST did:
    read -> grey levels in [0, 1] -> make the ink bright -> crop to the ink -> fit in 20 x 20
         -> centre of mass to (14, 14) in a 28 x 28 field
Skip a step and the network sees something unlike anything it was trained on, and guesses.

support/own_digits.py prepares each --predict image this way, and support/draw_pad.py each
drawing.
"""
import numpy as np

from support.images import ImageError
from support.mnist import IMAGE_SHAPE

DIGIT_BOX = 20           # MNIST digits fit a 20 x 20 box (the longer side is exactly 20 pixels)...
FIELD_ROWS, FIELD_COLUMNS = IMAGE_SHAPE   # ...inside a 28 x 28 field...
CENTRE = 14.0            # ...with their centre of mass at row 14, column 14 (pixels 0..27)
INK_THRESHOLD = 0.2      # weaker ink than this (stretched to [0, 1]) is paper grain or shadow
MIN_CONTRAST = 0.1       # a picture whose ink barely differs from its paper counts as blank
WORKING_SIZE = 400       # big photos are averaged down to this many pixels on their longer side
MIN_SIDE = 8             # pixels: a smaller picture cannot show the strokes of a digit


def preprocess_digit(gray):
    """Grey picture (H, W) in [0, 1] -> (28, 28) float32 in [0, 1], prepared the way MNIST was
    made.

    Big photos are first averaged down to 400 pixels, which also averages away the camera's speckle
    noise (specks above the ink threshold would stretch the crop to the whole picture).
    """
    gray = np.asarray(gray, dtype=np.float32)
    if min(gray.shape) < MIN_SIDE:
        raise ImageError(f"{gray.shape[1]} x {gray.shape[0]} pixels is too small to hold a "
                         f"digit; use a picture at least {MIN_SIDE} x {MIN_SIDE} pixels")
    if max(gray.shape) > WORKING_SIZE:
        gray = scale_longer_side(gray, WORKING_SIZE)
    digit = scale_longer_side(crop_to_ink(ink_from_gray(gray)), DIGIT_BOX)   # (<= 20, <= 20)
    return np.clip(paste_centred(digit), 0, 1)


def ink_from_gray(gray):
    """Brightness -> amount of ink: 0 on the paper, 1 in the strongest stroke (MNIST is white on
    black).

    Bright paper all around (border median above 0.5) means a dark digit, so the ink is how much
    darker than the paper each pixel is; on dark paper, how much brighter. Dividing by the strongest
    value makes a faint pencil stroke as bright as a marker.
    """
    paper = paper_brightness(gray)
    border = np.concatenate([gray[[0, -1], :].ravel(), gray[:, [0, -1]].ravel()])
    dark_on_light = np.median(border) > 0.5
    ink = np.clip(paper - gray if dark_on_light else gray - paper, 0, None)
    if ink.max() < MIN_CONTRAST:
        raise ImageError("no ink found, the picture is (nearly) one flat colour; "
                         "draw or photograph a dark digit on light paper (or light on dark)")
    return ink / ink.max()


def paper_brightness(gray):
    """The paper's brightness at every pixel, as a tilted plane p0 + p1 * row / H + p2 * column / W.

    The picture's border is taken to be paper. Phone photos are rarely lit evenly, and a plane
    fitted to the border by least squares follows the slope of a shadow, so the shadow is not taken
    for ink. The second fit leaves out border pixels far from the first plane: a stroke touching the
    border.
    """
    h, w = gray.shape
    on_border = np.zeros((h, w), dtype=bool)
    on_border[[0, -1], :] = on_border[:, [0, -1]] = True
    rows, cols = np.nonzero(on_border)
    values = gray[rows, cols]
    A = np.stack([np.ones(len(rows)), rows / h, cols / w], axis=1)   # (B, 3)
    p = np.linalg.lstsq(A, values, rcond=None)[0]                    # (3,)
    close = np.abs(A @ p - values) < 0.1
    if close.sum() >= len(values) // 2:
        p = np.linalg.lstsq(A[close], values[close], rcond=None)[0]
    r, c = np.arange(h)[:, None] / h, np.arange(w)[None, :] / w
    return (p[0] + p[1] * r + p[2] * c).astype(np.float32)           # (H, 1) + (1, W) -> (H, W)


def crop_to_ink(ink):
    """The smallest rectangle holding every pixel with at least INK_THRESHOLD ink.

    MNIST's digits were cropped to their own bounding box before scaling. Fainter ink is set to 0:
    paper grain and shadows must neither widen the box nor pull the centre of mass later.
    """
    strong = ink >= INK_THRESHOLD
    rows, cols = np.flatnonzero(strong.any(axis=1)), np.flatnonzero(strong.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]           # (h, w)
    return np.where(crop >= INK_THRESHOLD, crop, 0)


def scale_longer_side(image, longest):
    """Area-averaging resize so that the longer side is `longest` pixels, keeping the shape: a "1"
    stays tall and thin, as in MNIST. (height, H) @ (H, W) @ (W, width) -> (height, width)."""
    h, w = image.shape
    s = longest / max(h, w)
    height, width = max(1, round(h * s)), max(1, round(w * s))
    return area_weights(h, height) @ image @ area_weights(w, width).T


def area_weights(n_in, n_out):
    """(n_out, n_in) matrix: row i says how much of each input pixel falls inside output pixel i.

    Output pixel i covers the input interval [i s, (i + 1) s), s = n_in / n_out; input pixel j
    covers [j, j + 1). The weight is their overlap divided by s, so an output pixel is the *average*
    of the area it covers: every input pixel counts, and a thin stroke turns grey instead of
    vanishing between two samples. That is what makes shrinking anti-aliased, with soft edges like
    MNIST's.
    """
    edges = np.arange(n_out + 1) * (n_in / n_out)          # output pixel edges, in input pixels
    start, stop = edges[:-1, None], edges[1:, None]                  # (n_out, 1)
    j = np.arange(n_in)[None, :]                                     # (1, n_in)
    overlap = np.clip(np.minimum(stop, j + 1) - np.maximum(start, j), 0, None)   # (n_out, n_in)
    return (overlap / (n_in / n_out)).astype(np.float32)


def paste_centred(digit):
    """Place the digit in a black 28 x 28 field so that its centre of mass lands on (14, 14).

    MNIST centred by mass, not by bounding box: a "7" has most of its ink at the top, so its box
    sits lower than a "0"'s. The shift is rounded to whole pixels and clamped to keep the digit in
    the field.
    """
    h, w = digit.shape
    row, col = centre_of_mass(digit)
    top = int(np.clip(round(CENTRE - row), 0, FIELD_ROWS - h))
    left = int(np.clip(round(CENTRE - col), 0, FIELD_COLUMNS - w))
    field = np.zeros(IMAGE_SHAPE, dtype=np.float32)
    field[top:top + h, left:left + w] = digit
    return field


def centre_of_mass(image):
    """(row, column) of the ink's centre of mass: each pixel's position weighted by its ink."""
    total = image.sum()
    return (image.sum(axis=1) @ np.arange(image.shape[0]) / total,
            image.sum(axis=0) @ np.arange(image.shape[1]) / total)
