"""RunHistory and its smoothing: what a run's record holds, how it starts over, stays bounded,
smooths like TensorBoard and writes metrics.csv, all without Qt."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from app.history import MAX_POINTS, LossBuffer, RunHistory
from app.reports import EpochReport, Marker, Paused, RunStarted, StepsReport
from app.smoothing import smooth


def run_started(task_kind: str = "classification", epochs: int = 10) -> RunStarted:
    return RunStarted(
        device="cpu",
        dtype="float32",
        task_kind=task_kind,
        param_count=100,
        train_samples=1000,
        val_samples=200,
        steps_per_epoch=100,
        epochs=epochs,
        layer_names=("0",),
        threads=1,
    )


def steps(first: int, losses: list[float] | np.ndarray) -> StepsReport:
    return StepsReport(first, np.asarray(losses, dtype=np.float64), 0, 1000.0, 1.0, 0.01)


def tb_smooth(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing, written out plainly."""
    last, out = 0.0, []
    for n, value in enumerate(values, start=1):
        last = last * weight + (1 - weight) * value
        out.append(last / (1 - weight**n))
    return out


def test_smoothing_matches_tensorboard_in_chunks():
    values = np.random.default_rng(1).random(50)
    x = np.arange(50, dtype=np.float64)
    first, state = smooth(x[:17], values[:17], 0.8, None)
    rest, _ = smooth(x[17:], values[17:], 0.8, state)
    assert np.concatenate([first, rest]) == pytest.approx(tb_smooth(values.tolist(), 0.8))


def test_non_finite_losses_leave_a_gap_and_the_average_unharmed():
    x = np.arange(4, dtype=np.float64)
    out, _ = smooth(x, np.array([1.0, math.nan, 1.0, 1.0]), 0.6, None)
    assert math.isnan(out[1])
    assert out[[0, 2, 3]] == pytest.approx([1.0, 1.0, 1.0])


def test_the_history_holds_steps_epochs_and_markers_in_order():
    history = RunHistory()
    assert history.started is None and history.point_count() == 0
    start = run_started()
    epoch = EpochReport(1, 3, 2.0, 1.5, val_accuracy=0.4)
    for report in (start, steps(0, [3.0, math.inf]), steps(2, [1.0]), epoch, Marker(2, "lr")):
        history.add(report)
    assert history.started is start
    assert history.steps().tolist() == [0, 1, 2]
    losses = history.step_losses()
    assert losses[0] == 3.0 and math.isnan(losses[1]) and losses[2] == 1.0  # inf: a gap
    assert history.epochs == [epoch]
    assert history.markers == [Marker(2, "lr")]


def test_smoothed_values_follow_the_weight_asked_for():
    history = RunHistory()
    values = [4.0, 1.0, 3.0, 2.0, 5.0]
    history.add(run_started())
    history.add(steps(0, values[:2]))
    assert history.smoothed(0.5) == pytest.approx(tb_smooth(values[:2], 0.5))
    history.add(steps(2, values[2:]))  # smoothed as it arrives, continuing the average
    assert history.smoothed(0.5) == pytest.approx(tb_smooth(values, 0.5))
    assert history.smoothed(0.9) == pytest.approx(tb_smooth(values, 0.9))


def test_version_counts_changes_and_a_new_run_starts_over():
    history = RunHistory()
    history.add(run_started())
    history.add(steps(0, [1.0, 2.0]))
    history.add(EpochReport(1, 2, 1.5, 1.4, val_accuracy=0.5))
    history.add(Marker(1, "lr"))
    version = history.version
    history.add(Paused(2))  # not part of the record
    history.add(steps(2, []))  # no steps: nothing new
    assert history.version == version and history.run_number == 1
    history.add(run_started(epochs=3))
    assert history.version > version and history.run_number == 2
    assert history.started.epochs == 3
    assert history.point_count() == 0 and history.epochs == [] and history.markers == []
    assert history.metrics_rows() == []


