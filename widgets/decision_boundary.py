"""DecisionBoundaryWidget: what the model predicts over the data's input range, behind the points.

Two inputs, classification: each cell of the engine's grid is tinted with the predicted class's
colour, fainter where the model is less sure, as in TensorFlow Playground. One input, regression:
the fitted curve over the points. Training points are filled, validation points hollow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLocale, QRectF, Qt, QTimer
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

from app.datasets import Dataset, shown_counts
from app.reports import PredictionReport, RunStarted
from widgets.theme import Theme, class_colors, current_theme

REDRAW_MS = 33  # at most ~30 redraws a second
MAX_POINTS = 3000  # more points only slow every repaint; a fair sample shows the shape
PAD_FRACTION = 0.1  # the grid reaches 10% beyond the data on each side
# How far a sure cell goes from the background toward its class colour; less on the dark
# background, where the bright class colours would drown the points.
TINT_STRENGTH = 0.55
TINT_STRENGTH_DARK = 0.4
TRAIN_SIZE = 9
VAL_SIZE = 10


@dataclass(frozen=True)
class PlotData:
    """The points to draw: inputs (N, 2) or (N, 1), labels (N,) class indices or targets."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task_kind: str  # "classification" or "regression"
    classes: int = 0  # class count; 0 for regression

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> PlotData:
        """The arrays of a loaded Dataset."""
        task = dataset.task
        return cls(
            dataset.x_train,
            dataset.y_train,
            dataset.x_val,
            dataset.y_val,
            task.kind,
            task.outputs if task.is_classification else 0,
        )


