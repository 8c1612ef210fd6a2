"""HistogramPlots: the gradient-histogram tab's plots, drawn from plain arrays.

A heatmap of one layer's histogram at every snapshot (x = step, y = value, colour = count) with
its colour bar, beside it the latest histogram as bars on the same value axis, and below it
every layer's norm over time. Items are made once and given new data with setData.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QGraphicsScene, QSizePolicy, QWidget

from models.numbers import nice_ceiling
from widgets.histogram_axes import LogAxis, SpacedAxis, count_ticks
from widgets.plot_style import AXES, THIN_LINE, color_axes, set_axis_label
from widgets.theme import Theme, current_theme

# Layers in a column of the norms' legend: five fit beside the norms at the normal font; at
# 150% five rows took 170 px of a 300 px tall view and left the heatmap 40 px.
LEGEND_ROWS = 5
LARGE_FONT_LEGEND_ROWS = 3
LARGE_FONT = 1.2  # font scales from which the legend has LARGE_FONT_LEGEND_ROWS
# The plots' least height: a 1024x600 window holds the run controls, the lesson panel and two
# alarms above them (at 300 px that window could not be less than 651 px high), and at large
# fonts MIN_LINES lines of text (at 150%, 275 px: a 1280x720 window still holds them; 300
# px made it 721 px high while the first alarms came).
MIN_HEIGHT = 210
MIN_LINES = 11


@dataclass(frozen=True)
class HistogramFrame:
    """What the plots show of one layer and kind, from the run's histogram columns."""

    mean_counts: np.ndarray  # (columns, bins): counts per snapshot of each heatmap column
    steps: tuple[float, float]  # the steps the heatmap spans, from its left to its right edge
    edges: np.ndarray  # (bins + 1,): the layer's bin edges
    latest_counts: np.ndarray  # (bins,): the latest snapshot's histogram
    latest_step: int
    column_steps: np.ndarray  # (columns,): the step in the middle of each column
    norms: np.ndarray  # (columns, layers): every layer's norm per snapshot


