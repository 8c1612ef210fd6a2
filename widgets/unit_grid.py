"""UnitGrid: one hidden layer's units as small heatmaps over the input plane, to pick from.

Each thumbnail is a unit's output on a diverging scale centred on 0 (blue negative, orange
positive: apart for every common colour blindness), all scaled by the layer's largest |value|
so that units compare. Painted with QPainter: a report becomes one image per unit, and a
repaint only scales them, so live updates create no widgets or items. Click a thumbnail, or
move with the arrow keys, Home and End, to select it; the owner shows the selected unit large.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QLocale, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from widgets.painted_view import MARGIN, PaintedView
from widgets.theme import Theme, mix

GAP = 8  # between thumbnails
MAX_SIDE = 150  # a few units would otherwise grow into copies of the large view
MIN_SIDE = 12
SELECTED_FRAME = 3  # pen width of the selected thumbnail's frame
LUT_SIZE = 256


def diverging_lut(theme: Theme) -> np.ndarray:
    """(256, 3) uint8 colours from -1 (blue) through 0 (the plot background: nothing to see)
    to +1 (orange); entry 127.5 is 0. The Okabe-Ito blue and orange of the theme's classes,
    the orange deepened on white, where plain orange looks paler than the blue."""
    negative = QColor(theme.class_colors[0]).getRgb()[:3]
    positive_name = mix(theme.class_colors[1], theme.class_colors[5], 0.0 if theme.dark else 0.3)
    positive = QColor(positive_name).getRgb()[:3]
    middle = QColor(theme.plot_background).getRgb()[:3]
    t = np.linspace(-1.0, 1.0, LUT_SIZE)[:, None]
    low, mid, high = (np.array(c, dtype=np.float64) for c in (negative, middle, positive))
    rgb = np.where(t < 0, mid + (low - mid) * -t, mid + (high - mid) * t)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def to_images(maps: np.ndarray, scale: float, lut: np.ndarray) -> list[QImage]:
    """One image per map of (U, H, W), coloured from -scale (the table's first entry) to
    +scale (its last), NaN as 0; row 0 of a map (the lowest input 2) at the bottom, as on
    the plot's axes."""
    # One table lookup per pixel into 0xFFRRGGBB words, in float32 and in place: 64 maps of
    # 48x48 take 1 ms (3 ms per report with an RGB lookup and its temporaries).
    words = lut.astype(np.uint32)
    table = 0xFF000000 | words[:, 0] << 16 | words[:, 1] << 8 | words[:, 2]
    v = np.asarray(maps, dtype=np.float32)[:, ::-1] * np.float32((LUT_SIZE - 1) / 2 / scale)
    v += np.float32(LUT_SIZE / 2)  # truncated below: rounds -scale..scale to 0..255
    np.nan_to_num(v, copy=False, nan=LUT_SIZE / 2, posinf=LUT_SIZE - 1, neginf=0)
    np.clip(v, 0, LUT_SIZE - 1, out=v)
    pixels = table[v.astype(np.uint8)]
    _, height, width = pixels.shape
    # QImage only borrows the buffer: copy() gives each image pixels of its own.
    return [
        QImage(plane.tobytes(), width, height, 4 * width, QImage.Format.Format_RGB32).copy()
        for plane in pixels
    ]


@dataclass(frozen=True)
class GridLayout:
    """Where the summary line and each thumbnail go at one size."""

    size: QSize
    summary: QRect
    columns: int
    width: int  # of a thumbnail's image
    height: int
    label_height: int
    label_style: str  # "unit" ("unit 3"), "number" ("3") or "" (no labels: too small)
    left: int
    top: int

    def image_rect(self, index: int) -> QRect:
        row, column = divmod(index, self.columns)
        x = self.left + column * (self.width + GAP)
        y = self.top + row * (self.height + self.label_height + GAP)
        return QRect(x, y, self.width, self.height)


def _unit_text(index: object) -> str:
    """A thumbnail's long label, "unit 3", in the user's language."""
    return QCoreApplication.translate("UnitGrid", "unit {0}").replace("{0}", str(index))


def grid_layout(size: QSize, metrics: QFontMetrics, count: int, aspect: float) -> GridLayout:
    """The columns that give the largest thumbnails of `count` units in `size`, each
    `aspect` times as wide as high (the input plane's shape), with labels "unit 3", else
    "3" where those do not fit under a thumbnail, else none."""
    line = metrics.height()
    summary = QRect(MARGIN, MARGIN // 2, max(size.width() - 2 * MARGIN, 0), line + 4)
    area = QSize(size.width() - 2 * MARGIN, size.height() - summary.bottom() - MARGIN)
    last = str(max(count - 1, 0))
    labels = (
        ("unit", line + 2, metrics.horizontalAdvance(_unit_text(last)) + 4),
        ("number", line + 2, metrics.horizontalAdvance(last) + 4),
        ("", 0, 0),
    )
    for option in labels:  # the first that fits
        style, label_height, needed = option
        width, columns = _widest(area, count, label_height, aspect)
        if width >= needed:
            break
    # Neither too large (a few units would be copies of the large view) nor too small.
    width = max(min(width, round(MAX_SIDE * min(aspect, 1.0))), MIN_SIDE)
    height = max(round(width / aspect), MIN_SIDE)
    used = columns * width + (columns - 1) * GAP
    left = MARGIN + max((area.width() - used) // 2, 0)
    top = summary.bottom() + GAP
    return GridLayout(size, summary, columns, width, height, label_height, style, left, top)


def _widest(area: QSize, count: int, label_height: int, aspect: float) -> tuple[int, int]:
    """The widest thumbnail, and its column count, that fits `count` of them in `area`."""
    best = (0, 1)
    for columns in range(1, max(count, 1) + 1):
        rows = math.ceil(count / columns)
        by_width = (area.width() - (columns - 1) * GAP) // columns
        by_height = (area.height() - (rows - 1) * GAP - rows * label_height) // max(rows, 1)
        width = int(min(by_width, by_height * aspect))
        if width > best[0]:
            best = (width, columns)
    return best


class UnitGrid(PaintedView):
    """Thumbnails of a layer's units with a summary line above; the selected one framed."""

    unitSelected = Signal(int)  # the user clicked a thumbnail or moved with the keys

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._maps: np.ndarray | None = None  # the latest report's, kept to recolour them
        self._scale = 1.0
        self._aspect = 1.0
        self._images: list[QImage] = []
        self._ranges: list[tuple[float, float]] = []
        self._summary = ""
        self._detail = ""
        self._selected = 0
        self._message = ""
        self._layout: GridLayout | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(180, 160)

    # Public API

    def show_maps(
        self, maps: np.ndarray, scale: float, summary: str, detail: str = "", aspect: float = 1.0
    ) -> None:
        """Show each map of (U, H, W) coloured on one scale, -scale to +scale, as thumbnails
        `aspect` times as wide as high, under the `summary` line, followed by `detail` where
        it fits; the selection stays where it was when that unit is still shown."""
        maps = np.asarray(maps)
        aspect = min(max(aspect, 0.25), 4.0) if math.isfinite(aspect) else 1.0
        if len(maps) != len(self._images) or aspect != self._aspect:
            self._layout = None
            self._aspect = aspect
        self._maps, self._scale = (maps, scale) if len(maps) else (None, 1.0)
        self._images = to_images(maps, scale, diverging_lut(self.theme())) if len(maps) else []
        flat = maps.reshape(len(maps), -1)
        finite = np.where(np.isfinite(flat), flat, np.nan)
        with np.errstate(all="ignore"):
            low, high = (
                np.nanmin(finite, axis=1, initial=np.inf),
                np.nanmax(finite, axis=1, initial=-np.inf),
            )
        self._ranges = list(zip(low.tolist(), high.tolist(), strict=True))
        self._summary = summary
        self._detail = detail
        self._selected = min(self._selected, max(len(maps) - 1, 0))
        self.update()

    def clear(self, message: str = "") -> None:
        """Show no thumbnails, only `message` in the middle."""
        self._maps = None
        self._images = []
        self._ranges = []
        self._summary = ""
        self._message = message
        self._layout = None
        self.update()

    def count(self) -> int:
        """How many thumbnails are shown."""
        return len(self._images)

    def selected(self) -> int:
        """The selected unit (0 until the user picks another)."""
        return self._selected

    def select(self, index: int) -> None:
        """Select unit `index` (kept within the units shown) without emitting unitSelected."""
        self._selected = max(0, min(index, self.count() - 1)) if self._images else max(index, 0)
        self.update()

    def summary(self) -> str:
        """The line above the thumbnails ("Showing 64 of 128 units ..."); empty when none."""
        return self._summary if self._images else ""

    def label(self, index: int) -> str:
        """Thumbnail `index`'s label at the current size ("unit 3", "3", or "" when small)."""
        style = self._current_layout().label_style
        if style == "unit":
            return _unit_text(index)
        return str(index) if style == "number" else ""

    def tile_rect(self, index: int) -> QRect:
        """Where thumbnail `index`'s image is drawn."""
        return self._current_layout().image_rect(index)

    def columns(self) -> int:
        """Thumbnails per row at the current size."""
        return self._current_layout().columns

    def tooltip_at(self, pos: QPoint) -> str:
        index = self._index_at(pos)
        if index is None:
            return ""
        low, high = self._ranges[index]
        locale = QLocale()
        if not math.isfinite(low):
            return self.tr("unit {0}: no finite outputs").replace("{0}", str(index))
        return (
            self.tr("unit {0}: outputs from {1} to {2}. Click to see it large.")
            .replace("{0}", str(index))
            .replace("{1}", locale.toString(low, "g", 3))
            .replace("{2}", locale.toString(high, "g", 3))
        )

    # Qt

    def sizeHint(self) -> QSize:
        return QSize(420, 360)

    def set_theme(self, theme: Theme) -> None:
        """Paint with `theme`, the thumbnails recoloured in its diverging colours."""
        super().set_theme(theme)
        if self._maps is not None:
            self._images = to_images(self._maps, self._scale, diverging_lut(theme))

    def paintEvent(self, event: object) -> None:
        painter = self.begin_painting(None if self._images else self._message)
        if painter is None:
            return
        theme = self.theme()
        layout = self._current_layout()
        metrics = self.fontMetrics()
        painter.setPen(QColor(theme.text))
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        box = layout.summary
        summary = metrics.elidedText(self._summary, Qt.TextElideMode.ElideRight, box.width())
        painter.drawText(box, left, summary)
        detail = ", " + self._detail if self._detail else ""
        if metrics.horizontalAdvance(summary + detail) <= box.width():  # else left out
            painter.setPen(QColor(theme.muted_text))
            painter.drawText(
                box.adjusted(metrics.horizontalAdvance(summary), 0, 0, 0), left, detail
            )
        # Smooth scaling: a 48x48 map reads as the smooth function it samples.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        border = QColor(theme.grid)
        for index, image in enumerate(self._images):
            rect = layout.image_rect(index)
            painter.drawImage(rect, image)
            painter.setPen(border)
            painter.drawRect(rect.adjusted(-1, -1, 0, 0))
        painter.setPen(QColor(theme.muted_text))
        for index in range(len(self._images)):
            rect = layout.image_rect(index)
            if layout.label_style:
                static = self._static_text(self.label(index))
                x = rect.x() + (rect.width() - static.size().width()) / 2
                painter.drawStaticText(QPointF(x, rect.bottom() + 2), static)
        if self._images:
            rect = layout.image_rect(self._selected)
            half = SELECTED_FRAME // 2 + 1
            painter.setPen(QPen(QColor(theme.accent), SELECTED_FRAME))
            painter.drawRect(rect.adjusted(-half - 1, -half - 1, half, half))
            if self.hasFocus():  # where the keys act: a dotted ring around the framed one
                ring = QPen(QColor(theme.text), 1, Qt.PenStyle.DotLine)
                painter.setPen(ring)
                outer = half + SELECTED_FRAME
                painter.drawRect(rect.adjusted(-outer - 1, -outer - 1, outer, outer))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self._index_at(event.position().toPoint())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self._choose(index)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._images:
            super().keyPressEvent(event)
            return
        columns, last = self.columns(), self.count() - 1
        moves = {
            Qt.Key.Key_Left: self._selected - 1,
            Qt.Key.Key_Right: self._selected + 1,
            Qt.Key.Key_Up: self._selected - columns,
            Qt.Key.Key_Down: self._selected + columns,
            Qt.Key.Key_Home: 0,
            Qt.Key.Key_End: last,
            # Enter and Space show the framed unit again (it already is): no surprise.
            Qt.Key.Key_Return: self._selected,
            Qt.Key.Key_Enter: self._selected,
            Qt.Key.Key_Space: self._selected,
        }
        target = moves.get(Qt.Key(event.key()))
        if target is None:
            super().keyPressEvent(event)
            return
        if 0 <= target <= last:
            self._choose(target)
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    # Helpers

    def _static_text(self, text: str) -> QStaticText:
        """`text` laid out once and reused: the labels are the same at every report
        (drawText laid 64 of them out again each time, 1.7 ms)."""
        static = self._text_cache.get(text)
        if static is None:
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), self.font())
            self._text_cache[text] = static  # 128 at most: "unit 0" to "63", "0" to "63"
        return static

    def _choose(self, index: int) -> None:
        self._selected = index
        self.update()
        self.unitSelected.emit(index)

    def _index_at(self, pos: QPoint) -> int | None:
        for index in range(len(self._images)):
            if self.tile_rect(index).adjusted(-2, -2, 2, 2).contains(pos):
                return index
        return None

    def _current_layout(self) -> GridLayout:
        # Also checked against the size: a hidden widget gets its resize event only when shown.
        if self._layout is None or self._layout.size != self.size():
            count = len(self._images)
            self._layout = grid_layout(self.size(), self.fontMetrics(), count, self._aspect)
        return self._layout
