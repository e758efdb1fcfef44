"""support/mnist_figures.py and support/plane_figures.py: each figure shows the numbers it is
given (checked on the figure's own artists, headless), and the confusion counts and the most
frequent mistakes are counted right. That the lessons save them as PNG files is checked by their
runs: 04b's in test_lessons_run.py, 05's in test_05_training.py."""
import re

import matplotlib
import numpy as np
import pytest

from helpers import REPO, assert_mentions, load_lesson
from support.mnist_figures import (confusion_matrix, plot_confusion, plot_first_layer,
                                   plot_history, plot_learning_speed, plot_misclassified,
                                   print_top_confusions)
from support.plane_figures import plot_decision_boundary, plot_losses

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend that needs no display)

Network = load_lesson("04b_backprop_network.py", REPO).Network


pytestmark = pytest.mark.usefixtures("close_figures")


# --- the confusion matrix and the mistakes, counted --------------------------------------------
LABELS = np.array([3, 3, 3, 5, 5, 8, 8, 8, 8, 1])
PREDICTIONS = np.array([3, 5, 5, 3, 5, 8, 3, 3, 3, 1])


def test_confusion_counts_each_true_digit_by_what_it_was_read_as():
    counts = confusion_matrix(LABELS, PREDICTIONS)
    assert counts.shape == (10, 10) and counts.sum() == len(LABELS)
    assert counts[3, 3] == 1 and counts[3, 5] == 2, "rows are the true digit, columns the answer"
    assert counts[5, 3] == 1 and counts[8, 3] == 3 and counts[1, 1] == 1
    assert np.trace(counts) == int(np.sum(LABELS == PREDICTIONS))


def test_the_most_frequent_mistakes_come_first_and_right_answers_are_not_mistakes(capsys):
    print_top_confusions(LABELS, PREDICTIONS, n=3)
    said = capsys.readouterr().out
    right_answers = re.findall(r"(\d) read as \1\b", said)
    assert said.count("\n") == 1 and not right_answers, said
    mistakes = ["8 read as 3 (3)", "3 read as 5 (2)", "5 read as 3 (1)"]
    assert_mentions(said, *mistakes)
    places = [said.index(mistake) for mistake in mistakes]
    assert places == sorted(places), f"the most frequent first: {said}"


def test_the_confusion_figure_writes_every_count_and_colours_only_the_mistakes():
    fig = plot_confusion(plt, LABELS, PREDICTIONS)
    ax = fig.axes[0]
    counts = confusion_matrix(LABELS, PREDICTIONS)
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    assert len(texts) == 100 and all(texts[i, j] == str(counts[i, j]) for i, j in texts)
    coloured = ax.get_images()[0].get_array()
    assert np.all(np.diag(coloured) == 0) and coloured[8, 3] == 3, "the diagonal is not a mistake"


def test_the_misclassified_figure_shows_only_wrong_digits_titled_true_then_predicted():
    images = np.arange(len(LABELS) * 28 * 28, dtype=np.uint8).reshape(-1, 28, 28)
    fig = plot_misclassified(plt, images, LABELS, PREDICTIONS)
    titles = [ax.get_title() for ax in fig.axes if ax.get_images()]
    assert titles == ["3 → 5", "3 → 5", "5 → 3", "8 → 3", "8 → 3", "8 → 3"]


# --- the training, each layer's learning, and the first layer's weights ------------------------
def test_the_training_curves_leave_out_epoch_0_and_show_accuracies_in_percent():
    history = [dict(epoch=0, layers=[]),
               dict(epoch=1, train_loss=0.03, train_accuracy=0.80, val_accuracy=0.90, layers=[]),
               dict(epoch=2, train_loss=0.02, train_accuracy=0.85, val_accuracy=0.93, layers=[])]
    fig = plot_history(plt, history)
    loss, accuracy = fig.axes
    assert list(loss.get_lines()[0].get_xdata()) == [1, 2], "epoch 0 has no loss to show"
    assert np.allclose(loss.get_lines()[0].get_ydata(), [0.03, 0.02])
    train, validation = accuracy.get_lines()
    assert np.allclose(train.get_ydata(), [80, 85])
    assert np.allclose(validation.get_ydata(), [90, 93])
    assert "validation" in validation.get_label()


def test_the_learning_speed_figure_draws_every_layer_at_every_epoch():
    history = [dict(epoch=e, layers=[(1e-3 * (e + 1), 0.0, 1e-2 / (e + 1)), (4e-3, 0.1, 2e-3)])
               for e in range(3)]
    fig = plot_learning_speed(plt, history)
    speed, step = fig.axes
    layer_1 = [line for line in speed.get_lines() if line.get_label() == "layer 1"][0]
    assert list(layer_1.get_xdata()) == [0, 1, 2]
    assert np.allclose(layer_1.get_ydata(), [1e-3, 2e-3, 3e-3])
    layer_1_step = [line for line in step.get_lines() if line.get_label() == "layer 1"][0]
    assert np.allclose(layer_1_step.get_ydata(), [1e-2, 5e-3, 1e-2 / 3])
    assert len(speed.get_lines()) == 2 and speed.get_yscale() == "log"


def test_each_hidden_unit_is_its_own_weights_as_a_28_by_28_image():
    net = Network([784, 12, 10], seed=0)
    fig = plot_first_layer(plt, net, n=100)
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    assert len(images) == 12, "one image per hidden unit, at most n"
    assert np.array_equal(images[5].get_array(), net.weights[0][:, 5].reshape(28, 28))
    low, high = images[5].get_clim()
    assert low == -high == -np.abs(net.weights[0][:, 5]).max(), "white must mean weight 0"


# --- a network with two inputs ------------------------------------------------------------------
def test_the_loss_figure_draws_each_curve_as_given_on_a_log_scale():
    fig = plot_losses(plt, {"XOR": np.array([0.3, 0.2, 0.1]), "moons": np.array([0.25, 0.05])})
    ax, = fig.axes
    assert [line.get_label() for line in ax.get_lines()] == ["XOR", "moons"]
    assert np.allclose(ax.get_lines()[0].get_ydata(), [0.3, 0.2, 0.1])
    assert ax.get_yscale() == "log"


def test_the_decision_boundary_is_where_the_output_crosses_one_half():
    # One neuron, output σ(20 (x1 - 0.3)): its 0.5 line is the vertical line x1 = 0.3.
    net = Network([2, 1], seed=0)
    net.weights[0][:] = [[20.0], [0.0]]
    net.biases[0][:] = [-6.0]
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    fig = plot_decision_boundary(plt, net, X, np.array([0, 1]), "a line")
    ax = fig.axes[0]
    # the contour lines are the collections with no face colour (the filled contours and the
    # scattered points have one), in every matplotlib version
    lines = [c for c in ax.collections if len(c.get_facecolor()) == 0]
    assert len(lines) == 1, "one contour line, at 0.5"
    points = np.concatenate([path.vertices for path in lines[0].get_paths()])
    assert len(points) > 10 and np.allclose(points[:, 0], 0.3, atol=0.01), points[:, 0]
    assert ax.get_title() == "a line"
