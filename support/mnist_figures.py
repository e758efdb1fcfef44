"""Figures and lines that show what an MNIST network does: its training curves, its confusion
matrix, the test digits it got wrong, its most frequent mistakes and what its first layer looks for
(lesson 05 draws them after training: 05_training_curves.png, 05_confusion_matrix.png,
05_misclassified.png, 05_first_layer_weights.png); and how fast each layer learned, epoch after
epoch (lesson 06a: plot_learning_speed). They read the training history, the predictions and the
first layer's weights; they teach no maths.
"""
import math

import numpy as np

from support.mnist import IMAGE_SHAPE, N_CLASSES


def training_figures(plt, history, net, images, labels, predictions):
    """Lesson 05's four figures by file name, from the training history, the network and its
    predictions on the test images."""
    return {
        "05_training_curves.png": plot_history(plt, history),
        "05_confusion_matrix.png": plot_confusion(plt, labels, predictions),
        "05_misclassified.png": plot_misclassified(plt, images, labels, predictions),
        "05_first_layer_weights.png": plot_first_layer(plt, net),
    }


def plot_history(plt, history):
    """Loss (left) and accuracy (right) after each epoch."""
    history = [h for h in history if "train_loss" in h]     # before training: nothing to plot
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, [h["train_loss"] for h in history], "o-")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean squared error")
    ax_loss.set_title("Training loss")
    ax_acc.plot(epochs, [100 * h["train_accuracy"] for h in history], "o-",
                label="train (during the epoch)")
    ax_acc.plot(epochs, [100 * h["val_accuracy"] for h in history], "o-",
                label="validation (after the epoch)")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_title("Accuracy")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
    return fig


def plot_learning_speed(plt, history, title=None):
    """Each layer's speed |dL/db| (left) and step / weight ratio (right) over training, on a log
    scale: history is a record per epoch (0: before training), each with its layers' (speed,
    saturated, step) as lesson 06a measures them; a record without them (a run that diverged) is
    left out. The title, if given, names the run above both."""
    history = [h for h in history if h.get("layers")]
    epochs = [h["epoch"] for h in history]
    fig, (ax_speed, ax_step) = plt.subplots(1, 2, figsize=(10, 4))
    for l in range(len(history[0]["layers"])):
        ax_speed.plot(epochs, [h["layers"][l][0] for h in history], "o-", label=f"layer {l + 1}")
        ax_step.plot(epochs, [h["layers"][l][2] for h in history], "o-", label=f"layer {l + 1}")
    ax_speed.set_title("Speed of learning: |dL/db| per layer")
    ax_step.set_title("Step size relative to the weights")
    ax_step.axhline(1e-3, color="grey", ls="--", lw=1, label="1e-3, CS231n's rule of thumb")
    for ax in (ax_speed, ax_step):
        ax.set_yscale("log")
        ax.set_xlabel("epoch (0 = before training)")
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig


def plot_first_layer(plt, net, n=100):
    """What the first hidden layer looks for: unit j's 784 incoming weights as a 28 x 28 image.

    Red pixels push unit j's z up when they are inked, blue ones push it down. Each image gets its
    own colour scale, symmetric around 0, so that white always means "this pixel doesn't matter".
    """
    w = net.weights[0]                                  # (784, H): column j feeds hidden unit j
    n = min(n, w.shape[1])
    cols = min(10, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.0, rows * 1.0), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for j, ax in zip(range(n), axes.flat):
        image = w[:, j].reshape(IMAGE_SHAPE)
        limit = float(np.abs(image).max()) or 1.0
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
    fig.suptitle(f"First-layer weights of {n} hidden units, as 28 x 28 images", y=0.93)
    return fig


def plot_confusion(plt, labels, predictions):
    counts = confusion_matrix(labels, predictions)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    # A log-like scale would hide the diagonal's size; instead we colour the errors only.
    errors = counts.copy()
    np.fill_diagonal(errors, 0)
    image = ax.imshow(errors, cmap="Reds")
    fig.colorbar(image, ax=ax, label="number of mistakes")
    for i in range(N_CLASSES):
        for j in range(N_CLASSES):
            ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8,
                    color="black" if i != j else "tab:blue")
    ax.set_xticks(range(N_CLASSES))
    ax.set_yticks(range(N_CLASSES))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (test set; diagonal = correct)")
    return fig


def confusion_matrix(labels, predictions, n_classes=N_CLASSES):
    """counts[i, j] = how many test images of digit i the network read as j (the diagonal is
    right)."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (labels, predictions), 1)
    return counts


def plot_misclassified(plt, images, labels, predictions, n=32):
    """The first n test images the network got wrong, each titled 'true → predicted'."""
    wrong = np.flatnonzero(predictions != labels)[:n]
    cols = 8
    rows = max(1, math.ceil(len(wrong) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.2, rows * 1.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(f"{labels[i]} → {predictions[i]}", fontsize=9)
    fig.suptitle(f"Misclassified test digits (true → predicted), {len(wrong)} of "
                 f"{int(np.sum(predictions != labels))}")
    return fig


def print_top_confusions(labels, predictions, n=5):
    """The n most frequent mistakes on the test set, as 'true read as predicted (count)'."""
    counts = confusion_matrix(labels, predictions)
    np.fill_diagonal(counts, 0)
    order = np.argsort(-counts, axis=None, kind="stable")[:n]
    pairs = [np.unravel_index(i, counts.shape) for i in order]
    print("most frequent mistakes on the test set: "
          + ", ".join(f"{t} read as {p} ({counts[t, p]})" for t, p in pairs if counts[t, p]))
