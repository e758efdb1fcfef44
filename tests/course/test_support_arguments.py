"""support/arguments.py: the seed flag, refused in the lesson's own words unless it is plain digits.
Every lesson's flags, bad values included, are tested end to end in test_lessons_run.py and the
lessons' own tests.
"""
import pytest

from helpers import assert_mentions
from support.arguments import make_parser


# --- --seed -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", ["²", "١", "٣", "1.5", "-1", "+3", "1_000", "", "abc"])
def test_a_seed_that_is_not_0_to_9_digits_gets_the_lessons_own_message(seed, capsys):
    # ² passes str.isdigit but not int(); ١ (Arabic-Indic 1) passes both, and means nothing to a
    # reader of the README: each must get the lesson's message, not argparse's "invalid ... value".
    with pytest.raises(SystemExit) as stopped:
        make_parser("a lesson", __file__).parse_args(["--seed", seed])
    assert stopped.value.code == 2
    assert_mentions(capsys.readouterr().err, "--seed", "whole number", "0 or more")


@pytest.mark.parametrize("seed, value", [("0", 0), ("42", 42), (" 7 ", 7), ("007", 7)])
def test_a_seed_of_plain_digits_is_taken(seed, value):
    assert make_parser("a lesson", __file__).parse_args(["--seed", seed]).seed == value
