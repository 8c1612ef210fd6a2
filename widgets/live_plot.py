"""LivePlot: the frame of a plot drawn from a RunHistory, redrawn when it changed and is visible.

The history (app.history) holds the run; `refresh` only notes that its version moved and marks
the widget dirty; one 5 Hz timer redraws while the widget is visible (every percent of a core
the GUI burns is a percent of training speed). A subclass builds its plots, hands them to
`_build_frame`, and draws in `_draw`; the legend, the hint over the empty plot, the figure that
`export_png` saves and the catching up are here.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from app.history import RunHistory
from app.reports import RunStarted
from widgets.plot_style import color_figure
from widgets.theme import Theme, current_theme

REDRAW_MS = 200  # 5 Hz: every redraw takes a core share from training (bench/gui_vs_bare.py)
MAX_SYMBOLS = 100  # points drawn with a symbol each; beyond, they merge into a band anyway


def point_symbol(count: int) -> str | None:
    """The symbol of a line of `count` points: round ones up to MAX_SYMBOLS, then none."""
    return "o" if count <= MAX_SYMBOLS else None


class LivePlot(QWidget):
    """A plot drawn from a RunHistory, redrawn when it changed and is visible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._history = RunHistory()
        self._seen_version = 0  # the history's version and run last caught up with
        self._seen_run = 0
        self._dirty = False
        self._drew_points = False  # whether the last redraw had any loss to show
        # The legend sits above the plots, not in them: there it would hide the curves and the
        # marker labels in a narrow dock, and as rich text it wraps.
        self._legend = QLabel()
        self._legend.setWordWrap(True)
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer)

    def _build_frame(
        self,
        graphics: pg.GraphicsLayoutWidget,
        hint_plot: pg.PlotItem,
        captions: Sequence[QWidget] = (),
        controls: Sequence[QWidget] = (),
    ) -> None:
        """Lay out `controls`, then the legend, `captions` and `graphics` with the hint."""
        self._graphics = graphics
        self._hint_plot = hint_plot
        self._empty = QLabel(graphics)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        hint_plot.vb.sigResized.connect(self._on_view_resized)

        # What export_png saves: the legend, the captions and the plots, without the controls.
        self._figure = QWidget()
        self._figure.setAutoFillBackground(True)
        figure = QVBoxLayout(self._figure)
        figure.setContentsMargins(8, 4, 0, 0)
        figure.setSpacing(2)
        figure.addWidget(self._legend)
        for caption in captions:
            figure.addWidget(caption)
        figure.addWidget(graphics, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        for control in controls:
            layout.addWidget(control)
        layout.addWidget(self._figure, 1)

    # -- what it shows ----------------------------------------------------------------------

    def history(self) -> RunHistory:
        """The run this widget draws."""
        return self._history

    def set_history(self, history: RunHistory) -> None:
        """Draw `history` from now on (the window hands over its controller's)."""
        self._history = history
        self._seen_version = self._seen_run = 0
        self._forget_drawn()
        self._show_empty(self._idle_text())
        self.refresh()
        self._mark_dirty()

    def refresh(self) -> None:
        """Catch up with the history after new reports; the plots redraw at once when they
        were not drawn in the last REDRAW_MS, else at the next tick."""
        history = self._history
        if history.version == self._seen_version:
            return
        self._seen_version = history.version
        if history.run_number != self._seen_run and history.started is not None:
            self._seen_run = history.run_number
            self._start_run(history.started)
        self._caught_up(history)
        # A run's first losses are drawn at once, even right after the redraw that cleared
        # the plot for it: they are what the user waits for after pressing Train.
        self._mark_dirty(at_once=not self._drew_points and history.point_count() > 0)

    def set_theme(self, theme: Theme) -> None:
        """Paint the plots, their items and the legend in the colours of `theme`."""
        self._theme = theme
        self._paint(theme)
        self._empty.setStyleSheet(f"color: {theme.muted_text}; background: transparent;")
        color_figure(self._figure, theme)

    # -- drawing ----------------------------------------------------------------------------

    def redraw(self) -> None:
        """Push the history to the plot items (the timer calls this when dirty and visible)."""
        self._dirty = False
        self._drew_points = self._history.point_count() > 0
        self._draw()

    def export_png(self, path: str) -> bool:
        """Save the plots, as shown, to a PNG file; False when it could not be written."""
        self.refresh()
        self.redraw()
        return self._figure.grab().save(str(path), "PNG")

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

    # -- what a subclass gives --------------------------------------------------------------

    def _idle_text(self) -> str:
        """The hint over the plot before any run."""
        raise NotImplementedError

    def _start_run(self, run_started: RunStarted) -> None:
        """Get ready for a new run: its hint, its axes."""
        raise NotImplementedError

    def _draw(self) -> None:
        """Push the history to the plot items."""
        raise NotImplementedError

    def _paint(self, theme: Theme) -> None:
        """Colour the plots, their items and the legend."""
        raise NotImplementedError

    def _forget_drawn(self) -> None:
        """Drop what was drawn of an earlier history (nothing here)."""

    def _caught_up(self, history: RunHistory) -> None:
        """What to do at once after new reports, before the next redraw (nothing here)."""

    # -- private ----------------------------------------------------------------------------

    def _show_empty(self, text: str) -> None:
        self._empty.setText(text)
        self._empty.show()

    def _mark_dirty(self, at_once: bool = False) -> None:
        """Draw now when no redraw happened in the last REDRAW_MS (or `at_once`), else at
        the next tick: the plot redraws at most 5 times a second, and new data after a
        pause shows at once."""
        self._dirty = True
        if (at_once or not self._timer.isActive()) and self.isVisible():
            self.redraw()
            self._timer.start()

    def _on_timer(self) -> None:
        if not self._dirty or not self.isVisible():
            self._timer.stop()  # started again by new data or by showing the widget
            return
        self.redraw()

    def _on_view_resized(self) -> None:
        rect = self._graphics.mapFromScene(self._hint_plot.vb.sceneBoundingRect()).boundingRect()
        self._empty.setGeometry(QRect(rect).adjusted(12, 12, -12, -12))

    def _points(self, plot: pg.PlotItem) -> pg.PlotDataItem:
        """A line of round points on `plot`, sized to the font (MAX_SYMBOLS at most)."""
        points = plot.plot(symbol="o", symbolSize=self._point_size(), connect="finite")
        # Not clipped to the view: clipping set the symbols again (1-4 ms in Python) at every
        # move of the step axis, which follows a run; a few hundred points need no clipping.
        points.setClipToView(False)
        return points

    def _point_size(self) -> int:
        """The epoch points' size: half a line of the font (8 px at least), times the look's
        marker scale; `_paint` sets it again when the look or its font changes."""
        size = max(8, round(self.fontMetrics().height() * 0.5))
        return round(self._theme.marker_size(size))
