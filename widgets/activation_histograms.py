"""ActivationHistogramWidget: how each layer's outputs are distributed over training.

The engine runs one fixed batch of training inputs through the model whenever it reports
histograms and counts every layer's outputs in bins fixed for the run (app.reports'
ActivationReport). A heatmap shows the chosen layer's outputs at every snapshot (x = step,
y = output value, colour = count), beside it the latest distribution as bars on the same value
axis, under it a sentence on what that layer's outputs say, and below every ReLU layer's dead
fraction and every Sigmoid or Tanh layer's saturated fraction over time. The snapshots are
kept as HistogramColumns, so a run of any length holds at most MAX_COLUMNS of them.
widgets.histogram_plots draws the heatmap and bars, widgets.activation_fractions the
fractions, widgets.activation_caption writes the sentence.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.reports import ActivationReport, RunStarted
from models.layers import CATALOG
from widgets.activation_caption import layer_caption
from widgets.activation_fractions import FractionPlot
from widgets.histogram_columns import HistogramColumns
from widgets.histogram_plots import HistogramFrame, HistogramPlots
from widgets.plot_style import color_figure
from widgets.theme import Theme, current_theme

REDRAW_MS = 200  # 5 Hz, as the loss plot: a heatmap redraw takes a share of a core from training
DEAD, SATURATED = "dead", "saturated"


class ActivationHistogramWidget(QWidget):
    """Live per-layer distributions of the outputs, with dead and saturated fractions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._names: tuple[str, ...] = ()
        self._edges: np.ndarray | None = None  # (layers, bins + 1), fixed for the run
        self._columns: HistogramColumns | None = None  # its norms hold each watched fraction
        self._watched: tuple[int, ...] = ()  # layers with a dead or saturated fraction
        self._latest: ActivationReport | None = None
        self._interval = 1  # steps between snapshots
        self._dirty = False

        self._layer_combo = QComboBox()
        self._layer_combo.setToolTip(
            self.tr("The layer whose outputs the heatmap, the bars and the sentence describe.")
        )
        self._layer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._layer_combo.setMinimumContentsLength(10)
        layer_label = QLabel(self.tr("Layer"))
        layer_label.setBuddy(self._layer_combo)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(layer_label)
        controls.addWidget(self._layer_combo, 1)
        controls.addStretch(1)
        self._controls = QWidget()
        self._controls.setLayout(controls)

        self._empty = QLabel()
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setMargin(24)

        self._plots = HistogramPlots(curves=False)
        self._plots.setMinimumHeight(130)  # with the caption and fractions, fits a 1024x600 window
        self._plots.set_kind(self.tr("output"))
        self._caption = QLabel()
        self._caption.setWordWrap(True)
        self._caption.setToolTip(self.tr("What the chosen layer's latest outputs say."))
        self._fractions = FractionPlot()
        self._fractions.link_to(self._plots.heatmap.getViewBox())

        # The page export_png saves: the plots, the sentence and the fractions.
        self._page = QWidget()
        self._page.setAutoFillBackground(True)
        page = QVBoxLayout(self._page)
        page.setContentsMargins(0, 0, 0, 4)
        page.setSpacing(2)
        page.addWidget(self._plots, 3)
        page.addWidget(self._caption)
        page.addWidget(self._fractions, 1)
        self._caption.setContentsMargins(8, 0, 8, 4)

        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._controls)
        layout.addWidget(self._stack, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_due)

        self._layer_combo.currentIndexChanged.connect(self._on_layer_changed)
        self._plots.fitRequested.connect(self._mark_dirty)

        self.set_theme(self._theme)
        self._show_empty(self.tr("Train to see each layer's outputs."))

    # Public API

    @property
    def heatmap(self) -> pg.ImageItem:
        """The heatmap: image[column, bin] = log(1 + mean count per snapshot)."""
        return self._plots.heatmap

    @property
    def latest_bars(self) -> pg.BarGraphItem:
        """The latest snapshot's distribution as horizontal bars (width = count)."""
        return self._plots.latest_bars

    @property
    def fraction_curves(self) -> tuple[pg.PlotDataItem, ...]:
        """One curve per ReLU (dead) and Sigmoid or Tanh (saturated) layer, in layer order."""
        return self._fractions.curves

    def fraction_legend(self) -> str:
        """The fractions' legend as a reader sees it: one "3 ReLU dead" per line."""
        return self._fractions.legend_text()

    def caption_text(self) -> str:
        """The sentence under the heatmap about the chosen layer ("" before a snapshot)."""
        return self._caption.text()

    def layer(self) -> int:
        """Index (into the model's layers) of the layer shown."""
        return max(self._layer_combo.currentIndex(), 0)

    def set_layer(self, index: int) -> None:
        """Show layer `index`, as choosing it in the Layer box does."""
        self._layer_combo.setCurrentIndex(index)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per heatmap column: first step, last step and how many snapshots it sums."""
        columns = self._columns
        if columns is None:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        n = columns.n
        return columns.first[:n].copy(), columns.last[:n].copy(), columns.snapshots[:n].copy()

    def column_counts(self) -> np.ndarray:
        """Summed counts (columns, bins) of the layer shown."""
        if self._columns is None:
            return np.zeros((0, 0))
        return self._columns.counts[: self._columns.n, self.layer()].copy()

    def set_theme(self, theme: Theme) -> None:
        """Colours and fonts for the plots and the sentence, from the app theme."""
        self._theme = theme
        self._plots.set_theme(theme)
        self._fractions.set_theme(theme)
        color_figure(self._page, theme)
        self._style_caption(alarming=False)
        self._mark_dirty()

    def export_png(self, path: str) -> bool:
        """Save the plots (or the empty-state text) as a PNG; False when it could not be written."""
        if self._dirty:
            self.redraw()
        return self._stack.currentWidget().grab().save(path, "PNG")

    # Slots

    def reset(self, run_started: RunStarted) -> None:
        """Get ready for this run's layers; a run that continues the last one keeps its
        snapshots and goes on from them."""
        names = tuple(f"{i} {kind}" for i, kind in enumerate(run_started.modules))
        if run_started.continues and self._columns is not None and names == self._names:
            return
        self._edges = None
        self._columns = None
        self._latest = None
        self._interval = 1
        self._set_names(names)
        self._show_empty(self.tr("The layers' first outputs arrive after a few training steps."))
        self._mark_dirty()

    def add_activations(self, report: ActivationReport) -> None:
        """Add the report's snapshot; bins are the ones of the run's first report."""
        counts = np.nan_to_num(np.asarray(report.counts, dtype=np.float64), nan=0.0, posinf=0.0)
        edges = np.asarray(report.edges, dtype=np.float64)
        if self._columns is None or self._edges is None or not np.array_equal(self._edges, edges):
            # A run's edges are fixed; other edges mean new bins (a continued run binned
            # afresh), which the old columns cannot be drawn with.
            self._start(report, edges)
        columns = self._columns
        assert columns is not None
        if columns.n and report.step <= columns.last[columns.n - 1]:
            return  # an older snapshot than one already shown
        dead = np.asarray(report.dead, dtype=np.float64)
        saturated = np.asarray(report.saturated, dtype=np.float64)
        # The fraction each layer is watched for, in the columns' norms: averaged per column
        # and merged with them, so the curves are as bounded as the heatmap.
        fractions = np.nan_to_num(np.where(np.isfinite(dead), dead, saturated), nan=0.0)
        columns.add(int(report.step), counts, fractions)
        if self._interval == 1 and columns.n > 1:
            # Steps between snapshots: the first gap seen (the engine snapshots every N steps).
            self._interval = max(int(columns.first[1] - columns.first[0]), 1)
        self._latest = report
        self._mark_dirty()

    def redraw(self) -> None:
        """Update the plot items from the snapshots (the timer does, when dirty and visible)."""
        self._dirty = False
        columns, latest, edges = self._columns, self._latest, self._edges
        if columns is None or latest is None or edges is None or columns.n == 0:
            self._plots.show_nothing()
            self._fractions.clear()
            self._caption.clear()
            return
        layer = min(self.layer(), columns.counts.shape[1] - 1)
        half = self._interval / 2
        steps = columns.centres()
        latest_counts = np.nan_to_num(np.asarray(latest.counts[layer], dtype=np.float64))
        self._plots.draw(
            HistogramFrame(
                mean_counts=columns.mean_counts(layer),
                steps=(columns.first[0] - half, columns.last[columns.n - 1] + half),
                edges=edges[layer],
                latest_counts=latest_counts,
                latest_step=int(latest.step),
                column_steps=steps,
                norms=np.zeros((columns.n, 0)),
            )
        )
        watched = list(self._watched)
        self._fractions.draw(steps, 100 * columns.mean_norms()[:, watched])
        caption = layer_caption(
            self._names[layer],
            latest_counts,
            edges[layer],
            float(latest.dead[layer]),
            float(latest.saturated[layer]),
        )
        self._caption.setText(caption.text)
        self._style_caption(caption.alarming)

    # Internals

    def _start(self, report: ActivationReport, edges: np.ndarray) -> None:
        layers, bins = np.shape(report.counts)
        self._edges = edges.copy()
        self._columns = HistogramColumns(layers, bins)
        self._interval = 1
        names = tuple(report.layer_names)
        if len(names) != layers:  # names missing: number the layers
            names = tuple(f"{i} ?" for i in range(layers))
        if names != self._names:
            self._set_names(names)
        dead = np.isfinite(np.asarray(report.dead, dtype=np.float64))
        saturated = np.isfinite(np.asarray(report.saturated, dtype=np.float64))
        self._watched = tuple(int(i) for i in np.flatnonzero(dead | saturated))
        labels = tuple(
            (self.tr("{0} dead") if dead[i] else self.tr("{0} saturated")).replace("{0}", names[i])
            for i in self._watched
        )
        self._fractions.set_layers(labels, self._watched)
        self._fractions.select(self.layer())
        self._fractions.setVisible(bool(self._watched))  # nothing can die or saturate
        self._plots.fit_view()
        self._stack.setCurrentWidget(self._page)
        self._controls.show()

    def _set_names(self, names: tuple[str, ...]) -> None:
        """Fill the Layer box; keep the choice for the same model, else the first activation."""
        keep = names == self._names and self._layer_combo.currentIndex() >= 0
        chosen = self.layer() if keep else _first_activation(names)
        self._names = names
        self._layer_combo.blockSignals(True)
        self._layer_combo.clear()
        self._layer_combo.addItems(list(names))
        self._layer_combo.setCurrentIndex(chosen if chosen < len(names) else 0)
        self._layer_combo.blockSignals(False)
        self._fractions.select(self.layer())
        self._plots.fit_view()

    def _style_caption(self, alarming: bool) -> None:
        color = self._theme.warning if alarming else self._theme.plot_foreground
        self._caption.setStyleSheet(f"color: {color}; background: transparent;")

    def _show_empty(self, text: str) -> None:
        self._empty.setText(text)
        self._stack.setCurrentWidget(self._empty)
        self._controls.hide()  # nothing to choose between yet

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _on_redraw_due(self) -> None:
        if self._dirty and self.isVisible():
            self.redraw()

    def _on_layer_changed(self, *_args: object) -> None:
        self._fractions.select(self.layer())
        self._plots.fit_view()
        self._mark_dirty()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._timer.start()


def _first_activation(names: tuple[str, ...]) -> int:
    """The first layer whose class is an activation ("1 ReLU"), else the first layer: its
    outputs are the ones that die or saturate."""
    for index, name in enumerate(names):
        kind = CATALOG.get(name.partition(" ")[2])
        if kind is not None and kind.category == "Activation":
            return index
    return 0


if __name__ == "__main__":
    # `python -m widgets.activation_histograms [dark]`: a made-up run whose second ReLU
    # slowly dies and whose Sigmoid saturates.
    import sys
    from dataclasses import replace

    from widgets.demo import demo_application
    from widgets.demo_data import FAKE_RUN

    app = demo_application()
    modules = ("Linear", "ReLU", "Linear", "ReLU", "Linear", "Sigmoid")
    names = tuple(f"{i} {kind}" for i, kind in enumerate(modules))
    bounds = {"ReLU": (0.0, 3.0), "Sigmoid": (0.0, 1.0), "Linear": (-3.0, 3.0)}
    edges = np.array([np.linspace(*bounds[kind], 41) for kind in modules])
    rng = np.random.default_rng(0)
    widget = ActivationHistogramWidget()
    widget.setWindowTitle("ActivationHistogramWidget")
    widget.resize(900, 600)
    widget.show()
    state = {"step": 0}

    def _tick() -> None:
        t = state["step"] / 4000
        counts, dead, saturated = [], [], []
        for index, kind in enumerate(modules):
            values = rng.normal(0.0, 1.0 + t, 1000)
            if kind == "ReLU":
                values = np.maximum(values - (t if index == 3 else 0.0), 0.0)
            elif kind == "Sigmoid":
                values = 1 / (1 + np.exp(-2 * values))
            clipped = np.clip(values, edges[index, 0], edges[index, -1])
            counts.append(np.histogram(clipped, edges[index])[0])
            dead.append(min(t / 2, 0.8) if index == 3 else 0.0 if kind == "ReLU" else np.nan)
            extreme = np.mean((values < 0.02) | (values > 0.98))
            saturated.append(extreme if kind == "Sigmoid" else np.nan)
        fractions = np.array(dead), np.array(saturated)
        widget.add_activations(
            ActivationReport(state["step"], names, np.array(counts, float), edges, *fractions)
        )
        state["step"] += 20

    QTimer.singleShot(1500, lambda: widget.reset(replace(FAKE_RUN, modules=modules)))
    feeder = QTimer()
    feeder.setInterval(60)
    feeder.timeout.connect(_tick)
    QTimer.singleShot(1600, feeder.start)
    sys.exit(app.exec())
