"""The layer inspector's rows: one editor per catalog parameter type, built from its `Param`.

An int gets a spin box (and an "auto" box when the layer before can supply it), a float a
spin box, or a text field when it may be tiny (eps = 1e-05), a bool a check box and a choice
a combo box. Each row shows values without emitting and hands user changes to `emit`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.layers import AUTO, Param
from models.spec import SpecError, check_param
from models.translation import _
from widgets.form_editors import TrimmedSpinBox, WheelWhenFocused
from widgets.theme import current_theme

INT_LIMIT = 2**31 - 1
SMALL_FLOAT = 1e-4
"""Floats that may go below this are typed as text (1e-05), not stepped in a spin box."""

Emit = Callable[[str, object], None]  # (parameter name, new value): a user change


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def param_tooltip(param: Param, extra: str = "") -> str:
    """Rich text (so Qt wraps it): the help, the allowed range and any extra note."""
    parts = [html.escape(_(param.help), quote=False)]
    if param.type in ("int", "float"):
        parts.append(
            QCoreApplication.translate("LayerInspectorWidget", "Range: {0} to {1}.").format(
                _num(param.minimum), _num(param.maximum)
            )
        )
    if extra:
        parts.append(html.escape(extra, quote=False))
    return "".join(f"<p>{part}</p>" for part in parts)


class _SpinBox(WheelWhenFocused, QSpinBox):
    """An int spin box that leaves the wheel to the form until it has focus."""


class _ComboBox(WheelWhenFocused, QComboBox):
    """A combo box that leaves the wheel to the form until it has focus."""


class ParamRow:
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


class IntRow(ParamRow):
    """A spin box, plus an "auto" check box when the parameter can be inferred."""

    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.spin = _SpinBox()
        low = int(param.minimum) if param.minimum is not None else -INT_LIMIT
        high = int(param.maximum) if param.maximum is not None else INT_LIMIT
        self.spin.setRange(low, high)
        self.spin.setAccelerated(True)
        self.spin.setToolTip(param_tooltip(param))
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


class _DoubleSpinBox(WheelWhenFocused, TrimmedSpinBox):
    """A float spin box that shows 0.5, not 0.5000, and leaves the wheel to the form until it
    has focus."""


class FloatSpinRow(ParamRow):
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
        self.spin.setToolTip(param_tooltip(param))
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

    def __init__(self, row: FloatTextRow) -> None:
        super().__init__()
        self._row = row

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.property("invalid"):
            self._row.revert()


class FloatTextRow(ParamRow):
    """A float that may be tiny (eps = 1e-05): typed as text, checked on every keystroke.

    Invalid text gets a border in the theme's error colour and a note saying why; it is not
    emitted.
    """

    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.edit = _FloatLineEdit(self)
        self.edit.setProperty("invalid", False)
        self._help = param_tooltip(
            param,
            QCoreApplication.translate("LayerInspectorWidget", "Type a number such as 1e-05."),
        )
        self.edit.setToolTip(self._help)
        self.edit.textEdited.connect(self._on_text_edited)
        self._value = float(param.default) if isinstance(param.default, int | float) else 0.0
        # Said under the field too: a tooltip alone is missed on a projector or a touch screen.
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {current_theme().error};")
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
            self.edit.setStyleSheet(f"QLineEdit {{ border: 2px solid {current_theme().error}; }}")
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


class BoolRow(ParamRow):
    """A check box."""

    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.check = QCheckBox()
        # Only as wide as its box, so that a click beside it does nothing surprising.
        self.check.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.check.setToolTip(param_tooltip(param))
        self.check.toggled.connect(lambda checked: self._emit(param.name, checked))
        self.editor = self.widget = self.check

    def set_value(self, value: object, resolved: object | None) -> None:
        self.check.blockSignals(True)
        self.check.setChecked(bool(value))
        self.check.blockSignals(False)


class ChoiceRow(ParamRow):
    """A combo box of the parameter's choices."""

    def __init__(self, param: Param, emit: Emit) -> None:
        super().__init__(param, emit)
        self.combo = _ComboBox()
        self.combo.addItems(list(param.choices))
        self.combo.setToolTip(param_tooltip(param))
        self.combo.currentIndexChanged.connect(
            lambda row: self._emit(param.name, param.choices[row])
        )
        self.editor = self.widget = self.combo

    def set_value(self, value: object, resolved: object | None) -> None:
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.param.choices.index(value))
        self.combo.blockSignals(False)


def make_row(param: Param, emit: Emit) -> ParamRow:
    """The row that edits a parameter of this type and range."""
    if param.type == "int":
        return IntRow(param, emit)
    if param.type == "float":
        if param.minimum is not None and 0 < param.minimum < SMALL_FLOAT:
            return FloatTextRow(param, emit)
        return FloatSpinRow(param, emit)
    if param.type == "bool":
        return BoolRow(param, emit)
    return ChoiceRow(param, emit)
