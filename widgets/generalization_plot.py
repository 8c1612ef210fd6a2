"""GeneralizationPlotWidget: the training and validation loss of every epoch and the gap between
them, drawn from a RunHistory.

A validation loss that rises while the training loss keeps falling is the overfitting signal
teachers point at: the gap between the two, one bar per epoch, makes it plain. Epochs of small
data sets can end many times a second, so `refresh` only marks the widget dirty and a 5 Hz
timer redraws while it is visible, as the loss plot does.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QCoreApplication, QPointF, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from app.history import RunHistory
from app.reports import EpochReport
from models.numbers import nice_ceiling
from widgets.plot_axes import AlignedLeftAxis, fit_range
from widgets.theme import Theme, current_theme, mix

REDRAW_MS = 200  # 5 Hz, like the loss plot: redraws take a core share from training
MAX_TICKS = 8  # epoch labels along the axis at most
MAX_SYMBOLS = 100  # epochs drawn with a point each; beyond, points merge into a band anyway


class GeneralizationPlotWidget(QWidget):
    """Training and validation loss per epoch above, the gap (validation minus training) below,
    a sentence on where validation was best, and a tooltip for every epoch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        theme = current_theme()
        self._theme = theme
        self._history = RunHistory()
        self._seen_version = 0
        self._seen_run = 0
        self._dirty = False
        self._planned_epochs = 1

        self._legend = QLabel()
        self._legend.setWordWrap(True)
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._summary = QLabel()
        self._summary.setWordWrap(True)
        self._graphics = pg.GraphicsLayoutWidget()
        self._graphics.setMinimumHeight(200)
        self._graphics.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._graphics.ci.setContentsMargins(4, 8, 12, 4)
        self._graphics.ci.setSpacing(6)
        axes: list[AlignedLeftAxis] = []
        self.loss_plot: pg.PlotItem = self._graphics.addPlot(
            row=0, col=0, axisItems={"left": AlignedLeftAxis(axes)}
        )
        self.gap_plot: pg.PlotItem = self._graphics.addPlot(
            row=1, col=0, axisItems={"left": AlignedLeftAxis(axes)}
        )
        self._graphics.ci.layout.setRowStretchFactor(0, 3)
        self._graphics.ci.layout.setRowStretchFactor(1, 2)
        self.gap_plot.setXLink(self.loss_plot)
        self._labels = {
            (self.loss_plot, "left"): self.tr("Loss per epoch"),
            (self.gap_plot, "left"): self.tr("Gap"),
            (self.gap_plot, "bottom"): self.tr("Epoch"),
        }
        for plot in (self.loss_plot, self.gap_plot):
            self._style_plot(plot)
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)
        self.loss_plot.getAxis("bottom").setHeight(4)
        size = max(8, round(self.fontMetrics().height() * 0.5))
        self.train_curve = self.loss_plot.plot(symbol="o", symbolSize=size, connect="finite")
        self.val_curve = self.loss_plot.plot(symbol="o", symbolSize=size, connect="finite")
        # Two bar items, one brush each: pyqtgraph draws a one-brush item in a single call.
        self.wider_bars = pg.BarGraphItem(x=[], height=[], width=0.7)  # validation above
        self.narrower_bars = pg.BarGraphItem(x=[], height=[], width=0.7)  # validation below
        self.gap_plot.addItem(self.wider_bars)
        self.gap_plot.addItem(self.narrower_bars)
        self._zero = pg.InfiniteLine(pos=0, angle=0)
        self.gap_plot.addItem(self._zero, ignoreBounds=True)

        self._empty = QLabel(self._graphics)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.loss_plot.vb.sigResized.connect(self._on_view_resized)
        self._graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

        # What export_png saves: the legend, the sentence and the plots.
        self._figure = QWidget()
        self._figure.setAutoFillBackground(True)
        figure = QVBoxLayout(self._figure)
        figure.setContentsMargins(8, 4, 0, 0)
        figure.setSpacing(2)
        figure.addWidget(self._legend)
        figure.addWidget(self._summary)
        figure.addWidget(self._graphics, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._figure, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer)
        self.set_theme(theme)
        self._show_epochs(1)
        self.set_history(self._history)

    # -- what it shows ----------------------------------------------------------------------

    def history(self) -> RunHistory:
        """The run this widget draws."""
        return self._history

    def set_history(self, history: RunHistory) -> None:
        """Draw `history` from now on (the window hands over its controller's)."""
        self._history = history
        self._seen_version = self._seen_run = 0
        self._show_empty(
            self.tr("Press Train to compare the training and validation loss of every epoch here.")
        )
        self.refresh()
        self._mark_dirty()

    def refresh(self) -> None:
        """Catch up with the history after new reports; the plots redraw at the next tick."""
        history = self._history
        if history.version == self._seen_version:
            return
        self._seen_version = history.version
        if history.run_number != self._seen_run and history.started is not None:
            self._seen_run = history.run_number
            self._show_epochs(history.started.epochs)
            if history.started.val_samples == 0:
                self._show_empty(self._no_validation_text())
            else:
                self._show_empty(self.tr("The first points appear when the first epoch ends."))
        self._mark_dirty()

    def set_theme(self, theme: Theme) -> None:
        """Paint the plots, curves, bars and legend in the colours of `theme`."""
        self._theme = theme
        self._graphics.setBackground(theme.plot_background)
        for plot in (self.loss_plot, self.gap_plot):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(theme.plot_foreground)
                axis.setTextPen(theme.plot_foreground)
                axis.setTickPen(theme.grid)
        for (plot, side), text in self._labels.items():
            plot.setLabel(side, text, color=theme.plot_foreground)
            plot.getAxis(side).enableAutoSIPrefix(False)
        train, validation = self._colors()
        for curve, color in ((self.train_curve, train), (self.val_curve, validation)):
            curve.setPen(pg.mkPen(color, width=2))
            curve.setSymbolBrush(pg.mkBrush(color))
            curve.setSymbolPen(pg.mkPen(theme.plot_background, width=1.5))
        gap = mix(theme.warning, theme.plot_background, 0.25)
        self.wider_bars.setOpts(brush=pg.mkBrush(gap), pen=pg.mkPen(None))
        self.narrower_bars.setOpts(brush=pg.mkBrush(theme.muted_text), pen=pg.mkPen(None))
        self._zero.setPen(pg.mkPen(theme.plot_foreground, width=1))
        self._legend.setText(
            "&nbsp;&nbsp;&nbsp; ".join(
                f'<span style="white-space: nowrap"><span style="color: {color}">'
                f"<b>{sample}</b></span>&nbsp;{html.escape(text)}</span>"
                for color, sample, text in (
                    (train, "\u2500\u25cf\u2500", self.tr("Training")),
                    (validation, "\u2500\u25cf\u2500", self.tr("Validation")),
                    (gap, "\u2588", self.tr("Gap: validation minus training")),
                )
            )
        )
        self._summary.setStyleSheet(f"color: {theme.text};")
        self._empty.setStyleSheet(f"color: {theme.muted_text}; background: transparent;")
        palette = self._figure.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.plot_background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.text))
        self._figure.setPalette(palette)

    # -- drawing ----------------------------------------------------------------------------

    def redraw(self) -> None:
        """Push the epochs to the plot items (the timer calls this when dirty and visible)."""
        self._dirty = False
        shown = self._validated()
        epochs = np.array([e.epoch for e in shown], dtype=np.float64)
        train = np.array([e.train_loss for e in shown], dtype=np.float64)
        val = np.array([e.val_loss for e in shown], dtype=np.float64)
        gap = val - train
        symbol = "o" if len(shown) <= MAX_SYMBOLS else None
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
        if best is last:
            return self.tr(
                "The validation loss is still falling: lowest so far at epoch {epoch} ({loss})."
            ).format(epoch=best.epoch, loss=f"{best.val_loss:.3g}")
        best_gap, last_gap = best.val_loss - best.train_loss, last.val_loss - last.train_loss
        if last_gap > best_gap:
            return self.tr(
                "The validation loss was lowest at epoch {epoch} ({loss}) and the gap has grown "
                "since, from {before} to {now}: the model is learning its training data by "
                "heart (overfitting)."
            ).format(
                epoch=best.epoch,
                loss=f"{best.val_loss:.3g}",
                before=f"{best_gap:+.3g}",
                now=f"{last_gap:+.3g}",
            )
        return self.tr("The validation loss was lowest at epoch {epoch} ({loss}).").format(
            epoch=best.epoch, loss=f"{best.val_loss:.3g}"
        )

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

    def export_png(self, path: str) -> bool:
        """Save the plots, as shown, to a PNG file; False when it could not be written."""
        self.refresh()
        self.redraw()
        return self._figure.grab().save(str(path), "PNG")

    def empty_text(self) -> str | None:
        """The hint shown over the empty plot, or None once epochs are drawn."""
        return self._empty.text() if not self._empty.isHidden() else None

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._dirty:
            self._timer.start()

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._on_view_resized()

    # -- private ----------------------------------------------------------------------------

    def _validated(self) -> list[EpochReport]:
        """The run's epochs that have a validation loss (all of them, when there is data)."""
        return [e for e in self._history.epochs if e.val_loss is not None]

    def _colors(self) -> tuple[str, str]:
        """Training as the loss plot's trend line, validation as its validation points."""
        return self._theme.accent, self._theme.class_colors[1]

    def _no_validation_text(self) -> str:
        return self.tr("This run has no validation data, so there is no gap to show.")

    def _show_empty(self, text: str) -> None:
        self._empty.setText(text)
        self._empty.show()

    def _show_epochs(self, epochs: int) -> None:
        """Show epochs 1 to `epochs` on the x axis, labelled at whole, round steps."""
        self._planned_epochs = max(1, epochs)
        self.loss_plot.setXRange(0.5, self._planned_epochs + 0.5, padding=0.02)
        spacing = max(1.0, nice_ceiling(self._planned_epochs / MAX_TICKS))
        for plot in (self.loss_plot, self.gap_plot):  # the top axis draws the grid lines
            plot.getAxis("bottom").setTickSpacing(spacing, spacing)

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive() and self.isVisible():
            self._timer.start()

    def _on_timer(self) -> None:
        if not self._dirty or not self.isVisible():
            self._timer.stop()  # started again by new data or by showing the widget
            return
        self.redraw()

    def _on_view_resized(self) -> None:
        rect = self._graphics.mapFromScene(self.loss_plot.vb.sceneBoundingRect()).boundingRect()
        self._empty.setGeometry(QRect(rect).adjusted(12, 12, -12, -12))

    def _on_mouse_moved(self, position: QPointF) -> None:
        """The tooltip of the epoch under the pointer, in either plot."""
        text = ""
        for plot in (self.loss_plot, self.gap_plot):
            if plot.vb.sceneBoundingRect().contains(position):
                epoch = round(plot.vb.mapSceneToView(position).x())
                text = self.epoch_tooltip(epoch)
        self._graphics.setToolTip(text)

    def _style_plot(self, plot: pg.PlotItem) -> None:
        font = QFont(self.font())
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)  # a few dozen points: nothing to zoom into
        plot.disableAutoRange()  # redraw() fits the ranges: see plot_axes.fit_range
        plot.hideButtons()
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setTickFont(font)
            axis.label.setFont(font)
            axis.setGrid(255)
            axis.setStyle(maxTickLevel=1)  # grid lines at labelled steps only


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
