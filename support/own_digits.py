"""Your own digits: preparing a picture the way MNIST was made, and --predict and --draw.

    read_own_digits(args, load_network, to_inputs)      what lesson 05 runs for --predict / --draw

The network only ever saw MNIST, so a photo or a drawing is first turned into an MNIST digit
(preprocess_digit): grey levels, the ink made bright, cropped to the ink, fitted into 20 x 20,
centred by mass in 28 x 28. --predict then prints the three digits with the largest outputs for each
image file and saves a figure of what the network saw; --draw opens support/draw_pad.py's window.

What it promises: a bad image file gets one line naming the file and the problem and does not stop
the others (exit status 1 at the end); a missing or unusable model, or --draw without a display,
is one line and exit status 1; neither needs MNIST.
"""
import sys
import warnings
from pathlib import Path

import numpy as np

from support.figures import open_pyplot, pyplot_for_windows, save_figures
from support.images import ImageError, read_image
from support.model_file import ModelFileError
from support.preflight import writable_folder_problem

DIGITS = 10              # one output per digit, 0 to 9


def read_own_digits(args, load_network, to_inputs):
    """--predict and --draw: load the network saved by training (load_network(path)), and read
    each image file, or the drawing window, with it. to_inputs turns uint8 images (N, 28, 28) into
    the network's inputs, exactly as in training. Returns the exit status."""
    if args.draw:
        plt, no_window = pyplot_for_windows()
        if no_window:
            print(f"error: --draw needs a display, but {no_window}", file=sys.stderr)
            return 1
    problem = None
    if args.predict and not args.no_plots:
        problem = writable_folder_problem(args.figures_dir, "--figures-dir")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    try:
        net = load_network(args.model)
    except ModelFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if net.sizes[0] != FIELD * FIELD or net.sizes[-1] != DIGITS:
        print(f"error: {args.model} holds a network of sizes {net.sizes}, which does not read "
              f"28 x 28 digits into 10 outputs; train one: python 05_train_mnist.py "
              f"--model {args.model}", file=sys.stderr)
        return 1

    accuracy = getattr(net, "validation_accuracy", None)
    print(f"model: {args.model}, Network({net.sizes}), "
          + (f"{accuracy:.2%} on the validation images when it was saved" if accuracy is not None
             else "its validation accuracy not recorded in the file"))
    outputs_of = digit_reader(net, to_inputs)
    status = 0
    if args.predict:
        figures = None if args.no_plots else open_pyplot(args.show)
        status = predict_images(outputs_of, args.predict, figures, args.figures_dir, args.show)
    if args.draw:
        from support.draw_pad import DrawPad
        fig = plt.figure(figsize=(8, 4.5))
        pad = DrawPad(fig, lambda canvas: outputs_of(preprocess_digit(canvas)))
        plt.show()     # waits until the window is closed; until then `pad` must live, because
        del pad        # matplotlib keeps only weak references to its event handlers
    return status


def digit_reader(net, to_inputs):
    """outputs_of(digit28): the network's ten outputs for one prepared digit (28, 28) in [0, 1],
    first rounded to MNIST's 256 grey levels, then scaled exactly as in training (to_inputs)."""
    def outputs_of(digit28):
        X = to_inputs(np.round(digit28 * 255).astype(np.uint8)[None])   # (1, 28, 28) -> (1, 784)
        return net.forward(X)[0]                                         # (1, 10) -> (10,)
    return outputs_of


def predict_images(outputs_of, paths, plt=None, figures_dir=None, show=False):
    """Read, prepare and classify each image with outputs_of(digit28) -> ten outputs; print its top
    three; save a figure when plt is given
    (with --show, each figure opens in a window as soon as it is saved, and the next image waits
    until it is closed).

    A bad file does not stop the others. Returns the exit status: 0 if every image could be used,
    else 1.
    """
    status, figure_names = 0, set()
    for path in paths:
        try:
            original = read_image(path)
            digit28 = preprocess_digit(original)
        except ImageError as error:
            print(f"error: {path}: {error}", file=sys.stderr)
            status = 1
            continue
        outputs = outputs_of(digit28)                                     # (10,)
        ink = float(np.mean(digit28 > 0.5))           # the share of strongly inked pixels
        if outputs.max() < 0.5 and not MIN_INK_SHARE <= ink <= MAX_INK_SHARE:
            print(f"error: {path}: no digit found: no output reaches 0.5, and {ink:.1%} of the "
                  f"prepared 28 x 28 is inked (MNIST's digits: {MNIST_INK[0]:.1%} to "
                  f"{MNIST_INK[1]:.1%}); photograph one dark digit on plain paper", file=sys.stderr)
            status = 1
            continue
        best = np.argsort(-outputs, kind="stable")[:3]
        print(f"{path}: {best[0]}    top three: "
              + ", ".join(f"{d} ({outputs[d]:.3f})" for d in best))
        if plt is not None:
            with warnings.catch_warnings():
                # The title shows the file's name; a letter the font lacks (数, say) is drawn as a
                # box, and matplotlib's warning about it would be a stray line on every run.
                warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from", UserWarning)
                fig = plot_own_digit(plt, original, digit28, outputs,
                                     f"{Path(path).name}: the network says {best[0]}")
                name = figure_name(Path(path), figure_names)
                save_figures(plt, {name: fig}, figures_dir, show)
    return status


