"""The pace: at most N steps a second, so a class can watch a toy run learn; pause, step and
stop still act at once. No timed assertions: a pace of one step in 1,000 s holds the run after
its first step, and whatever the test then sees happened because the wait was ended."""

import math
import queue
import threading
import time

import pytest

from app.datasets import DataConfig
from app.experiment import Experiment, TrainConfig
from app.reports import Paused, RunFinished, StepsReport
from app.training import Control, Trainer

CRAWL = 0.001  # steps a second: after one step, the next is 1,000 s away


def small(**train) -> Experiment:
    settings = {"epochs": 50, "batch_size": 32, **train}
    return Experiment(data=DataConfig(samples=400), train=TrainConfig(**settings))


def start(control: Control, experiment: Experiment | None = None):
    """Run in a thread of its own, as the window's worker does; its reports in a queue."""
    reports: queue.Queue = queue.Queue()
    trainer = Trainer(experiment or small())

    def consume():
        for report in trainer.run(control):
            reports.put(report)

    thread = threading.Thread(target=consume)
    thread.start()
    return thread, reports


def next_of(reports: queue.Queue, kind):
    """The next report of this kind (waits for it: the test's timeout guards a hang)."""
    while True:
        report = reports.get(timeout=120)
        if isinstance(report, kind):
            return report


@pytest.mark.parametrize(
    "verb, args",
    [("stop", ()), ("pause", ()), ("step", ()), ("set_pace", (None,)), ("set_pace", (1e9,))],
)
def test_the_paced_wait_ends_at_once_on_pause_step_stop_and_a_faster_pace(verb, args):
    control = Control()
    control.set_pace(CRAWL)
    waiting = threading.Thread(target=control.wait_paced, args=(time.perf_counter(),))
    waiting.start()
    # Whenever the verb lands, before or during the wait, the wait ends: it must not last
    # the 1,000 s the pace asks for.
    getattr(control, verb)(*args)
    waiting.join(120)
    assert not waiting.is_alive()


def test_a_paused_or_stopped_control_does_not_wait_for_the_pace():
    for verb in ("pause", "stop"):
        control = Control()
        control.set_pace(CRAWL)
        getattr(control, verb)()
        control.wait_paced(time.perf_counter())  # returns at once, or the test hangs


def test_a_pace_is_a_positive_number_of_steps_a_second():
    control = Control()
    assert control.pace is None and not control.needs_attention  # full speed: nothing to do
    control.set_pace(20)
    assert control.pace == 20 and control.needs_attention
    for bad in (0, -1, math.nan, math.inf):
        with pytest.raises(ValueError):
            control.set_pace(bad)
    control.set_pace(None)
    assert control.pace is None and not control.needs_attention


def test_a_paced_run_waits_between_steps_and_stops_at_once():
    control = Control()
    control.set_pace(CRAWL)
    thread, reports = start(control)
    # The first step runs at once; its loss is reported before the long wait, not after it.
    first = next_of(reports, StepsReport)
    assert (first.first_step, len(first.losses)) == (0, 1)
    control.stop()
    thread.join(120)
    finished = next_of(reports, RunFinished)
    assert finished.reason == "stopped" and finished.steps_done == 1


def test_pause_and_step_act_at_once_while_paced():
    control = Control()
    control.set_pace(CRAWL)
    thread, reports = start(control)
    next_of(reports, StepsReport)
    control.pause()
    assert next_of(reports, Paused).steps_done == 1
    control.step()  # a granted step runs at once, whatever the pace
    assert next_of(reports, Paused).steps_done == 2
    control.stop()
    thread.join(120)
    assert next_of(reports, RunFinished).steps_done == 2


def test_a_new_pace_applies_to_the_running_run_at_once():
    control = Control()
    control.set_pace(CRAWL)
    thread, reports = start(control, small(epochs=2))
    next_of(reports, StepsReport)
    control.set_pace(None)  # full speed: the run finishes instead of waiting 1,000 s a step
    thread.join(120)
    finished = next_of(reports, RunFinished)
    assert finished.reason == "completed" and finished.steps_done == 20
