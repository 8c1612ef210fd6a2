"""What a run's settings decide before torch runs: intra-op threads, the memory layout of
convolutions and the validation chunk, by arithmetic on the inferred shapes.

Torch-free, so that the engine and the exported training script (app.script_export) follow
the same rules: a script that trains on as many threads, in as many chunks, as LayerLab did
gets the same numbers bit for bit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from app.experiment import TrainConfig
from app.options import DTYPES
from models.layers import CATALOG
from models.shapes import Inference
from models.spec import LayerSpec

SINGLE_THREAD_WORK = 1_000_000  # multiply-adds per step below which one thread is faster
SHARED_CORE_WORK = 10_000_000  # below this, a window leaves its GUI a core (see controller)

# The share of memory one validation forward pass may take. Images once ran in fixed chunks
# of 500 because a CNN's activations for 8192 of them would take gigabytes; sizing the chunk
# by the model's own activations keeps that bound for every model, wide or narrow.
EVAL_CHUNK_BYTES = 256 * 2**20

_ELEMENT_BYTES = {"float64": 8, "float32": 4}  # mixed types keep float32 weights


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


def threads_for(train: TrainConfig, step_work: int) -> int:
    """Intra-op threads: one for small steps (less overhead) and off the CPU, else all."""
    if train.device != "cpu":
        return 1
    return 1 if step_work < SINGLE_THREAD_WORK else max(1, os.cpu_count() or 1)


def channels_last(
    train: TrainConfig, layers: Sequence[LayerSpec], input_shape: tuple[int, ...]
) -> bool:
    """channels_last for float32 convolutions on the CPU: oneDNN's convolutions and torch's
    pooling run vectorised over channels there, 1.2x to 1.5x a whole training step of the
    example CNNs. Measured slower in float64 and the half types (docs/architecture.md).
    Only the layout in memory changes; values, shapes and state_dict keys do not."""
    convolves = any(CATALOG[layer.kind].category == "Convolution" for layer in layers)
    on_cpu_float32 = train.device == "cpu" and train.dtype == "float32"
    return on_cpu_float32 and convolves and len(input_shape) == 3


def element_bytes(train: TrainConfig) -> int:
    """Bytes per weight and float activation (mixed types: float32 weights; their half
    activations are counted at float32's size, to stay on the safe side)."""
    kind = DTYPES[train.dtype]
    return 4 if kind.mixed else _ELEMENT_BYTES.get(kind.name, 4)


def layer_elements(inference: Inference) -> list[int]:
    """Elements per sample of the input and of every layer's output."""
    shapes = [inference.spec.input_shape, *(info.output_shape for info in inference.layers)]
    return [math.prod(shape) for shape in shapes if shape is not None]


def eval_chunk(inference: Inference, train: TrainConfig) -> int:
    """Validation samples per forward pass: as many as fit in EVAL_CHUNK_BYTES, at least 1.

    Without gradients, a layer's input and output are what is alive at once."""
    return chunk_size(widest_pair(layer_elements(inference)), element_bytes(train))


def chunk_size(widest: int, size: int) -> int:
    """Samples per chunk when `widest` elements of `size` bytes each are alive per sample."""
    return max(1, EVAL_CHUNK_BYTES // (widest * size))


def widest_pair(elements: list[int]) -> int:
    """The most elements alive at once in a forward pass without gradients: one layer's
    input and output."""
    return max((a + b for a, b in zip(elements, elements[1:], strict=False)), default=1)
