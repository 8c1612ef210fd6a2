"""Pooling layers: MaxPool2d and AvgPool2d shrink each channel window by window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.diagnostics import Diagnostic, Fix, Verdict
from models.layers.kind import LayerKind, Param, Shape
from models.layers.params import AUTO, MAX_KERNEL
from models.layers.windows import kernel, padding, window_shape, window_text
from models.translation import N_, _

if TYPE_CHECKING:
    from models.shapes import Site
    from models.spec import LayerSpec


def _check_pool(site: Site) -> Verdict:
    """An image, padding of at most half the kernel (torch's rule), and a kernel that fits."""
    not_an_image = site.needs_image()
    if not_an_image is not None:
        return not_an_image
    layer = site.layer
    size, pad = layer.get("kernel_size"), layer.get("padding")
    if pad > size // 2:
        message = _(
            "{layer} pads by {padding}, but padding can be at most half the kernel size "
            "({most} for a {size}x{size} kernel)."
        ).format(layer=site.label, padding=pad, most=size // 2, size=size)
        fixed = site.spec.replace(site.index, layer.with_params(padding=size // 2))
        fix = Fix(_("Set padding to {padding}").format(padding=size // 2), fixed)
        return Verdict(None, (Diagnostic(site.index, "padding_too_large", message, (fix,)),))
    window = site.window(layer, max_padding=size // 2)
    return Verdict(None if window else layer, window)


def _output_shape(layer: LayerSpec, shape: Shape) -> Shape:
    return window_shape(layer, shape, shape[0])


def _summary(layer: LayerSpec) -> str:
    return f"{layer.kind} {window_text(layer, default_stride=layer.get('kernel_size'))}"


def _pool(name: str, help: str) -> LayerKind:
    """A pooling kind; `help` is its whole sentence, marked N_() by the caller."""
    return LayerKind(
        name,
        N_("Pooling"),
        help,
        (
            kernel(2),
            Param(
                "stride",
                "int",
                AUTO,
                N_("Step between windows; 'auto' uses the kernel size (no overlap)."),
                minimum=1,
                maximum=MAX_KERNEL,
                allows_auto=True,
            ),
            padding(MAX_KERNEL // 2, N_("Zeros added around the image; at most half the kernel.")),
        ),
        check=_check_pool,
        output_shape=_output_shape,
        summary=_summary,
    )


KINDS = (
    _pool(
        "MaxPool2d",
        N_("Shrinks each channel by taking the largest value of every window; adds no parameters."),
    ),
    _pool(
        "AvgPool2d",
        N_("Shrinks each channel by taking the average of every window; adds no parameters."),
    ),
)
