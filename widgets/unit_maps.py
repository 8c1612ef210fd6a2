"""UnitMapsWidget: what each unit of a hidden layer responds to, over the input plane.

For two-input data: every unit of the chosen layer (up to 64) as a small heatmap, as in
TensorFlow Playground's neuron thumbnails, and the selected one large, with the data points
and the model's decision boundary over it, so a student sees how units compose the boundary.
Colours are diverging around 0, all on the layer's largest |value|, so units compare. Only
the latest report is kept. The thumbnails are widgets.unit_grid's, the large view
widgets.unit_view's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.reports import PredictionReport, RunStarted, UnitMapReport
from models.translation import ngettext
from widgets.histogram_plots import roomy_ceiling
from widgets.numbers_text import count_text
from widgets.plot_style import color_figure
from widgets.prediction_map import PlotData, as_2d, pixel_rect
from widgets.theme import Theme, current_theme
from widgets.unit_grid import UnitGrid
from widgets.unit_view import UnitView

REDRAW_MS = 200  # 5 Hz: the predictions that move its boundary line come at every epoch end


def layer_title(layer_name: str) -> str:
    """ "2 ReLU" as "Layer 2 (ReLU)"; a name without a class stays "Layer 2"."""
    index, _sep, kind = layer_name.partition(" ")
    if not kind:
        return QCoreApplication.translate("UnitMapsWidget", "Layer {0}").replace("{0}", index)
    text = QCoreApplication.translate("UnitMapsWidget", "Layer {0} ({1})")
    return text.replace("{0}", index).replace("{1}", kind)


class UnitMapsWidget(QWidget):
    """A chosen hidden layer's units as thumbnails, and the selected unit large beside them."""

    layerChosen = Signal(int)  # the user picked a layer (its index in the model)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._data: PlotData | None = None
        self._report: UnitMapReport | None = None
        self._prediction: PredictionReport | None = None
        # Two reasons there may be nothing to map: the window's (set_available) and data
        # without two inputs (set_data); the window's reason is the one shown.
        self._available = True
        self._unavailable = ""
        self._two_inputs = True
        self._scale = 1.0
        self._dirty = False

        self._layer_box = QComboBox()
        self._layer_box.setToolTip(
            self.tr(
                "The hidden layer whose units are shown: each thumbnail is one unit's output "
                "for every point of the input plane."
            )
        )
        self._layer_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._layer_box.setMinimumContentsLength(10)
        layer_label = QLabel(self.tr("&Layer"))
        layer_label.setBuddy(self._layer_box)
        controls_layout = QHBoxLayout()
        controls_layout.setContentsMargins(0, 0, 0, 0)
        controls_layout.addWidget(layer_label)
        controls_layout.addWidget(self._layer_box)
        controls_layout.addStretch(1)
        self._controls = QWidget()
        self._controls.setLayout(controls_layout)

        self._empty = QLabel()
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setMargin(24)

        self._grid = UnitGrid()
        self._grid.unitSelected.connect(self._on_unit_selected)
        self._view = UnitView()
        self._figure = QWidget()  # the thumbnails and the large view: what export_png saves
        self._figure.setAutoFillBackground(True)
        figure_layout = QHBoxLayout(self._figure)
        figure_layout.setContentsMargins(0, 0, 4, 0)
        figure_layout.setSpacing(8)
        # The large view gets more: the thumbnails are bound by the height on wide screens.
        figure_layout.addWidget(self._grid, 2)
        figure_layout.addWidget(self._view, 3)

        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._figure)
        layout = QVBoxLayout(self)
        layout.addWidget(self._controls)
        layout.addWidget(self._stack, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_due)
        self._layer_box.currentIndexChanged.connect(self._on_layer_box_changed)

        self.set_theme(self._theme)
        self._show_state()

    # Public API

    def set_data(self, data: PlotData) -> None:
        """Show the dataset's points on the large view; the maps shown are of older data
        and go. Data without exactly two inputs cannot be mapped."""
        x_train, x_val = as_2d(data.x_train), as_2d(data.x_val)
        self._drop_maps()
        self._prediction = None
        self._two_inputs = x_train.shape[1] == 2
        self._data = None
        if self._two_inputs:
            y_train, y_val = np.ravel(data.y_train), np.ravel(data.y_val)
            self._data = PlotData(x_train, y_train, x_val, y_val, data.task_kind, data.classes)
        self._view.show_points(self._data)
        self._show_state()

    def set_available(self, available: bool, reason: str = "") -> None:
        """Whether maps can be shown at all (the window's say); when not, only `reason` is
        shown and reports are ignored."""
        self._available = available
        self._unavailable = reason or self.tr("Hidden-unit maps need data with two inputs.")
        if not available:
            self._drop_maps()
        self._show_state()

    def set_layers(self, choices: Sequence[tuple[int, str]]) -> None:
        """The hidden layers to choose from, as (index in the model, "index Class"). The
        choice stays when that layer is still there, else the first is chosen; this emits no
        layerChosen (the window reads layer())."""
        current = self.layer()
        self._layer_box.blockSignals(True)
        self._layer_box.clear()
        for index, name in choices:
            self._layer_box.addItem(name, index)
        found = self._layer_box.findData(current) if current is not None else -1
        self._layer_box.setCurrentIndex(found if found >= 0 else 0)
        self._layer_box.blockSignals(False)
        report = self._report
        if report is not None and not any(
            (index, name) == (report.layer, report.layer_name) for index, name in choices
        ):
            self._drop_maps()  # maps of a layer that is gone or changed
        self._show_state()

    def layer(self) -> int | None:
        """The chosen layer's index in the model; None while there is none to choose."""
        index = self._layer_box.currentData()
        return None if index is None else int(index)

    def set_layer(self, layer: int) -> None:
        """Choose the layer with index `layer` in the model, as picking it in the box does."""
        found = self._layer_box.findData(layer)
        if found >= 0:
            self._layer_box.setCurrentIndex(found)

    def add_unit_maps(self, report: UnitMapReport) -> None:
        """Keep `report` as the latest maps (drawn on the next timer tick); one of another
        layer than the chosen one is ignored, as are reports while maps are unavailable."""
        if not self._can_map() or report.layer != self.layer() or not _fits(report):
            return
        self._report = report
        self._mark_dirty()

    def add_prediction(self, report: PredictionReport) -> None:
        """Keep the model's latest prediction: its 0.5 line is drawn over the large view."""
        if self._can_map():
            self._prediction = report
            self._mark_dirty()

    def selected_unit(self) -> int:
        """The unit shown large (0 until the user picks another)."""
        return self._grid.selected()

    def select_unit(self, unit: int) -> None:
        """Show unit `unit` large, as clicking its thumbnail does (kept within the units)."""
        self._grid.select(unit)
        self._draw_large()

    def reset(self, run_started: RunStarted | None = None) -> None:
        """A run starts: a fresh one forgets the maps and the prediction; one that continues
        the last run keeps them until its own arrive."""
        if run_started is not None and run_started.continues:
            return
        self._drop_maps()
        self._prediction = None
        self._show_state()

    def redraw(self) -> None:
        """Draw the latest report if it changed (the timer calls this; tests may too)."""
        if not self._dirty:
            return
        self._dirty = False
        report = self._report
        if report is None:
            return
        maps = np.asarray(report.maps)
        with np.errstate(all="ignore"):
            largest = float(np.nanmax(np.abs(np.where(np.isfinite(maps), maps, np.nan))))
        # One scale for every unit of the report, so that units compare; rounded up (by at
        # most a fifth), so that the colour bar reads in round numbers and the colours do not
        # flicker with every small change of the largest value.
        self._scale = roomy_ceiling(largest) if np.isfinite(largest) and largest > 0 else 1.0
        rect = pixel_rect(np.asarray(report.xs), np.asarray(report.ys))
        aspect = rect.width() / rect.height() if rect.height() else 1.0
        self._grid.show_maps(maps, self._scale, *self._summary_texts(report), aspect=aspect)
        self._draw_large()
        self._view.show_boundary(self._prediction)
        self._show_state()

    def set_theme(self, theme: Theme) -> None:
        """Recolour the thumbnails and the large view: map, colour bar, line and points."""
        self._theme = theme
        self._grid.set_theme(theme)
        self._view.set_theme(theme)
        color_figure(self._figure, theme)
        self._mark_dirty()

    def export_png(self, path: str | Path) -> bool:
        """Save the maps (or the hint shown instead) as a PNG; False when it cannot be written."""
        self.redraw()
        return self._stack.currentWidget().grab().save(str(path), "PNG")

    # Read-only views of what is shown (for tests and the window)

    def message(self) -> str:
        """The hint shown instead of the maps; empty while maps are shown."""
        return "" if self._stack.currentWidget() is self._figure else self._empty.text()

    def title(self) -> str:
        """The large view's title, "Layer 2 (ReLU), unit 3"; empty while no maps are shown."""
        return self._view.title() if self._report is not None else ""

    def summary(self) -> str:
        """The line above the thumbnails, e.g. "Showing 64 of 128 units ..."."""
        return self._grid.summary()

    def scale(self) -> float:
        """The colours run from -scale to +scale: the largest |value| of the maps shown,
        rounded up to a round number."""
        return self._scale

    def report(self) -> UnitMapReport | None:
        """The latest maps kept (drawn at the next redraw); None before any."""
        return self._report

    @property
    def unit_grid(self) -> UnitGrid:
        """The thumbnails: click one or use the keys to select it."""
        return self._grid

    @property
    def large_image(self) -> pg.ImageItem:
        """The selected unit's map, as its values (image is None while none is shown)."""
        return self._view.image

    @property
    def boundary_line(self) -> pg.PlotCurveItem:
        """The model's 0.5 line over the large view, as segments in input coordinates."""
        return self._view.boundary_line

    @property
    def data_points(self) -> pg.ScatterPlotItem:
        """The data points over the large view."""
        return self._view.data_points

    @property
    def color_bar(self) -> pg.ColorBarItem:
        """The scale beside the large view: its levels are (-scale, +scale)."""
        return self._view.color_bar

    @property
    def layer_box(self) -> QComboBox:
        """The layer chooser."""
        return self._layer_box

    # Slots

    def _on_layer_box_changed(self, _index: int) -> None:
        layer = self.layer()
        if layer is None:
            return
        self._drop_maps()  # the next report is of the new layer
        self._show_state()
        self.layerChosen.emit(layer)

    def _on_unit_selected(self, _unit: int) -> None:
        self._draw_large()

    def _on_redraw_due(self) -> None:
        if self._dirty and self.isVisible():
            self.redraw()
        # Hidden: stay dirty; showEvent draws when the user comes back.

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty and not self._timer.isActive():
            self._timer.start()

    # Helpers

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _drop_maps(self) -> None:
        """Forget the maps (only the latest report is ever kept)."""
        self._report = None
        self._grid.clear()
        self._view.clear()

    def _summary_texts(self, report: UnitMapReport) -> tuple[str, str]:
        """The line above the thumbnails, and when they were computed (shown where it fits)."""
        shown, total = len(report.maps), max(report.unit_count, len(report.maps))
        if shown < total:
            text = (
                self.tr("Showing {0} of {1} units")
                .replace("{0}", count_text(shown))
                .replace("{1}", count_text(total))
            )
        else:
            text = ngettext("{count} unit", "{count} units", total).format(count=count_text(total))
        steps = self.tr("after {0} steps").replace("{0}", count_text(report.steps_done))
        return text, steps

    def _draw_large(self) -> None:
        """The selected unit's map, large, under its title."""
        report = self._report
        if report is None:
            return
        unit = self._grid.selected()
        rect = pixel_rect(np.asarray(report.xs), np.asarray(report.ys))
        title = (
            self.tr("{0}, unit {1}")
            .replace("{0}", layer_title(report.layer_name))
            .replace("{1}", str(unit))
        )
        self._view.show_map(report.maps[unit], rect, self._scale, title)

    def _can_map(self) -> bool:
        return self._available and self._two_inputs

    def _show_state(self) -> None:
        """The maps, or the hint that says what to do to see them."""
        has_layers = self._layer_box.count() > 0
        self._controls.setVisible(self._can_map() and has_layers)
        if self._can_map() and has_layers and self._grid.count():
            self._stack.setCurrentWidget(self._figure)
            return
        if not self._available:
            text = self._unavailable
        elif not self._two_inputs:
            text = self.tr("Hidden-unit maps need data with two inputs.")
        elif not has_layers:
            text = self.tr("Add a hidden layer to see what its units respond to.")
        else:
            text = self.tr("Train to see what each hidden unit responds to.")
        self._empty.setText(text)
        self._stack.setCurrentWidget(self._empty)


