"""PointPreview: a toy dataset's points before training, training filled, validation hollow.

Two scatter items made once and updated with setData; at most MAX_PREVIEW_POINTS drawn (a
fair sample: the points are shuffled by the seed), with a caption that counts them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.datasets import DATA_RANGES, Dataset, shown_counts
from widgets.numbers_text import count_text
from widgets.theme import Theme, class_colors, current_theme

MAX_PREVIEW_POINTS = 3000
TRAIN_SIZE = 6
VAL_SIZE = 7


class PointPreview(QWidget):
    """A scatter of a toy dataset: classes coloured in the plane, or x against y."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._data: Dataset | None = None  # what show_points drew, drawn again in a new look
        self._plot = pg.PlotWidget()
        self._plot.setMinimumHeight(220)
        self._plot.setMaximumHeight(400)  # square-ish in a dock; extra height goes below
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._plot.setMenuEnabled(False)
        self._train_scatter = pg.ScatterPlotItem(size=TRAIN_SIZE, pen=None)
        self._val_scatter = pg.ScatterPlotItem(size=VAL_SIZE, brush=None)
        self._plot.addItem(self._train_scatter)
        self._plot.addItem(self._val_scatter)

        self._caption = QLabel()
        self._caption.setWordWrap(True)
        self._caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._caption)
        layout.addStretch(0)
        self.set_theme(self._theme)

    def set_theme(self, theme: Theme) -> None:
        """Recolour the plot's background, axes and text, and draw the points again in the
        colours and sizes of `theme`."""
        self._theme = theme
        self._train_scatter.setSize(theme.marker_size(TRAIN_SIZE))
        self._val_scatter.setSize(theme.marker_size(VAL_SIZE))
        self._plot.setBackground(theme.plot_background)
        for name in ("left", "bottom"):
            axis = self._plot.getAxis(name)
            axis.setPen(pg.mkPen(theme.plot_foreground))
            axis.setTextPen(pg.mkPen(theme.plot_foreground))
            axis.setStyle(tickFont=QFont(self.font()))  # a presentation scales the font
        if self._data is not None:
            self.show_points(self._data)

    def caption(self) -> str:
        """The line under the plot: how many points of each split, and how many are drawn."""
        return self._caption.text()

    def show_points(self, data: Dataset) -> None:
        """Update the two scatter items in place with a deterministic subsample."""
        self._data = data
        n_train, n_val = len(data.x_train), len(data.x_val)
        total = n_train + n_val
        subsampled = total > MAX_PREVIEW_POINTS
        k_train, k_val = shown_counts(n_train, n_val, MAX_PREVIEW_POINTS)
        x_train, y_train = data.x_train[:k_train], data.y_train[:k_train]
        x_val, y_val = data.x_val[:k_val], data.y_val[:k_val]

        classification = data.task.is_classification
        if classification:
            colors = class_colors(
                self._theme, int(DATA_RANGES["classes"][1]), self._theme.plot_foreground
            )
            brushes = np.array([pg.mkBrush(c) for c in colors], dtype=object)
            width = self._theme.line_width(1.5)
            pens = np.array([pg.mkPen(c, width=width) for c in colors], dtype=object)
            train_brush = list(brushes[y_train % len(colors)])
            val_pen = list(pens[y_val % len(colors)])
            self._train_scatter.setData(x=x_train[:, 0], y=x_train[:, 1], brush=train_brush)
            self._val_scatter.setData(
                x=x_val[:, 0], y=x_val[:, 1], pen=val_pen, brush=pg.mkBrush(None)
            )
            self._plot.setLabel("bottom", self.tr("input 1"))
            self._plot.setLabel("left", self.tr("input 2"))
        else:
            color = self._theme.class_colors[0]
            self._train_scatter.setData(x=x_train[:, 0], y=y_train[:, 0], brush=pg.mkBrush(color))
            self._val_scatter.setData(
                x=x_val[:, 0],
                y=y_val[:, 0],
                pen=pg.mkPen(color, width=self._theme.line_width(1.5)),
                brush=pg.mkBrush(None),
            )
            self._plot.setLabel("bottom", self.tr("x (input)"))
            self._plot.setLabel("left", self.tr("y (target)"))
        # Input space is geometric for 2-D classification: keep circles round.
        self._plot.setAspectLocked(classification)
        self._plot.enableAutoRange()

        lines = [
            self.tr("\u25cf filled: training ({0})").replace("{0}", count_text(n_train)),
            self.tr("\u25cb hollow: validation ({0})").replace("{0}", count_text(n_val)),
        ]
        if subsampled:
            drawn = k_train + k_val
            lines.append(
                self.tr("Showing {0} of {1} points.")
                .replace("{0}", count_text(drawn))
                .replace("{1}", count_text(total))
            )
        self._caption.setText("\n".join(lines))


if __name__ == "__main__":
    import sys

    from app.datasets import DataConfig
    from app.datasets.toy import generate
    from widgets.demo import demo_application

    app = demo_application()
    preview = PointPreview()
    preview.show_points(generate(DataConfig("spirals", samples=2000, classes=3)))
    preview.resize(360, 420)
    preview.setWindowTitle("PointPreview")
    preview.show()
    sys.exit(app.exec())
