"""Where the confusion matrix's parts go at a size: header, square cells, row and column
labels (turned 45 degrees when cells are narrow), axis titles and legend, and the fonts.

Worked out once per size and font by ConfusionMatrixWidget, which paints from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics

from widgets.painted_view import MARGIN

MIN_CELL_TEXT_POINTS = 6.0  # below this the counts are left to the tooltips
MAX_CELL_TEXT_SCALE = 1.6  # counts may grow this much over the app font in big cells
MAX_LABEL_SCALE = 1.4  # labels and titles grow at most this much, in big cells
LABEL_SCALE_CELL_LINES = 3.0  # labels grow once a cell is taller than this many text lines
ROTATED_LABEL_FRACTION = 0.3  # rotated column labels take at most this much of the height
ROW_LABEL_FRACTION = 0.3  # row labels take at most this much of the width


@dataclass(frozen=True)
class MatrixTexts:
    """The words the layout places, in the widget's language."""

    names: tuple[str, ...]  # class names, in row (and column) order
    title: str  # "" for none
    accuracy: str  # "accuracy 91.3% on 10,000 images"
    hues: tuple[tuple[str, str], ...]  # legend swatches: (colour, "right"), (colour, "wrong")
    explanations: tuple[str, ...]  # of the tint, longest first; the first that fits shows
    largest: int  # the largest count: the cell font must fit its digits


@dataclass(frozen=True)
class MatrixLayout:
    """Where everything goes at the current size."""

    font: QFont  # of labels, titles and legend
    cell: int
    left: int  # of the matrix
    top: int
    header: list[tuple[QRect, str, bool]]  # (rect, elided text, bold)
    row_labels: list[str]  # elided
    row_label_width: int
    column_labels: list[str]  # elided
    rotated: bool  # column labels at 45 degrees
    column_label_height: int
    true_title: QRect  # drawn rotated, reading upwards
    predicted_title: QRect
    legend: QRect
    legend_items: list[tuple[str | None, str]]  # (swatch colour or None, text)
    cell_font: QFont | None  # None: cells too small for counts
    size: QSize  # of the widget this layout is for


def matrix_layout(size: QSize, base: QFont, texts: MatrixTexts) -> MatrixLayout:
    """The layout at `size` in the widget's font `base`; in big cells (a projector, a
    maximised window) the labels grow with them, a little."""
    layout = _compute(size, base, base, texts)
    scale = min(MAX_LABEL_SCALE, layout.cell / (LABEL_SCALE_CELL_LINES * _line(base)))
    if scale > 1.05:
        layout = _compute(size, _scaled(base, scale), base, texts)
    return layout


