"""TensorBoard's debiased moving average of the step losses: the bold trend line of the loss plot.

Qt-free, so the history, the window and any script smooth the same way.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SMOOTHING = 0.6  # TensorBoard's default weight

SmoothState = tuple[float, float, float]  # (last average, first step, last step)


def smooth(
    x: np.ndarray, y: np.ndarray, weight: float, state: SmoothState | None
) -> tuple[np.ndarray, SmoothState | None]:
    """TensorBoard's debiased exponential moving average of `y` at steps `x`.

    `state` is (last, first step, last step) from the previous call, or None to start; the new
    state is returned with the smoothed values, so long runs are smoothed a chunk at a time.
    A gap of d steps decays the average by weight**d, as if the value had held over the gap,
    which keeps decimated (sparser) points smoothed over the same number of steps.
    Non-finite values are not smoothed (NaN) and leave the average as it was.
    """
    out = np.full(len(y), np.nan)
    finite = np.isfinite(y)
    steps, values = x[finite], y[finite]
    if len(steps) == 0:
        return out, state
    if state is None:  # the first finite value starts the average
        last, first, previous = 0.0, steps[0] - 1.0, steps[0] - 1.0
    else:
        last, first, previous = state
    decay = weight ** np.diff(steps, prepend=previous)
    gain = (1.0 - decay) * values
    averages = []
    append = averages.append
    for d, g in zip(decay.tolist(), gain.tolist(), strict=True):  # the one sequential part
        last = last * d + g
        append(last)
    out[finite] = np.array(averages) / (1.0 - weight ** (steps - first))
    return out, (last, float(first), float(steps[-1]))
