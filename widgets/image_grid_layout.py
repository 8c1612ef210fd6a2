"""Where the image grid's tiles go at a size: the largest image side at which all fit, the
columns, and which images show when not all fit (wrong guesses first).

Worked out once per size and font by ImageGridWidget, which paints from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QFontMetrics

from widgets.painted_view import MARGIN

MIN_SIDE = 56  # smallest drawn image, in pixels: a digit is still readable from the back
MAX_SIDE = 224  # largest: beyond this a few images would fill a projector screen
PAD = 4  # between a tile's frame and its image


@dataclass(frozen=True)
class Tile:
    """What one tile says: caption lines (the second only for wrong guesses), the same
    shorter for narrow tiles, and the tooltip."""

    lines: tuple[str, ...]
    tooltip: str
    wrong: bool
    short_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class GridLayout:
    """Where everything goes at the current size."""

    side: int  # drawn image side in pixels
    columns: int
    shown: int  # tiles that fit
    tile_width: int
    tile_height: int
    gap: int
    left: int
    top: int  # of the first tile row
    summary_rect: QRect
    slots: dict[int, int]  # image index -> place in the grid, for the images that fit
    short: bool  # wrong tiles use their short lines: a long one would not fit
    size: QSize  # of the widget this layout is for

    def tile_rect(self, index: int) -> QRect:
        """Where image `index`'s tile goes; empty when it does not fit."""
        slot = self.slots.get(index)
        if slot is None:
            return QRect()
        row, column = divmod(slot, self.columns)
        return QRect(
            self.left + column * (self.tile_width + self.gap),
            self.top + row * (self.tile_height + self.gap),
            self.tile_width,
            self.tile_height,
        )


def grid_layout(
    size: QSize, metrics: QFontMetrics, tiles: Sequence[Tile], lines: int, source: int
) -> GridLayout:
    """The largest image side at which every tile fits (a whole multiple of the images' own
    side `source` when one is close, so every source pixel gets the same number of screen
    pixels); at the smallest side, as many tiles as fit, wrong predictions first. Captions
    take `lines` text lines under each image."""
    line = metrics.height()
    gap = max(6, line // 2)
    width = max(1, size.width() - 2 * MARGIN)
    top = MARGIN + line + 4 + gap // 2
    height = max(1, size.height() - top - MARGIN)
    n = len(tiles)

    def fit(side: int) -> tuple[int, int, int, int]:
        """(tile width, tile height, columns, rows that fit) for images `side` pixels."""
        tile_width = side + 2 * PAD
        tile_height = PAD + side + PAD // 2 + lines * line + PAD  # captions under the image
        columns = (width + gap) // (tile_width + gap)
        return tile_width, tile_height, columns, (height + gap) // (tile_height + gap)

    side = MIN_SIDE
    for candidate in range(MAX_SIDE, MIN_SIDE - 1, -2):
        _, _, columns, rows = fit(candidate)
        if columns * rows >= n:
            side = candidate
            break
    if source and side >= MIN_SIDE and (side // source) * source >= max(0.85 * side, MIN_SIDE):
        side = (side // source) * source
    tile_width, tile_height, columns, rows = fit(side)
    columns, rows = max(1, columns), max(1, rows)  # too small: still one tile, clipped
    shown = min(n, columns * rows)
    order = list(range(n))
    if shown < n:  # not all fit: never hide a wrong prediction behind right ones
        order.sort(key=lambda k: not tiles[k].wrong)
    used = min(columns, max(n, 1)) * (tile_width + gap) - gap
    left = MARGIN + max(0, (width - used) // 2)  # the grid centred, its summary above it
    summary_rect = QRect(left, MARGIN, width - (left - MARGIN), line + 4)
    slots = {index: slot for slot, index in enumerate(order[:shown])}
    short = any(
        metrics.horizontalAdvance(tile.lines[-1]) > tile_width - 2 for tile in tiles if tile.wrong
    )
    return GridLayout(
        side,
        columns,
        shown,
        tile_width,
        tile_height,
        gap,
        left,
        top,
        summary_rect,
        slots,
        short,
        QSize(size),
    )
