"""Helpers shared by the tests of the LivePlot widgets (loss and generalization plots): a run's
RunStarted report, a shown plot on an empty RunHistory, and feeding it reports."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from app.history import RunHistory
from app.reports import Report, RunStarted
from widgets.live_plot import LivePlot

P = TypeVar("P", bound=LivePlot)


def run_started(task_kind: str = "classification", **changes: object) -> RunStarted:
    """A run's first report; `changes` replace any other field (epochs, val_samples, ...)."""
    report = RunStarted(
        device="cpu",
        dtype="float32",
        task_kind=task_kind,
        param_count=100,
        train_samples=1000,
        val_samples=200,
        steps_per_epoch=100,
        epochs=10,
        layer_names=("0",),
        threads=1,
    )
    return dataclasses.replace(report, **changes)


def shown_plot(qtbot, plot_type: type[P]) -> P:
    """A plot of `plot_type` on an empty RunHistory, shown at 700 x 500."""
    widget = plot_type()
    qtbot.addWidget(widget)
    widget.set_history(RunHistory())
    widget.resize(700, 500)
    widget.show()
    return widget


def feed(plot: LivePlot, *reports: Report) -> None:
    """What the window does with each report: the history takes it, the plot catches up."""
    for report in reports:
        plot.history().add(report)
        plot.refresh()
