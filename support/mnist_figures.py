"""Figures and lines that show what a trained MNIST network does: its training curves, its
confusion matrix, the test digits it got wrong, and its most frequent mistakes.

Lesson 05 draws them after training (05_training_curves.png, 05_confusion_matrix.png,
05_misclassified.png). They read the training history and the predictions; they teach no maths.
"""
import math

import numpy as np

DIGITS = 10


def plot_history(plt, history):
    """Loss (left) and accuracy (right) after each epoch."""
    history = history[1:]                              # epoch 0 has only the layers' health
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


def plot_confusion(plt, labels, predictions):
    counts = confusion_matrix(labels, predictions)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    # A log-like scale would hide the diagonal's size; instead we colour the errors only.
    errors = counts.copy()
    np.fill_diagonal(errors, 0)
    image = ax.imshow(errors, cmap="Reds")
    fig.colorbar(image, ax=ax, label="number of mistakes")
    for i in range(DIGITS):
        for j in range(DIGITS):
            ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8,
                    color="black" if i != j else "tab:blue")
    ax.set_xticks(range(DIGITS))
    ax.set_yticks(range(DIGITS))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix (test set; diagonal = correct)")
    return fig


def confusion_matrix(labels, predictions, n_classes=DIGITS):
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
