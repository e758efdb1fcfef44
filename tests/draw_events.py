"""Mouse events for the drawing pad (support/draw_pad.py) under Agg, as a GUI backend would
deliver them, and the heights of its ten output bars: for the tests of the pad on its own
(test_support_draw_pad.py) and with lesson 05's network (test_05_predict.py)."""
import numpy as np
from matplotlib.backend_bases import MouseEvent


def send(fig, name, ax, xdata, ydata, button=1):
    """Deliver one mouse event at data coordinates (xdata, ydata) of `ax`."""
    x, y = ax.transData.transform((xdata, ydata))
    fig.canvas.callbacks.process(name, MouseEvent(name, fig.canvas, x, y, button=button))


def drag(fig, ax, points):
    """Press at the first point, move through the others, release at the last."""
    send(fig, "button_press_event", ax, *points[0])
    for point in points[1:]:
        send(fig, "motion_notify_event", ax, *point)
    send(fig, "button_release_event", ax, *points[-1])


def click(fig, ax):
    """Press and release in the middle of `ax` (a button)."""
    x, y = ax.transAxes.transform((0.5, 0.5))
    for name in ("button_press_event", "button_release_event"):
        fig.canvas.callbacks.process(name, MouseEvent(name, fig.canvas, x, y, button=1))


def bar_heights(pad):
    """The pad's ten output bars, as the network's outputs it shows."""
    return np.array([bar.get_height() for bar in pad.bars])
