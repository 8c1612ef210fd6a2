"""Axes for stacked live plots: two plots over one x axis, left axes that line up, log ticks
that do not pile up, ranges fitted in round steps instead of pyqtgraph's auto-range, and a
step axis that follows the run."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QSizePolicy

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from models.numbers import nice_ceiling


class AlignedLeftAxis(pg.AxisItem):
    """A left axis that reserves as much tick-text width as the widest axis of its group, so
    the stacked plots' data areas line up under each other, and whose log ticks do not overlap.
    """

    def __init__(self, group: list[AlignedLeftAxis], **kwargs: object) -> None:
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


def stacked_plots() -> tuple[pg.GraphicsLayoutWidget, pg.PlotItem, pg.PlotItem]:
    """A view of two plots, the upper taller, sharing the lower one's x axis and its labels."""
    graphics = pg.GraphicsLayoutWidget()
    graphics.setMinimumHeight(200)
    graphics.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    graphics.ci.setContentsMargins(4, 8, 12, 4)
    graphics.ci.setSpacing(6)
    axes: list[AlignedLeftAxis] = []
    top = graphics.addPlot(row=0, col=0, axisItems={"left": AlignedLeftAxis(axes)})
    bottom = graphics.addPlot(row=1, col=0, axisItems={"left": AlignedLeftAxis(axes)})
    graphics.ci.layout.setRowStretchFactor(0, 3)
    graphics.ci.layout.setRowStretchFactor(1, 2)
    bottom.setXLink(top)
    top.getAxis("bottom").setStyle(showValues=False)
    # No ticks of its own either (the grid draws them: widgets.plot_grid), so it does not
    # work them out again at every move of the shared axis, which follows a run.
    top.getAxis("bottom").setTicks([[]])
    top.getAxis("bottom").setHeight(4)
    return graphics, top, bottom


def fit_range(plot: pg.PlotItem, axis: str, values: np.ndarray, pad: float = 0.05) -> None:
    """Make `plot` show all finite `values` along `axis` ("x" or "y"), in round numbers, moving
    the range only when the values leave it or shrink to under half of it.

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
    step = nice_ceiling(span / 5, fallback=1.0)
    low = math.floor((low - pad * span) / step) * step
    high = math.ceil((high + pad * span) / step) * step
    if axis == "x":
        plot.setXRange(low, high, padding=0.03)
    else:
        plot.setYRange(low, high, padding=0)


# Room past the newest step when the step axis moves (rounding adds <= 1/16). Each move lays
# out the axes and the grid again and re-samples the curves: 8-13 ms more in that frame. With
# 22% of room the bench's 5 s run at batch 512 (2,600 steps) moved the axis at almost every
# redraw, 30 times, and the GUI's 10 ms timer was late by 19-22 ms at p99; with 50%, 12.5-17.9 ms
# (bench/gui_vs_bare.py --only mlp512).
ROOM_AHEAD = 0.5
LEAST_ROOM = 0.05  # the step axis moves on when less room than this is left
PADDING = 0.03  # of the range, either side, so the first and the newest points are not cut


def follow_steps(
    plot: pg.PlotItem, last_step: float, least: float = 10.0, now: bool = False
) -> None:
    """Show steps 0 to a round number 50-60% past `last_step`: the whole run so far with
    room ahead. It moves only when the run nears the right edge or the range is more
    than twice what it needs (a new run); `now` fits it in any case.

    The range grows by at least 40% at a move, so even a long run moves its axis rarely, not
    at every redraw (each move lays the axes out again: see fit_range).
    """
    needed = max(least, float(last_step))
    low, high = plot.vb.viewRange()[0]
    right = high - PADDING * (high - low) / (1 + 2 * PADDING)  # as set, without the padding
    if not now and low <= 0 and needed * (1 + LEAST_ROOM) <= right <= 2 * needed:
        return
    target = needed * (1 + ROOM_AHEAD)
    step = nice_ceiling(target / 40, fallback=1.0)  # round: about 2.5% of the range
    plot.setXRange(0, math.ceil(target / step) * step, padding=PADDING)
