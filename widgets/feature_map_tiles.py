"""The pictures of the feature-map tab: a Conv2d's kernels and a layer's feature maps as uint8
tiles (each set scaled over its own range) in QImages refilled in place, TileSectionsView that
paints titled rows of them, and ImageView that paints the chosen input image large.

Pixels are enlarged nearest-neighbour by whole factors, so a 5x5 kernel reads as 25 squares
and a 4x4 map as 16: the blocks show how coarse each layer's view of the image has become.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from widgets.painted_view import MARGIN, PaintedView

GAP = 6  # pixels between tiles: room for their frames and a clear gap
SMALLEST_TILE = 16  # a filter strip short of room shrinks its tiles to this side, no further


def scaled_bytes(values: np.ndarray, per_item: bool) -> np.ndarray:
    """`values` as 0..255 over their finite range: each item's own (axis 0) or the whole
    set's. NaN shows as the low end, infinities as the ends; no spread shows black."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return np.zeros(v.shape, np.uint8)
    axes = tuple(range(1, v.ndim)) if per_item else None
    finite = np.isfinite(v)
    low = np.where(finite, v, np.inf).min(axis=axes, keepdims=True)
    high = np.where(finite, v, -np.inf).max(axis=axes, keepdims=True)
    nothing = low > high  # no finite value at all
    low, high = np.where(nothing, 0.0, low), np.where(nothing, 0.0, high)
    span = high - low
    v = np.where(np.isnan(v), low, np.clip(v, low, high))
    scaled = (v - low) / np.where(span > 0, span, 1.0) * 255.0
    return np.rint(np.where(span > 0, scaled, 0.0)).astype(np.uint8)


def kernel_pixels(filters: np.ndarray) -> np.ndarray:
    """A Conv2d's (O, I, k, k) weights as O tiles, each over its own range: RGB (O, k, k, 3)
    for three inputs, else grey (O, k, k), the mean over the inputs when there are several."""
    filters = np.asarray(filters)
    if filters.shape[1] == 3:
        return scaled_bytes(filters, per_item=True).transpose(0, 2, 3, 1)
    grey = filters[:, 0] if filters.shape[1] == 1 else filters.mean(axis=1)
    return scaled_bytes(grey, per_item=True)


def map_pixels(maps: np.ndarray) -> np.ndarray:
    """A layer's (C, H, W) feature maps as grey tiles on one scale, so they compare."""
    return scaled_bytes(maps, per_item=False)


class TileImages:
    """QImages with pixels of their own, refilled in place while the tiles keep their shape:
    a run's reports repeat the same shapes, so nothing is allocated after the first."""

    def __init__(self) -> None:
        self._images: tuple[QImage, ...] = ()
        self._shape: tuple[int, ...] = ()

    def fill(self, pixels: np.ndarray) -> tuple[QImage, ...]:
        """The tiles of uint8 `pixels`, (N, h, w) grey or (N, h, w, 3) RGB."""
        n, height, width = pixels.shape[:3]
        depth = 3 if pixels.ndim == 4 else 1
        if pixels.shape != self._shape:
            fmt = QImage.Format.Format_RGB888 if depth == 3 else QImage.Format.Format_Grayscale8
            self._images = tuple(QImage(width, height, fmt) for _ in range(n))
            self._shape = pixels.shape
        for image, tile in zip(self._images, pixels, strict=True):
            # Rows are padded to 4 bytes: write each row's pixels, leave the padding.
            rows = np.frombuffer(image.bits(), np.uint8).reshape(height, image.bytesPerLine())
            rows[:, : width * depth] = tile.reshape(height, width * depth)
        return self._images


@dataclass(frozen=True)
class Section:
    """A titled row of same-sized tiles; `tooltip(k)` says what tile k shows."""

    title: str
    images: tuple[QImage, ...]
    tooltip: Callable[[int], str]


@dataclass(frozen=True)
class SectionsLayout:
    """Where the titles and tiles go at one width."""

    width: int
    height: int  # all that is needed (within the budget, when there is one)
    titles: tuple[QRect, ...]
    tiles: tuple[tuple[QRect, ...], ...]  # per section, the tiles that fit


