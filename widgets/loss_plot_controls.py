"""The row above the loss plot: the smoothing slider, the log-scale box and, once the user has
zoomed or panned, the button that follows the run again."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from app.smoothing import DEFAULT_SMOOTHING

SLIDER_STEPS = 100  # slider value v means smoothing v / 100, 0 to 0.99


class LossPlotControls(QWidget):
    """The loss plot's view settings; it emits what the user changed and draws nothing."""

    smoothingMoved = Signal(float)  # the user moved the slider (0 to 0.99)
    logToggled = Signal(bool)  # the user toggled the log scale
    followClicked = Signal()  # the user asked to see the whole run again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._smoothing_label = QLabel(self.tr("Smoothing"))
        self._slider = QSlider(Qt.Orientation.Horizontal)
        self._slider.setRange(0, SLIDER_STEPS - 1)
        self._slider.setValue(round(DEFAULT_SMOOTHING * SLIDER_STEPS))
        self._slider.setMinimumWidth(60)
        self._slider.setToolTip(
            self.tr(
                "How much the bold curve averages out the step-to-step noise of the loss: "
                "0 follows every step, 0.99 shows only the long-term trend."
            )
        )
        self._smoothing_label.setBuddy(self._slider)
        self._smoothing_label.setToolTip(self._slider.toolTip())
        self._smoothing_value = QLabel()
        self._smoothing_value.setMinimumWidth(self.fontMetrics().horizontalAdvance("0.00") + 2)
        self._log_box = QCheckBox(self.tr("Log scale"))
        self._log_box.setToolTip(
            self.tr(
                "Show the loss on a logarithmic axis, so late small improvements stay visible. "
                "Losses of zero or less are left out while it is on."
            )
        )
        # Shown once the user zooms or pans: the way back to a view that follows the run.
        self._follow_button = QPushButton(self.tr("Follow the run"))
        self._follow_button.setToolTip(
            self.tr("Show the whole run again and keep up with it (Home, or double-click the plot)")
        )
        self._follow_button.setShortcut(QKeySequence(Qt.Key.Key_Home))
        self._follow_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._smoothing_label)
        layout.addWidget(self._slider, 1)
        layout.addWidget(self._smoothing_value)
        layout.addSpacing(8)
        layout.addWidget(self._log_box)
        layout.addWidget(self._follow_button)
        self._slider.valueChanged.connect(self._on_slider_moved)
        self._log_box.toggled.connect(self.logToggled)
        self._follow_button.clicked.connect(self.followClicked)
        self._show_smoothing()

    def smoothing(self) -> float:
        """The smoothing weight shown, 0 to 0.99."""
        return self._slider.value() / SLIDER_STEPS

    def set_smoothing(self, weight: float) -> None:
        """Show a smoothing weight (clamped to 0 to 0.99) without emitting smoothingMoved."""
        value = round(min(max(weight, 0.0), (SLIDER_STEPS - 1) / SLIDER_STEPS) * SLIDER_STEPS)
        self._slider.blockSignals(True)
        self._slider.setValue(value)
        self._slider.blockSignals(False)
        self._show_smoothing()

    def log_scale(self) -> bool:
        """Whether the log-scale box is ticked."""
        return self._log_box.isChecked()

    def set_log_scale(self, on: bool) -> bool:
        """Tick or clear the log-scale box without emitting logToggled; True if it changed."""
        if on == self._log_box.isChecked():
            return False
        self._log_box.blockSignals(True)
        self._log_box.setChecked(on)
        self._log_box.blockSignals(False)
        return True

    def show_follow_button(self, visible: bool) -> None:
        """Offer the way back to a view that follows the run (after a zoom or pan)."""
        self._follow_button.setVisible(visible)

    def _on_slider_moved(self, value: int) -> None:
        self._show_smoothing()
        self.smoothingMoved.emit(value / SLIDER_STEPS)

    def _show_smoothing(self) -> None:
        self._smoothing_value.setText(f"{self.smoothing():.2f}")
