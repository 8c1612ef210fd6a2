"""Export Weights, Training Script, Plot and Metrics: ask where, write (the weights in the
training thread), and say how it went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from app.experiment import model_source
from app.gui.controller import TrainingController
from app.gui.document import ExperimentDocument
from app.gui.files import FileController
from app.results import ExportResult
from app.script_export import export_script
from models.files import write_atomic
from models.words import listed


class ExportablePlot(Protocol):
    """A plot that writes itself as a PNG (every LayerLab plot widget does)."""

    def export_png(self, path: str) -> bool: ...


class ExportController(QObject):
    """The window's exports. Dialogs start in the last folder; `problem` carries a sentence
    for an error box, `message` a status-bar text and its milliseconds."""

    problem = Signal(str)
    message = Signal(str, int)

    def __init__(
        self,
        document: ExperimentDocument,
        controller: TrainingController,
        files: FileController,
        current_plot: Callable[[], ExportablePlot],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.document = document
        self.controller = controller
        self.files = files
        self._current_plot = current_plot
        self._window = window  # the parent of the dialogs
        controller.exported.connect(self._on_exported)

    def export_weights(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self._window, self.tr("Export weights into a folder"), self.files.last_folder()
        )
        if folder:
            self.export_weights_to(Path(folder))

    def export_model_as(self, kind: str) -> None:
        """The weights, and the model as TorchScript or ONNX beside them."""
        folder = QFileDialog.getExistingDirectory(
            self._window, self.tr("Export the model into a folder"), self.files.last_folder()
        )
        if folder:
            self.export_weights_to(Path(folder), (kind,))

    def export_weights_to(self, folder: Path, formats: tuple[str, ...] = ()) -> None:
        """model.pt, experiment.json and model.py, written atomically by the worker, and the
        model in `formats` beside them; refused when the model or data was edited since the
        weights were trained (the set would not load as one)."""
        experiment = self.document.experiment
        trained = self.controller.weights_experiment
        if trained is not None and (trained.model, trained.data) != (
            experiment.model,
            experiment.data,
        ):
            self.problem.emit(
                self.tr(
                    "The weights were trained before the model or the data changed, so they "
                    "do not fit it. Train again (or undo the changes), then export."
                )
            )
            return
        source = model_source(experiment, self.document.task)
        self.controller.export(folder, experiment.to_dict(), source, formats)

    def _on_exported(self, result: ExportResult) -> None:
        if not result.ok:
            self.problem.emit(result.error)
            return
        self.files.remember_folder(result.folder)
        files = listed(("model.pt", "experiment.json", "model.py", *result.formats))
        text = self.tr("Wrote %s to %s") % (files, result.folder)
        self.message.emit(text, 8000)

    def export_script(self) -> None:
        title = self.tr("Export the training script into a folder")
        folder = QFileDialog.getExistingDirectory(self._window, title, self.files.last_folder())
        if folder:
            self.export_script_to(Path(folder))

    def export_script_to(self, folder: Path) -> None:
        """train.py, experiment.json and the generated points (data.npz), as one set."""
        document = self.document
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a million points: 0.3 s
        try:
            written = export_script(document.experiment, document.task, folder)
        except ValueError as error:
            self.problem.emit(self.tr("Fix the model first: %s") % error)
            return
        except OSError as error:
            reason = error.strerror or error
            self.problem.emit(self.tr("LayerLab could not write to %s: %s.") % (folder, reason))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.files.remember_folder(str(folder))
        text = self.tr("Wrote %s to %s: run it there with python train.py") % (
            listed(written),
            folder,
        )
        self.message.emit(text, 10000)

    def export_plot(self) -> None:
        """The plot on screen as a PNG image."""
        name = self._ask(self.tr("Export plot"), "plot.png", self.tr("PNG images (*.png)"))
        if name and not self._current_plot().export_png(name):
            self.problem.emit(self.tr("LayerLab could not write %s.") % name)

    def export_metrics(self) -> None:
        """Every finished epoch's losses and scores of the current run, as CSV."""
        name = self._ask(self.tr("Export metrics"), "metrics.csv", self.tr("CSV files (*.csv)"))
        if name:
            self._write_text(name, self.controller.history.metrics_csv())

    def export_comparison(self, csv_text: str) -> None:
        """The Runs tab's table, as CSV (its picture is Export Plot's, on that tab)."""
        title = self.tr("Export comparison")
        name = self._ask(title, "comparison.csv", self.tr("CSV files (*.csv)"))
        if name:
            self._write_text(name, csv_text)

    def _write_text(self, name: str, text: str) -> None:
        try:
            write_atomic(Path(name), text.encode())
        except OSError as error:
            reason = error.strerror or error
            self.problem.emit(self.tr("LayerLab could not write %s: %s.") % (name, reason))

    def _ask(self, title: str, suggested: str, kinds: str) -> str:
        """A file name to write, or "" when the user cancels."""
        start = str(Path(self.files.last_folder()) / suggested)
        name, _ = QFileDialog.getSaveFileName(self._window, title, start, kinds)
        return name
