"""The training controller: a real worker thread, driven like the window drives it."""

from __future__ import annotations

import os
import signal
from dataclasses import replace

import numpy as np
import pytest

from app.datasets import DataConfig
from app.experiment import Experiment
from app.gui.controller import TrainingController
from app.reports import (
    EpochReport,
    HistogramReport,
    Paused,
    PredictionReport,
    RunFinished,
    StepsReport,
)
from app.results import DeviceReport, ExportResult, SampleImages
from app.run_state import FINISHED, IDLE, PAUSED, RUNNING

BOUNDS = (-2.0, 3.0, -1.5, 2.0)


def experiment(**train) -> Experiment:
    base = Experiment(data=DataConfig(samples=300))
    return base.with_changes(train=replace(base.train, **{"epochs": 3, "batch_size": 32, **train}))


@pytest.fixture
def controller(qtbot):
    made = TrainingController()
    reports = []
    made.reportReceived.connect(reports.append)
    made.reports = reports
    yield made
    made.shutdown()


def of(reports, kind):
    return [r for r in reports if isinstance(r, kind)]


def losses(reports):
    return np.concatenate([np.zeros(0)] + [r.losses for r in of(reports, StepsReport)])


def wait_for_state(qtbot, controller, state, timeout=60_000):
    qtbot.waitUntil(lambda: controller.state == state, timeout=timeout)


def test_a_run_reports_every_kind_and_finishes(qtbot, controller):
    controller.train(experiment(), BOUNDS)
    assert controller.state == RUNNING
    wait_for_state(qtbot, controller, FINISHED)
    reports = controller.reports
    assert reports[-1] == of(reports, RunFinished)[0] or isinstance(reports[-1], PredictionReport)
    assert of(reports, RunFinished)[0].reason == "completed"
    assert len(of(reports, EpochReport)) == 3
    assert of(reports, HistogramReport)
    prediction = of(reports, PredictionReport)[-1]
    assert prediction.values.shape == (80, 80, 2)
    assert np.allclose(prediction.values.sum(-1), 1, atol=1e-5)
    assert controller.has_weights


def test_pause_step_resume_and_stop(qtbot, controller):
    controller.train(experiment(epochs=200))
    controller.pause()
    wait_for_state(qtbot, controller, PAUSED)
    before = len(losses(controller.reports))
    seen = len(controller.reports)
    controller.step()
    # The engine reports Paused right before it blocks again: the step is over, no more come.
    qtbot.waitUntil(lambda: bool(of(controller.reports[seen:], Paused)), timeout=30_000)
    assert of(controller.reports[seen:], Paused)[0].steps_done == before + 1
    assert controller.state == PAUSED and len(losses(controller.reports)) == before + 1
    controller.resume()
    assert controller.state == RUNNING
    qtbot.waitUntil(lambda: len(losses(controller.reports)) > before + 20, timeout=30_000)
    controller.stop()
    wait_for_state(qtbot, controller, FINISHED)
    assert of(controller.reports, RunFinished)[-1].reason == "stopped"
    assert of(controller.reports, Paused)


def test_a_new_run_from_the_same_seed_repeats_the_first_losses(qtbot, controller):
    controller.train(experiment(epochs=1))
    wait_for_state(qtbot, controller, FINISHED)
    first = losses(controller.reports)
    controller.reset()
    assert controller.state == IDLE and not controller.has_weights
    controller.reports.clear()
    controller.train(experiment(epochs=1))
    wait_for_state(qtbot, controller, FINISHED)
    np.testing.assert_array_equal(losses(controller.reports), first)


def test_a_huge_learning_rate_ends_with_the_non_finite_message(qtbot, controller):
    line = Experiment(data=DataConfig("line", samples=300))
    line = line.with_changes(
        model=line.model.with_input_shape((1,)),
        train=replace(line.train, optimizer="sgd", learning_rate=100.0, momentum=0.0),
    )
    from models.spec import LayerSpec, ModelSpec

    line = line.with_changes(
        model=ModelSpec(
            (1,),
            (
                LayerSpec.create("Linear", out_features=8),
                LayerSpec.create("Linear", out_features=1),
            ),
        )
    )
    controller.train(line, (-3.0, 3.0, 0.0, 0.0))
    wait_for_state(qtbot, controller, FINISHED)
    finished = of(controller.reports, RunFinished)[-1]
    assert (
        finished.reason == "diverged" and "learning rate 100 is likely too high" in finished.message
    )