def roomy_ceiling(value: float) -> float:
    """Round up on a finer 1-1.2-1.5-...-8 scale: a view range that leaves at most a fifth
    empty and changes rarely, so axes are not re-laid out on every redraw."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    steps = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
    return next(step * power for step in steps if value <= step * power * (1 + 1e-9))


def left_axis_width(font: QFont) -> int:
    """The value axis' width: tick labels as wide as "-0.0005" and the axis label beside them
    (plots stacked under the heatmap take it too, so their steps line up)."""
    metrics = QFontMetrics(font)
    return metrics.horizontalAdvance("-0.0005") + metrics.height() + 14


def legend_labels(names: tuple[str, ...], rows: int = LEGEND_ROWS) -> tuple[str, ...]:
    """The norms' legend: the layers' names while they fit one column of `rows`, their numbers alone
    beyond that when they are all of one kind ("0", "2" for "0 Linear", "2 Linear"; the kind
    is in the Layer box). Eleven "NN Linear" labels in three columns were cut off at the
    right in presentation mode at 1280x720."""
    parts = [name.split(" ", 1) for name in names]
    kinds = {part[1] for part in parts if len(part) == 2}
    numbered = all(len(part) == 2 and part[0].isdigit() for part in parts)
    if len(names) > rows and len(kinds) == 1 and numbered:
        return tuple(part[0] for part in parts)
    return names


class HistogramPlots(pg.GraphicsLayoutWidget):
    """The heatmap, colour bar, latest bars and norm curves; the ranges follow the data
    until the user zooms or pans, and a double-click shows the whole run again."""

    fitRequested = Signal()  # a double-click: the next draw shows the whole run

    def __init__(self, parent: QWidget | None = None, curves: bool = True) -> None:
        """With `curves` False, only the top row: a view with curves of its own (the
        activations tab) lays them out itself."""
        super().__init__(parent)
        self._with_curves = curves
        self._theme = current_theme()
        self._names: tuple[str, ...] = ()
        self._selected = 0
        self._kind = ""  # the value axis' label: "gradient" or "weight"
        self._fit_view = True
        self._title_step: int | None = -1
        self._follow = True  # the view ranges follow the data until the user zooms or pans
        self._ranges = ((0.0, 0.0), 0.0)  # last x range of the heatmap, top of the bars' axis
        self._level = 0.0  # top of the colour levels, log(1 + count)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(MIN_HEIGHT)  # and MIN_LINES of the theme's font (set_theme)
        self.setToolTip(
            self.tr(
                "Colour shows how many values fall in each bin at each step. "
                "Drag or scroll to zoom; double-click to see the whole run again."
            )
        )
        self._build()
        for plot in (self._heat_plot, self._latest_plot, self._norm_plot):
            plot.getViewBox().sigRangeChangedManually.connect(self._on_view_moved)
        self.scene().sigMouseClicked.connect(self._on_plot_clicked)

    def _build(self) -> None:
        layout = self.ci
        self._heat_plot = pg.PlotItem(
            axisItems={"bottom": SpacedAxis("bottom"), "left": SpacedAxis("left")}
        )
        self._heat_plot.setMenuEnabled(False)
        self._heat_plot.hideButtons()
        self._heat_plot.disableAutoRange()  # draw() sets the ranges, only when they change
        self._heatmap = pg.ImageItem(axisOrder="col-major")  # image[x = column, y = bin]
        self._heat_plot.addItem(self._heatmap)

        self._color_bar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=pg.colormap.get("viridis"),
            interactive=False,
            colorMapMenu=False,
            width=18,
            label=self.tr("count"),
        )
        self._color_bar.setImageItem(self._heatmap)

        self._latest_plot = pg.PlotItem(axisItems={"bottom": SpacedAxis("bottom")})
        self._latest_plot.setMenuEnabled(False)
        self._latest_plot.hideButtons()
        self._latest_plot.setYLink(self._heat_plot)
        self._latest_plot.hideAxis("left")
        self._latest_plot.disableAutoRange()
        self._bars = pg.BarGraphItem(x0=[], y=[], width=[], height=[])
        self._latest_plot.addItem(self._bars)

        self._norm_plot = pg.PlotItem(
            axisItems={"bottom": SpacedAxis("bottom"), "left": LogAxis("left")}
        )
        self._norm_plot.setMenuEnabled(False)
        self._norm_plot.hideButtons()
        self._norm_plot.setLogMode(y=True)
        self._norm_plot.setXLink(self._heat_plot)
        self._norm_plot.enableAutoRange(x=False, y=True)
        self._legend = pg.LegendItem(colCount=1)
        self._norm_curves: list[pg.PlotDataItem] = []
        self._curves_due = False  # the layers changed; the curves are made when next drawn

        layout.addItem(self._heat_plot, 0, 0)
        layout.addItem(self._color_bar, 0, 1)
        layout.addItem(self._latest_plot, 0, 2)
        layout.layout.setColumnStretchFactor(0, 3)
        layout.layout.setColumnStretchFactor(2, 1)
        if not self._with_curves:
            # Unshown, but in a scene of their own: graphics items that belong to no scene
            # are freed by Python's garbage collector in any order, children before their
            # parents, which crashed the process at random moments after a window closed.
            self._spare_scene = QGraphicsScene(self)
            self._spare_scene.addItem(self._norm_plot)
            self._spare_scene.addItem(self._legend)
            return
        layout.addItem(self._norm_plot, 1, 0)
        layout.addItem(self._legend, 1, 1, 1, 2)
        layout.layout.setRowStretchFactor(0, 3)
        layout.layout.setRowStretchFactor(1, 2)
        self._legend.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        layout.layout.setAlignment(
            self._legend, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        )

    # Public API

    @property
    def heatmap(self) -> pg.ImageItem:
        """The heatmap: image[column, bin] = log(1 + mean count per snapshot)."""
        return self._heatmap

    @property
    def color_bar(self) -> pg.ColorBarItem:
        """The heatmap's colour scale, labelled in counts."""
        return self._color_bar

    @property
    def latest_bars(self) -> pg.BarGraphItem:
        """The latest snapshot's histogram as horizontal bars (width = count)."""
        return self._bars

    @property
    def norm_curves(self) -> tuple[pg.PlotDataItem, ...]:
        """One norm-over-time curve per layer, in layer order."""
        self._make_due_curves()
        return tuple(self._norm_curves)

    def set_layers(self, names: tuple[str, ...], selected: int) -> None:
        """A run's layers: their curves are emptied when they are the last run's, else made
        when next drawn (a hidden tab should not stall the run's start)."""
        if names == self._names and not self._curves_due:  # Train again: a legend costs 20 ms
            for curve in self._norm_curves:
                curve.clear()
        else:
            self._names = names
            self._curves_due = True
        self._selected = selected
        self._fit_view = True

    def select_layer(self, index: int) -> None:
        """Draw layer `index`'s curve thick and on top, the others faded."""
        self._selected = index
        self._restyle_curves()

    def set_kind(self, kind: str) -> None:
        """Label the value axis with what is shown ("gradient" or "weight")."""
        self._kind = kind
        self._set_labels()

    def fit_view(self) -> None:
        """Show the whole run at the next draw (a new run, layer or kind)."""
        self._fit_view = True

    def show_nothing(self) -> None:
        """Show no data: empty heatmap, bars and curves (not `clear`, which
        GraphicsLayoutWidget gives to its layout: that would remove the plots)."""
        self._make_due_curves()
        self._heatmap.clear()
        self._bars.setOpts(x0=[], y=[], width=[], height=[])
        for curve in self._norm_curves:
            curve.setData([], [])
        self._set_titles(None)

    def draw(self, frame: HistogramFrame) -> None:
        """Give every plot item the frame's data; ranges and levels change only when needed."""
        self._make_due_curves()
        low, high = float(frame.edges[0]), float(frame.edges[-1])
        mean = frame.mean_counts
        top = max(nice_ceiling(float(mean.max(initial=0.0))), 1.0)  # levels change rarely
        level = math.log1p(top)
        self._heatmap.setImage(
            np.log1p(mean).astype(np.float32), autoLevels=False, levels=(0.0, level)
        )
        if level != self._level:  # a nice round top: changes a few times a run, not per redraw
            self._level = level
            self._color_bar.setLevels((0.0, level))
            # The ends always, the counts between only where they fit: pyqtgraph labels a
            # second level only when it has room (in a short bar they ran into each other).
            ticks = count_ticks(top)
            self._color_bar.axis.setTicks([[ticks[0], ticks[-1]], ticks[1:-1]])
        x0, x1 = frame.steps
        self._heatmap.setRect(QRectF(x0, low, x1 - x0, high - low))

        counts, edges = frame.latest_counts, frame.edges
        centres = (edges[:-1] + edges[1:]) / 2
        self._bars.setOpts(x0=np.zeros_like(counts), y=centres, width=counts, height=np.diff(edges))
        self._set_titles(frame.latest_step)

        norms = np.where(frame.norms > 0, frame.norms, np.nan)  # log axis: zero or NaN, a gap
        for index, curve in enumerate(self._norm_curves):
            if index < norms.shape[1]:
                curve.setData(frame.column_steps, norms[:, index], connect="finite")
        if self._fit_view:  # a new run, layer or kind, or a double-click: show all of it
            self._fit_view = False
            self._follow = True
            self._ranges = ((0.0, 0.0), 0.0)
            self._heat_plot.setLimits(yMin=low, yMax=high)
            self._heat_plot.setYRange(low, high, padding=0)
            self._norm_plot.enableAutoRange(y=True)
        if self._follow:  # until the user zooms or pans
            ranges = ((x0, x0 + roomy_ceiling(x1 - x0)), roomy_ceiling(float(counts.max())))
            if ranges != self._ranges:
                self._ranges = ranges
                self._heat_plot.setXRange(*ranges[0], padding=0)
                self._latest_plot.setXRange(0, ranges[1], padding=0)

    def set_theme(self, theme: Theme) -> None:
        """Colours and fonts for the plots, from the app theme."""
        self._theme = theme
        font = QFont(QGuiApplication.font())
        self.setBackground(theme.plot_background)
        for plot in (self._heat_plot, self._latest_plot, self._norm_plot, self._color_bar):
            color_axes(plot, theme)
            for name in AXES:
                axis = plot.getAxis(name)
                axis.setStyle(tickFont=font)
                axis.label.setFont(font)
        metrics = QFontMetrics(font)
        bar_axis = self._color_bar.axis
        bar_axis.setTextPen(pg.mkPen(theme.plot_foreground))
        bar_axis.setStyle(tickFont=font)
        bar_axis.setWidth(metrics.horizontalAdvance("100k") + 12)
        left_width = left_axis_width(font)
        self._heat_plot.getAxis("left").setWidth(left_width)
        self._norm_plot.getAxis("left").setWidth(left_width)
        # Room for three x tick labels per plot, so they never run into each other.
        plot_width = left_width + 4 * metrics.horizontalAdvance("10000")
        latest_width = metrics.horizontalAdvance("latest: step 10000") + 8
        self._heat_plot.setMinimumWidth(plot_width)
        self._norm_plot.setMinimumWidth(plot_width)
        self._latest_plot.setMinimumWidth(latest_width)
        # The colour bar spans exactly the heatmap's height: same title row, same bottom axis.
        bottom_height = 2 * metrics.height() + 6
        for plot in (self._heat_plot, self._latest_plot, self._color_bar):
            plot.getAxis("bottom").setHeight(bottom_height)
        bar_width = 18 + bar_axis.width() + 2 * metrics.height()
        self.setMinimumWidth(plot_width + bar_width + latest_width + 24)
        self._legend.setLabelTextColor(theme.plot_foreground)
        self._legend.setLabelTextSize(f"{font.pointSizeF():g}pt")
        self._legend.setPen(pg.mkPen(None))
        if not self._curves_due:  # the rows may change with the font
            self._fill_legend()
        if self._with_curves:  # the activations tab sets its own top row's height
            self.setMinimumHeight(max(MIN_HEIGHT, MIN_LINES * metrics.lineSpacing()))
        self._bars.setOpts(brush=pg.mkBrush(theme.accent), pen=pg.mkPen(theme.plot_background))
        self._set_labels()
        self._title_step = -1  # set the titles again, in the new colours
        self._set_titles(None)
        self._restyle_curves()

    # Internals

    def _set_labels(self) -> None:
        """Axis labels for the kind shown (set on change only: each one relayouts the plots)."""
        for plot, side, text in (
            (self._heat_plot, "left", self._kind),
            (self._heat_plot, "bottom", self.tr("training step")),
            (self._norm_plot, "left", self.tr("norm (log)")),
            (self._norm_plot, "bottom", self.tr("training step")),
            (self._latest_plot, "bottom", self.tr("count")),
        ):
            set_axis_label(plot, side, text, self._theme)

    def _set_titles(self, step: int | None) -> None:
        """Titles over the top row (equal heights keep the shared value axis aligned); only
        the latest step changes per redraw."""
        size = f"{QGuiApplication.font().pointSizeF():g}pt"
        color = self._theme.plot_foreground
        if self._title_step == -1:  # first call, or a new theme
            self._heat_plot.setTitle(self.tr("over training"), size=size, color=color)
            self._color_bar.setTitle(" ", size=size)
        if self._title_step != step:
            self._title_step = step
            latest = self.tr("latest") if step is None else self.tr("latest: step {0}")
            self._latest_plot.setTitle(latest.replace("{0}", str(step)), size=size, color=color)

    def _legend_rows(self) -> int:
        return LARGE_FONT_LEGEND_ROWS if self._theme.font_scale >= LARGE_FONT else LEGEND_ROWS

    def _make_due_curves(self) -> None:
        if self._curves_due:
            self._curves_due = False
            self._make_curves()

    def _make_curves(self) -> None:
        """One curve per layer; made per run, not per report."""
        for curve in self._norm_curves:
            self._norm_plot.removeItem(curve)
        self._norm_curves = []
        for _name in self._names:
            curve = pg.PlotDataItem()
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self._norm_plot.addItem(curve)
            self._norm_curves.append(curve)
        self._fill_legend()
        self._restyle_curves()

    def _fill_legend(self) -> None:
        """A legend entry per curve, in as many columns as the font's rows need."""
        self._legend.clear()
        rows = self._legend_rows()
        self._legend.setColumnCount(max(1, math.ceil(len(self._names) / rows)))
        for curve, label in zip(self._norm_curves, legend_labels(self._names, rows), strict=True):
            self._legend.addItem(curve, label)

    def _restyle_curves(self) -> None:
        """Every layer in its own colour; the selected one thick and on top, the rest faded."""
        self._make_due_curves()
        colors = self._theme.class_colors
        selected = self._selected
        for index, curve in enumerate(self._norm_curves):
            color = pg.mkColor(colors[index % len(colors)])
            # Thick antialiased paths are very slow to stroke in Qt (seconds for a jagged
            # curve), so the thick one is drawn as separate segments and the others are thin
            # (in the presentation look, 3 px: as segments too).
            if index == selected:
                curve.setPen(pg.mkPen(color, width=self._theme.line_width(3)))
                curve.curve.setSegmentedLineMode("on")
                curve.setZValue(10)
            else:
                color.setAlpha(160)
                width = self._theme.line_width(1)
                curve.setPen(pg.mkPen(color, width=width))
                curve.curve.setSegmentedLineMode("on" if width > THIN_LINE else "auto")
                curve.setZValue(0)
        labels = legend_labels(self._names, self._legend_rows())
        for sample, label in self._legend.items:
            index = self._norm_curves.index(sample.item)
            bold = "<b>{0}</b>" if index == selected else "{0}"
            label.setText(bold.replace("{0}", labels[index]))

    def _on_view_moved(self, *_args: object) -> None:
        self._follow = False

    def _on_plot_clicked(self, event: object) -> None:
        if event.double():
            self._fit_view = True
            self.fitRequested.emit()


if __name__ == "__main__":
    # `python -m widgets.histogram_plots [dark]`: the first layer of a made-up run.
    import sys

    from widgets.demo import demo_application
    from widgets.demo_data import fake_report

    app = demo_application()
    report = fake_report(0, 200, 10, np.random.default_rng(0))
    plots = HistogramPlots()
    plots.set_theme(current_theme())
    plots.set_kind("gradient")
    plots.set_layers(("0 Linear", "2 Linear", "4 Linear"), 0)
    edges = report.grad_edges[0]
    plots.draw(
        HistogramFrame(
            mean_counts=report.grad_counts[:, 0],
            steps=(-5.0, float(report.steps[-1]) + 5),
            edges=edges,
            latest_counts=report.grad_counts[-1, 0],
            latest_step=int(report.steps[-1]),
            column_steps=report.steps.astype(np.float64),
            norms=report.grad_norms,
        )
    )
    plots.resize(900, 560)
    plots.setWindowTitle("HistogramPlots")
    plots.show()
    sys.exit(app.exec())
