"""ImagePredictionsWidget: the guesses grid beside the confusion matrix, fed by reports."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from app.reports import EpochReport, ImagePredictionReport
from widgets.demo_data import demo_digits, demo_matrix
from widgets.image_predictions import ImagePredictionsWidget
from widgets.theme import DARK, LIGHT

NAMES = tuple(str(k) for k in range(10))

pytestmark = pytest.mark.usefixtures("english_numbers")


@pytest.fixture
def view(qtbot):
    w = ImagePredictionsWidget()
    qtbot.addWidget(w)
    w.resize(1100, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def _titles(w: ImagePredictionsWidget) -> list[str]:
    return [label.text() for label in w.findChildren(QLabel)]


def test_reports_fill_both_views_and_their_titles(view):
    labels = np.arange(10)
    guesses = labels.copy()
    guesses[3] = 5
    view.add_prediction(ImagePredictionReport(12_500, demo_digits(labels), labels, guesses, NAMES))
    view.add_epoch(EpochReport(2, 12_500, 0.4, 0.35, 0.9, confusion=demo_matrix(NAMES)))
    assert "The model's guesses after step 12,500" in _titles(view)
    assert "Confusion matrix after epoch 2" in _titles(view)
    assert view.grid.wrong_indices() == [3]
    np.testing.assert_array_equal(view.matrix.counts(), demo_matrix(NAMES))


def test_an_epoch_without_a_matrix_keeps_the_hint(view):
    view.add_epoch(EpochReport(1, 100, 0.4, 0.35, None))
    assert view.matrix.message()


def test_set_theme_paints_both_views(view):
    for theme in (DARK, LIGHT):
        view.set_theme(theme)
        for part in (view.grid, view.matrix):
            assert part.grab().toImage().pixelColor(QPoint(2, 2)) == QColor(theme.plot_background)
