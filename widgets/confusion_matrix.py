"""ConfusionMatrixWidget: which classes the model mixes up, as a K x K table of counts.

Rows are the true class, columns the predicted one. Each cell is tinted by its share of the row
(the true class), so a rare class's mistakes show as clearly as a common one's: blue on the
diagonal (right), vermillion off it (wrong), two hues that stay apart for colour-blind eyes,
and the diagonal also gets an outline. A square-root scale keeps small but real confusions
visible. Painted with QPainter: crisp at any size, and a repaint is a few hundred rectangles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLocale, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from app.datasets.vision import VISION_DATASETS
from widgets.painted_view import MARGIN, PaintedView
from widgets.theme import Theme

MIN_CELL_TEXT_POINTS = 6.0  # below this the counts are left to the tooltips
MAX_CELL_TEXT_SCALE = 1.6  # counts may grow this much over the app font in big cells
MAX_LABEL_SCALE = 1.4  # labels and titles grow at most this much, in big cells
LABEL_SCALE_CELL_LINES = 3.0  # labels grow once a cell is taller than this many text lines
ROTATED_LABEL_FRACTION = 0.3  # rotated column labels take at most this much of the height
ROW_LABEL_FRACTION = 0.3  # row labels take at most this much of the width
TINT_FLOOR = 0.12  # a non-zero cell is always at least this tinted, so no mistake hides
DARK_TEXT = "#111418"
LIGHT_TEXT = "#FFFFFF"
TEXT_CACHE_SIZE = 2000  # laid-out counts kept


def row_fractions(counts: np.ndarray) -> np.ndarray:
    """Each count as a fraction of its row's total (0 for rows with no images)."""
    counts = np.asarray(counts, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 0.0)


def right_hue(theme: Theme) -> str:
    return theme.class_colors[0]  # Okabe-Ito blue


def wrong_hue(theme: Theme) -> str:
    return theme.class_colors[5]  # Okabe-Ito vermillion: apart from blue for colour-blind eyes


def _rgb(color: str) -> np.ndarray:
    c = QColor(color)
    return np.array([c.red(), c.green(), c.blue()], dtype=np.float64)


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of colours (..., 3) with channels 0-255."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def _count(n: int) -> str:
    locale = QLocale()
    locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    return locale.toString(n)


def _percent(fraction: float) -> str:
    return QLocale().toString(100.0 * fraction, "f", 1) + "%"


@dataclass(frozen=True)
class _Layout:
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


