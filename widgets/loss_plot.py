"""LossPlotWidget: the live loss of every training step, its smoothed trend and the validation
metrics per epoch, in two stacked plots that share the step axis.

Slots only append to bounded buffers and mark the widget dirty; one 30 Hz timer redraws while
the widget is visible (every percent of a core the GUI burns is a percent of training speed).
Long runs keep at most `MAX_POINTS` loss points: when the buffer fills, the older part is
decimated 2:1 into (min, max) pairs, so the whole run stays visible, spikes included.
"""

from __future__ import annotations

import html
import math

import numpy as np
from PySide6.QtCore import QCoreApplication, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from app.reports import EpochReport, Marker, RunStarted, StepsReport
from widgets.theme import current_theme

MAX_POINTS = 200_000  # loss points kept; the older part is decimated beyond this
MAX_MARKERS = 100
REDRAW_MS = 200  # 5 Hz: every redraw takes a core share from training (bench/gui_vs_bare.py)
DEFAULT_SMOOTHING = 0.6
SLIDER_STEPS = 100  # slider value v means smoothing v / 100, 0 to 0.99
MARKER_LABEL_HEIGHTS = (0.92, 0.76, 0.6)  # cycled, so labels of close markers do not overlap


def smooth(
    x: np.ndarray, y: np.ndarray, weight: float, state: tuple[float, float, float] | None
) -> tuple[np.ndarray, tuple[float, float, float] | None]:
    """TensorBoard's debiased exponential moving average of `y` at steps `x`.

    `state` is (last, first step, last step) from the previous call, or None to start; the new
    state is returned with the smoothed values, so long runs are smoothed a chunk at a time.
    A gap of d steps decays the average by weight**d, as if the value had held over the gap,
    which keeps decimated (sparser) points smoothed over the same number of steps.
    Non-finite values are not smoothed (NaN) and leave the average as it was.
    """
    out = np.full(len(y), np.nan)
    finite = np.isfinite(y)
    steps, values = x[finite], y[finite]
    if len(steps) == 0:
        return out, state
    if state is None:  # the first finite value starts the average
        last, first, previous = 0.0, steps[0] - 1.0, steps[0] - 1.0
    else:
        last, first, previous = state
    decay = weight ** np.diff(steps, prepend=previous)
    gain = (1.0 - decay) * values
    averages = []
    append = averages.append
    for d, g in zip(decay.tolist(), gain.tolist(), strict=True):  # the one sequential part
        last = last * d + g
        append(last)
    out[finite] = np.array(averages) / (1.0 - weight ** (steps - first))
    return out, (last, float(first), float(steps[-1]))


def _extremes(y: np.ndarray, group: int) -> np.ndarray:
    """Indices of the smallest and largest value of every `group` values of `y` (whose length
    is a multiple of `group`), in step order. NaN is neither, unless a whole group is NaN."""
    groups = y.reshape(-1, group)
    low = np.argmin(np.where(np.isnan(groups), np.inf, groups), axis=1)
    high = np.argmax(np.where(np.isnan(groups), -np.inf, groups), axis=1)
    pairs = np.stack([np.minimum(low, high), np.maximum(low, high)], axis=1)
    return (pairs + np.arange(0, len(y), group)[:, None]).ravel()


