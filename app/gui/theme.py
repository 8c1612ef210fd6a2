"""Light and dark looks of the lab: palette, font, style sheet, plot colours and recoloured icons.

Teachers show the lab on projectors, so the text is large and every colour pair is chosen for
contrast (text on window at least 7:1, muted text at least 4.5:1). Qt only: no torch here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from PySide6.QtCore import QByteArray, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QGuiApplication,
    QIcon,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QWidget,
)

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
ICON_SIZES = (16, 24, 32, 48, 64)
FONT_POINT_SIZE = 11.0
PLACEHOLDER_COLOR = "#000000"
HIGHLIGHTED_TEXT = "#FFFFFF"  # text and icons on the accent colour, in both themes
UNRECOLOURED_ICONS = frozenset({"app"})
APP_ICON_SIZES = (*ICON_SIZES, 128, 256)  # the window icon also shows large, in docks and task bars
ROW_PADDING = 10  # extra pixels per item-view row, so lists read well from the back of a room
_THEME_PROPERTY = "layerlabDarkTheme"


@dataclass(frozen=True)
class Theme:
    """The colours of one look, as #RRGGBB strings; class_colors in Okabe-Ito order."""

    dark: bool
    window: str
    panel: str
    text: str
    muted_text: str
    accent: str
    error: str
    warning: str
    ok: str
    plot_background: str
    plot_foreground: str
    grid: str
    class_colors: tuple[str, ...]


LIGHT = Theme(
    dark=False,
    window="#F3F4F6",
    panel="#FFFFFF",
    text="#1B1F24",
    muted_text="#596170",
    accent="#2563EB",
    error="#C62828",
    warning="#B45309",
    ok="#15803D",
    plot_background="#FFFFFF",
    plot_foreground="#2A2F37",
    grid="#DADDE2",
    class_colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"),
)

# Okabe-Ito hues, the darker ones lifted so each stands out on the dark plot background.
DARK = Theme(
    dark=True,
    window="#1D2025",
    panel="#262A31",
    text="#E6E8EB",
    muted_text="#A0A8B4",
    accent="#2F6FE4",
    error="#F26B6B",
    warning="#F0A53C",
    ok="#4ACB7A",
    plot_background="#16181C",
    plot_foreground="#C9CED6",
    grid="#3A3F47",
    class_colors=("#3A96DD", "#E69F00", "#1FB48A", "#D98CB9", "#8FD0F5", "#F06A35", "#F0E442"),
)

# Beyond the seven Okabe-Ito colours and the foreground (up to ten classes): grey and wine,
# the wine lifted on the dark background.
EXTRA_CLASS_COLORS = ("#999999", "#882255")
EXTRA_CLASS_COLORS_DARK = ("#999999", "#C0508A")


def class_colors(theme: Theme, count: int, foreground: str | None = None) -> list[str]:
    """One colour per class: the theme's, then the foreground and extras, then repeating."""
    extra = EXTRA_CLASS_COLORS_DARK if theme.dark else EXTRA_CLASS_COLORS
    colors = [*theme.class_colors, foreground or theme.plot_foreground, *extra]
    return [colors[k % len(colors)] for k in range(max(count, 1))]


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
QStatusBar { border-top: 1px solid $border; }
QStatusBar::item { border: none; }
QToolTip {
    color: $text;
    background: $panel;
    border: 1px solid $border;
    padding: 4px 6px;
}
""")


def resource_path(*parts: str) -> Path:
    """Path of a file in the checkout's resources/ folder."""
    return RESOURCES.joinpath(*parts)


