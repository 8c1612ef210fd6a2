"""A side panel's page: its content in a scroll area, so that a small window scrolls the panel
instead of crushing its rows, under a one-line banner that says why the panel is locked.

The banner lives inside the page, not in the dock's title: a longer title truncated the side
tabs ("La...", "T...").
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from widgets.icons import icon
from widgets.text_metrics import char_width

MIN_CHARS = 16  # the narrowest a page gets, in average characters: narrower, it scrolls
MIN_LINES = 6  # the shortest, in lines of text


class PanelPage(QWidget):
    """`content` in a scroll area (or as it is, when it scrolls itself), under a hidden banner
    that `set_lock` shows."""

    def __init__(self, content: QWidget, scrolls: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.content = content
        self.banner = QFrame()
        self.banner.setObjectName("lockBanner")
        self._lock_icon = QLabel()
        self._lock_icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._banner_text = QLabel()
        self._banner_text.setWordWrap(True)
        row = QHBoxLayout(self.banner)
        margin = self.fontMetrics().height() // 4
        row.setContentsMargins(margin * 2, margin, margin * 2, margin)
        row.addWidget(self._lock_icon)
        row.addWidget(self._banner_text, 1)
        self.banner.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        if scrolls:
            self.scroll_area: QScrollArea | None = QScrollArea()
            self.scroll_area.setWidgetResizable(True)  # the content fills it, down to its minimum
            self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
            self.scroll_area.setWidget(content)
            layout.addWidget(self.scroll_area, 1)
        else:
            self.scroll_area = None
            layout.addWidget(content, 1)
        self._fit_minimum()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode's larger text
            self._fit_minimum()

    def _fit_minimum(self) -> None:
        metrics = self.fontMetrics()
        self.setMinimumSize(char_width(metrics) * MIN_CHARS, metrics.height() * MIN_LINES)

    def set_lock(self, text: str, reason: str = "") -> None:
        """Show `text` in the banner, with `reason` as its tooltip; an empty text hides it."""
        self._banner_text.setText(text)
        self.banner.setToolTip(reason)
        self._banner_text.setToolTip(reason)
        size = self.fontMetrics().height()
        self._lock_icon.setPixmap(icon("lock").pixmap(size, size))
        self.banner.setVisible(bool(text))

    def lock_text(self) -> str:
        """What the banner says, or "" when it is hidden."""
        return self._banner_text.text() if not self.banner.isHidden() else ""


if __name__ == "__main__":
    import sys

    from PySide6.QtWidgets import QFormLayout, QSpinBox

    from widgets.demo import demo_application

    app = demo_application()
    form = QWidget()
    rows = QFormLayout(form)
    for number in range(20):
        rows.addRow(f"Setting {number}", QSpinBox())
    page = PanelPage(form)
    page.set_lock("Locked while training: press Stop to edit.", "The demo's reason.")
    page.resize(300, 400)
    page.show()
    sys.exit(app.exec())
