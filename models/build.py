"""ModelSpec -> nn.Sequential, with the state_dict keys of the same layers written by hand."""

from __future__ import annotations

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
