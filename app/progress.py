"""How fast a run goes and how it is doing, from its reports: `RateMeter` (samples/s and time
left, averaged over a second of training) and `best_epoch` (the best validation so far).

Qt-free: the run panel shows what these compute, tests feed them report values.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from app.reports import EpochReport

RATE_WINDOW = 1.0  # seconds of training a rate is averaged over, at least


@dataclass(frozen=True)
class Rate:
    """Steps and samples a second, averaged over at least RATE_WINDOW seconds of training."""

    steps_per_second: float
    samples_per_second: float

    def seconds_for(self, steps: int) -> float:
        """How long `steps` more steps take at this rate (inf when it is zero)."""
        return steps / self.steps_per_second if self.steps_per_second > 0 else math.inf


class RateMeter:
    """The rate of a run from its StepsReports' (elapsed, steps_done, samples_per_second).

    The engine's samples_per_second is measured over one report (0.2 s): it jumps (47,128 ->
    9,715 -> 50,639 within one second) and the first steps of a run are slow. This meter keeps
    the points of the last second or so and gives the rate between the newest and the newest
    one at least RATE_WINDOW older. `elapsed` excludes pauses, so a second measured before a
    pause still counts after it: right after Step or Resume the rate is the one before.
    """

    def __init__(self, window: float = RATE_WINDOW) -> None:
        self.window = window
        self._points: deque[tuple[float, int, float]] = deque()  # (elapsed, steps, samples)
        self._rate: Rate | None = None

    def start(self, first_step: int = 0, keep_rate: bool = False) -> None:
        """A run starts at `first_step`, with 0 s of training; `keep_rate` keeps the last
        run's rate until this one has measured its own (a continued run, same model)."""
        self._points.clear()
        self._points.append((0.0, first_step, 0.0))
        if not keep_rate:
            self._rate = None

    def add(self, elapsed: float, steps_done: int, samples_per_second: float) -> None:
        """One StepsReport: `samples_per_second` was measured over the training time since
        the previous report, so it gives the samples trained in between."""
        if not self._points or elapsed < self._points[-1][0]:  # no start seen: count from here
            self._points.clear()
            self._points.append((elapsed, steps_done, 0.0))
            return
        last_elapsed, _, last_samples = self._points[-1]
        speed = samples_per_second if math.isfinite(samples_per_second) else 0.0
        samples = last_samples + max(0.0, speed) * (elapsed - last_elapsed)
        self._points.append((elapsed, steps_done, samples))
        # Keep the newest point at least a window older than this one, and those after it.
        while len(self._points) > 2 and elapsed - self._points[1][0] >= self.window:
            self._points.popleft()
        old_elapsed, old_steps, old_samples = self._points[0]
        span = elapsed - old_elapsed
        if span >= self.window:
            self._rate = Rate((steps_done - old_steps) / span, (samples - old_samples) / span)

    @property
    def rate(self) -> Rate | None:
        """The rate over the last second or more of training; None until one was measured."""
        return self._rate

    def seconds_left(self, steps_left: int) -> float:
        """How long `steps_left` more steps take at the measured rate; inf while unknown."""
        return self._rate.seconds_for(steps_left) if self._rate is not None else math.inf


def best_epoch(epochs: Sequence[EpochReport], task_kind: str) -> EpochReport | None:
    """The epoch with the best validation so far: the highest accuracy for classification,
    the lowest RMSE for regression (the earliest of equals); None without validation."""
    if task_kind == "regression":
        scored = [(e.val_rmse, e.epoch, e) for e in epochs if _finite(e.val_rmse)]
    else:
        scored = [(-e.val_accuracy, e.epoch, e) for e in epochs if _finite(e.val_accuracy)]
    return min(scored, key=lambda item: item[:2])[2] if scored else None


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
