"""The main window: composes the widgets around one ExperimentDocument, with menus and files."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.experiment import Experiment, ExperimentError, model_source
from app.gui.controller import CANCELLED, PAUSED, RUNNING, TrainingController
from app.gui.document import ExperimentDocument
from app.gui.run_panel import RunPanel
from models.files import write_atomic
from models.spec import LayerSpec
from widgets.dataset_panel import DatasetPanel
from widgets.icons import icon, resource_path
from widgets.layer_inspector import LayerInspectorWidget
from widgets.layer_palette import LayerPaletteWidget
from widgets.layer_stack import LayerStackWidget, shape_text
from widgets.theme import current_theme
from widgets.training_panel import TrainingPanel

EXAMPLES = resource_path("examples")
DEFAULT_EXAMPLE = EXAMPLES / "two_moons.json"
MAX_RECENT = 8


def example_files() -> list[tuple[str, Path]]:
    """(title, path) of every example, in title order; unreadable files are left out."""
    found = []
    for path in sorted(EXAMPLES.glob("*.json")):
        try:
            found.append((Experiment.load(path).title, path))
        except ExperimentError:
            continue
    return sorted(found)


def _first_changed_field(before: object, after: object) -> str:
    for field in dataclasses.fields(before):
        if getattr(before, field.name) != getattr(after, field.name):
            return field.name
    return ""


def _merge_key(section: str, field: str, config: object) -> str:
    """Typing a number is one undo step however many keys it takes; a choice is one step."""
    value = getattr(config, field, None)
    typed = isinstance(value, int | float) and not isinstance(value, bool)
    return f"{section} {field}" if typed else ""


class DeviceProbe(QObject):
    """Imports torch off the GUI thread and reports the devices and dtype limits it finds."""

    found = Signal(object, object)  # [(id, label)], {(device, dtype): reason}

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._probe, name="device-probe", daemon=True)
        thread.start()
        return thread

    def _probe(self) -> None:
        try:
            from app.options import DTYPES
            from app.training import available_devices, dtype_problem

            devices = available_devices()
            problems = {
                (device, dtype): reason
                for device, _ in devices
                for dtype in DTYPES
                if (reason := dtype_problem(device, dtype))
            }
        except Exception as error:  # a broken torch install: the CPU entry still works
            devices, problems = [("cpu", f"CPU (PyTorch failed to load: {error})")], {}
        with contextlib.suppress(RuntimeError):  # the window closed while torch was loading
            self.found.emit(devices, problems)


class CodeDialog(QDialog):
    """The PyTorch source of the current model, to read, copy or save."""

    def __init__(self, source: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("PyTorch code"))
        self.text = QPlainTextEdit(source)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(self.tr("Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(source))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(820, 640)


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
        self._make_actions()
        self._make_menus()
        self._connect()
        self._restore_settings()
        self._on_document_changed(self.document.experiment)
        self._on_path_changed(None)
        self.device_probe = DeviceProbe(self)
        self.device_probe.found.connect(self._on_devices_found)

    # -- construction -------------------------------------------------------------------------

    def _make_widgets(self) -> None:
        self.palette_widget = LayerPaletteWidget()
        self.stack = LayerStackWidget()
        self.inspector = LayerInspectorWidget()
        self.dataset_panel = DatasetPanel()
        self.training_panel = TrainingPanel()
        theme = current_theme()
        self.dataset_panel.set_plot_colors(theme.plot_background, theme.plot_foreground)

        self.controller = TrainingController(self)
        self.run_panel = RunPanel(self.document, self.controller)
        self.setCentralWidget(self.run_panel)

        layers = QSplitter(Qt.Orientation.Vertical)
        layers.addWidget(self._titled(self.tr("Add a layer"), self.palette_widget))
        layers.addWidget(self._titled(self.tr("Model"), self.stack))
        layers.setStretchFactor(0, 2)
        layers.setStretchFactor(1, 5)
        self.layers_dock = self._dock("layersDock", self.tr("Layers"), layers)
        self.inspector_dock = self._dock("inspectorDock", self.tr("Layer settings"), self.inspector)
        self.data_dock = self._dock("dataDock", self.tr("Data"), self.dataset_panel)
        self.training_dock = self._dock("trainingDock", self.tr("Training"), self.training_panel)
        # Left: what the model is made of. Right, as tabs: the settings of the selected layer,
        # of the data and of training (the layer tab comes forward when a layer is selected).
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.layers_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspector_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.data_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.training_dock)
        self.tabifyDockWidget(self.inspector_dock, self.data_dock)
        self.tabifyDockWidget(self.data_dock, self.training_dock)
        self.data_dock.raise_()

        self.summary_label = QLabel()
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
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _action(
        self, text: str, slot, shortcut=None, icon_name: str = "", tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.new_action = self._action(
            self.tr("&New"), self.new_experiment, key.New, "new", self.tr("Start a new experiment")
        )
        self.open_action = self._action(
            self.tr("&Open…"), self._on_open, key.Open, "open", self.tr("Open an experiment file")
        )
        self.save_action = self._action(
            self.tr("&Save"), self.save, key.Save, "save", self.tr("Save the experiment")
        )
        self.save_as_action = self._action(
            self.tr("Save &As…"),
            self.save_as,
            key.SaveAs,
            "save-as",
            self.tr("Save under a new name"),
        )
        self.quit_action = self._action(self.tr("&Quit"), self.close, key.Quit)
        self.undo_action = self._action(
            self.tr("&Undo"), self.document.undo_stack.undo, key.Undo, "undo"
        )
        self.redo_action = self._action(
            self.tr("&Redo"), self.document.undo_stack.redo, "Ctrl+Shift+Z", "redo"
        )
        self.delete_action = self._action(
            self.tr("&Delete Layer"),
            self.delete_layer,
            key.Delete,
            "delete",
            self.tr("Remove the selected layer"),
        )
        self.duplicate_action = self._action(
            self.tr("D&uplicate Layer"),
            self.duplicate_layer,
            "Ctrl+D",
            "duplicate",
            self.tr("Insert a copy of the selected layer below it"),
        )
        self.move_up_action = self._action(
            self.tr("Move &Up"),
            lambda: self.move_layer(-1),
            "Alt+Up",
            "move-up",
            self.tr("Move the selected layer up"),
        )
        self.move_down_action = self._action(
            self.tr("Move Do&wn"),
            lambda: self.move_layer(1),
            "Alt+Down",
            "move-down",
            self.tr("Move the selected layer down"),
        )
        # These keys belong to the model list: elsewhere Delete edits text and Alt+Down opens
        # combo boxes.
        for action in (self.delete_action, self.move_up_action, self.move_down_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.stack.tree.addAction(action)
        self.code_action = self._action(
            self.tr("PyTorch &Code…"),
            self.show_code,
            "Ctrl+Shift+C",
            "code",
            self.tr("Show the PyTorch source of this model"),
        )
        self.about_action = self._action(self.tr("&About LayerLab"), self.show_about, None, "about")
        self.export_weights_action = self._action(
            self.tr("&Export Weights…"),
            self.export_weights,
            "Ctrl+E",
            "export",
            self.tr("Write model.pt, experiment.json and model.py into a folder"),
        )
        self.export_plot_action = self._action(
            self.tr("Export &Plot…"),
            self.export_plot,
            None,
            "",
            self.tr("Save the plot on screen as a PNG image"),
        )
        self.export_metrics_action = self._action(
            self.tr("Export &Metrics…"),
            self.export_metrics,
            None,
            "",
            self.tr("Save every epoch's losses and scores as CSV"),
        )

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu(self.tr("Open &Recent"))
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addActions(
            [self.export_weights_action, self.export_plot_action, self.export_metrics_action]
        )
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions(
            [self.delete_action, self.duplicate_action, self.move_up_action, self.move_down_action]
        )
        run_menu = bar.addMenu(self.tr("&Run"))
        run_menu.addActions(self.run_panel.actions_in_order)
        self.examples_menu = bar.addMenu(self.tr("E&xamples"))
        for title, path in example_files():
            action = self.examples_menu.addAction(title)
            action.triggered.connect(lambda _=False, path=path: self.open_example(path))
        view_menu = bar.addMenu(self.tr("&View"))
        for dock in (self.layers_dock, self.inspector_dock, self.data_dock, self.training_dock):
            view_menu.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addActions([self.code_action, self.about_action])

        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.new_action, self.open_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action])
        toolbar.addSeparator()
        toolbar.addAction(self.code_action)
        toolbar.addAction(self.export_weights_action)

    def _connect(self) -> None:
        document = self.document
        document.changed.connect(self._on_document_changed)
        document.modifiedChanged.connect(self.setWindowModified)
        document.pathChanged.connect(self._on_path_changed)
        self.palette_widget.layerRequested.connect(self.add_layer)
        self.stack.layerInserted.connect(self.insert_layer)
        self.stack.layerMoved.connect(self._on_layer_moved)
        self.stack.fixChosen.connect(self._on_fix_chosen)
        self.stack.currentLayerChanged.connect(self._on_current_layer_changed)
        self.inspector.layerEdited.connect(self._on_layer_edited)
        self.dataset_panel.dataChanged.connect(self._on_data_changed)
        self.dataset_panel.dataRootChanged.connect(self.set_data_root)
        self.dataset_panel.downloadRequested.connect(self.controller.download)
        self.dataset_panel.downloadCancelled.connect(self.controller.cancel_download)
        self.dataset_panel.samplesWanted.connect(self.controller.load_samples)
        self.controller.downloadProgress.connect(self.dataset_panel.show_download_progress)
        self.controller.downloadProgress.connect(self._on_download_progress)
        self.controller.downloadFinished.connect(self._on_download_finished)
        self.controller.samplesLoaded.connect(self._on_samples_loaded)
        self.controller.samplesFailed.connect(self._on_samples_failed)
        self.training_panel.trainChanged.connect(self._on_train_changed)
        document.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self.controller.stateChanged.connect(self._on_run_state_changed)
        self.controller.exported.connect(self._on_exported)
        self.run_panel.problem.connect(self.show_error)
        self.run_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))

    # -- start-up and settings -------------------------------------------------------------------

    def start_device_probe(self) -> threading.Thread:
        """Find devices in the background; the window is usable meanwhile."""
        return self.device_probe.start()

    def set_data_root(self, folder: str) -> None:
        """Where image datasets are read from and downloaded to; remembered for next time."""
        self.settings.setValue("data/root", folder)
        self.controller.data_root = folder
        self.dataset_panel.set_data_root(folder)

    def _on_download_progress(self, done: int, total: int | None) -> None:
        """Also in the status bar: the Data tab may be hidden behind another."""
        text = self.tr("Downloading: {0} MB").replace("{0}", f"{done / 1e6:.1f}")
        if total:
            text += f" / {total / 1e6:.1f} MB ({done / total:.0%})"
        self.statusBar().showMessage(text, 5000)

    def _on_download_finished(self, name: str, error: str) -> None:
        self.dataset_panel.show_download_result("" if error == CANCELLED else error)
        if error == CANCELLED:
            self.statusBar().showMessage(self.tr("Download cancelled; nothing was kept."), 8000)
        elif not error:
            self.statusBar().showMessage(self.tr("Download complete."), 8000)

    def _samples_still_wanted(self, config, data_root: str) -> bool:
        """Not an answer about a dataset or a folder the user has left since."""
        same_data = config.name == self.document.experiment.data.name
        return same_data and data_root == self.controller.data_root

    def _on_samples_loaded(self, config, data_root: str, images, labels, class_names) -> None:
        if self._samples_still_wanted(config, data_root):
            self.dataset_panel.show_samples(images, labels, class_names)

    def _on_samples_failed(self, config, data_root: str, message: str) -> None:
        if self._samples_still_wanted(config, data_root):
            self.dataset_panel.show_samples_failed(message)

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = self.settings.value("window/state")
        self._layout_restored = state is not None and self.restoreState(state)
        self._refresh_recent_menu()
        data_root = str(self.settings.value("data/root", "") or self.controller.data_root)
        self.controller.data_root = data_root
        self.dataset_panel.set_data_root(data_root)

    def _save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def recent_files(self) -> list[Path]:
        return [Path(p) for p in self.settings.value("files/recent", [], list) or []]

    def _remember(self, path: Path) -> None:
        recent = [p for p in self.recent_files() if p != path]
        recent.insert(0, path)
        self.settings.setValue("files/recent", [str(p) for p in recent[:MAX_RECENT]])
        self.settings.setValue("files/lastFolder", str(path.parent))
        self._refresh_recent_menu()

    def _last_folder(self) -> str:
        return str(self.settings.value("files/lastFolder", str(Path.home())))

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, path=path: self._open_checked(path))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    # -- layer editing ----------------------------------------------------------------------

    @property
    def spec(self):
        return self.document.experiment.model

    def add_layer(self, kind: str) -> None:
        """Add below the selected layer, or at the end."""
        current = self.stack.current_layer()
        self.insert_layer(len(self.spec.layers) if current is None else current + 1, kind)

    def insert_layer(self, position: int, kind: str) -> None:
        self.document.edit_model(
            self.spec.insert(position, LayerSpec.create(kind)), self.tr("Add %s") % kind
        )
        self.stack.select(position)

    def delete_layer(self) -> None:
        index = self.stack.current_layer()
        if index is None:
            return
        kind = self.spec.layers[index].kind
        self.document.edit_model(self.spec.remove(index), self.tr("Delete %s") % kind)
        if self.spec.layers:
            self.stack.select(min(index, len(self.spec.layers) - 1))

    def duplicate_layer(self) -> None:
        index = self.stack.current_layer()
        if index is None:
            return
        layer = self.spec.layers[index]
        self.document.edit_model(
            self.spec.insert(index + 1, layer), self.tr("Duplicate %s") % layer.kind
        )
        self.stack.select(index + 1)

    def move_layer(self, offset: int) -> None:
        index = self.stack.current_layer()
        if index is not None and 0 <= index + offset < len(self.spec.layers):
            self._on_layer_moved(index, index + offset)

    def _on_layer_moved(self, source: int, destination: int) -> None:
        kind = self.spec.layers[source].kind
        self.document.edit_model(self.spec.move(source, destination), self.tr("Move %s") % kind)
        self.stack.select(destination)

    def _on_fix_chosen(self, spec, label: str) -> None:
        self.document.edit_model(spec, label)

    def _on_layer_edited(self, index: int, layer, field: str) -> None:
        self.document.edit_model(
            self.spec.replace(index, layer),
            self.tr("Set %s of layer %d") % (field, index),
            merge_key=f"layer {index} {field}",
        )

    def _on_data_changed(self, config) -> None:
        field = _first_changed_field(self.document.experiment.data, config)
        text = self.tr("Change %s of the data") % field.replace("_", " ")
        self.document.edit_data(config, text, _merge_key("data", field, config))

    def _on_train_changed(self, config) -> None:
        field = _first_changed_field(self.document.experiment.train, config)
        text = self.tr("Change %s") % field.replace("_", " ")
        self.document.edit_train(config, text, _merge_key("train", field, config))

    def _on_current_layer_changed(self, index: int) -> None:
        self._show_inspector()
        self._update_actions()
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
        self._show_summary()
        self._update_actions()

    def _show_inspector(self) -> None:
        index = self.stack.current_layer()
        if index is None:
            self.inspector.show_layer(None, None)
            return
        info = self.document.inference.layers[index]
        self.inspector.show_layer(index, info.layer, info.resolved)

    def _show_summary(self) -> None:
        inference = self.document.inference
        errors, warnings = len(inference.errors), len(inference.diagnostics) - len(inference.errors)
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
                parts.append(self.tr("ready to train, 1 warning"))
            else:
                parts.append(self.tr("ready to train, %d warnings") % warnings)
        else:
            parts.append(self.tr("ready to train"))
        self.summary_label.setText("   \u00b7   ".join(parts))
        self.summary_label.setToolTip("\n\n".join(d.message for d in inference.diagnostics))
        color = current_theme().error if errors else current_theme().text
        self.summary_label.setStyleSheet(f"color: {color};")

    @property
    def running(self) -> bool:
        return self.controller.state in (RUNNING, PAUSED)

    def _on_run_state_changed(self, state: str) -> None:
        """While a run trains, the model and the data are locked (the reason is shown);
        only the learning rate may change, and it reaches the run at once."""
        locked = self.running
        self.layers_dock.widget().setEnabled(not locked)
        self.inspector.setEnabled(not locked)
        self.dataset_panel.setEnabled(not locked)
        self.training_panel.set_running(locked)
        suffix = self.tr(" (locked while training: Stop to edit)") if locked else ""
        self.layers_dock.setWindowTitle(self.tr("Layers") + suffix)
        self.data_dock.setWindowTitle(self.tr("Data") + suffix)
        for action in (self.new_action, self.open_action, self.recent_menu.menuAction()):
            action.setEnabled(not locked)
        self.examples_menu.setEnabled(not locked)
        self._update_actions()

    def _on_undo_index_changed(self, index: int) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        stack = self.document.undo_stack
        locked = self.running
        self.undo_action.setEnabled(stack.canUndo() and not locked)
        self.redo_action.setEnabled(stack.canRedo() and not locked)
        self.undo_action.setText(self.tr("&Undo %s") % stack.undoText())
        self.redo_action.setText(self.tr("&Redo %s") % stack.redoText())
        self.undo_action.setIconText(self.tr("Undo"))
        self.redo_action.setIconText(self.tr("Redo"))
        self.export_weights_action.setEnabled(self.controller.has_weights and not locked)
        index = None if locked else self.stack.current_layer()
        count = len(self.spec.layers)
        self.delete_action.setEnabled(index is not None)
        self.duplicate_action.setEnabled(index is not None)
        self.move_up_action.setEnabled(index is not None and index > 0)
        self.move_down_action.setEnabled(index is not None and index < count - 1)

    def _on_path_changed(self, path: Path | None) -> None:
        name = path.name if path else self.document.experiment.title
        self.setWindowTitle(f"{name}[*] \u2014 LayerLab")
        self.setWindowModified(self.document.modified)

    def _on_devices_found(self, devices, problems) -> None:
        self.training_panel.set_devices(devices, problems)

    # -- files ------------------------------------------------------------------------------

    def new_experiment(self) -> None:
        if self.maybe_save():
            self.document.replace(Experiment(), None)
            self.stack.select(None)

    def _on_open(self) -> None:
        if not self.maybe_save():
            return
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open experiment"),
            self._last_folder(),
            self.tr("LayerLab experiments (*.json)"),
        )
        if name:
            self.open_file(Path(name))

    def _open_checked(self, path: Path) -> None:
        if self.maybe_save():
            self.open_file(path)

    def open_file(self, path: Path) -> bool:
        """Open an experiment; a bad file leaves the current work as it is."""
        try:
            experiment = Experiment.load(path)
        except ExperimentError as error:
            self.show_error(self.tr("LayerLab could not open this file: %s.") % error)
            return False
        self.document.replace(experiment, Path(path))
        self.stack.select(None)
        self._remember(Path(path))
        if self.document.modified:
            self.statusBar().showMessage(
                self.tr(
                    "The model's input did not match the data in this file; it now follows the "
                    "data (Undo shows it as saved)."
                ),
                10000,
            )
        return True

    def open_example(self, path: Path) -> None:
        """Examples open as untitled copies, so Save never overwrites the gallery."""
        if self.maybe_save():
            self.document.replace(Experiment.load(path), None)
            self.stack.select(None)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.write(self.document.path)

    def save_as(self) -> bool:
        suggested = Path(self._last_folder()) / (self._suggested_name() + ".json")
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save experiment"),
            str(suggested),
            self.tr("LayerLab experiments (*.json)"),
        )
        if not name:
            return False
        path = Path(name)
        return self.write(path if path.suffix else path.with_suffix(".json"))

    def _suggested_name(self) -> str:
        title = self.document.experiment.title.split(":")[0].strip().lower()
        return "".join(c if c.isalnum() else "_" for c in title).strip("_") or "experiment"

    def write(self, path: Path) -> bool:
        try:
            write_atomic(path, self.document.experiment.to_json().encode())
        except OSError as error:
            self.show_error(
                self.tr("LayerLab could not save to %s: %s.") % (path, error.strerror or error)
            )
            return False
        self.document.mark_saved(path)
        self._remember(path)
        self.statusBar().showMessage(self.tr("Saved %s") % path, 4000)
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes. True when it is fine to go on."""
        if not self.document.modified:
            return True
        box = QMessageBox(self)
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

    def show_error(self, message: str) -> None:
        """One sentence, in a window-modal box that does not block the caller."""
        self.error_box = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("LayerLab"), message, parent=self
        )
        self.error_box.open()

    # -- export -----------------------------------------------------------------------------

    def export_weights(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Export weights into a folder"), self._last_folder()
        )
        if folder:
            self.export_weights_to(Path(folder))

    def export_weights_to(self, folder: Path) -> None:
        """model.pt, experiment.json and model.py, written atomically by the worker."""
        document = self.document
        experiment = document.experiment
        source = model_source(experiment, document.task)
        self.controller.export(folder, experiment.to_dict(), source)

    def _on_exported(self, folder: str, error: str) -> None:
        if error:
            self.show_error(error)
        else:
            self.settings.setValue("files/lastFolder", folder)
            self.statusBar().showMessage(
                self.tr("Wrote model.pt, experiment.json and model.py to %s") % folder, 8000
            )

    def export_plot(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export plot"),
            str(Path(self._last_folder()) / "plot.png"),
            self.tr("PNG images (*.png)"),
        )
        if name and not self.run_panel.current_plot().export_png(name):
            self.show_error(self.tr("LayerLab could not write %s.") % name)

    def export_metrics(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export metrics"),
            str(Path(self._last_folder()) / "metrics.csv"),
            self.tr("CSV files (*.csv)"),
        )
        if name:
            try:
                write_atomic(Path(name), self.run_panel.metrics_csv().encode())
            except OSError as error:
                self.show_error(
                    self.tr("LayerLab could not write %s: %s.") % (name, error.strerror or error)
                )

    # -- help -------------------------------------------------------------------------------

    def show_code(self) -> None:
        document = self.document
        inference = document.inference
        if not inference.ok:
            self.show_error(self.tr("Fix the model first: %s") % inference.errors[0].message)
            return
        experiment = document.experiment
        source = model_source(experiment, document.task)
        self.code_dialog = CodeDialog(source, self)
        self.code_dialog.open()

    def show_about(self) -> None:
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

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._layout_restored:  # first start: the side panels share the width
            self._layout_restored = True
            width = self.width()
            sides = [max(380, int(width * 0.3)), max(340, int(width * 0.27))]
            self.resizeDocks([self.layers_dock, self.data_dock], sides, Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.maybe_save():
            self._save_settings()
            self.controller.shutdown()
            event.accept()
        else:
            event.ignore()
