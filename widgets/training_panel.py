"""TrainingPanel: the training settings of an experiment (a TrainConfig), torch-free.

The panel shows a TrainConfig and emits a whole new one on every user edit, and enables only
the settings the chosen optimizer uses. It never checks what the machine can run itself: the
window tells it the devices and the dtype problems once torch has loaded (`set_devices`), and
its Hardware group (widgets.hardware_group) shows them. Option labels and help come from the
tables in app.options.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import replace
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.experiment import RANGES, TrainConfig
from app.options import LOSSES, OPTIMIZERS
from app.results import DeviceReport
from models.translation import _
from widgets.form_editors import DoublingSpinBox, ElidingComboBox, LadderSpinBox, TrimmedSpinBox
from widgets.hardware_group import HardwareGroup
from widgets.settings_form import (
    add_group,
    add_row,
    align_labels,
    label_for,
    set_item_tooltip,
    show_warning,
    warning_label,
)

SEED_DIGITS_SHOWN = 6  # the seed box may shrink to this many digits in a narrow dock


def _spin_box_width(box: QSpinBox, digits: int) -> int:
    """The width a spin box like `box` needs for `digits` digits: QSpinBox sizes itself for the
    widest value in its range (ten digits for a seed), which widened the narrow dock."""
    probe = QSpinBox()
    probe.setFont(box.font())
    probe.setRange(0, 10**digits - 1)
    return probe.minimumSizeHint().width()


class TrainingPanel(QWidget):
    """Edits a TrainConfig; emits `trainChanged(TrainConfig)` for every user edit."""

    trainChanged = Signal(object)

    def __init__(self, config: TrainConfig | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._config = config or TrainConfig()
        self._updating = False
        self._running = False
        self._locked: frozenset[str] = frozenset()  # set_locked
        self._build()
        self._show(self._config)

    # ----------------------------------------------------------------------------------- API

    def config(self) -> TrainConfig:
        return self._config

    def set_config(self, config: TrainConfig) -> None:
        """Show `config` without emitting."""
        self._config = config
        self._show(config)

    def set_devices(self, report: DeviceReport) -> None:
        """The devices this machine has and why a (device, dtype) cannot run."""
        self._hardware.set_devices(report)
        self._show(self._config)

    def set_running(self, running: bool) -> None:
        """While a run trains, only the learning rate can change (it takes effect at once)."""
        self._running = running
        reason = self.running_reason()
        for name, editors in self._editors.items():
            for editor in editors:
                editor.setStatusTip(reason if running and name != "learning_rate" else "")
        self._refresh()

    def running_reason(self) -> str:
        """Why a setting cannot change while a run trains."""
        return self.tr("Stop the run to change this; the learning rate can change now.")

    def set_locked(self, names: Collection[str]) -> None:
        """The settings (TrainConfig field names) a teacher locked in this experiment: shown,
        but not editable."""
        if frozenset(names) != self._locked:
            self._locked = frozenset(names)
            self._refresh()

    def field_names(self) -> list[str]:
        """The TrainConfig fields the panel edits, in its order."""
        return list(self._editors)

    def editors(self, name: str) -> list[QWidget]:
        """The widgets that edit the TrainConfig field `name` (the seed has its New button)."""
        return list(self._editors[name])

    def field_label(self, name: str) -> str:
        """The setting's name as its row shows it, without the mnemonic ("Learning rate")."""
        editor = self._editors[name][0]
        if name == "seed":
            editor = editor.parentWidget()  # the row of the box and its New seed button
        label = editor.text() if isinstance(editor, QCheckBox) else label_for(editor).text()
        return label.replace("&", "").rstrip(":")

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

        self._hardware = HardwareGroup()
        layout.addWidget(self._hardware)

        optimizer = add_group(layout, self.tr("Loss and optimizer"))
        self._loss = ElidingComboBox()
        for name, loss in LOSSES.items():
            self._loss.addItem(_(loss.label), name)
            set_item_tooltip(self._loss, name, _(loss.help))
        self.set_task_kind(None)
        add_row(
            optimizer,
            self.tr("Loss"),
            self._loss,
            self.tr("What the training minimises; Auto picks it from the dataset."),
        )
        self._optimizer = ElidingComboBox()
        for name, kind in OPTIMIZERS.items():
            self._optimizer.addItem(_(kind.label), name)
            set_item_tooltip(self._optimizer, name, _(kind.help))
        add_row(
            optimizer,
            self.tr("Optimizer"),
            self._optimizer,
            self.tr("How the weights move along the gradients."),
        )
        low, high = RANGES["learning_rate"]
        self._learning_rate = LadderSpinBox(low, high, low)
        add_row(
            optimizer,
            self.tr("Learning rate"),
            self._learning_rate,
            self.tr(
                "Size of each update ({low:g} to {high:g}). Arrows step 1-2-5 (0.01, 0.02, 0.05); "
                "typing 3e-4 works too. Typical: 0.001 for Adam, 0.01 to 0.1 for SGD."
            ).format(low=low, high=high),
        )
        low, high = RANGES["momentum"]
        self._momentum = TrimmedSpinBox()
        self._momentum.setDecimals(3)
        self._momentum.setRange(low, high)
        self._momentum.setSingleStep(0.01)
        add_row(optimizer, self.tr("Momentum"), self._momentum, "")
        self._nesterov = QCheckBox(self.tr("Nesterov"))
        optimizer.addRow("", self._nesterov)
        low, high = RANGES["weight_decay"]
        self._weight_decay = LadderSpinBox(low, high, 1e-6)
        add_row(
            optimizer,
            self.tr("Weight decay"),
            self._weight_decay,
            self.tr(
                "Pulls the weights towards zero each step ({low:g} to {high:g}); 0 turns it off. "
                "Typical: 0.0001 to 0.01."
            ).format(low=low, high=high),
        )
        self._optimizer_warning = warning_label()
        optimizer.addRow(self._optimizer_warning)

        schedule = add_group(layout, self.tr("Schedule"))
        low, high = RANGES["batch_size"]
        self._batch_size = DoublingSpinBox()
        self._batch_size.setRange(low, high)
        add_row(
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
        add_row(
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
        add_row(
            schedule,
            self.tr("Histogram every"),
            self._histogram_every,
            self.tr(
                "Steps between gradient and weight histograms ({low} to {high}); "
                "fewer histograms train faster."
            ).format(low=low, high=high),
        )

        reproducibility = add_group(layout, self.tr("Reproducibility"))
        low, high = RANGES["seed"]
        self._seed = QSpinBox()
        self._seed.setRange(low, high)
        self._seed.setMinimumWidth(_spin_box_width(self._seed, SEED_DIGITS_SHOWN))
        self._new_seed = QToolButton()
        self._new_seed.setText(self.tr("New seed"))  # not "New": File > New is an experiment
        self._new_seed.setToolTip(
            self.tr("Pick a new random seed: new starting weights and a new batch order.")
        )
        seed_row = QWidget()
        seed_layout = QHBoxLayout(seed_row)
        seed_layout.setContentsMargins(0, 0, 0, 0)
        seed_layout.addWidget(self._seed, 1)
        seed_layout.addWidget(self._new_seed)
        add_row(
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
        align_labels(self)

        self._hardware.deviceChosen.connect(partial(self._on_value_changed, "device"))
        self._hardware.dtypeChosen.connect(partial(self._on_value_changed, "dtype"))
        for name, combo in (
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
        device, dtype = self._hardware.fields()
        self._editors: dict[str, tuple[QWidget, ...]] = {
            "device": (device,),
            "dtype": (dtype,),
            "optimizer": (self._optimizer,),
            "learning_rate": (self._learning_rate,),
            "momentum": (self._momentum,),
            "nesterov": (self._nesterov,),
            "weight_decay": (self._weight_decay,),
            "loss": (self._loss,),
            "batch_size": (self._batch_size,),
            "epochs": (self._epochs,),
            "seed": (self._seed, self._new_seed),
            "deterministic": (self._deterministic,),
            "histogram_every": (self._histogram_every,),
        }

    # ------------------------------------------------------------------------------- showing

    def _show(self, config: TrainConfig) -> None:
        self._updating = True
        try:
            self._hardware.show_choice(config.device, config.dtype)
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

    def _refresh(self) -> None:
        """Enable what applies to the current choices and say why the rest does not."""
        config = self._config
        self._hardware.refresh(config.device, config.dtype)
        name = _(OPTIMIZERS[config.optimizer].label)
        has_momentum = OPTIMIZERS[config.optimizer].uses_momentum
        has_nesterov = OPTIMIZERS[config.optimizer].uses_nesterov
        applies = {"momentum": has_momentum, "nesterov": has_nesterov}
        for field, editors in self._editors.items():
            editable = field not in self._locked and (field == "learning_rate" or not self._running)
            for editor in editors:
                editor.setEnabled(editable and applies.get(field, True))
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
        label_for(self._momentum).setToolTip(momentum_tip)
        self._nesterov.setToolTip(
            self.tr(
                "Nesterov momentum: take the gradient after a look-ahead step along the "
                "momentum; often a little faster. Needs a momentum above 0."
            )
            if has_nesterov
            else self.tr("Nesterov momentum exists only for SGD.")
        )
        needs_momentum = has_nesterov and config.nesterov and config.momentum == 0
        show_warning(
            self._optimizer_warning,
            self.tr("Nesterov needs a momentum above 0.") if needs_momentum else "",
        )

    # ------------------------------------------------------------------------------- slots

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
        DeviceReport(
            (("cpu", "CPU (2 cores)"), ("cuda:0", "NVIDIA GeForce GTX 1080 Ti")),
            (("cuda:0", "bfloat16", "This GPU (cuda:0) cannot compute in bfloat16."),),
        )
    )
    panel.set_task_kind("classification")
    panel.trainChanged.connect(print)
    panel.resize(340, 720)
    panel.show()
    sys.exit(app.exec())