class LossBuffer:
    """Step, loss and smoothed loss of a run in at most `capacity` points.

    Point 0, the first step, is kept as it is. Then come `committed` points: (min, max) pairs,
    each standing for `bucket` steps; then the newest steps, one point each. When the buffer is
    full, adjacent pairs merge and the newest steps become pairs of twice the bucket, so the
    whole run stays visible at an even resolution, spikes included, and about half the space
    frees (always some, for capacities of 16 and more).
    """

    def __init__(self, capacity: int = MAX_POINTS) -> None:
        self.capacity = max(16, capacity)
        self.x = np.zeros(self.capacity)
        self.y = np.zeros(self.capacity)
        self.s = np.zeros(self.capacity)
        self.size = 0
        self.committed = 0
        self.bucket = 2  # steps per committed pair: 2 until the first decimation

    def clear(self) -> None:
        self.size = self.committed = 0
        self.bucket = 2

    def append(self, x: np.ndarray, y: np.ndarray, s: np.ndarray) -> None:
        start = 0
        while start < len(x):
            if self.size == self.capacity:
                self.decimate()
            end = min(len(x), start + self.capacity - self.size)
            part = slice(self.size, self.size + end - start)
            self.x[part], self.y[part], self.s[part] = x[start:end], y[start:end], s[start:end]
            self.size += end - start
            start = end

    def decimate(self) -> None:
        """Halve the resolution of all but the newest steps."""
        bucket = 2 * self.bucket
        merged_end = 1 + self.committed - self.committed % 4  # an odd last pair stays as it is
        raw_start = 1 + self.committed
        raw = self.size - raw_start - 1  # the newest step always stays a point of its own
        chunk = bucket
        while chunk > max(4, raw):  # tiny buffers on long runs: smaller chunks, but progress
            chunk //= 2
        raw_end = raw_start + max(0, raw) // chunk * chunk
        index = np.concatenate(
            [
                np.zeros(1, dtype=np.intp),
                1 + _extremes(self.y[1:merged_end], 4),
                np.arange(merged_end, raw_start),
                raw_start + _extremes(self.y[raw_start:raw_end], chunk),
                np.arange(raw_end, self.size),
            ]
        )
        for array in (self.x, self.y, self.s):
            array[: len(index)] = array[index]
        self.committed = len(index) - 1 - (self.size - raw_end)
        self.size, self.bucket = len(index), bucket

    def recompute_smoothed(self, weight: float) -> tuple[float, float, float] | None:
        """Smooth the kept points again (after a smoothing change); returns the new state."""
        smoothed, state = smooth(self.x[: self.size], self.y[: self.size], weight, None)
        self.s[: self.size] = smoothed
        return state


class _LeftAxis(pg.AxisItem):
    """A left axis that reserves as much tick-text width as the widest axis of its group, so
    the stacked plots' data areas line up under each other, and whose log ticks do not overlap.
    """

    def __init__(self, group: list[_LeftAxis], **kwargs: object) -> None:
        super().__init__("left", **kwargs)
        self._group = group
        self._needed = 0
        self._applied = 0
        group.append(self)

    def _updateMaxTextSize(self, x: int) -> None:  # noqa: N802 (pyqtgraph's name)
        self._needed = x
        widest = max(axis._needed for axis in self._group)
        for axis in self._group:
            # pyqtgraph redraws an axis whenever this is called, so tell the others only when
            # the width changes: otherwise each axis's redraw forces the other's, every frame.
            if axis is self or axis._applied != widest:
                axis._applied = widest
                pg.AxisItem._updateMaxTextSize(axis, widest)

    def logTickValues(  # noqa: N802 (pyqtgraph's name)
        self,
        minVal: float,
        maxVal: float,
        size: float,
        stdTicks: list,  # noqa: N803
    ) -> list:
        """Decades, then 2x and 5x, and the other multiples only when zoomed into a decade.
        (pyqtgraph labels all nine multiples, which pile up at the top of every decade.)"""
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal - minVal > 3:
            return super().logTickValues(minVal, maxVal, size, stdTicks)

        def at(multiples: tuple[int, ...]) -> list[float]:
            values = (
                decade + math.log10(m)
                for decade in range(math.floor(minVal), math.ceil(maxVal) + 1)
                for m in multiples
            )
            return [v for v in values if minVal <= v <= maxVal]

        levels = [(1.0, at((1,))), (None, at((2, 5)))]
        if maxVal - minVal < 0.6:
            levels.append((None, at((3, 4, 6, 7, 8, 9))))
        return levels


