"""`RunRecord`: one finished run as the Runs list keeps it: its settings, its epochs, a thinned
loss curve, and what it cost (steps, seconds, samples/s). Frozen and JSON-able, Qt-free."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.experiment import Experiment
from app.history import RunHistory
from app.reports import METRIC_COLUMNS, RunFinished
from models.translation import _

CURVE_POINTS = 600  # loss points kept per run: enough for a plot, small in the runs file


@dataclass(frozen=True)
class RunRecord:
    name: str
    experiment: Experiment
    outcome: str  # "completed", "stopped" or "diverged"
    epochs: tuple[tuple[float | None, ...], ...]  # metrics.csv's rows, METRIC_COLUMNS
    steps: tuple[float, ...]  # the loss curve, thinned to CURVE_POINTS
    losses: tuple[float, ...]
    steps_done: int
    seconds: float
    samples_per_second: float
    param_count: int

    def metric(self, column: str) -> float | None:
        """The last epoch's value of a metrics.csv column (None when it has none)."""
        if not self.epochs:
            return None
        value = self.epochs[-1][METRIC_COLUMNS.index(column)]
        return None if value is None or not math.isfinite(value) else float(value)

    def column(self, name: str) -> tuple[list[float], list[float]]:
        """Epoch numbers and one column's values, the epochs without it left out."""
        at = METRIC_COLUMNS.index(name)
        pairs = [(row[0], row[at]) for row in self.epochs if row[at] is not None]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    @property
    def is_classification(self) -> bool:
        return any(row[METRIC_COLUMNS.index("val_accuracy")] is not None for row in self.epochs)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "experiment": self.experiment.to_dict(),
            "outcome": self.outcome,
            "epochs": [list(row) for row in self.epochs],
            "steps": list(self.steps),
            "losses": [None if math.isnan(v) else v for v in self.losses],
            "steps_done": self.steps_done,
            "seconds": self.seconds,
            "samples_per_second": self.samples_per_second,
            "param_count": self.param_count,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RunRecord:
        """A record as to_dict wrote it; KeyError, TypeError or ValueError when it is not."""
        epochs = tuple(tuple(_number(v) for v in row) for row in data["epochs"])
        if any(len(row) != len(METRIC_COLUMNS) for row in epochs):
            raise ValueError(_("an epoch row has the wrong number of columns"))
        steps = tuple(float(v) for v in data["steps"])
        losses = tuple(math.nan if v is None else float(v) for v in data["losses"])
        if len(steps) != len(losses):
            raise ValueError(_("the loss curve's steps and losses differ in length"))
        return cls(
            str(data["name"]),
            Experiment.from_dict(data["experiment"]),
            str(data["outcome"]),
            epochs,
            steps,
            losses,
            int(data["steps_done"]),
            float(data["seconds"]),
            float(data["samples_per_second"]),
            int(data["param_count"]),
        )


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(_("a metric is a number or null"))
    return float(value)


def record_run(
    name: str,
    experiment: Experiment,
    history: RunHistory,
    finished: RunFinished,
    samples_per_second: float,
) -> RunRecord:
    """The record of the run `history` holds, which ended with `finished`."""
    steps, losses = history.steps(), history.step_losses()
    if len(steps) > CURVE_POINTS:  # evenly spaced points: the comparison's curves, not spikes
        keep = np.linspace(0, len(steps) - 1, CURVE_POINTS).round().astype(int)
        steps, losses = steps[keep], losses[keep]
    rows = tuple(
        tuple(None if row[c] is None else float(row[c]) for c in METRIC_COLUMNS)
        for row in history.metrics_rows()
    )
    started = history.started
    return RunRecord(
        name,
        experiment,
        finished.reason,
        rows,
        tuple(float(s) for s in steps),
        tuple(float(v) for v in losses),
        finished.steps_done,
        float(finished.elapsed),
        float(samples_per_second),
        started.param_count if started else 0,
    )
