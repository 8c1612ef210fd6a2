"""How LayerLab's pyqtgraph plots wear a theme: axis colours and fonts, axis labels, the
rich-text legend above a plot and the figure around it."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QGraphicsItem, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from widgets.plot_grid import TickGrid
from widgets.theme import Theme

AXES = ("left", "bottom")

# Legend samples, drawn in the colour of what they stand for.
LINE = "\u2501\u2501"
POINTS = "\u2500\u25cf\u2500"
BAR = "\u2588"

# Curves wider than this are stroked as separate segments: Qt strokes a wide path over a jagged
# curve very slowly (seconds), and the presentation look draws every curve 3 px or more.
THIN_LINE = 1.5


def color_axes(plot: pg.PlotItem, theme: Theme) -> None:
    """Axis lines and tick labels in the plot foreground."""
    for name in AXES:
        axis = plot.getAxis(name)
        axis.setPen(theme.plot_foreground)
        axis.setTextPen(theme.plot_foreground)


def color_grid_plots(
    graphics: pg.GraphicsLayoutWidget,
    plots: Iterable[pg.PlotItem],
    labels: dict[tuple[pg.PlotItem, str], str],
    theme: Theme,
) -> None:
    """The view's background, its plots' axes and grids (made by style_grid_axes), and their
    `labels` (by plot and side) in the colours of `theme`; the tick and axis labels in the
    view's font again, which follows the application's (a presentation scales it)."""
    graphics.setBackground(theme.plot_background)
    font = QFont(graphics.font())
    for plot in plots:
        color_axes(plot, theme)
        set_axis_fonts(plot, font)
        for name in AXES:  # its zero-length ticks still draw a pixel each on the axis line
            plot.getAxis(name).setTickPen(theme.grid)
        TickGrid.of(plot).set_colors(theme.grid, theme.plot_background)
    for (plot, side), text in labels.items():
        set_axis_label(plot, side, text, theme)


def style_grid_axes(plot: pg.PlotItem, font: QFont) -> None:
    """Tick labels and axis labels in `font`, in plain numbers, and grid lines at the
    labelled ticks, drawn by a TickGrid in the view (not by the axes: see widgets.plot_grid)."""
    set_axis_fonts(plot, font)
    for name in AXES:
        axis = plot.getAxis(name)
        # Grid lines at labelled steps only (fewer to draw); no tick marks: the grid marks them.
        axis.setStyle(maxTickLevel=1, tickLength=0)
        # An SI prefix would relabel the axis at range moves, and set its HTML every time.
        axis.enableAutoSIPrefix(False)
        # Kept as a pixmap: repainting the view around it blits that instead of replaying
        # the tick labels' text (0.4-1.2 ms an axis, several times a frame during a run).
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    TickGrid(plot)


def set_axis_fonts(plot: pg.PlotItem, font: QFont) -> None:
    """Tick labels and axis labels of both axes in `font` (set once: they do not follow the
    application's font by themselves)."""
    for name in AXES:
        axis = plot.getAxis(name)
        if axis.style.get("tickFont") != font:  # setting it lays the axis out again
            axis.setStyle(tickFont=font)  # (unlike setTickFont, makes room for the new size)
            axis.label.setFont(font)
            axis.resizeEvent()  # the label placed for its new size


def set_axis_label(plot: pg.PlotItem, side: str, text: str, theme: Theme) -> None:
    """Label one axis in the plot foreground, in plain numbers."""
    plot.setLabel(side, text, color=theme.plot_foreground)
    plot.getAxis(side).enableAutoSIPrefix(False)  # "Loss", never "Loss (x0.001)"


def legend_html(items: Iterable[tuple[str, str, str]]) -> str:
    """A one-line rich-text legend of (colour, sample, text) items that wraps between items."""
    return "&nbsp;&nbsp;&nbsp; ".join(
        f'<span style="white-space: nowrap"><span style="color: {color}">'
        f"<b>{sample}</b></span>&nbsp;{html.escape(text)}</span>"
        for color, sample, text in items
    )


def color_figure(figure: QWidget, theme: Theme) -> None:
    """Give the widget around the plots (what export_png saves) the plots' background."""
    palette = figure.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(theme.plot_background))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.text))
    figure.setPalette(palette)
