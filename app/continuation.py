"""When Train goes on from the last run's weights instead of starting again from the seed, and
whether the optimizer keeps its state. Torch-free: the window asks before torch has loaded."""

from __future__ import annotations

from app.experiment import Experiment, TrainConfig, optimizer_options


def continues(previous: Experiment, experiment: Experiment) -> bool:
    """Whether a run of `experiment` may train on from the weights a run of `previous` left:
    the same model, data, device, dtype and seed. Other settings (learning rate, batch size,
    epochs, optimizer ...) may change; they apply to the continued run."""
    before, after = previous.train, experiment.train
    return (
        previous.model == experiment.model
        and previous.data == experiment.data
        and (before.device, before.dtype, before.seed) == (after.device, after.dtype, after.seed)
    )


def keeps_optimizer(previous: TrainConfig, train: TrainConfig) -> bool:
    """Whether the optimizer of `previous` may go on with `train`, its state (Adam's moments,
    momentum) kept: the same optimizer with the same options. The learning rate may differ:
    it is set on the optimizer, as a change during a run is."""
    if previous.optimizer != train.optimizer:
        return False
    before, after = optimizer_options(previous), optimizer_options(train)
    before.pop("lr")
    after.pop("lr")
    return before == after
