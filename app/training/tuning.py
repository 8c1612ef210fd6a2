"""How a run uses this machine: intra-op threads and memory format, from the work of a step."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import torch

from app.experiment import Experiment, TrainConfig
from models.layers import CATALOG
from models.shapes import Inference
from models.spec import LayerSpec

SINGLE_THREAD_WORK = 1_000_000  # multiply-adds per step below which one thread is faster
SHARED_CORE_WORK = 10_000_000  # below this, a window leaves its GUI a core (see controller)


def multiply_adds(inference: Inference) -> int:
    """About how many multiply-adds one sample costs: a layer's parameters times the places
    it applies them (every output pixel for a convolution, once for a dense layer). The
    parameter count alone calls a CNN on 28x28 images small; its convolutions are not."""
    total = 0
    for info in inference.layers:
        shape = info.output_shape or ()
        places = math.prod(shape[1:]) if len(shape) == 3 else 1
        total += (info.param_count or 0) * places
    return max(total, 1)


def choose_memory_format(
    train: TrainConfig, layers: Sequence[LayerSpec], input_shape: tuple[int, ...]
) -> torch.memory_format:
    """channels_last for float32 convolutions on the CPU: oneDNN's convolutions and torch's
    pooling run vectorised over channels there, 1.2x to 1.5x a whole training step of the
    example CNNs. Measured slower in float64 and the half types (docs/architecture.md).
    Only the layout in memory changes; values, shapes and state_dict keys do not."""
    convolves = any(CATALOG[layer.kind].category == "Convolution" for layer in layers)
    on_cpu_float32 = train.device == "cpu" and train.dtype == "float32"
    if on_cpu_float32 and convolves and len(input_shape) == 3:
        return torch.channels_last
    return torch.contiguous_format


def choose_threads(experiment: Experiment, step_work: int) -> int:
    """Intra-op threads: one for small steps (less overhead), else all."""
    if experiment.train.device != "cpu":
        return 1
    return 1 if step_work < SINGLE_THREAD_WORK else max(1, os.cpu_count() or 1)
