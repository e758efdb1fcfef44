"""The command line every lesson shares: the parser and the types of its values.

Every lesson takes --figures-dir, --no-plots, --show and --seed (make_parser) and adds its own
flags. A value that cannot be right (a learning rate of 0, a seed of -1, an epoch count of 2.5) is
refused by argparse with one line naming the flag and what it needs, exit status 2, before
anything runs.
"""
import argparse
import math
from pathlib import Path


def make_parser(description, script):
    """The four flags every lesson shares; a lesson adds its own to the parser this returns.
    `script` is the lesson's __file__: its figures go to figures/ beside it by default."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--figures-dir", type=user_path,
                        default=Path(script).resolve().parent / "figures",
                        help="folder for the PNG figures (default: figures/ beside this script)")
    parser.add_argument("--no-plots", action="store_true", help="skip drawing figures")
    parser.add_argument("--show", action="store_true", help="also open the figures in windows")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="seed for every random number, a whole number from 0 up (default: 0)")
    return parser


def seed_value(text):
    """A --seed as NumPy takes it: a whole number, 0 or more, in the digits 0-9. str.isdigit alone
    would let through ² (which int() refuses) and ١ (which int() reads as 1)."""
    if not (text.strip().isascii() and text.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more (got {text!r})")
    return int(text)


def positive_float(text):
    """argparse type: a finite number > 0, or a message saying what was wrong."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number greater than 0")
    return value


def positive_int(text):
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def user_path(text):
    """A path from the command line, ~ meaning the home folder. The shell expands ~ only at the
    start of a word: --data-dir=~/mnist arrives here as typed."""
    return Path(text).expanduser()
