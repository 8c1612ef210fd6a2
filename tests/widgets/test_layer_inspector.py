"""The layer inspector builds its form from the catalog and emits every user edit as a layer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFocusEvent, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
)

from models.layers import AUTO, CATALOG
from models.spec import LayerSpec
from widgets.layer_inspector import LayerInspectorWidget
from widgets.theme import DARK, LIGHT, set_current_theme


@pytest.fixture
def inspector(qtbot) -> LayerInspectorWidget:
    widget = LayerInspectorWidget()
    qtbot.addWidget(widget)
    widget.resize(320, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def edits(inspector) -> list[tuple[int, LayerSpec, str]]:
    received: list[tuple[int, LayerSpec, str]] = []
    inspector.layerEdited.connect(lambda *args: received.append(args))
    return received


def _texts(inspector: LayerInspectorWidget) -> list[str]:
    return [label.text() for label in inspector.findChildren(QLabel) if label.isVisible()]


def _type(qtbot, widget, text: str) -> None:
    """Replace the text of a spin box or line edit by typing, as a user does."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


LINEAR = LayerSpec.create("Linear", out_features=128)


def test_empty_state_invites_to_select_a_layer(inspector):
    assert inspector.current_index() is None
    assert "Select a layer to edit its settings" in _texts(inspector)
    inspector.show_layer(1, LINEAR)
    inspector.show_layer(None, None)
    assert inspector.current_index() is None
    assert "Select a layer to edit its settings" in _texts(inspector)


def test_title_and_help_name_the_layer(inspector):
    inspector.show_layer(2, LINEAR)
    assert inspector.current_index() == 2
    texts = _texts(inspector)
    assert "Layer 2 · Linear" in texts
    assert CATALOG["Linear"].help in texts


def test_a_layer_without_parameters_says_so(inspector):
    inspector.show_layer(1, LayerSpec.create("ReLU"))
    assert "ReLU has no settings" in _texts(inspector)


EDITOR_TYPES = {"int": QSpinBox, "bool": QCheckBox, "choice": QComboBox}


@pytest.mark.parametrize("kind", list(CATALOG))
def test_every_parameter_gets_an_editor_of_its_type_and_range(inspector, kind):
    inspector.show_layer(0, LayerSpec.create(kind))
    for param in CATALOG[kind].params:
        editor = inspector.editor(param.name)
        if param.type == "float":
            # Tiny floats (eps) are typed as text; the others are stepped.
            small = param.minimum is not None and 0 < param.minimum < 1e-4
            assert isinstance(editor, QLineEdit if small else QDoubleSpinBox)
        else:
            assert isinstance(editor, EDITOR_TYPES[param.type])
        if isinstance(editor, QSpinBox | QDoubleSpinBox):
            assert editor.minimum() == param.minimum
            assert editor.maximum() == param.maximum
        if isinstance(editor, QComboBox):
            assert [editor.itemText(i) for i in range(editor.count())] == list(param.choices)
        assert (inspector.auto_box(param.name) is not None) == param.allows_auto
        assert param.help in editor.toolTip()
        label = next(
            label
            for label in inspector.findChildren(QLabel)
            if label.text() == param.name and label.buddy() is editor
        )
        assert param.help in label.toolTip()


def test_linear_editors_follow_the_catalog(inspector):
    inspector.show_layer(2, LINEAR)
    out_features = CATALOG["Linear"].param("out_features")
    spin = inspector.editor("out_features")
    assert (spin.minimum(), spin.maximum()) == (out_features.minimum, out_features.maximum)
    assert spin.value() == 128
    assert inspector.editor("bias").isChecked()


def test_typing_in_a_spin_box_emits_each_new_layer_live(qtbot, inspector, edits):
    inspector.show_layer(2, LINEAR)
    _type(qtbot, inspector.editor("out_features"), "256")
    assert [layer.get("out_features") for _, layer, _ in edits] == [2, 25, 256]
    assert edits[-1] == (2, LINEAR.with_params(out_features=256), "out_features")


