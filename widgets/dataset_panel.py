"""DatasetPanel: pick a toy dataset, set its parameters and see the points before training."""

from __future__ import annotations

import random

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.datasets import DataConfig, Dataset, shown_counts
from app.datasets.toy import TOY_DATASETS, ToyDataset, check_config, generate_for_views
from app.experiment import RANGES
from app.gui.theme import class_colors, current_theme

MAX_PREVIEW_POINTS = 3000
PREVIEW_DELAY_MS = 120
ERROR_COLOR = "#D62728"


def _count(n: int) -> str:
    """A whole number with group separators ("200,000"), as the samples box shows it."""
    locale = QLocale()
    locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    return locale.toString(n)


class _PercentSpinBox(QDoubleSpinBox):
    """A percent box that shows "20 %" rather than "20.0 %", and "12.5 %" when needed."""

    def textFromValue(self, value: float) -> str:
        return self.locale().toString(round(value, self.decimals()), "g", 6)


class DatasetPanel(QWidget):
    """Chooses a toy dataset and its parameters; previews the generated points live."""

    dataChanged = Signal(object)  # DataConfig

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self._name = next(iter(TOY_DATASETS))
        self._foreground = "#404040"

        self._combo = QComboBox()
        for toy in TOY_DATASETS.values():
            self._combo.addItem(toy.title, toy.name)
        self._combo.setToolTip(self.tr("The toy dataset to train on. All are generated offline."))
        self._combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._combo.setMinimumContentsLength(10)

        self._description = QLabel()
        self._description.setWordWrap(True)
        self._description.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._task = QLabel()
        self._task.setWordWrap(True)

        low, high = RANGES["samples"]
        self._samples = QSpinBox()
        self._samples.setRange(int(low), int(high))
        self._samples.setSingleStep(100)
        self._samples.setGroupSeparatorShown(True)
        self._samples.setToolTip(
            self.tr("How many points to generate, training and validation together ({0}-{1}).")
            .replace("{0}", _count(int(low)))
            .replace("{1}", _count(int(high)))
        )

        low, high = RANGES["noise"]
        self._noise = QDoubleSpinBox()
        self._noise.setRange(low, high)
        self._noise.setDecimals(3)
        self._noise.setSingleStep(0.01)
        self._noise.setToolTip(
            self.tr(
                "Standard deviation of the random jitter added to each point (0-10). "
                "More noise makes the task harder. Switching dataset resets it."
            )
        )

        low, high = RANGES["classes"]
        self._classes = QSpinBox()
        self._classes.setRange(int(low), int(high))
        self._classes.setToolTip(self.tr("How many classes (or spiral arms) to make (2-10)."))

        low, high = RANGES["val_fraction"]
        self._val = _PercentSpinBox()
        self._val.setDecimals(1)
        self._val.setRange(low * 100, high * 100)
        self._val.setSingleStep(5)
        self._val.setSuffix(" %")
        self._val.setToolTip(
            self.tr(
                "Share of the points held back for validation (0-90 %). The model never "
                "trains on them; they show how well it generalises."
            )
        )

        low, high = RANGES["seed"]
        self._seed = QSpinBox()
        self._seed.setRange(int(low), int(high))
        self._seed.setToolTip(
            self.tr("Random seed: the same seed always gives the same points (0-2147483647).")
        )
        self._new_seed = QToolButton()
        self._new_seed.setText(self.tr("\u2684 New"))
        self._new_seed.setToolTip(self.tr("Pick a new random seed."))
        seed_row = QHBoxLayout()
        seed_row.setContentsMargins(0, 0, 0, 0)
        seed_row.addWidget(self._seed, 1)
        seed_row.addWidget(self._new_seed)

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.addRow(self.tr("Samples"), self._samples)
        self._form.addRow(self.tr("Noise"), self._noise)
        self._form.addRow(self.tr("Classes"), self._classes)
        self._form.addRow(self.tr("Validation"), self._val)
        self._form.addRow(self.tr("Seed"), seed_row)

        self._plot = pg.PlotWidget()
        self._plot.setMinimumHeight(220)
        self._plot.setMaximumHeight(400)  # square-ish in a dock; extra height goes below
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._plot.setMenuEnabled(False)
        self._train_scatter = pg.ScatterPlotItem(size=6, pen=None)
        self._val_scatter = pg.ScatterPlotItem(size=7, brush=None)
        self._plot.addItem(self._train_scatter)
        self._plot.addItem(self._val_scatter)

        self._caption = QLabel()
        self._caption.setWordWrap(True)
        self._caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._error = QLabel()
        self._error.setWordWrap(True)
        self._error.setStyleSheet(f"color: {ERROR_COLOR};")
        self._error.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._error.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self._combo)
        layout.addWidget(self._description)
        layout.addWidget(self._task)
        layout.addLayout(self._form)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._caption)
        layout.addWidget(self._error)
        layout.addStretch(0)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._on_preview_due)

        self._combo.currentIndexChanged.connect(self._on_dataset_changed)
        self._samples.valueChanged.connect(self._on_edited)
        self._noise.valueChanged.connect(self._on_edited)
        self._classes.valueChanged.connect(self._on_edited)
        self._val.valueChanged.connect(self._on_edited)
        self._seed.valueChanged.connect(self._on_edited)
        self._new_seed.clicked.connect(self._on_new_seed)

        self.set_plot_colors("#FFFFFF", self._foreground)
        self.set_config(DataConfig())

    # Public API

    def config(self) -> DataConfig:
        """The config the panel shows."""
        return DataConfig(
            name=self._name,
            samples=self._samples.value(),
            noise=round(self._noise.value(), self._noise.decimals()),
            classes=self._classes.value(),
            val_fraction=round(self._val.value() / 100, 4),
            seed=self._seed.value(),
        )

    def set_config(self, config: DataConfig) -> None:
        """Show `config` without emitting dataChanged."""
        self._updating = True
        try:
            self._name = config.name
            self._combo.setCurrentIndex(self._combo.findData(config.name))
            self._samples.setValue(config.samples)
            self._noise.setValue(config.noise)
            self._classes.setValue(config.classes)
            self._val.setValue(config.val_fraction * 100)
            self._seed.setValue(config.seed)
        finally:
            self._updating = False
        self._refresh_labels()
        self._timer.start()

    def set_plot_colors(self, background: str, foreground: str) -> None:
        """Restyle the preview for the theme: background colour, axes and text colour."""
        self._foreground = foreground
        self._plot.setBackground(background)
        for name in ("left", "bottom"):
            axis = self._plot.getAxis(name)
            axis.setPen(pg.mkPen(foreground))
            axis.setTextPen(pg.mkPen(foreground))
        self._timer.start()

    # Slots

    def _on_dataset_changed(self, index: int) -> None:
        if self._updating or index < 0:
            return
        self._name = self._combo.itemData(index)
        self._updating = True
        try:
            self._noise.setValue(TOY_DATASETS[self._name].default_noise)
        finally:
            self._updating = False
        self._on_edited()

    def _on_edited(self, *_args: object) -> None:
        if self._updating:
            return
        self._refresh_labels()
        self._timer.start()
        self.dataChanged.emit(self.config())

    def _on_new_seed(self) -> None:
        current = self._seed.value()
        seed = current
        while seed == current:
            seed = random.randint(0, self._seed.maximum())
        self._seed.setValue(seed)  # emits through valueChanged -> _on_edited

    def _on_preview_due(self) -> None:
        config = self.config()
        problem = check_config(config)
        self._error.setVisible(problem is not None)
        self._plot.setVisible(problem is None)
        self._caption.setVisible(problem is None)
        if problem:
            self._error.setText(self.tr("Cannot preview: {0}.").replace("{0}", problem))
            return
        self._draw(generate_for_views(config))

    # Helpers

    def _toy(self) -> ToyDataset | None:
        return TOY_DATASETS.get(self._name)

    def _refresh_labels(self) -> None:
        toy = self._toy()
        self._description.setVisible(toy is not None)
        self._task.setVisible(toy is not None)
        if toy is None:
            self._form.setRowVisible(self._classes, False)
            return
        self._description.setText(toy.description)
        self._task.setText(self._task_text(toy))
        label = self._form.labelForField(self._classes)
        if toy.classes_label == "arms":
            label.setText(self.tr("Arms"))
        else:
            label.setText(self.tr("Classes"))
        self._form.setRowVisible(self._classes, toy.classes_label is not None)

    def _task_text(self, toy: ToyDataset) -> str:
        n = toy.input_dim
        inputs = self.tr("1 input") if n == 1 else self.tr("{0} inputs").replace("{0}", str(n))
        task = toy.task(self._classes.value())
        if task.is_classification:
            return (
                self.tr("Classification, {0} classes, {1}")
                .replace("{0}", str(task.outputs))
                .replace("{1}", inputs)
            )
        return self.tr("Regression, {0}").replace("{0}", inputs)

    def _class_colors(self) -> list[str]:
        return class_colors(current_theme(), RANGES["classes"][1], self._foreground)

    def _draw(self, data: Dataset) -> None:
        """Update the two scatter items in place with a deterministic subsample."""
        n_train, n_val = len(data.x_train), len(data.x_val)
        total = n_train + n_val
        subsampled = total > MAX_PREVIEW_POINTS
        k_train, k_val = shown_counts(n_train, n_val, MAX_PREVIEW_POINTS)
        x_train, y_train = data.x_train[:k_train], data.y_train[:k_train]
        x_val, y_val = data.x_val[:k_val], data.y_val[:k_val]

        classification = data.task.is_classification
        if classification:
            colors = self._class_colors()
            brushes = np.array([pg.mkBrush(c) for c in colors], dtype=object)
            pens = np.array([pg.mkPen(c, width=1.5) for c in colors], dtype=object)
            train_brush = list(brushes[y_train % len(colors)])
            val_pen = list(pens[y_val % len(colors)])
            self._train_scatter.setData(x=x_train[:, 0], y=x_train[:, 1], brush=train_brush)
            self._val_scatter.setData(
                x=x_val[:, 0], y=x_val[:, 1], pen=val_pen, brush=pg.mkBrush(None)
            )
            self._plot.setLabel("bottom", self.tr("input 1"))
            self._plot.setLabel("left", self.tr("input 2"))
        else:
            color = current_theme().class_colors[0]
            self._train_scatter.setData(x=x_train[:, 0], y=y_train[:, 0], brush=pg.mkBrush(color))
            self._val_scatter.setData(
                x=x_val[:, 0],
                y=y_val[:, 0],
                pen=pg.mkPen(color, width=1.5),
                brush=pg.mkBrush(None),
            )
            self._plot.setLabel("bottom", self.tr("x (input)"))
            self._plot.setLabel("left", self.tr("y (target)"))
        # Input space is geometric for 2-D classification: keep circles round.
        self._plot.setAspectLocked(classification)
        self._plot.enableAutoRange()

        lines = [
            self.tr("\u25cf filled: training ({0})").replace("{0}", _count(n_train)),
            self.tr("\u25cb hollow: validation ({0})").replace("{0}", _count(n_val)),
        ]
        if subsampled:
            drawn = k_train + k_val
            lines.append(
                self.tr("Showing {0} of {1} points.")
                .replace("{0}", _count(drawn))
                .replace("{1}", _count(total))
            )
        self._caption.setText("\n".join(lines))


if __name__ == "__main__":
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    panel = DatasetPanel()
    panel.dataChanged.connect(lambda config: print(config))
    panel.resize(340, 720)
    panel.setWindowTitle("DatasetPanel")
    panel.show()
    sys.exit(app.exec())
