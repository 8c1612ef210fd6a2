"""FeatureMapsWidget: what an image model's convolutions see, as ConvNetJS shows it.

Along the top, the first Conv2d's kernels, one small tile per output channel; on the left, one
validation image, large, with its label and a chooser for another; on the right, scrolling,
every Conv2d's and pooling layer's feature maps for that image, each layer's tiles on one
grey scale so they compare. Only the latest report is kept, and it is drawn at most 30 times a
second while the tab is visible; widgets.feature_map_tiles makes and paints the tiles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPalette, QPixmap, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.reports import FeatureMapReport, FeatureMaps, RunStarted
from models.translation import ngettext
from widgets.feature_map_tiles import (
    ImageView,
    Section,
    TileImages,
    TileSectionsView,
    kernel_pixels,
    map_pixels,
)
from widgets.image_grid import to_pixmaps
from widgets.numbers_text import count_text
from widgets.theme import Theme, current_theme

REDRAW_MS = 33  # at most ~30 redraws a second, and only when something changed
FILTER_SHARE = 0.25  # of the widget's height, at most, for the kernels along the top
FILTER_TILE = 72  # largest kernel tile: the feature maps below want the room more


class FeatureMapsWidget(QWidget):
    """The first Conv2d's filters, a chosen validation image and its feature maps per layer."""

    imageChosen = Signal(int)  # the validation image the user wants to see inside

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: FeatureMapReport | None = None
        self._dirty = False
        self._available = True
        self._filter_tiles = TileImages()
        self._map_tiles: list[TileImages] = []
        self._image_pixels: np.ndarray | None = None  # kept to reuse its pixmap
        self._image_pixmap = QPixmap()

        self._hint = QLabel()
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._hint.setMargin(24)
        self._hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.filter_view = TileSectionsView(largest_tile=FILTER_TILE)
        self.image_view = ImageView()
        self.maps_view = TileSectionsView()

        self._previous = QToolButton()
        self._previous.setText("\u25c0")  # ◀
        self._previous.setToolTip(self.tr("The previous validation image (Page Up)"))
        self._next = QToolButton()
        self._next.setText("\u25b6")  # ▶
        self._next.setToolTip(self.tr("The next validation image (Page Down)"))
        self._spin = QSpinBox()
        self._spin.setPrefix(self.tr("Image "))
        self._spin.setKeyboardTracking(False)  # typing 123 asks for one image, not three
        self._spin.setAccessibleName(self.tr("Validation image"))
        for button in (self._previous, self._next):
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            # As tall as the spin box: an arrow a presenter can hit and a class can see.
            side = self._spin.sizeHint().height()
            button.setMinimumSize(side, side)
        chooser = QHBoxLayout()
        chooser.setContentsMargins(0, 0, 0, 0)
        chooser.addStretch(1)
        chooser.addWidget(self._previous)
        chooser.addWidget(self._spin)
        chooser.addWidget(self._next)
        chooser.addStretch(1)

        left = QWidget()
        left.setMinimumSize(170, 150)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.image_view, 1)
        left_column.addLayout(chooser)

        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(self.maps_view)
        self._scroll.setToolTip(
            self.tr(
                "Each Conv2d's and pooling layer's outputs for the chosen image, one tile per "
                "channel: white is the layer's largest value, black its smallest."
            )
        )

        # Image beside the maps in a wide tab, above them in a tall one (resizeEvent).
        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.addWidget(left, 2)
        self._body.addWidget(self._scroll, 5)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.filter_view)
        column.addLayout(self._body, 1)

        self._stack = QStackedWidget()
        self._stack.addWidget(self._hint)
        self._stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

        for key, step in ((Qt.Key.Key_PageUp, -1), (Qt.Key.Key_PageDown, 1)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self._step_image(step))
        self._previous.clicked.connect(lambda: self._step_image(-1))
        self._next.clicked.connect(lambda: self._step_image(1))
        self._spin.valueChanged.connect(self._on_image_chosen)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_due)

        self.set_theme(current_theme())
        self.set_image_count(0)
        self._show_hint(self._empty_text())

    # Public API

    def set_image_count(self, count: int) -> None:
        """The validation images there are to choose from (0 .. count - 1)."""
        self._spin.setRange(0, max(count - 1, 0))
        self._spin.setEnabled(count > 1)
        self._spin.setToolTip(
            self.tr(
                "Which validation image to look inside: 0 to {0}. The next report shows it."
            ).replace("{0}", count_text(max(count - 1, 0)))
        )
        self._update_buttons()

    def image_index(self) -> int:
        """The validation image chosen."""
        return self._spin.value()

    def set_image_index(self, index: int) -> None:
        """Choose validation image `index`, as the chooser does (imageChosen tells the window)."""
        self._spin.setValue(index)

    def add_feature_maps(self, report: FeatureMapReport) -> None:
        """Keep `report` as the one to show, unless it is of another image than the chosen one
        (it was asked for before the choice changed); drawn at the next timer tick."""
        if not self._available or report.image_index != self.image_index():
            return
        self._report = report
        self._mark_dirty()

    def reset(self, run_started: RunStarted) -> None:
        """Forget the last run's maps, unless this run continues it."""
        if run_started.continues:
            return
        self._report = None
        self._dirty = False
        self._filter_tiles = TileImages()
        self._map_tiles = []
        self.filter_view.set_sections(())
        self.maps_view.set_sections(())
        if self._available:
            self._show_hint(self._empty_text())

    def set_available(self, available: bool, reason: str = "") -> None:
        """Whether the model and data can show feature maps; when not, say why (`reason`, or
        the default sentence) instead, and ignore reports."""
        self._available = available
        if not available:
            self._report = None
            self._show_hint(
                reason
                or self.tr("Filters and feature maps need an image dataset and a Conv2d layer.")
            )
        elif self._report is None:
            self._show_hint(self._empty_text())
        else:
            self._mark_dirty()

    def message(self) -> str:
        """The hint shown instead of the maps; empty while they are shown."""
        return self._hint.text() if self._stack.currentWidget() is self._hint else ""

    def report(self) -> FeatureMapReport | None:
        """The latest report kept (drawn at the next redraw); None before any."""
        return self._report

    def set_theme(self, theme: Theme) -> None:
        """Paint the tiles, image and background in `theme`."""
        for view in (self.filter_view, self.image_view, self.maps_view):
            view.set_theme(theme)
        palette = self._scroll.viewport().palette()
        palette.setColor(QPalette.ColorRole.Window, theme.plot_background)
        self._scroll.viewport().setPalette(palette)

    def export_png(self, path: str | Path) -> bool:
        """Save the tab as it is shown; False when the file cannot be written."""
        if self._dirty:
            self.redraw()
        return self.grab().save(str(path), "PNG")

    def redraw(self) -> None:
        """Draw the latest report (the timer calls this when it changed and is visible)."""
        self._dirty = False
        report = self._report
        if report is None or not self._available:
            return
        self._draw_filters(report)
        self._draw_image(report)
        while len(self._map_tiles) < len(report.layers):
            self._map_tiles.append(TileImages())
        del self._map_tiles[len(report.layers) :]
        self.maps_view.set_sections(
            [
                self._map_section(layer, tiles)
                for layer, tiles in zip(report.layers, self._map_tiles, strict=True)
            ]
        )
        self._stack.setCurrentIndex(1)

    # Drawing

    def _draw_filters(self, report: FeatureMapReport) -> None:
        filters = np.asarray(report.filters, dtype=np.float32)
        if filters.ndim != 4 or filters.size == 0:
            self.filter_view.set_sections(())
            self.filter_view.hide()
            return
        count, inputs, height, width = filters.shape
        images = self._filter_tiles.fill(kernel_pixels(filters))
        # Translators: "Layer 0 (Conv2d): 8 filters, 3x3": the filters' height x width.
        title = ngettext(
            "{layer}: {count} filter, {height}x{width}",
            "{layer}: {count} filters, {height}x{width}",
            count,
        ).format(
            layer=self._layer_words(report.filter_layer),
            count=count_text(count),
            height=height,
            width=width,
        )
        if inputs not in (1, 3):
            title += " \u00b7 " + self.tr("the mean over {0} inputs").replace("{0}", str(inputs))
        flat = filters.reshape(count, -1)
        low, high = flat.min(axis=1), flat.max(axis=1)
        colour = inputs == 3

        def tooltip(k: int) -> str:
            text = (
                self.tr("Filter {0}: its red, green and blue weights as colours, {1} to {2}.")
                if colour
                else self.tr("Filter {0}: weights from {1} (black) to {2} (white).")
            )
            return (
                text.replace("{0}", str(k))
                .replace("{1}", _number(low[k]))
                .replace("{2}", _number(high[k]))
            )

        self.filter_view.set_sections([Section(title, images, tooltip)])
        self.filter_view.show()

    def _draw_image(self, report: FeatureMapReport) -> None:
        image = np.asarray(report.image)
        if image.ndim == 2:
            image = image[None]
        if self._image_pixels is None or not np.array_equal(self._image_pixels, image):
            self._image_pixels = image.copy()
            self._image_pixmap = to_pixmaps(image[None])[0]
        self._update_caption()

    def _map_section(self, layer: FeatureMaps, tiles: TileImages) -> Section:
        maps = np.asarray(layer.maps, dtype=np.float32)
        count = layer.channel_count
        # Translators: "Layer 2 (MaxPool2d): 8 maps, 14x14": the maps' height x width.
        title = ngettext(
            "{layer}: {count} map, {height}x{width}",
            "{layer}: {count} maps, {height}x{width}",
            count,
        ).format(
            layer=self._layer_words(layer.layer_name),
            count=count_text(count),
            height=maps.shape[1],
            width=maps.shape[2],
        )
        if count > len(maps):
            title += " \u00b7 " + (
                self.tr("showing {0} of {1}")
                .replace("{0}", count_text(len(maps)))
                .replace("{1}", count_text(count))
            )
        values = maps[np.isfinite(maps)]
        layer_low, layer_high = (values.min(), values.max()) if values.size else (0.0, 0.0)

        def tooltip(k: int) -> str:
            values = maps[k][np.isfinite(maps[k])]
            low, high = (values.min(), values.max()) if values.size else (0.0, 0.0)
            return (
                self.tr(
                    "Channel {0}: values from {1} to {2}. The layer's tiles share one scale: "
                    "{3} is black, {4} white."
                )
                .replace("{0}", str(k))
                .replace("{1}", _number(low))
                .replace("{2}", _number(high))
                .replace("{3}", _number(layer_low))
                .replace("{4}", _number(layer_high))
            )

        return Section(title, tiles.fill(map_pixels(maps)), tooltip)

    def _update_caption(self) -> None:
        report = self._report
        if report is None or self._image_pixmap.isNull():
            return
        names = report.class_names
        label = names[report.label] if 0 <= report.label < len(names) else str(report.label)
        lines = [
            label,
            self.tr("Image {0}, step {1}")
            .replace("{0}", count_text(report.image_index))
            .replace("{1}", count_text(report.steps_done)),
        ]
        if self.image_index() != report.image_index:
            lines.append(
                self.tr("Image {0} comes next").replace("{0}", count_text(self.image_index()))
            )
        tooltip = (
            self.tr(
                "Validation image {0}, labelled {1}, after training step {2}: the feature "
                "maps beside it are of this image."
            )
            .replace("{0}", count_text(report.image_index))
            .replace("{1}", label)
            .replace("{2}", count_text(report.steps_done))
        )
        self.image_view.set_image(self._image_pixmap, lines, tooltip)

    def _layer_words(self, name: str) -> str:
        """ "2 Conv2d" as "Layer 2 (Conv2d)"."""
        index, _, kind = name.partition(" ")
        if not kind:
            return name
        return self.tr("Layer {0} ({1})").replace("{0}", index).replace("{1}", kind)

    def _empty_text(self) -> str:
        return self.tr("Train to see what the convolutions see.")

    def _show_hint(self, text: str) -> None:
        self._hint.setText(text)
        self._stack.setCurrentIndex(0)

    # Slots and Qt

    def _step_image(self, step: int) -> None:
        if self._spin.isEnabled():
            self._spin.setValue(self._spin.value() + step)

    def _on_image_chosen(self, index: int) -> None:
        self._update_buttons()
        self._update_caption()
        self.imageChosen.emit(index)

    def _update_buttons(self) -> None:
        enabled = self._spin.isEnabled()
        self._previous.setEnabled(enabled and self._spin.value() > self._spin.minimum())
        self._next.setEnabled(enabled and self._spin.value() < self._spin.maximum())

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _on_redraw_due(self) -> None:
        if self._dirty and self.isVisible():
            self.redraw()

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.filter_view.set_height_budget(max(60, int(FILTER_SHARE * self.height())))
        tall = self.width() < 1.1 * self.height()
        direction = QBoxLayout.Direction.TopToBottom if tall else QBoxLayout.Direction.LeftToRight
        if self._body.direction() != direction:
            self._body.setDirection(direction)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._dirty:
            self._timer.start()


