"""LossPlotWidget: the live loss of every training step, its smoothed trend and the validation
metrics per epoch, in two stacked plots that share the step axis, drawn from a RunHistory.
The step axis follows the run: the steps so far with a little room ahead, the start always in
view (until the user zooms or pans).

Catching up with the history and redrawing at 5 Hz while visible is LivePlot's
(widgets.live_plot); this file holds the curves, the markers, the controls and the view.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from app.history import RunHistory
from app.reports import RunStarted
from widgets.live_plot import LivePlot, point_symbol
from widgets.loss_plot_controls import LossPlotControls
from widgets.plot_axes import fit_range, follow_steps, stacked_plots
from widgets.plot_style import (
    LINE,
    POINTS,
    color_grid_plots,
    legend_html,
    set_axis_label,
    style_grid_axes,
)
from widgets.run_markers import RunMarkerLines
from widgets.theme import Theme, mix


class LossPlotWidget(LivePlot):
    """Training loss per step (raw and smoothed), validation metrics per epoch, run markers."""

    smoothingChanged = Signal(float)  # the user moved the smoothing slider (0 to 0.99)
    logScaleChanged = Signal(bool)  # the user toggled the log scale

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task_kind = "classification"
        self._follow = True  # the view follows the data until the user zooms or pans
        self._drawn_epoch_points: tuple[int, int, bool] | None = None  # (run, epochs, log)
        self._labels: dict[tuple[pg.PlotItem, str], str] = {}

        self._controls = LossPlotControls()
        self._graphics, self.loss_plot, self.metric_plot = stacked_plots()
        for plot in (self.loss_plot, self.metric_plot):
            self._style_plot(plot)
        self._set_label(self.loss_plot, "left", self.tr("Loss"))
        self._set_label(self.metric_plot, "bottom", self.tr("Training step"))

        # Curves are drawn without antialiasing: on this software-rendered view an antialiased
        # or wider line over thousands of noisy steps costs 15-35 ms a frame (measured at
        # 900x600), taken from training through the GIL; 1 and 2 px lines cost almost nothing.
        # The presentation look draws them 3 and 4 px (readable projected), and pays for it.
        self.raw_curve = self._curve(self.loss_plot)
        # Mean, not peak, downsampling: where steps outnumber pixels, the trend line should
        # stay a line rather than become a band of its own wiggles.
        self.smooth_curve = self._curve(self.loss_plot, "mean")
        self.val_loss_curve = self._points(self.loss_plot)
        self.metric_curve = self._points(self.metric_plot)
        self._marker_lines = RunMarkerLines(
            self.loss_plot, self.metric_plot, self.font(), self._theme
        )
        self._build_frame(self._graphics, self.loss_plot, controls=(self._controls,))
        self._show_empty(self._idle_text())
        self._graphics.scene().sigMouseClicked.connect(self._on_plot_clicked)
        self._controls.smoothingMoved.connect(self._on_smoothing_moved)
        self._controls.logToggled.connect(self._on_log_toggled)
        self._controls.followClicked.connect(self.follow_run)
        self.set_theme(self._theme)
        self._set_metric_kind("classification")
        self._show_start()
        self.redraw()

    # -- view settings ----------------------------------------------------------------------

    def smoothing(self) -> float:
        """The smoothing weight of the bold trend line, 0 to 0.99."""
        return self._controls.smoothing()

    def set_smoothing(self, weight: float) -> None:
        """Show a smoothing factor (0 to 0.99) without emitting smoothingChanged."""
        self._controls.set_smoothing(weight)
        self._mark_dirty()

    def log_scale(self) -> bool:
        """Whether the loss axis is logarithmic."""
        return self._controls.log_scale()

    def set_log_scale(self, on: bool) -> None:
        """Show the loss axis linear or logarithmic without emitting logScaleChanged."""
        if self._controls.set_log_scale(on):
            self._apply_log()

    def _paint(self, theme: Theme) -> None:
        """Paint the plots, curves, legend and markers in the colours of `theme`."""
        color_grid_plots(self._graphics, (self.loss_plot, self.metric_plot), self._labels, theme)
        raw = mix(theme.accent, theme.plot_background, 0.55)  # light: the trend stays on top
        validation = theme.class_colors[1]
        self.raw_curve.setPen(pg.mkPen(raw, width=theme.line_width(1)))
        self.smooth_curve.setPen(pg.mkPen(theme.accent, width=theme.line_width(2)))
        for points in (self.val_loss_curve, self.metric_curve):
            points.setPen(pg.mkPen(validation, width=theme.line_width(2)))
            points.setSymbolBrush(pg.mkBrush(validation))
            points.setSymbolPen(pg.mkPen(theme.plot_background, width=theme.outline_width(1.5)))
            points.setSymbolSize(self._point_size())
        self._legend.setText(
            legend_html(
                (
                    (raw, LINE, self.tr("Every step")),
                    (theme.accent, LINE, self.tr("Smoothed")),
                    (validation, POINTS, self.tr("Validation")),
                )
            )
        )
        self._marker_lines.set_theme(theme, QFont(self.font()))

    # -- drawing ----------------------------------------------------------------------------

    def _draw(self) -> None:
        """Push the steps and epochs to the curves, fitting the view while it follows the run."""
        history = self._history
        log = self.log_scale()
        x = history.steps()
        raw = self._loggable(history.step_losses())
        smoothed = self._loggable(history.smoothed(self.smoothing()))
        with_val = [e for e in history.epochs if e.val_loss is not None]
        val_steps = np.array([e.steps_done for e in with_val], dtype=np.float64)
        val_losses = self._loggable(np.array([e.val_loss for e in with_val], dtype=np.float64))
        steps, values = self._metric_values()
        if self._follow:
            follow_steps(self.loss_plot, self._last_step())
            shown = np.concatenate([raw, smoothed, val_losses])
            fit_range(self.loss_plot, "y", np.log10(shown) if log else shown)
            if self._task_kind == "regression":
                fit_range(self.metric_plot, "y", values)
        self.raw_curve.setData(x, raw)
        self.smooth_curve.setData(x, smoothed)
        epoch_points = (history.run_number, len(history.epochs), log)
        if epoch_points != self._drawn_epoch_points:  # symbols cost 2 ms a set: only on change
            self._drawn_epoch_points = epoch_points
            symbol = point_symbol(len(history.epochs))
            self.val_loss_curve.setData(val_steps, val_losses, symbol=symbol)
            self.metric_curve.setData(steps, values, symbol=symbol)

    def following(self) -> bool:
        """Whether the view keeps up with the run (until the user zooms or pans)."""
        return self._follow

    def follow_run(self) -> None:
        """Show the whole run again and keep up with it."""
        self._set_follow(True)
        follow_steps(self.loss_plot, self._last_step(), now=True)
        self.redraw()

    # -- what LivePlot asks -----------------------------------------------------------------

    def _idle_text(self) -> str:
        return self.tr("Press Train to see the loss of every step here.")

    def _forget_drawn(self) -> None:
        self._marker_lines.clear()
        self._drawn_epoch_points = None

    def _start_run(self, run_started: RunStarted) -> None:
        """Empty the plots for a new run and pick the metric that fits its task; a run that
        continues the last one keeps its curves and markers, and goes on drawing them."""
        if run_started.continues:  # a history handed over in a continued run holds it all
            return
        self._forget_drawn()
        self._set_metric_kind(run_started.task_kind)
        self._show_empty(self.tr("Waiting for the first training steps…"))
        self._show_start()

    def _caught_up(self, history: RunHistory) -> None:
        """New markers at once, the curves at the next redraw."""
        self._marker_lines.show(history.markers)
        if history.point_count():
            self._empty.hide()

    # -- private ----------------------------------------------------------------------------

    def _on_smoothing_moved(self, weight: float) -> None:
        self._mark_dirty()
        self.smoothingChanged.emit(weight)

    def _on_log_toggled(self, on: bool) -> None:
        self._apply_log()
        self.logScaleChanged.emit(on)

    def _show_start(self) -> None:
        """The axes of a run that has no steps yet, following what comes."""
        self._set_follow(True)
        follow_steps(self.loss_plot, 0, now=True)
        if self._history.point_count() == 0:
            self.loss_plot.setYRange(0, 1, padding=0.02)

    def _last_step(self) -> float:
        """The newest step drawn: the last loss, or an epoch's validation point just after."""
        history = self._history
        steps = history.steps()
        last = float(steps[-1]) if len(steps) else 0.0
        return max(last, float(history.epochs[-1].steps_done)) if history.epochs else last

    def _set_follow(self, on: bool) -> None:
        self._follow = on
        self._controls.show_follow_button(not on)

    def _on_range_changed_by_user(self) -> None:
        self._set_follow(False)  # the user zoomed or panned: leave the view where they put it

    def _on_plot_clicked(self, event: object) -> None:
        if event.double():
            self.follow_run()

    def _apply_log(self) -> None:
        self.loss_plot.setLogMode(x=False, y=self.log_scale())
        self._set_follow(True)
        self._mark_dirty()

    def _loggable(self, values: np.ndarray) -> np.ndarray:
        """`values`, with those a log axis cannot show (zero or less) left out when it is on."""
        if not self.log_scale():
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
        epochs = self._history.epochs
        if self._task_kind == "regression":
            rows = [(e.steps_done, e.val_rmse) for e in epochs if e.val_rmse is not None]
        else:
            rows = [
                (e.steps_done, 100.0 * e.val_accuracy) for e in epochs if e.val_accuracy is not None
            ]
        array = np.array(rows, dtype=np.float64).reshape(-1, 2)
        return array[:, 0], array[:, 1]

    def _style_plot(self, plot: pg.PlotItem) -> None:
        plot.setMenuEnabled(False)
        plot.setClipToView(True)
        plot.getViewBox().setDefaultPadding(0.02)
        plot.disableAutoRange()  # redraw() fits the ranges: see plot_axes.fit_range
        plot.hideButtons()
        plot.getViewBox().sigRangeChangedManually.connect(self._on_range_changed_by_user)
        style_grid_axes(plot, QFont(self.font()))

    def _set_label(self, plot: pg.PlotItem, side: str, text: str) -> None:
        self._labels[(plot, side)] = text
        set_axis_label(plot, side, text, self._theme)

    @staticmethod
    def _curve(plot: pg.PlotItem, method: str = "peak") -> pg.PlotDataItem:
        # One sample (mean) or one min-max pair (peak) per pixel column: exact at the screen's
        # resolution. pyqtgraph's default of five per pixel made every frame 50% slower.
        curve = plot.plot(connect="finite", antialias=False, autoDownsampleFactor=1.0)
        curve.setDownsampling(auto=True, method=method)
        curve.setClipToView(True)
        return curve


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application
    from widgets.demo_run import fake_run, play

    app = demo_application()
    widget = LossPlotWidget()
    widget.setWindowTitle(QCoreApplication.translate("LossPlotWidget", "Loss"))
    widget.resize(900, 600)
    widget.show()
    play(fake_run(), widget.history(), widget.refresh, widget)
    sys.exit(app.exec())
