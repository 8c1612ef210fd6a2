"""The alarm badge of a layer's row: a warning icon and the alarm's few words, painted on a
second line under the layer's name, in the same cell (the row grows, no row is added)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.gradient_health import Alarm
from widgets.icons import icon
from widgets.theme import current_theme

BADGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the badge's text; None for a row without alarms
GAP = 4  # pixels between the icon and the words


def badge_text(alarms: Sequence[Alarm]) -> str:
    """The first alarm's headline, and how many more the layer has: "gradients vanished (+1)"."""
    if not alarms:
        return ""
    if len(alarms) == 1:
        return alarms[0].headline
    return QCoreApplication.translate("LayerStackWidget", "{headline} (+{n})").format(
        headline=alarms[0].headline, n=len(alarms) - 1
    )


def badge_tooltip(alarms: Sequence[Alarm]) -> str:
    """Every alarm's whole sentence, one paragraph each."""
    return "\n\n".join(alarm.text for alarm in alarms)


class AlarmBadgeDelegate(QStyledItemDelegate):
    """Draws a cell as usual, and when it has a badge (BADGE_ROLE), the badge on a line below
    it, in the theme's warning colour (the highlighted-text colour on a selected row)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        badge = index.data(BADGE_ROLE)
        if not badge:
            return size
        metrics = option.fontMetrics
        line = metrics.height()
        width = _margin(option) * 2 + line + GAP + metrics.horizontalAdvance(badge)
        return QSize(max(size.width(), width), size.height() + line)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        badge = index.data(BADGE_ROLE)
        if not badge:
            super().paint(painter, option, index)
            return
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        line = option.fontMetrics.height()
        whole = QRect(option.rect)
        # The selection or hover background under both lines, then the usual cell as tall as
        # the rows without a badge, its text where theirs is; the badge right under the text.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, cell, painter, widget)
        padding = max(whole.height() - 2 * line, 0)
        cell.rect = whole.adjusted(0, 0, 0, -line)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, cell, painter, widget)

        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        color = (
            option.palette.color(option.palette.ColorRole.HighlightedText)
            if selected
            else QColor(current_theme().warning)
        )
        margin = _margin(option)
        top = whole.top() + padding // 2 + line
        pixmap = icon("warning", color.name()).pixmap(line, line)
        painter.save()
        painter.drawPixmap(QRect(whole.left() + margin, top, line, line), pixmap)
        painter.setPen(color)
        painter.setFont(option.font)
        text_rect = QRect(whole.left() + margin + line + GAP, top, whole.width(), line)
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, badge
        )
        painter.restore()


def _margin(option: QStyleOptionViewItem) -> int:
    """The style's margin before a cell's text, so the badge starts where the text does."""
    widget = option.widget
    style = widget.style() if widget is not None else QApplication.style()
    return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, option, widget) + 1
