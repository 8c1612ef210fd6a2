"""Parameters several families share: `auto`, the size limits, input sizes and the bias."""

from __future__ import annotations

from models.layers.kind import Param
from models.translation import N_

AUTO = "auto"
"""Parameter value meaning: infer it from the layer before."""

MAX_FEATURES = 1_000_000
MAX_CHANNELS = 4096
MAX_KERNEL = 64


def in_size(name: str, help: str) -> Param:
    """An input size that 'auto' takes from the layer before: in_features, in_channels...
    `help` is its whole sentence, marked N_() by the caller."""
    return Param(
        name,
        "int",
        AUTO,
        help,
        minimum=1,
        maximum=MAX_FEATURES,
        allows_auto=True,
        key=True,
    )


BIAS = Param("bias", "bool", True, N_("Learn an offset added to every output."))
