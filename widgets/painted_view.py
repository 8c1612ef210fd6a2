"""PaintedView: what the QPainter-drawn views (image grid, confusion matrix) share.

A layout computed once per size and font and kept in `_layout`, laid-out texts kept in
`_text_cache`, a tooltip for each place (`tooltip_at`), the theme, and a centred hint while
there is nothing to draw. Until `set_theme` gives a theme, a view paints in the application's
current one, read when painting: it wears whatever look the application has.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from widgets.theme import Theme, current_theme

MARGIN = 8


class PaintedView(QWidget):
    """Base of a view drawn with QPainter; subclasses set `_layout` and `_text_cache` up,
    and implement `tooltip_at` and their painting."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme: Theme | None = None  # None: the application's, read when painting
        self._layout = None  # whatever the subclass computes from the size and font
        self._text_cache: dict = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_theme(self, theme: Theme) -> None:
        """Paint with `theme` from now on."""
        self._theme = theme
        self._layout = None
        self.update()

    def theme(self) -> Theme:
        """The theme set with set_theme, else the application's current one."""
        return self._theme or current_theme()

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip for a place in the view; "" where there is none."""
        return ""

    def begin_painting(self, message: str | None) -> QPainter | None:
        """Fill the background; with a `message` (nothing to draw), show it centred and
        return None, else return the painter to draw with."""
        theme = self.theme()
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.plot_background))
        if message is None:
            return painter
        painter.setPen(QColor(theme.muted_text))
        painter.drawText(
            self.rect().adjusted(2 * MARGIN, MARGIN, -2 * MARGIN, -MARGIN),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            message,
        )
        painter.end()
        return None

    # Qt

    def minimumSizeHint(self) -> QSize:
        return self.minimumSize()

    def resizeEvent(self, event: object) -> None:
        self._layout = None
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._layout = None  # a theme change brings a new font and palette
            self._text_cache.clear()
            self.update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
