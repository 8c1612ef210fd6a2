"""Parameters several families share: `auto`, the size limits, input sizes and the bias."""

from __future__ import annotations

from models.layers.kind import Param

AUTO = "auto"
"""Parameter value meaning: infer it from the layer before."""

MAX_FEATURES = 1_000_000
MAX_CHANNELS = 4096
MAX_KERNEL = 64


def in_size(name: str, what: str) -> Param:
    """An input size that 'auto' takes from the layer before: in_features, in_channels..."""
    return Param(
        name,
        "int",
        AUTO,
        f"Number of {what} coming in; 'auto' takes it from the layer before.",
        minimum=1,
        maximum=MAX_FEATURES,
        allows_auto=True,
        key=True,
    )


BIAS = Param("bias", "bool", True, "Learn an offset added to every output.")
