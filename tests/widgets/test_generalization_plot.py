"""GeneralizationPlotWidget: training and validation loss per epoch and the gap between them,
drawn from a RunHistory: empty states, bars, the sentence, tooltips, a new run, theme, export."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from app.reports import EpochReport, RunStarted
from tests.widgets import live_plots
from tests.widgets.live_plots import feed, shown_plot
from widgets.generalization_plot import GeneralizationPlotWidget
from widgets.theme import DARK, LIGHT

# Validation bottoms out at epoch 2, then rises while training keeps falling: overfitting.
EPOCHS = (
    EpochReport(1, 10, 1.0, 0.9, val_accuracy=0.5),
    EpochReport(2, 20, 0.6, 0.7, val_accuracy=0.7),
    EpochReport(3, 30, 0.4, 0.8, val_accuracy=0.72),
)


def run_started(**changes: object) -> RunStarted:
    """A classification run of 5 epochs of 10 steps, unless `changes` say otherwise."""
    return live_plots.run_started(**{"epochs": 5, "steps_per_epoch": 10, **changes})


@pytest.fixture
def plot(qtbot) -> GeneralizationPlotWidget:
    return shown_plot(qtbot, GeneralizationPlotWidget)


def data(item: pg.PlotDataItem) -> tuple[list[float], list[float]]:
    x, y = item.getData()
    return ([], []) if x is None else (x.tolist(), y.tolist())


def test_empty_states_say_what_to_do_and_what_comes(plot):
    assert plot.empty_text().startswith("Press Train")
    feed(plot, run_started())
    assert "first epoch" in plot.empty_text()
    feed(plot, EPOCHS[0])
    plot.redraw()
    assert plot.empty_text() is None


def test_a_run_without_validation_data_says_there_is_no_gap(plot):
    feed(plot, run_started(val_samples=0))
    assert "no validation data" in plot.empty_text()
    feed(plot, EpochReport(1, 10, 1.0, None))
    plot.redraw()
    assert "no validation data" in plot.empty_text()
    assert data(plot.train_curve) == ([], [])
    assert plot.summary_text() == ""


def test_losses_and_gap_per_epoch(plot):
    feed(plot, run_started(), *EPOCHS)
    plot.redraw()
    assert data(plot.train_curve) == ([1, 2, 3], [1.0, 0.6, 0.4])
    assert data(plot.val_curve) == ([1, 2, 3], [0.9, 0.7, 0.8])
    # validation above training: the wider bars; below: the narrower ones
    assert list(plot.wider_bars.opts["x"]) == [2, 3]
    assert list(plot.wider_bars.opts["height"]) == pytest.approx([0.1, 0.4])
    assert list(plot.narrower_bars.opts["x"]) == [1]
    assert list(plot.narrower_bars.opts["height"]) == pytest.approx([-0.1])
    low, high = plot.gap_plot.vb.viewRange()[1]
    assert low <= -0.1 and high >= 0.4


def test_the_epoch_axis_spans_the_planned_run(plot):
    feed(plot, run_started(epochs=20), EPOCHS[0])
    plot.redraw()
    low, high = plot.loss_plot.vb.viewRange()[0]
    assert low <= 1 and 20 <= high < 22


def test_the_sentence_names_the_best_epoch_and_the_growing_gap(plot):
    feed(plot, run_started(), *EPOCHS[:2])
    assert plot.summary_text().startswith("The validation loss is still falling")
    assert "epoch 2 (0.7)" in plot.summary_text()
    feed(plot, EPOCHS[2])
    text = plot.summary_text()
    assert "lowest at epoch 2" in text and "overfitting" in text
    assert "+0.1 to +0.4" in text


def test_hovering_an_epoch_shows_its_numbers(plot, qtbot):
    feed(plot, run_started(), *EPOCHS)
    plot.redraw()
    view = plot.findChild(pg.GraphicsView)
    qtbot.waitUntil(lambda: plot.loss_plot.vb.width() > 0)
    scene_point = plot.loss_plot.vb.mapViewToScene(QPointF(2, 0.7))
    qtbot.mouseMove(view, view.mapFromScene(scene_point))
    qtbot.waitUntil(lambda: view.toolTip() != "")
    tip = view.toolTip()
    assert tip.startswith("Epoch 2")
    assert "Training loss 0.6" in tip and "Validation loss 0.7" in tip
    assert "Gap +0.1 (validation higher)" in tip
    assert plot.epoch_tooltip(4) == ""  # not trained yet


def test_a_new_run_starts_over(plot):
    feed(plot, run_started(), *EPOCHS)
    plot.redraw()
    feed(plot, run_started(epochs=2))
    plot.redraw()
    assert data(plot.train_curve) == ([], [])
    assert len(plot.wider_bars.opts["x"]) == 0
    assert "first epoch" in plot.empty_text()


def test_the_timer_draws_new_epochs_while_shown(plot, qtbot):
    feed(plot, run_started(), EPOCHS[0])
    qtbot.waitUntil(lambda: data(plot.val_curve)[0] == [1])


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_export_png_in_either_theme(plot, tmp_path, theme):
    feed(plot, run_started(), *EPOCHS)
    plot.set_theme(theme)
    path = tmp_path / "gap.png"
    assert plot.export_png(str(path))
    image = QImage(str(path))
    assert image.width() > 300 and image.height() > 200
    corner = image.pixelColor(image.width() - 2, image.height() - 2).name()
    assert corner == theme.plot_background.lower()
    pixels = {image.pixelColor(x, y).name() for x in range(0, 600, 3) for y in range(0, 400, 3)}
    assert theme.accent.lower() in pixels  # the training curve
    assert not plot.export_png(str(tmp_path / "missing" / "gap.png"))


def test_thousands_of_epochs_are_all_drawn_as_lines(plot):
    reports = [EpochReport(e, e * 10, 1 / e, 1 / e + 0.01 * e) for e in range(1, 2001)]
    feed(plot, run_started(epochs=2000), *reports)
    plot.redraw()
    assert len(plot.wider_bars.opts["x"]) == 2000
    assert np.all(np.diff(data(plot.val_curve)[0]) > 0)
    assert plot.val_curve.opts["symbol"] is None  # points would only merge into a band
