"""The sliding window of convolution and pooling: its parameters and its output size."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.layers.kind import Param, Shape
from models.layers.params import AUTO, MAX_KERNEL
from models.translation import N_, _

if TYPE_CHECKING:
    from models.spec import LayerSpec


def kernel(default: int = 3) -> Param:
    """The square window's side."""
    return Param(
        "kernel_size",
        "int",
        default,
        N_("Height and width of the square window that slides over the image."),
        minimum=1,
        maximum=MAX_KERNEL,
        key=True,
    )


def padding(maximum: int, help: str) -> Param:
    """Zeros around the image, up to `maximum`; `help` is marked N_() by the caller."""
    return Param("padding", "int", 0, help, minimum=0, maximum=maximum)


def window_shape(layer: LayerSpec, shape: Shape, channels: int) -> Shape:
    """Output of a window sliding over a channels x height x width input; `auto` stride is the
    kernel size (torch's default for pooling)."""
    size, pad = layer.get("kernel_size"), layer.get("padding")
    stride = size if layer.get("stride") == AUTO else layer.get("stride")
    height, width = ((side + 2 * pad - size) // stride + 1 for side in shape[1:])
    return (channels, height, width)


def window_text(layer: LayerSpec, default_stride: object) -> str:
    """`3x3, stride 2, pad 1`: the kernel, then stride and padding where they matter."""
    size = layer.get("kernel_size")
    text = f"{size}x{size}"
    if layer.get("stride") not in (AUTO, default_stride):
        # Translators: part of a layer's one-line summary, after its kernel: "3x3, stride 2".
        text += _(", stride {stride}").format(stride=layer.get("stride"))
    if layer.get("padding"):
        # Translators: part of a layer's one-line summary, after its kernel: "3x3, pad 1".
        text += _(", pad {padding}").format(padding=layer.get("padding"))
    return text
