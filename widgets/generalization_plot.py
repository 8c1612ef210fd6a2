"""GeneralizationPlotWidget: the training and validation loss of every epoch and the gap between
them, drawn from a RunHistory.

A validation loss that rises while the training loss keeps falling is the overfitting signal
teachers point at: the gap between the two, one bar per epoch, makes it plain. Epochs of small
data sets can end many times a second, so this is a LivePlot (widgets.live_plot): `refresh`
only marks it dirty and a 5 Hz timer redraws while it is visible, as the loss plot does.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, QPointF
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from app.reports import EpochReport, RunStarted
from models.numbers import nice_ceiling
from widgets.live_plot import LivePlot, point_symbol
from widgets.plot_axes import fit_range, stacked_plots
from widgets.plot_style import (
    BAR,
    POINTS,
    color_grid_plots,
    legend_html,
    style_grid_axes,
)
from widgets.theme import Theme, mix

MAX_TICKS = 8  # epoch labels along the axis at most


class GeneralizationPlotWidget(LivePlot):
    """Loss per epoch, the gap (validation minus training), where validation was best, tooltips."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._planned_epochs = 1

        self._summary = QLabel()
        self._summary.setWordWrap(True)
        self._graphics, self.loss_plot, self.gap_plot = stacked_plots()
        self._labels = {
            (self.loss_plot, "left"): self.tr("Loss per epoch"),
            (self.gap_plot, "left"): self.tr("Gap"),
            (self.gap_plot, "bottom"): self.tr("Epoch"),
        }
        for plot in (self.loss_plot, self.gap_plot):
            self._style_plot(plot)
        self.train_curve = self._points(self.loss_plot)
        self.val_curve = self._points(self.loss_plot)
        # Two bar items, one brush each: pyqtgraph draws a one-brush item in a single call.
        self.wider_bars = pg.BarGraphItem(x=[], height=[], width=0.7)  # validation above
        self.narrower_bars = pg.BarGraphItem(x=[], height=[], width=0.7)  # validation below
        self.gap_plot.addItem(self.wider_bars)
        self.gap_plot.addItem(self.narrower_bars)
        self._zero = pg.InfiniteLine(pos=0, angle=0)
        self.gap_plot.addItem(self._zero, ignoreBounds=True)
        # The sentence sits between the legend and the plots, in what export_png saves.
        self._build_frame(self._graphics, self.loss_plot, captions=(self._summary,))
        self._graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.set_theme(self._theme)
        self._show_epochs(1)
        self.set_history(self._history)

    # -- what LivePlot asks -----------------------------------------------------------------

    def _idle_text(self) -> str:
        return self.tr(
            "Press Train to compare the training and validation loss of every epoch here."
        )

    def _start_run(self, run_started: RunStarted) -> None:
        """Show the planned epochs and what comes when the first one ends."""
        self._show_epochs(run_started.epochs)
        if run_started.val_samples == 0:
            self._show_empty(self._no_validation_text())
        else:
            self._show_empty(self.tr("The first points appear when the first epoch ends."))

    def _paint(self, theme: Theme) -> None:
        """Paint the plots, curves, bars and legend in the colours of `theme`."""
        color_grid_plots(self._graphics, (self.loss_plot, self.gap_plot), self._labels, theme)
        train, validation = self._colors()
        for curve, color in ((self.train_curve, train), (self.val_curve, validation)):
            curve.setPen(pg.mkPen(color, width=theme.line_width(2)))
            curve.setSymbolBrush(pg.mkBrush(color))
            curve.setSymbolPen(pg.mkPen(theme.plot_background, width=theme.outline_width(1.5)))
            curve.setSymbolSize(self._point_size())
        gap = mix(theme.warning, theme.plot_background, 0.25)
        self.wider_bars.setOpts(brush=pg.mkBrush(gap), pen=pg.mkPen(None))
        self.narrower_bars.setOpts(brush=pg.mkBrush(theme.muted_text), pen=pg.mkPen(None))
        self._zero.setPen(pg.mkPen(theme.plot_foreground, width=theme.line_width(1)))
        self._legend.setText(
            legend_html(
                (
                    (train, POINTS, self.tr("Training")),
                    (validation, POINTS, self.tr("Validation")),
                    (gap, BAR, self.tr("Gap: validation minus training")),
                )
            )
        )
        self._summary.setStyleSheet(f"color: {theme.text};")

    # -- drawing ----------------------------------------------------------------------------

    def _draw(self) -> None:
        """Push the epochs to the plot items and the sentence."""
        shown = self._validated()
        epochs = np.array([e.epoch for e in shown], dtype=np.float64)
        train = np.array([e.train_loss for e in shown], dtype=np.float64)
        val = np.array([e.val_loss for e in shown], dtype=np.float64)
        gap = val - train
        symbol = point_symbol(len(shown))
        self.train_curve.setData(epochs, train, symbol=symbol)
        self.val_curve.setData(epochs, val, symbol=symbol)
        wider = gap > 0
        self.wider_bars.setOpts(x=epochs[wider], height=gap[wider])
        self.narrower_bars.setOpts(x=epochs[~wider], height=gap[~wider])
        if len(shown):
            self._empty.hide()
            if shown[-1].epoch > self._planned_epochs:
                self._show_epochs(shown[-1].epoch)
        elif self._history.epochs:  # epochs ended, none of them validated
            self._show_empty(self._no_validation_text())
        fit_range(self.loss_plot, "y", np.concatenate([train, val]))
        fit_range(self.gap_plot, "y", np.concatenate([gap, [0.0]]))
        summary = self.summary_text()
        self._summary.setText(summary)
        self._summary.setVisible(bool(summary))

    def summary_text(self) -> str:
        """One sentence on where the validation loss was lowest and how the gap moved since."""
        shown = self._validated()
        if not shown:
            return ""
        best = min(shown, key=lambda e: e.val_loss)
        last = shown[-1]
        lowest = {"epoch": best.epoch, "loss": f"{best.val_loss:.3g}"}  # every sentence has it
        if best is last:
            return self.tr(
                "The validation loss is still falling: lowest so far at epoch {epoch} ({loss})."
            ).format(**lowest)
        best_gap, last_gap = best.val_loss - best.train_loss, last.val_loss - last.train_loss
        if last_gap > best_gap:
            return self.tr(
                "The validation loss was lowest at epoch {epoch} ({loss}) and the gap has grown "
                "since, from {before} to {now}: the model is learning its training data by "
                "heart (overfitting)."
            ).format(**lowest, before=f"{best_gap:+.3g}", now=f"{last_gap:+.3g}")
        return self.tr("The validation loss was lowest at epoch {epoch} ({loss}).").format(**lowest)

    def epoch_tooltip(self, epoch: int) -> str:
        """What hovering over `epoch` shows; empty when that epoch has no validation loss."""
        report = next((e for e in self._validated() if e.epoch == epoch), None)
        if report is None:
            return ""
        gap = report.val_loss - report.train_loss
        side = self.tr("validation higher") if gap > 0 else self.tr("validation lower or equal")
        return self.tr(
            "Epoch {epoch}\nTraining loss {train}\nValidation loss {val}\nGap {gap} ({side})"
        ).format(
            epoch=report.epoch,
            train=f"{report.train_loss:.4g}",
            val=f"{report.val_loss:.4g}",
            gap=f"{gap:+.4g}",
            side=side,
        )

    # -- private ----------------------------------------------------------------------------

    def _validated(self) -> list[EpochReport]:
        """The run's epochs that have a validation loss (all of them, when there is data)."""
        return [e for e in self._history.epochs if e.val_loss is not None]

    def _colors(self) -> tuple[str, str]:
        """Training as the loss plot's trend line, validation as its validation points."""
        return self._theme.accent, self._theme.class_colors[1]

    def _no_validation_text(self) -> str:
        return self.tr("This run has no validation data, so there is no gap to show.")

    def _show_epochs(self, epochs: int) -> None:
        """Show epochs 1 to `epochs` on the x axis, labelled at whole, round steps."""
        self._planned_epochs = max(1, epochs)
        self.loss_plot.setXRange(0.5, self._planned_epochs + 0.5, padding=0.02)
        spacing = max(1.0, nice_ceiling(self._planned_epochs / MAX_TICKS))
        for plot in (self.loss_plot, self.gap_plot):  # the top axis draws the grid lines
            plot.getAxis("bottom").setTickSpacing(spacing, spacing)

    def _on_mouse_moved(self, position: QPointF) -> None:
        """The tooltip of the epoch under the pointer, in either plot."""
        text = ""
        for plot in (self.loss_plot, self.gap_plot):
            if plot.vb.sceneBoundingRect().contains(position):
                epoch = round(plot.vb.mapSceneToView(position).x())
                text = self.epoch_tooltip(epoch)
        self._graphics.setToolTip(text)

    def _style_plot(self, plot: pg.PlotItem) -> None:
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)  # a few dozen points: nothing to zoom into
        plot.disableAutoRange()  # redraw() fits the ranges: see plot_axes.fit_range
        plot.hideButtons()
        style_grid_axes(plot, QFont(self.font()))


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application
    from widgets.demo_run import fake_run, play

    app = demo_application()
    widget = GeneralizationPlotWidget()
    widget.setWindowTitle(
        QCoreApplication.translate("GeneralizationPlotWidget", "Train vs. validation")
    )
    widget.resize(900, 600)
    widget.show()
    play(fake_run(), widget.history(), widget.refresh, widget, interval_ms=10)
    sys.exit(app.exec())
