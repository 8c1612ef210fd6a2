"""Axes for the gradient-histogram plots whose tick labels never run into each other.

pyqtgraph keeps at least three major ticks on a linear axis and labels 2-9 inside a short
decade on a log one; on the histogram tab's narrow plots both pile their labels up.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

from models.numbers import nice_ceiling

_COUNT_TICKS = (0, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9)


class SpacedAxis(pg.AxisItem):
    """An axis whose major ticks are spaced so their labels never run into each other
    (pyqtgraph keeps at least three major ticks, which overlap on a narrow plot, or on a
    short one: the heatmap's value axis in presentation mode at 1280x720)."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.setStyle(hideOverlappingLabels=12)  # a "0" at the very left edge still shows

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list:
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or size <= 0 or maxVal <= minVal:
            return levels
        metrics = QFontMetrics(self.style["tickFont"] or QFont())
        if self.orientation in ("left", "right"):
            # A line of text and a hair between: pyqtgraph's own steps already fit in a
            # heatmap 70 px high (labels 17.5 px apart at the normal font), not in 40 px.
            label = metrics.height() + 2
        else:
            widest = max(abs(minVal), abs(maxVal)) * self.autoSIPrefixScale * self.scale
            label = metrics.horizontalAdvance(f"{widest:.0f}") + metrics.horizontalAdvance("00")
        needed = label * (maxVal - minVal) / size  # one label and a gap, in axis units
        if levels[0][0] >= needed:
            return levels
        major = nice_ceiling(needed)
        minor = major / (4 if f"{major:e}".startswith("2") else 5)
        return [(major, 0.0), (minor, 0.0)]


class LogAxis(pg.AxisItem):
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


def count_ticks(top: float) -> list[tuple[float, str]]:
    """Ticks of a colour bar that shows log(1 + count) up to `top` counts: 0, 1, 10, 100 ...
    labelled "1k", "1M", and `top` itself when it is far from the last of them."""
    level = math.log1p(top)
    ticks = [t for t in _COUNT_TICKS if t <= top]
    if level - math.log1p(ticks[-1]) > 0.15 * level:
        ticks.append(top)  # label the top of the bar when it is far from the last tick
    return [(math.log1p(t), _count_label(t)) for t in ticks]


def _count_label(value: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _log_tick_rank(value: float) -> int:
    """Which log ticks to label first: 1, 10, 100 ...; then 2 and 5; then the others."""
    mantissa = round(10 ** (value - math.floor(value + 1e-9)))
    return {1: 0, 10: 0, 2: 1, 5: 1}.get(mantissa, 2)
