"""Reshaping layers: Flatten turns an image into the flat row a Linear layer needs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from models.layers.kind import LayerKind, Shape
from models.translation import N_

if TYPE_CHECKING:
    from models.spec import LayerSpec


def _flattened(layer: LayerSpec, shape: Shape) -> Shape:
    return (math.prod(shape),)


KINDS = (
    LayerKind(
        "Flatten",
        N_("Reshape"),
        N_(
            "Turns each image (channels x height x width) into one flat row of features, "
            "as a Linear layer needs."
        ),
        output_shape=_flattened,
    ),
)
