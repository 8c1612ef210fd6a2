"""GradientHistogramWidget: how each layer's gradients (or weights) are distributed over training.

A heatmap shows one layer's histogram at every snapshot (x = step, y = value, colour = count),
beside it the latest histogram as bars on the same value axis, and below it every layer's
gradient norm over time. Bins are fixed at run start, so columns stay comparable all run long.
Above them, the run's gradient-health alarms (widgets.alarm_banner), their layers marked in the
Layer box. This widget holds the run's snapshots and the controls; widgets.histogram_plots
draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gradient_health import Alarm
from app.reports import HistogramReport, RunStarted
from widgets.alarm_badge import badge_tooltip
from widgets.alarm_banner import AlarmBanner
from widgets.histogram_columns import HistogramColumns
from widgets.histogram_plots import HistogramFrame, HistogramPlots
from widgets.icons import icon
from widgets.theme import Theme, current_theme

REDRAW_MS = 200  # 5 Hz, as the loss plot: a heatmap redraw takes a share of a core from training
GRADIENTS, WEIGHTS = "gradients", "weights"


class GradientHistogramWidget(QWidget):
    """Live per-layer histograms of gradients or weights, with every layer's norm over time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: tuple[str, ...] = ()
        self._edges: dict[str, np.ndarray] = {}
        self._columns: dict[str, HistogramColumns] = {}
        self._latest: dict[str, np.ndarray] = {}
        self._latest_step = 0
        self._interval = 1  # steps between snapshots
        self._dirty = False
        self._alarms: tuple[Alarm, ...] = ()
        self._theme = current_theme()

        self._layer_combo = QComboBox()
        self._layer_combo.setToolTip(
            self.tr(
                "The layer whose distribution the heatmap and bars show (its position and kind)."
            )
        )
        self._layer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        # Eight characters ("0 Linear") at the least: the row then fits beside the Pause box
        # in the narrowest tab the plots allow; wider, the box stretches to the whole names.
        self._layer_combo.setMinimumContentsLength(8)
        self._gradients_button = QToolButton()
        self._gradients_button.setText(self.tr("Gradients"))
        self._gradients_button.setToolTip(
            self.tr(
                "Show the gradients: how hard each weight is pushed at each step. A spread "
                "that shrinks to a thin line at zero means the layer has stopped learning."
            )
        )
        self._weights_button = QToolButton()
        self._weights_button.setText(self.tr("Weights"))
        self._weights_button.setToolTip(
            self.tr("Show the weights themselves: how their values spread out as the model learns.")
        )
        self._kind_group = QButtonGroup(self)
        for button in (self._gradients_button, self._weights_button):
            button.setCheckable(True)
            self._kind_group.addButton(button)
        self._gradients_button.setChecked(True)

        # The alarms above the plots; the banner takes no room while there are none. Its
        # Pause box sits in the controls row, there before a run (it is ticked before Train)
        # as well as during it. No "Show" label before the toggles: without it the row fits
        # beside the box in a 600 px wide tab.
        self.banner = AlarmBanner(place_pause_box=False)
        self.banner.layerClicked.connect(self._on_alarm_clicked)

        layer_label = QLabel(self.tr("Layer"))
        layer_label.setBuddy(self._layer_combo)
        selectors = QHBoxLayout()
        selectors.setContentsMargins(0, 0, 0, 0)
        selectors.addWidget(layer_label)
        selectors.addWidget(self._layer_combo, 1)
        selectors.addSpacing(12)
        selectors.addWidget(self._gradients_button)
        selectors.addWidget(self._weights_button)
        self._selectors = QWidget()
        self._selectors.setLayout(selectors)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self._selectors, 1)
        controls.addSpacing(12)
        controls.addWidget(self.banner.pause_box)

        self._empty = QLabel()
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setMargin(24)

        self._plots = HistogramPlots()
        self._plots.set_kind(self._kind_text())

        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._plots)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.banner)
        layout.addWidget(self._stack, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_redraw_due)

        self._layer_combo.currentIndexChanged.connect(self._on_selection_changed)
        self._plots.fitRequested.connect(self._on_fit_requested)
        self._kind_group.buttonToggled.connect(self._on_selection_changed)

        self.set_theme(current_theme())
        self._show_empty(self.tr("Press Train to see how each layer's gradients are distributed."))

    # Public API

    @property
    def heatmap(self) -> pg.ImageItem:
        """The heatmap: image[column, bin] = log(1 + mean count per snapshot)."""
        return self._plots.heatmap

    @property
    def color_bar(self) -> pg.ColorBarItem:
        """The heatmap's colour scale, labelled in counts."""
        return self._plots.color_bar

    @property
    def latest_bars(self) -> pg.BarGraphItem:
        """The latest snapshot's histogram as horizontal bars (width = count)."""
        return self._plots.latest_bars

    @property
    def norm_curves(self) -> tuple[pg.PlotDataItem, ...]:
        """One norm-over-time curve per layer, in layer order."""
        return self._plots.norm_curves

    def layer(self) -> int:
        """Index (into RunStarted.layer_names) of the layer shown."""
        return max(self._layer_combo.currentIndex(), 0)

    def set_layer(self, index: int) -> None:
        """Show layer `index`, as choosing it in the Layer box does."""
        self._layer_combo.setCurrentIndex(index)

    def showing(self) -> str:
        """GRADIENTS or WEIGHTS."""
        return WEIGHTS if self._weights_button.isChecked() else GRADIENTS

    def set_showing(self, kind: str) -> None:
        """Show GRADIENTS or WEIGHTS, as the Show buttons do."""
        (self._weights_button if kind == WEIGHTS else self._gradients_button).setChecked(True)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per heatmap column: first step, last step and how many snapshots it sums."""
        columns = self._columns.get(self.showing())
        if columns is None:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        n = columns.n
        return columns.first[:n].copy(), columns.last[:n].copy(), columns.snapshots[:n].copy()

    def column_counts(self) -> np.ndarray:
        """Summed counts (columns, bins) of the layer and kind shown."""
        columns = self._columns.get(self.showing())
        if columns is None:
            return np.zeros((0, 0))
        return columns.counts[: columns.n, self.layer()].copy()

    def edges(self) -> np.ndarray | None:
        """Bin edges (B + 1,) of the layer and kind shown, fixed since the run's first report."""
        edges = self._edges.get(self.showing())
        return None if edges is None else edges[self.layer()]

    def show_alarms(self, alarms: Sequence[Alarm]) -> None:
        """Show the run's alarms in the banner and mark their layers in the Layer box; ()
        clears them."""
        self._alarms = tuple(alarms)
        self.banner.show_alarms(self._alarms)
        self._mark_alarmed_layers()

    def set_theme(self, theme: Theme) -> None:
        """Colours and fonts for the plots, from the app theme."""
        self._theme = theme
        self._plots.set_theme(theme)
        self.banner.set_theme(theme)
        self._mark_alarmed_layers()
        self._mark_dirty()

    def export_png(self, path: str) -> bool:
        """Save the plots (or the empty-state text) as a PNG; False when it could not be written."""
        if self._dirty:
            self.redraw()
        return self._stack.currentWidget().grab().save(path, "PNG")

    # Slots

    def reset(self, run_started: RunStarted) -> None:
        """Forget the last run and get ready for this one's layers (a continued run keeps its
        alarms)."""
        previous = self.layer()
        if not run_started.continues:
            self._alarms = ()
            self.banner.show_alarms(())
        self._names = tuple(run_started.layer_names)
        self._edges.clear()
        self._columns.clear()
        self._latest.clear()
        self._latest_step = 0
        self._interval = 1
        self._layer_combo.blockSignals(True)
        self._layer_combo.clear()
        self._layer_combo.addItems(list(self._names))
        self._layer_combo.setCurrentIndex(previous if previous < len(self._names) else 0)
        self._layer_combo.blockSignals(False)
        self._mark_alarmed_layers()
        self._plots.set_layers(self._names, self.layer())
        if self._names:  # empty axes would only show meaningless 0-1 ranges
            self._show_empty(self.tr("The first histograms arrive after a few training steps."))
        else:
            self._show_empty(self.tr("This model has no layers with weights, so no histograms."))
        self._mark_dirty()

    def add_histograms(self, report: HistogramReport) -> None:
        """Append the report's snapshots; bins are the ones of the run's first report."""
        steps = np.asarray(report.steps, dtype=np.int64)
        if not len(steps):
            return
        if not self._columns:
            self._start(report)
        data = {
            GRADIENTS: (report.grad_counts, report.grad_norms),
            WEIGHTS: (report.weight_counts, report.weight_norms),
        }
        for kind, (counts, norms) in data.items():
            columns = self._columns[kind]
            counts = np.nan_to_num(np.asarray(counts, dtype=np.float64), nan=0.0, posinf=0.0)
            norms = np.asarray(norms, dtype=np.float64)
            for index, step in enumerate(steps):
                columns.add(int(step), counts[index], norms[index])
            self._latest[kind] = counts[-1].copy()
        first = self._columns[GRADIENTS].first[0]
        if self._interval == 1 and steps[-1] > first:
            # Steps between snapshots: the first gap seen (the engine snapshots every N steps).
            later = steps[steps > first]
            self._interval = int(later[0] - first)
        self._latest_step = int(steps[-1])
        self._mark_dirty()

    def redraw(self) -> None:
        """Update the plot items from the buffers (the timer calls this when dirty and visible)."""
        self._dirty = False
        kind = self.showing()
        columns = self._columns.get(kind)
        if columns is None or columns.n == 0:
            self._plots.show_nothing()
            return
        layer = min(self.layer(), columns.counts.shape[1] - 1)
        half = self._interval / 2
        self._plots.draw(
            HistogramFrame(
                mean_counts=columns.mean_counts(layer),
                steps=(columns.first[0] - half, columns.last[columns.n - 1] + half),
                edges=self._edges[kind][layer],
                latest_counts=self._latest[kind][layer],
                latest_step=self._latest_step,
                column_steps=columns.centres(),
                norms=columns.mean_norms(),
            )
        )

    # Internals

    def _start(self, report: HistogramReport) -> None:
        layers, bins = report.grad_counts.shape[1:]
        self._edges[GRADIENTS] = np.asarray(report.grad_edges, dtype=np.float64).copy()
        self._edges[WEIGHTS] = np.asarray(report.weight_edges, dtype=np.float64).copy()
        self._columns = {kind: HistogramColumns(layers, bins) for kind in (GRADIENTS, WEIGHTS)}
        if len(self._names) != layers:  # no RunStarted seen: name layers by position
            self._names = tuple(f"{i}" for i in range(layers))
            self._layer_combo.blockSignals(True)
            self._layer_combo.clear()
            self._layer_combo.addItems(list(self._names))
            self._layer_combo.blockSignals(False)
            self._mark_alarmed_layers()
            self._plots.set_layers(self._names, self.layer())
        self._stack.setCurrentWidget(self._plots)
        self._selectors.show()

    def _combo_row(self, layer: int) -> int | None:
        """The Layer box's row of model layer `layer` (its names are "index Class"), or None
        when that layer has no parameters."""
        for row, name in enumerate(self._names):
            first = name.split(maxsplit=1)[0] if name else ""
            if first.isdigit() and int(first) == layer:
                return row
        return None

    def _mark_alarmed_layers(self) -> None:
        """A warning icon on each alarmed layer in the Layer box, its alarms as the tooltip."""
        by_row: dict[int, list[Alarm]] = {}
        for alarm in self._alarms:
            row = self._combo_row(alarm.layer)
            if row is not None:
                by_row.setdefault(row, []).append(alarm)
        warning = icon("warning", self._theme.warning)
        for row in range(self._layer_combo.count()):
            alarms = by_row.get(row)
            self._layer_combo.setItemIcon(row, warning if alarms else QIcon())
            self._layer_combo.setItemData(
                row, badge_tooltip(alarms) if alarms else None, Qt.ItemDataRole.ToolTipRole
            )

    def _on_alarm_clicked(self, layer: int) -> None:
        row = self._combo_row(layer)
        if row is not None:
            self.set_layer(row)

    def _kind_text(self) -> str:
        return self.tr("gradient") if self.showing() == GRADIENTS else self.tr("weight")

    def _show_empty(self, text: str) -> None:
        self._empty.setText(text)
        self._stack.setCurrentWidget(self._empty)
        self._selectors.hide()  # nothing to choose between yet

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _on_redraw_due(self) -> None:
        if self._dirty and self.isVisible():
            self.redraw()

    def _on_fit_requested(self) -> None:
        self._mark_dirty()

    def _on_selection_changed(self, *_args: object) -> None:
        self._plots.set_kind(self._kind_text())
        self._plots.select_layer(self.layer())
        self._plots.fit_view()
        self._mark_dirty()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._timer.start()


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application
    from widgets.demo_data import FAKE_RUN, fake_report

    app = demo_application()
    widget = GradientHistogramWidget()
    widget.setWindowTitle("GradientHistogramWidget")
    widget.resize(900, 600)
    widget.show()
    rng = np.random.default_rng(0)
    state = {"step": 0}

    def _tick() -> None:
        widget.add_histograms(fake_report(state["step"], 2, 10, rng))
        state["step"] += 20

    QTimer.singleShot(1500, lambda: widget.reset(FAKE_RUN))
    vanished = Alarm(
        0,
        "Linear",
        "vanishing",
        400,
        "gradients vanished",
        "gradients vanished: its gradient norm fell below 1e-7. Try ReLU, or a larger "
        "learning rate.",
    )
    QTimer.singleShot(4000, lambda: widget.show_alarms([vanished]))
    feeder = QTimer()
    feeder.setInterval(60)
    feeder.timeout.connect(_tick)
    QTimer.singleShot(1600, feeder.start)
    sys.exit(app.exec())
