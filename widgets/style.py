"""How a look is worn: the palette, font, style sheet, plot defaults and the Fusion style's
projector touches for a Theme (widgets.theme). app.gui chooses the look and applies it; widget
demos apply it too. Qt only: no torch here.
"""

from __future__ import annotations

from string import Template

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDockWidget,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QWidget,
)

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from widgets.theme import HIGHLIGHTED_TEXT, Theme, mix, set_current_theme

FONT_POINT_SIZE = 11.0
ROW_PADDING = 10  # extra pixels per item-view row, so lists read well from the back of a room


_STYLE_SHEET = Template("""
QGroupBox {
    border: 1px solid $border;
    border-radius: 8px;
    margin-top: 1.3em;
    padding: 10px 8px 8px 8px;
}
QGroupBox::title {
    subcontrol-origin: margin;
    subcontrol-position: top left;
    left: 10px;
    padding: 0 4px;
    color: $text;
    font-weight: 600;
}
QToolButton {
    border: 2px solid transparent;
    border-radius: 6px;
    padding: 4px;
}
QToolButton:hover { background: $hover; }
QToolButton:pressed, QToolButton:checked { background: $pressed; }
QToolButton:focus { border-color: $accent; }
QToolButton[popupMode="1"] { padding-right: 20px; }
QToolButton[popupMode="2"] { padding-right: 16px; }
QToolButton::menu-button {
    border: none;
    border-left: 1px solid $border;
    border-top-right-radius: 6px;
    border-bottom-right-radius: 6px;
    width: 18px;
}
QToolButton::menu-indicator {
    subcontrol-origin: padding;
    subcontrol-position: center right;
    right: 3px;
}
QLabel#sectionTitle { font-weight: 600; }
QFrame#lockBanner {
    background: $banner;
    border-bottom: 1px solid $border;
}
QStatusBar { border-top: 1px solid $border; }
QStatusBar::item { border: none; }
QToolTip {
    color: $text;
    background: $panel;
    border: 1px solid $border;
    padding: 4px 6px;
}
""")


def apply_look(app: QApplication, theme: Theme) -> None:
    """Give the whole application a look: style, palette, font (at the theme's scale), style
    sheet, plot defaults. Widgets made from now on wear it; for those already made, see
    `retheme_widgets`."""
    app.setStyle(LabStyle())
    app.setPalette(build_palette(theme))
    font = app.font()
    font.setPointSizeF(FONT_POINT_SIZE * theme.font_scale)
    app.setFont(font)
    app.setFont(font, "QDockWidgetTitle")  # the title font of the panels made from now on
    app.setStyleSheet(style_sheet(theme))
    pg.setConfigOptions(
        antialias=True, background=theme.plot_background, foreground=theme.plot_foreground
    )
    set_current_theme(app, theme)


def refont_dock_titles(app: QApplication) -> None:
    """The panels' titles in the application's font now. A QDockWidget paints its title in
    the font it was made with while its own font is the application's (in presentation mode
    the titles stayed at 11 pt over 16.5 pt text); a font of its own, the same but for its
    style strategy, makes it paint the title in that one."""
    font = QFont(app.font())
    font.setStyleStrategy(QFont.StyleStrategy.PreferQuality)
    for widget in app.allWidgets():
        if isinstance(widget, QDockWidget):
            widget.setFont(font)


def retheme_widgets(app: QApplication, theme: Theme) -> int:
    """Hand `theme` to every widget already made that takes one (`set_theme`), in every
    window, parents before their children; returns how many took it.

    The palette and font reach every widget through Qt's change events, but the plots'
    pens, class colours and symbol sizes are set once, by each view's `set_theme`: without
    this call they keep the look they were made in."""
    count = 0
    for top in app.topLevelWidgets():
        for widget in (top, *top.findChildren(QWidget)):
            set_theme = getattr(widget, "set_theme", None)
            if callable(set_theme):
                set_theme(theme)
                count += 1
    return count


