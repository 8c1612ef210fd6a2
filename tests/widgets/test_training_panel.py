"""TrainingPanel: what the user sees and what each edit emits."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLabel,
    QToolButton,
    QWidget,
)

from app.experiment import TrainConfig
from app.results import DeviceReport
from widgets.theme import DARK, LIGHT, set_current_theme
from widgets.training_panel import TrainingPanel

DEVICES = (("cpu", "CPU (2 cores)"), ("cuda:0", "Fake GPU"), ("cuda:1", "Other GPU"))
NO_BF16 = "This GPU (cuda:0) cannot compute in bfloat16; use float16 or float32."
CPU_ONLY = DeviceReport((("cpu", "CPU (2 cores)"),))
FOUND = DeviceReport(DEVICES)
NO_BF16_ON_CUDA_0 = DeviceReport(DEVICES, (("cuda:0", "bfloat16", NO_BF16),))


@pytest.fixture
def make_panel(qtbot):
    def make(config: TrainConfig | None = None) -> TrainingPanel:
        panel = TrainingPanel(config)
        qtbot.addWidget(panel)
        panel.show()
        return panel

    return make


def field(panel: TrainingPanel, label: str) -> QWidget:
    """The control the user finds beside `label`."""
    matches = [w for w in panel.findChildren(QLabel) if w.text() == label and w.buddy()]
    assert len(matches) == 1, label
    return matches[0].buddy()


def checkbox(panel: TrainingPanel, text: str) -> QCheckBox:
    (box,) = [w for w in panel.findChildren(QCheckBox) if w.text() == text]
    return box


def warnings(panel: TrainingPanel) -> list[str]:
    """The texts of the visible warning lines."""
    return [
        w.text() for w in panel.findChildren(QLabel) if w.isVisible() and w.wordWrap() and w.text()
    ]


def item_enabled(combo: QComboBox, data: str) -> bool:
    item = combo.model().item(combo.findData(data))
    return bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)


def item_tooltip(combo: QComboBox, data: str) -> str:
    return combo.itemData(combo.findData(data), Qt.ItemDataRole.ToolTipRole)


def test_set_config_shows_every_field_without_emitting(make_panel, qtbot):
    panel = make_panel()
    panel.set_devices(FOUND)
    config = TrainConfig(
        device="cuda:1",
        dtype="float64",
        optimizer="rmsprop",
        learning_rate=0.0003,
        momentum=0.5,
        nesterov=True,
        weight_decay=0.0005,
        loss="huber",
        batch_size=128,
        epochs=7,
        seed=1234,
        deterministic=True,
        histogram_every=25,
    )
    with qtbot.assertNotEmitted(panel.trainChanged):
        panel.set_config(config)
    assert panel.config() == config
    assert field(panel, "Device").currentText() == "Other GPU"
    assert field(panel, "Device").currentData() == "cuda:1"
    assert field(panel, "Precision").currentData() == "float64"
    assert field(panel, "Optimizer").currentText() == "RMSprop"
    assert field(panel, "Loss").currentData() == "huber"
    assert field(panel, "Learning rate").text() == "0.0003"
    assert field(panel, "Momentum").text() == "0.5"
    assert checkbox(panel, "Nesterov").isChecked()
    assert field(panel, "Weight decay").text() == "0.0005"
    assert field(panel, "Batch size").value() == 128
    assert field(panel, "Epochs").value() == 7
    assert field(panel, "Seed").value() == 1234
    assert checkbox(panel, "Deterministic").isChecked()
    assert field(panel, "Histogram every").value() == 25


def _key(label: str, key: Qt.Key):
    def act(panel, qtbot):
        qtbot.keyClick(field(panel, label), key)

    return act


def _space(text: str):
    def act(panel, qtbot):
        qtbot.keyClick(checkbox(panel, text), Qt.Key.Key_Space)

    return act


def _typed_learning_rate(panel, qtbot):
    box = field(panel, "Learning rate")
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "0.003")
    qtbot.keyClick(box, Qt.Key.Key_Return)


def _new_seed(panel, qtbot):
    (button,) = [b for b in panel.findChildren(QToolButton) if b.text() == "New seed"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


START = TrainConfig(device="cpu", optimizer="sgd", learning_rate=0.01, momentum=0.9)

EDITS = [
    ("device", _key("Device", Qt.Key.Key_Down), "cuda:0"),
    ("dtype", _key("Precision", Qt.Key.Key_Down), "float64"),
    ("optimizer", _key("Optimizer", Qt.Key.Key_Down), "adam"),
    ("loss", _key("Loss", Qt.Key.Key_Down), "cross_entropy"),
    ("learning_rate", _key("Learning rate", Qt.Key.Key_Up), 0.02),
    ("learning_rate", _key("Learning rate", Qt.Key.Key_Down), 0.005),
    ("learning_rate", _typed_learning_rate, 0.003),
    ("momentum", _key("Momentum", Qt.Key.Key_Up), 0.91),
    ("nesterov", _space("Nesterov"), True),
    ("weight_decay", _key("Weight decay", Qt.Key.Key_Up), 1e-6),
    ("batch_size", _key("Batch size", Qt.Key.Key_Up), 128),
    ("batch_size", _key("Batch size", Qt.Key.Key_Down), 32),
    ("epochs", _key("Epochs", Qt.Key.Key_Up), 21),
    ("seed", _key("Seed", Qt.Key.Key_Up), 1),
    ("deterministic", _space("Deterministic"), True),
    ("histogram_every", _key("Histogram every", Qt.Key.Key_Up), 11),
]


@pytest.mark.parametrize(
    ("name", "act", "expected"), EDITS, ids=[f"{e[0]}-{i}" for i, e in enumerate(EDITS)]
)
def test_each_user_edit_emits_exactly_that_change(make_panel, qtbot, name, act, expected):
    panel = make_panel(START)
    panel.set_devices(FOUND)
    emitted: list[TrainConfig] = []
    panel.trainChanged.connect(emitted.append)
    act(panel, qtbot)
    assert emitted, "the edit emitted nothing"
    assert emitted[-1] == replace(START, **{name: expected})
    assert panel.config() == emitted[-1]


def test_new_seed_button_changes_only_the_seed(make_panel, qtbot):
    panel = make_panel(START)
    with qtbot.waitSignal(panel.trainChanged) as blocker:
        _new_seed(panel, qtbot)
    (config,) = blocker.args
    assert config.seed != START.seed
    assert config == replace(START, seed=config.seed)
    assert field(panel, "Seed").value() == config.seed


def test_momentum_and_nesterov_follow_the_optimizer(make_panel, qtbot):
    panel = make_panel(TrainConfig(optimizer="adam"))
    momentum = field(panel, "Momentum")
    nesterov = checkbox(panel, "Nesterov")
    assert not momentum.isEnabled()
    assert not nesterov.isEnabled()
    assert "SGD and RMSprop" in momentum.toolTip()

    optimizer = field(panel, "Optimizer")
    optimizer.setCurrentIndex(optimizer.findData("sgd"))
    assert momentum.isEnabled()
    assert nesterov.isEnabled()

    optimizer.setCurrentIndex(optimizer.findData("rmsprop"))
    assert momentum.isEnabled()
    assert not nesterov.isEnabled()
    assert "only for SGD" in nesterov.toolTip()


def test_nesterov_without_momentum_is_pointed_out(make_panel, qtbot):
    panel = make_panel(TrainConfig(optimizer="sgd", momentum=0.0))
    assert warnings(panel) == []
    qtbot.keyClick(checkbox(panel, "Nesterov"), Qt.Key.Key_Space)
    assert warnings(panel) == ["Nesterov needs a momentum above 0."]


def test_dtype_problem_disables_that_dtype_only_on_that_device(make_panel, qtbot):
    panel = make_panel(TrainConfig(device="cuda:0"))
    panel.set_devices(NO_BF16_ON_CUDA_0)
    dtype = field(panel, "Precision")
    assert not item_enabled(dtype, "bfloat16")
    assert NO_BF16 in item_tooltip(dtype, "bfloat16")
    assert item_enabled(dtype, "float16")

    # Down from float64 skips the disabled bfloat16.
    dtype.setCurrentIndex(dtype.findData("float64"))
    qtbot.keyClick(dtype, Qt.Key.Key_Down)
    assert dtype.currentData() == "float16"

    device = field(panel, "Device")
    device.setCurrentIndex(device.findData("cuda:1"))
    assert item_enabled(dtype, "bfloat16")
    assert NO_BF16 not in item_tooltip(dtype, "bfloat16")


def test_configured_dtype_with_a_problem_is_kept_and_explained(make_panel, qtbot):
    config = TrainConfig(device="cuda:0", dtype="bfloat16")
    panel = make_panel(config)
    with qtbot.assertNotEmitted(panel.trainChanged):
        panel.set_devices(NO_BF16_ON_CUDA_0)
    assert panel.config() == config
    assert field(panel, "Precision").currentData() == "bfloat16"
    assert warnings(panel) == [NO_BF16]


SLOW_FLOAT16 = "float16 on this CPU is emulated: about 3x slower than float32. Use float32."
SLOW_ON_CPU = DeviceReport(DEVICES, (), (("cpu", "float16", SLOW_FLOAT16),))


def test_a_slow_dtype_stays_enabled_and_its_choice_shows_a_warning(make_panel, qtbot):
    panel = make_panel(TrainConfig(device="cpu"))
    panel.set_devices(SLOW_ON_CPU)
    dtype = field(panel, "Precision")
    assert item_enabled(dtype, "float16")  # it runs: slowly
    assert SLOW_FLOAT16 in item_tooltip(dtype, "float16")
    assert warnings(panel) == []
    with qtbot.waitSignal(panel.trainChanged):
        dtype.setCurrentIndex(dtype.findData("float16"))
    assert warnings(panel) == [SLOW_FLOAT16]
    # on a device that computes float16 itself, no warning
    device = field(panel, "Device")
    device.setCurrentIndex(device.findData("cuda:0"))
    assert warnings(panel) == []
    assert SLOW_FLOAT16 not in item_tooltip(dtype, "float16")


def test_a_configured_slow_dtype_is_explained_when_the_devices_arrive(make_panel, qtbot):
    panel = make_panel(TrainConfig(device="cpu", dtype="float16"))
    assert warnings(panel) == []  # nothing known before the probe
    panel.set_devices(SLOW_ON_CPU)
    assert warnings(panel) == [SLOW_FLOAT16]


def test_devices_are_checking_until_set_devices(make_panel):
    panel = make_panel(TrainConfig(device="cuda:0"))
    device = field(panel, "Device")
    assert [device.itemText(i) for i in range(device.count())] == ["cuda:0 (checking…)"]
    assert device.isEnabled()
    panel.set_devices(FOUND)
    assert device.currentText() == "Fake GPU"
    assert device.count() == len(DEVICES)


def test_absent_configured_device_is_kept_and_marked(make_panel, qtbot):
    config = TrainConfig(device="cuda:0")
    panel = make_panel(config)
    with qtbot.assertNotEmitted(panel.trainChanged):
        panel.set_devices(CPU_ONLY)
    device = field(panel, "Device")
    assert panel.config() == config
    assert device.currentData() == "cuda:0"
    assert device.currentText() == "cuda:0 (not available on this machine)"
    assert device.currentData(Qt.ItemDataRole.ForegroundRole) is not None
    assert "not available" in device.toolTip()
    assert len(warnings(panel)) == 1
    assert "cuda:0 is not available" in warnings(panel)[0]

    with qtbot.waitSignal(panel.trainChanged) as blocker:
        device.setCurrentIndex(device.findData("cpu"))
    assert blocker.args == [replace(config, device="cpu")]
    assert warnings(panel) == []


@pytest.mark.parametrize(
    ("value", "text"), [(0.01, "0.01"), (0.0003, "0.0003"), (1e-8, "0.00000001"), (100.0, "100")]
)
def test_learning_rate_shows_plain_numbers(make_panel, value, text):
    panel = make_panel(TrainConfig(learning_rate=value))
    assert field(panel, "Learning rate").text() == text


def test_learning_rate_accepts_scientific_notation(make_panel, qtbot):
    panel = make_panel()
    box = field(panel, "Learning rate")
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "1e-4")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert panel.config().learning_rate == pytest.approx(1e-4)
    assert box.text() == "0.0001"


def test_automatic_loss_text_follows_the_task(make_panel):
    panel = make_panel()
    loss = field(panel, "Loss")
    auto = loss.findData("auto")
    assert loss.itemText(auto) == "Auto (from the data)"
    panel.set_task_kind("classification")
    assert loss.itemText(auto) == "Auto: cross-entropy"
    panel.set_task_kind("regression")
    assert loss.itemText(auto) == "Auto: MSE"
    panel.set_task_kind(None)
    assert loss.itemText(auto) == "Auto (from the data)"


def test_every_control_has_a_tooltip(make_panel):
    panel = make_panel(TrainConfig(optimizer="sgd"))
    panel.set_devices(NO_BF16_ON_CUDA_0)
    controls = [
        w
        for kind in (QComboBox, QAbstractSpinBox, QCheckBox, QToolButton)
        for w in panel.findChildren(kind)
        if not isinstance(w.parent(), QAbstractSpinBox)
    ]
    assert len(controls) >= 14
    assert all(w.toolTip() for w in controls), [w for w in controls if not w.toolTip()]
    deterministic = checkbox(panel, "Deterministic")
    assert deterministic.toolTip() == (
        "Use deterministic algorithms (GPU runs repeat exactly; slower)"
    )
    for combo in panel.findChildren(QComboBox):
        for row in range(combo.count()):
            assert combo.itemData(row, Qt.ItemDataRole.ToolTipRole), combo.itemText(row)


def test_while_running_only_the_learning_rate_can_change(qtbot):
    panel = TrainingPanel(TrainConfig(optimizer="sgd"))
    qtbot.addWidget(panel)
    panel.set_running(True)
    editable = [
        w
        for w in panel.findChildren(QWidget)
        if isinstance(w, QAbstractSpinBox | QComboBox | QCheckBox) and w.isEnabled()
    ]
    assert editable == [field(panel, "Learning rate")]
    panel.set_running(False)
    assert field(panel, "Momentum").isEnabled() and field(panel, "Epochs").isEnabled()


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_warnings_are_written_in_the_themes_warning_colour(themed_app, qtbot, theme):
    set_current_theme(themed_app, theme)
    panel = TrainingPanel(TrainConfig(device="cuda:0"))
    qtbot.addWidget(panel)
    panel.show()
    panel.set_devices(CPU_ONLY)
    (line,) = [w for w in panel.findChildren(QLabel) if w.isVisible() and w.wordWrap() and w.text()]
    assert line.palette().color(line.foregroundRole()) == QColor(theme.warning)
    device = field(panel, "Device")
    assert device.currentData(Qt.ItemDataRole.ForegroundRole) == QColor(theme.warning)


def test_every_training_setting_has_its_editors_and_label(qtbot):
    """Files may lock any `train` field: the panel must know each one to lock it."""
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    assert panel.field_names() == [field.name for field in fields(TrainConfig)]
    for name in panel.field_names():
        assert panel.editors(name) and panel.field_label(name)
