"""FractionPlot: every ReLU layer's dead fraction and every Sigmoid or Tanh layer's saturated
fraction over training, 0-100 %, with its legend beside it.

It sits under the activations heatmap, in a view of its own, and lines its plot up with the
heatmap's: the same left edge (the heatmap's value axis width) and the same right edge (its
legend takes the width of the heatmap's colour bar and bars), so a step is at the same place
in both. Curves are made once per run and given new data with setData.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from widgets.histogram_axes import SpacedAxis
from widgets.histogram_plots import left_axis_width
from widgets.plot_style import AXES, LINE, THIN_LINE, color_axes, set_axis_label
from widgets.theme import Theme, class_colors, current_theme

LEGEND_GAP = 8  # pixels between the plot and its legend
MIN_PLOT_WIDTH = 120
_PERCENT_TICKS = [[(0.0, "0"), (50.0, "50"), (100.0, "100")]]


class FractionPlot(QWidget):
    """The fraction curves of the watched layers (one per layer) and their legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._labels: tuple[str, ...] = ()  # legend text per curve: "3 ReLU dead"
        self._layers: tuple[int, ...] = ()  # the layer of each curve
        self._selected = -1  # the layer shown in the heatmap
        self._curves: list[pg.PlotDataItem] = []
        self._target: pg.ViewBox | None = None  # the heatmap's view, to line up with

        # The plot and legend are placed by hand (_place), not by a layout: the legend takes
        # exactly the width that lines the plot up with the heatmap, and that width must not
        # become a minimum size of the tab.
        self._graphics = pg.GraphicsLayoutWidget(self)
        self._plot = pg.PlotItem(axisItems={"bottom": SpacedAxis("bottom")})
        self._plot.setMenuEnabled(False)
        self._plot.hideButtons()
        # Zooming and panning happen on the heatmap; this plot follows its steps.
        self._plot.setMouseEnabled(x=False, y=False)
        self._plot.disableAutoRange()
        self._plot.setYRange(0, 100, padding=0.04)
        self._plot.getAxis("left").setTicks(_PERCENT_TICKS)
        self._graphics.addItem(self._plot)
        self._graphics.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._graphics.setToolTip(
            self.tr(
                "A ReLU unit is dead when it outputs 0 for every input of the batch: no "
                "gradient flows through it, so it stops learning. A Sigmoid or Tanh output is "
                "saturated when it is within 2% of its bounds, where its gradient is almost 0."
            )
        )

        self._legend = QLabel(self)
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._legend.setWordWrap(True)
        self._legend.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._legend.setToolTip(self._graphics.toolTip())

        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.set_theme(self._theme)

    # Public API

    @property
    def curves(self) -> tuple[pg.PlotDataItem, ...]:
        """One curve per watched layer, in layer order."""
        return tuple(self._curves)

    def legend_text(self) -> str:
        """The legend as a reader sees it: one "3 ReLU dead" per line."""
        return "\n".join(self._labels)

    def set_layers(self, labels: tuple[str, ...], layers: tuple[int, ...]) -> None:
        """The run's watched layers: `labels` for the legend, `layers` their indices."""
        if (labels, layers) == (self._labels, self._layers):
            self.clear()  # Train again: the same curves, emptied
            return
        for curve in self._curves:
            self._plot.removeItem(curve)
        self._labels, self._layers = labels, layers
        self._curves = []
        for _label in labels:
            curve = pg.PlotDataItem()
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self._plot.addItem(curve)
            self._curves.append(curve)
        self._restyle()

    def select(self, layer: int) -> None:
        """Draw layer `layer`'s curve (when it has one) thick and on top."""
        self._selected = layer
        self._restyle()

    def draw(self, steps: np.ndarray, percents: np.ndarray) -> None:
        """`percents` (len(steps), curves): each watched layer's fraction, in %."""
        for index, curve in enumerate(self._curves):
            curve.setData(steps, percents[:, index], connect="finite")

    def clear(self) -> None:
        for curve in self._curves:
            curve.setData([], [])

    def link_to(self, view: pg.ViewBox) -> None:
        """Show the steps `view` (the heatmap's) shows, lined up under it."""
        self._target = view
        self._plot.setXLink(view)
        view.sigResized.connect(self._place)

    def set_theme(self, theme: Theme) -> None:
        """Colours and fonts for the plot and legend, from the app theme."""
        self._theme = theme
        font = QFont(QGuiApplication.font())
        self._graphics.setBackground(theme.plot_background)
        color_axes(self._plot, theme)
        for name in AXES:
            axis = self._plot.getAxis(name)
            axis.setStyle(tickFont=font)
            axis.label.setFont(font)
        self._plot.getAxis("left").setWidth(left_axis_width(font))
        set_axis_label(self._plot, "left", "%", theme)
        # No "training step" under this plot: the heatmap just above names the same steps.
        self._legend.setStyleSheet(f"color: {theme.plot_foreground}; background: transparent;")
        self._restyle()

    # Internals

    def _restyle(self) -> None:
        """Every layer in its own colour; the selected one thick and on top; the legend."""
        colors = class_colors(self._theme, len(self._curves))
        entries = [self.tr("Dead or saturated, in %:")]
        for index, curve in enumerate(self._curves):
            color = pg.mkColor(colors[index])
            chosen = self._layers[index] == self._selected
            # Thick antialiased paths are slow to stroke in Qt: thick ones as segments.
            width = self._theme.line_width(3 if chosen else 1.5)
            curve.setPen(pg.mkPen(color, width=width))
            curve.curve.setSegmentedLineMode("on" if chosen or width > THIN_LINE else "auto")
            curve.setZValue(10 if chosen else 0)
            label = self._labels[index].replace("&", "&amp;").replace("<", "&lt;")
            if chosen:
                label = f"<b>{label}</b>"
            entries.append(
                f'<span style="white-space: nowrap"><span style="color: {colors[index]}">'
                f"<b>{LINE}</b></span>&nbsp;{label}</span>"
            )
        self._legend.setText("<br>".join(entries))

    def _place(self, *_args: object) -> None:
        """The plot as wide as puts its right edge under the heatmap's; the legend beside."""
        width, height = self.width(), self.height()
        plot_width = self._graphics.width() if self._graphics.width() > 0 else width
        target = None if self._target is None else _right_edge(self._target)
        if target is not None:
            self._lay_out_plot(plot_width, height)
            own = _right_edge(self._plot.getViewBox())
            if own is not None:
                plot_width += target - own
        plot_width = max(min(plot_width, width), min(width, MIN_PLOT_WIDTH))
        self._lay_out_plot(plot_width, height)
        left = plot_width + LEGEND_GAP
        self._legend.setGeometry(left, 0, max(width - left, 0), height)

    def _lay_out_plot(self, width: int, height: int) -> None:
        """Give the plot its size and lay it out now, so its edges can be measured."""
        self._graphics.setGeometry(0, 0, width, height)
        self._graphics.ci.layout.activate()
        self._plot.layout.activate()

    # Qt

    def sizeHint(self) -> QSize:
        return QSize(480, 9 * self.fontMetrics().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 8 * self.fontMetrics().height())

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        self._place()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        self._place()


def _right_edge(view: pg.ViewBox) -> int | None:
    """The view's right edge on the screen, in pixels; None while it is not shown."""
    widget = view.getViewWidget()
    if widget is None:
        return None
    rect = widget.mapFromScene(view.sceneBoundingRect()).boundingRect()
    return widget.mapToGlobal(QPoint(math.floor(rect.right()), 0)).x()