def build_palette(theme: Theme) -> QPalette:
    """A QPalette for the Fusion style with every role, disabled ones included, from the theme."""
    text, window, panel = theme.text, theme.window, theme.panel
    button = mix(panel, text, 0.07) if theme.dark else panel
    disabled_text = mix(text, window, 0.6)
    link = mix(theme.accent, "#FFFFFF", 0.35) if theme.dark else theme.accent  # readable on dark
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: panel,
        QPalette.ColorRole.AlternateBase: mix(panel, window, 0.5),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.PlaceholderText: theme.muted_text,
        QPalette.ColorRole.Button: button,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: "#FFFFFF",
        QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: HIGHLIGHTED_TEXT,
        QPalette.ColorRole.Link: link,
        QPalette.ColorRole.LinkVisited: theme.muted_text,
        QPalette.ColorRole.ToolTipBase: panel,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Light: mix(button, "#FFFFFF", 0.15 if theme.dark else 1.0),
        QPalette.ColorRole.Midlight: mix(button, window, 0.5),
        QPalette.ColorRole.Mid: mix(window, text, 0.25),
        QPalette.ColorRole.Dark: mix(window, "#000000" if theme.dark else text, 0.4),
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Accent: theme.accent,
    }
    palette = QPalette()
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    disabled = {
        QPalette.ColorRole.WindowText: disabled_text,
        QPalette.ColorRole.Text: disabled_text,
        QPalette.ColorRole.ButtonText: disabled_text,
        QPalette.ColorRole.PlaceholderText: disabled_text,
        QPalette.ColorRole.Base: window,
        QPalette.ColorRole.Button: mix(button, window, 0.5),
        QPalette.ColorRole.Highlight: mix(theme.accent, window, 0.55),
        QPalette.ColorRole.HighlightedText: mix(HIGHLIGHTED_TEXT, window, 0.3),
        QPalette.ColorRole.Link: disabled_text,
    }
    for role, color in disabled.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    return palette


def style_sheet(theme: Theme) -> str:
    """The application style sheet: rounded group boxes, tool buttons, tooltips, status bar,
    the banner of a locked panel."""
    return _STYLE_SHEET.substitute(
        text=theme.text,
        panel=theme.panel,
        accent=theme.accent,
        border=mix(theme.window, theme.text, 0.22),
        hover=mix(theme.window, theme.text, 0.08),
        pressed=mix(theme.window, theme.accent, 0.25),
        banner=mix(theme.window, theme.warning, 0.14),
    )


_PE = QStyle.PrimitiveElement
_CC = QStyle.ComplexControl
_STATE = QStyle.StateFlag
_INDICATOR_METRICS = frozenset(
    {
        QStyle.PixelMetric.PM_IndicatorWidth,
        QStyle.PixelMetric.PM_IndicatorHeight,
        QStyle.PixelMetric.PM_ExclusiveIndicatorWidth,
        QStyle.PixelMetric.PM_ExclusiveIndicatorHeight,
    }
)
_FOCUS_RING_ELEMENTS = frozenset({_PE.PE_PanelButtonCommand, _PE.PE_FrameLineEdit})
_FOCUS_RING_CONTROLS = frozenset({_CC.CC_ComboBox, _CC.CC_SpinBox})


TAB_SPACE = 14  # pixels beside a tab's text, both sides together


