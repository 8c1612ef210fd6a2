"""Activations: the element-wise non-linearities between layers. None has a size to fill in
or parameters to learn, so each entry is its help, its settings and whether it squashes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from models.layers.kind import LayerKind, Param, kind_name
from models.translation import N_

if TYPE_CHECKING:
    from models.spec import LayerSpec

CATEGORY = N_("Activation")


def _activation(
    name: str,
    help: str,
    params: tuple[Param, ...] = (),
    summary: Callable[[LayerSpec], str] = kind_name,
) -> LayerKind:
    # Every activation bends the raw class scores cross-entropy wants (even ReLU: it drops
    # the negative ones), so each one warns as the last layer of a classifier.
    return LayerKind(name, CATEGORY, help, params, summary=summary, squashes=True)


def _leaky_relu_summary(layer: LayerSpec) -> str:
    return f"LeakyReLU {layer.get('negative_slope'):g}"


def _gelu_summary(layer: LayerSpec) -> str:
    return "GELU (tanh)" if layer.get("approximate") == "tanh" else "GELU"


KINDS = (
    _activation("ReLU", N_("Keeps positive values and sets negative ones to zero: max(0, x).")),
    _activation(
        "LeakyReLU",
        N_("Like ReLU, but negative values keep a small slope, so no neuron goes silent."),
        (
            Param(
                "negative_slope",
                "float",
                0.01,
                N_("Slope for negative inputs."),
                minimum=0.0,
                maximum=1.0,
                key=True,
            ),
        ),
        summary=_leaky_relu_summary,
    ),
    _activation("Sigmoid", N_("Squashes every value into (0, 1): 1 / (1 + exp(-x)).")),
    _activation("Tanh", N_("Squashes every value into (-1, 1).")),
    _activation(
        "GELU",
        N_("Smooth ReLU used in transformers: x times the chance that a normal sample is below x."),
        (
            Param(
                "approximate",
                "choice",
                "none",
                N_("'tanh' uses a faster approximation."),
                choices=("none", "tanh"),
            ),
        ),
        summary=_gelu_summary,
    ),
    _activation("SiLU", N_("Smooth ReLU that lets small negatives through: x * sigmoid(x).")),
)
