"""Figures of a network with two inputs: its loss at every gradient step, and its output over the
plane with the decision boundary, the line where the output crosses 0.5.

Lesson 04b draws them for XOR and the two moons (04b_loss_curve.png, 04b_decision_boundary.png,
04b_xor.png), and for a learner's own points with --data (04b_points_loss_curve.png,
04b_points_decision_boundary.png). They read the losses, the network's forward pass and the
data; they teach no maths.
"""
import numpy as np


def plot_losses(plt, curves):
    """The loss at every gradient step, one curve per {label: losses}, on a log scale."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, losses in curves.items():
        ax.plot(losses, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("gradient step")
    ax.set_ylabel("loss (log scale)")
    ax.set_title("Training loss")
    ax.legend()
    return fig


def plot_decision_boundary(plt, net, X, labels, title, to_inputs=None):
    """The network's output over the plane, its 0.5 contour (the decision boundary) and the data.

    The plane is drawn in the coordinates of X. to_inputs, if given, maps points of the plane to
    the network's inputs: a standardisation, (points - mean) / std, for a network trained on
    standardised points.
    """
    # Half a unit of the network's inputs around the data: half a std where they are standardised.
    margin = 0.5 if to_inputs is None else 0.5 * X.std(axis=0)
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    u, v = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = np.stack([u.ravel(), v.ravel()], axis=1)   # (90000, 2): every pixel is one sample
    inputs = grid if to_inputs is None else to_inputs(grid)
    output = net.forward(inputs)[:, 0].reshape(u.shape)  # (300, 300)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    image = ax.contourf(u, v, output, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.contour(u, v, output, levels=[0.5], colors="k")
    fig.colorbar(image, ax=ax, label="network output")
    # The data by shape and in black and white, so no point hides in the background of its class.
    size = 120 if len(X) <= 10 else 22
    for label, marker, face, edge in [(0, "o", "w", "k"), (1, "^", "k", "w")]:
        x = X[labels == label]                                         # the points of that class
        ax.scatter(x[:, 0], x[:, 1], marker=marker, facecolors=face, edgecolors=edge,
                   linewidths=1.5 if len(X) <= 10 else 0.6, s=size, zorder=3,
                   label=f"class {label}")
    ax.legend(loc="lower left", framealpha=0.9)
    ax.set_xlabel("input x1")
    ax.set_ylabel("input x2")
    ax.set_title(title)
    return fig
