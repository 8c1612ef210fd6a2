"""The main window: composes the widgets around one ExperimentDocument, with its menus, files
and exports, and keeps the views and actions in step with the document and the run."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.classroom import LessonMark, Locks
from app.experiment import Experiment
from app.gui.controller import TrainingController
from app.gui.document import ExperimentDocument
from app.gui.example_gallery import ExampleGallery
from app.gui.exports import ExportController
from app.gui.files import DEFAULT_EXAMPLE, FileController, examples
from app.gui.image_data import ImageDataSource
from app.gui.lesson_gallery import LessonGallery
from app.gui.lesson_runner import LessonRunner
from app.gui.lock_dialog import LockDialog
from app.gui.menus import WindowActions, build_menus
from app.gui.model_summary import ModelSummaryLabel
from app.gui.presentation import Presentation
from app.gui.run_panel import RunPanel
from app.gui.runs import RunsKeeper
from app.gui.window_layout import WindowLayout
from app.gui.window_locks import WindowLocks
from app.lessons import Lesson, lessons
from app.lessons.conditions import WindowState
from app.results import CANCELLED, DONE, DeviceReport, DownloadProgress, DownloadResult
from app.run_state import PAUSED, RUNNING
from app.script_export import training_script
from models.translation import _
from widgets.code_view import CodeView
from widgets.dataset_panel import DatasetPanel
from widgets.icons import icon
from widgets.layer_inspector import LayerInspectorWidget
from widgets.layer_palette import LayerPaletteWidget
from widgets.layer_stack import LayerStackWidget
from widgets.lesson_panel import LessonPanel
from widgets.panel_page import PanelPage
from widgets.training_panel import TrainingPanel

# The code panel's share of the window's width when it opens (as far as the plots keep their
# minimum), and of the right side's height, below the settings.
CODE_SHARE = 0.45
CODE_HEIGHT = 0.6
LESSON_HEIGHT = 0.5  # the lesson's share of the right side's height, below the settings
START_PAGE_KEY = "lessons/showAtStart"


class MainWindow(QMainWindow):
    """LayerLab's window. Every edit goes through `document`; views redraw from its signals."""

    def __init__(self, settings: QSettings, experiment: Experiment | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.document = ExperimentDocument(experiment or Experiment.load(DEFAULT_EXAMPLE), self)
        self.error_box: QMessageBox | None = None
        self._task_kind = ""
        self.setWindowIcon(icon("app"))
        self._make_widgets()
        self.files = FileController(self.document, settings, self)
        self.exports = ExportController(
            self.document, self.controller, self.files, self.run_panel.current_plot, self
        )
        self.menu_actions = WindowActions(self, self.stack.tree)
        docks = [self.layers_dock, self.inspector_dock, self.data_dock, self.training_dock]
        # Left: what the model is made of. Right, as tabs: the settings of the selected layer,
        # of the data and of training (the layer tab comes forward when a layer is selected);
        # below them, once opened, the code, which marks the selected layer's line.
        self.window_layout = WindowLayout(
            self,
            settings,
            self.layers_dock,
            docks[1:],
            front=self.data_dock,
            optional=[self.lesson_dock, self.code_dock],
        )
        docks += [self.lesson_dock, self.code_dock]
        self.runs = RunsKeeper(self.document, self.controller, self.run_panel.runs, self)
        self.lessons_catalog = lessons()
        self.lessons = LessonRunner(
            self.document,
            self.controller,
            self.lesson_panel,
            self.lessons_catalog,
            self._window_state,
            self._open_lesson_experiment,
            self,
        )
        self.files.lesson_mark = self.lessons.mark
        self.presentation = Presentation(self, settings)
        self.addActions(list(self.presentation.actions))  # their keys work in full screen too

        self.examples_menu, self.lessons_menu, self.activations_menu = build_menus(
            self,
            self.menu_actions,
            self.files.recent_menu,
            self.run_panel.actions_in_order,
            examples(),
            self.files.open_example,
            docks,
            self.lessons_catalog,
            self.lessons.start,
            self.change_activations,
            self.presentation.actions,
        )
        self.locks = WindowLocks(self, self)
        # The layout presentation mode keeps is the user's, with no panel hidden for a file.
        self.presentation.before_saving_layout = self.locks.show_hidden
        self._connect()
        self._restore_settings()
        self._on_document_changed(self.document.experiment)
        self._on_path_changed(None)

    # -- construction -------------------------------------------------------------------------

    def _make_widgets(self) -> None:
        self.palette_widget = LayerPaletteWidget()
        self.stack = LayerStackWidget()
        self.inspector = LayerInspectorWidget()
        self.dataset_panel = DatasetPanel()
        self.training_panel = TrainingPanel()

        self.controller = TrainingController(self)
        self.run_panel = RunPanel(self.document, self.controller)
        self.setCentralWidget(self.run_panel)

        self.model_editor = QSplitter(Qt.Orientation.Vertical)
        self.model_editor.addWidget(self._titled(self.tr("Add a layer"), self.palette_widget))
        self.model_editor.addWidget(self._titled(self.tr("Model"), self.stack))
        self.model_editor.setStretchFactor(0, 2)
        self.model_editor.setStretchFactor(1, 5)
        self.model_editor.setChildrenCollapsible(False)
        # Each panel scrolls rather than squashes in a small window (the inspector scrolls
        # itself); the titles stay short so the side tabs never elide.
        self.layers_page = PanelPage(self.model_editor)
        self.inspector_page = PanelPage(self.inspector, scrolls=False)
        self.data_page = PanelPage(self.dataset_panel)
        self.training_page = PanelPage(self.training_panel)
        self.layers_dock = self._dock("layersDock", self.tr("Layers"), self.layers_page)
        self.inspector_dock = self._dock(
            "inspectorDock", self.tr("Layer settings"), self.inspector_page
        )
        self.data_dock = self._dock("dataDock", self.tr("Data"), self.data_page)
        self.training_dock = self._dock("trainingDock", self.tr("Training"), self.training_page)
        self.lesson_panel = LessonPanel()
        self.lesson_dock = self._dock("lessonDock", self.tr("Lesson"), PanelPage(self.lesson_panel))
        self.code_view = CodeView()
        self.code_dock = self._dock("codeDock", self.tr("Code"), self.code_view)

        self.summary_label = ModelSummaryLabel()
        self.run_panel.state_label.setContentsMargins(0, 0, 16, 0)  # apart from the summary
        self.statusBar().addPermanentWidget(self.run_panel.state_label)
        self.statusBar().addPermanentWidget(self.summary_label)

    def _titled(self, title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 6, 6, 0)
        heading = QLabel(title)
        heading.setObjectName("sectionTitle")
        layout.addWidget(heading)
        layout.addWidget(widget, 1)
        return box

    def _dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        # Closable: a closed panel comes back from the View menu (without the flag Qt greys out
        # the dock's toggle action).
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        return dock

    def _connect(self) -> None:
        document = self.document
        document.changed.connect(self._on_document_changed)
        document.modifiedChanged.connect(self.setWindowModified)
        document.pathChanged.connect(self._on_path_changed)
        document.replaced.connect(self._on_document_replaced)
        document.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self.palette_widget.layerRequested.connect(self.add_layer)
        self.stack.layerInserted.connect(self.insert_layer)
        self.stack.layerMoved.connect(self._on_layer_moved)
        self.stack.fixChosen.connect(document.edit_model)
        self.stack.currentLayerChanged.connect(self._on_current_layer_changed)
        self.code_dock.visibilityChanged.connect(self._show_code_if_seen)
        self.inspector.layerEdited.connect(document.set_layer)
        self.dataset_panel.dataChanged.connect(self.document.change_data)
        self.dataset_panel.dataRootChanged.connect(self.set_data_root)
        # Downloads, samples and the data folder: the image data source wires them.
        self.image_data = ImageDataSource(self.controller, self.dataset_panel, self)
        self.image_data.filesChanged.connect(self.run_panel.show_image_files)
        self.run_panel.downloadRequested.connect(self.image_data.download)
        self.run_panel.paceChanged.connect(
            lambda pace: self.settings.setValue("run/pace", pace or 0)
        )
        self.controller.downloadProgress.connect(self._on_download_progress)
        self.controller.downloadFinished.connect(self._on_download_finished)
        self.training_panel.trainChanged.connect(document.change_train)
        self.controller.stateChanged.connect(self._on_run_state_changed)
        self.controller.devicesFound.connect(self._on_devices_found)
        self.run_panel.alarmsChanged.connect(self.stack.show_alarms)
        self.run_panel.layerPicked.connect(self.stack.select)
        self.run_panel.histograms.banner.pauseOnAlarmChanged.connect(
            lambda on: self.settings.setValue("run/pause_on_alarm", bool(on))
        )
        self.run_panel.problem.connect(self.show_error)
        self.run_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.files.trainedFolderOpened.connect(self._on_trained_folder_opened)
        self.files.lessonOpened.connect(self._on_file_opened)
        for reporter in (self.files, self.exports, self.runs):
            reporter.problem.connect(self.show_error)
            reporter.message.connect(self.statusBar().showMessage)
        self.locks.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.lessons.lessonChanged.connect(self._on_lesson_changed)
        self.run_panel.alarmsChanged.connect(self.lessons.set_alarms)
        self.run_panel.tabs.currentChanged.connect(lambda _index: self.lessons.check_soon())
        self.code_dock.visibilityChanged.connect(lambda _shown: self.lessons.check_soon())
        self.run_panel.runs.selectionChanged.connect(lambda _runs: self.lessons.check_soon())
        self._connect_actions()

    def _connect_actions(self) -> None:
        actions, files = self.menu_actions, self.files
        actions.new.triggered.connect(files.new_experiment)
        actions.open.triggered.connect(files.open_dialog)
        actions.open_trained.triggered.connect(files.open_trained_folder_dialog)
        actions.save.triggered.connect(files.save)
        actions.save_as.triggered.connect(files.save_as)
        actions.quit.triggered.connect(self.close)
        actions.undo.triggered.connect(self.document.undo_stack.undo)
        actions.redo.triggered.connect(self.document.undo_stack.redo)
        actions.delete.triggered.connect(self.delete_layer)
        actions.duplicate.triggered.connect(self.duplicate_layer)
        actions.move_up.triggered.connect(lambda: self.move_layer(-1))
        actions.move_down.triggered.connect(lambda: self.move_layer(1))
        actions.code.triggered.connect(self.show_code)
        actions.about.triggered.connect(self.show_about)
        actions.browse_examples.triggered.connect(self.show_examples)
        actions.lessons.triggered.connect(self.show_lessons)
        actions.export_weights.triggered.connect(self.exports.export_weights)
        actions.export_script.triggered.connect(self.exports.export_script)
        actions.export_torchscript.triggered.connect(
            lambda: self.exports.export_model_as("torchscript")
        )
        actions.export_onnx.triggered.connect(lambda: self.exports.export_model_as("onnx"))
        self.code_view.exportRequested.connect(self.exports.export_script)
        actions.export_plot.triggered.connect(self.exports.export_plot)
        runs = self.run_panel.runs  # its PNG is the plot on show, its CSV the table
        runs.exportPngRequested.connect(self.exports.export_plot)
        runs.exportCsvRequested.connect(lambda: self.exports.export_comparison(runs.csv_text()))
        actions.export_metrics.triggered.connect(self.exports.export_metrics)
        actions.reset_layout.triggered.connect(self.window_layout.reset)
        actions.lock_controls.triggered.connect(self.lock_controls)
        actions.unlock_controls.triggered.connect(self.unlock_controls)

    # -- start-up and settings -------------------------------------------------------------------

    def start_device_probe(self) -> None:
        """Find the devices in the training thread; the window is usable meanwhile and the
        controller's devicesFound fills the Training panel's list."""
        self.controller.probe_devices()

    def set_data_root(self, folder: str) -> None:
        """Where image datasets are read from and downloaded to; remembered for next time."""
        self.settings.setValue("data/root", folder)
        self.image_data.set_data_root(folder)

    def _on_trained_folder_opened(self, folder: str) -> None:
        self.controller.weights_folder = folder
        text = self.tr("Opened %s: Train goes on from its trained weights.") % folder
        self.statusBar().showMessage(text, 10000)

    def _on_download_progress(self, progress: DownloadProgress) -> None:
        """Also in the status bar: the Data tab may be hidden behind another."""
        done, total = progress.done, progress.total
        megabytes = f"{done / 1e6:.1f}"
        if total:
            text = self.tr("Downloading: {0} MB / {1} MB ({2})").format(
                megabytes, f"{total / 1e6:.1f}", f"{done / total:.0%}"
            )
        else:
            text = self.tr("Downloading: {0} MB").format(megabytes)
        self.statusBar().showMessage(text, 5000)

    def _on_download_finished(self, result: DownloadResult) -> None:
        """Also in the status bar; a failure's reason is shown in the Data panel."""
        if result.outcome == CANCELLED:
            self.statusBar().showMessage(self.tr("Download cancelled; nothing was kept."), 8000)
        elif result.outcome == DONE:
            self.statusBar().showMessage(self.tr("Download complete."), 8000)

    def _restore_settings(self) -> None:
        self.window_layout.restore()
        self.presentation.restore()
        pace = float(self.settings.value("run/pace", 0) or 0)  # 0: full speed
        self.run_panel.set_pace(pace if pace > 0 else None)
        pause_on_alarm = self.settings.value("run/pause_on_alarm", False, type=bool)
        self.run_panel.histograms.banner.set_pause_on_alarm(pause_on_alarm)
        data_root = str(self.settings.value("data/root", "") or self.controller.data_root)
        self.image_data.set_data_root(data_root)

    # -- layer editing: the document makes the edit, the window keeps the selection ------------

    def add_layer(self, kind: str) -> None:
        """Add below the selected layer, or at the end."""
        self.stack.select(self.document.add_layer(kind, self.stack.current_layer()))

    def insert_layer(self, position: int, kind: str) -> None:
        """A layer dropped from the palette at `position`."""
        self.stack.select(self.document.insert_layer(position, kind))

    def delete_layer(self) -> None:
        """Remove the selected layer; the one below it (or above, at the end) is selected."""
        index = self.stack.current_layer()
        if index is not None and (selected := self.document.delete_layer(index)) is not None:
            self.stack.select(selected)

    def duplicate_layer(self) -> None:
        """A copy of the selected layer below it, selected."""
        index = self.stack.current_layer()
        if index is not None:
            self.stack.select(self.document.duplicate_layer(index))

    def move_layer(self, offset: int) -> None:
        """Move the selected layer up (-1) or down (+1), if it can go there."""
        index = self.stack.current_layer()
        if index is not None and 0 <= index + offset < len(self.document.model.layers):
            self._on_layer_moved(index, index + offset)

    def change_activations(self, kind: str) -> None:
        """Edit > Change Activations To: every activation layer becomes a `kind`."""
        if not self.document.change_activations(kind):
            self.statusBar().showMessage(self.tr("Every activation is a %s already.") % kind, 5000)

    def _on_layer_moved(self, source: int, destination: int) -> None:
        self.stack.select(self.document.move_layer(source, destination))

    def _on_document_replaced(self) -> None:
        self.stack.select(None)
        self.run_panel.forget_run()  # the old weights never continue into another file

    def _on_file_opened(self, mark: LessonMark | None) -> None:
        """A file saved in a lesson goes on with it; any other file ends the lesson under
        way (saving it would tie it to that lesson). Examples keep it: lessons open them."""
        if mark is None:
            self.lessons.close()
        elif self.lessons.resume(mark):
            self.run_panel.show_tab(self.lessons.lesson.tab)
        else:
            self.lessons.close()
            text = self.tr("This file was saved in the lesson %s, which this LayerLab lacks.")
            self.statusBar().showMessage(text % mark.name, 10000)

    def _on_current_layer_changed(self, index: int) -> None:
        self._show_inspector()
        self._update_actions()
        self._show_code_if_seen()
        if index >= 0 and not self.inspector_dock.isFloating():
            self.inspector_dock.raise_()

    # -- views ------------------------------------------------------------------------------

    def _on_document_changed(self, experiment: Experiment) -> None:
        document = self.document
        inference = document.inference
        self.stack.show_model(experiment.model, inference, document.task)
        self._show_inspector()
        # Redraw a panel only when the change came from elsewhere (undo, open, a fix): writing
        # back into the spin box being typed in would reformat what the user is typing.
        if self.dataset_panel.config() != experiment.data:
            self.dataset_panel.set_config(experiment.data)
        if self.training_panel.config() != experiment.train:
            self.training_panel.set_config(experiment.train)
        if document.task.kind != self._task_kind:
            self._task_kind = document.task.kind
            self.training_panel.set_task_kind(self._task_kind)
        self.summary_label.show_inference(inference)
        self.locks.set_locks(experiment.locks)
        self.menu_actions.unlock_controls.setEnabled(bool(experiment.locks))
        self._update_actions()
        self._show_code_if_seen()

    def _show_inspector(self) -> None:
        index = self.stack.current_layer()
        if index is None:
            self.inspector.show_layer(None, None)
            return
        info = self.document.inference.layers[index]
        self.inspector.show_layer(index, info.layer, info.resolved)

    @property
    def running(self) -> bool:
        """A run is training or paused: the model and the data are locked."""
        return self.controller.state in (RUNNING, PAUSED)

    def _on_run_state_changed(self, state: str) -> None:
        """While a run trains, the model and the data are locked (a banner in each panel says
        so); only the learning rate may change, and it reaches the run at once."""
        locked = self.running
        self.locks.set_running(locked)
        actions = self.menu_actions
        for action in (actions.new, actions.open, self.files.recent_menu.menuAction()):
            action.setEnabled(not locked)
        self.examples_menu.setEnabled(not locked)
        # The lessons replace the experiment; the locks may change while a run trains.
        teacher = (actions.lock_controls, actions.unlock_controls)
        for action in self.lessons_menu.actions():
            if action not in teacher:
                action.setEnabled(not locked)
        self._update_actions()

    def _on_undo_index_changed(self, index: int) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        stack, actions = self.document.undo_stack, self.menu_actions
        locked = self.running
        actions.undo.setEnabled(stack.canUndo() and not locked)
        actions.redo.setEnabled(stack.canRedo() and not locked)
        actions.undo.setText(self.tr("&Undo %s") % stack.undoText())
        actions.redo.setText(self.tr("&Redo %s") % stack.redoText())
        actions.undo.setIconText(self.tr("Undo"))
        actions.redo.setIconText(self.tr("Redo"))
        exportable = self.controller.has_weights and not locked
        for action in (actions.export_weights, actions.export_torchscript, actions.export_onnx):
            action.setEnabled(exportable)
        index = None if self.locks.model_locked else self.stack.current_layer()
        count = len(self.document.model.layers)
        self.activations_menu.setEnabled(not self.locks.model_locked)
        actions.delete.setEnabled(index is not None)
        actions.duplicate.setEnabled(index is not None)
        actions.move_up.setEnabled(index is not None and index > 0)
        actions.move_down.setEnabled(index is not None and index < count - 1)

    def _on_path_changed(self, path: Path | None) -> None:
        # An example's or a lesson's title is in the lessons' catalog; one the user wrote
        # has no translation and stays as it is.
        name = path.name if path else _(self.document.experiment.title)
        self.setWindowTitle(f"{name}[*] \u2014 LayerLab")
        self.setWindowModified(self.document.modified)

    def _on_devices_found(self, report: DeviceReport) -> None:
        self.training_panel.set_devices(report)

    # -- messages and help ------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        """One sentence, in a window-modal box that does not block the caller."""
        self.error_box = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("LayerLab"), message, parent=self
        )
        self.error_box.open()

    def show_code(self) -> None:
        """The code panel, opened below the settings with most of their height, and made
        wide enough to read."""
        opening = self.code_dock.isHidden()
        self.code_dock.show()
        self.code_dock.raise_()
        if opening:
            self.window_layout.share_height(self.data_dock, self.code_dock, CODE_HEIGHT)
        self.window_layout.widen(self.code_dock, CODE_SHARE)
        self._show_code_if_seen()

    def _show_code_if_seen(self) -> None:
        """The training script of the experiment as it is now, the selected layer's line
        marked; written only while the panel is on screen (about 1 ms an edit)."""
        if not self.code_dock.isVisible():
            return
        document = self.document
        try:
            script = training_script(document.experiment, document.task)
        except ValueError as error:
            self.code_view.show_problem(self.tr("Fix the model first: %s") % error)
            return
        index = self.stack.current_layer()
        lines = script.layer_lines
        marked = (lines[index],) if index is not None and index < len(lines) else ()
        self.code_view.show_source(script.text, marked, "train.py")

    def show_examples(self) -> None:
        """The gallery: every example with its description; the chosen one opens."""
        self.gallery = ExampleGallery(parent=self)
        self.gallery.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.gallery.exampleChosen.connect(self.files.open_example)
        self.gallery.open()

    # -- lessons ---------------------------------------------------------------------------

    def show_lessons(self) -> None:
        """The start page: a card per lesson; the chosen one starts."""
        show = self.shows_lessons_at_start()
        self.lesson_gallery = LessonGallery(self.lessons_catalog, show, self)
        self.lesson_gallery.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.lesson_gallery.lessonChosen.connect(self.lessons.start)
        self.lesson_gallery.show_at_start.toggled.connect(
            lambda on: self.settings.setValue(START_PAGE_KEY, bool(on))
        )
        self.lesson_gallery.open()

    def shows_lessons_at_start(self) -> bool:
        return self.settings.value(START_PAGE_KEY, True, type=bool)

    def _open_lesson_experiment(self, lesson: Lesson) -> bool:
        """The lesson's experiment as an untitled copy (after asking to save the open one),
        with its plot in front."""
        if self.running or not self.files.maybe_save():
            return False
        self.document.replace(lesson.experiment, None)
        self.run_panel.show_tab(lesson.tab)
        return True

    def _on_lesson_changed(self, lesson: Lesson | None) -> None:
        if lesson is None:
            self.lesson_dock.hide()
            return
        opening = self.lesson_dock.isHidden()
        self.lesson_dock.show()
        self.lesson_dock.raise_()
        if opening:
            self.window_layout.share_height(self.data_dock, self.lesson_dock, LESSON_HEIGHT)

    def _window_state(self, state: WindowState) -> WindowState:
        """What the lesson runner does not hold: the plot on show, the code panel and the
        runs compared."""
        return replace(
            state,
            tab=self.run_panel.current_tab(),
            code_shown=self.code_dock.isVisible(),
            compared=len(self.run_panel.runs.selected()),
        )

    # -- locks -------------------------------------------------------------------------------

    def lock_controls(self) -> None:
        """The teacher's dialog; the chosen locks are one undo step, saved with the file."""
        panel = self.training_panel
        fields = [(name, panel.field_label(name)) for name in panel.field_names()]
        self.lock_dialog = LockDialog(self.document.experiment.locks, fields, self)
        self.lock_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.lock_dialog.accepted.connect(lambda: self._set_locks(self.lock_dialog.locks()))
        self.lock_dialog.open()

    def unlock_controls(self) -> None:
        self._set_locks(Locks())

    def _set_locks(self, locks: Locks) -> None:
        locks = locks if locks else Locks()  # a reason that locks nothing is no lock
        experiment = self.document.experiment
        text = self.tr("Lock controls") if locks else self.tr("Unlock controls")
        self.document.edit(experiment.with_changes(locks=locks), text)

    def show_about(self) -> None:
        """What LayerLab is, and the PyTorch version once torch has loaded."""
        torch = sys.modules.get("torch")
        versions = f"PyTorch {torch.__version__}" if torch else self.tr("PyTorch is loading")
        QMessageBox.about(
            self,
            self.tr("About LayerLab"),
            self.tr(
                "<h3>LayerLab</h3><p>A desktop lab for building and training small neural "
                "networks with PyTorch: stack layers, see every shape, train and watch.</p>"
            )
            + f"<p>{versions}</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.files.maybe_save():
            self.locks.show_hidden()  # the layout is saved as it is without this file's locks
            self.window_layout.save()
            self.controller.shutdown()
            event.accept()
        else:
            event.ignore()