def figure_name(image_path, taken):
    """05_predict_<image name>.png, unique among `taken`: a.png and a.jpg, or a.png from two
    folders, each get a figure of their own."""
    def safe(text):
        # Cut to 100 bytes, not letters: a file system allows 255 bytes in a name, and a letter
        # such as 数 takes 3, so 100 of them and "05_predict_...png" would not fit.
        text = "".join(c if c.isalnum() or c in "-_" else "_" for c in text)
        return text.encode("utf-8")[:100].decode("utf-8", "ignore")
    candidates = [safe(image_path.stem), safe(image_path.name)]
    candidates += [f"{candidates[-1]}_{n}" for n in range(2, len(taken) + 3)]
    name = next(f"05_predict_{c}.png" for c in candidates if f"05_predict_{c}.png" not in taken)
    taken.add(name)
    return name


def plot_own_digit(plt, original, digit28, outputs, title):
    """Three panels: the picture as read, the 28 x 28 the network saw, and its ten outputs."""
    fig, (ax_orig, ax_seen, ax_out) = plt.subplots(1, 3, figsize=(11, 3.4),
                                                   gridspec_kw={"width_ratios": [1, 1, 1.4]})
    ax_orig.imshow(original, cmap="gray", vmin=0, vmax=1)
    ax_orig.set_title(f"your picture ({original.shape[1]} x {original.shape[0]})")
    ax_seen.imshow(digit28, cmap="gray", vmin=0, vmax=1)
    ax_seen.set_title("what the network saw (28 x 28)")
    ax_orig.set_axis_off()
    ax_seen.set_axis_off()
    best = int(np.argmax(outputs))
    colours = ["tab:orange" if d == best else "tab:blue" for d in range(DIGITS)]
    ax_out.bar(range(DIGITS), outputs, color=colours)
    ax_out.set_xticks(range(DIGITS))
    ax_out.set_ylim(0, 1)
    ax_out.set_xlabel("digit")
    ax_out.set_title("network outputs")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- Preparing a picture the way MNIST was made ---------------------------------------------------
# The network only ever saw MNIST: white digits on black, 28 x 28, each digit scaled to fit a 20 x
# 20 box and then shifted so that its centre of mass sits at pixel (14, 14). A photo of a digit on
# paper is none of that, so before asking the network we redo, step by step, what the makers of
# MNIST did:
#     read -> grey levels in [0, 1] -> make the ink bright -> crop to the ink -> fit in 20 x 20
#          -> centre of mass to (14, 14) in a 28 x 28 field
# Skip a step and the network sees something unlike anything it was trained on, and guesses.
DIGIT_BOX = 20           # MNIST digits fit a 20 x 20 box (the longer side is exactly 20 pixels)...
FIELD = 28               # ...inside a 28 x 28 field...
CENTRE = 14.0            # ...with their centre of mass at row 14, column 14 (pixels 0..27)
INK_THRESHOLD = 0.2      # weaker ink than this (stretched to [0, 1]) is paper grain or shadow
MIN_CONTRAST = 0.1       # a picture whose ink barely differs from its paper counts as blank
WORKING_SIZE = 400       # big photos are averaged down to this many pixels on their longer side
MIN_SIDE = 8             # pixels: a smaller picture cannot show the strokes of a digit
MNIST_INK = (0.019, 0.398)   # the share of pixels above half ink, from the least inked of MNIST's
                             # 70,000 digits to the most (measured on the four files)
MIN_INK_SHARE, MAX_INK_SHARE = 0.01, 0.5   # a picture outside these is no digit like MNIST's


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
    top = int(np.clip(round(CENTRE - row), 0, FIELD - h))
    left = int(np.clip(round(CENTRE - col), 0, FIELD - w))
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    field[top:top + h, left:left + w] = digit
    return field


def centre_of_mass(image):
    """(row, column) of the ink's centre of mass: each pixel's position weighted by its ink."""
    total = image.sum()
    return (image.sum(axis=1) @ np.arange(image.shape[0]) / total,
            image.sum(axis=0) @ np.arange(image.shape[1]) / total)