def _number(value: float) -> str:
    """A weight or activation in three significant digits, in the user's locale."""
    return QLocale().toString(float(value), "g", 3)


if __name__ == "__main__":
    # `python -m widgets.feature_maps [dark] [rgb]`: a made-up LeNet looking at made-up digits.
    import sys

    from numpy.lib.stride_tricks import sliding_window_view

    from widgets.demo import demo_application
    from widgets.demo_data import demo_colour_images, demo_digits

    app = demo_application()
    rgb = "rgb" in sys.argv
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 50)
    images = demo_colour_images(labels) if rgb else demo_digits(labels)
    names = tuple(str(k) for k in range(10))
    kernels = rng.normal(0, 0.3, (6, images.shape[1], 5, 5)).astype(np.float32)

    def _conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
        windows = sliding_window_view(x, w.shape[-2:], axis=(1, 2))  # (I, H', W', k, k)
        return np.maximum(np.einsum("ihwab,oiab->ohw", windows, w), 0)

    def _pool(x: np.ndarray) -> np.ndarray:
        c, h, w = x.shape
        return x[:, : h // 2 * 2, : w // 2 * 2].reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))

    def _report(index: int, step: int) -> FeatureMapReport:
        x = images[index].astype(np.float32) / 255
        c1 = _conv(x, kernels)
        p1 = _pool(c1)
        c2 = _conv(p1, rng.normal(0, 0.3, (16, 6, 5, 5)))
        p2 = _pool(c2)
        layers = tuple(
            FeatureMaps(n, name, m.astype(np.float32), len(m))
            for n, name, m in ((0, "0 Conv2d", c1), (2, "2 MaxPool2d", p1),
                               (3, "3 Conv2d", c2), (5, "5 MaxPool2d", p2))
        )  # fmt: skip
        return FeatureMapReport(step, index, images[index], int(labels[index]), names,
                                "0 Conv2d", kernels, layers)  # fmt: skip

    widget = FeatureMapsWidget()
    widget.set_image_count(len(images))
    state = {"step": 0}

    def _tick() -> None:
        kernels[...] += rng.normal(0, 0.02, kernels.shape).astype(np.float32)
        state["step"] += 100
        widget.add_feature_maps(_report(widget.image_index(), state["step"]))

    feeder = QTimer()
    feeder.timeout.connect(_tick)
    feeder.start(400)
    widget.resize(1200, 720)
    widget.setWindowTitle("FeatureMapsWidget")
    widget.show()
    sys.exit(app.exec())
