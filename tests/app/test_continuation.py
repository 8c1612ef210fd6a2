"""Continuing a run: a later run of the same Trainer goes on from the weights, steps, epochs and
data order the last one left, with the training settings it is given."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from app.continuation import continues, keeps_optimizer
from app.datasets import DataConfig
from app.experiment import Experiment, TrainConfig
from app.reports import EpochReport, HistogramReport, Marker, Paused, RunStarted, StepsReport
from app.training import Control, RunError, Trainer
from models.spec import LayerSpec, ModelSpec


def small(**train) -> Experiment:
    settings = {"epochs": 1, "batch_size": 32, **train}
    return Experiment(data=DataConfig(samples=400), train=TrainConfig(**settings))


def with_train(experiment: Experiment, **train) -> Experiment:
    return experiment.with_changes(train=replace(experiment.train, **train))


def of(reports, kind):
    return [r for r in reports if isinstance(r, kind)]


def losses(reports):
    return np.concatenate([np.zeros(0)] + [r.losses for r in of(reports, StepsReport)])


def histogram_steps(reports):
    return [int(s) for h in of(reports, HistogramReport) for s in h.steps]


def test_one_epoch_then_one_more_is_bit_for_bit_one_run_of_two_epochs():
    longer = Trainer(small(epochs=2, histogram_every=3))
    whole = list(longer.run())
    trainer = Trainer(small(epochs=1, histogram_every=3))
    first = list(trainer.run())
    trainer.continue_with(small(epochs=1, histogram_every=3))
    second = list(trainer.run())
    # The data order, the optimizer's moments and the counts all go on: the same losses ...
    assert np.array_equal(np.concatenate([losses(first), losses(second)]), losses(whole))
    # ... the same weights ...
    for key, value in longer.state_dict().items():
        assert torch.equal(value, trainer.state_dict()[key])
    # ... the same epochs, counted on from the first run ...
    both, alone = of(first + second, EpochReport), of(whole, EpochReport)
    assert [(e.epoch, e.steps_done, e.val_loss) for e in both] == [
        (e.epoch, e.steps_done, e.val_loss) for e in alone
    ]
    # ... and histograms at the same steps, in the same bins.
    assert histogram_steps(first + second) == histogram_steps(whole) == list(range(0, 20, 3))
    assert np.array_equal(
        of(second, HistogramReport)[0].grad_edges, of(first, HistogramReport)[0].grad_edges
    )


def test_a_continued_run_counts_on_and_marks_the_join():
    trainer = Trainer(small(epochs=2))
    first = list(trainer.run())
    trainer.continue_with(small(epochs=3))
    second = list(trainer.run())
    started = second[0]
    assert isinstance(started, RunStarted)
    assert (started.first_step, started.first_epoch) == (20, 2)
    assert started.total_steps == 30 and started.epochs == 3  # this run's own
    assert second[1] == Marker(20, "continued")
    steps = of(second, StepsReport)
    assert steps[0].first_step == 20 and steps[-1].steps_done == 50
    assert [e.epoch for e in of(second, EpochReport)] == [3, 4, 5]
    assert [e.steps_done for e in of(second, EpochReport)] == [30, 40, 50]
    finished = second[-1]
    assert (finished.steps_done, finished.epochs_done) == (50, 5)
    assert "3 more epochs (30 steps; 5 epochs in all)" in finished.message
    assert not of(first, Marker)  # a fresh run has no join


def test_changed_settings_apply_and_the_optimizer_keeps_its_state_only_when_unchanged():
    trainer = Trainer(small())
    list(trainer.run())
    adam = trainer.optimizer
    moments = {id(p): state["exp_avg"].clone() for p, state in adam.state.items()}
    trainer.continue_with(small(learning_rate=0.003, batch_size=64))
    second = list(trainer.run())
    assert trainer.optimizer is adam and adam.param_groups[0]["lr"] == 0.003
    assert second[0].steps_per_epoch == 5  # the new batch size
    assert of(second, StepsReport)[0].learning_rate == 0.003
    # Adam's state went on from the first run: its step count is both runs' together.
    steps = {int(state["step"]) for state in adam.state.values()}
    assert steps == {10 + 5}
    assert any(not torch.equal(moments[id(p)], s["exp_avg"]) for p, s in adam.state.items())
    trainer.continue_with(small(optimizer="sgd", momentum=0.5))
    list(trainer.run())
    assert isinstance(trainer.optimizer, torch.optim.SGD)
    assert trainer.optimizer.param_groups[0]["momentum"] == 0.5


def test_the_optimizer_goes_on_when_only_the_learning_rate_changes():
    before = small().train
    assert keeps_optimizer(before, replace(before, learning_rate=0.5, epochs=9, batch_size=7))
    assert not keeps_optimizer(before, replace(before, weight_decay=0.1))
    assert not keeps_optimizer(before, replace(before, optimizer="sgd"))
    sgd = replace(before, optimizer="sgd")
    assert not keeps_optimizer(sgd, replace(sgd, momentum=0.5))


def test_only_the_same_model_data_device_dtype_and_seed_continue():
    experiment = small()
    trainer = Trainer(experiment)
    list(trainer.run())
    wider = experiment.with_changes(
        model=ModelSpec(
            (2,),
            (
                LayerSpec.create("Linear", out_features=32),
                LayerSpec.create("ReLU"),
                LayerSpec.create("Linear", out_features=2),
            ),
        )
    )
    others = [
        wider,
        experiment.with_changes(data=replace(experiment.data, noise=0.3)),
        with_train(experiment, dtype="float64"),
        with_train(experiment, seed=1),
    ]
    for other in others:
        assert not continues(experiment, other) and not trainer.can_continue(other)
        with pytest.raises(ValueError):
            trainer.continue_with(other)
    renamed = experiment.with_changes(title="Another name")
    assert trainer.can_continue(with_train(renamed, learning_rate=0.1, epochs=5))


def test_a_setting_that_cannot_run_is_refused_and_changes_nothing():
    trainer = Trainer(small())
    first = list(trainer.run())
    with pytest.raises(RunError, match="Nesterov"):
        trainer.continue_with(small(optimizer="sgd", nesterov=True, momentum=0.0))
    second = list(trainer.run())  # goes on with the settings it had
    assert second[0].first_step == first[-1].steps_done
    assert isinstance(trainer.optimizer, torch.optim.Adam)


def test_a_stopped_run_continues_from_its_last_step_with_a_new_epoch():
    control = Control()
    trainer = Trainer(small(epochs=50), report_interval=0.0)  # every step reported
    first = []
    for report in trainer.run(control):
        first.append(report)
        if isinstance(report, StepsReport) and report.steps_done == 25:
            control.pause()
        elif isinstance(report, Paused):
            control.stop()
    stopped = first[-1]
    assert stopped.reason == "stopped" and stopped.message == "Stopped at step 25 (epoch 3 of 50)."
    assert (stopped.steps_done, stopped.epochs_done) == (25, 2)
    trainer.continue_with(small(epochs=1))
    second = list(trainer.run())
    # The half-done epoch's steps count; the continued run starts epoch 3 afresh.
    assert (second[0].first_step, second[0].first_epoch) == (25, 2)
    assert of(second, StepsReport)[0].first_step == 25
    assert [(e.epoch, e.steps_done) for e in of(second, EpochReport)] == [(3, 35)]


def test_a_diverged_run_continues_from_its_last_finite_weights_with_a_new_optimizer():
    experiment = Experiment(
        ModelSpec(
            (1,),
            (
                LayerSpec.create("Linear", out_features=8),
                LayerSpec.create("Linear", out_features=1),
            ),
        ),
        DataConfig("line", samples=400),
        TrainConfig(optimizer="sgd", learning_rate=100.0, momentum=0.9, epochs=50, batch_size=32),
    )
    trainer = Trainer(experiment)
    first = list(trainer.run())
    diverged = first[-1]
    assert diverged.reason == "diverged"
    spoiled = trainer.optimizer
    # The same optimizer and options (but the learning rate): still a new one, as its
    # momentum belonged to the ruined weights.
    calmer = with_train(experiment, learning_rate=1e-9, epochs=2)
    assert trainer.can_continue(calmer)
    trainer.continue_with(calmer)
    second = list(trainer.run())
    assert isinstance(trainer.optimizer, torch.optim.SGD) and trainer.optimizer is not spoiled
    # The curve goes on where the finite losses stopped, from the last finite weights.
    assert second[0].first_step == len(losses(first)) == diverged.steps_done - 1
    assert of(second, StepsReport)[0].first_step == second[0].first_step
    assert np.isfinite(losses(second)[0])


def test_a_run_left_part_way_cannot_continue():
    trainer = Trainer(small(epochs=5))
    reports = trainer.run()
    for report in reports:
        if isinstance(report, StepsReport):
            break  # the consumer left before the run ended (as a failure does)
    reports.close()
    assert not trainer.can_continue(small(epochs=5))
