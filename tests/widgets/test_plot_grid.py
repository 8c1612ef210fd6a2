"""TickGrid: the grid lines of the live plots, seen in the pixels the loss plot shows."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QImage

from app.reports import StepsReport
from tests.widgets.live_plots import feed, run_started, shown_plot
from widgets.loss_plot import LossPlotWidget
from widgets.theme import DARK, LIGHT


@pytest.fixture
def plot(qtbot) -> LossPlotWidget:
    plot = shown_plot(qtbot, LossPlotWidget)
    feed(plot, run_started(), StepsReport(0, np.full(400, 5.0), 0, 1000.0, 1.0, 0.01))
    plot.redraw()
    return plot


def view_image(plot: LossPlotWidget) -> QImage:
    return plot.grab().toImage()


def pixel_at_step(plot: LossPlotWidget, image: QImage, step: float) -> QColor:
    """The colour at `step` on the loss plot's x axis, a quarter of the way down its view
    (above the flat loss curve, which sits in the middle), in the widget's own pixels."""
    view = plot.loss_plot.vb
    low, high = view.viewRange()[1]
    scene = view.mapViewToScene(QPointF(step, high - (high - low) / 4))
    graphics = plot.loss_plot.scene().views()[0]
    point: QPoint = graphics.mapTo(plot, graphics.mapFromScene(scene))
    return image.pixelColor(point)


def tick_steps(plot: LossPlotWidget, levels: slice = slice(0, 1)) -> list[float]:
    """The steps the bottom axis ticks at, major ones only unless `levels` says."""
    axis = plot.metric_plot.getAxis("bottom")
    low, high = plot.metric_plot.vb.viewRange()[0]
    chosen = axis.tickValues(low, high, plot.metric_plot.vb.width())[levels]
    return sorted(v for _, values in chosen for v in values if low < v < high)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_grid_lines_run_through_the_view_at_the_labelled_steps(plot, theme):
    plot.set_theme(theme)
    image = view_image(plot)
    ticks = tick_steps(plot)
    assert len(ticks) >= 3
    background = QColor(theme.plot_background)
    for step in ticks:
        line = pixel_at_step(plot, image, step)
        assert line != background, step
        # The grid's colour (drawn opaque: mixed with the background beforehand).
        assert abs(line.lightness() - QColor(theme.grid).lightness()) < 40, step
    every = tick_steps(plot, slice(None))  # the fainter minor lines too
    assert len(every) > len(ticks)
    between = (every[0] + every[1]) / 2
    assert pixel_at_step(plot, image, between) == background


def test_grid_lines_follow_the_step_axis_when_it_moves(plot):
    plot.set_theme(LIGHT)
    before = tick_steps(plot)
    feed(plot, StepsReport(400, np.full(20_000, 5.0), 0, 1000.0, 1.0, 0.01))
    plot.redraw()
    after = tick_steps(plot)
    assert after != before
    image = view_image(plot)
    background = QColor(LIGHT.plot_background)
    assert all(pixel_at_step(plot, image, step) != background for step in after)