def _fits(report: UnitMapReport) -> bool:
    """Whether the report's maps are (U, H, W) on its grid of at least 2 x 2 points."""
    maps = np.asarray(report.maps)
    height, width = len(report.ys), len(report.xs)
    shaped = maps.ndim == 3 and maps.shape[1:] == (height, width)
    return shaped and len(maps) > 0 and min(height, width) >= 2


if __name__ == "__main__":
    # `python -m widgets.unit_maps [dark]`: units of a made-up layer over two moons.
    import sys

    from widgets.demo import demo_application
    from widgets.demo_data import demo_plot_data, demo_prediction
    from widgets.prediction_map import grid_bounds_for

    app = demo_application()
    widget = UnitMapsWidget()
    data = demo_plot_data()
    widget.set_data(data)
    widget.set_layers([(1, "1 ReLU"), (3, "3 Tanh")])
    bounds = grid_bounds_for(np.concatenate([data.x_train, data.x_val]))
    rng = np.random.default_rng(0)
    directions = rng.normal(size=(96, 3))
    state = {"t": 0.0, "steps": 0}

    def _tick() -> None:
        state["t"] += 0.05
        state["steps"] += 25
        x_min, x_max, y_min, y_max = bounds
        xs, ys = np.linspace(x_min, x_max, 48), np.linspace(y_min, y_max, 48)
        gx, gy = np.meshgrid(xs, ys)
        w = directions * (1 + 0.3 * np.sin(state["t"] + np.arange(96)))[:, None]
        pre = w[:, :1, None] * gx + w[:, 1:2, None] * gy + w[:, 2:3, None]
        layer = widget.layer() or 1
        maps = np.maximum(pre, 0) if layer == 1 else np.tanh(pre)
        name = "1 ReLU" if layer == 1 else "3 Tanh"
        widget.add_unit_maps(
            UnitMapReport(state["steps"], layer, name, xs, ys, maps[:64].astype("f4"), 96)
        )
        widget.add_prediction(demo_prediction(data, bounds, state["t"], state["steps"]))

    feed = QTimer()
    feed.timeout.connect(_tick)
    feed.start(200)
    widget.resize(1000, 600)
    widget.setWindowTitle("UnitMapsWidget")
    widget.show()
    sys.exit(app.exec())