def target_side(width: int) -> int:
    """The side a tile aims at in a view `width` pixels wide: larger on larger screens."""
    return max(36, min(96, width // 10))


def sections_layout(
    width: int,
    line: int,
    shapes: Sequence[tuple[int, int, int]],
    title_lines: Sequence[int],
    budget: int | None = None,
    largest: int = 96,
) -> SectionsLayout:
    """Titles of `title_lines` lines and tile rows for sections of (count, height, width)
    tiles, each enlarged by the whole factor that brings it nearest target_side (at most
    `largest`). With a height `budget` (one section), tiles shrink until all fit, and at
    SMALLEST_TILE as many rows as fit are shown."""
    inner = max(1, width - 2 * MARGIN)
    section_gap = line // 2 + 4
    target = min(largest, target_side(width))
    titles, tiles = [], []
    y = MARGIN
    for (count, h, w), lines in zip(shapes, title_lines, strict=True):
        title_height = lines * line + 4
        side = max(h, w, 1)
        scale = max(1, round(target / side))
        smallest = max(1, min(scale, math.ceil(SMALLEST_TILE / side)))
        columns, rows = _grid(count, w * scale, inner)
        if budget is not None:
            while scale > smallest and title_height + rows * (h * scale + GAP) - GAP > budget:
                scale -= 1
                columns, rows = _grid(count, w * scale, inner)
            fit = max(1, (budget - title_height + GAP) // (h * scale + GAP))
            rows = min(rows, fit)
        tile_w, tile_h = w * scale, h * scale
        titles.append(QRect(MARGIN, y, inner, title_height))
        y += title_height
        rects = []
        for k in range(min(count, columns * rows)):
            row, column = divmod(k, columns)
            rects.append(
                QRect(MARGIN + column * (tile_w + GAP), y + row * (tile_h + GAP), tile_w, tile_h)
            )
        tiles.append(tuple(rects))
        y += max(rows, 0) * (tile_h + GAP) - GAP + section_gap
    height = (y - section_gap + MARGIN) if shapes else 2 * MARGIN
    return SectionsLayout(width, height, tuple(titles), tuple(tiles))


def _grid(count: int, tile_width: int, width: int) -> tuple[int, int]:
    """(columns, rows) of `count` tiles `tile_width` wide in `width` pixels."""
    columns = max(1, (width + GAP) // (tile_width + GAP))
    return columns, math.ceil(count / columns)


class TileSectionsView(PaintedView):
    """Titled rows of small tiles, as tall as its width needs (height-for-width, so a scroll
    area scrolls it), or within a height budget (set_height_budget) when it must not scroll.
    A title too long for the width breaks at its " · " onto a second line."""

    def __init__(self, largest_tile: int = 96, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sections: tuple[Section, ...] = ()
        self._budget: int | None = None
        self._largest = largest_tile
        self._layout: SectionsLayout | None = None
        self._titles: tuple[tuple[str, ...], ...] = ()  # each title's lines, for _layout
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_sections(self, sections: Sequence[Section]) -> None:
        """Show `sections` (the same QImages may come again, refilled)."""
        before = [(_shape(s), s.title) for s in self._sections]
        self._sections = tuple(sections)
        self._layout = None
        if before != [(_shape(s), s.title) for s in self._sections]:
            self.updateGeometry()
        self.update()

    def set_height_budget(self, budget: int | None) -> None:
        """Never grow taller than `budget` pixels (None: as tall as all tiles need)."""
        if budget != self._budget:
            self._budget = budget
            self._layout = None
            self.updateGeometry()

    # Read-only views of what is shown (for tests and the window)

    def sections(self) -> tuple[Section, ...]:
        """The sections shown, in order."""
        return self._sections

    def shown_count(self, section: int) -> int:
        """How many of the section's tiles fit (all, unless a budget cuts them)."""
        return len(self._current_layout().tiles[section])

    def tile_rect(self, section: int, index: int) -> QRect:
        """Where tile `index` of `section` is drawn; empty when it does not fit."""
        rects = self._current_layout().tiles[section]
        return rects[index] if index < len(rects) else QRect()

    def title(self, section: int) -> str:
        """The section's title as painted, with "showing n of N" when a budget cuts it."""
        return self._title(section, self.shown_count(section))

    def tooltip_at(self, pos: QPoint) -> str:
        for number, rects in enumerate(self._current_layout().tiles):
            for index, rect in enumerate(rects):
                if rect.contains(pos):
                    return self._sections[number].tooltip(index)
        return ""

    # Qt

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._layout_for(width)[0].height

    def sizeHint(self) -> QSize:
        return QSize(400, self.heightForWidth(400))

    def minimumSizeHint(self) -> QSize:
        return QSize(120, 0)

    def paintEvent(self, event: object) -> None:
        painter = self.begin_painting(None)
        if painter is None:
            return
        theme = self.theme()
        layout = self._current_layout()
        bold = self._bold()
        painter.setFont(bold)
        painter.setPen(QColor(theme.text))
        metrics = QFontMetrics(bold)
        for lines, rect in zip(self._titles, layout.titles, strict=True):
            for number, text in enumerate(lines):
                box = QRect(
                    rect.x(), rect.y() + number * metrics.height(), rect.width(), rect.height()
                )
                fitted = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
                painter.drawText(
                    box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, fitted
                )
        painter.setPen(QColor(theme.grid))
        for section, rects in zip(self._sections, layout.tiles, strict=True):
            for image, rect in zip(section.images, rects, strict=False):
                # No smooth transform: each weight or activation stays one crisp square.
                painter.drawImage(rect, image)
                painter.drawRect(rect.adjusted(-1, -1, 0, 0))
        painter.end()

    # Helpers

    def _bold(self) -> QFont:
        bold = QFont(self.font())
        bold.setBold(True)
        return bold

    def _title(self, section: int, shown: int) -> str:
        value = self._sections[section]
        if shown >= len(value.images):
            return value.title
        note = self.tr("showing {0} of {1}")
        return (
            value.title
            + " \u00b7 "
            + note.replace("{0}", str(shown)).replace("{1}", str(len(value.images)))
        )

    def _layout_for(self, width: int) -> tuple[SectionsLayout, tuple[tuple[str, ...], ...]]:
        """The layout at `width` and each title's lines in it."""
        metrics = QFontMetrics(self._bold())
        inner = width - 2 * MARGIN
        shapes = [_shape(s) for s in self._sections]
        shown = [count for count, _, _ in shapes]
        for _ in range(2):  # a budget may cut tiles, and the note it adds may need a line
            titles = tuple(
                _title_lines(self._title(k, shown[k]), metrics, inner) for k in range(len(shapes))
            )
            layout = sections_layout(
                width,
                metrics.height(),
                shapes,
                [len(t) for t in titles],
                self._budget,
                self._largest,
            )
            cut = [len(rects) for rects in layout.tiles]
            if cut == shown:
                break
            shown = cut
        # The titles as painted: with the note of the tiles that fit in the end.
        final = tuple(
            _title_lines(self._title(k, len(rects)), metrics, inner)
            for k, rects in enumerate(layout.tiles)
        )
        return layout, final

    def _current_layout(self) -> SectionsLayout:
        # Also checked against the width: a hidden widget gets its resize event only when shown.
        if self._layout is None or self._layout.width != self.width():
            self._layout, self._titles = self._layout_for(self.width())
        return self._layout


def _title_lines(text: str, metrics: QFontMetrics, width: int) -> tuple[str, ...]:
    """`text` on one line, or broken at its first " · " when it is too wide for one."""
    head, separator, rest = text.partition(" \u00b7 ")
    if not separator or metrics.horizontalAdvance(text) <= width:
        return (text,)
    return head, rest


def _shape(section: Section) -> tuple[int, int, int]:
    first = section.images[0] if section.images else None
    return (len(section.images), first.height(), first.width()) if first else (0, 1, 1)


class ImageView(PaintedView):
    """One image as large as fits, enlarged by a whole factor (nearest-neighbour), with caption
    lines under it: the first bold, the others muted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._lines: tuple[str, ...] = ()
        self._tooltip = ""
        self.setMinimumSize(120, 120)

    def set_image(self, pixmap: QPixmap, lines: Sequence[str], tooltip: str) -> None:
        """Show `pixmap` captioned with `lines`."""
        self._pixmap, self._lines, self._tooltip = pixmap, tuple(lines), tooltip
        self.update()

    def caption(self) -> tuple[str, ...]:
        """The caption lines under the image."""
        return self._lines

    def image_rect(self) -> QRect:
        """Where the image is drawn; empty when there is none."""
        if self._pixmap is None or self._pixmap.isNull():
            return QRect()
        line = self.fontMetrics().height()
        room_w = self.width() - 2 * MARGIN
        room_h = self.height() - 2 * MARGIN - len(self._lines) * line - GAP
        w, h = self._pixmap.width(), self._pixmap.height()
        scale = min(room_w / w, room_h / h)
        if scale >= 1:
            scale = math.floor(scale)  # whole factors: every source pixel the same size
        width, height = max(1, int(w * scale)), max(1, int(h * scale))
        return QRect(MARGIN + (room_w - width) // 2, MARGIN, width, height)

    def tooltip_at(self, pos: QPoint) -> str:
        return self._tooltip if self.image_rect().contains(pos) else ""

    def sizeHint(self) -> QSize:
        return QSize(300, 340)

    def paintEvent(self, event: object) -> None:
        painter = self.begin_painting(None)
        if painter is None:
            return
        theme = self.theme()
        rect = self.image_rect()
        if not rect.isEmpty():
            assert self._pixmap is not None
            small = rect.width() < self._pixmap.width()
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, small)
            painter.drawPixmap(rect, self._pixmap)
            painter.setPen(QColor(theme.grid))
            painter.drawRect(rect.adjusted(-1, -1, 0, 0))
        line = self.fontMetrics().height()
        y = (rect.bottom() + 1 if not rect.isEmpty() else MARGIN) + GAP
        bold = QFont(self.font())
        bold.setBold(True)
        for number, text in enumerate(self._lines):
            font = bold if number == 0 else self.font()
            painter.setFont(font)
            painter.setPen(QColor(theme.text if number == 0 else theme.muted_text))
            box = QRect(MARGIN, y + number * line, self.width() - 2 * MARGIN, line)
            fitted = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, box.width())
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, fitted)
        painter.end()
