"""The experiment's file: new, open, save and save-as, and what the app remembers between
sessions (recent files, the last folder)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from app.classroom import LessonMark
from app.experiment import UNTITLED, Experiment, ExperimentError, title_from_file
from app.gui.document import ExperimentDocument
from models.files import EXPERIMENT_FILE, MODEL_FILE, write_atomic
from models.translation import _
from widgets.icons import resource_path

EXAMPLES = resource_path("examples")
DEFAULT_EXAMPLE = EXAMPLES / "two_moons.json"
MAX_RECENT = 8


@dataclass(frozen=True)
class Example:
    """One experiment of resources/examples, as the Examples menu and gallery show it (its
    title and description in the current language)."""

    title: str
    description: str
    path: Path


def examples() -> list[Example]:
    """Every example, in the order of their English titles (the same in every language),
    with its title and description translated; unreadable files are left out."""
    found = []
    for path in sorted(EXAMPLES.glob("*.json")):
        try:
            experiment = Experiment.load(path)
        except ExperimentError:
            continue
        found.append(Example(experiment.title, experiment.description, path))
    found.sort(key=lambda example: (example.title, example.path))
    return [Example(_(e.title), _(e.description), e.path) for e in found]


class FileController(QObject):
    """Opens and saves the document for the window, asking before unsaved work is dropped.
    `problem` carries a sentence for an error box, `message` a status-bar text and its
    milliseconds; a bad file never replaces the current work."""

    problem = Signal(str)
    message = Signal(str, int)
    trainedFolderOpened = Signal(str)  # its experiment is open: Train goes on from its weights
    # A file was opened (None: it was saved in no lesson; else its LessonMark): the window's
    # lesson runner is the one home of the lesson under way, the document holds none.
    lessonOpened = Signal(object)

    def __init__(self, document: ExperimentDocument, settings: QSettings, window: QWidget) -> None:
        super().__init__(window)
        self.document = document
        self.settings = settings
        self._window = window  # the parent of the dialogs
        # The lesson under way when the file is saved (the window's lesson runner sets it):
        # saved with the experiment, not an edit of it, so undo never winds a lesson back.
        self.lesson_mark: Callable[[], LessonMark | None] = lambda: None
        self.recent_menu = QMenu(self.tr("Open &Recent"), window)
        self._refresh_recent_menu()

    # -- verbs ------------------------------------------------------------------------------

    def new_experiment(self) -> None:
        """An empty model on the default data: the user builds it from the first layer."""
        if self.maybe_save():
            self.document.replace(Experiment.blank(), None)

    def open_dialog(self) -> None:
        """Ask for a file (after asking about unsaved changes) and open it."""
        if not self.maybe_save():
            return
        name, _kind = QFileDialog.getOpenFileName(
            self._window, self.tr("Open experiment"), self.last_folder(), self._kinds()
        )
        if name:
            self.open_file(Path(name))

    def open_recent(self, path: Path) -> None:
        if self.maybe_save():
            self.open_file(path)

    def open_file(self, path: Path) -> bool:
        """Open an experiment; a bad file leaves the current work as it is."""
        path = Path(path)
        try:
            experiment = Experiment.load(path)
        except ExperimentError as error:
            self.problem.emit(self.tr("LayerLab could not open this file: %s.") % error)
            return False
        self.document.replace(experiment.with_changes(lesson=None), path)
        self.lessonOpened.emit(experiment.lesson)
        self._remember(path)
        if self.document.modified:
            self.message.emit(
                self.tr(
                    "The model's input did not match the data in this file; it now follows the "
                    "data (Undo shows it as saved)."
                ),
                10000,
            )
        return True

    def open_trained_folder_dialog(self) -> None:
        """Ask for a folder that `layerlab train` or Export Weights wrote, and open it."""
        if not self.maybe_save():
            return
        folder = QFileDialog.getExistingDirectory(
            self._window, self.tr("Open a trained folder"), self.last_folder()
        )
        if folder:
            self.open_trained_folder(Path(folder))

    def open_trained_folder(self, folder: Path) -> bool:
        """Open the folder's experiment.json; the next Train goes on from its model.pt."""
        missing = [name for name in (EXPERIMENT_FILE, MODEL_FILE) if not (folder / name).is_file()]
        if missing:
            if len(missing) == 1:
                text = self.tr("%s is not a trained folder: it has no %s.") % (folder, missing[0])
            else:
                text = self.tr("{folder} is not a trained folder: it has no {first} or {second}.")
                text = text.format(folder=folder, first=missing[0], second=missing[1])
            self.problem.emit(text)
            return False
        if not self.open_file(folder / EXPERIMENT_FILE):
            return False
        self.trainedFolderOpened.emit(str(folder))
        return True

    def open_example(self, path: Path) -> None:
        """Examples open as untitled copies, so Save never overwrites the gallery."""
        if self.maybe_save():
            self.document.replace(Experiment.load(path), None)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.write(self.document.path)

    def save_as(self) -> bool:
        suggested = Path(self.last_folder()) / (self._suggested_name() + ".json")
        name, _kind = QFileDialog.getSaveFileName(
            self._window, self.tr("Save experiment"), str(suggested), self._kinds()
        )
        if not name:
            return False
        path = Path(name)
        path = path if path.suffix else path.with_suffix(".json")
        experiment = self.document.experiment
        if experiment.title == UNTITLED:
            # An experiment nobody named is called after its file, not "Untitled" for ever.
            named = experiment.with_changes(title=title_from_file(path))
            self.document.edit(named, self.tr("Name the experiment"))
        return self.write(path)

    def write(self, path: Path) -> bool:
        """Save to `path` atomically; on failure say why and keep the document unsaved."""
        try:
            experiment = self.document.experiment.with_changes(lesson=self.lesson_mark())
            write_atomic(path, experiment.to_json().encode())
        except OSError as error:
            reason = error.strerror or error
            self.problem.emit(self.tr("LayerLab could not save to %s: %s.") % (path, reason))
            return False
        self.document.mark_saved(path)
        self._remember(path)
        self.message.emit(self.tr("Saved %s") % path, 4000)
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes. True when it is fine to go on."""
        if not self.document.modified:
            return True
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Unsaved changes"))
        box.setText(self.tr("Save the changes to this experiment first?"))
        box.setInformativeText(self.tr("If you don't save, your changes will be lost."))
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _kinds(self) -> str:
        return self.tr("LayerLab experiments (*.json)")

    def _suggested_name(self) -> str:
        title = self.document.experiment.title.split(":")[0].strip().lower()
        return "".join(c if c.isalnum() else "_" for c in title).strip("_") or "experiment"

    # -- what is remembered -----------------------------------------------------------------

    def recent_files(self) -> list[Path]:
        return [Path(p) for p in self.settings.value("files/recent", [], list) or []]

    def last_folder(self) -> str:
        """Where file dialogs start: the folder last opened, saved or exported to."""
        return str(self.settings.value("files/lastFolder", str(Path.home())))

    def remember_folder(self, folder: str) -> None:
        self.settings.setValue("files/lastFolder", folder)

    def _remember(self, path: Path) -> None:
        recent = [p for p in self.recent_files() if p != path]
        recent.insert(0, path)
        self.settings.setValue("files/recent", [str(p) for p in recent[:MAX_RECENT]])
        self.remember_folder(str(path.parent))
        self._refresh_recent_menu()

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _checked=False, path=path: self.open_recent(path))
        self.recent_menu.setEnabled(bool(self.recent_files()))
