"""How LayerLab lays out a settings form: label-and-field rows in titled groups, the same
tooltip on a label and its field, one label width across groups, and warning lines.

The training panel and the layer inspector are both built this way, so their forms wrap,
align and warn alike.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QStyle,
    QWidget,
)

from widgets.theme import current_theme


def new_form(parent: QWidget | None = None) -> QFormLayout:
    """A form whose fields grow with the dock and wrap below their labels when it is narrow."""
    form = QFormLayout(parent)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    # In a narrow dock with a big font a field goes below its label instead of clipping.
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


def add_group(layout: QBoxLayout, title: str) -> QFormLayout:
    """Add a titled group box to `layout`; the group's form, for its rows."""
    box = QGroupBox(title)
    layout.addWidget(box)
    return new_form(box)


def add_row(form: QFormLayout, label: str, field: QWidget, tooltip: str) -> None:
    """Add `label: field`, both saying `tooltip`."""
    form.addRow(label, field)
    field.setToolTip(tooltip)
    form.labelForField(field).setToolTip(tooltip)


def label_for(field: QWidget) -> QWidget:
    """The label beside a field added with `add_row`."""
    form = field.parentWidget().layout()
    assert isinstance(form, QFormLayout)
    return form.labelForField(field)


def set_item_tooltip(combo: QComboBox, data: object, tooltip: str) -> None:
    """Give the combo box item holding `data` a tooltip."""
    combo.setItemData(combo.findData(data), tooltip, Qt.ItemDataRole.ToolTipRole)


def align_labels(widget: QWidget) -> None:
    """Give the labels of every form in `widget` one width, so all fields start at the same x.

    The gap to the field is part of the label's width, not the form's spacing: WrapLongRows
    wraps a row only when the label's and the field's minimum widths alone exceed the form,
    so with a spacing a field could get up to the gap (6 px) less than its minimum (seen:
    "Momentum" 78 < 81 px, a Chinese combo 118 < 122)."""
    forms = widget.findChildren(QFormLayout)
    width = max(
        item.widget().sizeHint().width()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
    )
    for form in forms:
        # (the style's gap, also when called again, after the spacing is 0)
        style_gap = widget.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        gap = max(form.horizontalSpacing(), style_gap)
        form.setHorizontalSpacing(0)
        for row in range(form.rowCount()):
            if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None:
                item.widget().setMinimumWidth(width + gap)


def warning_label() -> QLabel:
    """A hidden, wrapping line in the theme's warning colour; `show_warning` fills it."""
    label = QLabel()
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(label.foregroundRole(), QColor(current_theme().warning))
    label.setPalette(palette)
    label.hide()
    return label


def show_warning(label: QLabel, text: str) -> None:
    """Show `text` in a warning line, or hide the line when there is nothing to say."""
    label.setText(text)
    label.setVisible(bool(text))
