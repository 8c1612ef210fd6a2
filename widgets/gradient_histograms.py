"""GradientHistogramWidget: how each layer's gradients (or weights) are distributed over training.

A heatmap shows one layer's histogram at every snapshot (x = step, y = value, colour = count),
beside it the latest histogram as bars on the same value axis, and below it every layer's
gradient norm over time. Bins are fixed at run start, so columns stay comparable all run long.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.reports import HistogramReport, RunStarted
from widgets.theme import Theme, current_theme

MAX_COLUMNS = 2000  # heatmap columns kept; beyond this, adjacent columns merge pairwise
REDRAW_MS = 33  # at most ~30 redraws a second, and only when something changed
GRADIENTS, WEIGHTS = "gradients", "weights"
_COUNT_TICKS = (0, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9)


def _nice_ceiling(value: float) -> float:
    """Round up to 1, 2 or 5 times a power of ten (1 for nothing positive)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if value <= step * power)


def _roomy_ceiling(value: float) -> float:
    """Round up on a finer 1-1.2-1.5-...-8 scale: a view range that leaves at most a fifth
    empty and changes rarely, so axes are not re-laid out on every redraw."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    steps = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
    return next(step * power for step in steps if value <= step * power * (1 + 1e-9))


def _count_label(value: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


class _SpacedAxis(pg.AxisItem):
    """A bottom axis whose major ticks are spaced so their labels never run into each other
    (pyqtgraph keeps at least three major ticks, which overlap on a narrow plot)."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.setStyle(hideOverlappingLabels=12)  # a "0" at the very left edge still shows

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list:
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or size <= 0 or maxVal <= minVal:
            return levels
        metrics = QFontMetrics(self.style["tickFont"] or QFont())
        widest = max(abs(minVal), abs(maxVal)) * self.autoSIPrefixScale * self.scale
        label = metrics.horizontalAdvance(f"{widest:.0f}") + metrics.horizontalAdvance("00")
        needed = label * (maxVal - minVal) / size  # one label and a gap, in axis units
        if levels[0][0] >= needed:
            return levels
        major = _nice_ceiling(needed)
        minor = major / (4 if f"{major:e}".startswith("2") else 5)
        return [(major, 0.0), (minor, 0.0)]


class _LogAxis(pg.AxisItem):
    """A log axis that labels only as many ticks as fit: decades first, then 2 and 5, then the
    rest (pyqtgraph labels 2-9 inside a short decade, and the labels pile up)."""

    def logTickValues(self, minVal: float, maxVal: float, size: float, stdTicks: list) -> list:
        levels = super().logTickValues(minVal, maxVal, size, stdTicks)
        if size <= 0 or maxVal <= minVal:
            return levels
        font = self.style["tickFont"] or QFont()
        gap = 1.3 * QFontMetrics(font).height() * (maxVal - minVal) / size  # in decades
        kept: list[float] = []
        thinned = []
        for spacing, values in levels:
            chosen = []
            for value in sorted(values, key=_log_tick_rank):
                if all(abs(value - other) >= gap for other in kept):
                    kept.append(value)
                    chosen.append(value)
            thinned.append((spacing, sorted(chosen)))
        return thinned

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{10**value:.3g}" for value in values]  # "10" and "0.01", not "10¹"


def _log_tick_rank(value: float) -> int:
    """Which log ticks to label first: 1, 10, 100 ...; then 2 and 5; then the others."""
    mantissa = round(10 ** (value - math.floor(value + 1e-9)))
    return {1: 0, 10: 0, 2: 1, 5: 1}.get(mantissa, 2)


