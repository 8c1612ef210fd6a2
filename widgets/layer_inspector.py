"""The layer inspector: a form that edits the settings of one layer, built from the catalog.

Each row comes from a catalog `Param` (type, range, help), so a new layer kind needs no form
code. Every user change becomes a whole new, valid `LayerSpec` in `layerEdited`; the owner
decides what to do with it and shows the result back through `show_layer`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QPalette, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.layers import AUTO, CATALOG, Param
from models.spec import LayerSpec, SpecError, check_param

INT_LIMIT = 2**31 - 1
SMALL_FLOAT = 1e-4
"""Floats that may go below this are typed as text (1e-05), not stepped in a spin box."""

ERROR_COLOR = "#d32f2f"  # readable on light and dark themes

Emit = Callable[[str, object], None]


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _tooltip(param: Param, extra: str = "") -> str:
    """Rich text (so Qt wraps it): the help, the allowed range and any extra note."""
    parts = [html.escape(param.help, quote=False)]
    if param.type in ("int", "float"):
        parts.append(
            QCoreApplication.translate("LayerInspectorWidget", "Range: {0} to {1}.").format(
                _num(param.minimum), _num(param.maximum)
            )
        )
    if extra:
        parts.append(html.escape(extra, quote=False))
    return "".join(f"<p>{part}</p>" for part in parts)


class _WheelWhenFocused:
    """Mixin: the wheel scrolls the form, not the value, until the editor has focus.

    Otherwise scrolling through a long form silently changes whatever passes under the mouse.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # goes on to the scroll area


class _SpinBox(_WheelWhenFocused, QSpinBox):
    pass


class _ComboBox(_WheelWhenFocused, QComboBox):
    pass


class _Row:
    """One parameter's editor. `emit(name, value)` asks the inspector to apply a user change.

    `editor` is the input itself; `widget` is what the form shows (the editor, or the editor
    beside its "auto" check box).
    """

    def __init__(self, param: Param, emit: Emit) -> None:
        self.param = param
        self._emit = emit
        self.editor: QWidget
        self.widget: QWidget

    def set_value(self, value: object, resolved: object | None) -> None:
        """Show a value without emitting; `resolved` is what an `auto` value stands for."""
        raise NotImplementedError


class _IntRow(_Row):
    """A spin box, plus an "auto" check box when the parameter can be inferred."""

    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.spin = _SpinBox()
        low = int(param.minimum) if param.minimum is not None else -INT_LIMIT
        high = int(param.maximum) if param.maximum is not None else INT_LIMIT
        self.spin.setRange(low, high)
        self.spin.setAccelerated(True)
        self.spin.setToolTip(_tooltip(param))
        self.spin.valueChanged.connect(self._on_value_changed)
        self.editor = self.widget = self.spin
        self.auto: QCheckBox | None = None
        self._resolved: int | None = None
        self._last_number = param.default if isinstance(param.default, int) else low
        if not param.allows_auto:
            return
        self.auto = QCheckBox(QCoreApplication.translate("LayerInspectorWidget", "auto"))
        self.auto.setToolTip(
            QCoreApplication.translate(
                "LayerInspectorWidget", "Take {0} from the layer before. Untick to type a number."
            ).format(param.name)
        )
        self.auto.toggled.connect(self._on_auto_toggled)
        self.widget = QWidget()
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin, 1)
        layout.addWidget(self.auto)

    def set_value(self, value: object, resolved: object | None) -> None:
        self._resolved = resolved if isinstance(resolved, int) else None
        is_auto = value == AUTO
        if self.auto is not None and self.auto.isChecked() != is_auto:
            self.auto.blockSignals(True)
            self.auto.setChecked(is_auto)
            self.auto.blockSignals(False)
        if is_auto:
            self._show_auto()
        else:
            self._show_number(int(value))

    def _show_auto(self) -> None:
        text = QCoreApplication.translate("LayerInspectorWidget", "auto")
        if self._resolved is not None:
            text = QCoreApplication.translate("LayerInspectorWidget", "auto ({0})").format(
                self._resolved
            )
        self.spin.setEnabled(False)
        self.spin.blockSignals(True)
        self.spin.setSpecialValueText(text)  # shown while the value is the minimum
        self.spin.setValue(self.spin.minimum())
        self.spin.blockSignals(False)

    def _show_number(self, number: int) -> None:
        self._last_number = number
        self.spin.setEnabled(True)
        self.spin.blockSignals(True)
        self.spin.setSpecialValueText("")
        if self.spin.value() != number:  # keeps the cursor where it is while typing
            self.spin.setValue(number)
        self.spin.blockSignals(False)

    def _on_value_changed(self, value: int) -> None:
        self._last_number = value
        self._emit(self.param.name, value)

    def _on_auto_toggled(self, checked: bool) -> None:
        if checked:
            self._show_auto()
            self._emit(self.param.name, AUTO)
            return
        # Untick: start from what auto stood for, so the model does not change under the user.
        number = self._resolved if self._resolved is not None else self._last_number
        self._show_number(number)
        self._emit(self.param.name, self.spin.value())


