"""PreparedRun: everything the training loop and evaluation need, built once by the Trainer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from app.experiment import TrainConfig
from app.training.placement import Placement
from models.spec import Task


@dataclass(frozen=True, eq=False)
class PreparedRun:
    """A checked, built run: model, optimizer, loss and data on the device, and how they live
    there. The loop reads these fields and nothing else of the Trainer."""

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
    eval_chunk: int  # validation samples per forward pass, sized by memory (training.memory)
    report_interval: float  # seconds of wall time between StepsReports
