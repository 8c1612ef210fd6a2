"""ConfusionMatrixWidget: counts per (true, predicted) class, tinted by share of the true class."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from widgets.confusion_colors import row_fractions
from widgets.confusion_matrix import ConfusionMatrixWidget
from widgets.demo_data import demo_matrix
from widgets.theme import DARK, LIGHT, contrast_ratio

NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
         "Bag", "Ankle boot")  # fmt: skip
DIGITS = tuple(str(d) for d in range(10))


pytestmark = pytest.mark.usefixtures("english_numbers")


@pytest.fixture
def matrix(qtbot):
    w = ConfusionMatrixWidget()
    qtbot.addWidget(w)
    w.set_theme(LIGHT)
    w.resize(420, 420)
    w.show()
    qtbot.waitExposed(w)
    return w


def _fashion() -> np.ndarray:
    """1000 images per class; 123 Shirts taken for T-shirts, none the other way round."""
    counts = np.diag(np.full(10, 1000))
    counts[6, 6], counts[6, 0] = 877, 123
    return counts


def _color_at(w: ConfusionMatrixWidget, point: QPoint) -> QColor:
    return w.grab().toImage().pixelColor(point)


def _fill_point(w: ConfusionMatrixWidget, row: int, column: int) -> QPoint:
    """A point of the cell's fill: inside its outline, away from the count in the middle."""
    rect = w.cell_rect(row, column)
    return QPoint(rect.x() + rect.width() // 4, rect.y() + rect.height() // 5)


def test_empty_shows_a_hint(matrix):
    assert matrix.message()
    assert matrix.accuracy_text() == ""
    assert matrix.counts().shape == (0, 0)
    assert matrix.tooltip_at(QPoint(200, 200)) == ""


def test_accuracy_counts_the_diagonal(matrix):
    matrix.set_matrix(_fashion(), NAMES, "Validation after epoch 3")
    assert matrix.accuracy_text() == "accuracy 98.8% on 10,000 images"
    assert matrix.title() == "Validation after epoch 3"
    assert matrix.message() == ""
    np.testing.assert_array_equal(matrix.counts(), _fashion())


def test_a_cell_tooltip_names_both_classes_and_the_share(matrix):
    matrix.set_matrix(_fashion(), NAMES)
    centre = matrix.cell_rect(6, 0).center()
    expected = "true Shirt, predicted T-shirt/top: 123 images (12.3% of Shirt)"
    assert matrix.tooltip_at(centre) == expected
    QToolTip.hideText()
    QApplication.sendEvent(
        matrix, QHelpEvent(QEvent.Type.ToolTip, centre, matrix.mapToGlobal(centre))
    )
    assert QToolTip.text() == expected
    assert matrix.tooltip_at(matrix.cell_rect(1, 1).center()) == (
        "true Trouser, predicted Trouser: 1,000 images (100.0% of Trouser)"
    )


def test_class_labels_have_the_full_names_as_tooltips(matrix):
    matrix.set_matrix(_fashion(), NAMES)
    row = matrix.cell_rect(9, 0)
    assert matrix.tooltip_at(QPoint(row.x() - 10, row.center().y())) == "true class: Ankle boot"
    column = matrix.cell_rect(9, 9)
    below = QPoint(column.center().x(), column.bottom() + 6)
    assert matrix.tooltip_at(below) == "predicted class: Ankle boot"


def test_cells_are_tinted_by_share_diagonal_and_errors_in_two_hues(matrix):
    matrix.set_matrix(_fashion(), NAMES)
    background = QColor(LIGHT.plot_background)
    right = _color_at(matrix, _fill_point(matrix, 0, 0))
    wrong = _color_at(matrix, _fill_point(matrix, 6, 0))
    empty = _color_at(matrix, _fill_point(matrix, 0, 6))
    assert empty == background
    assert right.blue() > right.red()  # the diagonal: blue
    assert wrong.red() > wrong.blue() and wrong != background  # a mistake: warm, visible
    # A larger share of the row is a stronger colour.
    counts = _fashion()
    counts[6, 0], counts[6, 6] = 500, 500
    matrix.set_matrix(counts, NAMES)
    stronger = _color_at(matrix, _fill_point(matrix, 6, 0))
    assert stronger.lightness() < wrong.lightness()


def test_shares_are_per_true_class(matrix):
    """A rare class's mistakes count as much as a common one's: rows are normalised."""
    counts = np.array([[900, 100], [1, 9]])
    np.testing.assert_allclose(row_fractions(counts), [[0.9, 0.1], [0.1, 0.9]])
    matrix.set_matrix(counts, ("common", "rare"))
    assert _color_at(matrix, _fill_point(matrix, 0, 1)) == _color_at(
        matrix, _fill_point(matrix, 1, 0)
    )


def test_counts_contrast_with_their_cell(matrix):
    matrix.set_matrix(np.diag([1000, 1000]), ("a", "b"))
    assert matrix.shows_counts()
    rect = matrix.cell_rect(0, 0)
    image = matrix.grab().toImage()
    fill = image.pixelColor(_fill_point(matrix, 0, 0)).name()
    text = [
        image.pixelColor(x, rect.center().y()).name()
        for x in range(rect.x() + rect.width() // 3, rect.x() + 2 * rect.width() // 3)
    ]
    assert max(contrast_ratio(fill, color) for color in text) >= 4.5


def test_readable_at_400_and_on_a_projector(matrix):
    matrix.set_matrix(demo_matrix(NAMES), NAMES, "Test set")
    for width, height in ((400, 400), (1920, 1080)):
        matrix.resize(width, height)
        last = matrix.cell_rect(9, 9)
        assert matrix.rect().contains(matrix.cell_rect(0, 0)) and matrix.rect().contains(last)
        assert matrix.shows_counts()
    assert matrix.cell_rect(0, 0).width() > 60  # the projector gets big cells


def test_rows_without_images_do_not_break_anything(matrix):
    counts = np.array([[5, 0], [0, 0]])
    matrix.set_matrix(counts, ("cat", "dog"))
    assert matrix.tooltip_at(matrix.cell_rect(1, 0).center()) == (
        "true dog, predicted cat: 0 images (0.0% of dog)"
    )
    assert matrix.accuracy_text() == "accuracy 100.0% on 5 images"
    matrix.set_matrix(np.zeros((2, 2)), ("cat", "dog"))
    assert matrix.accuracy_text() == "no images counted"
    assert not matrix.grab().isNull()


def test_clear_shows_the_message(matrix):
    matrix.set_matrix(_fashion(), NAMES)
    matrix.clear("Train to see which classes the model mixes up")
    assert matrix.message() == "Train to see which classes the model mixes up"
    assert matrix.accuracy_text() == "" and not matrix.shows_counts()
    image = matrix.grab().toImage()
    assert image.pixelColor(30, 30) == QColor(LIGHT.plot_background)
    matrix.clear()
    assert matrix.message()


def test_dark_theme_paints_dark(matrix):
    matrix.set_theme(DARK)
    matrix.set_matrix(np.diag([10, 10]), DIGITS[:2])
    assert _color_at(matrix, QPoint(2, 2)) == QColor(DARK.plot_background)
    assert _color_at(matrix, _fill_point(matrix, 0, 1)) == QColor(DARK.plot_background)


def test_a_non_square_matrix_is_refused(matrix):
    with pytest.raises(ValueError):
        matrix.set_matrix(np.zeros((2, 3)), DIGITS[:3])
