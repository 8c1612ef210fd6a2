"""Dense layers: Linear, every output a weighted sum of every input."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.diagnostics import Diagnostic, Fix, Verdict
from models.layers.kind import LayerKind, Param, Shape
from models.layers.params import BIAS, MAX_FEATURES, in_size

if TYPE_CHECKING:
    from models.shapes import Site
    from models.spec import LayerSpec


def _check_linear(site: Site) -> Verdict:
    """Linear multiplies flat features; an image or a sequence must be flattened first."""
    if len(site.shape) > 1:
        message = (
            f"{site.label} needs flat features, but gets a {site.shape_text} tensor. "
            f"Insert Flatten before layer {site.index}."
        )
        flatten = site.spec.insert(site.index, site.new_layer("Flatten"))
        fix = Fix(f"Insert Flatten before layer {site.index}", flatten)
        return Verdict(None, (Diagnostic(site.index, "needs_flatten", message, (fix,)),))
    return site.sized("in_features", "input features")


def _output_shape(layer: LayerSpec, shape: Shape) -> Shape:
    return (layer.get("out_features"),)


def _param_count(layer: LayerSpec) -> int:
    outputs = layer.get("out_features")
    return layer.get("in_features") * outputs + (outputs if layer.get("bias") else 0)


def _summary(layer: LayerSpec) -> str:
    return f"Linear {layer.get('in_features')} -> {layer.get('out_features')}"


KINDS = (
    LayerKind(
        "Linear",
        "Dense",
        "Fully connected layer: every output is a weighted sum of every input plus a bias.",
        (
            in_size("in_features", "input features"),
            Param(
                "out_features",
                "int",
                64,
                "Number of outputs (neurons).",
                minimum=1,
                maximum=MAX_FEATURES,
                key=True,
            ),
            BIAS,
        ),
        check=_check_linear,
        output_shape=_output_shape,
        param_count=_param_count,
        summary=_summary,
        positional=("in_features", "out_features"),
    ),
)
