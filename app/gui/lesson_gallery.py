"""The lessons' start page: a card per lesson (its thumbnail, title and one line), to pick
one and start it. Arrows move, Enter starts, Esc closes; all offline (the thumbnails ship in
resources/lessons/thumbnails)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.lessons import Lesson
from widgets.text_metrics import char_width

NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # a card's lesson name
THUMB_CHARS = 26  # a thumbnail's width, in average characters: it grows with the font
THUMB_RATIO = 9 / 16  # the window's shape, as the thumbnails were taken


class LessonGallery(QDialog):
    """Every lesson as a card; `lessonChosen(name)` when one is started."""

    lessonChosen = Signal(str)

    def __init__(
        self, lessons: Sequence[Lesson], show_at_start: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Lessons"))
        intro = QLabel(
            self.tr(
                "Each lesson opens an experiment and walks you through it in short steps; "
                "the steps tick themselves as you do them."
            )
        )
        intro.setWordWrap(True)
        self.cards = QListWidget()
        self.cards.setViewMode(QListView.ViewMode.IconMode)
        self.cards.setMovement(QListView.Movement.Static)
        self.cards.setResizeMode(QListView.ResizeMode.Adjust)
        self.cards.setWordWrap(True)
        self.cards.setUniformItemSizes(True)
        self.cards.setSpacing(self.fontMetrics().height() // 2)
        width = char_width(self.fontMetrics()) * THUMB_CHARS
        thumb = QSize(width, round(width * THUMB_RATIO))
        self.cards.setIconSize(thumb)
        # Room under the picture for a two-line title and a three-line summary.
        lines = 6 * self.fontMetrics().lineSpacing()
        self.cards.setGridSize(QSize(width + 24, thumb.height() + lines + 16))
        for lesson in lessons:
            item = QListWidgetItem(f"{lesson.title}\n{lesson.summary}")
            picture = QPixmap(str(lesson.thumbnail))
            if not picture.isNull():
                item.setIcon(QIcon(picture))
            item.setToolTip(
                self.tr("%s: %d steps. Enter or double-click to start.")
                % (lesson.summary, len(lesson.steps))
            )
            item.setData(NAME_ROLE, lesson.name)
            self.cards.addItem(item)
        self.cards.setCurrentRow(0)
        self.cards.itemActivated.connect(lambda _item: self.accept())
        self.show_at_start = QCheckBox(self.tr("Show the lessons when LayerLab starts"))
        self.show_at_start.setChecked(show_at_start)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Close
        )
        open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        open_button.setText(self.tr("Start Lesson"))
        open_button.setToolTip(self.tr("Open the selected lesson's experiment and its steps"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.cards, 1)
        layout.addWidget(self.show_at_start)
        layout.addWidget(buttons)
        columns = 3
        self.resize(columns * (width + 40) + 40, 2 * (thumb.height() + lines + 32) + 160)
        self.cards.setFocus()

    def chosen(self) -> str | None:
        item = self.cards.currentItem()
        return item.data(NAME_ROLE) if item is not None else None

    def accept(self) -> None:
        name = self.chosen()
        super().accept()
        if name:
            self.lessonChosen.emit(name)
