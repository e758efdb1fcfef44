"""How often does 05's network read a damaged picture of an MNIST test digit as it reads the
original?

The numbers in docs/own-digits.md's "What confuses the network" come from this script:

    python 05_train_mnist.py --epochs 3
    python docs/measure_own_digits.py --model data/model.npz

Each of the first 200 test digits is scaled to 280 x 280, made black on white like ink on paper,
damaged in one way, and then prepared exactly as --predict prepares a file (preprocess_digit of
support/prepare_digit.py, then digit_reader of support/own_digits.py with lesson 05's to_inputs).
"""
import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "tests"):    # support/ beside the lessons; the tests' renderer
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
from helpers import upscale  # noqa: E402  (the tests' renderer, written once)
from support.lessons import load_lesson  # noqa: E402
from support.mnist import load_mnist  # noqa: E402
from support.model_file import load_model  # noqa: E402
from support.own_digits import digit_reader  # noqa: E402
from support.prepare_digit import preprocess_digit  # noqa: E402

lesson = load_lesson(REPO / "05_train_mnist.py")


def thin(ink, pixels):
    """Erode the ink by `pixels` in every direction (a minimum over a square neighbourhood)."""
    out = ink.copy()
    for dy in range(-pixels, pixels + 1):
        for dx in range(-pixels, pixels + 1):
            out = np.minimum(out, np.roll(ink, (dy, dx), axis=(0, 1)))
    return out


def paper(ink):
    return 1 - ink                                                    # black ink on white paper


def damages():
    """name -> function (28 x 28 white-on-black digit in [0, 1]) -> grey picture, black on white."""
    def touching_edges(d):
        rows = np.flatnonzero((upscale(d, 280, 280) > 0.2).any(axis=1))
        return paper(upscale(d, 280, 280)[rows[0]:rows[-1] + 1])
    def cut_top(fraction):
        def cut(d):
            big = upscale(d, 280, 280)
            rows = np.flatnonzero((big > 0.2).any(axis=1))
            return paper(big[rows[0] + int(fraction * (rows[-1] - rows[0])):])
        return cut
    def small_on_page(d):
        page = np.zeros((400, 400))
        page[186:214, 186:214] = d
        return paper(page)
    def speck(d):
        page = paper(upscale(d, 280, 280))
        page[15:19, 15:19] = 0
        return page
    def ruled_line(d):
        page = paper(upscale(d, 280, 280))
        page[262:264, :] = 0.3
        return page
    return {
        "scaled to 280 x 280, black on white (the baseline)": lambda d: paper(upscale(d, 280, 280)),
        "light falling off from one side to the other":
            lambda d: paper(upscale(d, 280, 280)) * np.linspace(0.45, 1, 280),
        "digit only 28 pixels tall on a 400 x 400 page": small_on_page,
        "ink touches the top and bottom edges, nothing cut off": touching_edges,
        "strokes thinned by 12 of 280 pixels (about half a stroke)":
            lambda d: paper(thin(upscale(d, 280, 280), 6)),
        "strokes thinned by 20 of 280 pixels (a fifth is left)":
            lambda d: paper(thin(upscale(d, 280, 280), 10)),
        "top 12% of the digit cut off by the picture's edge": cut_top(0.12),
        "top 20% cut off": cut_top(0.20),
        "a 4 x 4 speck of dirt near a corner of the page": speck,
        "a ruled line under the digit": ruled_line,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=REPO / "data" / "model.npz")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("-n", type=int, default=200, help="how many test digits (default: 200)")
    args = parser.parse_args()
    net = load_model(args.model, lesson.Network)
    _, (x_test, _) = load_mnist(args.data_dir)
    digits = x_test[:args.n]
    expected = net.forward(lesson.to_inputs(digits)).argmax(axis=1)
    outputs_of = digit_reader(net, lesson.to_inputs)
    for name, damage in damages().items():
        got = [outputs_of(preprocess_digit(damage(d / 255.0))).argmax() for d in digits]
        print(f"| {name:<55} | {np.mean(np.array(got) == expected):4.0%} |")


if __name__ == "__main__":
    main()