class _DoubleSpinBox(_WheelWhenFocused, QDoubleSpinBox):
    """A double spin box that shows 0.5, not 0.5000."""

    def textFromValue(self, value: float) -> str:
        text = self.locale().toString(value, "f", self.decimals())
        point = self.locale().decimalPoint()
        if point in text:
            text = text.rstrip("0").rstrip(point)
        return text


class _FloatSpinRow(_Row):
    """A float with a moderate range (probabilities, slopes): a spin box."""

    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.spin = _DoubleSpinBox()
        self.spin.setDecimals(4)
        low = param.minimum if param.minimum is not None else -1e9
        high = param.maximum if param.maximum is not None else 1e9
        self.spin.setRange(low, high)
        # A hundredth of the range (0.01 for a probability): arrows fine-tune, typing jumps.
        self.spin.setSingleStep(10 ** (math.floor(math.log10(high - low)) - 2))
        self.spin.setToolTip(_tooltip(param))
        self.spin.valueChanged.connect(self._on_value_changed)
        self.editor = self.widget = self.spin

    def set_value(self, value: object, resolved: object | None) -> None:
        if math.isclose(self.spin.value(), float(value), rel_tol=0, abs_tol=1e-12):
            return
        self.spin.blockSignals(True)
        self.spin.setValue(float(value))
        self.spin.blockSignals(False)

    def _on_value_changed(self, value: float) -> None:
        # Round away binary noise such as 0.15000000000000002 from stepping.
        self._emit(self.param.name, round(value, self.spin.decimals()))


class _FloatLineEdit(QLineEdit):
    """A line edit that puts back the last valid number when focus leaves invalid text."""

    def __init__(self, row: _FloatTextRow) -> None:
        super().__init__()
        self._row = row

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.property("invalid"):
            self._row.revert()


class _FloatTextRow(_Row):
    """A float that may be tiny (eps = 1e-05): typed as text, checked on every keystroke.

    Invalid text gets a red border and a tooltip saying why, and is not emitted.
    """

    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.edit = _FloatLineEdit(self)
        self.edit.setProperty("invalid", False)
        self._help = _tooltip(
            param,
            QCoreApplication.translate("LayerInspectorWidget", "Type a number such as 1e-05."),
        )
        self.edit.setToolTip(self._help)
        self.edit.textEdited.connect(self._on_text_edited)
        self._value = float(param.default) if isinstance(param.default, int | float) else 0.0
        # Said under the field too: a tooltip alone is missed on a projector or a touch screen.
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error.hide()
        self.editor = self.edit
        self.widget = QWidget()
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)

    def _format(self, value: float) -> str:
        return self.edit.locale().toString(value, "g", 12)

    def _parse(self, text: str) -> float:
        value, ok = self.edit.locale().toDouble(text.strip())
        if ok:
            return value
        try:  # "1e-5" with a dot is accepted in every locale
            return float(text.strip())
        except ValueError:
            raise SpecError(
                QCoreApplication.translate("LayerInspectorWidget", "{0} must be a number").format(
                    self.param.name
                )
            ) from None

    def set_value(self, value: object, resolved: object | None) -> None:
        value = float(value)
        if self.edit.hasFocus():
            # Do not overwrite what the user is typing when it already means this value,
            # or is not finished (invalid) yet.
            try:
                if self.edit.property("invalid") or self._parse(self.edit.text()) == value:
                    self._value = value
                    return
            except SpecError:
                pass
        self._value = value
        self.edit.setText(self._format(value))
        self._flag(None)

    def revert(self) -> None:
        self.edit.setText(self._format(self._value))
        self._flag(None)

    def _flag(self, error: str | None) -> None:
        self.edit.setProperty("invalid", error is not None)
        self.error.setText(error or "")
        self.error.setVisible(error is not None)
        if error is None:
            self.edit.setStyleSheet("")
            self.edit.setToolTip(self._help)
        else:
            self.edit.setStyleSheet(f"QLineEdit {{ border: 2px solid {ERROR_COLOR}; }}")
            self.edit.setToolTip(f"<p><b>{html.escape(error, quote=False)}</b></p>{self._help}")

    def _on_text_edited(self, text: str) -> None:
        try:
            value = check_param(self.param, self._parse(text))
        except SpecError as error:
            self._flag(str(error))
            return
        self._flag(None)
        self._value = value
        self._emit(self.param.name, value)


class _BoolRow(_Row):
    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.check = QCheckBox()
        # Only as wide as its box, so that a click beside it does nothing surprising.
        self.check.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.check.setToolTip(_tooltip(param))
        self.check.toggled.connect(lambda checked: self._emit(param.name, checked))
        self.editor = self.widget = self.check

    def set_value(self, value: object, resolved: object | None) -> None:
        self.check.blockSignals(True)
        self.check.setChecked(bool(value))
        self.check.blockSignals(False)


class _ChoiceRow(_Row):
    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.combo = _ComboBox()
        self.combo.addItems(list(param.choices))
        self.combo.setToolTip(_tooltip(param))
        self.combo.currentIndexChanged.connect(
            lambda row: self._emit(param.name, param.choices[row])
        )
        self.editor = self.widget = self.combo

    def set_value(self, value: object, resolved: object | None) -> None:
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.param.choices.index(value))
        self.combo.blockSignals(False)