class LossPlotWidget(QWidget):
    """Training loss per step (raw and smoothed), validation loss and accuracy or RMSE per
    epoch, and markers for changes made during the run."""

    smoothingChanged = Signal(float)  # the user moved the smoothing slider (0 to 0.99)
    logScaleChanged = Signal(bool)  # the user toggled the log scale

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        theme = current_theme()
        self._theme = theme
        self._buffer = LossBuffer()
        self._smoothing = DEFAULT_SMOOTHING
        self._smooth_state: tuple[float, float, float] | None = None
        self._epochs: list[EpochReport] = []
        self._markers: list[tuple[Marker, pg.InfiniteLine, pg.InfiniteLine]] = []
        self._task_kind = "classification"
        self._planned_steps: int | None = 0
        self._log = False
        self._dirty = False
        self._resmooth = False
        self._follow = True  # the view follows the data until the user zooms or pans
        self._drawn_epoch_points: tuple[int, bool] | None = None  # (epochs, log) last drawn

        self._smoothing_label = QLabel(self.tr("Smoothing"))
        self._slider = QSlider(Qt.Orientation.Horizontal)
        self._slider.setRange(0, SLIDER_STEPS - 1)
        self._slider.setValue(round(DEFAULT_SMOOTHING * SLIDER_STEPS))
        self._slider.setMinimumWidth(60)
        self._slider.setToolTip(
            self.tr(
                "How much the bold curve averages out the step-to-step noise of the loss: "
                "0 follows every step, 0.99 shows only the long-term trend."
            )
        )
        self._smoothing_label.setBuddy(self._slider)
        self._smoothing_label.setToolTip(self._slider.toolTip())
        self._smoothing_value = QLabel()
        self._smoothing_value.setMinimumWidth(self.fontMetrics().horizontalAdvance("0.00") + 2)
        self._log_box = QCheckBox(self.tr("Log scale"))
        self._log_box.setToolTip(
            self.tr(
                "Show the loss on a logarithmic axis, so late small improvements stay visible. "
                "Losses of zero or less are left out while it is on."
            )
        )
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self._smoothing_label)
        controls.addWidget(self._slider, 1)
        controls.addWidget(self._smoothing_value)
        controls.addSpacing(8)
        controls.addWidget(self._log_box)
        # Shown once the user zooms or pans: the way back to a view that follows the run.
        self._follow_button = QPushButton(self.tr("Follow the run"))
        self._follow_button.setToolTip(
            self.tr("Show the whole run again and keep up with it (Home, or double-click the plot)")
        )
        self._follow_button.setShortcut(QKeySequence(Qt.Key.Key_Home))
        self._follow_button.hide()
        controls.addWidget(self._follow_button)

        self._graphics = pg.GraphicsLayoutWidget()
        self._graphics.setBackground(theme.plot_background)
        self._graphics.setMinimumHeight(200)
        self._graphics.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._graphics.ci.setContentsMargins(4, 8, 12, 4)
        self._graphics.ci.setSpacing(6)
        axes: list[_LeftAxis] = []
        self.loss_plot: pg.PlotItem = self._graphics.addPlot(
            row=0, col=0, axisItems={"left": _LeftAxis(axes)}
        )
        self.metric_plot: pg.PlotItem = self._graphics.addPlot(
            row=1, col=0, axisItems={"left": _LeftAxis(axes)}
        )
        layout_grid = self._graphics.ci.layout
        layout_grid.setRowStretchFactor(0, 3)
        layout_grid.setRowStretchFactor(1, 2)
        self.metric_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.metric_plot):
            self._style_plot(plot)
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        self.loss_plot.getAxis("bottom").setHeight(4)
        self._set_label(self.loss_plot, "left", self.tr("Loss"))
        self._set_label(self.metric_plot, "bottom", self.tr("Training step"))

        accent = theme.accent
        raw = _blend(theme.accent, theme.plot_background, 0.55)  # light: the trend stays on top
        validation = theme.class_colors[1]
        # Curves are drawn without antialiasing: on this software-rendered view an antialiased
        # or wider line over thousands of noisy steps costs 15-35 ms a frame (measured at
        # 900x600), taken from training through the GIL; 1 and 2 px lines cost almost nothing.
        self.raw_curve = self._curve(self.loss_plot, pg.mkPen(raw, width=1))
        # Mean, not peak, downsampling: where steps outnumber pixels, the trend line should
        # stay a line rather than become a band of its own wiggles.
        self.smooth_curve = self._curve(self.loss_plot, pg.mkPen(accent, width=2), "mean")
        self.val_loss_curve = self._points(self.loss_plot, validation)
        # The legend sits above the plots, not in them: there it would hide the curves and the
        # marker labels in a narrow dock, and as rich text it wraps.
        self._legend = QLabel()
        self._legend.setWordWrap(True)
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._legend.setText(
            "&nbsp;&nbsp;&nbsp; ".join(
                f'<span style="white-space: nowrap"><span style="color: {color}">'
                f"<b>{sample}</b></span>&nbsp;{html.escape(text)}</span>"
                for color, sample, text in (
                    (raw, "\u2501\u2501", self.tr("Every step")),
                    (accent, "\u2501\u2501", self.tr("Smoothed")),
                    (validation, "\u2500\u25cf\u2500", self.tr("Validation")),
                )
            )
        )
        self.metric_curve = self._points(self.metric_plot, validation)

        self._empty = QLabel(self._graphics)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._empty.setStyleSheet(f"color: {theme.muted_text}; background: transparent;")
        self._empty.setText(self.tr("Press Train to see the loss of every step here."))
        self._graphics.scene().sigMouseClicked.connect(self._on_plot_clicked)
        self.loss_plot.vb.sigResized.connect(self._on_view_resized)
        self.loss_plot.vb.sigResized.connect(self._place_marker_labels)
        self.loss_plot.vb.sigXRangeChanged.connect(self._place_marker_labels)

        # What export_png saves: the legend and the plots, without the controls.
        self._figure = QWidget()
        self._figure.setAutoFillBackground(True)
        palette = self._figure.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.plot_background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.text))
        self._figure.setPalette(palette)
        figure = QVBoxLayout(self._figure)
        figure.setContentsMargins(8, 4, 0, 0)
        figure.setSpacing(2)
        figure.addWidget(self._legend)
        figure.addWidget(self._graphics, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(controls)
        layout.addWidget(self._figure, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer)
        self._slider.valueChanged.connect(self._on_slider_moved)
        self._log_box.toggled.connect(self._on_log_toggled)
        self._follow_button.clicked.connect(self.follow_run)
        self._show_smoothing()
        self._set_metric_kind("classification")
        self._show_span(1000)
        self._planned_steps = 0  # before a run, the first steps choose the range
        self.redraw()

    # -- slots fed by the window ------------------------------------------------------------

    def reset(self, run_started: RunStarted) -> None:
        """Empty the plots for a new run and pick the metric that fits its task."""
        self._buffer.clear()
        self._smooth_state = None
        self._epochs.clear()
        self._drawn_epoch_points = None
        for _, top, bottom in self._markers:
            self.loss_plot.removeItem(top)
            self.metric_plot.removeItem(bottom)
        self._markers.clear()
        self._set_metric_kind(run_started.task_kind)
        self._empty.setText(self.tr("Waiting for the first training steps…"))
        self._empty.show()
        self._show_span(run_started.total_steps)
        self._mark_dirty()

    def add_steps(self, report: StepsReport) -> None:
        """Append every step's loss of one report."""
        losses = np.asarray(report.losses, dtype=np.float64)
        if len(losses) == 0:
            return
        losses = np.where(np.isfinite(losses), losses, np.nan)
        steps = np.arange(report.first_step, report.first_step + len(losses), dtype=np.float64)
        smoothed, self._smooth_state = smooth(steps, losses, self._smoothing, self._smooth_state)
        self._buffer.append(steps, losses, smoothed)
        self._empty.hide()
        self._mark_dirty()

    def add_epoch(self, report: EpochReport) -> None:
        """Add the validation loss and accuracy (or RMSE) of a finished epoch."""
        self._epochs.append(report)
        self._mark_dirty()

    def add_marker(self, marker: Marker) -> None:
        """Draw a labelled vertical line where a setting changed during the run."""
        theme = self._theme
        pen = pg.mkPen(theme.muted_text, width=1.5, style=Qt.PenStyle.DashLine)
        height = MARKER_LABEL_HEIGHTS[len(self._markers) % len(MARKER_LABEL_HEIGHTS)]
        top = pg.InfiniteLine(
            pos=marker.step,
            angle=90,
            pen=pen,
            label=_label_format(marker.text),
            labelOpts={
                "position": height,
                "color": theme.text,
                "fill": pg.mkBrush(_with_alpha(theme.plot_background, 0.85)),
            },
        )
        top.label.setFont(self.font())
        top.setToolTip(marker.text)
        bottom = pg.InfiniteLine(pos=marker.step, angle=90, pen=pen)
        self.loss_plot.addItem(top, ignoreBounds=True)
        self.metric_plot.addItem(bottom, ignoreBounds=True)
        self._markers.append((marker, top, bottom))
        self._place_marker_labels()
        if len(self._markers) > MAX_MARKERS:
            _, old_top, old_bottom = self._markers.pop(0)
            self.loss_plot.removeItem(old_top)
            self.metric_plot.removeItem(old_bottom)

    # -- view settings ----------------------------------------------------------------------

    def smoothing(self) -> float:
        return self._smoothing

    def set_smoothing(self, weight: float) -> None:
        """Show a smoothing factor (0 to 0.99) without emitting smoothingChanged."""
        value = round(min(max(weight, 0.0), (SLIDER_STEPS - 1) / SLIDER_STEPS) * SLIDER_STEPS)
        self._slider.blockSignals(True)
        self._slider.setValue(value)
        self._slider.blockSignals(False)
        self._apply_smoothing(value / SLIDER_STEPS)

    def log_scale(self) -> bool:
        return self._log

    def set_log_scale(self, on: bool) -> None:
        """Show the loss axis linear or logarithmic without emitting logScaleChanged."""
        self._log_box.blockSignals(True)
        self._log_box.setChecked(on)
        self._log_box.blockSignals(False)
        self._apply_log(on)

    # -- drawing ----------------------------------------------------------------------------

    def redraw(self) -> None:
        """Push the buffers to the plot items (the timer calls this when dirty and visible)."""
        self._dirty = False
        buffer = self._buffer
        if self._resmooth:
            self._resmooth = False
            self._smooth_state = buffer.recompute_smoothed(self._smoothing)
        x = buffer.x[: buffer.size]
        raw = self._loggable(buffer.y[: buffer.size])
        smoothed = self._loggable(buffer.s[: buffer.size])
        with_val = [e for e in self._epochs if e.val_loss is not None]
        val_steps = np.array([e.steps_done for e in with_val], dtype=np.float64)
        val_losses = self._loggable(np.array([e.val_loss for e in with_val], dtype=np.float64))
        steps, values = self._metric_values()
        if self._follow:
            last_step = x[-1] if buffer.size else 0.0
            if self._planned_steps is not None and last_step > self._planned_steps:
                self._planned_steps = None  # past the plan (or no plan): follow the data
            if self._planned_steps is None:
                self._fit(self.loss_plot, "x", np.array([0.0, max(10.0, last_step)]), 0.0)
            shown = np.concatenate([raw, smoothed, val_losses])
            self._fit(self.loss_plot, "y", np.log10(shown) if self._log else shown)
            if self._task_kind == "regression":
                self._fit(self.metric_plot, "y", values)
        self.raw_curve.setData(x, raw)
        self.smooth_curve.setData(x, smoothed)
        epoch_points = (len(self._epochs), self._log)
        if epoch_points != self._drawn_epoch_points:  # symbols cost 2 ms a set: only on change
            self._drawn_epoch_points = epoch_points
            self.val_loss_curve.setData(val_steps, val_losses)
            self.metric_curve.setData(steps, values)

    def export_png(self, path: str) -> bool:
        """Save both plots, as shown, to a PNG file; False when it could not be written."""
        self.redraw()
        return self._figure.grab().save(str(path), "PNG")

    def metrics_rows(self) -> list[dict[str, float | int | None]]:
        """One row per finished epoch, for a CSV file (accuracy as a fraction, like the CLI)."""
        return [e.row() for e in self._epochs]

    def point_count(self) -> int:
        """How many loss points the buffer holds now (at most MAX_POINTS)."""
        return self._buffer.size

    def empty_text(self) -> str | None:
        """The hint shown over the empty plot, or None once data is drawn."""
        return self._empty.text() if not self._empty.isHidden() else None

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._dirty:
            self._timer.start()

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._on_view_resized()

    # -- private ----------------------------------------------------------------------------

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive() and self.isVisible():
            self._timer.start()

    def _on_timer(self) -> None:
        if not self._dirty or not self.isVisible():
            self._timer.stop()  # started again by new data or by showing the widget
            return
        self.redraw()

    def _on_slider_moved(self, value: int) -> None:
        self._apply_smoothing(value / SLIDER_STEPS)
        self.smoothingChanged.emit(self._smoothing)

    def _on_log_toggled(self, on: bool) -> None:
        self._apply_log(on)
        self.logScaleChanged.emit(on)

    def _on_view_resized(self) -> None:
        rect = self._graphics.mapFromScene(self.loss_plot.vb.sceneBoundingRect()).boundingRect()
        self._empty.setGeometry(QRect(rect).adjusted(12, 12, -12, -12))

    def _show_span(self, steps: int) -> None:
        """Show steps 0 to `steps` (the planned run) and follow the loss in y. A fixed step axis
        shows how far the run has got, and spares redrawing the axes at every report."""
        self._planned_steps = steps
        self._set_follow(True)
        self.loss_plot.setXRange(0, max(10, steps), padding=0.03)
        if self._buffer.size == 0:
            self.loss_plot.setYRange(0, 1, padding=0.02)

    def _fit(self, plot: pg.PlotItem, axis: str, values: np.ndarray, pad: float = 0.05) -> None:
        """Make `plot` show all finite `values` along `axis`, in round numbers, moving the
        range only when the values leave it or shrink to under half of it.

        pyqtgraph's own auto-range moves the range a little at every frame, and does so while
        painting, so each frame is painted twice and the axes are laid out again: about 60%
        more time taken from training through the GIL (measured in the window's run).
        """
        finite = values[np.isfinite(values)]
        if len(finite) == 0:
            return
        low, high = float(finite.min()), float(finite.max())
        index = 0 if axis == "x" else 1
        shown_low, shown_high = plot.vb.viewRange()[index]
        inside = shown_low <= low and high <= shown_high
        if inside and (high - low) >= 0.5 * (shown_high - shown_low):
            return
        span = high - low or max(abs(high), 1.0) * 0.1
        step = _nice_ceiling(span / 5)
        low = math.floor((low - pad * span) / step) * step
        high = math.ceil((high + pad * span) / step) * step
        if axis == "x":
            plot.setXRange(low, high, padding=0.03)
        else:
            plot.setYRange(low, high, padding=0)

    def following(self) -> bool:
        """Whether the view keeps up with the run (until the user zooms or pans)."""
        return self._follow

    def follow_run(self) -> None:
        """Show the whole run again and keep up with it."""
        self._set_follow(True)
        if self._planned_steps is not None:
            self.loss_plot.setXRange(0, max(10, self._planned_steps), padding=0.03)
        self.redraw()

    def _set_follow(self, on: bool) -> None:
        self._follow = on
        self._follow_button.setVisible(not on)

    def _on_range_changed_by_user(self) -> None:
        self._set_follow(False)  # the user zoomed or panned: leave the view where they put it

    def _on_plot_clicked(self, event: object) -> None:
        if event.double():
            self.follow_run()

    def _place_marker_labels(self) -> None:
        """Put each marker's label on the side of its line where it fits in the view."""
        view = self.loss_plot.vb
        (left, right), _ = view.viewRange()
        width = view.width()
        if width <= 0 or right <= left:
            return
        per_pixel = (right - left) / width
        metrics = QFontMetrics(self.font())
        pad = metrics.horizontalAdvance("  ")
        for marker, line, _ in self._markers:
            full = metrics.horizontalAdvance(marker.text) + pad
            room_right = (right - marker.step) / per_pixel
            room_left = (marker.step - left) / per_pixel
            text = marker.text
            if full <= room_right:
                on_right = True
            elif full <= room_left:
                on_right = False
            else:  # too long for either side: the roomier side, elided (its value kept)
                on_right = room_right >= room_left
                room = max(room_right, room_left) - pad
                text = metrics.elidedText(text, Qt.TextElideMode.ElideLeft, max(0, int(room)))
            label = line.label
            if label.format != _label_format(text):
                label.setFormat(_label_format(text))
            anchor = (0, 0.5) if on_right else (1, 0.5)
            label.anchors = [anchor, anchor]
            label.updatePosition()

    def _apply_smoothing(self, weight: float) -> None:
        if weight != self._smoothing:
            self._smoothing = weight
            self._resmooth = True
            self._mark_dirty()
        self._show_smoothing()

    def _show_smoothing(self) -> None:
        self._smoothing_value.setText(f"{self._smoothing:.2f}")

    def _apply_log(self, on: bool) -> None:
        if on == self._log:
            return
        self._log = on
        self.loss_plot.setLogMode(x=False, y=on)
        self._set_follow(True)
        self._mark_dirty()

    def _loggable(self, values: np.ndarray) -> np.ndarray:
        """`values`, with those a log axis cannot show (zero or less) left out when it is on."""
        if not self._log:
            return values
        return np.where(values > 0, values, np.nan)

    def _set_metric_kind(self, task_kind: str) -> None:
        self._task_kind = task_kind
        if task_kind == "regression":
            self._set_label(self.metric_plot, "left", self.tr("Val. RMSE"))
        else:
            self._set_label(self.metric_plot, "left", self.tr("Val. accuracy (%)"))
            self.metric_plot.setYRange(0, 100, padding=0.06)

    def _metric_values(self) -> tuple[np.ndarray, np.ndarray]:
        if self._task_kind == "regression":
            rows = [(e.steps_done, e.val_rmse) for e in self._epochs if e.val_rmse is not None]
        else:
            rows = [
                (e.steps_done, 100.0 * e.val_accuracy)
                for e in self._epochs
                if e.val_accuracy is not None
            ]
        array = np.array(rows, dtype=np.float64).reshape(-1, 2)
        return array[:, 0], array[:, 1]

    def _style_plot(self, plot: pg.PlotItem) -> None:
        theme = self._theme
        font = QFont(self.font())
        plot.setMenuEnabled(False)
        plot.setClipToView(True)
        plot.getViewBox().setDefaultPadding(0.02)
        plot.disableAutoRange()  # redraw() fits the ranges: see _fit
        plot.hideButtons()
        plot.getViewBox().sigRangeChangedManually.connect(self._on_range_changed_by_user)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setTickFont(font)
            axis.label.setFont(font)
            axis.setPen(theme.plot_foreground)
            axis.setTextPen(theme.plot_foreground)
            axis.setTickPen(theme.grid)
            axis.setGrid(255)
            axis.setStyle(maxTickLevel=1)  # grid lines at labelled steps only: fewer to draw

    def _set_label(self, plot: pg.PlotItem, side: str, text: str) -> None:
        plot.setLabel(side, text, color=self._theme.plot_foreground)
        plot.getAxis(side).enableAutoSIPrefix(False)  # "Loss", never "Loss (x0.001)"

    @staticmethod
    def _curve(plot: pg.PlotItem, pen: object, method: str = "peak") -> pg.PlotDataItem:
        # One sample (mean) or one min-max pair (peak) per pixel column: exact at the screen's
        # resolution. pyqtgraph's default of five per pixel made every frame 50% slower.
        curve = plot.plot(pen=pen, connect="finite", antialias=False, autoDownsampleFactor=1.0)
        curve.setDownsampling(auto=True, method=method)
        curve.setClipToView(True)
        return curve

    def _points(self, plot: pg.PlotItem, color: str) -> pg.PlotDataItem:
        size = max(8, round(self.fontMetrics().height() * 0.5))
        return plot.plot(
            pen=pg.mkPen(color, width=2),
            symbol="o",
            symbolSize=size,
            symbolBrush=pg.mkBrush(color),
            symbolPen=pg.mkPen(self._theme.plot_background, width=1.5),
            connect="finite",
        )


def _nice_ceiling(value: float) -> float:
    """`value` rounded up to 1, 2 or 5 times a power of ten."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if value <= m * power * (1 + 1e-9))


def _label_format(text: str) -> str:
    """A marker label as an InfLineLabel format string: braces escaped, spaced off the line."""
    return " " + text.replace("{", "{{").replace("}", "}}") + " "


def _blend(first: str, second: str, amount: float) -> str:
    """The colour `amount` of the way from `first` to `second`, as #RRGGBB."""
    a, b = QColor(first), QColor(second)
    return QColor.fromRgbF(
        *(x + (y - x) * amount for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3], strict=True))
    ).name()


