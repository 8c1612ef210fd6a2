"""TickGrid: grid lines at the ticks of a plot's axes, drawn as an item of the plot's view.

pyqtgraph draws a grid as part of each axis, so each axis then covers the whole view: every
new point of a curve repainted all four axes of the loss plot, their tick labels replayed
from a QPicture: about half of its 17-20 ms paint during a run (py-spy on the window in
bench/gui_vs_bare.py). Here the grid is a handful of lines of its own, and an axis repaints
only when its range moves.
"""

from __future__ import annotations

from PySide6.QtCore import QLine, QRect, QRectF
from PySide6.QtGui import QColor, QPainter, QPen

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from widgets.theme import mix

Z_BELOW_CURVES = -1000
AXES = ("bottom", "left")  # the bottom axis's ticks draw vertical lines, the left's across

Lines = list[tuple[QPen, list[QLine]]]  # each tick level's pen and lines, in device pixels


class TickGrid(pg.GraphicsObject):
    """Lines across `plot`'s view at the ticks its left and bottom axes label, the major
    ticks opaque and the minor ones fainter, as pyqtgraph's own grid shades them."""

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self._plot = plot
        self._color, self._background = "#808080", "#FFFFFF"
        self._lines: dict[str, Lines] = {}  # by axis
        self._keys: dict[str, tuple] = {}  # by axis: what its lines were worked out from
        plot.vb.addItem(self, ignoreBounds=True)
        self.setZValue(Z_BELOW_CURVES)  # after addItem, which raises it to the view's
        plot.vb.sigRangeChanged.connect(self.prepareGeometryChange)  # the bounding rect moved

    @staticmethod
    def of(plot: pg.PlotItem) -> TickGrid | None:
        """The grid of `plot`, if it has one."""
        items = plot.vb.childGroup.childItems()
        return next((i for i in items if isinstance(i, TickGrid)), None)

    def set_colors(self, color: str, background: str) -> None:
        """Draw the lines in `color` over the view's `background`."""
        self._color, self._background = color, background
        self._keys.clear()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._plot.vb.viewRect()

    def paint(self, painter: QPainter, *args: object) -> None:
        # Drawn in whole pixels, without the view's scaling: crisp one-pixel lines. Each
        # axis's lines are worked out again (0.25 ms) only when its ticks can have moved: its
        # range or pixels, its log mode or its own tick spacing (pyqtgraph's private
        # _tickSpacing, which the generalization plot sets).
        transform = painter.transform()  # the view's: a scaling and a translation
        area = transform.mapRect(self._plot.vb.viewRect()).toAlignedRect()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for name in AXES:
            axis = self._plot.getAxis(name)
            vertical = name == "bottom"
            if vertical:
                scale, offset = transform.m11(), transform.dx()
            else:
                scale, offset = transform.m22(), transform.dy()
            key = (scale, offset, area.getRect(), axis.logMode, repr(axis._tickSpacing))
            if self._keys.get(name) != key:
                self._lines[name] = self._tick_lines(axis, scale, offset, area, vertical)
                self._keys[name] = key
            for pen, lines in self._lines[name]:
                painter.setPen(pen)
                painter.drawLines(lines)

    def _tick_lines(
        self, axis: pg.AxisItem, scale: float, offset: float, area: QRect, vertical: bool
    ) -> Lines:
        """Lines across `area` at `axis`'s ticks, each at value * `scale` + `offset` pixels."""
        if vertical:
            first, last, pixels = area.left(), area.right(), area.width()
        else:
            first, last, pixels = area.bottom(), area.top(), area.height()
        if pixels <= 0 or scale == 0:
            return []
        levels = axis.tickValues((first - offset) / scale, (last - offset) / scale, pixels)
        drawn = []
        for level, (_, values) in enumerate(levels):
            at = [round(v * scale + offset) for v in values]
            if vertical:
                lines = [QLine(x, area.top(), x, area.bottom()) for x in at]
            else:
                lines = [QLine(area.left(), y, area.right(), y) for y in at]
            drawn.append((self._pen(level, len(values), pixels), lines))
        return drawn

    def _pen(self, level: int, count: int, pixels: float) -> QPen:
        """A one-pixel pen for tick `level`: fainter for minor levels and dense ticks (the
        shading of pyqtgraph's AxisItem grid, which this replaces). Opaque, mixed with the
        background beforehand: the raster engine drew translucent lines 8 times slower
        (12 lines across 600x500: 0.96 ms, opaque 0.12 ms)."""
        density = min(1.0, max(0.0, 0.05 * pixels / (count + 1)))
        opacity = density / (level + 1)
        return QPen(QColor(mix(self._color, self._background, 1.0 - opacity)), 0)  # 1 pixel
