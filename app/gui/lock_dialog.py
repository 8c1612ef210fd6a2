"""Lessons > Lock Controls: the teacher's dialog. Each panel open, locked or hidden; single
training settings locked; and the sentence students read when they touch a locked control.
The locks go into the experiment (one undo step) and are saved with it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.classroom import HIDEABLE, MAX_REASON, PANELS, Locks
from widgets.text_metrics import char_width

OPEN, LOCKED, HIDDEN = "open", "locked", "hidden"
COLUMNS = 3  # of the single settings' check boxes


class LockDialog(QDialog):
    """Shows `locks`; `locks()` is what the teacher chose. `fields` are the training settings
    as (TrainConfig field, label) in the panel's order."""

    def __init__(
        self, locks: Locks, fields: Sequence[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Lock Controls"))
        intro = QLabel(
            self.tr(
                "Students who open this experiment can change only what is left open. Save "
                "it to keep the locks in the file; Lessons > Unlock Controls opens them again."
            )
        )
        intro.setWordWrap(True)

        panels = QGroupBox(self.tr("Panels"))
        rows = QFormLayout(panels)
        names = {
            "model": self.tr("Model (layers and their settings)"),
            "data": self.tr("Data"),
            "training": self.tr("Training (every setting)"),
            "code": self.tr("Code"),
        }
        self.panels: dict[str, QComboBox] = {}
        for name in (*PANELS, *(name for name in HIDEABLE if name not in PANELS)):
            box = QComboBox()
            if name in PANELS:
                box.addItem(self.tr("Open"), OPEN)
                box.addItem(self.tr("Locked: shown, not editable"), LOCKED)
            else:
                box.addItem(self.tr("Shown"), OPEN)
            if name in HIDEABLE:
                box.addItem(self.tr("Hidden"), HIDDEN)
            if name in PANELS and name in HIDEABLE:
                tip = self.tr(
                    "Open: students change it. Locked: they see it, unchangeable. Hidden: "
                    "students do not see it."
                )
            elif name in PANELS:
                tip = self.tr("Open: students change it. Locked: they see it, unchangeable.")
            else:
                tip = self.tr("Hidden: students do not see it.")
            box.setToolTip(tip)
            state = HIDDEN if name in locks.hidden else LOCKED if name in locks.locked else OPEN
            box.setCurrentIndex(box.findData(state))
            rows.addRow(names[name], box)
            self.panels[name] = box

        settings = QGroupBox(self.tr("Single training settings locked"))
        grid = QGridLayout(settings)
        self.fields: dict[str, QCheckBox] = {}
        for index, (name, label) in enumerate(fields):
            check = QCheckBox(label)
            check.setChecked(f"train.{name}" in locks.locked)
            check.setToolTip(self.tr("Students see %s but cannot change it") % label)
            grid.addWidget(check, index // COLUMNS, index % COLUMNS)
            self.fields[name] = check
        self.panels["training"].currentIndexChanged.connect(self._enable_fields)
        self.panels["model"].currentIndexChanged.connect(self._follow_model)
        self._enable_fields()
        self._follow_model()

        self.reason = QLineEdit(locks.reason)
        self.reason.setMaxLength(MAX_REASON)
        self.reason.setPlaceholderText(self.tr("This lesson is about the learning rate."))
        self.reason.setToolTip(
            self.tr("Shown in the locked panels and when a student clicks a locked control")
        )
        why = QFormLayout()
        why.addRow(self.tr("&Why (students read this)"), self.reason)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Lock"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(panels)
        layout.addWidget(settings)
        layout.addLayout(why)
        layout.addWidget(buttons)
        self.setMinimumWidth(char_width(self.fontMetrics()) * 70)

    def locks(self) -> Locks:
        states = {name: box.currentData() for name, box in self.panels.items()}
        locked = {name for name, state in states.items() if state == LOCKED}
        if states["training"] == OPEN:
            locked |= {f"train.{name}" for name, check in self.fields.items() if check.isChecked()}
        hidden = {name for name, state in states.items() if state == HIDDEN}
        return Locks(frozenset(locked), frozenset(hidden), self.reason.text().strip())

    def _follow_model(self) -> None:
        """A locked model locks the data too (its sizes are the model's input and output):
        the data's box says so, or hidden, and cannot be opened."""
        data = self.panels["data"]
        model_locked = self.panels["model"].currentData() == LOCKED
        if model_locked and data.currentData() == OPEN:
            data.setCurrentIndex(data.findData(LOCKED))
        data.model().item(data.findData(OPEN)).setEnabled(not model_locked)

    def _enable_fields(self) -> None:
        """Single settings matter only while the training panel as a whole is open."""
        whole = self.panels["training"].currentData() != OPEN
        for check in self.fields.values():
            check.setEnabled(not whole)
