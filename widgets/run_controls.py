"""Train / Pause / Resume, Step, Stop and Reset, with a progress bar that says where the run is."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from widgets.numbers_text import count_text


def _time_text(seconds: float) -> str:
    """Minutes and seconds, such as "2:05"; "?" while unknown."""
    if not math.isfinite(seconds):
        return "?"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _speed_text(samples_per_second: float) -> str:
    """Samples a second as a whole number with group separators; "?" while unknown."""
    if not math.isfinite(samples_per_second):
        return "?"
    return count_text(round(samples_per_second))


class RunControlsWidget(QWidget):
    """Buttons for the run verbs (the window owns the actions and their shortcuts) and the
    progress of the current run."""

    def __init__(
        self, actions: dict[str, QAction], icons: dict[str, QIcon], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.actions = actions
        self.icons = icons  # "train", "pause": the Train button shows what it will do
        buttons = QHBoxLayout()
        for name in ("train", "step", "stop", "reset"):
            button = QToolButton()
            button.setDefaultAction(actions[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setObjectName(f"{name}Button")
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.blocked = QLabel()
        self.blocked.setObjectName("problemText")
        self.blocked.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.blocked)
        self.total_steps = 0
        self.epochs = 0
        self.state = IDLE
        self.set_state(IDLE)

    def set_state(self, state: str, blocked_reason: str = "") -> None:
        """Enable what the state allows; `blocked_reason` explains a disabled Train."""
        self.state = state
        train, step, stop, reset = (self.actions[n] for n in ("train", "step", "stop", "reset"))
        active = state in (RUNNING, PAUSED)
        if state == RUNNING:
            train.setText(self.tr("Pause"))
            train.setIcon(self.icons["pause"])
        elif state == PAUSED:
            train.setText(self.tr("Resume"))
            train.setIcon(self.icons["train"])
        else:
            train.setText(self.tr("Train"))
            train.setIcon(self.icons["train"])
        train.setEnabled(active or not blocked_reason)
        train.setToolTip(blocked_reason or train.text() + " (Space)")
        step.setEnabled(active or not blocked_reason)
        stop.setEnabled(active)
        reset.setEnabled(state in (PAUSED, FINISHED))
        self.blocked.setText(blocked_reason if not active else "")
        self.blocked.setVisible(bool(blocked_reason) and not active)
        self.progress.setVisible(not self.blocked.isVisible())
        if state == IDLE:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat(self.tr("Ready: press Train (Space)"))

    def start(self, total_steps: int, epochs: int) -> None:
        """A run of `total_steps` steps over `epochs` epochs is starting."""
        self.total_steps, self.epochs = max(total_steps, 1), epochs
        self.progress.setRange(0, self.total_steps)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("Starting…"))

    def show_progress(
        self, steps_done: int, epoch: int, samples_per_second: float, elapsed: float
    ) -> None:
        """`epoch` is 0-based; `elapsed` excludes pauses."""
        self.progress.setValue(min(steps_done, self.total_steps))
        rate = steps_done / elapsed if elapsed > 0 else 0.0
        left = (self.total_steps - steps_done) / rate if rate > 0 else math.inf
        self.progress.setFormat(
            self.tr(
                "Epoch {epoch}/{epochs}  ·  step {step}/{total}  ·  {speed} samples/s  ·  "
                "{left} left"
            ).format(
                epoch=min(epoch + 1, self.epochs),
                epochs=self.epochs,
                step=count_text(steps_done),
                total=count_text(self.total_steps),
                speed=_speed_text(samples_per_second),
                left=_time_text(left),
            )
        )

    def show_finished(self, text: str) -> None:
        """The run ended: the bar says how, in `text`."""
        self.progress.setFormat(text)
