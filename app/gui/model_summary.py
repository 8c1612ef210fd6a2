"""The status bar's one-line verdict on the model: its size, its output and whether it can
train. It judges the model only; what a run is doing is the run panel's `state_label`."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from models.shapes import Inference
from widgets.layer_stack import shape_text
from widgets.theme import Theme, current_theme


class ModelSummaryLabel(QLabel):
    """Parameters, output shape and the first problem; every diagnostic is in the tool tip,
    and the text turns the theme's error colour while the model cannot train."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        self._has_errors = False

    def show_inference(self, inference: Inference) -> None:
        errors = len(inference.errors)
        warnings = len(inference.diagnostics) - errors
        parts = [
            self.tr("%s parameters") % f"{inference.total_params:,}",
            self.tr("output %s") % shape_text(inference.output_shape),
        ]
        if not inference.layers:
            parts = [self.tr("no layers yet")]
        elif errors:
            first = inference.errors[0]
            where = (
                self.tr("layer %d") % first.layer if first.layer is not None else self.tr("model")
            )
            if errors == 1:
                parts.append(self.tr("1 problem, at %s") % where)
            else:
                parts.append(self.tr("%d problems, first at %s") % (errors, where))
        elif warnings:
            if warnings == 1:
                parts.append(self.tr("model OK, 1 warning"))
            else:
                parts.append(self.tr("model OK, %d warnings") % warnings)
        else:
            parts.append(self.tr("model OK"))
        self.setText("   \u00b7   ".join(parts))
        self.setToolTip("\n\n".join(d.message for d in inference.diagnostics))
        self._has_errors = bool(errors)
        self._color()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._color()

    def _color(self) -> None:
        color = self._theme.error if self._has_errors else self._theme.text
        self.setStyleSheet(f"color: {color};")