class ConfusionMatrixWidget(PaintedView):
    """Counts of (true class, predicted class) pairs as a tinted table; a hint when empty.
    Read-only: it emits nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts = np.zeros((0, 0), dtype=np.int64)
        self._fractions = np.zeros((0, 0))
        self._names: list[str] = []
        self._title = ""
        self._message = self.tr("No predictions to count yet.")
        self._layout: _Layout | None = None
        self._color_cache: tuple[Theme, list[list[QColor]], list[list[QColor]]] | None = None
        self._text_cache: dict[tuple[int, float], QStaticText] = {}
        self.setMinimumSize(240, 240)

    # Public API

    def set_matrix(self, counts: np.ndarray, class_names: Sequence[str], title: str = "") -> None:
        """Show `counts` (K, K): row = true class, column = predicted class."""
        counts = np.asarray(counts)
        if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
            raise ValueError(f"counts must be a square (K, K) array, not {counts.shape}")
        k = counts.shape[0]
        self._counts = np.rint(counts).astype(np.int64)
        self._fractions = row_fractions(self._counts)
        self._names = [str(class_names[i]) if i < len(class_names) else str(i) for i in range(k)]
        self._title = title
        self._changed()

    def clear(self, message: str = "") -> None:
        """Show no matrix, only `message` (a default hint when empty) in the middle."""
        self._counts = np.zeros((0, 0), dtype=np.int64)
        self._fractions = np.zeros((0, 0))
        self._names = []
        self._title = ""
        self._message = message or self.tr("No predictions to count yet.")
        self._changed()

    # Read-only views of what is shown (for tests and the window)

    def counts(self) -> np.ndarray:
        """A copy of the counts shown, (K, K); (0, 0) when empty."""
        return self._counts.copy()

    def message(self) -> str:
        """The hint shown instead of a matrix; empty while a matrix is shown."""
        return "" if self._names else self._message

    def title(self) -> str:
        return self._title

    def accuracy_text(self) -> str:
        """E.g. "accuracy 91.3% on 10,000 images"; empty when no matrix is shown."""
        if not self._names:
            return ""
        total = int(self._counts.sum())
        if total == 0:
            return self.tr("no images counted")
        right = int(np.trace(self._counts))
        return (
            self.tr("accuracy {0} on {1} images")
            .replace("{0}", _percent(right / total))
            .replace("{1}", _count(total))
        )

    def shows_counts(self) -> bool:
        """Whether the cells are large enough for their counts (else only tooltips have them)."""
        return bool(self._names) and self._current_layout().cell_font is not None

    def cell_rect(self, row: int, column: int) -> QRect:
        """Where cell (true class `row`, predicted class `column`) is drawn."""
        layout = self._current_layout()
        return QRect(
            layout.left + column * layout.cell,
            layout.top + row * layout.cell,
            layout.cell,
            layout.cell,
        )

    def cell_text(self, row: int, column: int) -> str:
        """The tooltip of a cell: "true Shirt, predicted Coat: 12 images (1.2% of Shirt)"."""
        true, predicted = self._names[row], self._names[column]
        n = int(self._counts[row, column])
        text = (
            self.tr("true {0}, predicted {1}: {2} images ({3} of {0})")
            if n != 1
            else self.tr("true {0}, predicted {1}: {2} image ({3} of {0})")
        )
        return (
            text.replace("{0}", true)
            .replace("{1}", predicted)
            .replace("{2}", _count(n))
            .replace("{3}", _percent(float(self._fractions[row, column])))
        )

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip under `pos` (widget coordinates): a cell's counts, or a class's full
        name over its label; empty elsewhere."""
        k = len(self._names)
        if k == 0:
            return ""
        layout = self._current_layout()
        x, y = pos.x() - layout.left, pos.y() - layout.top
        size = k * layout.cell
        if 0 <= x < size and 0 <= y < size:
            return self.cell_text(y // layout.cell, x // layout.cell)
        if 0 <= y < size and -layout.row_label_width <= x < 0:
            return self.tr("true class: {0}").replace("{0}", self._names[y // layout.cell])
        if 0 <= x < size and size <= y < size + layout.column_label_height:
            return self.tr("predicted class: {0}").replace("{0}", self._names[x // layout.cell])
        return ""

    # Qt

    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    def paintEvent(self, event: object) -> None:
        theme = self.theme()
        painter = self.begin_painting(self._message if not self._names else None)
        if painter is None:
            return
        layout = self._current_layout()
        k, cell = len(self._names), layout.cell
        text, muted = QColor(theme.text), QColor(theme.muted_text)
        font, bold = layout.font, QFont(layout.font)
        bold.setBold(True)
        metrics = QFontMetrics(font)
        painter.setPen(text)
        for rect, line, is_bold in layout.header:
            painter.setFont(bold if is_bold else font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)

        # Cells, then the grid lines over them, then the diagonal's outline on top.
        fills, pens = self._cell_colors(theme)
        cells = [
            [QRect(layout.left + c * cell, layout.top + r * cell, cell, cell) for c in range(k)]
            for r in range(k)
        ]
        for row in range(k):
            for column in range(k):
                painter.fillRect(cells[row][column], fills[row][column])
        if layout.cell_font is not None:
            painter.setFont(layout.cell_font)
            key = layout.cell_font.pointSizeF()
            for row in range(k):
                for column in range(k):
                    static = self._count_text(int(self._counts[row, column]), layout.cell_font, key)
                    rect = cells[row][column]
                    size = static.size()
                    painter.setPen(pens[row][column])
                    painter.drawStaticText(
                        QPointF(
                            rect.x() + (rect.width() - size.width()) / 2,
                            rect.y() + (rect.height() - size.height()) / 2,
                        ),
                        static,
                    )
        size = k * cell
        painter.setPen(QPen(QColor(theme.grid), 1))
        x0, y0 = layout.left, layout.top
        for i in range(k + 1):
            painter.drawLine(x0 + i * cell, y0, x0 + i * cell, y0 + size)
            painter.drawLine(x0, y0 + i * cell, x0 + size, y0 + i * cell)
        outline = max(2, cell // 14)
        painter.setPen(QPen(text, outline))
        half = outline / 2
        for i in range(k):
            painter.drawRect(QRectF(cells[i][i]).adjusted(half, half, -half, -half))

        # Class names: rows right-aligned left of the matrix, columns under it.
        painter.setFont(font)
        painter.setPen(text)
        line = metrics.height()
        for row, label in enumerate(layout.row_labels):
            painter.drawText(
                QRect(
                    x0 - layout.row_label_width, y0 + row * cell, layout.row_label_width - 6, cell
                ),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        below = y0 + size + 2
        for column, label in enumerate(layout.column_labels):
            if not layout.rotated:
                painter.drawText(
                    QRect(x0 + column * cell, below, cell, line),
                    Qt.AlignmentFlag.AlignCenter,
                    label,
                )
                continue
            painter.save()
            # Rotated 45 degrees, the text runs down to the left and its middle line ends
            # under the column's centre, (0.35, 0.35) line heights from its top corner.
            centre = x0 + column * cell + cell / 2
            painter.translate(QPointF(centre - 0.35 * line, below + 2))
            painter.rotate(-45)
            width = metrics.horizontalAdvance(label)
            painter.drawText(
                QRectF(-width - 2, 0, width + 2, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                label,
            )
            painter.restore()

        # Axis titles (the true one reading upwards) and the legend.
        painter.setPen(muted)
        painter.drawText(
            layout.predicted_title, Qt.AlignmentFlag.AlignCenter, self.tr("predicted class")
        )
        painter.save()
        title = layout.true_title
        painter.translate(QPointF(title.x() + title.width() / 2, title.y() + title.height() / 2))
        painter.rotate(-90)
        painter.drawText(
            QRectF(-title.height() / 2, -title.width() / 2, title.height(), title.width()),
            Qt.AlignmentFlag.AlignCenter,
            self.tr("true class"),
        )
        painter.restore()
        x = layout.legend.x()
        swatch = max(8, line - 6)
        for hue, label in layout.legend_items:
            if hue is not None:
                square = QRect(x, layout.legend.center().y() - swatch // 2, swatch, swatch)
                painter.fillRect(square, QColor(hue))
                painter.setPen(QPen(text, 1))
                painter.drawRect(square.adjusted(0, 0, -1, -1))
                x += swatch + 5
            painter.setPen(muted)
            painter.drawText(
                QRect(x, layout.legend.y(), metrics.horizontalAdvance(label) + 2, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            x += metrics.horizontalAdvance(label + "   ")
        painter.end()

    # Helpers

    def _legend_items(self, metrics: QFontMetrics, width: int) -> list[tuple[str | None, str]]:
        """ "■ right ■ wrong  stronger colour: ...": the explanation shortened or left out
        where it does not fit. Hues are the theme's, filled in when painting."""
        theme = self.theme()
        swatch = metrics.height() + 5
        items: list[tuple[str | None, str]] = [
            (right_hue(theme), self.tr("right")),
            (wrong_hue(theme), self.tr("wrong")),
        ]
        used = sum(swatch + metrics.horizontalAdvance(label + "   ") for _, label in items)
        for explanation in (
            self.tr("stronger colour: larger share of the true class"),
            self.tr("stronger: more of the row"),
        ):
            if used + metrics.horizontalAdvance(explanation) <= width:
                items.append((None, explanation))
                break
        return items

    def _cell_colors(self, theme: Theme) -> tuple[list[list[QColor]], list[list[QColor]]]:
        """Fill and text colour of every cell, worked out once per matrix and theme."""
        if self._color_cache is not None and self._color_cache[0] == theme:
            return self._color_cache[1], self._color_cache[2]
        counts = self._counts
        amount = np.where(
            counts > 0, TINT_FLOOR + (1.0 - TINT_FLOOR) * np.sqrt(self._fractions), 0.0
        )
        background = _rgb(theme.plot_background)
        diagonal = np.eye(len(counts), dtype=bool)[..., None]
        hue = np.where(diagonal, _rgb(right_hue(theme)), _rgb(wrong_hue(theme)))
        rgb = np.rint(background + (hue - background) * amount[..., None]).astype(int)
        # The count in whichever of near-black and white contrasts more with the cell.
        lum = _luminance(rgb)
        dark = (lum + 0.05) / (_luminance(_rgb(DARK_TEXT)) + 0.05)
        light = (_luminance(_rgb(LIGHT_TEXT)) + 0.05) / (lum + 0.05)
        on_cell = np.where(dark >= light, DARK_TEXT, LIGHT_TEXT)
        colors = {name: QColor(name) for name in (DARK_TEXT, LIGHT_TEXT, theme.muted_text)}
        k = len(counts)
        fills = [[QColor(*rgb[i, j]) for j in range(k)] for i in range(k)]
        pens = [
            [colors[theme.muted_text if counts[i, j] == 0 else on_cell[i, j]] for j in range(k)]
            for i in range(k)
        ]
        self._color_cache = (theme, fills, pens)
        return fills, pens

    def _count_text(self, n: int, font: QFont, key: float) -> QStaticText:
        """A count laid out once in the cell font and reused by every repaint."""
        static = self._text_cache.get((n, key))
        if static is None:
            if len(self._text_cache) > TEXT_CACHE_SIZE:
                self._text_cache.clear()
            static = QStaticText(str(n))
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
            self._text_cache[(n, key)] = static
        return static

    def _changed(self) -> None:
        self._layout = None
        self._color_cache = None
        self.update()

    def _current_layout(self) -> _Layout:
        # Also checked against the size: a hidden widget gets its resize event only when shown.
        if self._layout is None or self._layout.size != self.size():
            base = self.font()
            layout = self._compute_layout(base)
            # Big cells (a projector, a maximised window): labels grow with them, a little.
            scale = min(MAX_LABEL_SCALE, layout.cell / (LABEL_SCALE_CELL_LINES * _line(base)))
            if scale > 1.05:
                layout = self._compute_layout(_scaled(base, scale))
            self._layout = layout
        return self._layout

    def _compute_layout(self, font: QFont) -> _Layout:
        """Square cells as large as fit beside the row labels and above the column labels;
        column labels turn 45 degrees when a cell is too narrow for them."""
        metrics = QFontMetrics(font)
        line = metrics.height()
        k = max(1, len(self._names))
        width, height = self.width(), self.height()
        inner = width - 2 * MARGIN

        # Header: the title (bold) and the accuracy, on one line when they fit.
        bold = QFont(font)
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        accuracy = self.accuracy_text()
        if not self._title:
            lines = [(accuracy, True)]
        elif bold_metrics.horizontalAdvance(self._title + " \u2014 " + accuracy) <= inner:
            lines = [(self._title + " \u2014 " + accuracy, True)]
        else:
            lines = [(self._title, True), (accuracy, False)]
        header_width = max(
            (bold_metrics if is_bold else metrics).horizontalAdvance(text)
            for text, is_bold in lines
        )
        top = MARGIN + len(lines) * line + line // 2

        # Left: the "true class" title (rotated), then the row labels.
        title_width = line + 4
        full_width = max((metrics.horizontalAdvance(name) for name in self._names), default=0)
        row_label_width = min(full_width, int(width * ROW_LABEL_FRACTION)) + 6 + 4
        row_labels = [
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, row_label_width - 8)
            for name in self._names
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
        column_labels = list(self._names)
        if rotated:
            longest = min(full_width, int(height * ROTATED_LABEL_FRACTION))
            label_height = math.ceil((longest + line) * math.sqrt(0.5)) + 6
            cell = cell_for(label_height)
            column_labels = [
                metrics.elidedText(name, Qt.TextElideMode.ElideRight, longest + 2)
                for name in self._names
            ]
        size = k * cell
        left += max(0, width - MARGIN - (left + size)) // 2  # centre the block
        block_left = left - row_label_width - title_width
        below = top + size + label_height
        legend_items = self._legend_items(metrics, width - block_left - MARGIN)
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
        base = self.font()
        base_metrics = QFontMetrics(base)
        largest = int(self._counts.max()) if self._counts.size else 0
        # Digits are equally wide in UI fonts: the longest count is the widest.
        widest = base_metrics.horizontalAdvance("8" * len(str(largest)))
        scale = min(MAX_CELL_TEXT_SCALE, cell * 0.72 / max(widest, 1), cell * 0.55 / _line(base))
        cell_font: QFont | None = _scaled(base, scale)
        if _points(base) * scale < MIN_CELL_TEXT_POINTS:
            cell_font = None
        return _Layout(
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
            true_title=QRect(block_left, top, title_width, size),
            predicted_title=QRect(left, below, size, line),
            legend=QRect(block_left, below + line + line // 3, width - block_left - MARGIN, line),
            legend_items=legend_items,
            cell_font=cell_font,
            size=self.size(),
        )


def _line(font: QFont) -> int:
    return QFontMetrics(font).height()


def _points(font: QFont) -> float:
    """The font's size in points (estimated from pixels for a pixel-sized font)."""
    return font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75


def _scaled(font: QFont, scale: float) -> QFont:
    result = QFont(font)
    if font.pointSizeF() > 0:
        result.setPointSizeF(font.pointSizeF() * scale)
    else:
        result.setPixelSize(max(1, round(font.pixelSize() * scale)))
    return result


# Demo: `python -m widgets.confusion_matrix [dark]` shows a plausible Fashion-MNIST result.

FASHION_NAMES = VISION_DATASETS["fashion_mnist"].class_names


def demo_matrix(
    class_names: Sequence[str], per_class: int = 1000, accuracy: float = 0.9, seed: int = 0
) -> np.ndarray:
    """Counts of a plausible classifier: mostly right, its mistakes bunched on a few classes
    (neighbours in the list, as Shirt / T-shirt / Pullover / Coat are in Fashion-MNIST)."""
    rng = np.random.default_rng(seed)
    k = len(class_names)
    counts = np.zeros((k, k), dtype=np.int64)
    for row in range(k):
        right = rng.uniform(accuracy - 0.08, min(0.995, accuracy + 0.08))
        weights = rng.random(k) ** 4  # a few classes take most of the mistakes
        weights[row] = 0.0
        weights[(row + 2) % k] += 0.8
        mistakes = rng.multinomial(int(per_class * (1 - right)), weights / weights.sum())
        counts[row] = mistakes
        counts[row, row] = per_class - mistakes.sum()
    return counts


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    widget = ConfusionMatrixWidget()
    widget.set_matrix(demo_matrix(FASHION_NAMES), FASHION_NAMES, "Validation after epoch 3")
    widget.resize(640, 640)
    widget.setWindowTitle("ConfusionMatrixWidget")
    widget.show()
    sys.exit(app.exec())
