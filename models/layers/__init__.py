"""The layer catalog: every layer a user can add, its parameters and how it behaves.

Torch-free on purpose: the window builds its palette and forms from this table before
torch has finished importing. `models.build` maps each kind to its `torch.nn` class. Each
family's file holds its kinds whole (parameters, shape rule, parameter count, summary, code
line); adding a layer is one entry in its family's KINDS.
"""

from __future__ import annotations

from models.layers import (
    activations,
    convolution,
    dense,
    normalization,
    pooling,
    regularization,
    reshape,
)
from models.layers.kind import LayerKind, Param, Shape
from models.layers.params import AUTO, MAX_CHANNELS, MAX_FEATURES, MAX_KERNEL

__all__ = [
    "ACTIVATION_KINDS",
    "AUTO",
    "CATALOG",
    "CATEGORIES",
    "MAX_CHANNELS",
    "MAX_FEATURES",
    "MAX_KERNEL",
    "LayerKind",
    "Param",
    "Shape",
]

# The palette lists families and kinds in this order.
_FAMILIES = (dense, convolution, activations, pooling, reshape, regularization, normalization)

CATALOG: dict[str, LayerKind] = {kind.name: kind for family in _FAMILIES for kind in family.KINDS}

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(kind.category for kind in CATALOG.values()))

# Every activation, in palette order: what a model's nonlinearity can be swapped for.
ACTIVATION_KINDS: tuple[str, ...] = tuple(
    name for name, kind in CATALOG.items() if kind.category == activations.CATEGORY
)
