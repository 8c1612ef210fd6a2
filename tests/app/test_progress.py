"""RateMeter and best_epoch: the speed and time left a user reads, from report values, and the
best validation so far, all without Qt."""

from __future__ import annotations

import math

import pytest

from app.progress import RateMeter, best_epoch
from app.reports import EpochReport


def feed(meter: RateMeter, points: list[tuple[float, int, float]]) -> list[float]:
    """Add (elapsed, steps_done, samples_per_second) reports; the steps/s after each."""
    rates = []
    for elapsed, steps, speed in points:
        meter.add(elapsed, steps, speed)
        rates.append(meter.rate.steps_per_second if meter.rate else math.nan)
    return rates


def test_no_rate_until_a_second_of_training_was_measured():
    meter = RateMeter()
    meter.start()
    rates = feed(meter, [(0.2, 100, 32_000.0), (0.4, 200, 32_000.0), (0.8, 400, 32_000.0)])
    assert all(math.isnan(r) for r in rates)
    assert meter.seconds_left(1000) == math.inf
    meter.add(1.0, 500, 32_000.0)
    assert meter.rate.steps_per_second == pytest.approx(500)
    assert meter.rate.samples_per_second == pytest.approx(32_000)
    assert meter.seconds_left(1000) == pytest.approx(2.0)


def test_momentary_jumps_are_averaged_over_a_second():
    meter = RateMeter()
    meter.start()
    # Reports every 0.2 s whose own speeds jump by 5x, as the engine's did.
    speeds = [47_128.0, 9_715.0, 50_639.0, 9_715.0, 50_639.0] * 3
    elapsed, steps, points = 0.0, 0, []
    for speed in speeds:
        elapsed += 0.2
        steps += round(speed * 0.2 / 64)
        points.append((elapsed, steps, speed))
    feed(meter, points)
    average = sum(speeds[-5:]) / 5
    assert meter.rate.samples_per_second == pytest.approx(average, rel=0.25)
    assert min(speeds) < 0.5 * meter.rate.samples_per_second


def test_the_first_slow_steps_are_forgotten_once_a_newer_second_is_measured():
    meter = RateMeter()
    meter.start()
    # One slow step (0.5 s: the first step warms up), then 1000 steps a second.
    feed(meter, [(0.5, 1, 64.0)] + [(0.5 + 0.2 * k, 1 + 200 * k, 64_000.0) for k in range(1, 16)])
    assert meter.rate.steps_per_second == pytest.approx(1000, rel=0.01)


def test_a_step_after_a_pause_keeps_the_rate_measured_before_it():
    meter = RateMeter()
    meter.start()
    feed(meter, [(0.2 * k, 200 * k, 64_000.0) for k in range(1, 11)])  # 2 s at 1000 steps/s
    before = meter.seconds_left(10_000)
    assert before == pytest.approx(10.0)
    # Paused; Step trains one batch (elapsed excludes the pause), then again, then Resume.
    lefts = []
    for elapsed, steps in ((2.001, 2001), (2.002, 2002), (2.2, 2200), (2.4, 2400)):
        meter.add(elapsed, steps, 64_000.0)
        lefts.append(meter.seconds_left(10_000))
    assert lefts == pytest.approx([before] * 4, rel=0.05)


def test_a_continued_run_keeps_the_rate_until_it_measures_its_own():
    meter = RateMeter()
    meter.start()
    feed(meter, [(0.2 * k, 200 * k, 64_000.0) for k in range(1, 8)])
    meter.start(first_step=1400, keep_rate=True)
    meter.add(0.2, 1500, 32_000.0)
    assert meter.rate.steps_per_second == pytest.approx(1000)
    feed(meter, [(0.2 * k, 1400 + 100 * k, 32_000.0) for k in range(2, 7)])
    assert meter.rate.steps_per_second == pytest.approx(500)
    meter.start()  # a fresh run, maybe of another model: nothing is known
    assert meter.rate is None


def test_best_epoch_is_the_highest_accuracy_or_the_lowest_rmse():
    classification = [
        EpochReport(1, 10, 1.0, 0.9, val_accuracy=0.6),
        EpochReport(2, 20, 0.8, 0.7, val_accuracy=0.8),
        EpochReport(3, 30, 0.7, 0.8, val_accuracy=0.8),
        EpochReport(4, 40, 0.6, 0.9, val_accuracy=0.7),
    ]
    assert best_epoch(classification, "classification").epoch == 2  # the earliest of equals
    regression = [
        EpochReport(1, 10, 1.0, 0.9, val_rmse=0.9, val_r2=0.1),
        EpochReport(2, 20, 0.8, 0.5, val_rmse=0.4, val_r2=0.6),
        EpochReport(3, 30, 0.7, 0.6, val_rmse=0.5, val_r2=0.5),
    ]
    assert best_epoch(regression, "regression").epoch == 2
    assert best_epoch([EpochReport(1, 10, 1.0, None)], "classification") is None
    assert best_epoch([], "regression") is None
