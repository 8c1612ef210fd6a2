"""Regularization layers: Dropout, which fights overfitting while training."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.layers.kind import LayerKind, Param
from models.translation import N_

if TYPE_CHECKING:
    from models.spec import LayerSpec


def _summary(layer: LayerSpec) -> str:
    return f"Dropout p={layer.get('p'):g}"


KINDS = (
    LayerKind(
        "Dropout",
        N_("Regularization"),
        N_(
            "While training, zeroes random values with probability p (and scales the rest); "
            "fights overfitting. Does nothing when evaluating."
        ),
        (
            Param(
                "p",
                "float",
                0.5,
                N_("Probability of zeroing each value."),
                minimum=0.0,
                maximum=1.0,
                key=True,
            ),
        ),
        summary=_summary,
    ),
)
