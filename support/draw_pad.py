"""A window to draw a digit in with the mouse, with the network's ten outputs beside it, live.

Lesson 05's --draw opens it (support/own_digits.py). It uses only matplotlib's own events, so it
works with any backend that opens windows, and with Agg when the tests send it mouse events.
"""
import numpy as np

from support.images import ImageError
from support.mnist import IMAGE_SHAPE, N_CLASSES
from support.prepare_digit import MIN_CONTRAST

BRUSH_SIGMA = 1.0   # pixels: with BRUSH_GAIN a stroke has a solid core about 2 pixels wide and grey
BRUSH_GAIN = 1.5    # edges, about as wide as MNIST's pen
BRUSH_STEP = 0.4    # stamp the brush every 0.4 pixels along a stroke, so fast strokes have no gaps


class DrawPad:
    """A 28 x 28 canvas to draw on with the mouse, with the network's ten outputs beside it, live.

    Pure matplotlib events, so any interactive backend works (and Agg, when tests send the events).
    `predict(canvas)` gets the (28, 28) drawing, white ink on black like MNIST, and returns ten
    outputs. The brush is soft, min(1, 1.5 exp(-d^2 / 2 sigma^2)) at distance d from the mouse: a
    solid core fading out over a pixel, like MNIST's strokes. Fast strokes arrive as points several
    pixels apart, so we stamp all along the line between them.
    """

    def __init__(self, fig, predict):
        from matplotlib.widgets import Button
        self.fig, self.predict = fig, predict
        self.canvas = np.zeros(IMAGE_SHAPE, dtype=np.float32)     # 0 = black paper
        self.last = None                                 # (x, y) while the button is down
        self.ax_draw = fig.add_axes([0.04, 0.16, 0.44, 0.78])
        self.ax_bars = fig.add_axes([0.56, 0.16, 0.40, 0.72])
        self.ax_clear = fig.add_axes([0.04, 0.03, 0.15, 0.08])
        self.image = self.ax_draw.imshow(self.canvas, cmap="gray", vmin=0, vmax=1)
        self.ax_draw.set_axis_off()
        self.ax_draw.set_title("draw a digit (hold the left button)")
        self.bars = self.ax_bars.bar(range(N_CLASSES), np.zeros(N_CLASSES))
        self.ax_bars.set_xticks(range(N_CLASSES))
        self.ax_bars.set_ylim(0, 1)
        self.clear_button = Button(self.ax_clear, "Clear")   # keep a reference or it stops working
        self.clear_button.on_clicked(lambda event: self.clear())
        for name, handler in [("button_press_event", self.on_press),
                              ("motion_notify_event", self.on_motion),
                              ("button_release_event", self.on_release)]:
            fig.canvas.mpl_connect(name, handler)
        self.refresh()

    def on_press(self, event):
        if event.inaxes is self.ax_draw and event.button == 1:
            self.last = (event.xdata, event.ydata)
            self.stroke(self.last, self.last)

    def on_motion(self, event):
        if self.last is not None and event.inaxes is self.ax_draw:
            here = (event.xdata, event.ydata)
            self.stroke(self.last, here)
            self.last = here

    def on_release(self, event):
        self.last = None

    def stroke(self, start, end):
        """Stamp the brush along the segment start -> end (data coordinates are pixel positions)."""
        (x0, y0), (x1, y1) = start, end
        t = np.linspace(0, 1, max(1, int(np.ceil(np.hypot(x1 - x0, y1 - y0) / BRUSH_STEP))) + 1)
        xs, ys = x0 + t * (x1 - x0), y0 + t * (y1 - y0)           # (S,) stamp centres
        rows, columns = np.arange(IMAGE_SHAPE[0]), np.arange(IMAGE_SHAPE[1])
        dy2 = (rows[None, :, None] - ys[:, None, None]) ** 2        # (S, 28, 1)
        dx2 = (columns[None, None, :] - xs[:, None, None]) ** 2     # (S, 1, 28)
        bumps = np.exp(-(dy2 + dx2) / (2 * BRUSH_SIGMA ** 2))     # (S, 28, 28)
        np.maximum(self.canvas, np.minimum(1, BRUSH_GAIN * bumps.max(axis=0)), out=self.canvas)
        self.refresh()

    def refresh(self):
        self.image.set_data(self.canvas)   # (asking the network takes well under a millisecond)
        drawn = self.canvas.max() >= MIN_CONTRAST
        try:
            outputs = np.ravel(self.predict(self.canvas)) if drawn else np.zeros(N_CLASSES)
        except ImageError:                  # e.g. the whole canvas painted over: no digit to find
            drawn, outputs = False, np.zeros(N_CLASSES)
        best = int(np.argmax(outputs))
        for d, (bar, value) in enumerate(zip(self.bars, outputs)):
            bar.set_height(value)
            bar.set_color("tab:orange" if drawn and d == best else "tab:blue")
        self.ax_bars.set_title(f"the network says {best}" if drawn else "network outputs")
        self.fig.canvas.draw_idle()

    def clear(self):
        self.canvas[:] = 0
        self.last = None
        self.refresh()