def _make_row(param: Param, emit: Emit) -> _Row:
    if param.type == "int":
        return _IntRow(param, emit)
    if param.type == "float":
        if param.minimum is not None and 0 < param.minimum < SMALL_FLOAT:
            return _FloatTextRow(param, emit)
        return _FloatSpinRow(param, emit)
    if param.type == "bool":
        return _BoolRow(param, emit)
    return _ChoiceRow(param, emit)


class LayerInspectorWidget(QWidget):
    """Edits one layer's parameters; emits each change as a new LayerSpec."""

    layerEdited = Signal(int, object, str)  # index, new LayerSpec, parameter name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._index: int | None = None
        self._layer: LayerSpec | None = None
        self._rows: dict[str, _Row] = {}
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)
        self.show_layer(None, None)

    def current_index(self) -> int | None:
        """The index of the layer shown, or None when none is."""
        return self._index

    def editor(self, name: str) -> QWidget:
        """The input widget of a parameter (the spin box, not the auto check box)."""
        return self._rows[name].editor

    def auto_box(self, name: str) -> QCheckBox | None:
        """The "auto" check box of a parameter, or None if it cannot be inferred."""
        row = self._rows[name]
        return row.auto if isinstance(row, _IntRow) else None

    def show_layer(
        self, index: int | None, layer: LayerSpec | None, resolved: LayerSpec | None = None
    ) -> None:
        """Show a layer without emitting. The same index and kind only updates the values."""
        if index is None or layer is None:
            self._index, self._layer = None, None
            self._build_empty()
            return
        same = index == self._index and self._layer is not None and self._layer.kind == layer.kind
        self._index, self._layer = index, layer
        if not same:
            self._build(index, layer)
        if resolved is not None and resolved.kind != layer.kind:
            resolved = None
        for name, row in self._rows.items():
            row.set_value(layer.get(name), self._resolved_value(layer, resolved, name))

    @staticmethod
    def _resolved_value(layer: LayerSpec, resolved: LayerSpec | None, name: str) -> object:
        value = resolved.get(name) if resolved is not None else None
        if value in (None, AUTO) and name == "stride" and "kernel_size" in layer.params:
            return layer.get("kernel_size")  # a pooling stride of 'auto' is the kernel size
        return value

    def _apply(self, name: str, value: object) -> None:
        """Apply a user change: emit the new layer if it is valid."""
        if self._index is None or self._layer is None:
            return
        try:
            layer = self._layer.with_params(**{name: value})  # checks it with check_param
        except SpecError:
            return  # the editors only let valid values through; this is a last guard
        self._layer = layer
        self.layerEdited.emit(self._index, layer, name)

    def _new_page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        layout = QVBoxLayout(page)
        margin = self.fontMetrics().height() // 2
        layout.setContentsMargins(margin, margin, margin, margin)
        return page, layout

    @staticmethod
    def _muted(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return label

    def _build_empty(self) -> None:
        self._rows = {}
        page, layout = self._new_page()
        notice = self._muted(self.tr("Select a layer to edit its settings"))
        notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(notice)
        layout.addStretch(2)
        self._scroll.setWidget(page)  # deletes the previous page

    def _build(self, index: int, layer: LayerSpec) -> None:
        kind = CATALOG[layer.kind]
        page, layout = self._new_page()
        title = QLabel(self.tr("Layer {0} · {1}").format(index, kind.name))
        title.setWordWrap(True)
        bold = QFont()  # sets only the weight: the size follows the theme, even a later one
        bold.setBold(True)
        title.setFont(bold)
        title.setToolTip(self.tr("PyTorch: {0}").format(kind.torch_class))
        layout.addWidget(title)
        layout.addWidget(self._muted(kind.help))
        layout.addSpacing(self.fontMetrics().height() // 2)
        self._rows = {}
        if not kind.params:
            layout.addWidget(self._muted(self.tr("{0} has no settings").format(kind.name)))
        else:
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for param in kind.params:
                row = _make_row(param, self._apply)
                label = QLabel(param.name)
                label.setToolTip(_tooltip(param))
                label.setBuddy(row.editor)
                form.addRow(label, row.widget)
                self._rows[param.name] = row
            layout.addLayout(form)
        layout.addStretch(1)
        self._scroll.setWidget(page)


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    inspector = LayerInspectorWidget()
    inspector.setWindowTitle("LayerInspectorWidget")
    sample = LayerSpec.create("Linear", out_features=128)
    inspector.show_layer(2, sample, sample.with_params(in_features=64))

    def _on_layer_edited(index: int, layer: LayerSpec, name: str) -> None:
        print("layerEdited", index, name, layer.summary())
        inspector.show_layer(index, layer, layer.with_params(in_features=64))

    inspector.layerEdited.connect(_on_layer_edited)
    inspector.resize(320, 600)
    inspector.show()
    sys.exit(app.exec())