def system_prefers_dark(app: QGuiApplication) -> bool:
    """Whether the desktop asks for a dark look (Qt 6.5+; unknown counts as light)."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def current_theme() -> Theme:
    """The theme last applied to the running application (LIGHT before any)."""
    app = QGuiApplication.instance()
    dark = app.property(_THEME_PROPERTY) if app is not None else None
    return DARK if dark else LIGHT


def apply_theme(app: QApplication, dark: bool | None = None) -> Theme:
    """Give the whole application the light or dark look (the desktop's choice when None)."""
    theme = DARK if (system_prefers_dark(app) if dark is None else dark) else LIGHT
    app.setStyle(LabStyle())
    app.setPalette(build_palette(theme))
    font = app.font()
    font.setPointSizeF(FONT_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(style_sheet(theme))
    pg.setConfigOptions(
        antialias=True, background=theme.plot_background, foreground=theme.plot_foreground
    )
    # Stored on the application, not in a module global, so the state lives and dies with it.
    app.setProperty(_THEME_PROPERTY, theme.dark)
    return theme


def build_palette(theme: Theme) -> QPalette:
    """A QPalette for the Fusion style with every role, disabled ones included, from the theme."""
    text, window, panel = theme.text, theme.window, theme.panel
    button = _mix(panel, text, 0.07) if theme.dark else panel
    disabled_text = _mix(text, window, 0.6)
    link = _mix(theme.accent, "#FFFFFF", 0.35) if theme.dark else theme.accent  # readable on dark
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: panel,
        QPalette.ColorRole.AlternateBase: _mix(panel, window, 0.5),
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
        QPalette.ColorRole.Light: _mix(button, "#FFFFFF", 0.15 if theme.dark else 1.0),
        QPalette.ColorRole.Midlight: _mix(button, window, 0.5),
        QPalette.ColorRole.Mid: _mix(window, text, 0.25),
        QPalette.ColorRole.Dark: _mix(window, "#000000" if theme.dark else text, 0.4),
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
        QPalette.ColorRole.Button: _mix(button, window, 0.5),
        QPalette.ColorRole.Highlight: _mix(theme.accent, window, 0.55),
        QPalette.ColorRole.HighlightedText: _mix(HIGHLIGHTED_TEXT, window, 0.3),
        QPalette.ColorRole.Link: disabled_text,
    }
    for role, color in disabled.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    return palette


def style_sheet(theme: Theme) -> str:
    """The application style sheet: rounded group boxes, tool buttons, tooltips, status bar."""
    return _STYLE_SHEET.substitute(
        text=theme.text,
        panel=theme.panel,
        accent=theme.accent,
        border=_mix(theme.window, theme.text, 0.22),
        hover=_mix(theme.window, theme.text, 0.08),
        pressed=_mix(theme.window, theme.accent, 0.25),
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


def icon(name: str, color: str | None = None) -> QIcon:
    """resources/icons/<name>.svg drawn in `color` (the theme's text colour by default).

    Disabled buttons show it in the muted colour; selected rows, in the highlighted-text colour.
    The "app" logo keeps its own colours.
    """
    theme = current_theme()
    if name in UNRECOLOURED_ICONS:
        return _cached_icon(name, None, None, None)
    if color is None:
        return _cached_icon(name, theme.text, theme.muted_text, HIGHLIGHTED_TEXT)
    return _cached_icon(name, QColor(color).name(), theme.muted_text, None)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


_ICON_CACHE: dict[tuple[str, str | None, str | None, str | None], QIcon] = {}


def _cached_icon(
    name: str, color: str | None, disabled_color: str | None, selected_color: str | None
) -> QIcon:
    key = (name, color, disabled_color, selected_color)
    cached = _ICON_CACHE.get(key)
    if cached is not None:
        return cached
    source = resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")
    modes = [(QIcon.Mode.Normal, color)]
    if disabled_color is not None:
        modes.append((QIcon.Mode.Disabled, disabled_color))
    if selected_color is not None:
        modes.append((QIcon.Mode.Selected, selected_color))
    result = QIcon()
    for mode, mode_color in modes:
        svg = source if mode_color is None else source.replace(PLACEHOLDER_COLOR, mode_color)
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        if not renderer.isValid():
            raise ValueError(f"icon {name!r} is not a valid SVG")
        for size in APP_ICON_SIZES if name in UNRECOLOURED_ICONS else ICON_SIZES:
            result.addPixmap(_render(renderer, size), mode)
    _ICON_CACHE[key] = result
    return result


def _render(renderer: QSvgRenderer, size: int) -> QPixmap:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return QPixmap.fromImage(image)


def _mix(first: str, second: str, amount: float) -> str:
    """The colour `amount` of the way from `first` to `second` (0 gives first)."""
    a, b = QColor(first), QColor(second)
    channels = (
        round(x + (y - x) * amount)
        for x, y in ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue()))
    )
    return QColor(*channels).name().upper()


def _luminance(color: str) -> float:
    qcolor = QColor(color)

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(qcolor.red())
        + 0.7152 * linear(qcolor.green())
        + 0.0722 * linear(qcolor.blue())
    )
