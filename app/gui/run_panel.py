"""The centre of the window: run controls above the live plots, fed by the controller."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from app.datasets import check_config, is_vision
from app.datasets.toy import generate_for_views
from app.datasets.vision import VISION_DATASETS
from app.gui.controller import TrainingController
from app.gui.document import ExperimentDocument
from app.reports import (
    EpochReport,
    HistogramReport,
    ImagePredictionReport,
    Marker,
    PredictionReport,
    Report,
    RunFinished,
    RunStarted,
    StepsReport,
)
from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from widgets.decision_boundary import DecisionBoundaryWidget, PlotData
from widgets.generalization_plot import GeneralizationPlotWidget
from widgets.gradient_histograms import GradientHistogramWidget
from widgets.icons import icon
from widgets.image_predictions import ImagePredictionsWidget
from widgets.loss_plot import LossPlotWidget
from widgets.run_controls import RunControlsWidget

TAB_NAMES = ("loss", "generalization", "gradients", "predictions")  # the plots, in order


class RunPanel(QWidget):
    """Owns the run actions (Space, Shift+Space, Esc, Ctrl+R) and routes every report to its
    plot. `problem` carries sentences the window should show (failures, divergence)."""

    problem = Signal(str)
    message = Signal(str)

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
            self.tr("Forget the trained weights: the next run starts from the seed (Ctrl+R)")
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
        self.loss_plot = LossPlotWidget()
        self.loss_plot.set_history(controller.history)
        self.generalization = GeneralizationPlotWidget()
        self.generalization.set_history(controller.history)
        self.histograms = GradientHistogramWidget()
        self.boundary = DecisionBoundaryWidget()
        self.image_predictions = ImagePredictionsWidget()
        self.predictions = QStackedWidget()  # points for toy data, images for image data
        self.predictions.addWidget(self.boundary)
        self.predictions.addWidget(self.image_predictions)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        pages = (self.loss_plot, self.generalization, self.histograms, self.predictions)
        titles = (
            self.tr("Loss"),
            self.tr("Train vs. validation"),
            self.tr("Gradients"),
            self.tr("Predictions"),
        )
        self._pages = dict(zip(TAB_NAMES, pages, strict=True))
        for page, title in zip(pages, titles, strict=True):
            self.tabs.addTab(page, title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.controls)
        layout.addWidget(self.tabs, 1)
        self._shown_data = None
        self._sent_learning_rate: float | None = None
        controller.reportReceived.connect(self._on_report)
        controller.stateChanged.connect(self._on_state_changed)
        controller.downloadingChanged.connect(lambda _downloading: self.refresh_controls())
        controller.runFailed.connect(self.problem)
        document.changed.connect(self._on_document_changed)
        self._on_document_changed(document.experiment)

    def _action(self, text: str, icon_name: str, key: str, slot) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        return action

    @property
    def actions_in_order(self) -> list[QAction]:
        return [self.train_action, self.step_action, self.stop_action, self.reset_action]

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
        inference = self.document.inference
        if not inference.ok:
            self.problem.emit(self.tr("Fix the model first: %s") % inference.errors[0].message)
            return
        experiment = self.document.experiment
        self._sent_learning_rate = experiment.train.learning_rate
        points = self._shown_data is not None and not is_vision(self._shown_data)
        bounds = self.boundary.grid_bounds() if points else None
        self.controller.train(experiment, bounds)
        if paused:
            self.controller.pause()

    def step(self) -> None:
        if self.controller.state in (RUNNING, PAUSED):
            self.controller.step()
        else:  # Step from rest: start a run that stops after its first batch
            self.start()
            self.controller.step()

    def reset(self) -> None:
        self.controller.reset()
        self.boundary.reset()
        self.message.emit(self.tr("Reset: the next run starts from the seed's weights."))

    # -- reports ----------------------------------------------------------------------------

    def _on_report(self, report: Report) -> None:
        # The plots draw controller.history, which already holds `report`: tell them it moved.
        if isinstance(report, StepsReport):
            self.loss_plot.refresh()
            self.controls.show_progress(
                report.steps_done, report.epoch, report.samples_per_second, report.elapsed
            )
        elif isinstance(report, HistogramReport):
            self.histograms.add_histograms(report)
        elif isinstance(report, PredictionReport):
            self.boundary.add_prediction(report)
        elif isinstance(report, ImagePredictionReport):
            self.image_predictions.add_prediction(report)
        elif isinstance(report, EpochReport):
            self.loss_plot.refresh()
            self.generalization.refresh()
            if is_vision(self._shown_data):
                self.image_predictions.add_epoch(report)
        elif isinstance(report, Marker):
            self.loss_plot.refresh()
        elif isinstance(report, RunStarted):
            self.loss_plot.refresh()
            self.generalization.refresh()
            self.histograms.reset(report)
            self.image_predictions.reset(self._class_names())
            self.controls.start(report.total_steps, report.epochs)
        elif isinstance(report, RunFinished):
            self.controls.show_finished(report.message)
            if report.reason == "diverged":
                self.problem.emit(report.message)
            else:
                self.message.emit(report.message)

    def _on_state_changed(self, state: str) -> None:
        self.refresh_controls()

    def refresh_controls(self) -> None:
        inference = self.document.inference
        if not inference.ok:
            reason = self.tr("Fix the model to train: ") + inference.errors[0].message
        elif self.controller.downloading:
            reason = self.tr("Wait for the download to finish, or cancel it, to train.")
        else:
            reason = ""
        self.controls.set_state(self.controller.state, reason)
        self.reset_action.setEnabled(
            self.controller.state in (PAUSED, FINISHED) or self.controller.has_weights
        )

    def _on_document_changed(self, experiment) -> None:
        if experiment.data != self._shown_data:
            self._shown_data = experiment.data
            images = is_vision(experiment.data)
            self.predictions.setCurrentWidget(self.image_predictions if images else self.boundary)
            if images:
                self.image_predictions.reset(self._class_names())
            elif check_config(experiment.data) is None:
                self.boundary.set_data(PlotData.from_dataset(generate_for_views(experiment.data)))
        rate = experiment.train.learning_rate
        running = self.controller.state in (RUNNING, PAUSED)
        if running and rate != self._sent_learning_rate:
            self._sent_learning_rate = rate
            self.controller.set_learning_rate(rate)
        if self.controller.state in (IDLE, FINISHED):
            self.refresh_controls()

    # -- export -----------------------------------------------------------------------------

    def current_plot(self) -> QWidget:
        shown = self.tabs.currentWidget()
        return shown.currentWidget() if shown is self.predictions else shown

    def _class_names(self) -> tuple[str, ...]:
        dataset = VISION_DATASETS.get(self.document.experiment.data.name)
        return dataset.class_names if dataset else ()
