"""Convolution layers: Conv2d, small learned filters sliding over an image."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.diagnostics import Verdict
from models.layers.kind import LayerKind, Param, Shape
from models.layers.params import BIAS, MAX_CHANNELS, MAX_KERNEL, in_size
from models.layers.windows import kernel, padding, window_shape, window_text
from models.translation import N_

if TYPE_CHECKING:
    from models.shapes import Site
    from models.spec import LayerSpec


def _check_conv(site: Site) -> Verdict:
    """An image whose channels fill in `in_channels`, and a kernel that fits once padded."""
    not_an_image = site.needs_image()
    if not_an_image is not None:
        return not_an_image
    sized = site.sized("in_channels", N_("input channels"))
    # A convolution may pad as much as it likes: padding is always offered as a fix.
    window = site.window(sized.resolved)
    return Verdict(None if window else sized.resolved, sized.diagnostics + window)


def _output_shape(layer: LayerSpec, shape: Shape) -> Shape:
    return window_shape(layer, shape, layer.get("out_channels"))


def _param_count(layer: LayerSpec) -> int:
    outputs = layer.get("out_channels")
    weights = outputs * layer.get("in_channels") * layer.get("kernel_size") ** 2
    return weights + (outputs if layer.get("bias") else 0)


def _summary(layer: LayerSpec) -> str:
    sizes = f"{layer.get('in_channels')} -> {layer.get('out_channels')}"
    return f"Conv2d {sizes}, {window_text(layer, default_stride=1)}"


KINDS = (
    LayerKind(
        "Conv2d",
        N_("Convolution"),
        N_("Slides small learned filters over an image; each filter makes one output channel."),
        (
            in_size(
                "in_channels",
                N_("Number of input channels coming in; 'auto' takes it from the layer before."),
            ),
            Param(
                "out_channels",
                "int",
                16,
                N_("Number of filters, so of output channels."),
                minimum=1,
                maximum=MAX_CHANNELS,
                key=True,
            ),
            kernel(3),
            Param(
                "stride",
                "int",
                1,
                N_("Step between filter positions; 2 halves the height and width."),
                minimum=1,
                maximum=MAX_KERNEL,
            ),
            padding(MAX_KERNEL, N_("Zeros added around the image; kernel // 2 keeps the size.")),
            BIAS,
        ),
        check=_check_conv,
        output_shape=_output_shape,
        param_count=_param_count,
        summary=_summary,
        positional=("in_channels", "out_channels"),
    ),
)
