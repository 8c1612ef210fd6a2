"""Train after a run continues it; Reset goes back to the seed; a pace holds runs to N steps a
second. A real worker thread, driven as the window drives the controller."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.datasets import DataConfig
from app.experiment import Experiment
from app.gui.controller import TrainingController
from app.reports import Marker, Paused, RunFinished, RunStarted, StepsReport
from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from models.spec import LayerSpec, ModelSpec

CRAWL = 0.001  # steps a second: after one step the next is 1,000 s away
WAIT = 60_000


def experiment(**train) -> Experiment:
    base = Experiment(data=DataConfig(samples=300))
    settings = {"epochs": 1, "batch_size": 32, **train}
    return base.with_changes(train=replace(base.train, **settings))


@pytest.fixture
def controller(qtbot):
    made = TrainingController()
    made.reports = []
    made.reportReceived.connect(made.reports.append)
    made.failures = []
    made.runFailed.connect(made.failures.append)
    yield made
    made.shutdown()


def of(reports, kind):
    return [r for r in reports if isinstance(r, kind)]


def losses(reports):
    return np.concatenate([np.zeros(0)] + [r.losses for r in of(reports, StepsReport)])


def run_to_the_end(qtbot, controller, experiment):
    """Train and wait for the run to end; the reports of this run."""
    seen = len(controller.reports)
    controller.train(experiment)
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=WAIT)
    return controller.reports[seen:]


def test_train_after_a_run_continues_it_and_the_curves_go_on(qtbot, controller):
    first = run_to_the_end(qtbot, controller, experiment())
    done = of(first, RunFinished)[0].steps_done  # 240 training points: 8 steps an epoch
    assert controller.can_continue(experiment())
    faster = experiment(epochs=2, learning_rate=0.003)  # training settings may change
    assert controller.can_continue(faster)
    runs = controller.history.run_number
    second = run_to_the_end(qtbot, controller, faster)
    started = of(second, RunStarted)[0]
    assert (started.first_step, started.first_epoch) == (done, 1)
    assert of(second, StepsReport)[0].first_step == done
    assert of(second, StepsReport)[-1].learning_rate == 0.003
    finished = of(second, RunFinished)[0]
    assert finished.reason == "completed" and finished.steps_done == 3 * done
    # The history holds both runs as one: every step once, in order, the join marked.
    history = controller.history
    assert history.run_number == runs
    assert history.steps().tolist() == list(range(3 * done))
    assert Marker(done, "continued") in history.markers
    assert [e.epoch for e in history.epochs] == [1, 2, 3]


def test_reset_goes_back_to_the_seed_and_the_history_starts_over(qtbot, controller):
    first = run_to_the_end(qtbot, controller, experiment())
    run_to_the_end(qtbot, controller, experiment())  # continued
    controller.reset()
    assert controller.state == IDLE and not controller.can_continue(experiment())
    runs = controller.history.run_number
    again = run_to_the_end(qtbot, controller, experiment())
    assert of(again, RunStarted)[0].first_step == 0
    np.testing.assert_array_equal(losses(again), losses(first))  # the seed's first losses
    assert controller.history.run_number == runs + 1
    assert controller.history.steps().tolist() == list(range(len(losses(first))))


def test_a_changed_model_or_seed_trains_afresh(qtbot, controller):
    run_to_the_end(qtbot, controller, experiment())
    wider = experiment().with_changes(
        model=ModelSpec(
            (2,),
            (
                LayerSpec.create("Linear", out_features=32),
                LayerSpec.create("ReLU"),
                LayerSpec.create("Linear", out_features=2),
            ),
        )
    )
    assert not controller.can_continue(wider)
    assert not controller.can_continue(experiment(seed=3))
    fresh = run_to_the_end(qtbot, controller, wider)
    assert of(fresh, RunStarted)[0].first_step == 0
    assert controller.history.steps()[0] == 0 and not controller.history.markers


def test_a_stopped_run_continues_and_none_continues_while_one_runs(qtbot, controller):
    controller.train(experiment(epochs=500))
    assert not controller.can_continue(experiment(epochs=500))  # Train does nothing now
    qtbot.waitUntil(lambda: controller.has_weights, timeout=WAIT)
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=WAIT)
    stopped = of(controller.reports, RunFinished)[0]
    assert stopped.reason == "stopped" and controller.can_continue(experiment())
    more = run_to_the_end(qtbot, controller, experiment())
    assert of(more, RunStarted)[0].first_step == stopped.steps_done


def test_settings_refused_before_the_first_step_leave_the_run_to_continue(qtbot, controller):
    first = run_to_the_end(qtbot, controller, experiment())
    refused = experiment(optimizer="sgd", nesterov=True, momentum=0.0)
    assert controller.can_continue(refused)
    run_to_the_end(qtbot, controller, refused)
    assert controller.failures and "Nesterov" in controller.failures[-1]
    assert controller.can_continue(experiment())
    more = run_to_the_end(qtbot, controller, experiment())
    assert of(more, RunStarted)[0].first_step == of(first, RunFinished)[0].steps_done


def test_the_pace_holds_the_running_run_and_the_later_ones(qtbot, controller):
    controller.train(experiment(epochs=500))
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == PAUSED, timeout=WAIT)
    held = of(controller.reports, Paused)[-1].steps_done
    controller.set_pace(CRAWL)  # reaches the run under way
    controller.resume()
    # One step, its loss reported at once, then the run waits 1,000 s for the next.
    qtbot.waitUntil(
        lambda: any(r.steps_done == held + 1 for r in of(controller.reports, StepsReport)),
        timeout=WAIT,
    )
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=WAIT)
    assert of(controller.reports, RunFinished)[-1].steps_done == held + 1
    # A later run keeps the pace: one step, and it waits.
    seen = len(controller.reports)
    controller.train(experiment(epochs=3))  # continues: 24 more steps
    qtbot.waitUntil(lambda: bool(of(controller.reports[seen:], StepsReport)), timeout=WAIT)
    first = of(controller.reports[seen:], StepsReport)[0]
    assert (first.first_step, len(first.losses)) == (held + 1, 1)
    assert controller.state == RUNNING
    controller.set_pace(None)  # full speed at once: the run goes on to its end
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=WAIT)
    finished = of(controller.reports[seen:], RunFinished)[0]
    assert finished.reason == "completed" and finished.steps_done == held + 1 + 24
    with pytest.raises(ValueError):
        controller.set_pace(0)
    assert controller.pace is None
