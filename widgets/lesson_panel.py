"""The Lesson panel: a lesson's title, its steps (done ones ticked, the current one in bold,
the rest waiting), what to look at now, and the buttons to restart it or go on to the next.

A view over plain values: the window tells it the steps' texts and how many are done."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

TICK = "\u2713"  # a done step's mark
NOW = "\u25b6"  # the current step's


class LessonPanel(QWidget):
    """`show_lesson` sets the texts; `show_progress` ticks the first `done` steps."""

    restartRequested = Signal()
    nextRequested = Signal()
    closeRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self._step_box = QVBoxLayout()
        self._step_box.setSpacing(self.fontMetrics().height() // 2)
        self._marks: list[QLabel] = []
        self._texts: list[QLabel] = []
        # What to look at now: the last done step's words, in a box that stands out.
        self.look = QLabel()
        self.look.setObjectName("lessonLook")
        self.look.setWordWrap(True)
        self.look.setFrameShape(QFrame.Shape.StyledPanel)
        self.look.setMargin(self.fontMetrics().height() // 2)
        self.look.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel()
        self.restart_button = QPushButton(self.tr("Restart"))
        self.restart_button.setToolTip(
            self.tr("Open the lesson's experiment again and start from its first step")
        )
        self.next_button = QPushButton(self.tr("Next Lesson"))
        self.next_button.setToolTip(self.tr("Go on to the next lesson"))
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setToolTip(self.tr("End the lesson; the experiment stays open"))
        self.restart_button.clicked.connect(self.restartRequested)
        self.next_button.clicked.connect(self.nextRequested)
        self.close_button.clicked.connect(self.closeRequested)
        # Side by side when they fit, else one above the other (a narrow panel, large text):
        # the buttons' row would otherwise set the panel's minimum width and clip the steps.
        self._buttons = buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        buttons.addWidget(self.restart_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addLayout(self._step_box)
        layout.addWidget(self.look)
        layout.addWidget(self.state)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.look.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        buttons = (self.restart_button, self.next_button, self.close_button)
        row = sum(b.sizeHint().width() for b in buttons if not b.isHidden()) + 40
        direction = QBoxLayout.Direction
        wanted = direction.LeftToRight if event.size().width() >= row else direction.TopToBottom
        if self._buttons.direction() != wanted:
            self._buttons.setDirection(wanted)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        """As narrow as the widest button or the longest word of a text, whichever is wider:
        the steps wrap, the buttons stack (narrower, a step's longest word was cut off)."""
        hint = super().minimumSizeHint()
        widest = max(b.sizeHint().width() for b in (self.restart_button, self.next_button))
        texts = (self.title, self.summary, self.look, self.state)
        words = max(
            self._step_box.minimumSize().width(),
            *(label.minimumSizeHint().width() for label in texts if not label.isHidden()),
        )
        margins = self.layout().contentsMargins()
        need = max(widest + 24, words + margins.left() + margins.right())
        return QSize(min(hint.width(), need), hint.height())

    def show_lesson(self, title: str, summary: str, steps: Sequence[str], has_next: bool) -> None:
        """A lesson's texts, no step done yet."""
        self.title.setText(title)
        self.summary.setText(summary)
        for label in self._marks + self._texts:
            label.deleteLater()
        self._marks, self._texts = [], []
        for number, text in enumerate(steps, 1):
            mark = QLabel()
            mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
            mark.setMinimumWidth(self.fontMetrics().horizontalAdvance("00 " + TICK))
            words = QLabel(text)
            words.setWordWrap(True)
            words.setToolTip(self.tr("Step %d of %d") % (number, len(steps)))
            row = QHBoxLayout()
            row.addWidget(mark)
            row.addWidget(words, 1)
            self._step_box.addLayout(row)
            self._marks.append(mark)
            self._texts.append(words)
        self.next_button.setVisible(has_next)
        self.show_progress(0, "")

    def show_progress(self, done: int, look: str) -> None:
        """The first `done` steps ticked, the next one current, and `look` in its box."""
        total = len(self._texts)
        for index, (mark, words) in enumerate(zip(self._marks, self._texts, strict=True)):
            font = QFont(words.font())
            font.setBold(index == done)
            words.setFont(font)
            words.setEnabled(index <= done)
            mark.setText(TICK if index < done else NOW if index == done else f"{index + 1}.")
        self.look.setText(look)
        self.look.setVisible(bool(look))
        if done >= total:
            self.state.setText(self.tr("Lesson complete: every step is done."))
        else:
            self.state.setText(self.tr("Step %d of %d") % (done + 1, total))
        self.next_button.setDefault(done >= total)

    def step_texts(self) -> list[str]:
        return [label.text() for label in self._texts]

    def marks(self) -> list[str]:
        """Each step's mark as shown: a tick when done, an arrow on the current one."""
        return [label.text() for label in self._marks]


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    panel = LessonPanel()
    panel.show_lesson(
        "XOR needs a hidden layer",
        "One Linear layer draws one straight line.",
        ["Press Train.", "Add a hidden layer.", "Train again."],
        True,
    )
    panel.show_progress(1, "Look at the boundary: one straight cut.")
    panel.resize(360, 500)
    panel.show()
    sys.exit(app.exec())
