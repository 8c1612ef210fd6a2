"""Widths measured in characters of text, alike in every language: the average width of a
lowercase Latin letter, not the font's own average character (`averageCharWidth`), which
for a font that holds Chinese is a full-width character's. Measured at 11 pt: DejaVu Sans
8.5 px a letter (averageCharWidth 8); LayerLab Sans SC 7.9 px a letter, averageCharWidth
15, which made every panel of the Chinese window nearly twice as wide at its narrowest."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def char_width(metrics: QFontMetrics) -> int:
    """The average width of a lowercase letter in this font, in whole pixels."""
    return round(metrics.horizontalAdvance(_LETTERS) / len(_LETTERS))
