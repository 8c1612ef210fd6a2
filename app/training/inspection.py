"""Views inside the network, computed in the training thread at report time: every layer's
outputs on a fixed batch (activation histograms, dead ReLUs, saturated Sigmoids), each unit of
a hidden layer over the input plane, and an image model's kernels and feature maps.

Each runs the model layer by layer under `torch.no_grad()` in eval mode (dropout off, batch
norm's running statistics), as the predictions do, so it never touches training itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from app.datasets import Dataset
from app.reports import ActivationReport, FeatureMapReport, FeatureMaps, UnitMapReport
from app.training.no_dynamo import set_deterministic
from app.training.placement import Placement
from app.training.prediction import evaluating
from models.numbers import nice_ceiling

ACTIVATION_BINS = 40
ACTIVATION_EVERY = 100  # steps between activation snapshots, at least
PROBE_SAMPLES = 256  # the most training inputs the activations are measured on: one batch
UNIT_MAPS = 64  # units of a hidden layer drawn over the input plane
UNIT_GRID = 48  # cells per side of each unit's map: 64 maps of 48x48 are 590 KB a report
FEATURE_CHANNELS = 32  # channels shown per Conv2d or pooling layer
SATURATION = 0.02  # a Sigmoid output within 2% of 0 or 1 (Tanh: of -1 or 1) is saturated
# Outputs with a fixed range: their histogram spans exactly it.
BOUNDED = {"Sigmoid": (0.0, 1.0), "Tanh": (-1.0, 1.0)}
FEATURE_LAYERS = ("Conv2d", "MaxPool2d", "AvgPool2d")


def layer_outputs(
    model: nn.Sequential, placement: Placement, x: torch.Tensor
) -> Iterator[tuple[int, nn.Module, torch.Tensor]]:
    """Each layer's output for inputs `x` (already as the model sees them), in order, in
    eval mode without gradients; under autocast when the run is mixed."""
    with evaluating(model), torch.no_grad(), _autocast(placement):
        for index, module in enumerate(model):
            x = module(x)
            yield index, module, x


class ActivationRecorder:
    """Every layer's output distribution on the first training inputs, with bin edges fixed
    at the first record so a run's snapshots compare."""

    def __init__(self, model: nn.Sequential, placement: Placement, x_probe: torch.Tensor) -> None:
        """`x_probe`: the stored inputs to measure on (a batch of them, on the device)."""
        self.model = model
        self.placement = placement
        self.x_probe = x_probe
        self.names = tuple(f"{i} {type(m).__name__}" for i, m in enumerate(model))
        self.edges: np.ndarray | None = None  # (L, B + 1)

    def record(self, step: int) -> ActivationReport:
        """The snapshot as of `step`: one forward pass of the probe batch."""
        x = self.placement.inputs(self.x_probe)
        outputs = [(m, out.float()) for _, m, out in layer_outputs(self.model, self.placement, x)]
        if self.edges is None:
            self.edges = np.array([_edges(m, out) for m, out in outputs])
        rows = []
        deterministic = torch.are_deterministic_algorithms_enabled()
        set_deterministic(False)  # histc has no deterministic CUDA kernel
        try:
            for (module, out), edges in zip(outputs, self.edges, strict=True):
                low, high = float(edges[0]), float(edges[-1])
                finite = torch.nan_to_num(out, nan=0.0, posinf=high, neginf=low)
                counts = torch.histc(finite.clamp(low, high), ACTIVATION_BINS, low, high)
                name = type(module).__name__
                dead = _dead_fraction(out) if isinstance(module, nn.ReLU) else _nan(out)
                saturated = _saturated(out, *BOUNDED[name]) if name in BOUNDED else _nan(out)
                rows.append(torch.cat([counts, dead.reshape(1), saturated.reshape(1)]))
        finally:
            set_deterministic(deterministic)
        data = torch.stack(rows).double().cpu().numpy()  # one copy from the device: (L, B + 2)
        return ActivationReport(
            step=step,
            layer_names=self.names,
            counts=data[:, :-2],
            edges=self.edges,
            dead=data[:, -2],
            saturated=data[:, -1],
        )


