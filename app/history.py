"""What a run produced, held outside the widgets: every step's loss, the epochs, the markers.

Qt-free. The window's controller owns one and adds every report of the current run to it;
the plots render it; Export Metrics and the CLI's metrics.csv write it. Long runs keep at most
`MAX_POINTS` loss points: when the buffer fills, the older part is decimated 2:1 into
(min, max) pairs, so the whole run stays visible, spikes included.
"""

from __future__ import annotations

import numpy as np

from app.reports import EpochReport, Marker, Report, RunStarted, StepsReport, metrics_csv
from app.smoothing import SmoothState, smooth

MAX_POINTS = 200_000  # loss points kept; the older part is decimated beyond this


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
        """Forget every point (a new run starts)."""
        self.size = self.committed = 0
        self.bucket = 2

    def append(self, x: np.ndarray, y: np.ndarray, s: np.ndarray) -> None:
        """Add steps `x` with losses `y` and smoothed losses `s`, decimating when full."""
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

    def recompute_smoothed(self, weight: float) -> SmoothState | None:
        """Smooth the kept points again (after a smoothing change); returns the new state."""
        smoothed, state = smooth(self.x[: self.size], self.y[: self.size], weight, None)
        self.s[: self.size] = smoothed
        return state


class RunHistory:
    """The current run's record. `add` takes every report in order; a RunStarted from the
    seed (`first_step` 0) starts over, one that continues the last run goes on with it.

    `version` counts the changes, so a view redraws only when it moved; `run_number` counts
    the fresh runs, so a view knows when to start over; `started` is the latest run's start,
    continued or not.
    """

    def __init__(self, capacity: int = MAX_POINTS) -> None:
        self.started: RunStarted | None = None
        self.epochs: list[EpochReport] = []
        self.markers: list[Marker] = []
        self.losses = LossBuffer(capacity)
        self.version = 0
        self.run_number = 0
        # The smoothed column follows the weight a view last asked for, smoothed from every
        # step as it arrives; None until asked, so runs nobody draws (the CLI) skip the work.
        self._weight: float | None = None
        self._smooth_state: SmoothState | None = None

    def add(self, report: Report) -> None:
        """Record one report of the current run (reports the history does not hold pass)."""
        if isinstance(report, StepsReport):
            if not self._add_steps(report):
                return
        elif isinstance(report, RunStarted):
            self.started = report
            if not report.continues:  # a continued run's curves go on from the last run's
                self.epochs, self.markers = [], []
                self.losses.clear()
                self._smooth_state = None
                self.run_number += 1
        elif isinstance(report, EpochReport):
            self.epochs.append(report)
        elif isinstance(report, Marker):
            self.markers.append(report)
        else:
            return
        self.version += 1

    def steps(self) -> np.ndarray:
        """The step of every kept loss point (a view, valid until the next `add`)."""
        return self.losses.x[: self.losses.size]

    def step_losses(self) -> np.ndarray:
        """The kept loss points; NaN where a loss was not finite."""
        return self.losses.y[: self.losses.size]

    def smoothed(self, weight: float) -> np.ndarray:
        """The kept loss points smoothed with `weight` (0 to 0.99), TensorBoard's way."""
        if weight != self._weight:
            self._weight = weight
            self._smooth_state = self.losses.recompute_smoothed(weight)
        return self.losses.s[: self.losses.size]

    def point_count(self) -> int:
        """How many loss points are kept now (at most the capacity, MAX_POINTS by default)."""
        return self.losses.size

    def metrics_rows(self) -> list[dict[str, float | int | None]]:
        """One row per finished epoch (accuracy as a fraction)."""
        return [epoch.row() for epoch in self.epochs]

    def metrics_csv(self) -> str:
        """metrics.csv of the run so far, as the CLI and Export Metrics write it."""
        return metrics_csv(self.metrics_rows())

    def _add_steps(self, report: StepsReport) -> bool:
        losses = np.asarray(report.losses, dtype=np.float64)
        if len(losses) == 0:
            return False
        losses = np.where(np.isfinite(losses), losses, np.nan)
        steps = np.arange(report.first_step, report.first_step + len(losses), dtype=np.float64)
        if self._weight is None:
            smoothed = np.full(len(losses), np.nan)  # smoothed when first asked for
        else:
            smoothed, self._smooth_state = smooth(steps, losses, self._weight, self._smooth_state)
        self.losses.append(steps, losses, smoothed)
        return True
