"""What cannot run is rejected before the first step, with one sentence (RunError) that says
what to change: device, dtype, settings, data, loss, and a tiny trial pass."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from app.datasets import Dataset, shape_mismatch
from app.experiment import Experiment, TrainConfig
from app.options import LossKind, resolve_loss
from app.training.devices import device_problem, dtype_problem
from app.training.memory import MemoryNeed, estimate, free_memory, is_out_of_memory
from app.training.placement import Placement
from models.shapes import Inference, infer
from models.spec import LayerSpec
from models.translation import _


class RunError(Exception):
    """An experiment this machine cannot run; the message is one sentence for the user."""


def check_settings(train: TrainConfig) -> None:
    """The device, the dtype and the optimizer settings, before any data is loaded."""
    problem = device_problem(train.device) or dtype_problem(train.device, train.dtype)
    if problem:
        raise RunError(problem)
    if train.optimizer == "sgd" and train.nesterov and train.momentum == 0:
        raise RunError(_("Nesterov momentum needs a momentum above 0."))


def check_data(experiment: Experiment, dataset: Dataset) -> tuple[Inference, LossKind]:
    """The model against the data, and the loss against the task; the model's shapes and the
    loss to train with when they fit."""
    spec = experiment.model
    mismatch = shape_mismatch(spec.input_shape, dataset.input_shape)
    if mismatch:
        raise RunError(mismatch)
    inference = infer(spec, dataset.task)
    if not inference.ok:
        raise RunError(inference.errors[0].message)
    loss = _loss(experiment.train.loss, dataset.task.is_classification)
    if len(dataset.x_train) == 0:
        raise RunError(_("There is no training data: lower the validation fraction."))
    _check_batch_norm(inference, min(experiment.train.batch_size, len(dataset.x_train)))
    return inference, loss


def _check_batch_norm(inference: Inference, batch: int) -> None:
    """Batch norm in training mode needs two values per channel in every batch: refuse a batch
    that gives one (torch would raise at the first step), naming the layer and the fix."""
    for info in inference.layers:
        if not info.layer.kind.startswith("BatchNorm"):
            continue
        shape = (
            inference.spec.input_shape
            if info.index == 0
            else inference.layers[info.index - 1].output_shape
        )
        # Per channel, a batch norm sees every sample's values past the channel dimension.
        if shape is not None and batch * math.prod(shape[1:]) < 2:
            raise RunError(
                _(
                    "Layer {index} ({kind}) normalises each channel over the batch and needs at "
                    "least 2 values per channel, but a batch of {batch} gives 1; set the batch "
                    "size to 2 or more (with at least 2 training samples)."
                ).format(index=info.index, kind=info.layer.kind, batch=batch)
            )


def _loss(name: str, classification: bool) -> LossKind:
    """The loss the name means for the task; a RunError when it fits the other kind of task."""
    kind = resolve_loss(name, classification)
    if kind.task == "classification" and not classification:
        raise RunError(
            _("{loss} needs class labels, but this dataset is a regression; use mse.").format(
                loss=_(kind.label)
            )
        )
    if kind.task == "regression" and classification:
        raise RunError(
            _(
                "The {loss} loss needs numeric targets, but this dataset is a classification; "
                "use cross_entropy."
            ).format(loss=kind.name)
        )
    return kind


def check_computes(
    placement: Placement,
    layers: Sequence[LayerSpec],
    dataset: Dataset,
    loss_fn: Callable[..., torch.Tensor],
    train: TrainConfig,
) -> None:
    """Run one tiny forward and backward pass so dtype and device failures come first."""
    try:
        model = placement.build(layers)
        classification = dataset.task.is_classification
        x, y = placement.tensors(dataset.x_train[:2], dataset.y_train[:2], classification)
        loss_fn(placement.forward(model, placement.inputs(x)), y).backward()
    except (RuntimeError, NotImplementedError) as error:
        if is_out_of_memory(error):
            raise  # not the dtype's or the device's fault: the caller says it in plain words
        reason = str(error).strip().splitlines()[0][:200]
        raise RunError(
            _("This model cannot train in {dtype} on {device}: {reason}").format(
                dtype=train.dtype, device=train.device, reason=reason
            )
        ) from None


def check_memory(inference: Inference, dataset: Dataset, train: TrainConfig) -> MemoryNeed:
    """Refuse a run that cannot fit in the memory free, with both figures; else its need.
    Arithmetic on the inferred shapes only, so it runs before anything big is built."""
    need = estimate(inference, dataset, train)
    found = free_memory(train.device)
    if found is not None and need.total > found[0]:
        free, where = found
        raise RunError(need.refusal(free, where))
    return need
