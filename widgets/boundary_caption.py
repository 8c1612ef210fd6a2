"""BoundaryCaption: the lines under the decision-boundary plot that say what its marks mean.

Filled and hollow dots (training and validation, with their counts), the class colours, and
what the background or the line shows, once a prediction is drawn.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QWidget

from app.datasets import shown_counts
from widgets.numbers_text import count_text
from widgets.prediction_map import MAX_POINTS, PlotData, curve_color
from widgets.theme import Theme, class_colors


class BoundaryCaption(QLabel):
    """A rich-text legend whose entries wrap as wholes; empty while there is no data."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)

    def show_for(self, data: PlotData | None, steps_done: int | None, theme: Theme) -> None:
        """Describe `data`'s points and, when `steps_done` is given, the prediction drawn
        after that many steps."""
        if data is None:
            self.clear()
            return
        muted = theme.muted_text
        n_train, n_val = len(data.x_train), len(data.x_val)
        parts = [
            _swatch("\u25cf", theme.text)
            + _nowrap(self.tr("training ({0})").replace("{0}", count_text(n_train)))
            + "&nbsp;&nbsp; "
            + _swatch("\u25cb", theme.text)
            + _nowrap(self.tr("validation ({0})").replace("{0}", count_text(n_val)))
        ]
        shown = sum(shown_counts(n_train, n_val, MAX_POINTS))
        if shown < n_train + n_val:
            parts[0] += _muted(
                " \u2014 " + self.tr("showing {0} of them").replace("{0}", count_text(shown)),
                muted,
            )
        if data.task_kind == "classification":
            colors = class_colors(theme, data.classes)
            parts.append(
                "&nbsp;&nbsp; ".join(
                    _swatch("\u25a0", colors[k])
                    + _nowrap(self.tr("class {0}").replace("{0}", str(k)))
                    for k in range(data.classes)
                )
            )
            if steps_done is None:
                text = self.tr("The background shows the model's prediction once training runs.")
            else:
                text = self.tr(
                    "Background: the predicted class after {0} steps, fainter where the "
                    "model is less sure."
                ).replace("{0}", count_text(steps_done))
        elif steps_done is None:
            text = self.tr("The model's output appears as a line once training runs.")
        else:
            text = _swatch("<b>\u2501\u2501</b>", curve_color(theme)) + self.tr(
                "the model's output after {0} steps"
            ).replace("{0}", count_text(steps_done))
        parts.append(_muted(text, muted) if steps_done is None else text)
        self.setText("<br>".join(parts))

    def plain_text(self) -> str:
        """The caption as a reader sees it, without markup (no-break spaces as spaces)."""
        document = QTextDocument()
        document.setHtml(self.text())
        return document.toPlainText().replace("\u00a0", " ")


def _swatch(symbol: str, color: str) -> str:
    return f'<span style="color:{color}">{symbol}</span>&nbsp;'


def _nowrap(text: str) -> str:
    """A legend entry that wraps as a whole, never between its words."""
    return text.replace(" ", "&nbsp;")


def _muted(text: str, color: str) -> str:
    return f'<span style="color:{color}">{text}</span>'


if __name__ == "__main__":
    # `python -m widgets.boundary_caption [dark]`: the caption of two moons after 300 steps.
    import sys

    from widgets.demo import demo_application
    from widgets.demo_data import demo_plot_data
    from widgets.theme import current_theme

    app = demo_application()
    caption = BoundaryCaption()
    caption.show_for(demo_plot_data(), 300, current_theme())
    caption.resize(520, 80)
    caption.setWindowTitle("BoundaryCaption")
    caption.show()
    sys.exit(app.exec())