class _Columns:
    """Snapshots of one kind (gradients or weights) as heatmap columns with bounded memory.

    Each column sums the counts (and norms) of `span` consecutive snapshots. When MAX_COLUMNS
    are full, adjacent columns merge pairwise and `span` doubles: every column then covers the
    same number of snapshots, so the image's x axis stays linear in steps and the whole run,
    step 0 included, stays visible.
    """

    def __init__(self, layers: int, bins: int) -> None:
        self.n = 0
        self.span = 1
        self.counts = np.zeros((64, layers, bins))
        self.norms = np.zeros((64, layers))
        self.snapshots = np.zeros(64, dtype=np.int64)  # snapshots summed into each column
        self.first = np.zeros(64, dtype=np.int64)  # first and last step each column covers
        self.last = np.zeros(64, dtype=np.int64)

    def add(self, step: int, counts: np.ndarray, norms: np.ndarray) -> None:
        n = self.n
        if n and self.snapshots[n - 1] < self.span:
            column = n - 1
        else:
            if n == MAX_COLUMNS:
                self._merge()
            elif n == len(self.snapshots):
                self._grow()
            column = self.n
            self.n += 1
            self.counts[column] = 0
            self.norms[column] = 0
            self.snapshots[column] = 0
            self.first[column] = step
        self.counts[column] += counts
        self.norms[column] += norms
        self.snapshots[column] += 1
        self.last[column] = step

    def _grow(self) -> None:
        size = min(2 * len(self.snapshots), MAX_COLUMNS)
        for name in ("counts", "norms", "snapshots", "first", "last"):
            old = getattr(self, name)
            new = np.zeros((size, *old.shape[1:]), dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def _merge(self) -> None:
        half = self.n // 2  # MAX_COLUMNS is even and every column is full here
        for name in ("counts", "norms", "snapshots"):
            array = getattr(self, name)
            array[:half] = array[0 : self.n : 2] + array[1 : self.n : 2]
        self.first[:half] = self.first[0 : self.n : 2]
        self.last[:half] = self.last[1 : self.n : 2]
        self.n = half
        self.span *= 2


class GradientHistogramWidget(QWidget):
    """Live per-layer histograms of gradients or weights, with every layer's norm over time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: tuple[str, ...] = ()
        self._edges: dict[str, np.ndarray] = {}
        self._columns: dict[str, _Columns] = {}
        self._latest: dict[str, np.ndarray] = {}
        self._latest_step = 0
        self._interval = 1  # steps between snapshots
        self._dirty = False
        self._fit_view = True
        self._title_step: int | None = -1
        self._follow = True  # the view ranges follow the data until the user zooms or pans
        self._ranges = ((0.0, 0.0), 0.0)  # last x range of the heatmap, top of the bars' axis
        self._level = 0.0  # top of the colour levels, log(1 + count)

        self._layer_combo = QComboBox()
        self._layer_combo.setToolTip(
            self.tr(
                "The layer whose distribution the heatmap and bars show (its position and kind)."
            )
        )
        self._layer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._layer_combo.setMinimumContentsLength(10)
        self._gradients_button = QToolButton()
        self._gradients_button.setText(self.tr("Gradients"))
        self._gradients_button.setToolTip(
            self.tr(
                "Show the gradients: how hard each weight is pushed at each step. A spread "
                "that shrinks to a thin line at zero means the layer has stopped learning."
            )
        )
        self._weights_button = QToolButton()
        self._weights_button.setText(self.tr("Weights"))
        self._weights_button.setToolTip(
            self.tr("Show the weights themselves: how their values spread out as the model learns.")
        )
        self._kind_group = QButtonGroup(self)
        for button in (self._gradients_button, self._weights_button):
            button.setCheckable(True)
            self._kind_group.addButton(button)
        self._gradients_button.setChecked(True)

        layer_label = QLabel(self.tr("Layer"))
        layer_label.setBuddy(self._layer_combo)
        show_label = QLabel(self.tr("Show"))
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(layer_label)
        controls.addWidget(self._layer_combo, 1)
        controls.addSpacing(12)
        controls.addWidget(show_label)
        controls.addWidget(self._gradients_button)
        controls.addWidget(self._weights_button)
        self._controls = QWidget()
        self._controls.setLayout(controls)

        self._empty = QLabel()
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setMargin(24)

        self._view = pg.GraphicsLayoutWidget()
        self._view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._view.setMinimumHeight(360)
        self._view.setToolTip(
            self.tr(
                "Colour shows how many values fall in each bin at each step. "
                "Drag or scroll to zoom; double-click to see the whole run again."
            )
        )
        self._build_plots()

        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._view)

        layout = QVBoxLayout(self)
        layout.addWidget(self._controls)
        layout.addWidget(self._stack, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_due)

        self._layer_combo.currentIndexChanged.connect(self._on_selection_changed)
        for plot in (self._heat_plot, self._latest_plot, self._norm_plot):
            plot.getViewBox().sigRangeChangedManually.connect(self._on_view_moved)
        self._view.scene().sigMouseClicked.connect(self._on_plot_clicked)
        self._kind_group.buttonToggled.connect(self._on_selection_changed)

        self.set_theme(current_theme())
        self._show_empty(self.tr("Press Train to see how each layer's gradients are distributed."))

    def _build_plots(self) -> None:
        layout = self._view.ci
        self._heat_plot = pg.PlotItem(axisItems={"bottom": _SpacedAxis("bottom")})
        self._heat_plot.setMenuEnabled(False)
        self._heat_plot.hideButtons()
        self._heat_plot.disableAutoRange()  # redraw() sets the ranges, only when they change
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

        self._latest_plot = pg.PlotItem(axisItems={"bottom": _SpacedAxis("bottom")})
        self._latest_plot.setMenuEnabled(False)
        self._latest_plot.hideButtons()
        self._latest_plot.setYLink(self._heat_plot)
        self._latest_plot.hideAxis("left")
        self._latest_plot.disableAutoRange()
        self._bars = pg.BarGraphItem(x0=[], y=[], width=[], height=[])
        self._latest_plot.addItem(self._bars)

        self._norm_plot = pg.PlotItem(
            axisItems={"bottom": _SpacedAxis("bottom"), "left": _LogAxis("left")}
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
        layout.addItem(self._norm_plot, 1, 0)
        layout.addItem(self._legend, 1, 1, 1, 2)
        layout.layout.setColumnStretchFactor(0, 3)
        layout.layout.setColumnStretchFactor(2, 1)
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

    def layer(self) -> int:
        """Index (into RunStarted.layer_names) of the layer shown."""
        return max(self._layer_combo.currentIndex(), 0)

    def set_layer(self, index: int) -> None:
        self._layer_combo.setCurrentIndex(index)

    def showing(self) -> str:
        """GRADIENTS or WEIGHTS."""
        return WEIGHTS if self._weights_button.isChecked() else GRADIENTS

    def set_showing(self, kind: str) -> None:
        (self._weights_button if kind == WEIGHTS else self._gradients_button).setChecked(True)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per heatmap column: first step, last step and how many snapshots it sums."""
        columns = self._columns.get(self.showing())
        if columns is None:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        n = columns.n
        return columns.first[:n].copy(), columns.last[:n].copy(), columns.snapshots[:n].copy()

    def column_counts(self) -> np.ndarray:
        """Summed counts (columns, bins) of the layer and kind shown."""
        columns = self._columns.get(self.showing())
        if columns is None:
            return np.zeros((0, 0))
        return columns.counts[: columns.n, self.layer()].copy()

    def edges(self) -> np.ndarray | None:
        """Bin edges (B + 1,) of the layer and kind shown, fixed since the run's first report."""
        edges = self._edges.get(self.showing())
        return None if edges is None else edges[self.layer()]

    def set_theme(self, theme: Theme) -> None:
        """Colours and fonts for the plots, from the app theme."""
        self._theme = theme
        font = QFont(QGuiApplication.font())
        self._view.setBackground(theme.plot_background)
        for plot in (self._heat_plot, self._latest_plot, self._norm_plot, self._color_bar):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(theme.plot_foreground))
                axis.setTextPen(pg.mkPen(theme.plot_foreground))
                axis.setStyle(tickFont=font)
                axis.label.setFont(font)
        metrics = QFontMetrics(font)
        bar_axis = self._color_bar.axis
        bar_axis.setTextPen(pg.mkPen(theme.plot_foreground))
        bar_axis.setStyle(tickFont=font)
        bar_axis.setWidth(metrics.horizontalAdvance("100k") + 12)
        left_width = metrics.horizontalAdvance("-0.0005") + metrics.height() + 14
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
        self._view.setMinimumWidth(plot_width + bar_width + latest_width + 24)
        self._legend.setLabelTextColor(theme.plot_foreground)
        self._legend.setLabelTextSize(f"{font.pointSizeF():g}pt")
        self._legend.setPen(pg.mkPen(None))
        self._bars.setOpts(brush=pg.mkBrush(theme.accent), pen=pg.mkPen(theme.plot_background))
        self._set_labels()
        self._title_step = -1  # set the titles again, in the new colours
        self._set_titles(None)
        self._restyle_curves()
        self._mark_dirty()

    def export_png(self, path: str) -> bool:
        """Save the plots (or the empty-state text) as a PNG; False when it could not be written."""
        if self._dirty:
            self.redraw()
        return self._stack.currentWidget().grab().save(path, "PNG")

    # Slots

    def reset(self, run_started: RunStarted) -> None:
        """Forget the last run and get ready for this one's layers."""
        previous = self.layer()
        same_layers = tuple(run_started.layer_names) == self._names and not self._curves_due
        self._names = tuple(run_started.layer_names)
        self._edges.clear()
        self._columns.clear()
        self._latest.clear()
        self._latest_step = 0
        self._interval = 1
        self._layer_combo.blockSignals(True)
        self._layer_combo.clear()
        self._layer_combo.addItems(list(self._names))
        self._layer_combo.setCurrentIndex(previous if previous < len(self._names) else 0)
        self._layer_combo.blockSignals(False)
        if same_layers:  # the common case, Train again: making the legend costs 20 ms
            for curve in self._norm_curves:
                curve.clear()
        else:  # made when first shown: a hidden tab should not stall the run's start
            self._curves_due = True
        if self._names:  # empty axes would only show meaningless 0-1 ranges
            self._show_empty(self.tr("The first histograms arrive after a few training steps."))
        else:
            self._show_empty(self.tr("This model has no layers with weights, so no histograms."))
        self._fit_view = True
        self._mark_dirty()

    def add_histograms(self, report: HistogramReport) -> None:
        """Append the report's snapshots; bins are the ones of the run's first report."""
        steps = np.asarray(report.steps, dtype=np.int64)
        if not len(steps):
            return
        if not self._columns:
            self._start(report)
        data = {
            GRADIENTS: (report.grad_counts, report.grad_norms),
            WEIGHTS: (report.weight_counts, report.weight_norms),
        }
        for kind, (counts, norms) in data.items():
            columns = self._columns[kind]
            counts = np.nan_to_num(np.asarray(counts, dtype=np.float64), nan=0.0, posinf=0.0)
            norms = np.asarray(norms, dtype=np.float64)
            for index, step in enumerate(steps):
                columns.add(int(step), counts[index], norms[index])
            self._latest[kind] = counts[-1].copy()
        first = self._columns[GRADIENTS].first[0]
        if self._interval == 1 and steps[-1] > first:
            # Steps between snapshots: the first gap seen (the engine snapshots every N steps).
            later = steps[steps > first]
            self._interval = int(later[0] - first)
        self._latest_step = int(steps[-1])
        self._mark_dirty()

    def redraw(self) -> None:
        """Update the plot items from the buffers (the timer calls this when dirty and visible)."""
        self._dirty = False
        self._make_due_curves()
        kind = self.showing()
        columns = self._columns.get(kind)
        if columns is None or columns.n == 0:
            self._heatmap.clear()
            self._bars.setOpts(x0=[], y=[], width=[], height=[])
            for curve in self._norm_curves:
                curve.setData([], [])
            self._set_titles(None)
            return
        layer = min(self.layer(), columns.counts.shape[1] - 1)
        n = columns.n
        edges = self._edges[kind][layer]
        low, high = float(edges[0]), float(edges[-1])

        mean = columns.counts[:n, layer] / columns.snapshots[:n, None]
        top = max(_nice_ceiling(float(mean.max(initial=0.0))), 1.0)  # levels change rarely
        level = math.log1p(top)
        self._heatmap.setImage(
            np.log1p(mean).astype(np.float32), autoLevels=False, levels=(0.0, level)
        )
        if level != self._level:  # a nice round top: changes a few times a run, not per redraw
            self._level = level
            self._color_bar.setLevels((0.0, level))
            ticks = [t for t in _COUNT_TICKS if t <= top]
            if level - math.log1p(ticks[-1]) > 0.15 * level:
                ticks.append(top)  # label the top of the bar when it is far from the last tick
            self._color_bar.axis.setTicks([[(math.log1p(t), _count_label(t)) for t in ticks]])
        half = self._interval / 2
        x0 = columns.first[0] - half
        x1 = columns.last[n - 1] + half
        self._heatmap.setRect(QRectF(x0, low, x1 - x0, high - low))

        counts = self._latest[kind][layer]
        centres = (edges[:-1] + edges[1:]) / 2
        self._bars.setOpts(x0=np.zeros_like(counts), y=centres, width=counts, height=np.diff(edges))
        self._set_titles(self._latest_step)

        x = (columns.first[:n] + columns.last[:n]) / 2
        norms = columns.norms[:n] / columns.snapshots[:n, None]
        norms = np.where(norms > 0, norms, np.nan)  # log axis: zero or NaN norms leave a gap
        for index, curve in enumerate(self._norm_curves):
            if index < norms.shape[1]:
                curve.setData(x, norms[:, index], connect="finite")
        if self._fit_view:  # a new run, layer or kind, or a double-click: show all of it
            self._fit_view = False
            self._follow = True
            self._ranges = ((0.0, 0.0), 0.0)
            self._heat_plot.setLimits(yMin=low, yMax=high)
            self._heat_plot.setYRange(low, high, padding=0)
            self._norm_plot.enableAutoRange(y=True)
        if self._follow:  # until the user zooms or pans
            ranges = ((x0, x0 + _roomy_ceiling(x1 - x0)), _roomy_ceiling(float(counts.max())))
            if ranges != self._ranges:
                self._ranges = ranges
                self._heat_plot.setXRange(*ranges[0], padding=0)
                self._latest_plot.setXRange(0, ranges[1], padding=0)

    # Internals

    def _start(self, report: HistogramReport) -> None:
        layers, bins = report.grad_counts.shape[1:]
        self._edges[GRADIENTS] = np.asarray(report.grad_edges, dtype=np.float64).copy()
        self._edges[WEIGHTS] = np.asarray(report.weight_edges, dtype=np.float64).copy()
        self._columns = {kind: _Columns(layers, bins) for kind in (GRADIENTS, WEIGHTS)}
        if len(self._names) != layers:  # no RunStarted seen: name layers by position
            self._names = tuple(f"{i}" for i in range(layers))
            self._layer_combo.blockSignals(True)
            self._layer_combo.clear()
            self._layer_combo.addItems(list(self._names))
            self._layer_combo.blockSignals(False)
            self._make_curves(layers)
        self._stack.setCurrentWidget(self._view)
        self._controls.show()

    def _set_labels(self) -> None:
        """Axis labels for the kind shown (set on change only: each one relayouts the plots)."""
        kind = self.tr("gradient") if self.showing() == GRADIENTS else self.tr("weight")
        self._heat_plot.setLabel("left", kind)
        self._heat_plot.setLabel("bottom", self.tr("training step"))
        self._norm_plot.setLabel("left", self.tr("norm (log)"))
        self._norm_plot.setLabel("bottom", self.tr("training step"))
        self._latest_plot.setLabel("bottom", self.tr("count"))
        for plot in (self._heat_plot, self._norm_plot, self._latest_plot):
            for side in ("left", "bottom"):  # plain numbers, never "gradient (x0.001)"
                plot.getAxis(side).enableAutoSIPrefix(False)

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

    def _show_empty(self, text: str) -> None:
        self._empty.setText(text)
        self._stack.setCurrentWidget(self._empty)
        self._controls.hide()  # nothing to choose between yet

    def _make_due_curves(self) -> None:
        if self._curves_due:
            self._curves_due = False
            self._make_curves(len(self._names))

    def _make_curves(self, layers: int) -> None:
        """One curve per layer; made per run, not per report."""
        for curve in self._norm_curves:
            self._norm_plot.removeItem(curve)
        self._legend.clear()
        self._legend.setColumnCount(max(1, math.ceil(layers / 5)))  # five rows fit below
        self._norm_curves = []
        for index in range(layers):
            curve = pg.PlotDataItem()
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self._norm_plot.addItem(curve)
            self._legend.addItem(curve, self._names[index])
            self._norm_curves.append(curve)
        self._restyle_curves()

    def _restyle_curves(self) -> None:
        """Every layer in its own colour; the selected one thick and on top, the rest faded."""
        self._make_due_curves()
        colors = self._theme.class_colors
        selected = self.layer()
        for index, curve in enumerate(self._norm_curves):
            color = pg.mkColor(colors[index % len(colors)])
            # Thick antialiased paths are very slow to stroke in Qt (seconds for a jagged
            # curve), so the thick one is drawn as separate segments and the others are thin.
            if index == selected:
                curve.setPen(pg.mkPen(color, width=3))
                curve.curve.setSegmentedLineMode("on")
                curve.setZValue(10)
            else:
                color.setAlpha(160)
                curve.setPen(pg.mkPen(color, width=1))
                curve.curve.setSegmentedLineMode("auto")
                curve.setZValue(0)
        for sample, label in self._legend.items:
            index = self._norm_curves.index(sample.item)
            bold = "<b>{0}</b>" if index == selected else "{0}"
            label.setText(bold.replace("{0}", self._names[index]))

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _on_redraw_due(self) -> None:
        if self._dirty and self.isVisible():
            self.redraw()

    def _on_view_moved(self, *_args: object) -> None:
        self._follow = False

    def _on_plot_clicked(self, event: object) -> None:
        if event.double():
            self._fit_view = True
            self._mark_dirty()

    def _on_selection_changed(self, *_args: object) -> None:
        self._set_labels()
        self._restyle_curves()
        self._fit_view = True
        self._mark_dirty()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._timer.start()


