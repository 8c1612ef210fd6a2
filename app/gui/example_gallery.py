"""The Examples gallery: every example with its title and its whole description, to pick
one and open it (as an untitled copy, so saving never changes the example)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.files import Example, examples

DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1  # an item's description text
PATH_ROLE = Qt.ItemDataRole.UserRole + 2  # an item's experiment file

_MARGIN = 8  # around a row's text, in pixels
_GAP = 3  # between the title and the description
_TALL = 100_000  # "no height limit" for measuring wrapped text

AnyIndex = QModelIndex | QPersistentModelIndex


class _ExampleDelegate(QStyledItemDelegate):
    """A row as a card: the title in bold, the description below it, wrapped to the list's
    width and shown in full."""

    def _layout(self, option: QStyleOptionViewItem, index: AnyIndex) -> tuple:
        title_font = QFont(option.font)
        title_font.setBold(True)
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QListView) else option.rect.width()
        text_width = max(120, width - 2 * _MARGIN)
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        description = str(index.data(DESCRIPTION_ROLE) or "")
        return title_font, option.font, text_width, title, description

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802
        title_font, body_font, width, title, description = self._layout(option, index)
        area = QRect(0, 0, width, _TALL)
        wrap = Qt.TextFlag.TextWordWrap
        title_height = QFontMetrics(title_font).boundingRect(area, wrap, title).height()
        body_height = QFontMetrics(body_font).boundingRect(area, wrap, description).height()
        return QSize(width + 2 * _MARGIN, title_height + _GAP + body_height + 2 * _MARGIN)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        title_font, body_font, _width, title, description = self._layout(option, index)
        background = QStyleOptionViewItem(option)
        self.initStyleOption(background, index)
        background.text = ""  # the style draws the selection and focus; the texts are below
        widget = background.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, background, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        wrap = Qt.TextFlag.TextWordWrap
        painter.save()
        painter.setPen(option.palette.color(role))
        area = option.rect.adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        painter.setFont(title_font)
        title_area = painter.boundingRect(area, wrap, title)
        painter.drawText(area, wrap, title)
        area.setTop(title_area.bottom() + 1 + _GAP)
        painter.setFont(body_font)
        painter.drawText(area, wrap, description)
        painter.restore()


class ExampleGallery(QDialog):
    """Every example as a card with its title and description. Arrows move, Enter or Open
    (or a double click) opens, Esc or Cancel closes; `exampleChosen(path)` says which."""

    exampleChosen = Signal(Path)

    def __init__(
        self, entries: Sequence[Example] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Examples"))
        intro = QLabel(
            self.tr(
                "Pick an example to start from. It opens as an untitled copy: saving never "
                "changes the example."
            )
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setItemDelegate(_ExampleDelegate(self.list))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)  # rows re-wrap when resized
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        for example in examples() if entries is None else entries:
            title, description = example.title, example.description  # translated: examples()
            item = QListWidgetItem(title)
            item.setData(DESCRIPTION_ROLE, description)
            item.setData(PATH_ROLE, example.path)
            # Translators: a screen reader reads an example's title, then its description.
            spoken = self.tr("{title}. {description}").format(title=title, description=description)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
            self.list.addItem(item)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(
            self.tr("Open"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # Enter anywhere (the list passes it on) presses Open: one way in, one signal out.
        self.open_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.doubleClicked.connect(lambda _index: self.accept())
        self.list.currentRowChanged.connect(self._on_current_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.list.setCurrentRow(0)
        self._on_current_changed(self.list.currentRow())
        self.list.setFocus()
        self.resize(640, 600)

    def chosen(self) -> Path | None:
        """The example the selection is on, or None when there is none."""
        item = self.list.currentItem()
        return item.data(PATH_ROLE) if item is not None else None

    def accept(self) -> None:
        """Close, then say which example to open (nothing without a selection)."""
        path = self.chosen()
        if path is None:
            return
        super().accept()
        self.exampleChosen.emit(path)

    def _on_current_changed(self, row: int) -> None:
        self.open_button.setEnabled(row >= 0)


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    gallery = ExampleGallery()
    gallery.exampleChosen.connect(lambda path: print("exampleChosen", path))
    gallery.show()
    sys.exit(app.exec())