def test_arrow_key_steps_the_value(qtbot, inspector, edits):
    inspector.show_layer(0, LayerSpec.create("Conv2d"))
    qtbot.keyClick(inspector.editor("kernel_size"), Qt.Key.Key_Up)
    assert edits == [(0, LayerSpec.create("Conv2d", kernel_size=4), "kernel_size")]


def test_out_of_range_typing_is_not_emitted(qtbot, inspector, edits):
    inspector.show_layer(2, LINEAR)
    _type(qtbot, inspector.editor("out_features"), "0")
    assert edits == []


def test_auto_shows_the_inferred_value_and_toggles(qtbot, inspector, edits):
    inspector.show_layer(2, LINEAR, LINEAR.with_params(in_features=64))
    spin, auto = inspector.editor("in_features"), inspector.auto_box("in_features")
    assert auto.isChecked()
    assert not spin.isEnabled()
    assert spin.text() == "auto (64)"

    qtbot.mouseClick(auto, Qt.MouseButton.LeftButton)
    assert edits == [(2, LINEAR.with_params(in_features=64), "in_features")]
    assert spin.isEnabled()
    assert spin.text() == "64"

    qtbot.mouseClick(auto, Qt.MouseButton.LeftButton)
    assert edits[-1] == (2, LINEAR, "in_features")
    assert edits[-1][1].get("in_features") == AUTO
    assert not spin.isEnabled()


def test_auto_pooling_stride_shows_the_kernel_size(inspector):
    inspector.show_layer(3, LayerSpec.create("MaxPool2d", kernel_size=3))
    assert inspector.editor("stride").text() == "auto (3)"


def test_float_spin_box_typing_emits(qtbot, inspector, edits):
    dropout = LayerSpec.create("Dropout")
    inspector.show_layer(4, dropout)
    assert inspector.editor("p").text() == "0.5"
    _type(qtbot, inspector.editor("p"), "0.25")
    assert edits[-1] == (4, dropout.with_params(p=0.25), "p")
    qtbot.keyClick(inspector.editor("p"), Qt.Key.Key_Down)
    assert edits[-1] == (4, dropout.with_params(p=0.24), "p")


def test_check_box_and_choice_emit(qtbot, inspector, edits):
    inspector.show_layer(2, LINEAR)
    qtbot.mouseClick(inspector.editor("bias"), Qt.MouseButton.LeftButton)
    assert edits == [(2, LINEAR.with_params(bias=False), "bias")]
    gelu = LayerSpec.create("GELU")
    inspector.show_layer(5, gelu)
    inspector.editor("approximate").setCurrentText("tanh")
    assert edits[-1] == (5, gelu.with_params(approximate="tanh"), "approximate")


def test_edits_build_on_each_other(qtbot, inspector, edits):
    inspector.show_layer(2, LINEAR)
    qtbot.mouseClick(inspector.editor("bias"), Qt.MouseButton.LeftButton)
    qtbot.keyClick(inspector.editor("out_features"), Qt.Key.Key_Up)
    assert edits[-1][1] == LINEAR.with_params(bias=False, out_features=129)


def test_show_layer_never_emits(qtbot, inspector):
    batch_norm = LayerSpec.create("BatchNorm2d")
    with qtbot.assertNotEmitted(inspector.layerEdited):
        for kind in CATALOG:
            inspector.show_layer(0, LayerSpec.create(kind))
        inspector.show_layer(2, LINEAR, LINEAR.with_params(in_features=64))
        inspector.show_layer(2, LINEAR.with_params(in_features=10, out_features=3, bias=False))
        inspector.show_layer(2, LINEAR)
        inspector.show_layer(1, batch_norm)
        inspector.show_layer(1, batch_norm.with_params(eps=1e-3, momentum=0.3, affine=False))
        inspector.show_layer(None, None)


def test_same_layer_updates_values_without_rebuilding(qtbot, inspector):
    inspector.show_layer(2, LINEAR)
    editors = {name: inspector.editor(name) for name in CATALOG["Linear"].param_names}
    inspector.show_layer(2, LINEAR.with_params(in_features=10, out_features=3, bias=False))
    assert {name: inspector.editor(name) for name in editors} == editors
    assert inspector.editor("out_features").value() == 3
    assert inspector.editor("in_features").value() == 10
    assert inspector.editor("in_features").isEnabled()
    assert not inspector.auto_box("in_features").isChecked()
    assert not inspector.editor("bias").isChecked()


