"""Dense layers: Linear, every output a weighted sum of every input."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.diagnostics import Diagnostic, Fix, Verdict
from models.layers.kind import LayerKind, Param, Shape
from models.layers.params import BIAS, MAX_FEATURES, in_size
from models.translation import N_, _

if TYPE_CHECKING:
    from models.shapes import Site
    from models.spec import LayerSpec


def _check_linear(site: Site) -> Verdict:
    """Linear multiplies flat features; an image or a sequence must be flattened first."""
    if len(site.shape) > 1:
        message = _(
            "{layer} needs flat features, but gets a {shape} tensor. "
            "Insert Flatten before layer {index}."
        ).format(layer=site.label, shape=site.shape_text, index=site.index)
        flatten = site.spec.insert(site.index, site.new_layer("Flatten"))
        fix = Fix(_("Insert Flatten before layer {index}").format(index=site.index), flatten)
        return Verdict(None, (Diagnostic(site.index, "needs_flatten", message, (fix,)),))
    return site.sized("in_features", N_("input features"))


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
        N_("Dense"),
        N_("Fully connected layer: every output is a weighted sum of every input plus a bias."),
        (
            in_size(
                "in_features",
                N_("Number of input features coming in; 'auto' takes it from the layer before."),
            ),
            Param(
                "out_features",
                "int",
                64,
                N_("Number of outputs (neurons)."),
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
