"""The colours of LayerLab's two looks, and which one is current: what every widget paints with.

Teachers show the lab on projectors, so every colour pair is chosen for contrast (text on
window at least 7:1, muted text at least 4.5:1). The application applies a look
(app.gui.application.apply_theme); widgets read `current_theme()` when they are made and take a new
look through their one `set_theme(theme)`. A look also carries its sizes: the font scale and
the widths of curves and markers (1 in LIGHT and DARK; widgets.presentation_look scales them
up for a projector). Qt only: no torch, no app.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication

HIGHLIGHTED_TEXT = "#FFFFFF"  # text and icons on the accent colour, in both themes
THEME_PROPERTY = "layerlabDarkTheme"  # on the application: the state lives and dies with it
LOOK_PROPERTY = "layerlabLook"  # the whole Theme applied, beside the dark flag (which tests reset)


@dataclass(frozen=True)
class Theme:
    """The colours of one look, as #RRGGBB strings; class_colors in Okabe-Ito order (views
    index them: 0 blue, 1 orange, 5 vermillion). The sizes default to the everyday look's:
    a view draws a curve of its own width `w` as `line_width(w)` and a marker of size `s` as
    `marker_size(s)`, so one look scales them all."""

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
    extra_class_colors: tuple[str, ...] = ()  # beyond the foreground; () takes the defaults
    font_scale: float = 1.0  # of the normal font size (widgets.style.FONT_POINT_SIZE)
    line_scale: float = 1.0  # curves, outlines and marker lines, times their own width
    min_line_width: float = 0.0  # no curve thinner than this, in pixels
    marker_scale: float = 1.0  # scatter points and epoch symbols, times their own size
    presentation: bool = False  # the projector look (widgets.presentation_look)

    def line_width(self, width: float) -> float:
        """The width, in pixels, of a curve or line a view draws `width` wide in the
        everyday look."""
        return max(width * self.line_scale, self.min_line_width)

    def outline_width(self, width: float) -> float:
        """The width of an outline (a halo around a point, a ring): scaled, never floored,
        so a thin halo does not swallow the point it rings."""
        return width * self.line_scale

    def marker_size(self, size: float) -> float:
        """The size of a point a view draws `size` pixels across in the everyday look."""
        return size * self.marker_scale


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
    extra = theme.extra_class_colors or (
        EXTRA_CLASS_COLORS_DARK if theme.dark else EXTRA_CLASS_COLORS
    )
    colors = [*theme.class_colors, foreground or theme.plot_foreground, *extra]
    return [colors[k % len(colors)] for k in range(max(count, 1))]


def current_theme() -> Theme:
    """The theme last applied to the running application (LIGHT before any)."""
    app = QGuiApplication.instance()
    if app is None:
        return LIGHT
    dark = bool(app.property(THEME_PROPERTY))
    look = app.property(LOOK_PROPERTY)
    # The dark flag wins when the two disagree: whoever set it alone (a test putting the
    # application's look back) meant the everyday look of that flag.
    if isinstance(look, Theme) and look.dark == dark:
        return look
    return DARK if dark else LIGHT


def set_current_theme(app: QGuiApplication, theme: Theme) -> None:
    """Record the look the application now has (widgets.style.apply_look calls this)."""
    app.setProperty(THEME_PROPERTY, theme.dark)
    app.setProperty(LOOK_PROPERTY, theme)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(first: str, second: str, amount: float) -> str:
    """The colour `amount` of the way from `first` to `second` (0 gives first), as #RRGGBB."""
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
