"""support/draw_pad.py: the drawing pad under Agg, driven by synthetic mouse events, with a predict
that records what it is given. The pad with lesson 05's trained network is in test_05_predict.py.
"""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from draw_events import bar_heights, click, drag, send  # noqa: E402
from support.draw_pad import DrawPad  # noqa: E402


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
    pad = DrawPad(fig, predict)
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
