"""UnitView: one hidden unit's output large over the input plane, with the data points and the
model's decision boundary drawn over it and a colour bar beside it.

The unit maps tab (widgets.unit_maps) shows the unit selected among its thumbnails here. Items
are made once and given new data: a report only changes the image, the levels and the line.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLocale, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.datasets import shown_counts
from app.reports import PredictionReport
from widgets.plot_style import LINE, color_axes, legend_html, set_axis_label
from widgets.prediction_map import MAX_POINTS, PlotData, boundary_segments, grid_bounds_for
from widgets.theme import Theme, class_colors, current_theme
from widgets.unit_grid import LUT_SIZE, diverging_lut

# Dots smaller than the decision boundary's, and smaller still on a small view: the map
# should show between them. (view width from which a size applies, size in pixels)
POINT_SIZES = ((0, 5), (450, 7), (900, 9))


class _SmoothImageItem(pg.ImageItem):
    """An ImageItem drawn with bilinear filtering: a 48x48 map reads as a smooth function."""

    def paint(self, painter: QPainter, *args: object) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        super().paint(painter, *args)


class UnitView(QWidget):
    """A title, the map with the points and the 0.5 line over it, its colour bar, a legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._data: PlotData | None = None
        self._bar_scale: float | None = None  # the scale the colour bar's ticks are for

        self._title = QLabel()
        title_font = QFont(self.font())
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._title.setToolTip(self.tr("The layer and unit shown large."))

        self._graphics = pg.GraphicsLayoutWidget()
        self._graphics.setMinimumSize(220, 200)
        self._graphics.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._graphics.setToolTip(
            self.tr(
                "The selected unit's output over the input plane: orange where it is positive, "
                "blue where it is negative. The line is where the model's prediction is 50/50."
            )
        )
        self._plot = pg.PlotItem()
        self._plot.setMenuEnabled(False)
        self._plot.hideButtons()
        self._plot.setMouseEnabled(x=False, y=False)  # a fixed map: nothing to pan by accident
        self._plot.setAspectLocked(True)  # the input plane is geometric: circles stay round
        self._plot.setContentsMargins(2, 8, 4, 2)
        # The map's rectangle: clips the image to it and frames it.
        self._frame = QGraphicsRectItem()
        self._frame.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self._frame.setZValue(-10)
        self._image = _SmoothImageItem(axisOrder="row-major")
        self._image.setParentItem(self._frame)
        self._boundary = pg.PlotCurveItem(connect="pairs")
        self._boundary.setZValue(5)
        self._points = pg.ScatterPlotItem(size=POINT_SIZES[0][1])
        # The points never move while maps change behind them: paint them once, reuse.
        self._points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._points.setZValue(10)
        for item in (self._frame, self._boundary, self._points):
            self._plot.addItem(item)
        self._plot.getViewBox().sigResized.connect(self._on_view_resized)
        self._color_bar = pg.ColorBarItem(
            values=(-1.0, 1.0), interactive=False, colorMapMenu=False, width=16
        )
        self._color_bar.setImageItem(self._image)
        self._graphics.ci.addItem(self._plot, 0, 0)
        self._graphics.ci.addItem(self._color_bar, 0, 1)

        self._caption = QLabel()
        self._caption.setWordWrap(True)
        self._caption.setTextFormat(Qt.TextFormat.RichText)
        self._caption.setToolTip(self.tr("What the marks on the large view mean."))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._title)
        layout.addWidget(self._graphics, 1)
        layout.addWidget(self._caption)
        self.set_theme(self._theme)

    # Public API

    def show_points(self, data: PlotData | None) -> None:
        """Draw `data`'s points (inputs (N, 2)), training and validation alike, by class."""
        self._data = data
        if data is None:
            self._points.clear()
            return
        t = self._theme
        k_train, k_val = shown_counts(len(data.x_train), len(data.x_val), MAX_POINTS)
        # The datasets come shuffled, so the first points are a fair sample.
        x = np.concatenate([data.x_train[:k_train], data.x_val[:k_val]])
        y = np.concatenate([data.y_train[:k_train], data.y_val[:k_val]])
        # A ring in the foreground colour keeps each dot readable over either colour of map.
        ring = pg.mkPen(t.plot_foreground, width=t.outline_width(1.2))
        if data.task_kind == "classification":
            classes = data.classes or (int(y.max()) + 1 if len(y) else 1)
            brushes = [pg.mkBrush(c) for c in class_colors(t, classes)]
            brush = [brushes[k % len(brushes)] for k in y.astype(int)]
        else:
            brush = pg.mkBrush(t.plot_background)
        self._points.setData(x=x[:, 0], y=x[:, 1], brush=brush, pen=ring)
        if self._image.image is None:  # until a map arrives, the data's padded range
            x_min, x_max, y_min, y_max = grid_bounds_for(x)
            self._plot.setRange(QRectF(x_min, y_min, x_max - x_min, y_max - y_min), padding=0)

    def show_map(self, values: np.ndarray, rect: QRectF, scale: float, title: str) -> None:
        """Show `values` (H, W) over `rect` of the input plane, coloured from -scale to
        +scale, under `title`."""
        if rect != self._frame.rect():
            self._frame.setRect(rect)
            self._plot.setRange(rect, padding=0)
        self._image.setImage(values, autoLevels=False)
        # After setImage: the rectangle is mapped from the image's size in pixels.
        self._image.setRect(rect)
        if self._bar_scale != scale:
            self._bar_scale = scale
            self._color_bar.setLevels((-scale, scale))
            # Five labelled ticks: the default's dozen crowd a projector.
            locale = QLocale()
            ticks = [(v, locale.toString(v, "g", 2)) for v in np.linspace(-scale, scale, 5)]
            self._color_bar.axis.setTicks([ticks, []])
        self._title.setText(title)

    def show_boundary(self, prediction: PredictionReport | None) -> None:
        """The 0.5 line of a prediction with one or two outputs (none for more classes), in
        input coordinates: the prediction's grid need not be the map's."""
        values = None if prediction is None else np.asarray(prediction.values)
        if (
            prediction is None
            or prediction.ys is None
            or values.ndim != 3
            or values.shape[-1] not in (1, 2)
            or values.shape[:2] != (len(prediction.ys), len(prediction.xs))
            or min(values.shape[:2]) < 2
        ):
            self._boundary.setData([], [])
            return
        ends = boundary_segments(np.nan_to_num(values[..., -1], nan=0.5))
        xs, ys = np.asarray(prediction.xs), np.asarray(prediction.ys)
        # Pixel j's centre (at j + 0.5) lies on grid point xs[j]: see pixel_rect.
        dx, dy = (xs[-1] - xs[0]) / (len(xs) - 1), (ys[-1] - ys[0]) / (len(ys) - 1)
        self._boundary.setData(xs[0] + (ends[:, 0] - 0.5) * dx, ys[0] + (ends[:, 1] - 0.5) * dy)

    def clear(self) -> None:
        """Show no map, no line and no title (the points stay)."""
        self._image.clear()
        self._boundary.setData([], [])
        self._title.clear()

    def set_theme(self, theme: Theme) -> None:
        """Recolour the axes, the map's colours and colour bar, the line and the points."""
        self._theme = t = theme
        self._graphics.setBackground(t.plot_background)
        color_axes(self._plot, t)
        for side, text in (("bottom", self.tr("input 1")), ("left", self.tr("input 2"))):
            set_axis_label(self._plot, side, text, t)
        lut = diverging_lut(t)
        self._color_bar.setColorMap(pg.ColorMap(np.linspace(0.0, 1.0, LUT_SIZE), lut))
        color_axes(self._color_bar, t)
        self._color_bar.axis.setPen(t.plot_foreground)
        self._color_bar.axis.setTextPen(t.plot_foreground)
        set_axis_label(self._color_bar, "left", self.tr("unit output"), t)
        edge = pg.mkPen(t.grid, width=1)
        edge.setCosmetic(True)
        self._frame.setPen(edge)
        line = QColor(t.plot_foreground)
        line.setAlphaF(0.85)
        self._boundary.setPen(pg.mkPen(line, width=t.line_width(2.5)))
        self._caption.setText(
            legend_html(
                [
                    (t.plot_foreground, LINE, self.tr("the model's decision boundary")),
                    (t.plot_foreground, "\u25cf", self.tr("data points, by class")),
                ]
            )
        )
        if self._data is not None:
            self.show_points(self._data)
        self._on_view_resized()  # the points' size, in this look's marker scale

    # Read-only views of what is shown

    def title(self) -> str:
        """The title over the map; empty while none is shown."""
        return self._title.text()

    @property
    def image(self) -> pg.ImageItem:
        """The map, as its values (image is None while none is shown)."""
        return self._image

    @property
    def boundary_line(self) -> pg.PlotCurveItem:
        """The model's 0.5 line, as segments in input coordinates."""
        return self._boundary

    @property
    def data_points(self) -> pg.ScatterPlotItem:
        """The data points over the map."""
        return self._points

    @property
    def color_bar(self) -> pg.ColorBarItem:
        """The scale beside the map: its levels are (-scale, +scale)."""
        return self._color_bar

    # Slots

    def _on_view_resized(self, *_args: object) -> None:
        width = self._plot.getViewBox().width()
        size = self._theme.marker_size([size for start, size in POINT_SIZES if width >= start][-1])
        if size != self._points.opts["size"]:
            self._points.setSize(size)
