"""AlarmBanner: the gradient-health alarms of the run, newest first, one clickable line each,
and the check box that pauses training when an alarm rises.

The alarms are few (one per layer and kind, raised once), but a deep model can raise dozens:
the banner shows a few lines and the rest behind "and N more", in a scroll area of bounded
height, so that the plots below keep their room.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gradient_health import Alarm
from widgets.icons import icon
from widgets.theme import Theme, current_theme, mix

SHOWN = 4  # up to this many alarms all show; beyond, the newest SHOWN - 1 and "and N more"
MAX_LINES = 100  # lines built when expanded: more would only be scrolled past
MAX_HEIGHT_LINES = 8  # the lines' height at most, in lines of text (then they scroll)


def newest_first(alarms: Sequence[Alarm]) -> list[Alarm]:
    """The alarms by step, the latest first; of one step, in the order raised (by layer,
    from the input: the first layer's vanishing is the root of those after it)."""
    order = sorted(range(len(alarms)), key=lambda i: (-alarms[i].step, i))
    return [alarms[i] for i in order]


class _AlarmLine(QFrame):
    """One alarm: the warning icon and its wrapped text; a click, Enter or Space picks it."""

    clicked = Signal(int)  # the alarm's layer

    def __init__(self, alarm: Alarm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmLine")
        self.layer = alarm.layer
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(
            self.tr("Click (or press Enter) to look at layer {layer}.").format(layer=alarm.layer)
        )
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(alarm.text)
        self.text.setWordWrap(True)
        row = QHBoxLayout(self)
        margin = self.fontMetrics().height() // 5
        row.setContentsMargins(margin, margin, margin, margin)
        row.addWidget(self.icon)
        row.addWidget(self.text, 1)

    def set_icon(self, theme: Theme) -> None:
        size = self.fontMetrics().height()
        self.icon.setPixmap(icon("warning", theme.warning).pixmap(size, size))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit(self.layer)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.layer)
        else:
            super().keyPressEvent(event)


class _LinesArea(QScrollArea):
    """The lines, scrolled: as tall as they are up to MAX_HEIGHT_LINES lines of text, and
    willing to shrink to the newest alarm alone when the plots below need the room."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setWidget(content)
        self.viewport().setAutoFillBackground(False)
        content.setAutoFillBackground(False)
        self._laid_out = False  # given a width by its layout since it was made

    def _content_height(self) -> int:
        return self.widget().heightForWidth(self.viewport().width())

    def sizeHint(self) -> QSize:
        cap = self.fontMetrics().lineSpacing() * MAX_HEIGHT_LINES
        return QSize(super().sizeHint().width(), min(self._content_height(), cap))

    def minimumSizeHint(self) -> QSize:
        # At least the newest alarm, whole: a line cut in half reads as a broken window. Before
        # its layout gave it a width, one line: lines wrapped at a new widget's 100 px asked
        # for 150 px, and the window grew to that for good (presentation mode at 1280x720 to
        # 747 px high, past the screen).
        if not self._laid_out:
            return QSize(0, min(self._content_height(), self.fontMetrics().lineSpacing()))
        lines = self.widget().findChildren(_AlarmLine)
        first = lines[0].heightForWidth(self.viewport().width()) if lines else 0
        return QSize(0, min(self._content_height(), first))

    def resizeEvent(self, event: QResizeEvent) -> None:
        width_changed = event.size().width() != event.oldSize().width()
        self._laid_out = self._laid_out or self.isVisible()
        super().resizeEvent(event)
        if width_changed:  # wrapped lines need another height at another width
            self.updateGeometry()


class AlarmBanner(QWidget):
    """The run's alarms, newest first, in a warning-tinted frame that is hidden while there are
    none, and the "Pause on alarm" box: above the frame, or, with `place_pause_box` False,
    wherever the host puts `pause_box` in its own layout (a banner with no alarms then takes no
    room at all)."""

    pauseOnAlarmChanged = Signal(bool)
    layerClicked = Signal(int)  # the index of the alarm's layer in the model

    def __init__(self, parent: QWidget | None = None, place_pause_box: bool = True) -> None:
        super().__init__(parent)
        self._alarms: list[Alarm] = []  # newest first
        self._expanded = False
        self._theme = current_theme()

        self.pause_box = QCheckBox(self.tr("Pause on alarm"))
        self.pause_box.setToolTip(
            self.tr(
                "Pause training when an alarm rises: when a layer's gradients vanish or "
                "explode, or its units die or saturate. Look at the plots, then Resume."
            )
        )
        self.pause_box.toggled.connect(self.pauseOnAlarmChanged)

        self._lines = QWidget()
        self._lines_layout = QVBoxLayout(self._lines)
        self._lines_layout.setContentsMargins(0, 0, 0, 0)
        self._lines_layout.setSpacing(0)
        self._more = QToolButton()
        self._more.clicked.connect(self._on_more_clicked)
        self._not_shown = QLabel()  # beyond MAX_LINES: only counted
        more_row = QHBoxLayout()
        more_row.setContentsMargins(0, 0, 0, 0)
        more_row.addWidget(self._more)
        more_row.addWidget(self._not_shown)
        more_row.addStretch(1)
        content = QWidget()
        content.setObjectName("alarmLines")
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._lines)
        column.addLayout(more_row)
        self._area = _LinesArea(content)

        self._frame = QFrame()
        self._frame.setObjectName("alarmFrame")
        frame_layout = QVBoxLayout(self._frame)
        margin = self.fontMetrics().height() // 5
        frame_layout.setContentsMargins(margin * 2, margin, margin, margin)
        frame_layout.addWidget(self._area)
        self._frame.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if place_pause_box:
            layout.addWidget(self.pause_box)
        layout.addWidget(self._frame)
        self.set_theme(self._theme)

    # Public API

    def pause_on_alarm(self) -> bool:
        """Whether training should pause when an alarm rises."""
        return self.pause_box.isChecked()

    def set_pause_on_alarm(self, pause: bool) -> None:
        """Tick or clear the box, as a click does (pauseOnAlarmChanged when it changes)."""
        self.pause_box.setChecked(pause)

    def show_alarms(self, alarms: Sequence[Alarm]) -> None:
        """Show these alarms (all the run's so far), newest first; () hides the frame."""
        ordered = newest_first(alarms)
        if ordered == self._alarms:
            return
        if len(ordered) <= SHOWN:
            self._expanded = False
        self._alarms = ordered
        self._rebuild()

    def alarm_texts(self) -> list[str]:
        """The texts of the lines shown, top to bottom."""
        return [line.text.text() for line in self._line_widgets()]

    def more_button(self) -> QToolButton | None:
        """The "and N more" (or "Show fewer") button, or None when all alarms are shown."""
        return self._more if not self._more.isHidden() else None

    def set_theme(self, theme: Theme) -> None:
        """The frame's tint and the icons' colour, from the app theme."""
        self._theme = theme
        tint = mix(theme.window, theme.warning, 0.14)
        hover = mix(tint, theme.text, 0.08)
        self.setStyleSheet(
            f"QFrame#alarmFrame {{ background: {tint}; border-left: 4px solid {theme.warning};"
            f" border-radius: 4px; }}"
            f"QWidget#alarmLines {{ background: transparent; }}"
            f"QFrame#alarmLine {{ border: 2px solid transparent; border-radius: 4px; }}"
            f"QFrame#alarmLine:hover {{ background: {hover}; }}"
            f"QFrame#alarmLine:focus {{ border-color: {theme.accent}; }}"
            f"QFrame#alarmFrame QLabel {{ color: {theme.text}; background: transparent; }}"
        )
        for line in self._line_widgets():
            line.set_icon(theme)

    # Internals

    def _line_widgets(self) -> list[_AlarmLine]:
        return self._lines.findChildren(
            _AlarmLine, options=Qt.FindChildOption.FindDirectChildrenOnly
        )

    def _rebuild(self) -> None:
        for line in self._line_widgets():
            self._lines_layout.removeWidget(line)
            line.setParent(None)
            line.deleteLater()
        count = len(self._alarms)
        shown = self._shown_count(count)
        for alarm in self._alarms[:shown]:
            line = _AlarmLine(alarm, self._lines)
            line.set_icon(self._theme)
            line.clicked.connect(self.layerClicked)
            self._lines_layout.addWidget(line)
            line.show()  # now, not after the next event loop pass (its parent may be shown)
        self._more.setVisible(count > SHOWN)
        if self._expanded:
            self._more.setText(self.tr("Show fewer"))
            self._more.setToolTip(self.tr("Show only the newest alarms."))
        else:
            self._more.setText(self.tr("and {n} more").format(n=count - shown))
            self._more.setToolTip(self.tr("Show every alarm of the run."))
        beyond = count - shown if self._expanded else 0
        self._not_shown.setText(
            self.tr("({n} older alarms not listed)").format(n=beyond) if beyond else ""
        )
        self._not_shown.setVisible(bool(beyond))
        self._frame.setVisible(count > 0)
        self._area.updateGeometry()

    def _shown_count(self, count: int) -> int:
        if count <= SHOWN:
            return count
        return min(count, MAX_LINES) if self._expanded else SHOWN - 1

    def _on_more_clicked(self) -> None:
        self._expanded = not self._expanded
        self._rebuild()


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    banner = AlarmBanner()
    banner.show_alarms(
        [
            Alarm(
                0,
                "Linear",
                "vanishing",
                120,
                "gradients vanished",
                "gradients vanished: its gradient norm fell below 1e-7. Try ReLU instead of "
                "Sigmoid, or a higher learning rate.",
            ),
            Alarm(
                1,
                "ReLU",
                "dead",
                300,
                "units died",
                "60% of its units never fire. Try a lower learning rate or LeakyReLU.",
            ),
        ]
    )
    banner.layerClicked.connect(lambda layer: print("layer", layer))
    banner.resize(600, 200)
    banner.show()
    sys.exit(app.exec())
