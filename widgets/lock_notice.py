"""`LockNotice`: a locked (disabled) control says why when it is clicked, instead of doing
nothing. Qt delivers no clicks to a disabled widget, but its event filters still see them, and
a press it refuses travels up through its disabled parents: so one filter on a locked panel
hears every click inside it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QToolTip, QWidget


class LockNotice(QObject):
    """Watches widgets; a press on one that is disabled and has a reason shows the reason as
    a tooltip where it was clicked and emits `touched(reason)`."""

    touched = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reasons: dict[QWidget, str] = {}

    def set_reason(self, widget: QWidget, reason: str) -> None:
        """Why `widget` is disabled ("" when it is not, or says so elsewhere)."""
        if widget not in self._reasons:
            widget.installEventFilter(self)
        self._reasons[widget] = reason

    def reason(self, widget: QWidget) -> str:
        return self._reasons.get(widget, "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.MouseButtonPress or not isinstance(watched, QWidget):
            return False
        reason = self._reasons.get(watched, "")
        if not reason or watched.isEnabled():
            return False
        assert isinstance(event, QMouseEvent)
        QToolTip.showText(event.globalPosition().toPoint(), reason, watched)
        self.touched.emit(reason)
        return True  # said once: the disabled parents above it need not say it again
