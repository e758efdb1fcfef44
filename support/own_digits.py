"""Your own digits: lesson 05's --predict and --draw.

    read_own_digits(args, load_network, to_inputs)      what lesson 05 runs for --predict / --draw

The network only ever saw MNIST, so a photo or a drawing is first turned into an MNIST digit
(support/prepare_digit.py): grey levels, the ink made bright, cropped to the ink, fitted into
20 x 20, centred by mass in 28 x 28. --predict then prints the three digits with the largest
outputs for each image file and saves a figure of what the network saw; --draw opens
support/draw_pad.py's window.

What it promises: a bad image file gets one line naming the file and the problem and does not stop
the others (exit status 1 at the end); a missing or unusable model, or --draw without a display,
is one line and exit status 1; neither needs MNIST.
"""
import math
import sys
import warnings
from pathlib import Path

import numpy as np

from support.draw_pad import DrawPad
from support.figures import open_pyplot, pyplot_for_windows, save_figures
from support.images import ImageError, read_image
from support.mnist import IMAGE_SHAPE, N_CLASSES, nearest_reachable
from support.model_file import ModelFileError
from support.preflight import name_too_long, writable_folder_problem
from support.prepare_digit import preprocess_digit

MNIST_INK = (0.019, 0.398)   # the share of pixels above half ink, from the least inked of MNIST's
                             # 70,000 digits to the most (measured on the four files)
MIN_INK_SHARE, MAX_INK_SHARE = 0.01, 0.5   # a picture outside these is no digit like MNIST's


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
    problem = model_name_problem(args.model)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    try:
        net = load_network(args.model)
    except ModelFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:       # the system refused even to look (a folder we cannot search)
        print(f"error: --model {args.model}: {error.strerror or error}; give another file with "
              "--model", file=sys.stderr)
        return 1
    if net.sizes[0] != math.prod(IMAGE_SHAPE) or net.sizes[-1] != N_CLASSES:
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
        fig = plt.figure(figsize=(8, 4.5))
        pad = DrawPad(fig, lambda canvas: outputs_of(preprocess_digit(canvas)))
        plt.show()     # waits until the window is closed; until then `pad` must live, because
        del pad        # matplotlib keeps only weak references to its event handlers
    return status


def model_name_problem(model):
    """What is wrong with --model's name before it is opened (a part longer than the file system
    allows, which the system reports only as "File name too long"), as training checks it; or
    None."""
    too_long = name_too_long(model, nearest_reachable(Path(model).parent))
    return too_long and f"--model {model}: {too_long}; choose a shorter name"


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
    colours = ["tab:orange" if d == best else "tab:blue" for d in range(N_CLASSES)]
    ax_out.bar(range(N_CLASSES), outputs, color=colours)
    ax_out.set_xticks(range(N_CLASSES))
    ax_out.set_ylim(0, 1)
    ax_out.set_xlabel("digit")
    ax_out.set_title("network outputs")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
