"""ConfusionMatrixWidget: which classes the model mixes up, as a K x K table of counts.

Rows are the true class, columns the predicted one. Each cell is tinted by its share of the row
(the true class), so a rare class's mistakes show as clearly as a common one's: blue on the
diagonal (right), vermillion off it (wrong), two hues that stay apart for colour-blind eyes,
and the diagonal also gets an outline. A square-root scale keeps small but real confusions
visible. Painted with QPainter: crisp at any size, and a repaint is a few hundred rectangles.
Where things go is widgets.confusion_layout's; the colours are widgets.confusion_colors'.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPen, QStaticText, QTransform
from PySide6.QtWidgets import QWidget

from models.translation import ngettext
from widgets.confusion_colors import cell_colors, right_hue, row_fractions, wrong_hue
from widgets.confusion_layout import MatrixLayout, MatrixTexts, matrix_layout
from widgets.numbers_text import count_text, percent_text
from widgets.painted_view import PaintedView
from widgets.theme import Theme

TEXT_CACHE_SIZE = 2000  # laid-out counts kept


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
        self._layout: MatrixLayout | None = None
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
        """The title shown above the matrix ("" for none)."""
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
            .replace("{0}", percent_text(right / total))
            .replace("{1}", count_text(total))
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
        # Translators: a cell's tooltip; "(1.2% of Shirt)": its share of the true class's images.
        return ngettext(
            "true {true}, predicted {predicted}: {count} image ({share} of {true})",
            "true {true}, predicted {predicted}: {count} images ({share} of {true})",
            n,
        ).format(
            true=true,
            predicted=predicted,
            count=count_text(n),
            share=percent_text(float(self._fractions[row, column])),
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
            cell_font = layout.cell_font
            painter.setFont(cell_font)
            key = cell_font.pointSizeF()
            for row in range(k):
                for column in range(k):
                    static = self._static_count(int(self._counts[row, column]), cell_font, key)
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

    def _texts(self) -> MatrixTexts:
        """The words the layout places."""
        theme = self.theme()
        return MatrixTexts(
            names=tuple(self._names),
            title=self._title,
            accuracy=self.accuracy_text(),
            hues=((right_hue(theme), self.tr("right")), (wrong_hue(theme), self.tr("wrong"))),
            explanations=(
                self.tr("stronger colour: larger share of the true class"),
                self.tr("stronger: more of the row"),
            ),
            largest=int(self._counts.max()) if self._counts.size else 0,
        )

    def _cell_colors(self, theme: Theme) -> tuple[list[list[QColor]], list[list[QColor]]]:
        """Fill and text colour of every cell, worked out once per matrix and theme."""
        if self._color_cache is not None and self._color_cache[0] == theme:
            return self._color_cache[1], self._color_cache[2]
        rgb, text = cell_colors(self._counts, theme)
        colors = {name: QColor(name) for name in set(text.ravel().tolist())}
        k = len(self._counts)
        fills = [[QColor(*rgb[i, j]) for j in range(k)] for i in range(k)]
        pens = [[colors[text[i, j]] for j in range(k)] for i in range(k)]
        self._color_cache = (theme, fills, pens)
        return fills, pens

    def _static_count(self, n: int, font: QFont, key: float) -> QStaticText:
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

    def _current_layout(self) -> MatrixLayout:
        # Also checked against the size: a hidden widget gets its resize event only when shown.
        if self._layout is None or self._layout.size != self.size():
            self._layout = matrix_layout(self.size(), self.font(), self._texts())
        return self._layout


if __name__ == "__main__":
    import sys

    from app.datasets.vision import VISION_DATASETS
    from widgets.demo import demo_application
    from widgets.demo_data import demo_matrix

    app = demo_application()
    names = VISION_DATASETS["fashion_mnist"].class_names  # a plausible Fashion-MNIST result
    widget = ConfusionMatrixWidget()
    widget.set_matrix(demo_matrix(names), names, "Validation after epoch 3")
    widget.resize(640, 640)
    widget.setWindowTitle("ConfusionMatrixWidget")
    widget.show()
    sys.exit(app.exec())
