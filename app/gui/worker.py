"""The training thread's side: one persistent worker owns every torch call of the window.

It runs in the controller's QThread, imports torch on first use (not at start-up), and sends
back reports and results as frozen values; the controller (app.gui.controller) re-emits them
in the GUI thread.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from app.reports import EpochReport, Paused, RunFinished, RunStarted, StepsReport
from app.results import (
    CANCELLED,
    DONE,
    FAILED,
    DeviceReport,
    DownloadProgress,
    DownloadResult,
    ExportResult,
    SampleImages,
)

PREDICTION_INTERVAL = 0.25  # seconds between decision-boundary updates
# Seconds between the unit or feature maps of a shown tab: each is a forward pass and, in the
# GUI, a redraw of up to 64 small maps (bench/views_cost.py).
VIEWS_INTERVAL = 0.5
PROGRESS_INTERVAL = 0.1  # seconds between download progress signals
SAMPLE_IMAGES = 48  # images the Data panel shows


@dataclass(frozen=True)
class RunRequest:
    """What the worker needs to start run `run_id`: the experiment, the run's Control (the
    one mutable, thread-safe part), the decision-map bounds, the data folder, and whether to
    continue the last run's weights (when they are still there and fit) or start afresh."""

    run_id: int
    experiment: object  # app.experiment.Experiment
    control: object  # app.training.Control
    bounds: tuple[float, float, float, float] | None
    data_root: str
    resume: bool = False
    views: object = None  # app.view_requests.ViewRequests: the views inside the network shown


@dataclass(frozen=True)
class DownloadRequest:
    """An image dataset to fetch into `data_root`, with its cancel flag and network timeout."""

    dataset: str
    data_root: str
    cancel: threading.Event
    timeout: float


