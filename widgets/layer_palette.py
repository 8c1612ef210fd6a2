"""The layer palette: every kind of the catalog, by category, to add to the model.

A double-click or Enter asks for the layer (`layerRequested`); dragging carries the kind name
under `MIME_TYPE` so the layer stack can take drops at a chosen position.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from models.layers import CATALOG, CATEGORIES, LayerKind
from models.translation import _

MIME_TYPE = "application/x-layerlab-layer-kind"
"""Drag-and-drop type whose data is a layer kind name in UTF-8, such as b"Linear"."""

KIND_ROLE = Qt.ItemDataRole.UserRole


class _RoomyRowsDelegate(QStyledItemDelegate):
    """Rows taller than the default: easier to hit, and to read on a projector."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), round(option.fontMetrics.height() * 1.6)))


class LayerPaletteWidget(QTreeWidget):
    """A tree of the catalog's layer kinds, grouped by category, that requests and drags them."""

    layerRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setAccessibleName(self.tr("Layer palette"))
        self.setToolTip(
            self.tr("Double-click a layer, press Enter, or drag it onto the model to add it.")
        )
        self.setItemDelegate(_RoomyRowsDelegate(self))
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setIndentation(self.fontMetrics().height() * 3 // 4)  # room for the names
        self._update_minimum_height()
        self._populate()
        self._fit_column()
        self._sync_inactive_highlight()
        self.itemDoubleClicked.connect(self._on_item_double_clicked)

    def _update_minimum_height(self) -> None:
        # About five rows stay visible however small the dock gets: in a 600-pixel window,
        # more would leave the model's rows no room.
        self.setMinimumHeight(self.fontMetrics().height() * 8)

    def _fit_column(self) -> None:
        """The names never elide ("BatchNo..."): the column fills the width, but never gets
        narrower than the longest name; a narrower palette scrolls sideways."""
        self.header().setMinimumSectionSize(self.sizeHintForColumn(0))

    def _populate(self) -> None:
        bold = QFont()  # sets only the weight: size and family follow the widget's font
        bold.setBold(True)
        groups: dict[str, QTreeWidgetItem] = {}
        for category in CATEGORIES:
            group = QTreeWidgetItem(self, [_(category)])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setFont(0, bold)
            groups[category] = group
        for kind in CATALOG.values():
            item = QTreeWidgetItem(groups[kind.category], [kind.name])
            item.setData(0, KIND_ROLE, kind.name)
            item.setToolTip(0, self._tooltip(kind))
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled
            )
        self.expandAll()

    def _tooltip(self, kind: LayerKind) -> str:
        # Rich text so that Qt wraps the longer help texts.
        pytorch = self.tr("PyTorch: {0}").format(f"<code>{kind.torch_class}</code>")
        return f"<p>{html.escape(_(kind.help), quote=False)}</p><p>{pytorch}</p>"

    def kind_item(self, kind: str) -> QTreeWidgetItem | None:
        """The item of a layer kind, or None if the catalog has no such kind."""
        for group_row in range(self.topLevelItemCount()):
            group = self.topLevelItem(group_row)
            for row in range(group.childCount()):
                item = group.child(row)
                if item.data(0, KIND_ROLE) == kind:
                    return item
        return None

    @staticmethod
    def _kind_of(item: QTreeWidgetItem | None) -> str | None:
        return None if item is None else item.data(0, KIND_ROLE)

    def _on_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = self._kind_of(item)
        if kind is not None:
            self.layerRequested.emit(kind)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        kind = self._kind_of(self.currentItem())
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and kind is not None:
            self.layerRequested.emit(kind)
            event.accept()
            return
        super().keyPressEvent(event)

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData | None:
        kinds = [kind for kind in map(self._kind_of, items) if kind is not None]
        if not kinds:
            return None
        data = QMimeData()
        data.setData(MIME_TYPE, kinds[0].encode("utf-8"))
        data.setText(kinds[0])
        return data

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._sync_inactive_highlight()
        elif event.type() == QEvent.Type.FontChange:
            self._update_minimum_height()
            self._fit_column()
        elif event.type() == QEvent.Type.StyleChange:
            self._fit_column()

    def _sync_inactive_highlight(self) -> None:
        """Keep the selection as visible when focus is elsewhere (e.g. on the layer stack)."""
        palette = self.palette()
        changed = False
        for role in (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText):
            active = palette.color(QPalette.ColorGroup.Active, role)
            if palette.color(QPalette.ColorGroup.Inactive, role) != active:
                palette.setColor(QPalette.ColorGroup.Inactive, role, active)
                changed = True
        if changed:
            self.setPalette(palette)


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    palette = LayerPaletteWidget()
    palette.setWindowTitle("LayerPaletteWidget")
    palette.layerRequested.connect(lambda kind: print("layerRequested", kind))
    palette.resize(320, 600)
    palette.show()
    sys.exit(app.exec())
