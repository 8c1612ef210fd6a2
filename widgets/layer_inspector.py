"""The layer inspector: a form that edits the settings of one layer, built from the catalog.

Each row comes from a catalog `Param` (type, range, help), so a new layer kind needs no form
code. Every user change becomes a whole new, valid `LayerSpec` in `layerEdited`; the owner
decides what to do with it and shows the result back through `show_layer`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from models.layers import AUTO, CATALOG
from models.spec import LayerSpec, SpecError
from models.translation import _
from widgets.param_rows import IntRow, ParamRow, make_row, param_tooltip
from widgets.settings_form import new_form


class LayerInspectorWidget(QWidget):
    """Edits one layer's parameters; emits each change as a new LayerSpec."""

    layerEdited = Signal(int, object, str)  # index, new LayerSpec, parameter name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._index: int | None = None
        self._layer: LayerSpec | None = None
        self._rows: dict[str, ParamRow] = {}
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Narrower than its form, the page scrolls sideways rather than clipping the fields.
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
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
        return row.auto if isinstance(row, IntRow) else None

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
        layout.addWidget(self._muted(_(kind.help)))
        layout.addSpacing(self.fontMetrics().height() // 2)
        self._rows = {}
        if not kind.params:
            layout.addWidget(self._muted(self.tr("{0} has no settings").format(kind.name)))
        else:
            form = new_form()
            for param in kind.params:
                row = make_row(param, self._apply)
                label = QLabel(param.name)
                label.setToolTip(param_tooltip(param))
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