def test_an_impossible_run_fails_with_one_sentence_and_the_controller_stays_usable(
    qtbot, controller
):
    failures = []
    controller.runFailed.connect(failures.append)
    controller.train(experiment(device="cuda:7"))
    wait_for_state(qtbot, controller, FINISHED)
    assert failures == [
        "The device cuda:7 is not available: this machine has no CUDA GPU. Use cpu."
    ]
    controller.train(experiment(epochs=1))
    wait_for_state(qtbot, controller, FINISHED)
    assert of(controller.reports, RunFinished)[-1].reason == "completed"


def test_shutdown_during_a_run_ends_the_thread(qtbot):
    controller = TrainingController()
    controller.train(experiment(epochs=10_000))
    qtbot.waitUntil(lambda: controller.has_weights, timeout=30_000)
    controller.shutdown()
    assert not controller.thread.isRunning()


def test_shutdown_during_a_run_ends_the_engine_process(qtbot):
    controller = TrainingController()
    controller.train(experiment(epochs=10_000))
    qtbot.waitUntil(lambda: controller.has_weights, timeout=30_000)
    process = controller.link.process
    controller.shutdown()
    assert not process.is_alive() and process.exitcode == 0  # it quit; it was not killed


def test_an_engine_killed_during_a_run_fails_it_in_one_sentence_and_train_works_again(
    qtbot, controller
):
    failures = []
    controller.runFailed.connect(failures.append)
    controller.train(experiment(epochs=10_000))
    qtbot.waitUntil(lambda: controller.has_weights, timeout=30_000)
    os.kill(controller.link.process.pid, signal.SIGKILL)
    wait_for_state(qtbot, controller, FINISHED)
    assert failures == [
        "The training process ended unexpectedly (killed by signal 9): the run's weights are "
        "lost. Press Train to start again."
    ]
    assert not controller.has_weights and not controller.can_continue(experiment(epochs=10_000))
    controller.reports.clear()
    controller.train(experiment(epochs=1))  # a new engine took the dead one's place
    wait_for_state(qtbot, controller, FINISHED)
    assert of(controller.reports, RunFinished)[-1].reason == "completed"
    assert of(controller.reports, StepsReport)[0].first_step == 0  # from the seed


def test_export_writes_the_checkpoint(qtbot, controller, tmp_path):
    controller.train(experiment(epochs=1))
    wait_for_state(qtbot, controller, FINISHED)
    with qtbot.waitSignal(controller.exported, timeout=30_000) as done:
        controller.export(tmp_path / "run", experiment().to_dict(), "# source\n")
    assert done.args == [ExportResult(str(tmp_path / "run"))] and done.args[0].ok
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "experiment.json",
        "model.pt",
        "model.py",
    ]


def test_warm_up_runs_in_the_engine_and_leaves_no_weights(qtbot, controller, tmp_path):
    with qtbot.waitSignal(controller.warmedUp, timeout=60_000):
        controller.warm_up()
    assert controller.state == IDLE and not controller.has_weights
    with qtbot.waitSignal(controller.exported, timeout=30_000) as done:  # no weights kept
        controller.export(tmp_path / "run", experiment().to_dict(), "# source\n")
    assert done.args[0].error == "There are no trained weights yet: press Train first."
    with qtbot.waitSignal(controller.stateChanged, check_params_cb=lambda s: s == FINISHED):
        controller.train(experiment(epochs=1))
    assert of(controller.reports, RunFinished)[0].reason == "completed"


def test_export_before_any_run_says_to_train_first(qtbot, controller, tmp_path):
    with qtbot.waitSignal(controller.exported, timeout=30_000) as done:
        controller.export(tmp_path / "run", experiment().to_dict(), "# source\n")
    (result,) = done.args
    assert not result.ok and result.error == "There are no trained weights yet: press Train first."
    assert not (tmp_path / "run").exists()


def test_the_devices_are_found_in_the_training_thread(qtbot, controller):
    with qtbot.waitSignal(controller.devicesFound, timeout=60_000) as found:
        controller.probe_devices()
    (report,) = found.args
    assert isinstance(report, DeviceReport)
    assert report.devices[0][0] == "cpu" and report.devices[0][1].startswith("CPU (")
    assert "failed" not in report.devices[0][1]  # torch loaded in the worker
    assert report.problem("cpu", "float32") is None


def test_samples_of_a_missing_dataset_come_back_with_one_sentence(qtbot, controller, tmp_path):
    controller.data_root = str(tmp_path)
    with qtbot.waitSignal(controller.samplesLoaded, timeout=60_000) as loaded:
        controller.load_samples(DataConfig("mnist"))
    (samples,) = loaded.args
    assert isinstance(samples, SampleImages)
    assert samples.config == DataConfig("mnist") and samples.data_root == str(tmp_path)
    assert samples.error and "\n" not in samples.error
    assert len(samples.images) == 0 and len(samples.labels) == 0
