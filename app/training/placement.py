"""Placement: where a run's model and data live and in what form (device, dtype, mixed
precision, memory format, image scaling), and the few operations that depend on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from app.datasets import Dataset
from app.experiment import TrainConfig
from app.options import DTYPES
from app.run_plan import channels_last
from models.build import make_layer
from models.spec import LayerSpec


@dataclass(frozen=True, eq=False)
class Placement:
    """How a run stores and computes its tensors; chosen once by `Placement.choose`."""

    device: torch.device
    dtype: torch.dtype  # of the weights and the float inputs
    autocast_dtype: torch.dtype | None  # the half type layers compute in, when mixed
    memory_format: torch.memory_format
    # Images: (scale, shift) per channel, on the device; None for data stored as floats.
    image_scaling: tuple[torch.Tensor, torch.Tensor] | None

    @classmethod
    def choose(cls, train: TrainConfig, layers: Sequence[LayerSpec], dataset: Dataset) -> Placement:
        """The placement for these settings, model and data."""
        device = torch.device(train.device)
        kind = DTYPES[train.dtype]
        # Half precisions train mixed: float32 weights, layers computed in the half type under
        # autocast, and float16 with loss scaling, as PyTorch recommends. Pure half-precision
        # Adam turns NaN within steps (its eps underflows), which teaches nothing.
        dtype = torch.float32 if kind.mixed else getattr(torch, kind.name)
        autocast_dtype = getattr(torch, kind.name) if kind.mixed else None
        image_scaling = None
        if dataset.normalization is not None:
            # Images stay uint8 on the device (a quarter of float32's memory) and each batch is
            # scaled there: x / 255, minus the mean, over the std, per channel.
            mean, std = (torch.tensor(v, dtype=torch.float64) for v in dataset.normalization)
            scale, shift = 1 / (255 * std), -mean / std
            shape = (1, -1) + (1,) * (len(dataset.input_shape) - 1)
            image_scaling = tuple(t.reshape(shape).to(device, dtype) for t in (scale, shift))
        memory_format = (
            torch.channels_last
            if channels_last(train, layers, dataset.input_shape)
            else torch.contiguous_format
        )
        return cls(device, dtype, autocast_dtype, memory_format, image_scaling)

    @property
    def images(self) -> bool:
        """Whether the inputs are stored images, scaled per batch by `inputs`."""
        return self.image_scaling is not None

    def build(self, layers: Sequence[LayerSpec]) -> nn.Sequential:
        """The model of these layers, on the device, in the weights' dtype and format."""
        model = nn.Sequential(*(make_layer(layer) for layer in layers))
        return model.to(self.device, self.dtype, memory_format=self.memory_format)

    def forward(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """The model's output in the weights' dtype, computed in the half type when mixed."""
        if self.autocast_dtype is None:
            return model(x)
        with torch.autocast(self.device.type, self.autocast_dtype):
            output = model(x)
        return output.to(self.dtype)

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """What the model sees: stored images scaled to normalised floats, in the model's
        memory format; other data as is."""
        if self.image_scaling is None:
            return x.contiguous(memory_format=self.memory_format) if x.dim() == 4 else x
        scale, shift = self.image_scaling
        return torch.addcmul(shift, x.to(self.dtype, memory_format=self.memory_format), scale)

    def tensors(
        self, x: np.ndarray, y: np.ndarray, classification: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets on the device: images as uint8, other inputs and regression
        targets in the weights' dtype, class labels as they are (int64)."""
        stored = torch.uint8 if self.images else self.dtype
        inputs = torch.from_numpy(np.ascontiguousarray(x)).to(self.device, stored)
        targets = torch.from_numpy(y).to(self.device)
        if not classification:
            targets = targets.to(self.dtype)
        return inputs, targets
