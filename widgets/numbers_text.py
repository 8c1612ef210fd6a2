"""Numbers as the window writes them, in the user's locale: one home for the formatting."""

from __future__ import annotations

from PySide6.QtCore import QLocale


def count_text(n: int) -> str:
    """A whole number with group separators ("200,000"), even where the locale's defaults
    leave them out."""
    locale = QLocale()
    locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    return locale.toString(n)


def percent_text(fraction: float) -> str:
    """A fraction as a percentage with one decimal ("97.5%")."""
    return QLocale().toString(100.0 * fraction, "f", 1) + "%"