def _with_alpha(color: str, alpha: float) -> QColor:
    result = QColor(color)
    result.setAlphaF(alpha)
    return result


def _fake_run(widget: LossPlotWidget, steps_per_epoch: int = 300, epochs: int = 10) -> QTimer:
    """Feed the widget a made-up classification run, one report every 50 ms, for looking."""
    rng = np.random.default_rng(0)
    total = steps_per_epoch * epochs
    widget.reset(
        RunStarted(
            device="cpu",
            dtype="float32",
            task_kind="classification",
            param_count=1000,
            train_samples=9600,
            val_samples=2400,
            steps_per_epoch=steps_per_epoch,
            epochs=epochs,
            layer_names=("0", "2"),
            threads=1,
        )
    )
    state = {"step": 0}
    timer = QTimer(widget)

    def tick() -> None:
        first = state["step"]
        steps = np.arange(first, min(total, first + 30))
        if len(steps) == 0:
            timer.stop()
            return
        trend = 0.08 + 2.2 * np.exp(-steps / 450)
        losses = trend * np.exp(0.3 * rng.standard_normal(len(steps)))  # batch-to-batch noise
        widget.add_steps(StepsReport(first, losses, int(steps[-1]) // steps_per_epoch, 0, 0, 1e-3))
        state["step"] = int(steps[-1]) + 1
        if state["step"] == 1200:
            widget.add_marker(Marker(1200, "learning rate 0.0003"))
        if state["step"] % steps_per_epoch == 0:
            epoch = state["step"] // steps_per_epoch
            train = float(0.08 + 2.2 * math.exp(-state["step"] / 450))
            widget.add_epoch(
                EpochReport(
                    epoch,
                    state["step"],
                    train,
                    train * 1.15 + 0.03,
                    val_accuracy=min(0.97, 0.45 + 0.55 * (1 - math.exp(-epoch / 2.5))),
                )
            )

    timer.timeout.connect(tick)
    timer.start(50)
    return timer


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    widget = LossPlotWidget()
    widget.setWindowTitle(QCoreApplication.translate("LossPlotWidget", "Loss"))
    widget.resize(900, 600)
    widget.show()
    _fake_run(widget)
    sys.exit(app.exec())
