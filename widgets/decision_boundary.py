"""DecisionBoundaryWidget: what the model predicts over the data's input range, behind the points.

Two inputs, classification: each cell of the engine's grid is tinted with the predicted class's
colour, fainter where the model is less sure, as in TensorFlow Playground. One input, regression:
the fitted curve over the points. Training points are filled, validation points hollow.
The numbers (grid bounds, cell colours, the 0.5 line) are widgets.prediction_map's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QLabel,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from app.datasets import shown_counts
from app.reports import PredictionReport, RunStarted
from models.translation import ngettext
from widgets.boundary_caption import BoundaryCaption
from widgets.numbers_text import count_text
from widgets.plot_style import color_axes
from widgets.prediction_map import (
    MAX_POINTS,
    PlotData,
    as_2d,
    boundary_segments,
    curve_color,
    grid_bounds_for,
    pixel_rect,
    prediction_colors,
    tint_strength,
)
from widgets.theme import Theme, class_colors, current_theme, mix

REDRAW_MS = 33  # at most ~30 redraws a second
TRAIN_SIZE = 9
VAL_SIZE = 10


class _SmoothImageItem(pg.ImageItem):
    """An ImageItem drawn with bilinear filtering: an 80x80 grid reads as a smooth map, not as
    blocks, on a large screen."""

    def paint(self, painter: QPainter, *args: object) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        super().paint(painter, *args)


class DecisionBoundaryWidget(QWidget):
    """The data points with the model's latest prediction drawn behind (map) or over (curve)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._data: PlotData | None = None
        self._report: PredictionReport | None = None
        self._dirty = False

        self._message = QLabel()
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._message.setText(
            self.tr("Pick a dataset with one or two inputs to see what the model predicts.")
        )

        self._plot = pg.PlotWidget()
        self._plot.setMinimumSize(200, 200)
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._plot.setMenuEnabled(False)
        self._plot.hideButtons()
        # A fixed map of the input range: no accidental panning with a presenter's clicker.
        self._plot.setMouseEnabled(x=False, y=False)
        plot_item = self._plot.getPlotItem()
        # Room above and to the right, so tick labels at the view's edges are not cut in half.
        plot_item.setContentsMargins(4, 12, 16, 4)

        # The "map": the grid's rectangle, in the plot background, over a shaded view (the
        # locked aspect shows more than the grid). It clips the image to the grid bounds.
        self._map = QGraphicsRectItem()
        self._map.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self._map.setZValue(-10)
        self._image = _SmoothImageItem(axisOrder="row-major")
        self._image.setParentItem(self._map)
        # The 0.5 line of two classes: segments in the image's pixel coordinates.
        self._boundary = pg.PlotCurveItem(connect="pairs")
        self._boundary.setParentItem(self._image)
        self._curve = pg.PlotDataItem()
        self._curve.setDownsampling(auto=True, method="peak")
        self._curve.setClipToView(True)
        self._curve.setZValue(10)
        self._train_scatter = pg.ScatterPlotItem(size=TRAIN_SIZE)
        self._val_scatter = pg.ScatterPlotItem(size=VAL_SIZE)
        # The points never move while a run draws maps behind them: paint them once, reuse.
        for scatter in (self._train_scatter, self._val_scatter):
            scatter.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        for item in (self._map, self._train_scatter, self._val_scatter, self._curve):
            plot_item.addItem(item)

        self._caption = BoundaryCaption()

        plot_page = QWidget()
        page_layout = QVBoxLayout(plot_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self._plot, 1)
        page_layout.addWidget(self._caption)
        self._stack = QStackedLayout()
        self._stack.addWidget(self._message)
        self._stack.addWidget(plot_page)
        layout = QVBoxLayout(self)
        layout.addLayout(self._stack)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer)

        self.set_theme(self._theme)

    # Public API

    def set_data(self, data: PlotData) -> None:
        """Show the dataset's points (drawn once) and forget any prediction."""
        x_train, x_val = as_2d(data.x_train), as_2d(data.x_val)
        classification = data.task_kind == "classification"
        inputs = x_train.shape[1]
        if (classification and inputs != 2) or (not classification and inputs != 1):
            self._data = None
            self._clear_prediction()
            self._message.setText(
                ngettext(
                    "The prediction map shows classification with two inputs and regression "
                    "with one input; this dataset has {count} input.",
                    "The prediction map shows classification with two inputs and regression "
                    "with one input; this dataset has {count} inputs.",
                    inputs,
                ).format(count=count_text(inputs))
            )
            self._stack.setCurrentIndex(0)
            return
        classes = data.classes
        if classification and classes <= 0:
            labels = np.concatenate([np.ravel(data.y_train), np.ravel(data.y_val)])
            classes = int(labels.max()) + 1 if labels.size else 1
        self._data = PlotData(
            x_train,
            np.ravel(data.y_train),
            x_val,
            np.ravel(data.y_val),
            data.task_kind,
            classes if classification else 0,
        )
        self._clear_prediction()
        self._draw_points()
        self._stack.setCurrentIndex(1)

    def add_prediction(self, report: PredictionReport) -> None:
        """Keep `report` as the latest prediction; it is drawn on the next timer tick."""
        if self._data is None or not self._fits(report):
            return
        self._report = report
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def redraw(self) -> None:
        """Draw the latest prediction if it changed (the timer calls this; tests may too)."""
        if not self._dirty:
            return
        self._dirty = False
        report, data = self._report, self._data
        if report is None or data is None:
            return
        if data.task_kind == "classification":
            values = np.asarray(report.values)
            t = self._theme
            colors = self._class_colors()
            rgb = prediction_colors(values, colors, t.plot_background, tint_strength(t))
            self._image.setImage(rgb, autoLevels=False, levels=(0, 255))
            self._image.setRect(pixel_rect(report.xs, report.ys))
            if values.shape[-1] == 2:
                ends = boundary_segments(np.nan_to_num(values[..., 1], nan=0.5))
                self._boundary.setData(ends[:, 0], ends[:, 1])
        else:
            self._curve.setData(np.asarray(report.xs), np.asarray(report.values))
        self._update_caption()

    def reset(self, run_started: RunStarted | None = None) -> None:
        """Forget the prediction (a new run starts); the points stay."""
        self._clear_prediction()

    def grid_bounds(self) -> tuple[float, float, float, float]:
        """The (x_min, x_max, y_min, y_max) the worker should predict over: the data's range,
        training and validation together, padded by 10%; y bounds are 0.0 for one input."""
        if self._data is None:
            return grid_bounds_for(np.empty((0, 2)))
        return grid_bounds_for(np.concatenate([self._data.x_train, self._data.x_val]))

    def export_png(self, path: str | Path) -> bool:
        """Save the plot and its caption as a PNG; False when it cannot be written."""
        self.redraw()
        return self.grab().save(str(path), "PNG")

    def set_theme(self, theme: Theme) -> None:
        """Recolour the plot, points, map and caption for `theme`."""
        self._theme = theme
        t = self._theme
        self._plot.setBackground(t.plot_background)
        color_axes(self._plot.getPlotItem(), t)
        edge = pg.mkPen(t.grid, width=1)
        edge.setCosmetic(True)
        self._map.setPen(edge)
        self._map.setBrush(pg.mkBrush(t.plot_background))
        boundary = QColor(t.plot_foreground)
        boundary.setAlphaF(0.7)
        self._boundary.setPen(pg.mkPen(boundary, width=t.line_width(2)))
        self._curve.setPen(pg.mkPen(curve_color(t), width=t.line_width(4)))
        self._train_scatter.setSize(t.marker_size(TRAIN_SIZE))
        self._val_scatter.setSize(t.marker_size(VAL_SIZE))
        if self._data is not None:
            self._draw_points()
            self._dirty = self._report is not None
            self.redraw()

    # Read-only views of what is shown (for tests and the window)

    def message(self) -> str:
        """The hint shown instead of the plot; empty while the plot is shown."""
        return "" if self._stack.currentIndex() == 1 else self._message.text()

    def caption_text(self) -> str:
        """The legend under the plot, as plain text."""
        return self._caption.plain_text()

    def prediction(self) -> PredictionReport | None:
        """The latest prediction kept (drawn at the next redraw); None before any."""
        return self._report

    @property
    def plot_item(self) -> pg.PlotItem:
        """The plot: its view box maps data coordinates and knows if the aspect is locked."""
        return self._plot.getPlotItem()

    @property
    def training_points(self) -> pg.ScatterPlotItem:
        """The training points, filled."""
        return self._train_scatter

    @property
    def validation_points(self) -> pg.ScatterPlotItem:
        """The validation points, hollow."""
        return self._val_scatter

    @property
    def prediction_image(self) -> pg.ImageItem:
        """The tinted prediction grid behind the points (image is None when there is none)."""
        return self._image

    @property
    def boundary_line(self) -> pg.PlotCurveItem:
        """The 0.5 line of two classes, as segments in the image's pixel coordinates."""
        return self._boundary

    @property
    def output_curve(self) -> pg.PlotDataItem:
        """The regression model's output over the input range."""
        return self._curve

    def map_rect(self) -> QRectF:
        """The grid's rectangle in data coordinates: where the prediction image is shown."""
        return self._map.rect()

    # Slots

    def _on_timer(self) -> None:
        if self.isVisible():
            self.redraw()
        # Hidden: stay dirty; showEvent draws when the user comes back.

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty and not self._timer.isActive():
            self._timer.start()

    # Helpers

    def _fits(self, report: PredictionReport) -> bool:
        """Whether `report` matches the data shown (a late report of an older run may not)."""
        values = np.asarray(report.values)
        width = len(report.xs)
        if self._data is None or width < 2:
            return False
        if self._data.task_kind == "classification":
            ys = report.ys
            return ys is not None and len(ys) >= 2 and values.shape[:2] == (len(ys), width)
        return values.shape == (width,)

    def _class_colors(self) -> list[str]:
        return class_colors(self._theme, self._data.classes if self._data else 0)

    def _clear_prediction(self) -> None:
        self._timer.stop()
        self._report = None
        self._dirty = False
        self._image.clear()
        self._boundary.setData([], [])
        self._curve.setData([], [])
        self._update_caption()

    def _draw_points(self) -> None:
        data = self._data
        assert data is not None
        t = self._theme
        k_train, k_val = shown_counts(len(data.x_train), len(data.x_val), MAX_POINTS)
        # The datasets come shuffled, so the first points are a fair sample.
        x_train, y_train = data.x_train[:k_train], data.y_train[:k_train]
        x_val, y_val = data.x_val[:k_val], data.y_val[:k_val]
        plot_item = self._plot.getPlotItem()
        x_min, x_max, y_min, y_max = self.grid_bounds()
        # A ring of background colour around each dot keeps it readable over any tint.
        halo = pg.mkPen(t.plot_background, width=t.outline_width(1.5))
        if data.task_kind == "classification":
            colors = self._class_colors()
            brushes = [pg.mkBrush(c) for c in colors]
            pens = [pg.mkPen(c, width=t.line_width(2.5)) for c in colors]
            self._train_scatter.setData(
                x=x_train[:, 0],
                y=x_train[:, 1],
                brush=[brushes[k % len(brushes)] for k in y_train.astype(int)],
                pen=halo,
            )
            self._val_scatter.setData(
                x=x_val[:, 0],
                y=x_val[:, 1],
                pen=[pens[k % len(pens)] for k in y_val.astype(int)],
                brush=pg.mkBrush(None),
            )
            plot_item.setLabel("bottom", self.tr("input 1"))
            plot_item.setLabel("left", self.tr("input 2"))
            plot_item.setAspectLocked(True)  # the input plane is geometric: circles stay round
            plot_item.getViewBox().setBackgroundColor(mix(t.plot_background, t.grid, 0.45))
            self._map.setRect(QRectF(x_min, y_min, x_max - x_min, y_max - y_min))
            self._map.show()
            view = (x_min, x_max, y_min, y_max)
        else:
            color = t.class_colors[0]
            self._train_scatter.setData(
                x=x_train[:, 0], y=y_train, brush=pg.mkBrush(color), pen=halo
            )
            self._val_scatter.setData(
                x=x_val[:, 0],
                y=y_val,
                pen=pg.mkPen(color, width=t.line_width(2.5)),
                brush=pg.mkBrush(None),
            )
            plot_item.setLabel("bottom", self.tr("x (input)"))
            plot_item.setLabel("left", self.tr("y (target)"))
            plot_item.setAspectLocked(False)
            plot_item.getViewBox().setBackgroundColor(None)
            self._map.hide()
            low, high, _, _ = grid_bounds_for(np.concatenate([data.y_train, data.y_val]))
            view = (x_min, x_max, low, high)
        # A fixed view: the map fills it and nothing jumps when predictions arrive.
        plot_item.disableAutoRange()
        plot_item.setRange(xRange=view[:2], yRange=view[2:], padding=0)
        self._update_caption()

    def _update_caption(self) -> None:
        # A prediction not yet drawn is not described.
        report = self._report if not self._dirty else None
        steps = None if report is None else report.steps_done
        self._caption.show_for(self._data, steps, self._theme)


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application
    from widgets.demo_data import demo_plot_data, demo_prediction

    app = demo_application()
    widget = DecisionBoundaryWidget()
    data = demo_plot_data("regression" if "regression" in sys.argv else "classification")
    widget.set_data(data)
    bounds = widget.grid_bounds()
    state = {"t": 0.0, "steps": 0}

    def _tick() -> None:
        state["t"] += 0.05
        state["steps"] += 25
        widget.add_prediction(demo_prediction(data, bounds, state["t"], state["steps"]))

    feed = QTimer()
    feed.timeout.connect(_tick)
    feed.start(50)
    widget.resize(700, 600)
    widget.setWindowTitle("DecisionBoundaryWidget")
    widget.show()
    sys.exit(app.exec())