def unit_maps(
    model: nn.Sequential,
    placement: Placement,
    bounds: tuple[float, float, float, float],
    layer: int,
    steps_done: int,
    resolution: int = UNIT_GRID,
) -> UnitMapReport | None:
    """Layer `layer`'s units over the input plane (`bounds`: x_min, x_max, y_min, y_max) of a
    two-input model; None when the layer is not there or its output is not one value per unit."""
    if not 0 <= layer < len(model):
        return None
    x_min, x_max, y_min, y_max = bounds
    xs, ys = np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    x = torch.from_numpy(grid).to(placement.device, placement.dtype)
    for index, module, out in layer_outputs(model, placement, x):
        if index == layer:
            if out.dim() != 2:
                return None
            units = out.shape[1]
            maps = out[:, :UNIT_MAPS].float().T.reshape(-1, resolution, resolution)
            name = f"{index} {type(module).__name__}"
            values = maps.cpu().numpy()
            return UnitMapReport(steps_done, index, name, xs, ys, values, units)
    return None


def feature_maps(
    model: nn.Sequential,
    placement: Placement,
    dataset: Dataset,
    x_val: torch.Tensor,
    image_index: int,
    steps_done: int,
) -> FeatureMapReport | None:
    """The first Conv2d's kernels and every Conv2d and pooling layer's maps for validation
    image `image_index`; None without validation images."""
    if not 0 <= image_index < len(x_val):
        return None
    x = placement.inputs(x_val[image_index : image_index + 1])
    layers = []
    for index, module, out in layer_outputs(model, placement, x):
        name = type(module).__name__
        if name in FEATURE_LAYERS and out.dim() == 4:
            maps = out[0, :FEATURE_CHANNELS].float().cpu().numpy()
            layers.append(FeatureMaps(index, f"{index} {name}", maps, out.shape[1]))
    first_conv = next(
        ((i, m) for i, m in enumerate(model) if isinstance(m, nn.Conv2d)), (None, None)
    )
    index, conv = first_conv
    if conv is None:
        filter_layer, filters = "", np.zeros((0, 0, 0, 0), np.float32)
    else:
        filter_layer = f"{index} Conv2d"
        weight = conv.weight.detach().float().contiguous()
        filters = weight.cpu().numpy()
    return FeatureMapReport(
        steps_done=steps_done,
        image_index=image_index,
        image=dataset.x_val[image_index].copy(),
        label=int(dataset.y_val[image_index]),
        class_names=tuple(dataset.class_names),
        filter_layer=filter_layer,
        filters=filters,
        layers=tuple(layers),
    )


def _edges(module: nn.Module, out: torch.Tensor) -> np.ndarray:
    """A layer's bins: a Sigmoid's or Tanh's whole range; otherwise 1.5 times the largest
    magnitude, rounded up, from 0 for outputs that are never negative."""
    name = type(module).__name__
    if name in BOUNDED:
        low, high = BOUNDED[name]
    else:
        finite = out[torch.isfinite(out)]
        largest = float(finite.abs().max()) if finite.numel() else 0.0
        high = float(nice_ceiling(largest * 1.5, fallback=1e-3))
        low = 0.0 if finite.numel() == 0 or float(finite.min()) >= 0 else -high
    return np.linspace(low, high, ACTIVATION_BINS + 1)


def _dead_fraction(out: torch.Tensor) -> torch.Tensor:
    """The fraction of units (features, or channels of image outputs) that are 0 for every
    input of the batch (every position too, for images)."""
    per_unit = out.transpose(0, 1).reshape(out.shape[1], -1) if out.dim() > 1 else out[None]
    return (per_unit.amax(1) <= 0).float().mean()


def _saturated(out: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """The fraction of outputs within SATURATION of the range's ends."""
    margin = SATURATION * (high - low)
    return ((out <= low + margin) | (out >= high - margin)).float().mean()


def _nan(like: torch.Tensor) -> torch.Tensor:
    """NaN, on the device of `like`: the statistic does not apply to this layer."""
    return like.new_full((), float("nan"))


@contextmanager
def _autocast(placement: Placement) -> Iterator[None]:
    if placement.autocast_dtype is None:
        yield
    else:
        with torch.autocast(placement.device.type, placement.autocast_dtype):
            yield
