"""A made-up training run for the widget demos (`python -m widgets.loss_plot`), played into a
RunHistory a report at a time, so a demo looks like the window during a run."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer

from app.history import RunHistory
from app.reports import EpochReport, Marker, Report, StepsReport
from widgets.demo_data import FAKE_RUN


def fake_run(steps_per_epoch: int = 300, epochs: int = 10) -> Iterator[Report]:
    """The reports of a classification run whose validation loss bottoms out and rises again
    (it starts to overfit), 30 steps to a report."""
    rng = np.random.default_rng(0)
    yield replace(
        FAKE_RUN,
        param_count=1000,
        train_samples=9600,
        val_samples=2400,
        steps_per_epoch=steps_per_epoch,
        epochs=epochs,
        layer_names=("0", "2"),
    )
    total = steps_per_epoch * epochs
    for first in range(0, total, 30):
        steps = np.arange(first, min(total, first + 30))
        trend = 0.08 + 2.2 * np.exp(-steps / 450)
        losses = trend * np.exp(0.3 * rng.standard_normal(len(steps)))  # batch-to-batch noise
        yield StepsReport(first, losses, int(steps[-1]) // steps_per_epoch, 3000.0, 1.0, 1e-3)
        done = int(steps[-1]) + 1
        if done == 1200:
            yield Marker(1200, "learning rate 0.0003")
        if done % steps_per_epoch == 0:
            epoch = done // steps_per_epoch
            train = float(0.08 + 2.2 * math.exp(-done / 450))
            accuracy = min(0.97, 0.45 + 0.55 * (1 - math.exp(-epoch / 2.5)))
            val_loss = train * 1.1 + 0.03 + 0.004 * epoch**2
            yield EpochReport(epoch, done, train, val_loss, val_accuracy=accuracy)


def play(
    reports: Iterator[Report],
    history: RunHistory,
    changed: Callable[[], None],
    parent: QObject,
    interval_ms: int = 50,
) -> QTimer:
    """Add `reports` to `history` up to the next steps report every `interval_ms`, calling
    `changed` after each tick (as the window's run panel does after each report)."""
    timer = QTimer(parent)

    def tick() -> None:
        for report in reports:
            history.add(report)
            if isinstance(report, StepsReport):
                break
        else:
            timer.stop()
        changed()

    timer.timeout.connect(tick)
    timer.start(interval_ms)
    return timer