class LabStyle(QProxyStyle):
    """Fusion with what a projector needs: roomy item-view rows, large high-contrast check boxes
    and radio buttons (Fusion's vanish on a dark palette), and a 2 px focus ring for keyboard
    users. Done in the style rather than the style sheet: a style sheet cannot draw a check mark,
    and QTreeView ignores `::item` padding for items added before the view had a parent."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def pixelMetric(
        self,
        metric: QStyle.PixelMetric,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> int:
        if metric in _INDICATOR_METRICS:
            metrics = (
                option.fontMetrics if option is not None else QFontMetrics(QApplication.font())
            )
            return max(16, round(metrics.height() * 0.9))
        if metric == QStyle.PixelMetric.PM_TabBarTabHSpace:
            # Fusion's 24 px around each tab's text: with the Runs tab, the eight plot tabs
            # needed 611 px where a 1024-wide window leaves 572; 14 px keeps them apart.
            return TAB_SPACE
        return super().pixelMetric(metric, option, widget)

    def sizeFromContents(
        self,
        contents: QStyle.ContentsType,
        option: QStyleOption,
        size: QSize,
        widget: QWidget | None = None,
    ) -> QSize:
        result = super().sizeFromContents(contents, option, size, widget)
        if contents == QStyle.ContentsType.CT_ItemViewItem:
            result.setHeight(result.height() + ROW_PADDING)
        return result

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element in (_PE.PE_IndicatorCheckBox, _PE.PE_IndicatorItemViewItemCheck):
            _draw_indicator(option, painter, round_box=False)
        elif element == _PE.PE_IndicatorRadioButton:
            _draw_indicator(option, painter, round_box=True)
        elif element == _PE.PE_FrameFocusRect and isinstance(widget, QAbstractButton):
            _draw_focus_ring(option, painter)
        else:
            super().drawPrimitive(element, option, painter, widget)
            if element in _FOCUS_RING_ELEMENTS and _keyboard_focus(option):
                _draw_focus_ring(option, painter)

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control in _FOCUS_RING_CONTROLS and _keyboard_focus(option):
            _draw_focus_ring(option, painter)


def _keyboard_focus(option: QStyleOption) -> bool:
    state = option.state
    return bool(state & _STATE.State_HasFocus) and bool(state & _STATE.State_KeyboardFocusChange)


def _draw_focus_ring(option: QStyleOption, painter: QPainter) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(option.rect).adjusted(1, 1, -1, -1), 3, 3)
    painter.restore()


def _draw_indicator(option: QStyleOption, painter: QPainter, round_box: bool) -> None:
    """A check box (or, round, a radio button): outlined when off, accent-filled when on."""
    palette, state = option.palette, option.state
    role = QPalette.ColorRole
    on = bool(state & _STATE.State_On)
    partial = bool(state & _STATE.State_NoChange)
    fill, mark = palette.color(role.Highlight), palette.color(role.HighlightedText)
    border = palette.color(role.PlaceholderText)
    background = palette.color(role.Base)
    if state & _STATE.State_Selected:  # on an accent-coloured row: invert so it stays visible
        fill, mark, border = mark, fill, mark
    if state & _STATE.State_MouseOver and state & _STATE.State_Enabled:
        border = fill
    if state & _STATE.State_Sunken:
        fill, background = fill.darker(120), background.darker(108)
    rect = option.rect
    side = min(rect.width(), rect.height())
    pen_width = max(2, round(side / 9))  # whole pixels keep the outline crisp
    box = QRectF(
        rect.x() + (rect.width() - side) // 2, rect.y() + (rect.height() - side) // 2, side, side
    ).adjusted(pen_width / 2, pen_width / 2, -pen_width / 2, -pen_width / 2)
    radius = box.width() / 2 if round_box else box.width() / 5
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if on or partial:
        painter.setPen(QPen(fill, pen_width))
        painter.setBrush(fill)
    else:
        painter.setPen(QPen(border, pen_width))
        painter.setBrush(background)
    painter.drawRoundedRect(box, radius, radius)
    if on or partial:
        painter.setBrush(mark)
        x, y, w = box.x(), box.y(), box.width()
        if round_box:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(box.center(), w * 0.22, w * 0.22)
        else:
            pen = QPen(mark, max(1.5, side / 8))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            if on:
                painter.drawPolyline(
                    [
                        QPointF(x + w * 0.24, y + w * 0.52),
                        QPointF(x + w * 0.42, y + w * 0.70),
                        QPointF(x + w * 0.76, y + w * 0.32),
                    ]
                )
            else:
                painter.drawLine(QPointF(x + w * 0.28, y + w / 2), QPointF(x + w * 0.72, y + w / 2))
    painter.restore()
