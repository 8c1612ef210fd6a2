"""The sentence under the activations heatmap: what the chosen layer's latest outputs say.

A ReLU layer with many dead units or a Sigmoid or Tanh layer with many saturated outputs is
named as the problem it is; any other layer gets its range and mean, read off its histogram.
Plain numbers in, words out (no widgets): the view shows it, the tests read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QLocale

# From this fraction on the caption names the problem. Lower fractions are normal for a
# trained network (a few dead ReLUs, a few confident sigmoids) and would only alarm.
DEAD_SHOWN = 0.1
SATURATED_SHOWN = 0.1

# What a layer's outputs can be at all: the histogram's outer bins also count what lies
# beyond the edges, and its edges may reach past these bounds.
_BOUNDS = {"ReLU": (0.0, math.inf), "Sigmoid": (0.0, 1.0), "Tanh": (-1.0, 1.0)}


@dataclass(frozen=True)
class Caption:
    text: str
    alarming: bool  # dead or saturated: shown in the warning colour


def layer_caption(
    name: str, counts: np.ndarray, edges: np.ndarray, dead: float, saturated: float
) -> Caption:
    """The sentence for layer `name` ("3 ReLU") from its latest histogram and fractions."""
    index, _sep, kind = name.partition(" ")
    kind_text = kind or "?"
    if math.isfinite(dead) and dead >= DEAD_SHOWN:
        text = QCoreApplication.translate(
            "ActivationCaption",
            "Layer {0} ({1}): {2} of its units are dead: they output 0 for every input of the "
            "batch.",
        )
        return Caption(text.format(index, kind_text, _percent(dead)), True)
    if math.isfinite(saturated) and saturated >= SATURATED_SHOWN:
        low, high = _BOUNDS.get(kind, (0.0, 1.0))
        text = QCoreApplication.translate(
            "ActivationCaption",
            "Layer {0} ({1}): {2} of its outputs are saturated near {3} or {4}, where its "
            "gradient is almost 0.",
        )
        values = (_percent(saturated), _number(low), _number(high))
        return Caption(text.format(index, kind_text, *values), True)
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    if not total > 0:
        return Caption("", False)
    filled = np.flatnonzero(counts)
    low, high = _BOUNDS.get(kind, (-math.inf, math.inf))
    first = max(float(edges[filled[0]]), low)
    last = min(float(edges[filled[-1] + 1]), high)
    centres = (edges[:-1] + edges[1:]) / 2
    mean = float(np.clip((centres * counts).sum() / total, first, last))
    scale = max(abs(first), abs(last))
    first_text, last_text = _number(first, scale), _number(last, scale)
    # The outer bins also count what lies beyond them: outputs there may reach further.
    if filled[0] == 0 and edges[0] > low:
        # Translators: the lowest output of a layer, in "its outputs lie between ... and ...".
        below = QCoreApplication.translate("ActivationCaption", "{0} or below")
        first_text = below.format(first_text)
    if filled[-1] == len(counts) - 1 and edges[-1] < high:
        # Translators: the highest output of a layer, in "its outputs lie between ... and ...".
        above = QCoreApplication.translate("ActivationCaption", "{0} or above")
        last_text = above.format(last_text)
    text = QCoreApplication.translate(
        "ActivationCaption",
        "Layer {0} ({1}): its outputs lie between {2} and {3}, with a mean of about {4}.",
    )
    values = (first_text, last_text, _number(mean, scale))
    return Caption(text.format(index, kind_text, *values), False)


def _percent(fraction: float) -> str:
    """A whole percentage ("42%"): the caption is read at a glance, decimals would not help."""
    return QLocale().toString(round(100 * fraction)) + "%"


def _number(value: float, scale: float = 1.0) -> str:
    """Three significant digits in the user's locale: "0.523", "-1.2", "0"."""
    if abs(value) < 1e-4 * scale:
        value = 0.0  # "0", not "-3.1e-17" for an edge at zero
    return QLocale().toString(value, "g", 3)
