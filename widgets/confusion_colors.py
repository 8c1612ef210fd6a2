"""The confusion matrix's colours: each cell tinted by its share of the true class, and its
count in whichever of near-black and white reads better on that tint.

Blue on the diagonal (right), vermillion off it (wrong): two hues that stay apart for
colour-blind eyes. A square-root scale keeps small but real confusions visible.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from widgets.theme import Theme

TINT_FLOOR = 0.12  # a non-zero cell is always at least this tinted, so no mistake hides
DARK_TEXT = "#111418"
LIGHT_TEXT = "#FFFFFF"


def row_fractions(counts: np.ndarray) -> np.ndarray:
    """Each count as a fraction of its row's total (0 for rows with no images)."""
    counts = np.asarray(counts, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 0.0)


def right_hue(theme: Theme) -> str:
    """The hue of right answers, the diagonal."""
    return theme.class_colors[0]  # Okabe-Ito blue


def wrong_hue(theme: Theme) -> str:
    """The hue of mistakes, off the diagonal."""
    return theme.class_colors[5]  # Okabe-Ito vermillion: apart from blue for colour-blind eyes


def cell_colors(counts: np.ndarray, theme: Theme) -> tuple[np.ndarray, np.ndarray]:
    """For counts (K, K): each cell's fill as (K, K, 3) ints 0-255 and its count's colour
    as (K, K) #RRGGBB strings (the theme's muted text for zeros)."""
    counts = np.asarray(counts)
    fractions = row_fractions(counts)
    amount = np.where(counts > 0, TINT_FLOOR + (1.0 - TINT_FLOOR) * np.sqrt(fractions), 0.0)
    background = _rgb(theme.plot_background)
    diagonal = np.eye(len(counts), dtype=bool)[..., None]
    hue = np.where(diagonal, _rgb(right_hue(theme)), _rgb(wrong_hue(theme)))
    rgb = np.rint(background + (hue - background) * amount[..., None]).astype(int)
    # The count in whichever of near-black and white contrasts more with the cell: the WCAG
    # ratio of widgets.theme.contrast_ratio, for every cell at once.
    lum = _luminance(rgb)
    dark = (lum + 0.05) / (_luminance(_rgb(DARK_TEXT)) + 0.05)
    light = (_luminance(_rgb(LIGHT_TEXT)) + 0.05) / (lum + 0.05)
    on_cell = np.where(dark >= light, DARK_TEXT, LIGHT_TEXT)
    return rgb, np.where(counts == 0, theme.muted_text, on_cell)


def _rgb(color: str) -> np.ndarray:
    c = QColor(color)
    return np.array([c.red(), c.green(), c.blue()], dtype=np.float64)


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of colours (..., 3) with channels 0-255."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])
