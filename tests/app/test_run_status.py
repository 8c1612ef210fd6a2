"""RunStatusTracker: the phase a user is told (Starting, Training, Paused, Stopped, Completed,
Diverged, Failed) from the controller's states and the run's reports, without Qt."""

from __future__ import annotations

import dataclasses

import numpy as np

from app import run_state
from app.reports import Paused, RunFinished, RunStarted, StepsReport
from app.run_status import (
    COMPLETED,
    DIVERGED,
    FAILED,
    PAUSED,
    READY,
    STARTING,
    STOPPED,
    TRAINING,
    RunStatusTracker,
)


def run_started(**changes: object) -> RunStarted:
    report = RunStarted("cpu", "float32", "classification", 10, 100, 20, 5, 4, ("0",), 1)
    return dataclasses.replace(report, **changes)


def steps(first: int, count: int, epoch: int = 0) -> StepsReport:
    return StepsReport(first, np.ones(count), epoch, 1000.0, 1.0, 0.01)


def test_a_run_starts_trains_pauses_and_completes():
    tracker = RunStatusTracker()
    assert tracker.status.phase == READY
    assert tracker.on_state(run_state.RUNNING).phase == STARTING  # torch may still be loading
    assert tracker.on_report(run_started()).phase == TRAINING
    status = tracker.on_report(steps(0, 7, epoch=1))
    assert (status.steps_done, status.epoch_this_run, status.total_steps) == (7, 2, 20)
    tracker.on_report(Paused(7))
    assert tracker.on_state(run_state.PAUSED).phase == PAUSED
    assert tracker.on_state(run_state.RUNNING).phase == TRAINING  # resumed: not a new run
    status = tracker.on_report(RunFinished("completed", "Finished 4 epochs.", 20, 4, 0.3))
    assert status.phase == COMPLETED and status.message == "Finished 4 epochs."
    assert tracker.on_state(run_state.FINISHED).phase == COMPLETED and status.ended


def test_stopped_diverged_and_failed_runs_say_so():
    tracker = RunStatusTracker()
    tracker.on_state(run_state.RUNNING)
    tracker.on_report(run_started())
    tracker.on_report(RunFinished("stopped", "Stopped at step 3.", 3, 0, 0.1))
    assert tracker.on_state(run_state.FINISHED).phase == STOPPED
    tracker.on_state(run_state.RUNNING)  # Train again: the ending is forgotten
    assert tracker.status.phase == STARTING and tracker.status.message == ""
    tracker.on_report(run_started())
    status = tracker.on_report(RunFinished("diverged", "The loss became NaN.", 523, 0, 0.1))
    assert status.phase == DIVERGED and status.steps_done == 523
    tracker.on_state(run_state.FINISHED)
    tracker.on_state(run_state.RUNNING)
    tracker.on_failed("The MNIST files are not there.")
    status = tracker.on_state(run_state.FINISHED)
    assert status.phase == FAILED and status.message == "The MNIST files are not there."
    assert tracker.on_state(run_state.IDLE).phase == READY  # reset


def test_a_continued_run_counts_its_own_steps_and_epochs():
    tracker = RunStatusTracker()
    tracker.on_state(run_state.RUNNING)
    tracker.on_report(run_started(first_step=20, first_epoch=4))
    status = tracker.on_report(steps(20, 6, epoch=5))
    assert status.steps_done == 26 and status.steps_this_run == 6
    assert status.epoch_this_run == 2 and status.epochs == 4


def test_a_completed_run_carries_its_warning():
    tracker = RunStatusTracker()
    tracker.on_state(run_state.RUNNING)
    tracker.on_report(run_started())
    warning = "The loss grew from 0.69 to 8e+07 during the run."
    status = tracker.on_report(RunFinished("completed", "Finished.", 20, 4, 0.3, warning))
    assert status.phase == COMPLETED and status.warning == warning