def grid_bounds_for(x: np.ndarray) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the inputs `x` (N, 2) or (N, 1), padded by 10% of the
    range on each side; for one input the y bounds are 0.0. (-1, 1, -1, 1) when there is no
    finite point."""
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(len(x), -1) if x.ndim != 2 else x
    bounds: list[float] = []
    for column in range(2):
        if column >= x.shape[1]:
            bounds += [0.0, 0.0]
            continue
        values = x[:, column][np.isfinite(x[:, column])]
        if values.size == 0:
            bounds += [-1.0, 1.0]
            continue
        low, high = float(values.min()), float(values.max())
        pad = (high - low) * PAD_FRACTION if high > low else 1.0
        bounds += [low - pad, high + pad]
    return bounds[0], bounds[1], bounds[2], bounds[3]


def prediction_colors(
    probabilities: np.ndarray, colors: list[str], background: str, strength: float = TINT_STRENGTH
) -> np.ndarray:
    """(H, W, 3) uint8: each cell in its most probable class's colour, blended toward
    `background` by how sure the model is (1/K, a uniform guess, gives the background)."""
    p = np.nan_to_num(np.asarray(probabilities, dtype=np.float32), nan=0.0)
    if p.shape[-1] == 1:  # one sigmoid output: the probability of class 1
        p = np.concatenate([1.0 - p, p], axis=-1)
    k = p.shape[-1]
    winner = p.argmax(axis=-1)
    sure = np.clip((p.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0) * strength
    palette = np.array([QColor(colors[i % len(colors)]).getRgb()[:3] for i in range(k)], "f4")
    back = np.array(QColor(background).getRgb()[:3], dtype=np.float32)
    rgb = back + (palette[winner] - back) * sure[..., None]
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def boundary_segments(grid: np.ndarray, level: float = 0.5) -> np.ndarray:
    """(2S, 2) end points of the S segments along which `grid` (H, W) crosses `level`, in
    image pixel coordinates (cell (i, j)'s centre at x = j + 0.5, y = i + 0.5).

    Marching squares in numpy: pyqtgraph's IsocurveItem does it in Python loops, 7 ms for an
    80x80 grid, time the training thread would wait for the GIL."""
    f = np.asarray(grid, dtype=np.float64) - level
    if f.ndim != 2 or min(f.shape) < 2:
        return np.empty((0, 2))
    a, b, c, d = f[:-1, :-1], f[:-1, 1:], f[1:, 1:], f[1:, :-1]  # clockwise from top left
    i, j = np.mgrid[0 : a.shape[0], 0 : a.shape[1]] + 0.5
    above = [corner > 0 for corner in (a, b, c, d)]

    def crossing(v0: np.ndarray, v1: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nan_to_num(v0 / (v0 - v1))

    # Where each edge crosses the level: top (a-b), right (b-c), bottom (d-c), left (a-d).
    points = [
        np.stack([j + crossing(a, b), i], -1),
        np.stack([j + 1, i + crossing(b, c)], -1),
        np.stack([j + crossing(d, c), i + 1], -1),
        np.stack([j, i + crossing(a, d)], -1),
    ]
    cuts = [above[0] != above[1], above[1] != above[2], above[3] != above[2], above[0] != above[3]]
    count = sum(cut.astype(int) for cut in cuts)
    # A saddle (all four edges cut) joins the corners whose side the cell's centre is on.
    joined = (a + b + c + d > 0) == above[0]
    pairs = [
        ((0, 1), (count == 2) | ((count == 4) & joined)),
        ((2, 3), (count == 2) | ((count == 4) & joined)),
        ((0, 3), (count == 2) | ((count == 4) & ~joined)),
        ((1, 2), (count == 2) | ((count == 4) & ~joined)),
        ((0, 2), count == 2),
        ((1, 3), count == 2),
    ]
    segments = []
    for (e0, e1), allowed in pairs:
        mask = allowed & cuts[e0] & cuts[e1]
        segments.append(np.stack([points[e0][mask], points[e1][mask]], 1))
    return np.concatenate(segments).reshape(-1, 2)


def _count(n: int) -> str:
    locale = QLocale()
    locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    return locale.toString(n)


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

        self._caption = QLabel()
        self._caption.setWordWrap(True)
        self._caption.setTextFormat(Qt.TextFormat.RichText)

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
        x_train, x_val = _as_2d(data.x_train), _as_2d(data.x_val)
        classification = data.task_kind == "classification"
        inputs = x_train.shape[1]
        if (classification and inputs != 2) or (not classification and inputs != 1):
            self._data = None
            self._clear_prediction()
            self._message.setText(
                self.tr(
                    "The prediction map shows classification with two inputs and regression "
                    "with one input; this dataset has {0}."
                ).replace(
                    "{0}",
                    self.tr("1 input")
                    if inputs == 1
                    else self.tr("{0} inputs").replace("{0}", _count(inputs)),
                )
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
            strength = TINT_STRENGTH_DARK if t.dark else TINT_STRENGTH
            rgb = prediction_colors(values, self._class_colors(), t.plot_background, strength)
            self._image.setImage(rgb, autoLevels=False, levels=(0, 255))
            self._image.setRect(_pixel_rect(report.xs, report.ys))
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

    def set_theme(self, theme: Theme | None = None) -> None:
        """Recolour for `theme` (the application's current one when None)."""
        self._theme = theme or current_theme()
        t = self._theme
        self._plot.setBackground(t.plot_background)
        plot_item = self._plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = plot_item.getAxis(name)
            axis.setPen(pg.mkPen(t.plot_foreground))
            axis.setTextPen(pg.mkPen(t.plot_foreground))
        edge = pg.mkPen(t.grid, width=1)
        edge.setCosmetic(True)
        self._map.setPen(edge)
        self._map.setBrush(pg.mkBrush(t.plot_background))
        boundary = QColor(t.plot_foreground)
        boundary.setAlphaF(0.7)
        self._boundary.setPen(pg.mkPen(boundary, width=2))
        self._curve.setPen(pg.mkPen(_curve_color(t), width=4))
        if self._data is not None:
            self._draw_points()
            self._dirty = self._report is not None
            self.redraw()

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
        halo = pg.mkPen(t.plot_background, width=1.5)
        if data.task_kind == "classification":
            colors = self._class_colors()
            brushes = [pg.mkBrush(c) for c in colors]
            pens = [pg.mkPen(c, width=2.5) for c in colors]
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
            plot_item.getViewBox().setBackgroundColor(_mix(t.plot_background, t.grid, 0.45))
            self._map.setRect(QRectF(x_min, y_min, x_max - x_min, y_max - y_min))
            self._map.show()
            view = (x_min, x_max, y_min, y_max)
        else:
            color = t.class_colors[0]
            self._train_scatter.setData(
                x=x_train[:, 0], y=y_train, brush=pg.mkBrush(color), pen=halo
            )
            self._val_scatter.setData(
                x=x_val[:, 0], y=y_val, pen=pg.mkPen(color, width=2.5), brush=pg.mkBrush(None)
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
        data = self._data
        if data is None:
            self._caption.clear()
            return
        t = self._theme
        muted = t.muted_text
        n_train, n_val = len(data.x_train), len(data.x_val)
        parts = [
            _swatch("\u25cf", t.text)
            + _nowrap(self.tr("training ({0})").replace("{0}", _count(n_train)))
            + "&nbsp;&nbsp; "
            + _swatch("\u25cb", t.text)
            + _nowrap(self.tr("validation ({0})").replace("{0}", _count(n_val)))
        ]
        shown = sum(shown_counts(n_train, n_val, MAX_POINTS))
        if shown < n_train + n_val:
            parts[0] += _muted(
                " \u2014 " + self.tr("showing {0} of them").replace("{0}", _count(shown)), muted
            )
        report = self._report if not self._dirty else None
        if data.task_kind == "classification":
            colors = self._class_colors()
            parts.append(
                "&nbsp;&nbsp; ".join(
                    _swatch("\u25a0", colors[k])
                    + _nowrap(self.tr("class {0}").replace("{0}", str(k)))
                    for k in range(data.classes)
                )
            )
            if report is None:
                text = self.tr("The background shows the model's prediction once training runs.")
            else:
                text = self.tr(
                    "Background: the predicted class after {0} steps, fainter where the "
                    "model is less sure."
                ).replace("{0}", _count(report.steps_done))
        elif report is None:
            text = self.tr("The model's output appears as a line once training runs.")
        else:
            text = _swatch("<b>\u2501\u2501</b>", _curve_color(t)) + self.tr(
                "the model's output after {0} steps"
            ).replace("{0}", _count(report.steps_done))
        parts.append(_muted(text, muted) if report is None else text)
        self._caption.setText("<br>".join(parts))


def _as_2d(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), -1) if x.ndim != 2 else x


def _pixel_rect(xs: np.ndarray, ys: np.ndarray) -> QRectF:
    """The rectangle that puts pixel (i, j)'s centre on grid point (xs[j], ys[i])."""
    dx = (xs[-1] - xs[0]) / (len(xs) - 1)
    dy = (ys[-1] - ys[0]) / (len(ys) - 1)
    return QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))


