"""TrainingPanel: the training settings of an experiment (a TrainConfig), torch-free.

The panel shows a TrainConfig and emits a whole new one on every user edit. It never checks
what the machine can run itself: the window tells it the devices and the dtype problems once
torch has loaded (`set_devices`), and until then the configured device is shown as "checking".
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette, QStandardItemModel, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.experiment import RANGES, TrainConfig
from app.options import DTYPES, LOSSES, OPTIMIZERS

WARNING_COLOR = QColor(196, 84, 0)  # orange-red: readable on light and dark themes


class _TrimmedSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox that shows 0.01 as "0.01" (not "0.010000") and accepts "3e-4"."""

    _PARTIAL = re.compile(r"^\+?\d*\.?\d*(e[+-]?\d*)?$", re.IGNORECASE)

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}".rstrip("0").rstrip(".")
        return (text or "0").replace(".", self.locale().decimalPoint())

    def valueFromText(self, text: str) -> float:
        try:
            return float(self._plain(text))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        plain = self._plain(text)
        if not self._PARTIAL.match(plain):
            return QValidator.State.Invalid, text, pos
        try:
            value = float(plain)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def _plain(self, text: str) -> str:
        return text.strip().replace(self.locale().decimalPoint(), ".")


class _LadderSpinBox(_TrimmedSpinBox):
    """For rates spanning many decades: the arrows walk 1-2-5 steps (0.01, 0.02, 0.05, 0.1)."""

    def __init__(self, minimum: float, maximum: float, lowest_step: float) -> None:
        super().__init__()
        self.setDecimals(10)
        self.setRange(minimum, maximum)
        self._ladder = [0.0] if minimum <= 0 else []
        for exponent in range(-12, 4):
            for mantissa in (1, 2, 5):
                value = float(f"{mantissa}e{exponent}")
                if max(minimum, lowest_step) <= value <= maximum:
                    self._ladder.append(value)

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            if steps > 0:
                higher = [v for v in self._ladder if v > value * (1 + 1e-9)]
                value = higher[0] if higher else self.maximum()
            else:
                lower = [v for v in self._ladder if v < value * (1 - 1e-9)]
                value = lower[-1] if lower else self.minimum()
        self.setValue(value)
        self.selectAll()


class _DoublingSpinBox(QSpinBox):
    """For batch sizes: the arrows double and halve (32, 64, 128) instead of adding one."""

    def stepBy(self, steps: int) -> None:
        value = round(self.value() * 2.0**steps)
        self.setValue(max(self.minimum(), min(self.maximum(), value)))
        self.selectAll()


