"""The centre of the window: run controls above the live plots, fed by the controller, and
what the run is doing in words and numbers (its phase, speed, time left, loss, best epoch)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from app.datasets import DataConfig, data_problem, is_vision, load_for_views
from app.datasets.vision import VISION_DATASETS, is_present
from app.gradient_health import Alarm, GradientHealth
from app.gui.controller import TrainingController
from app.gui.document import ExperimentDocument
from app.progress import RateMeter, best_epoch
from app.reports import (
    ActivationReport,
    EpochReport,
    FeatureMapReport,
    HistogramReport,
    ImagePredictionReport,
    Marker,
    Paused,
    PredictionReport,
    Report,
    RunFinished,
    RunStarted,
    StepsReport,
    UnitMapReport,
)
from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from app.run_status import READY, TRAINING, RunStatusTracker
from widgets.activation_histograms import ActivationHistogramWidget
from widgets.decision_boundary import DecisionBoundaryWidget, PlotData
from widgets.feature_maps import FeatureMapsWidget
from widgets.generalization_plot import GeneralizationPlotWidget
from widgets.gradient_histograms import GradientHistogramWidget
from widgets.icons import icon
from widgets.image_files_box import ImageFiles
from widgets.image_predictions import ImagePredictionsWidget
from widgets.loss_plot import LossPlotWidget
from widgets.run_controls import RunControlsWidget
from widgets.runs_panel import RunsPanel
from widgets.unit_maps import UnitMapsWidget

# the plots, in order
TAB_NAMES = (
    "loss",
    "generalization",
    "gradients",
    "activations",
    "units",
    "filters",
    "predictions",
    "runs",
)
FILES_CHECK_MS = 1000  # how often the image files are looked for while Train waits
# The bar, the status line and the readouts follow the steps at most 10 times a second: the
# two-moons example ends 60 epochs a second, with three reports each, and the bar's
# setValue repaints it at once (1.4 ms): shown at every report, they took 20% of the GUI
# thread and put the 10 ms probe 50 ms late.
NUMBERS_REFRESH_MS = 100


class RunPanel(QWidget):
    """Owns the run actions (Space, Shift+Space, Esc, Ctrl+R) and routes every report to its
    plot. `problem` carries sentences the window should show (failures, divergence, a warning);
    `state_label` says what the run is doing, for the status bar."""

    problem = Signal(str)
    message = Signal(str)
    downloadRequested = Signal(str)  # the image dataset whose files the user wants fetched
    paceChanged = Signal(object)  # the pace the user chose: steps a second, None: full speed
    alarmsChanged = Signal(tuple)  # every Alarm of the run so far; () when they are cleared
    layerPicked = Signal(int)  # the user asked to see this layer (an alarm was clicked)

    def __init__(
        self,
        document: ExperimentDocument,
        controller: TrainingController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.controller = controller
        self.train_action = self._action(self.tr("Train"), "train", "Space", self.toggle)
        self.step_action = self._action(self.tr("Step"), "step", "Shift+Space", self.step)
        self.stop_action = self._action(self.tr("Stop"), "stop", "Escape", controller.stop)
        self.reset_action = self._action(self.tr("Reset"), "reset", "Ctrl+R", self.reset)
        self.step_action.setToolTip(self.tr("Train exactly one batch, then pause (Shift+Space)"))
        self.stop_action.setToolTip(self.tr("Stop the run; the weights so far are kept (Esc)"))
        self.reset_action.setToolTip(
            self.tr(
                "Go back to the seed's starting weights: the next Train starts a new run (Ctrl+R)"
            )
        )
        self.controls = RunControlsWidget(
            {
                "train": self.train_action,
                "step": self.step_action,
                "stop": self.stop_action,
                "reset": self.reset_action,
            },
            {"train": icon("train"), "pause": icon("pause")},
        )
        self.state_label = QLabel()  # the window puts it in the status bar
        self.state_label.setObjectName("runStateLabel")
        self.status = RunStatusTracker()
        self.rate = RateMeter()
        # While Train waits (idle) on an image dataset, the files are looked for again every
        # second: put there or deleted by hand, they unblock or block Train (a few stat calls).
        self._files_timer = QTimer(self)
        self._files_timer.setInterval(FILES_CHECK_MS)
        self._files_timer.timeout.connect(self.refresh_controls)
        self._numbers_timer = QTimer(self)
        self._numbers_timer.setSingleShot(True)
        self._numbers_timer.setInterval(NUMBERS_REFRESH_MS)
        self._numbers_timer.timeout.connect(self._on_numbers_due)
        self._numbers_pending = False
        self.loss_plot = LossPlotWidget()
        self.loss_plot.set_history(controller.history)
        self.generalization = GeneralizationPlotWidget()
        self.generalization.set_history(controller.history)
        self.histograms = GradientHistogramWidget()
        self.activations = ActivationHistogramWidget()
        self.unit_maps = UnitMapsWidget()
        self.feature_maps = FeatureMapsWidget()
        self.health = GradientHealth()  # the run's alarms, from its histogram reports
        self.boundary = DecisionBoundaryWidget()
        self.image_predictions = ImagePredictionsWidget()
        self.predictions = QStackedWidget()  # points for toy data, images for image data
        self.predictions.addWidget(self.boundary)
        self.predictions.addWidget(self.image_predictions)
        self.runs = RunsPanel()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        pages = (
            self.loss_plot,
            self.generalization,
            self.histograms,
            self.activations,
            self.unit_maps,
            self.feature_maps,
            self.predictions,
            self.runs,
        )
        titles = (
            self.tr("Loss"),
            # Short, so that six fit a 1024-wide window; the tooltips say the rest.
            self.tr("Train vs. val."),
            self.tr("Gradients"),
            self.tr("Activations"),
            self.tr("Units"),
            self.tr("Filters"),
            self.tr("Predictions"),
            self.tr("Runs"),
        )
        tips = (
            self.tr("The training loss at every step, and the validation metric per epoch"),
            self.tr("Training vs. validation loss per epoch, and the gap between them"),
            self.tr("How each layer's gradients (or weights) are spread, and the alarms"),
            self.tr("How each layer's outputs are spread: dead ReLUs, saturated Sigmoids"),
            self.tr("What each unit of a hidden layer responds to, over the input plane"),
            self.tr("The first convolution's kernels and what each convolution sees"),
            self.tr("What the model predicts: the decision boundary, or the image guesses"),
            self.tr("Every run of this experiment; select two or more to compare them"),
        )
        self._pages = dict(zip(TAB_NAMES, pages, strict=True))
        for page, title, tip in zip(pages, titles, tips, strict=True):
            self.tabs.setTabToolTip(self.tabs.addTab(page, title), tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.controls)
        layout.addWidget(self.tabs, 1)
        self._shown_data = None
        self._shown_model = None
        self._sent_learning_rate: float | None = None
        controller.reportReceived.connect(self._on_report)
        controller.stateChanged.connect(self._on_state_changed)
        controller.downloadingChanged.connect(lambda _downloading: self.refresh_controls())
        controller.runFailed.connect(self._on_run_failed)
        self.controls.paceChanged.connect(self._on_pace_chosen)
        self.controls.downloadClicked.connect(self._on_download_clicked)
        self.loss_plot.smoothingChanged.connect(lambda _weight: self._show_readouts())
        # The views inside the network tell the engine what they show; hidden, they cost nothing.
        self.tabs.currentChanged.connect(lambda _index: self._ask_for_views())
        self.unit_maps.layerChosen.connect(lambda _layer: self._ask_for_views())
        self.feature_maps.imageChosen.connect(lambda _image: self._ask_for_views())
        self.histograms.banner.layerClicked.connect(self.layerPicked)
        document.changed.connect(self._on_document_changed)
        self._on_document_changed(document.experiment)
        self._show_status()

    def _action(self, text: str, icon_name: str, key: str, slot) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        return action

    @property
    def actions_in_order(self) -> list[QAction]:
        return [self.train_action, self.step_action, self.stop_action, self.reset_action]

    def current_tab(self) -> str:
        """The name (one of TAB_NAMES) of the plot on show."""
        page = self.tabs.currentWidget()
        return next(name for name, shown in self._pages.items() if shown is page)

    def show_tab(self, name: str) -> None:
        """Bring the plot called `name` (one of TAB_NAMES) forward."""
        self.tabs.setCurrentWidget(self._pages[name])

    # -- verbs ------------------------------------------------------------------------------

    def toggle(self) -> None:
        """Space: Train when idle, Pause while running, Resume while paused."""
        state = self.controller.state
        if state == RUNNING:
            self.controller.pause()
        elif state == PAUSED:
            self.controller.resume()
        else:
            self.start()

    def start(self, paused: bool = False) -> None:
        """Train: a new run from the seed, or a run that continues from the current weights
        when the controller can (the same model and data)."""
        inference = self.document.inference
        if not inference.ok:
            self.problem.emit(self.tr("Fix the model first: %s") % inference.errors[0].message)
            return
        experiment = self.document.experiment
        self._sent_learning_rate = experiment.train.learning_rate
        points = self._shown_data is not None and not is_vision(self._shown_data)
        bounds = self.boundary.grid_bounds() if points else None
        self.controller.train(experiment, bounds)  # at the pace chosen: the controller keeps it
        if paused:
            self.controller.pause()

    def step(self) -> None:
        if self.controller.state in (RUNNING, PAUSED):
            self.controller.step()
        else:  # Step from rest: start a run that stops after its first batch
            self.start()
            self.controller.step()

    def reset(self) -> None:
        self.forget_run()
        self.message.emit(self.tr("Reset: the next run starts from the seed's weights."))

    def forget_run(self) -> None:
        """Reset without a word: another experiment was opened, so Train starts it from its
        seed and Export Weights has nothing of the old one to write."""
        self.controller.reset()
        self.boundary.reset()
        self.controls.clear_readouts()
        self.refresh_controls()

    def set_pace(self, steps_per_second: float | None) -> None:
        """Train at most `steps_per_second` (None: full speed), as if chosen in the controls
        (the window restores the last choice with this)."""
        self.controls.set_pace(steps_per_second)
        self._apply_pace(self.controls.pace_value())

    def show_image_files(self, files: ImageFiles) -> None:
        """What the window knows of the image files changed (the folder, a download): Train
        is blocked while the dataset's files are missing, with a Download beside it."""
        self.refresh_controls()  # the folder is the controller's: look there again

    # -- reports ----------------------------------------------------------------------------

    def _on_report(self, report: Report) -> None:
        # The plots draw controller.history, which already holds `report`: tell them it moved.
        if isinstance(report, StepsReport):
            self.rate.add(report.elapsed, report.steps_done, report.samples_per_second)
            self.status.on_report(report)
            self.loss_plot.refresh()
            self._show_numbers_soon()
        elif isinstance(report, HistogramReport):
            self.histograms.add_histograms(report)
            self._check_health(report)
        elif isinstance(report, ActivationReport):
            self.activations.add_activations(report)
            self._check_health(report)
        elif isinstance(report, PredictionReport):
            self.boundary.add_prediction(report)
            self.unit_maps.add_prediction(report)
        elif isinstance(report, UnitMapReport):
            self.unit_maps.add_unit_maps(report)
        elif isinstance(report, FeatureMapReport):
            self.feature_maps.add_feature_maps(report)
        elif isinstance(report, ImagePredictionReport):
            self.image_predictions.add_prediction(report)
        elif isinstance(report, EpochReport):
            self.loss_plot.refresh()
            self.generalization.refresh()
            if is_vision(self._shown_data):
                self.image_predictions.add_epoch(report)
            self._show_numbers_soon()
        elif isinstance(report, Marker):
            self.loss_plot.refresh()
        elif isinstance(report, Paused):
            self.status.on_report(report)
            self._show_numbers()
        elif isinstance(report, RunStarted):
            # A continued run keeps its plots, and its rate until it has measured its own.
            self.rate.start(report.first_step, keep_rate=report.continues)
            self.status.on_report(report)
            self.loss_plot.refresh()
            self.generalization.refresh()
            self.health.start(report)
            self.activations.reset(report)
            self.unit_maps.reset(report)
            self.feature_maps.reset(report)
            self.feature_maps.set_image_count(report.val_samples)
            if not report.continues:
                self.histograms.reset(report)
                self.image_predictions.reset(self._class_names())
                self._show_alarms()
            self._show_status()
        elif isinstance(report, RunFinished):
            self.status.on_report(report)
            self._show_numbers()
            if report.reason == "diverged":
                self.problem.emit(report.message)
            elif report.warning:
                self.problem.emit(report.warning)
            # A completed run's sentence is the bar's (and its tooltip's): the status bar,
            # which cannot wrap, only says "Finished".

    def _check_health(self, report: HistogramReport | ActivationReport) -> None:
        """New alarms show on the Gradients tab and the layer rows, once; with "Pause on
        alarm" ticked, the run pauses at the first, with the alarm in the status bar."""
        raised = self.health.add(report)
        if not raised:
            return
        self._show_alarms()
        if self.histograms.banner.pause_on_alarm() and self.controller.state == RUNNING:
            self.controller.pause()
            self.message.emit(self.tr("Paused by an alarm: {0}").format(raised[0].text))

    def _show_alarms(self) -> None:
        alarms: tuple[Alarm, ...] = tuple(self.health.alarms)
        self.histograms.show_alarms(alarms)
        self.alarmsChanged.emit(alarms)

    def _ask_for_views(self) -> None:
        """Tell the engine which views inside the network are on show, and for what."""
        shown = self.tabs.currentWidget()
        layer = self.unit_maps.layer() if shown is self.unit_maps else None
        image = self.feature_maps.image_index() if shown is self.feature_maps else None
        self.controller.show_views(layer, image)

    def _on_run_failed(self, message: str) -> None:
        self.status.on_failed(message)
        self._show_status()
        self.problem.emit(message)

    def _on_state_changed(self, state: str) -> None:
        self.status.on_state(state)
        if state == IDLE:
            self.controls.clear_readouts()
        self.refresh_controls()
        self._show_status()

    def refresh_controls(self) -> None:
        """Enable the verbs the run's state allows; say why Train is blocked, if it is."""
        experiment = self.document.experiment
        inference = self.document.inference
        state = self.controller.state
        download = ""
        missing = self._missing_files(experiment.data) if state in (IDLE, FINISHED) else None
        if not inference.ok:
            reason = self.tr("Fix the model to train: {0}").format(inference.errors[0].message)
        elif self.controller.downloading:
            reason = self.tr("Wait for the download to finish, or cancel it, to train.")
        elif missing is not None:
            reason, download = missing
        else:
            reason = ""
        continuing = self.controller.can_continue(experiment)
        self.controls.set_state(
            state,
            reason,
            continue_epochs=experiment.train.epochs if continuing else 0,
            download=download,
        )
        self.reset_action.setEnabled(state in (PAUSED, FINISHED) or self.controller.has_weights)
        # Files copied in by hand are noticed within a second; once there, nobody looks.
        watch = state in (IDLE, FINISHED) and missing is not None
        if watch and not self._files_timer.isActive():
            self._files_timer.start()
        elif not watch:
            self._files_timer.stop()

    def _on_document_changed(self, experiment) -> None:
        if experiment.data != self._shown_data:
            self._shown_data = experiment.data
            images = is_vision(experiment.data)
            self.predictions.setCurrentWidget(self.image_predictions if images else self.boundary)
            if images:
                self.image_predictions.reset(self._class_names())
            elif data_problem(experiment.data) is None:
                points = PlotData.from_dataset(load_for_views(experiment.data))
                self.boundary.set_data(points)
                self.unit_maps.set_data(points)
        self._show_inside_views(experiment)
        rate = experiment.train.learning_rate
        running = self.controller.state in (RUNNING, PAUSED)
        if running and rate != self._sent_learning_rate:
            self._sent_learning_rate = rate
            self.controller.set_learning_rate(rate)
        if self.controller.state in (IDLE, FINISHED):
            self.refresh_controls()

    def _show_inside_views(self, experiment) -> None:
        """Which views inside the network this model and data can show, and their choices;
        alarms of a run on another model no longer point at the right rows."""
        layers = self.document.inference.layers
        model = experiment.model
        if model != self._shown_model:
            if self._shown_model is not None and self.health.alarms:
                self.health = GradientHealth()
                self._show_alarms()
            self._shown_model = model
        images = is_vision(experiment.data)
        hidden = [
            (info.index, f"{info.index} {info.layer.kind}")
            for info in layers[:-1]
            if info.output_shape is not None and len(info.output_shape) == 1
        ]
        first_choice = self.unit_maps.layer() is None
        self.unit_maps.set_layers(hidden)
        if first_choice:  # the first activation's units: a Linear's alone are only ramps
            activations = [i for i, name in hidden if not name.endswith(" Linear")]
            if activations:
                self.unit_maps.set_layer(activations[0])
        two_inputs = model.input_shape == (2,) and not images
        # A tab only for the data it can show: unit maps for two inputs, filters for images.
        self.tabs.setTabVisible(self.tabs.indexOf(self.unit_maps), two_inputs)
        self.tabs.setTabVisible(self.tabs.indexOf(self.feature_maps), images)
        if not two_inputs:
            self.unit_maps.set_available(False)
        elif not hidden:
            self.unit_maps.set_available(
                False, self.tr("Hidden-unit maps need a hidden layer: add a Linear and a ReLU.")
            )
        else:
            self.unit_maps.set_available(True)
        convolutions = any(layer.kind == "Conv2d" for layer in model.layers)
        self.feature_maps.set_available(images and convolutions)
        self._ask_for_views()

    # -- export -----------------------------------------------------------------------------

    def current_plot(self) -> QWidget:
        shown = self.tabs.currentWidget()
        return shown.currentWidget() if shown is self.predictions else shown

    def _class_names(self) -> tuple[str, ...]:
        dataset = VISION_DATASETS.get(self.document.experiment.data.name)
        return dataset.class_names if dataset else ()

    # -- what the run is doing --------------------------------------------------------------

    def _show_numbers_soon(self) -> None:
        """The bar, status line and readouts: now when they were not shown in the last
        NUMBERS_REFRESH_MS, else once at its end."""
        if self._numbers_timer.isActive():
            self._numbers_pending = True
        else:
            self._show_numbers()

    def _show_numbers(self) -> None:
        self._numbers_pending = False
        self._show_status()
        self._show_readouts()
        self._numbers_timer.start()

    def _on_numbers_due(self) -> None:
        if self._numbers_pending:
            self._show_numbers()

    def _show_status(self) -> None:
        status = self.status.status
        rate = self.rate.rate if status.phase == TRAINING else None
        left = self.rate.seconds_left(status.total_steps - status.steps_this_run)
        self.controls.engine_loading = not self.controller.engine_warm
        self.controls.show_status(status, rate, left)
        self.state_label.setText(self.controls.status_text())

    def _show_readouts(self) -> None:
        """The loss as the plot shows it (smoothed) and the last step's, and the best epoch."""
        history = self.controller.history
        if (
            history.point_count() == 0
            or history.started is None
            or self.status.status.phase == READY
        ):
            return  # no run yet, or Reset forgot it (the history starts over at the next run)
        smoothed = history.smoothed(self.loss_plot.smoothing())
        task_kind = history.started.task_kind
        self.controls.show_readouts(
            self.status.status.steps_done,
            float(smoothed[-1]),
            float(history.step_losses()[-1]),
            best_epoch(history.epochs, task_kind),
            task_kind,
        )

    # -- image files ------------------------------------------------------------------------

    def _missing_files(self, data: DataConfig) -> tuple[str, str] | None:
        """Why Train is blocked and the Download button's tooltip, while the image
        dataset's files are not in the data folder; None when they are (or for toy data)."""
        dataset = VISION_DATASETS.get(data.name)
        if dataset is None:
            return None
        root = Path(self.controller.data_root).expanduser().absolute()
        if is_present(dataset.name, root):
            return None
        size = QLocale().toString(dataset.download_megabytes, "g", 6)
        reason = (
            self.tr(
                "The {0} files are not in {1}. Download them ({2} MB), or put them there by "
                "hand: the Data tab says which."
            )
            .replace("{0}", dataset.title)
            .replace("{1}", str(root / dataset.data_folder))
            .replace("{2}", size)
        )
        tip = (
            self.tr("Download {0} ({1} MB) into {2}. The Data tab shows its progress.")
            .replace("{0}", dataset.title)
            .replace("{1}", size)
            .replace("{2}", str(root))
        )
        return reason, tip

    def _on_download_clicked(self) -> None:
        dataset = VISION_DATASETS.get(self.document.experiment.data.name)
        if dataset is not None:
            self.downloadRequested.emit(dataset.name)

    # -- pace -------------------------------------------------------------------------------

    def _on_pace_chosen(self, steps_per_second: float | None) -> None:
        self._apply_pace(steps_per_second)
        self.paceChanged.emit(steps_per_second)

    def _apply_pace(self, steps_per_second: float | None) -> None:
        self.controller.set_pace(steps_per_second)