def _compute(size: QSize, font: QFont, base: QFont, texts: MatrixTexts) -> MatrixLayout:
    """Square cells as large as fit beside the row labels and above the column labels;
    column labels turn 45 degrees when a cell is too narrow for them."""
    metrics = QFontMetrics(font)
    line = metrics.height()
    names = texts.names
    k = max(1, len(names))
    width, height = size.width(), size.height()
    inner = width - 2 * MARGIN

    # Header: the title (bold) and the accuracy, on one line when they fit.
    bold = QFont(font)
    bold.setBold(True)
    bold_metrics = QFontMetrics(bold)
    title, accuracy = texts.title, texts.accuracy
    if not title:
        lines = [(accuracy, True)]
    elif bold_metrics.horizontalAdvance(title + " \u2014 " + accuracy) <= inner:
        lines = [(title + " \u2014 " + accuracy, True)]
    else:
        lines = [(title, True), (accuracy, False)]
    header_width = max(
        (bold_metrics if is_bold else metrics).horizontalAdvance(text) for text, is_bold in lines
    )
    top = MARGIN + len(lines) * line + line // 2

    # Left: the "true class" title (rotated), then the row labels.
    title_width = line + 4
    full_width = max((metrics.horizontalAdvance(name) for name in names), default=0)
    row_label_width = min(full_width, int(width * ROW_LABEL_FRACTION)) + 6 + 4
    row_labels = [
        metrics.elidedText(name, Qt.TextElideMode.ElideRight, row_label_width - 8) for name in names
    ]
    left = MARGIN + title_width + row_label_width

    # Bottom: column labels, then the "predicted class" title and the legend.
    bottom_fixed = 2 * line + line // 3 + MARGIN

    def cell_for(label_height: int) -> int:
        free_height = height - top - label_height - bottom_fixed
        return max(4, min((width - left - MARGIN) // k, free_height // k))

    label_height = line + 4
    cell = cell_for(label_height)
    rotated = full_width > cell - 4
    column_labels = list(names)
    if rotated:
        longest = min(full_width, int(height * ROTATED_LABEL_FRACTION))
        label_height = math.ceil((longest + line) * math.sqrt(0.5)) + 6
        cell = cell_for(label_height)
        column_labels = [
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, longest + 2) for name in names
        ]
    block = k * cell
    left += max(0, width - MARGIN - (left + block)) // 2  # centre the block
    block_left = left - row_label_width - title_width
    below = top + block + label_height
    legend_items = _legend_items(metrics, width - block_left - MARGIN, texts)
    # Header and legend start where the block does, when they fit from there.
    x = block_left if header_width <= width - block_left - MARGIN else MARGIN
    header = [
        (
            QRect(x, MARGIN + i * line, width - x - MARGIN, line),
            (bold_metrics if is_bold else metrics).elidedText(
                text, Qt.TextElideMode.ElideRight, width - x - MARGIN
            ),
            is_bold,
        )
        for i, (text, is_bold) in enumerate(lines)
    ]

    # Counts: as large as the cell allows, up to a little over the app font.
    base_metrics = QFontMetrics(base)
    # Digits are equally wide in UI fonts: the longest count is the widest.
    widest = base_metrics.horizontalAdvance("8" * len(str(texts.largest)))
    scale = min(MAX_CELL_TEXT_SCALE, cell * 0.72 / max(widest, 1), cell * 0.55 / _line(base))
    cell_font: QFont | None = _scaled(base, scale)
    if _points(base) * scale < MIN_CELL_TEXT_POINTS:
        cell_font = None
    return MatrixLayout(
        font=font,
        cell=cell,
        left=left,
        top=top,
        header=header,
        row_labels=row_labels,
        row_label_width=row_label_width,
        column_labels=column_labels,
        rotated=rotated,
        column_label_height=label_height,
        true_title=QRect(block_left, top, title_width, block),
        predicted_title=QRect(left, below, block, line),
        legend=QRect(block_left, below + line + line // 3, width - block_left - MARGIN, line),
        legend_items=legend_items,
        cell_font=cell_font,
        size=QSize(size),
    )


def _legend_items(
    metrics: QFontMetrics, width: int, texts: MatrixTexts
) -> list[tuple[str | None, str]]:
    """ "■ right ■ wrong  stronger colour: ...": the explanation shortened or left out
    where it does not fit."""
    swatch = metrics.height() + 5
    items: list[tuple[str | None, str]] = list(texts.hues)
    used = sum(swatch + metrics.horizontalAdvance(label + "   ") for _, label in items)
    for explanation in texts.explanations:
        if used + metrics.horizontalAdvance(explanation) <= width:
            items.append((None, explanation))
            break
    return items


def _line(font: QFont) -> int:
    return QFontMetrics(font).height()


def _points(font: QFont) -> float:
    """The font's size in points (estimated from pixels for a pixel-sized font)."""
    return font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75


def _scaled(font: QFont, scale: float) -> QFont:
    """A copy of `font`, `scale` times as large (in points, or pixels for a pixel font)."""
    result = QFont(font)
    if font.pointSizeF() > 0:
        result.setPointSizeF(font.pointSizeF() * scale)
    else:
        result.setPixelSize(max(1, round(font.pixelSize() * scale)))
    return result
