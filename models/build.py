"""ModelSpec -> nn.Sequential, and the state_dict shapes it would have, found without building."""

from __future__ import annotations

import torch
from torch import nn

from models.layers import AUTO
from models.shapes import infer
from models.spec import LayerSpec, ModelSpec


class ModelError(ValueError):
    """The spec has a shape problem; the message is the first diagnostic."""


def torch_kwargs(layer: LayerSpec) -> dict[str, object]:
    """Constructor arguments of a resolved layer; `auto` stride means torch's default (None)."""
    return {name: (None if value == AUTO else value) for name, value in layer.values}


def make_layer(layer: LayerSpec) -> nn.Module:
    return getattr(nn, layer.kind)(**torch_kwargs(layer))


def build(spec: ModelSpec) -> nn.Sequential:
    """Build the network; raises ModelError if shape inference finds an error."""
    inference = infer(spec)
    if not inference.ok:
        raise ModelError(inference.errors[0].message)
    return nn.Sequential(*(make_layer(layer) for layer in inference.resolved_spec().layers))


def state_dict_shapes(spec: ModelSpec) -> dict[str, tuple[int, ...]]:
    """The state_dict keys and shapes `build(spec)` gives, allocating no weights.

    A checkpoint is compared with these before the real model is built: an experiment.json
    asking for a 1,000,000 x 1,000,000 Linear beside a small model.pt would otherwise ask for
    4 TB. The model is built on the meta device (shapes, no storage; about 1 ms per layer),
    which is exact for every kind torch knows, unlike a second table of shapes by hand.
    """
    with torch.device("meta"):
        model = build(spec)
    return {key: tuple(tensor.shape) for key, tensor in model.state_dict().items()}
