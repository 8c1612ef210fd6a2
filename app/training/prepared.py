"""PreparedRun: everything the training loop and evaluation need, built once by the Trainer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from app.experiment import TrainConfig
from app.training.histograms import HistogramRecorder
from app.training.inspection import ActivationRecorder
from app.training.placement import Placement
from models.spec import Task


@dataclass(frozen=True, eq=False)
class PreparedRun:
    """A checked, built run: model, optimizer, loss and data on the device, and how they live
    there, and where it starts. The loop reads these fields and nothing else of the Trainer.
    A run that continues an earlier one shares its model, optimizer, data order and
    histogram bins, and counts on from its steps and epochs."""

    train: TrainConfig
    placement: Placement
    model: nn.Sequential
    optimizer: torch.optim.Optimizer
    loss_fn: Callable[..., torch.Tensor]
    scaler: torch.amp.GradScaler | None  # float16: loss scaling
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    task: Task
    batch_norm: bool  # a batch of one sample would break it in training mode
    layer_names: tuple[str, ...]  # layers with parameters, as histograms name them
    layer_params: tuple[tuple[torch.Tensor, ...], ...]  # each such layer's parameters
    threads: int
    eval_chunk: int  # validation samples per forward pass, sized by memory (app.run_plan)
    report_interval: float  # seconds of wall time between StepsReports
    generator: torch.Generator  # the data order: seeded once, then goes on from run to run
    histograms: HistogramRecorder  # bins fixed at the first record of the first run
    activations: ActivationRecorder  # the same, for every layer's outputs
    first_step: int = 0  # steps done before this run (0 for a fresh run from the seed)
    first_epoch: int = 0  # epochs completed before this run
    # The loss of the model's very first step, from the seed's weights (None for a fresh run:
    # it comes with the first step): where a continued run's loss is measured from too.
    start_loss: float | None = None
