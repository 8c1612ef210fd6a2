"""Icons from resources/icons, recoloured to the current theme's text colours."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from widgets.theme import HIGHLIGHTED_TEXT, current_theme

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
ICON_SIZES = (16, 24, 32, 48, 64)
PLACEHOLDER_COLOR = "#000000"  # the colour the SVG files are drawn in, replaced when loaded
UNRECOLOURED_ICONS = frozenset({"app"})
APP_ICON_SIZES = (*ICON_SIZES, 128, 256)  # the window icon also shows large, in docks and task bars


def resource_path(*parts: str) -> Path:
    """Path of a file in the checkout's resources/ folder."""
    return RESOURCES.joinpath(*parts)


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
