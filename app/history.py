"""What a run produced, held outside the widgets: every step's loss, the epochs, the markers.

Qt-free. The window's controller owns one and adds every report of the current run to it;
the plots render it; Export Metrics and the CLI's metrics.csv write it.
"""

from __future__ import annotations

from app.reports import EpochReport, Marker, Report, RunStarted, metrics_csv


class RunHistory:
    """The current run's record. `add` takes every report in order; RunStarted starts over."""

    def __init__(self) -> None:
        self.started: RunStarted | None = None
        self.epochs: list[EpochReport] = []
        self.markers: list[Marker] = []

    def add(self, report: Report) -> None:
        if isinstance(report, RunStarted):
            self.started = report
            self.epochs, self.markers = [], []
        elif isinstance(report, EpochReport):
            self.epochs.append(report)
        elif isinstance(report, Marker):
            self.markers.append(report)

    def metrics_rows(self) -> list[dict[str, float | int | None]]:
        """One row per finished epoch (accuracy as a fraction)."""
        return [epoch.row() for epoch in self.epochs]

    def metrics_csv(self) -> str:
        return metrics_csv(self.metrics_rows())