class TrainingWorker(QObject):
    """Runs in the training thread. Imports torch on first use, not at start-up."""

    reportReady = Signal(int, object)  # run id, report
    failed = Signal(int, str)  # run id, one readable sentence
    finished = Signal(int)
    exported = Signal(object)  # ExportResult
    warmedUp = Signal()
    downloadProgress = Signal(object)  # DownloadProgress
    downloadFinished = Signal(object)  # DownloadResult
    samplesLoaded = Signal(object)  # SampleImages
    devicesFound = Signal(object)  # DeviceReport

    def __init__(self) -> None:
        super().__init__()
        self.trainer = None
        self._last_views = 0.0  # when the views inside the network were last computed

    @Slot(object)
    def run(self, request: RunRequest) -> None:
        # torch: loaded here, not at start-up
        from app.training import SHARED_CORE_WORK, RunError, Trainer
        from app.training.memory import is_out_of_memory

        run_id, control, bounds = request.run_id, request.control, request.bounds

        steps_done, last_prediction, self._last_views = 0, 0.0, 0.0
        experiment, trainer = request.experiment, self.trainer
        try:
            if request.resume and trainer is not None and trainer.can_continue(experiment):
                # The same model and data: train on from the current weights. A setting that
                # cannot run is refused here, with the weights left as they were.
                trainer.continue_with(experiment)
            else:
                trainer = Trainer(experiment, data_root=request.data_root)
                trainer.prepare()
            # Light steps leave the GUI thread a core: with every core in torch's pool, each
            # redraw stalls an intra-op barrier (the MLP at batch 512 ran at 0.53x of the bare
            # loop with 2 of 2 cores). Heavy steps (CNNs) gain more from the core than they
            # lose to redraws: the 1x28x28 CNN went from 0.59x to 0.80x with it (bench/).
            if trainer.step_work < SHARED_CORE_WORK:
                trainer.threads = min(trainer.threads, max(1, (os.cpu_count() or 2) - 1))
            self.trainer = trainer
            for report in trainer.run(control):
                self.reportReady.emit(run_id, report)
                if isinstance(report, StepsReport):
                    steps_done = report.steps_done
                elif isinstance(report, RunStarted):
                    steps_done = report.first_step
                now = time.monotonic()
                due = now - last_prediction >= PREDICTION_INTERVAL
                boundary = isinstance(report, EpochReport | Paused | RunFinished)
                if due and isinstance(report, StepsReport) or boundary:
                    last_prediction = now
                    still = isinstance(report, Paused | RunFinished)
                    self._predict(run_id, trainer, bounds, request.views, steps_done, still)
        except RunError as error:
            self.failed.emit(run_id, str(error))
        except Exception as error:  # noqa: BLE001 - shown to the user; the app stays usable
            text = str(error).strip().splitlines()[0] if str(error).strip() else ""
            # Python's MemoryError, CUDA's and the CPU allocator's RuntimeErrors alike.
            if is_out_of_memory(error):
                self.failed.emit(run_id, "The run ran out of memory: use a smaller batch or model.")
            else:
                self.failed.emit(
                    run_id, f"Training stopped: {type(error).__name__}: {text}".rstrip(": ")
                )
        finally:
            self.finished.emit(run_id)

    @Slot(int, object, object)
    def inspect(self, run_id: int, bounds, views) -> None:
        """Between runs: the predictions and views of the kept weights, for a view that was
        just shown or changed."""
        trainer = self.trainer
        if trainer is not None and trainer.model is not None:
            self._predict(run_id, trainer, bounds, views, trainer.steps_done, at_once=True)

    def _predict(
        self, run_id: int, trainer, bounds, views, steps_done: int, at_once: bool = False
    ) -> None:
        """The decision map or image guesses, and the views inside the network that are shown
        (at most every VIEWS_INTERVAL while training; `at_once` between runs and paused)."""
        reports = [trainer.predict(bounds, steps_done)]
        now = time.monotonic()
        if views is not None and (at_once or now - self._last_views >= VIEWS_INTERVAL):
            self._last_views = now
            layer, image = views.unit_layer, views.feature_image
            if layer is not None:
                reports.append(trainer.unit_maps(bounds, layer, steps_done))
            if image is not None:
                reports.append(trainer.feature_maps(image, steps_done))
        for report in reports:
            if report is not None:
                self.reportReady.emit(run_id, report)

    @Slot(str, object, str)
    def export(self, folder: str, experiment_dict: dict, source: str) -> None:
        from models.checkpoint import save_checkpoint

        if self.trainer is None or self.trainer.model is None:
            error = "There are no trained weights yet: press Train first."
            self.exported.emit(ExportResult(folder, error))
            return
        try:
            save_checkpoint(Path(folder), self.trainer.state_dict(), experiment_dict, source)
        except OSError as error:
            reason = f"Could not write to {folder}: {error.strerror or error}."
            self.exported.emit(ExportResult(folder, reason))
            return
        self.exported.emit(ExportResult(folder))

    @Slot()
    def forget(self) -> None:
        self.trainer = None

    @Slot(object)
    def download(self, request: DownloadRequest) -> None:
        from app.datasets.vision import DownloadCancelled, DownloadError, download

        name, last = request.dataset, 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL or done == total:
                last = now
                self.downloadProgress.emit(DownloadProgress(name, done, total))

        try:
            download(
                name,
                Path(request.data_root),
                progress=progress,
                cancelled=request.cancel.is_set,
                timeout=request.timeout,
            )
        except DownloadCancelled:
            self.downloadFinished.emit(DownloadResult(name, CANCELLED))
        except DownloadError as error:
            self.downloadFinished.emit(DownloadResult(name, FAILED, str(error)))
        except Exception as error:  # noqa: BLE001 - the window must hear back, whatever happened
            reason = f"The download failed ({type(error).__name__}: {error})."
            self.downloadFinished.emit(DownloadResult(name, FAILED, reason))
        else:
            self.downloadFinished.emit(DownloadResult(name, DONE))

    @Slot(object, str)
    def load_samples(self, config, data_root: str) -> None:
        """The first training images of an image dataset, for the Data panel."""
        from app.datasets import load
        from app.datasets.vision import DataMissing

        try:
            data = load(config, data_root)
        except DataMissing as error:
            self.samplesLoaded.emit(_unreadable(config, data_root, str(error)))
            return
        except Exception as error:  # noqa: BLE001 - shown to the user in the panel
            reason = f"The images could not be read: {error}"
            self.samplesLoaded.emit(_unreadable(config, data_root, reason))
            return
        count = min(SAMPLE_IMAGES, len(data.x_train))
        images, labels = data.x_train[:count].copy(), data.y_train[:count].copy()
        names = tuple(data.class_names)
        self.samplesLoaded.emit(SampleImages(config, data_root, images, labels, names))

    @Slot()
    def probe_devices(self) -> None:
        """The devices torch can use and their dtype limits, found here, not in a second thread."""
        try:
            from app.training import probe_devices

            report = probe_devices()
        except Exception as error:  # noqa: BLE001 - torch would not even import: the CPU still works
            report = DeviceReport.cpu_only(error)
        self.devicesFound.emit(report)

    @Slot()
    def warm_up(self) -> None:
        from app.training import warm_up

        # Only an optimisation: a real run reports whatever went wrong here.
        with contextlib.suppress(Exception):
            warm_up()
        self.warmedUp.emit()


def _unreadable(config, data_root: str, reason: str) -> SampleImages:
    """No images, and the one sentence that says why."""
    empty = np.zeros((0, 0, 0, 0), np.uint8)
    return SampleImages(config, data_root, empty, np.zeros(0, np.int64), (), error=reason)