def test_a_continued_run_goes_on_with_the_curves_and_a_fresh_run_starts_over():
    history = RunHistory()
    values = [4.0, 1.0, 3.0, 2.0, 5.0]
    history.add(run_started())
    history.add(steps(0, values[:3]))
    history.add(EpochReport(1, 3, 2.7, 2.5, val_accuracy=0.5))
    history.smoothed(0.5)
    continued = replace(run_started(epochs=4), first_step=3, first_epoch=1)
    history.add(continued)
    history.add(Marker(3, "continued"))
    history.add(steps(3, values[3:]))
    history.add(EpochReport(2, 5, 3.5, 2.0, val_accuracy=0.6))
    # One curve from step 0, its average smoothed on across the join; both epochs; one run.
    assert history.run_number == 1 and history.started is continued
    assert history.steps().tolist() == [0, 1, 2, 3, 4]
    assert history.smoothed(0.5) == pytest.approx(tb_smooth(values, 0.5))
    assert [e.epoch for e in history.epochs] == [1, 2]
    assert history.markers == [Marker(3, "continued")]
    assert [row["epoch"] for row in history.metrics_rows()] == [1, 2]
    history.add(run_started())  # from the seed again (after Reset, or a changed model)
    assert history.run_number == 2 and history.point_count() == 0
    assert history.epochs == [] and history.markers == []


def test_a_million_steps_stay_bounded_and_keep_the_whole_run():
    history = RunHistory()
    history.add(run_started())
    rng = np.random.default_rng(0)
    for report in range(1000):
        losses = 1.0 + 0.1 * rng.random(1000)
        if report == 123:
            losses[456] = 50.0  # one spike, early on
        history.add(steps(report * 1000, losses))
    x, y = history.steps(), history.step_losses()
    assert len(x) == history.point_count() <= MAX_POINTS
    assert x[0] == 0 and x[-1] == 999_999
    assert (np.diff(x) > 0).all()
    assert y.max() == 50.0 and x[y.argmax()] == 123_456
    assert len(x) > 50_000  # still detailed: decimation halves, it does not collapse
    assert len(history.smoothed(0.6)) == len(x)


def test_a_tiny_buffer_keeps_first_last_and_extremes():
    buffer = LossBuffer(capacity=16)
    rng = np.random.default_rng(3)
    values = rng.random(10_000)
    values[5_000] = 9.0
    values[7_000] = -9.0
    start = 0
    while start < len(values):
        end = min(len(values), start + int(rng.integers(1, 40)))
        x = np.arange(start, end, dtype=np.float64)
        buffer.append(x, values[start:end], values[start:end])
        start = end
        assert buffer.size <= 16
    x = buffer.x[: buffer.size]
    y = buffer.y[: buffer.size]
    assert x[0] == 0 and x[-1] == 9_999
    assert (np.diff(x) > 0).all()
    assert y.max() == 9.0 and y.min() == -9.0


def test_metrics_rows_and_csv_per_epoch():
    history = RunHistory()
    history.add(run_started("regression"))
    history.add(EpochReport(1, 100, 1.0, 0.9, val_rmse=0.95, val_r2=0.1))
    history.add(EpochReport(2, 200, 0.5, None))
    assert history.metrics_rows() == [
        {
            "epoch": 1,
            "steps": 100,
            "train_loss": 1.0,
            "val_loss": 0.9,
            "val_accuracy": None,
            "val_rmse": 0.95,
            "val_r2": 0.1,
        },
        {
            "epoch": 2,
            "steps": 200,
            "train_loss": 0.5,
            "val_loss": None,
            "val_accuracy": None,
            "val_rmse": None,
            "val_r2": None,
        },
    ]
    assert history.metrics_csv() == (
        "epoch,steps,train_loss,val_loss,val_accuracy,val_rmse,val_r2\n"
        "1,100,1,0.9,,0.95,0.1\n"
        "2,200,0.5,,,,\n"
    )