class _ElidingComboBox(QComboBox):
    """A combo box that elides a long current text ("NVIDIA GeForce RTX…") instead of clipping
    it, and paints it in the current item's foreground colour (used for warnings)."""

    def paintEvent(self, event: object) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, field.width()
        )
        color = self.currentData(Qt.ItemDataRole.ForegroundRole)
        if color is not None:
            option.palette.setColor(QPalette.ColorRole.ButtonText, QColor(color))
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class TrainingPanel(QWidget):
    """Edits a TrainConfig; emits `trainChanged(TrainConfig)` for every user edit."""

    trainChanged = Signal(object)

    def __init__(self, config: TrainConfig | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._config = config or TrainConfig()
        self._devices: list[tuple[str, str]] | None = None  # None until torch has looked
        self._dtype_problems: dict[tuple[str, str], str] = {}
        self._updating = False
        self._running = False
        self._build()
        self._show(self._config)

    # ----------------------------------------------------------------------------------- API

    def config(self) -> TrainConfig:
        return self._config

    def set_config(self, config: TrainConfig) -> None:
        """Show `config` without emitting."""
        self._config = config
        self._show(config)

    def set_devices(
        self, devices: list[tuple[str, str]], dtype_problems: dict[tuple[str, str], str]
    ) -> None:
        """Devices this machine has, as (id, label), and why a (device, dtype) cannot run."""
        self._devices = list(devices)
        self._dtype_problems = dict(dtype_problems)
        self._show(self._config)

    def set_running(self, running: bool) -> None:
        """While a run trains, only the learning rate can change (it takes effect at once)."""
        self._running = running
        reason = self.tr("Stop the run to change this; the learning rate can change now.")
        for field in self._locked_while_running():
            field.setEnabled(not running)
            field.setStatusTip(reason if running else "")
        self._refresh()

    def _locked_while_running(self) -> list[QWidget]:
        return [
            self._device,
            self._dtype,
            self._loss,
            self._optimizer,
            self._weight_decay,
            self._batch_size,
            self._epochs,
            self._histogram_every,
            self._seed,
            self._new_seed,
            self._deterministic,
        ]

    def set_task_kind(self, kind: str | None) -> None:
        """Name the loss that "Automatic" stands for: kind is "classification" or "regression"."""
        index = self._loss.findData("auto")
        if kind == "classification":
            text = self.tr("Auto: cross-entropy")
        elif kind == "regression":
            text = self.tr("Auto: MSE")
        else:
            text = self.tr("Auto (from the data)")
        self._loss.setItemText(index, text)

    # ------------------------------------------------------------------------------ building

    def _build(self) -> None:
        layout = QVBoxLayout(self)

        hardware = self._group(layout, self.tr("Hardware"))
        self._device = self._combo()
        self._add_row(
            hardware,
            self.tr("Device"),
            self._device,
            self.tr("Where the network trains: the CPU or a GPU."),
        )
        self._dtype = self._combo()
        for name in DTYPES:
            self._dtype.addItem(self._dtype_text(name), name)
        self._add_row(
            hardware,
            self.tr("Precision"),
            self._dtype,
            self.tr("The number format the network computes in (dtype)."),
        )
        self._hardware_warning = self._warning_label()
        hardware.addRow(self._hardware_warning)

        optimizer = self._group(layout, self.tr("Loss and optimizer"))
        self._loss = self._combo()
        for name in LOSSES:
            self._loss.addItem(self._loss_text(name), name)
            self._set_item_tooltip(self._loss, name, self._loss_tooltip(name))
        self.set_task_kind(None)
        self._add_row(
            optimizer,
            self.tr("Loss"),
            self._loss,
            self.tr("What the training minimises; Auto picks it from the dataset."),
        )
        self._optimizer = self._combo()
        for name in OPTIMIZERS:
            self._optimizer.addItem(self._optimizer_text(name), name)
            self._set_item_tooltip(self._optimizer, name, self._optimizer_tooltip(name))
        self._add_row(
            optimizer,
            self.tr("Optimizer"),
            self._optimizer,
            self.tr("How the weights move along the gradients."),
        )
        low, high = RANGES["learning_rate"]
        self._learning_rate = _LadderSpinBox(low, high, low)
        self._add_row(
            optimizer,
            self.tr("Learning rate"),
            self._learning_rate,
            self.tr(
                "Size of each update ({low:g} to {high:g}). Arrows step 1-2-5 (0.01, 0.02, 0.05); "
                "typing 3e-4 works too. Typical: 0.001 for Adam, 0.01 to 0.1 for SGD."
            ).format(low=low, high=high),
        )
        low, high = RANGES["momentum"]
        self._momentum = _TrimmedSpinBox()
        self._momentum.setDecimals(3)
        self._momentum.setRange(low, high)
        self._momentum.setSingleStep(0.01)
        self._add_row(optimizer, self.tr("Momentum"), self._momentum, "")
        self._nesterov = QCheckBox(self.tr("Nesterov"))
        optimizer.addRow("", self._nesterov)
        low, high = RANGES["weight_decay"]
        self._weight_decay = _LadderSpinBox(low, high, 1e-6)
        self._add_row(
            optimizer,
            self.tr("Weight decay"),
            self._weight_decay,
            self.tr(
                "Pulls the weights towards zero each step ({low:g} to {high:g}); 0 turns it off. "
                "Typical: 0.0001 to 0.01."
            ).format(low=low, high=high),
        )
        self._optimizer_warning = self._warning_label()
        optimizer.addRow(self._optimizer_warning)

        schedule = self._group(layout, self.tr("Schedule"))
        low, high = RANGES["batch_size"]
        self._batch_size = _DoublingSpinBox()
        self._batch_size.setRange(low, high)
        self._add_row(
            schedule,
            self.tr("Batch size"),
            self._batch_size,
            self.tr("Samples per update ({low} to {high}); the arrows double and halve it.").format(
                low=low, high=high
            ),
        )
        low, high = RANGES["epochs"]
        self._epochs = QSpinBox()
        self._epochs.setRange(low, high)
        self._epochs.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self._add_row(
            schedule,
            self.tr("Epochs"),
            self._epochs,
            self.tr("Passes over the training data ({low} to {high}).").format(low=low, high=high),
        )
        low, high = RANGES["histogram_every"]
        self._histogram_every = QSpinBox()
        self._histogram_every.setRange(low, high)
        self._histogram_every.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self._histogram_every.setSuffix(self.tr(" steps"))
        self._add_row(
            schedule,
            self.tr("Histogram every"),
            self._histogram_every,
            self.tr(
                "Steps between gradient and weight histograms ({low} to {high}); "
                "fewer histograms train faster."
            ).format(low=low, high=high),
        )

        reproducibility = self._group(layout, self.tr("Reproducibility"))
        low, high = RANGES["seed"]
        self._seed = QSpinBox()
        self._seed.setRange(low, high)
        self._new_seed = QToolButton()
        self._new_seed.setText(self.tr("New"))
        self._new_seed.setToolTip(self.tr("Pick a new random seed."))
        seed_row = QWidget()
        seed_layout = QHBoxLayout(seed_row)
        seed_layout.setContentsMargins(0, 0, 0, 0)
        seed_layout.addWidget(self._seed, 1)
        seed_layout.addWidget(self._new_seed)
        self._add_row(
            reproducibility,
            self.tr("Seed"),
            seed_row,
            self.tr(
                "Seeds the data, the starting weights and the shuffling ({low} to {high}): "
                "the same seed repeats the same run."
            ).format(low=low, high=high),
        )
        self._seed.setToolTip(seed_row.toolTip())
        reproducibility.labelForField(seed_row).setBuddy(self._seed)
        self._deterministic = QCheckBox(self.tr("Deterministic"))
        self._deterministic.setToolTip(
            self.tr("Use deterministic algorithms (GPU runs repeat exactly; slower)")
        )
        reproducibility.addRow("", self._deterministic)
        layout.addStretch(1)
        self._align_labels()

        self._device.currentIndexChanged.connect(self._on_device_changed)
        for name, combo in (
            ("dtype", self._dtype),
            ("optimizer", self._optimizer),
            ("loss", self._loss),
        ):
            combo.currentIndexChanged.connect(partial(self._on_combo_changed, name, combo))
        for name, box in (
            ("learning_rate", self._learning_rate),
            ("momentum", self._momentum),
            ("weight_decay", self._weight_decay),
            ("batch_size", self._batch_size),
            ("epochs", self._epochs),
            ("seed", self._seed),
            ("histogram_every", self._histogram_every),
        ):
            box.valueChanged.connect(partial(self._on_value_changed, name))
        self._nesterov.toggled.connect(partial(self._on_value_changed, "nesterov"))
        self._deterministic.toggled.connect(partial(self._on_value_changed, "deterministic"))
        self._new_seed.clicked.connect(self._on_new_seed_clicked)

    def _group(self, layout: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # In a narrow dock with a big font a field goes below its label instead of clipping.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.addWidget(box)
        return form

    def _align_labels(self) -> None:
        """Give every group's labels one width, so all fields start at the same x."""
        labels = [
            form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            for box in self.findChildren(QGroupBox)
            for form in [box.layout()]
            for row in range(form.rowCount())
            if form.itemAt(row, QFormLayout.ItemRole.LabelRole) is not None
        ]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def _add_row(self, form: QFormLayout, label: str, field: QWidget, tooltip: str) -> None:
        form.addRow(label, field)
        field.setToolTip(tooltip)
        form.labelForField(field).setToolTip(tooltip)

    @staticmethod
    def _combo() -> QComboBox:
        combo = _ElidingComboBox()
        # Long labels (GPU names) elide instead of widening a narrow dock; the popup shows all.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    @staticmethod
    def _warning_label() -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        palette = label.palette()
        palette.setColor(label.foregroundRole(), WARNING_COLOR)
        label.setPalette(palette)
        label.hide()
        return label

    @staticmethod
    def _set_item_tooltip(combo: QComboBox, data: str, tooltip: str) -> None:
        combo.setItemData(combo.findData(data), tooltip, Qt.ItemDataRole.ToolTipRole)

    # ------------------------------------------------------------------------------- showing

    def _show(self, config: TrainConfig) -> None:
        self._updating = True
        try:
            self._fill_devices(config.device)
            self._dtype.setCurrentIndex(self._dtype.findData(config.dtype))
            self._optimizer.setCurrentIndex(self._optimizer.findData(config.optimizer))
            self._loss.setCurrentIndex(self._loss.findData(config.loss))
            self._learning_rate.setValue(config.learning_rate)
            self._momentum.setValue(config.momentum)
            self._nesterov.setChecked(config.nesterov)
            self._weight_decay.setValue(config.weight_decay)
            self._batch_size.setValue(config.batch_size)
            self._epochs.setValue(config.epochs)
            self._seed.setValue(config.seed)
            self._deterministic.setChecked(config.deterministic)
            self._histogram_every.setValue(config.histogram_every)
        finally:
            self._updating = False
        self._refresh()

    def _fill_devices(self, selected: str) -> None:
        """List the known devices, plus the selected one marked if this machine lacks it."""
        self._device.clear()
        if self._devices is None:
            self._device.addItem(self.tr("{id} (checking…)").format(id=selected), selected)
            self._device.setItemData(
                0,
                self.tr("Checking which devices this machine has…"),
                Qt.ItemDataRole.ToolTipRole,
            )
        else:
            for device_id, label in self._devices:
                self._device.addItem(label, device_id)
                self._device.setItemData(
                    self._device.count() - 1,
                    f"{label} ({device_id})",
                    Qt.ItemDataRole.ToolTipRole,
                )
            if self._device.findData(selected) < 0:
                index = self._device.count()
                self._device.addItem(
                    self.tr("{id} (not available on this machine)").format(id=selected), selected
                )
                self._device.setItemData(index, WARNING_COLOR, Qt.ItemDataRole.ForegroundRole)
                self._device.setItemData(
                    index, self._absent_text(selected), Qt.ItemDataRole.ToolTipRole
                )
        self._device.setCurrentIndex(self._device.findData(selected))

    def _refresh(self) -> None:
        """Enable what applies to the current choices and say why the rest does not."""
        config = self._config
        model = self._dtype.model()
        assert isinstance(model, QStandardItemModel)
        dtype_warning = ""
        for row, name in enumerate(DTYPES):
            item = model.item(row)
            problem = self._dtype_problems.get((config.device, name))
            flags = item.flags()
            if problem:
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(problem + "\n" + self._dtype_tooltip(name))
                if name == config.dtype:
                    dtype_warning = problem
            else:
                item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(self._dtype_tooltip(name))

        absent = self._devices is not None and config.device not in dict(self._devices)
        warnings = [self._absent_text(config.device)] if absent else []
        if dtype_warning:
            warnings.append(dtype_warning)
        self._show_warning(self._hardware_warning, " ".join(warnings))
        current = self._device.currentText()
        self._device.setToolTip(
            self._absent_text(config.device)
            if absent
            else self.tr("Where the network trains: the CPU or a GPU.\nNow: {device}").format(
                device=current
            )
        )

        name = self._optimizer_text(config.optimizer)
        has_momentum = OPTIMIZERS[config.optimizer].uses_momentum
        self._momentum.setEnabled(has_momentum and not self._running)
        momentum_tip = (
            self.tr(
                "How much of the previous update carries into the next (0 to 0.999); "
                "0.9 is typical. Used by SGD and RMSprop."
            )
            if has_momentum
            else self.tr(
                "Momentum is used only by SGD and RMSprop; {name} keeps its own running "
                "averages of the gradients instead."
            ).format(name=name)
        )
        self._momentum.setToolTip(momentum_tip)
        self._label_for(self._momentum).setToolTip(momentum_tip)
        has_nesterov = OPTIMIZERS[config.optimizer].uses_nesterov
        self._nesterov.setEnabled(has_nesterov and not self._running)
        self._nesterov.setToolTip(
            self.tr(
                "Nesterov momentum: take the gradient after a look-ahead step along the "
                "momentum; often a little faster. Needs a momentum above 0."
            )
            if has_nesterov
            else self.tr("Nesterov momentum exists only for SGD.")
        )
        needs_momentum = has_nesterov and config.nesterov and config.momentum == 0
        self._show_warning(
            self._optimizer_warning,
            self.tr("Nesterov needs a momentum above 0.") if needs_momentum else "",
        )

    def _label_for(self, field: QWidget) -> QWidget:
        form = field.parentWidget().layout()
        assert isinstance(form, QFormLayout)
        return form.labelForField(field)

    @staticmethod
    def _show_warning(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    # ------------------------------------------------------------------------------ texts

    def _absent_text(self, device: str) -> str:
        return self.tr(
            "The device {id} is not available on this machine; pick another device to train."
        ).format(id=device)

    def _dtype_text(self, name: str) -> str:
        return {
            "float32": self.tr("float32"),
            "float64": self.tr("float64"),
            "bfloat16": self.tr("bfloat16 (mixed)"),
            "float16": self.tr("float16 (mixed)"),
        }[name]

    def _dtype_tooltip(self, name: str) -> str:
        return {
            "float32": self.tr("32-bit floats: the usual choice, fast on every device."),
            "float64": self.tr("64-bit floats: the most precise, and much slower on GPUs."),
            "bfloat16": self.tr(
                "Mixed precision: float32 weights, bfloat16 compute. The range of float32 "
                "with less precision; fast on recent GPUs."
            ),
            "float16": self.tr(
                "Mixed precision: float32 weights, float16 compute with loss scaling. "
                "Fast on GPUs; its narrow range can overflow."
            ),
        }[name]

    def _optimizer_text(self, name: str) -> str:
        return {
            "sgd": self.tr("SGD"),
            "adam": self.tr("Adam"),
            "adamw": self.tr("AdamW"),
            "rmsprop": self.tr("RMSprop"),
            "adagrad": self.tr("Adagrad"),
        }[name]

    def _optimizer_tooltip(self, name: str) -> str:
        return {
            "sgd": self.tr("Stochastic gradient descent, with optional (Nesterov) momentum."),
            "adam": self.tr("Adam: adapts the step for every weight; a good default."),
            "adamw": self.tr("AdamW: Adam with weight decay applied to the weights directly."),
            "rmsprop": self.tr("RMSprop: divides by a running average of squared gradients."),
            "adagrad": self.tr("Adagrad: steps shrink for weights that have moved a lot."),
        }[name]

    def _loss_text(self, name: str) -> str:
        return {
            "auto": self.tr("Auto (from the data)"),
            "cross_entropy": self.tr("Cross-entropy"),
            "mse": self.tr("MSE (squared error)"),
            "l1": self.tr("L1 (absolute error)"),
            "huber": self.tr("Huber"),
        }[name]

    def _loss_tooltip(self, name: str) -> str:
        return {
            "auto": self.tr("Cross-entropy for classification, MSE for regression."),
            "cross_entropy": self.tr("For classification: the model outputs one score per class."),
            "mse": self.tr("Mean squared error, for regression."),
            "l1": self.tr("Mean absolute error, for regression; less swayed by outliers."),
            "huber": self.tr("Squared for small errors, absolute for large: regression."),
        }[name]

    # ------------------------------------------------------------------------------- slots

    def _on_device_changed(self, index: int) -> None:
        if self._updating or index < 0:
            return
        self._change(device=self._device.itemData(index))

    def _on_combo_changed(self, name: str, combo: QComboBox, index: int) -> None:
        if self._updating or index < 0:
            return
        self._change(**{name: combo.itemData(index)})

    def _on_value_changed(self, name: str, value: object) -> None:
        if self._updating:
            return
        self._change(**{name: value})

    def _on_new_seed_clicked(self) -> None:
        # Short seeds are easy to read out to a class; any seed in range can be typed.
        seed = self._config.seed
        while seed == self._config.seed:
            seed = random.randint(0, 99_999)
        self._seed.setValue(seed)

    def _change(self, **changes: object) -> None:
        config = replace(self._config, **changes)
        if config == self._config:
            return
        self._config = config
        self._refresh()
        self.trainChanged.emit(config)


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    panel = TrainingPanel(TrainConfig(device="cuda:0", optimizer="sgd", learning_rate=0.05))
    panel.set_devices(
        [("cpu", "CPU (2 cores)"), ("cuda:0", "NVIDIA GeForce GTX 1080 Ti")],
        {("cuda:0", "bfloat16"): "This GPU (cuda:0) cannot compute in bfloat16; use float16."},
    )
    panel.set_task_kind("classification")
    panel.trainChanged.connect(print)
    panel.resize(340, 720)
    panel.show()
    sys.exit(app.exec())