def fake_report(
    first_step: int, snapshots: int, every: int, rng: np.random.Generator
) -> HistogramReport:
    """A made-up HistogramReport for three layers: gradients fade, weights spread out."""
    bins, sizes = 40, (2000, 4000, 300)
    grad_edges = np.array([np.linspace(-b, b, bins + 1) for b in (0.02, 0.1, 0.2)])
    weight_edges = np.array([np.linspace(-b, b, bins + 1) for b in (1.0, 0.5, 0.5)])
    steps = first_step + every * np.arange(snapshots)
    grad_counts, weight_counts = [], []
    grad_norms, weight_norms = [], []
    for step in steps:
        fade = math.exp(-step / 1500)
        g_rows, w_rows, g_norm, w_norm = [], [], [], []
        for layer, size in enumerate(sizes):
            scale = (0.004, 0.03, 0.08)[layer] * (0.15 + fade) * (1 + 0.2 * rng.standard_normal())
            grads = rng.normal(0, abs(scale), size)
            weights = rng.normal(0, (0.15, 0.08, 0.1)[layer] * (1 + step / 3000), size)
            for values, edges, rows, norm in (
                (grads, grad_edges, g_rows, g_norm),
                (weights, weight_edges, w_rows, w_norm),
            ):
                clipped = np.clip(values, edges[layer, 0], edges[layer, -1])
                rows.append(np.histogram(clipped, edges[layer])[0])
                norm.append(float(np.linalg.norm(values)))
        grad_counts.append(g_rows)
        weight_counts.append(w_rows)
        grad_norms.append(g_norm)
        weight_norms.append(w_norm)
    return HistogramReport(
        steps=steps,
        grad_counts=np.array(grad_counts, dtype=np.float64),
        grad_norms=np.array(grad_norms),
        weight_counts=np.array(weight_counts, dtype=np.float64),
        weight_norms=np.array(weight_norms),
        grad_edges=grad_edges,
        weight_edges=weight_edges,
    )


FAKE_RUN = RunStarted(
    device="cpu",
    dtype="float32",
    task_kind="classification",
    param_count=6300,
    train_samples=800,
    val_samples=200,
    steps_per_epoch=25,
    epochs=200,
    layer_names=("0 Linear", "2 Linear", "4 Linear"),
    threads=1,
)


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    widget = GradientHistogramWidget()
    widget.setWindowTitle("GradientHistogramWidget")
    widget.resize(900, 600)
    widget.show()
    rng = np.random.default_rng(0)
    state = {"step": 0}

    def _tick() -> None:
        widget.add_histograms(fake_report(state["step"], 2, 10, rng))
        state["step"] += 20

    QTimer.singleShot(1500, lambda: widget.reset(FAKE_RUN))
    feeder = QTimer()
    feeder.setInterval(60)
    feeder.timeout.connect(_tick)
    QTimer.singleShot(1600, feeder.start)
    sys.exit(app.exec())
