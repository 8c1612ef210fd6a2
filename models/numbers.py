"""Round numbers for ranges and axes: one home for the rule, used by the engine and the plots."""

from __future__ import annotations

import math


def nice_ceiling(value: float, fallback: float = 1.0) -> float:
    """`value` rounded up to 1, 2 or 5 times a power of ten: nice_ceiling(0.37) is 0.5.

    Zero, negative and non-finite values have no such ceiling and give `fallback`.
    """
    if not math.isfinite(value) or value <= 0:
        return fallback
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if value <= m * power * (1 + 1e-9))
