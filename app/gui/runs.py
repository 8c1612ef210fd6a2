"""`RunsKeeper`: every finished run of the session, recorded into a `RunArchive`, shown in
the Runs tab, and kept next to the experiment file once it has one
(`app.run_archive.archive_path`), so that they come back with it after a restart."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.gui.controller import TrainingController
from app.gui.document import ExperimentDocument
from app.reports import RunFinished, RunStarted, StepsReport
from app.run_archive import RunArchive, archive_path
from app.run_record import record_run
from widgets.runs_panel import RunsPanel


class RunsKeeper(QObject):
    problem = Signal(str)
    message = Signal(str)

    def __init__(
        self,
        document: ExperimentDocument,
        controller: TrainingController,
        panel: RunsPanel,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.document, self.controller, self.panel = document, controller, panel
        self.archive = RunArchive()
        self._rate = 0.0  # the run's latest samples/s
        controller.reportReceived.connect(self._on_report)
        document.replaced.connect(self._on_replaced)
        document.pathChanged.connect(self._on_path_changed)
        panel.renamed.connect(self._on_renamed)
        panel.deleted.connect(self._on_deleted)

    def _on_report(self, report) -> None:
        if isinstance(report, RunStarted):
            self._rate = 0.0
        elif isinstance(report, StepsReport):
            self._rate = report.samples_per_second
        elif isinstance(report, RunFinished) and report.steps_done > 0:
            experiment = self.controller.run_experiment or self.document.experiment
            name = self.archive.next_name()
            history = self.controller.history
            self.archive.add(record_run(name, experiment, history, report, self._rate))
            self._show(keep_selection=True)
            self._save()

    def _show(self, keep_selection: bool = False) -> None:
        selected = self.panel.selected() if keep_selection else []
        self.panel.show_runs(self.archive.records, selected)

    def _on_replaced(self) -> None:
        """A file opened with runs beside it: those runs come back. Otherwise (an example, a
        lesson, a file without runs) the session's runs stay, to compare across them: the
        MLP of a lesson against the CNN of an example."""
        path = self.document.path
        if path is None or not archive_path(path).exists():
            return
        self.archive, problem = RunArchive.load(archive_path(path))
        if problem:
            self.message.emit(problem)
        self._show()

    def _on_path_changed(self, path: Path | None) -> None:
        if path is not None and self.archive.records and not archive_path(path).exists():
            self._save()  # saved under a (new) name: its runs go along

    def _on_renamed(self, index: int, name: str) -> None:
        self.archive.rename(index, name)
        self._show(keep_selection=True)
        self._save()

    def _on_deleted(self, indices: list[int]) -> None:
        self.archive.delete(indices)
        self._show()
        self._save()

    def _save(self) -> None:
        path = self.document.path
        if path is None:
            return  # an untitled experiment's runs are saved with it
        try:
            self.archive.save(archive_path(path))
        except OSError as error:
            self.problem.emit(
                self.tr("The runs could not be saved next to %s: %s")
                % (path.name, error.strerror or error)
            )