def _curve_color(theme: Theme) -> str:
    return theme.class_colors[5]  # vermillion: stands apart from the blue points


def _swatch(symbol: str, color: str) -> str:
    return f'<span style="color:{color}">{symbol}</span>&nbsp;'


def _nowrap(text: str) -> str:
    """A legend entry that wraps as a whole, never between its words."""
    return text.replace(" ", "&nbsp;")


def _mix(first: str, second: str, amount: float) -> str:
    """The colour `amount` of the way from `first` to `second`."""
    a, b = QColor(first), QColor(second)
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    ).name()


def _muted(text: str, color: str) -> str:
    return f'<span style="color:{color}">{text}</span>'


# Demo: `python -m widgets.decision_boundary [regression]` animates a fake run.


def _demo_data(kind: str = "classification", seed: int = 0) -> PlotData:
    """Two moons (or a noisy sine), 300 training and 80 validation points."""
    rng = np.random.default_rng(seed)
    n = 380
    if kind == "classification":
        labels = np.arange(n) % 2
        angle = rng.uniform(0, np.pi, n)
        x = np.where(
            labels[:, None] == 0,
            np.c_[np.cos(angle), np.sin(angle)],
            np.c_[1 - np.cos(angle), 0.5 - np.sin(angle)],
        )
        x = x + rng.normal(0, 0.12, x.shape)
        return PlotData(x[:300], labels[:300], x[300:], labels[300:], kind, 2)
    x = rng.uniform(-3, 3, (n, 1))
    y = np.sin(x[:, 0]) + rng.normal(0, 0.15, n)
    return PlotData(x[:300], y[:300], x[300:], y[300:], kind, 0)


def _demo_report(
    data: PlotData, bounds: tuple[float, float, float, float], t: float, steps: int
) -> PredictionReport:
    """A rotating linear boundary (classification) or a sine fit that improves (regression)."""
    x_min, x_max, y_min, y_max = bounds
    xs = np.linspace(x_min, x_max, 80)
    if data.task_kind == "classification":
        ys = np.linspace(y_min, y_max, 80)
        gx, gy = np.meshgrid(xs, ys)
        score = 3.0 * ((gx - 0.5) * np.cos(t) + (gy - 0.25) * np.sin(t))
        p1 = 1.0 / (1.0 + np.exp(-score))
        return PredictionReport(steps, xs, ys, np.stack([1 - p1, p1], axis=-1))
    fit = 1.0 - np.exp(-t / 3.0)
    return PredictionReport(steps, xs, None, fit * np.sin(xs) + (1 - fit) * 0.3 * xs)


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    widget = DecisionBoundaryWidget()
    data = _demo_data("regression" if "regression" in sys.argv else "classification")
    widget.set_data(data)
    bounds = widget.grid_bounds()
    state = {"t": 0.0, "steps": 0}

    def _tick() -> None:
        state["t"] += 0.05
        state["steps"] += 25
        widget.add_prediction(_demo_report(data, bounds, state["t"], state["steps"]))

    feed = QTimer()
    feed.timeout.connect(_tick)
    feed.start(50)
    widget.resize(700, 600)
    widget.setWindowTitle("DecisionBoundaryWidget")
    widget.show()
    sys.exit(app.exec())
