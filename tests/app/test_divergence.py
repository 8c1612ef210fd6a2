"""A diverged run keeps the weights of its last finite loss, and says which step they are."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from app.datasets import DataConfig
from app.experiment import Experiment, TrainConfig
from app.reports import RunFinished, StepsReport
from app.training import Control, Trainer
from app.training.loop import TrainingLoop
from models.spec import LayerSpec, ModelSpec

LINE_MODEL = ModelSpec(
    (1,),
    (
        LayerSpec.create("Linear", out_features=8),
        LayerSpec.create("Linear", out_features=1),
    ),
)


def diverging(batch_size: int) -> Experiment:
    """The line regression with a learning rate that blows the weights up within a few epochs."""
    train = TrainConfig(
        optimizer="sgd", learning_rate=100.0, momentum=0.9, epochs=50, batch_size=batch_size
    )
    return Experiment(data=DataConfig("line", samples=400), train=train, model=LINE_MODEL)


def train(experiment: Experiment) -> tuple[Trainer, list]:
    trainer = Trainer(experiment)
    return trainer, list(trainer.run())


def step_losses(reports: list) -> np.ndarray:
    return np.concatenate([r.losses for r in reports if isinstance(r, StepsReport)])


def kept_step(message: str) -> int:
    """The step the message says the kept weights come after (0: the starting weights)."""
    if "The starting weights are kept." in message:
        return 0
    match = re.search(r"The weights after step (\d+) are kept\.", message)
    assert match, message
    return int(match.group(1))


def training_loss(trainer: Trainer) -> float:
    """The loss the kept weights score on the training data, loaded as a user loads them."""
    model = trainer.model
    model.load_state_dict(trainer.state_dict())
    model.eval()
    with torch.no_grad():
        return F.mse_loss(model(trainer.x_train), trainer.y_train).item()


def test_kept_weights_score_a_finite_loss_on_the_training_data():
    # One batch is the whole training set: each step's loss is the training loss.
    trainer, reports = train(diverging(batch_size=320))
    finished = reports[-1]
    assert isinstance(finished, RunFinished) and finished.reason == "diverged"
    losses = step_losses(reports)
    assert np.isfinite(losses).all() and len(losses) == finished.steps_done - 1
    loss = training_loss(trainer)
    assert math.isfinite(loss)
    # The kept weights are the ones that scored the last finite loss, before its update
    # (the batch is shuffled, so the sum runs in another order: equal to rounding).
    assert loss == pytest.approx(losses[-1], rel=1e-5)
    assert kept_step(finished.message) == finished.steps_done - 2


def test_kept_weights_with_small_batches_are_those_of_the_last_finite_step():
    trainer, reports = train(diverging(batch_size=32))
    finished = reports[-1]
    assert finished.reason == "diverged"
    assert f"became NaN at step {finished.steps_done}" in finished.message or (
        f"became infinite at step {finished.steps_done}" in finished.message
    )
    assert kept_step(finished.message) == finished.steps_done - 2
    assert all(torch.isfinite(v).all() for v in trainer.state_dict().values())
    assert math.isfinite(training_loss(trainer))


def test_a_normal_run_is_unchanged_by_the_kept_copy():
    experiment = Experiment(
        data=DataConfig("line", samples=400), train=TrainConfig(seed=3), model=LINE_MODEL
    )
    first, first_reports = train(experiment)
    second, second_reports = train(experiment)
    assert first_reports[-1].reason == "completed"
    assert np.array_equal(step_losses(first_reports), step_losses(second_reports))
    for key, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[key])


def report_time_checks(experiment: Experiment, report_interval: float) -> tuple[Trainer, list]:
    """Losses read only at reports, as on an accelerator, here on the CPU."""
    trainer = Trainer(experiment, report_interval=report_interval)
    trainer.prepare()
    loop = TrainingLoop(trainer.prepared_run(), Control(), per_step_checks=False)
    return trainer, list(loop.reports())


@pytest.mark.parametrize("report_interval", [0.0, 1e9])
def test_losses_read_at_reports_keep_weights_known_to_score_a_finite_loss(report_interval):
    trainer, reports = report_time_checks(diverging(batch_size=32), report_interval)
    finished = reports[-1]
    assert finished.reason == "diverged"
    kept = kept_step(finished.message)
    # Reporting every step knows as much as checking every step; reporting once an epoch
    # knows only the weights it copied at the run's first report, right after its first step.
    assert kept == (finished.steps_done - 2 if report_interval == 0.0 else 1)
    assert math.isfinite(training_loss(trainer))


@pytest.mark.parametrize(
    "per_step_checks, report_interval", [(True, 0.2), (False, 0.0), (False, 1e9)]
)
def test_a_continued_run_that_diverges_keeps_finite_weights_counted_on(
    per_step_checks, report_interval
):
    calm = Experiment(
        data=DataConfig("line", samples=400),
        train=TrainConfig(epochs=1, batch_size=32),
        model=LINE_MODEL,
    )
    trainer = Trainer(calm, report_interval=report_interval)
    assert list(trainer.run())[-1].steps_done == 10
    trainer.continue_with(diverging(batch_size=32))
    # On the CPU, and as on an accelerator (losses read only at reports).
    loop = TrainingLoop(trainer.prepared_run(), Control(), per_step_checks=per_step_checks)
    reports = list(loop.reports())
    finished = reports[-1]
    assert finished.reason == "diverged" and reports[0].first_step == 10
    # Steps count on from the first run; the kept weights are the last known to score a
    # finite loss: at the earliest those after this run's first step (its first report),
    # never step 0's.
    expected = 11 if report_interval == 1e9 else finished.steps_done - 2
    assert kept_step(finished.message) == expected and expected >= 10
    assert math.isfinite(training_loss(trainer))
