"""Vertical lines where a setting changed during a run, labelled on the plot above and plain on
the one below, each label on the side of its line where it fits."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics

from app.reports import Marker
from widgets.theme import Theme

MAX_MARKERS = 100  # lines drawn; the oldest go beyond this
MARKER_LABEL_HEIGHTS = (0.92, 0.76, 0.6)  # cycled, so labels of close markers do not overlap


class RunMarkerLines:
    """The marker lines of one run on two stacked plots that share the step axis."""

    def __init__(self, top: pg.PlotItem, bottom: pg.PlotItem, font: QFont, theme: Theme) -> None:
        self._top, self._bottom = top, bottom
        self._font = QFont(font)
        self._theme = theme
        self._lines: list[tuple[Marker, pg.InfiniteLine, pg.InfiniteLine]] = []
        self._shown = 0  # markers of the run drawn so far, the dropped oldest included
        top.vb.sigResized.connect(self.place_labels)
        top.vb.sigXRangeChanged.connect(self.place_labels)

    def clear(self) -> None:
        """Remove every line (a new run starts)."""
        for _, top, bottom in self._lines:
            self._top.removeItem(top)
            self._bottom.removeItem(bottom)
        self._lines.clear()
        self._shown = 0

    def show(self, markers: Sequence[Marker]) -> None:
        """Draw the markers of the run not drawn yet (`markers` is the run's list so far)."""
        for marker in markers[self._shown :]:
            self._add(marker, MARKER_LABEL_HEIGHTS[self._shown % len(MARKER_LABEL_HEIGHTS)])
            self._shown += 1
        while len(self._lines) > MAX_MARKERS:
            _, old_top, old_bottom = self._lines.pop(0)
            self._top.removeItem(old_top)
            self._bottom.removeItem(old_bottom)
        self.place_labels()

    def set_theme(self, theme: Theme, font: QFont | None = None) -> None:
        """Draw the lines and labels in the colours and widths of `theme` (and the labels in
        `font`, when given: a presentation scales the font)."""
        self._theme = theme
        if font is not None:
            self._font = QFont(font)
        for _, top, bottom in self._lines:
            top.label.setFont(self._font)
            self._paint(top, bottom)
        self.place_labels()

    def place_labels(self) -> None:
        """Put each marker's label on the side of its line where it fits in the view."""
        view = self._top.vb
        (left, right), _ = view.viewRange()
        width = view.width()
        if width <= 0 or right <= left:
            return
        per_pixel = (right - left) / width
        metrics = QFontMetrics(self._font)
        pad = metrics.horizontalAdvance("  ")
        for marker, line, _ in self._lines:
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

    def _add(self, marker: Marker, height: float) -> None:
        top = pg.InfiniteLine(
            pos=marker.step,
            angle=90,
            label=_label_format(marker.text),
            labelOpts={"position": height},
        )
        top.label.setFont(self._font)
        top.setToolTip(marker.text)
        bottom = pg.InfiniteLine(pos=marker.step, angle=90)
        self._paint(top, bottom)
        self._top.addItem(top, ignoreBounds=True)
        self._bottom.addItem(bottom, ignoreBounds=True)
        self._lines.append((marker, top, bottom))

    def _paint(self, top: pg.InfiniteLine, bottom: pg.InfiniteLine) -> None:
        theme = self._theme
        pen = pg.mkPen(theme.muted_text, width=theme.line_width(1.5), style=Qt.PenStyle.DashLine)
        top.setPen(pen)
        bottom.setPen(pen)
        top.label.setColor(theme.text)
        top.label.fill = pg.mkBrush(_with_alpha(theme.plot_background, 0.85))
        top.label.update()


def _label_format(text: str) -> str:
    """A marker label as an InfLineLabel format string: braces escaped, spaced off the line."""
    return " " + text.replace("{", "{{").replace("}", "}}") + " "


def _with_alpha(color: str, alpha: float) -> QColor:
    result = QColor(color)
    result.setAlphaF(alpha)
    return result
