"""The editors LayerLab's settings forms share: plain-number spin boxes, stepping ladders, a
combo box that elides, and a guard that keeps the wheel for scrolling the form.

The training panel and the layer inspector both build from these, so a number reads and
types the same way in either form.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QValidator, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
)


class WheelWhenFocused:
    """Mixin: the wheel scrolls the form, not the value, until the editor has focus.

    Otherwise scrolling through a long form silently changes whatever passes under the mouse.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # goes on to the scroll area


class TrimmedSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox that shows 0.01 as "0.01" (not "0.010000") and accepts "3e-4"."""

    _PARTIAL = re.compile(r"^[+-]?\d*\.?\d*(e[+-]?\d*)?$", re.IGNORECASE)

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return (text or "0").replace(".", self.locale().decimalPoint())

    def valueFromText(self, text: str) -> float:
        try:
            return float(self._plain(text))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        plain = self._plain(text)
        if not self._PARTIAL.match(plain) or (plain.startswith("-") and self.minimum() >= 0):
            return QValidator.State.Invalid, text, pos
        try:
            value = float(plain)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def _plain(self, text: str) -> str:
        return text.strip().replace(self.locale().decimalPoint(), ".")


class LadderSpinBox(TrimmedSpinBox):
    """For rates spanning many decades: the arrows walk 1-2-5 steps (0.01, 0.02, 0.05, 0.1)."""

    def __init__(self, minimum: float, maximum: float, lowest_step: float) -> None:
        super().__init__()
        self.setDecimals(10)
        self.setRange(minimum, maximum)
        self._ladder = [0.0] if minimum <= 0 else []
        for exponent in range(-12, 4):
            for mantissa in (1, 2, 5):
                value = float(f"{mantissa}e{exponent}")
                if max(minimum, lowest_step) <= value <= maximum:
                    self._ladder.append(value)

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            if steps > 0:
                higher = [v for v in self._ladder if v > value * (1 + 1e-9)]
                value = higher[0] if higher else self.maximum()
            else:
                lower = [v for v in self._ladder if v < value * (1 - 1e-9)]
                value = lower[-1] if lower else self.minimum()
        self.setValue(value)
        self.selectAll()


class DoublingSpinBox(QSpinBox):
    """For batch sizes: the arrows double and halve (32, 64, 128) instead of adding one."""

    def stepBy(self, steps: int) -> None:
        value = round(self.value() * 2.0**steps)
        self.setValue(max(self.minimum(), min(self.maximum(), value)))
        self.selectAll()


class ElidingComboBox(QComboBox):
    """A combo box that elides a long current text ("NVIDIA GeForce RTX…") instead of clipping
    it, and paints it in the current item's foreground colour (used for warnings)."""

    def __init__(self) -> None:
        super().__init__()
        # Long labels (GPU names) elide instead of widening a narrow dock; the popup shows all.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)

    def paintEvent(self, event: object) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, field.width()
        )
        color = self.currentData(Qt.ItemDataRole.ForegroundRole)
        if color is not None:
            option.palette.setColor(QPalette.ColorRole.ButtonText, QColor(color))
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
