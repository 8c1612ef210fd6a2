"""The presentation look: scaled fonts, thick curves, large markers, Okabe-Ito class colours,
and the everyday look back unchanged afterwards."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics

from tests.widgets.live_plots import shown_plot
from widgets.color_vision import OKABE_ITO
from widgets.generalization_plot import GeneralizationPlotWidget
from widgets.loss_plot import LossPlotWidget
from widgets.presentation_look import presentation_theme
from widgets.style import FONT_POINT_SIZE, apply_look
from widgets.theme import LIGHT, class_colors, current_theme

MIN_TEXT_PX = 20  # a line of text, read from the back of a classroom
MIN_LINE_PX = 3.0


@pytest.fixture
def look(themed_app):
    """Applies a look; afterwards the look the application had, applied again in full, so
    the later tests see the everyday font and theme (themed_app then restores the rest)."""
    previous = current_theme()
    yield lambda theme: apply_look(themed_app, theme)
    apply_look(themed_app, previous)


def curve_widths(*curves) -> list[float]:
    return [curve.opts["pen"].widthF() for curve in curves]


def test_presentation_font_is_large_and_goes_back(themed_app, look):
    look(LIGHT)
    everyday = QFontMetrics(themed_app.font()).height()
    theme = presentation_theme(LIGHT, 2.0)
    look(theme)
    assert current_theme() == theme
    assert themed_app.font().pointSizeF() == pytest.approx(2.0 * FONT_POINT_SIZE)
    assert QFontMetrics(themed_app.font()).height() >= MIN_TEXT_PX
    look(LIGHT)
    assert themed_app.font().pointSizeF() == pytest.approx(FONT_POINT_SIZE)
    assert QFontMetrics(themed_app.font()).height() == everyday
    assert current_theme() == LIGHT


def test_loss_plot_curves_are_thick_and_points_large(qtbot, look):
    look(LIGHT)
    everyday = shown_plot(qtbot, LossPlotWidget)
    look(presentation_theme(LIGHT, 1.5))
    plot = shown_plot(qtbot, LossPlotWidget)
    curves = (plot.raw_curve, plot.smooth_curve, plot.val_loss_curve, plot.metric_curve)
    assert min(curve_widths(*curves)) >= MIN_LINE_PX
    # The trend stays wider than the raw steps, as in the everyday look.
    assert plot.smooth_curve.opts["pen"].widthF() > plot.raw_curve.opts["pen"].widthF()
    assert plot.val_loss_curve.opts["symbolSize"] > everyday.val_loss_curve.opts["symbolSize"]


def test_everyday_loss_plot_keeps_its_thin_lines(qtbot, look):
    look(LIGHT)
    plot = shown_plot(qtbot, LossPlotWidget)
    assert curve_widths(plot.raw_curve, plot.smooth_curve) == [1.0, 2.0]


def test_generalization_plot_curves_are_thick(qtbot, look):
    look(presentation_theme(LIGHT, 1.5))
    plot = shown_plot(qtbot, GeneralizationPlotWidget)
    assert min(curve_widths(plot.train_curve, plot.val_curve)) >= MIN_LINE_PX


def test_presentation_class_colors_are_okabe_ito():
    theme = presentation_theme(LIGHT)
    assert theme.class_colors == OKABE_ITO
    assert class_colors(theme, len(OKABE_ITO)) == list(OKABE_ITO)
