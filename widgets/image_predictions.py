"""ImagePredictionsWidget: what an image classifier gets right and wrong, live.

Left, the model's guesses for the first validation images (wrong ones marked), a few times a
second; right, the confusion matrix of the whole validation set, after every epoch (it needs
a pass over all of them, which the engine makes then anyway).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.reports import EpochReport, ImagePredictionReport
from widgets.confusion_matrix import ConfusionMatrixWidget
from widgets.image_grid import ImageGridWidget
from widgets.numbers_text import count_text
from widgets.theme import Theme


class ImagePredictionsWidget(QWidget):
    """A prediction grid beside a confusion matrix, fed by the run's reports."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = ImageGridWidget()
        self.matrix = ConfusionMatrixWidget()
        self._class_names: tuple[str, ...] = ()
        self._grid_title = QLabel()
        self._matrix_title = QLabel()
        for title in (self._grid_title, self._matrix_title):
            title.setWordWrap(True)
            font = title.font()
            font.setBold(True)
            title.setFont(font)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self._splitter = splitter
        for title, view in ((self._grid_title, self.grid), (self._matrix_title, self.matrix)):
            side = QWidget()
            column = QVBoxLayout(side)
            column.setContentsMargins(6, 6, 6, 6)
            column.addWidget(title)
            column.addWidget(view, 1)
            splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)  # the grid wants width for its tiles and summary
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.reset()

    def reset(self, class_names: tuple[str, ...] = ()) -> None:
        """Empty both views for a new run (or a new dataset)."""
        self._class_names = tuple(class_names)
        self._grid_title.setText(self.tr("Validation images and the model's guesses"))
        self._matrix_title.setText(self.tr("Confusion matrix (all validation images)"))
        self.grid.clear(self.tr("Press Train to see what the model guesses for these images."))
        self.matrix.clear(self.tr("The confusion matrix appears after the first epoch."))

    def set_theme(self, theme: Theme) -> None:
        """Paint both views in `theme`."""
        self.grid.set_theme(theme)
        self.matrix.set_theme(theme)

    def add_prediction(self, report: ImagePredictionReport) -> None:
        """Show the model's latest guesses for the first validation images."""
        self._class_names = report.class_names
        title = self.tr("The model's guesses after step {0}")
        self._grid_title.setText(title.replace("{0}", count_text(report.steps_done)))
        self.grid.show_predictions(
            report.images, report.labels, report.predicted, report.class_names
        )

    def add_epoch(self, report: EpochReport) -> None:
        """Show the epoch's confusion matrix (classification epochs carry one)."""
        if report.confusion is None:
            return
        names = self._class_names or tuple(str(k) for k in range(len(report.confusion)))
        self._matrix_title.setText(
            self.tr("Confusion matrix after epoch {0}").replace("{0}", str(report.epoch))
        )
        self.matrix.set_matrix(np.asarray(report.confusion), names)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        # Side by side in a wide tab; stacked in a tall one (the window's centre between two
        # docks), where side by side both would be too narrow to read.
        wide = self.width() >= 1.3 * self.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self._splitter.orientation() != orientation:
            self._splitter.setOrientation(orientation)
            # Side by side the grid wants the width; stacked, its rows need less height
            # than a readable matrix does.
            self._splitter.setSizes([3000, 2000] if wide else [2000, 3000])

    def export_png(self, path: str | Path) -> bool:
        """Save both views as they are shown; False when the file cannot be written."""
        return self.grab().save(str(path), "PNG")


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application
    from widgets.demo_data import demo_digits, demo_matrix

    app = demo_application()
    names = tuple(str(k) for k in range(10))
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 32)
    guesses = np.where(rng.random(32) < 0.85, labels, rng.integers(0, 10, 32))
    view = ImagePredictionsWidget()
    view.add_prediction(ImagePredictionReport(500, demo_digits(labels), labels, guesses, names))
    view.add_epoch(EpochReport(1, 500, 0.4, 0.35, 0.9, confusion=demo_matrix(names)))
    view.resize(1100, 600)
    view.show()
    sys.exit(app.exec())