def test_another_index_or_kind_rebuilds(inspector):
    inspector.show_layer(2, LINEAR)
    spin = inspector.editor("out_features")
    inspector.show_layer(3, LINEAR)
    assert inspector.editor("out_features") is not spin
    assert "Layer 3 · Linear" in _texts(inspector)
    inspector.show_layer(3, LayerSpec.create("Conv2d"))
    assert "Layer 3 · Conv2d" in _texts(inspector)
    assert isinstance(inspector.editor("out_channels"), QSpinBox)


def test_typing_survives_the_owner_showing_the_edited_layer_back(qtbot, inspector):
    """The owner answers each edit with show_layer: the text and focus stay where they were."""
    inspector.layerEdited.connect(lambda index, layer, _name: inspector.show_layer(index, layer))
    inspector.show_layer(2, LINEAR)
    spin = inspector.editor("out_features")
    inspector.activateWindow()
    _type(qtbot, spin, "512")
    assert inspector.editor("out_features") is spin
    assert spin.text() == "512"
    assert QApplication.focusWidget() in (spin, spin.lineEdit())


def test_invalid_float_text_is_flagged_and_not_emitted(qtbot, inspector, edits):
    batch_norm = LayerSpec.create("BatchNorm1d")
    inspector.show_layer(1, batch_norm)
    eps = inspector.editor("eps")
    assert eps.text() == "1e-05"
    assert not eps.property("invalid")

    # Typing is checked live, so each of these texts is invalid at every keystroke.
    for text, reason in (("abc", "must be a number"), ("-1", "between"), ("0", "between")):
        _type(qtbot, eps, text)
        assert eps.property("invalid"), text
        assert reason in eps.toolTip()
        assert any(reason in label for label in _texts(inspector))
    assert edits == []

    _type(qtbot, eps, "1e-6")
    assert not eps.property("invalid")
    # "1" on the way was valid too, and went out live; "1e" and "1e-" did not.
    assert edits == [
        (1, batch_norm.with_params(eps=1.0), "eps"),
        (1, batch_norm.with_params(eps=1e-6), "eps"),
    ]
    assert not any("between" in label for label in _texts(inspector))


def test_leaving_invalid_float_text_puts_back_the_last_valid_value(qtbot, inspector, edits):
    inspector.show_layer(1, LayerSpec.create("BatchNorm2d", eps=1e-3))
    eps = inspector.editor("eps")
    _type(qtbot, eps, "x")
    assert eps.property("invalid")
    QApplication.sendEvent(eps, QFocusEvent(QEvent.Type.FocusOut))
    assert eps.text() == "0.001"
    assert not eps.property("invalid")
    assert edits == []


def _wheel_up(widget) -> None:
    center = QPointF(widget.rect().center())
    event = QWheelEvent(
        center,
        QPointF(widget.mapToGlobal(center.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_changes_a_value_only_once_the_editor_has_focus(qtbot, inspector, edits):
    inspector.show_layer(0, LayerSpec.create("Conv2d"))
    spin = inspector.editor("out_channels")
    inspector.activateWindow()
    inspector.editor("kernel_size").setFocus()
    _wheel_up(spin)
    assert spin.value() == 16
    assert edits == []
    spin.setFocus()
    _wheel_up(spin)
    assert spin.value() == 17
    assert edits[-1][1].get("out_channels") == 17


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_reason_under_invalid_text_is_in_the_themes_error_colour(themed_app, qtbot, theme):
    set_current_theme(themed_app, theme)
    inspector = LayerInspectorWidget()
    qtbot.addWidget(inspector)
    inspector.show()
    inspector.show_layer(1, LayerSpec.create("BatchNorm1d"))
    _type(qtbot, inspector.editor("eps"), "abc")
    (note,) = [
        label for label in inspector.findChildren(QLabel) if "must be a number" in label.text()
    ]
    note.ensurePolished()
    assert note.palette().color(note.foregroundRole()) == QColor(theme.error)
