"""ImageGridWidget: a grid of small images with their class, or with the model's guess.

Samples show each image with its label; predictions show the predicted class, and a wrong guess
gets an error-coloured frame, a ✗ and the true class, so colour is never the only cue. Painted
with QPainter: the images become pixmaps once per call, and a repaint only scales them
(nearest-neighbour, so 28x28 digits stay crisp), which keeps live updates cheap. Where the
tiles go is widgets.image_grid_layout's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPen,
    QPixmap,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from widgets.image_grid_layout import MIN_SIDE, PAD, GridLayout, Tile, grid_layout
from widgets.numbers_text import count_text
from widgets.painted_view import MARGIN, PaintedView
from widgets.theme import mix

ERROR_FRAME = 3  # pen width of a wrong prediction's frame
TEXT_CACHE_SIZE = 500  # laid-out captions kept; class names repeat, so few are needed


def to_pixmaps(images: np.ndarray) -> list[QPixmap]:
    """One pixmap per image of a uint8 (N, C, H, W) array, C = 1 (grey) or 3 (RGB)."""
    pixmaps = []
    n, channels, height, width = images.shape
    if channels == 1:
        planes = np.ascontiguousarray(images[:, 0])
        fmt, row_bytes = QImage.Format.Format_Grayscale8, width
    else:
        planes = np.ascontiguousarray(images.transpose(0, 2, 3, 1))
        fmt, row_bytes = QImage.Format.Format_RGB888, 3 * width
    for k in range(n):
        # QImage only borrows the buffer: copy() gives it pixels of its own.
        image = QImage(planes[k].tobytes(), width, height, row_bytes, fmt).copy()
        pixmaps.append(QPixmap.fromImage(image))
    return pixmaps


class ImageGridWidget(PaintedView):
    """Small images with captions in as many columns as the width allows; shows a hint when
    empty. Read-only: it emits nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images: np.ndarray | None = None  # kept to reuse the pixmaps for the same images
        self._pixmaps: list[QPixmap] = []
        self._tiles: list[Tile] = []
        self._predictions = False
        self._wrong = 0
        self._message = self.tr("No images to show yet.")
        self._layout: GridLayout | None = None
        self._text_cache: dict[tuple[str, bool, int], QStaticText] = {}
        self.setMinimumSize(MIN_SIDE + 2 * (PAD + MARGIN), MIN_SIDE * 2)

    # Public API

    def show_samples(
        self, images: np.ndarray, labels: np.ndarray, class_names: Sequence[str]
    ) -> None:
        """Show uint8 images (N, C, H, W) with their labels' class names as captions."""
        labels = np.asarray(labels).astype(int).ravel()
        self._set_images(images, len(labels))
        names = [_name(class_names, k) for k in labels]
        self._tiles = [
            Tile((name,), self.tr("Label: {0}").replace("{0}", name), False) for name in names
        ]
        self._predictions = False
        self._wrong = 0
        self._changed()

    def show_predictions(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        predicted: np.ndarray,
        class_names: Sequence[str],
    ) -> None:
        """Show uint8 images (N, C, H, W) captioned with the predicted class; wrong guesses are
        framed, marked ✗ and name the true class."""
        labels = np.asarray(labels).astype(int).ravel()
        predicted = np.asarray(predicted).astype(int).ravel()
        if len(predicted) != len(labels):
            raise ValueError(f"{len(predicted)} predictions for {len(labels)} labels")
        self._set_images(images, len(labels))
        tiles = []
        for true, guess in zip(labels.tolist(), predicted.tolist(), strict=True):
            true_name, guess_name = _name(class_names, true), _name(class_names, guess)
            if true == guess:
                tip = self.tr("Predicted {0}: right").replace("{0}", guess_name)
                tiles.append(Tile((guess_name,), tip, False))
            else:
                tip = (
                    self.tr("Predicted {0}, but it is {1}: wrong")
                    .replace("{0}", guess_name)
                    .replace("{1}", true_name)
                )
                lines = ("\u2717 " + guess_name, self.tr("true: {0}").replace("{0}", true_name))
                # Where "true: ..." does not fit: ✗ the guess, ✓ the right answer.
                short = ("\u2717 " + guess_name, "\u2713 " + true_name)
                tiles.append(Tile(lines, tip, True, short))
        self._tiles = tiles
        self._predictions = True
        self._wrong = int(np.count_nonzero(labels != predicted))
        self._changed()

    def clear(self, message: str = "") -> None:
        """Show no images, only `message` (a default hint when empty) in the middle."""
        self._images = None
        self._pixmaps = []
        self._tiles = []
        self._predictions = False
        self._wrong = 0
        self._message = message or self.tr("No images to show yet.")
        self._changed()

    # Read-only views of what is shown (for tests and the window's status texts)

    def message(self) -> str:
        """The hint shown instead of images; empty while images are shown."""
        return "" if self._tiles else self._message

    def summary(self) -> str:
        """The line above the grid, e.g. "3 of 32 wrong"; empty when no images are shown."""
        n = len(self._tiles)
        if n == 0:
            return ""
        if not self._predictions:
            text = self.tr("{0} images with their labels").replace("{0}", count_text(n))
        elif self._wrong:
            text = (
                self.tr("{0} of {1} wrong")
                .replace("{0}", count_text(self._wrong))
                .replace("{1}", count_text(n))
            )
        else:
            text = self.tr("all {0} right").replace("{0}", count_text(n))
        shown = self._current_layout().shown
        if shown < n and self._wrong:
            text += " \u00b7 " + self.tr("{0} shown, wrong first").replace("{0}", count_text(shown))
        elif shown < n:
            text = (
                self.tr("{0} of {1} images shown; enlarge for all")
                .replace("{0}", count_text(shown))
                .replace("{1}", count_text(n))
            )
        return text

    def count(self) -> int:
        """How many images were given."""
        return len(self._tiles)

    def shown_count(self) -> int:
        """How many images fit at the current size."""
        return self._current_layout().shown if self._tiles else 0

    def columns(self) -> int:
        """Tiles per row at the current size (0 when empty)."""
        return self._current_layout().columns if self._tiles else 0

    def wrong_indices(self) -> list[int]:
        """Indices of the images whose prediction is wrong (none for samples)."""
        return [k for k, tile in enumerate(self._tiles) if tile.wrong]

    def caption(self, index: int) -> str:
        """The full caption of image `index`, its lines joined by a newline."""
        return "\n".join(self._tiles[index].lines)

    def tile_rect(self, index: int) -> QRect:
        """Where image `index`'s tile is drawn; empty when it does not fit."""
        return self._current_layout().tile_rect(index)

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip of the tile under `pos` (widget coordinates); empty between tiles."""
        if not self._tiles:
            return ""
        for index in self._current_layout().slots:
            if self.tile_rect(index).contains(pos):
                return self._tiles[index].tooltip
        return ""

    # Qt

    def sizeHint(self) -> QSize:
        return QSize(420, 360)

    def paintEvent(self, event: object) -> None:
        theme = self.theme()
        painter = self.begin_painting(self._message if not self._tiles else None)
        if painter is None:
            return
        layout = self._current_layout()
        bold = QFont(self.font())
        bold.setBold(True)

        summary_color = theme.text
        if self._predictions:
            summary_color = theme.error if self._wrong else theme.ok
        painter.setFont(bold if self._predictions else self.font())
        painter.setPen(QColor(summary_color))
        summary = (
            ("\u2717 " if self._wrong else "\u2713 ") + self.summary()
            if self._predictions
            else self.summary()
        )
        painter.drawText(
            layout.summary_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(painter.font()).elidedText(
                summary, Qt.TextElideMode.ElideRight, layout.summary_rect.width()
            ),
        )

        image_border = QColor(theme.grid)
        error = QColor(theme.error)
        error_fill = QColor(mix(theme.plot_background, theme.error, 0.14 if theme.dark else 0.08))
        line = self.fontMetrics().height()
        caption_width = layout.tile_width - 2
        # Captions by style, (bold, colour) -> [(text, rect)]: few font and pen switches.
        captions: dict[tuple[bool, str], list[tuple[str, QRect]]] = {}
        painter.setBrush(error_fill)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for index in layout.slots:
            tile, rect = self._tiles[index], self.tile_rect(index)
            if tile.wrong:
                painter.setPen(QPen(error, ERROR_FRAME))
                half = ERROR_FRAME / 2
                painter.drawRoundedRect(QRectF(rect).adjusted(half, half, -half, -half), 5, 5)
            y = rect.y() + PAD + layout.side + PAD // 2
            lines = tile.short_lines if tile.wrong and layout.short else tile.lines
            for number, caption in enumerate(lines):
                style = (
                    (True, theme.error)
                    if tile.wrong and number == 0
                    else (False, theme.text if number == 0 else theme.muted_text)
                )
                box = QRect(rect.x() + 1, y + number * line, caption_width, line)
                captions.setdefault(style, []).append((caption, box))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(image_border)
        for index in layout.slots:
            rect = self.tile_rect(index)
            target = QRect(rect.x() + PAD, rect.y() + PAD, layout.side, layout.side)
            # No smooth transform: nearest-neighbour keeps each source pixel a crisp square.
            painter.drawPixmap(target, self._pixmaps[index])
            painter.drawRect(target.adjusted(-1, -1, 0, 0))
        for (is_bold, color), items in captions.items():
            font = bold if is_bold else self.font()
            painter.setFont(font)
            painter.setPen(QColor(color))
            for caption, box in items:
                static = self._static_text(caption, font, is_bold, box.width())
                width = static.size().width()
                painter.drawStaticText(
                    QPointF(box.x() + (box.width() - width) / 2, box.y()), static
                )
        painter.end()

    # Helpers

    def _static_text(self, text: str, font: QFont, bold: bool, width: int) -> QStaticText:
        """`text` elided to `width`, laid out once and reused: repaints during training draw
        the same few class names again and again."""
        key = (text, bold, width)
        static = self._text_cache.get(key)
        if static is None:
            if len(self._text_cache) > TEXT_CACHE_SIZE:
                self._text_cache.clear()
            fitted = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width)
            static = QStaticText(fitted)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
            self._text_cache[key] = static
        return static

    def _set_images(self, images: np.ndarray, count: int) -> None:
        images = np.asarray(images)
        if images.ndim == 3:  # (N, H, W): grey without a channel axis
            images = images[:, None]
        if images.ndim != 4 or images.shape[1] not in (1, 3):
            raise ValueError(f"images must be (N, 1 or 3, H, W), not {images.shape}")
        if images.dtype != np.uint8:
            raise ValueError(f"images must be uint8, not {images.dtype}")
        if len(images) != count:
            raise ValueError(f"{len(images)} images for {count} labels")
        # Live updates usually bring the same images with new predictions: keep the pixmaps.
        previous = self._images
        if (
            previous is None
            or previous.shape != images.shape
            or not np.array_equal(previous, images)
        ):
            self._pixmaps = to_pixmaps(images)
            self._images = images.copy()

    def _changed(self) -> None:
        self._layout = None
        self.update()

    def _current_layout(self) -> GridLayout:
        # Also checked against the size: a hidden widget gets its resize event only when shown.
        if self._layout is None or self._layout.size != self.size():
            source = self._images.shape[-1] if self._images is not None else 0
            lines = 2 if self._predictions else 1
            self._layout = grid_layout(self.size(), self.fontMetrics(), self._tiles, lines, source)
        return self._layout


def _name(class_names: Sequence[str], index: int) -> str:
    return class_names[index] if 0 <= index < len(class_names) else str(index)


if __name__ == "__main__":
    # `python -m widgets.image_grid [dark] [rgb]` shows samples, then live "predictions".
    import sys

    from PySide6.QtCore import QTimer

    from app.datasets.vision import VISION_DATASETS
    from widgets.demo import demo_application
    from widgets.demo_data import demo_colour_images, demo_digits

    app = demo_application()
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 32)
    if "rgb" in sys.argv:
        names: Sequence[str] = VISION_DATASETS["cifar10"].class_names
        images = demo_colour_images(labels)
    else:
        names = [str(d) for d in range(10)]
        images = demo_digits(labels)
    widget = ImageGridWidget()
    widget.show_samples(images, labels, names)
    state = {"accuracy": 0.1}

    def _tick() -> None:
        # A "model" that gets better: each guess is right with a growing probability.
        state["accuracy"] = min(0.97, state["accuracy"] + 0.03)
        right = rng.random(len(labels)) < state["accuracy"]
        guesses = np.where(right, labels, rng.integers(0, 10, len(labels)))
        widget.show_predictions(images, labels, guesses, names)

    feed = QTimer()
    feed.timeout.connect(_tick)
    QTimer.singleShot(1500, lambda: feed.start(300))
    widget.resize(700, 520)
    widget.setWindowTitle("ImageGridWidget")
    widget.show()
    sys.exit(app.exec())
