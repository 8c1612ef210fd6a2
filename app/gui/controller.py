"""Training in the window, from the GUI thread: the controller of the engine process.

It sends runs and the engine's other jobs to the engine process (app.engine_link), talks to
a running engine through a `RemoteControl` (its verbs reach the run before its next batch),
and re-emits the replies, which a listening thread relays (app.gui.worker), in the GUI
thread, dropping those of old runs. An engine that dies (killed, out of memory) fails the
run under way with one sentence, and a new one takes its place.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from app.continuation import continues
from app.datasets.vision import default_data_root
from app.downloads import DownloadRequest, fetch
from app.engine_link import EngineLink, RemoteControl, RunRequest
from app.gui.worker import TrainingWorker
from app.history import RunHistory
from app.reports import Paused, RunFinished, RunStarted, StepsReport
from app.results import DownloadResult
from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from app.view_requests import ViewRequests

DOWNLOAD_TIMEOUT = 20.0  # seconds: torchvision sets none and can hang for ever


class TrainingController(QObject):
    """Start, pause, step, resume, stop and export runs; reports arrive as `reportReceived`
    (each added to `history` first). The worker's other jobs answer with app.results values."""

    stateChanged = Signal(str)
    reportReceived = Signal(object)
    runFailed = Signal(str)
    exported = Signal(object)  # ExportResult
    warmedUp = Signal()  # the engine has run once: the first Train will not stall the window
    downloadProgress = Signal(object)  # DownloadProgress
    downloadFinished = Signal(object)  # DownloadResult (DONE, CANCELLED or FAILED + message)
    samplesLoaded = Signal(object)  # SampleImages (`error` set when they could not be read)
    devicesFound = Signal(object)  # DeviceReport
    downloadingChanged = Signal(bool)
    _listen = Signal(object)  # EngineLink
    _downloaded = Signal(object)  # DownloadResult, from the download's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("training")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self.thread)
        self._listen.connect(self.worker.listen)
        self.worker.engineLost.connect(self._on_engine_lost)
        self.worker.warmedUp.connect(self._on_warmed_up)
        self._downloaded.connect(self._on_download_finished)
        self.worker.samplesLoaded.connect(self.samplesLoaded)
        self.worker.devicesFound.connect(self.devicesFound)
        self.worker.reportReady.connect(self._on_report_ready)
        self.worker.failed.connect(self._on_failed)
        self.worker.finished.connect(self._on_finished)
        self.worker.exported.connect(self.exported)
        self.thread.start()
        self._closing = False
        self.link = self._start_engine()
        self.run_id = 0
        self.control = None
        self.state = IDLE
        self.has_weights = False
        # Whether the engine has warmed up or started a run: torch is loaded, and a Train
        # only builds and checks.
        self.engine_warm = False
        self.history = RunHistory()  # the current run's losses, epochs and markers
        # The experiment of the run under way, and of the last run that ended with its
        # weights in the worker (None after Reset or a run that failed part way): Train
        # continues that one when the model and data are unchanged.
        self._run_experiment = None
        self._ended_experiment = None
        self._run_started = False  # whether the run under way has reported RunStarted
        self._pace: float | None = None  # steps a second for every run; None: full speed
        self.data_root = str(default_data_root())  # where image datasets live
        self._download_name: str | None = None  # the dataset being downloaded
        self._download_cancel = threading.Event()
        self._download_thread: threading.Thread | None = None
        self.download_timeout = DOWNLOAD_TIMEOUT  # seconds any one network wait may take
        self.views = ViewRequests()  # the views inside the network the window shows now
        self._bounds = None  # the decision map's bounds of the last run
        # A trained folder the next fresh run starts from (File > Open Trained Folder); None:
        # from the seed. Used once, and forgotten by Reset.
        self.weights_folder: str | None = None

    @property
    def downloading(self) -> bool:
        return self._download_name is not None

    def can_continue(self, experiment) -> bool:
        """Whether Train would go on from the last run's weights (its steps, epochs and
        curves counting on) rather than start from the seed: a run ended (completed,
        stopped or diverged; not reset, not failed part way) with the same model, data,
        device, dtype and seed as `experiment`, and none runs now."""
        return (
            self.state not in (RUNNING, PAUSED)
            and self._ended_experiment is not None
            and continues(self._ended_experiment, experiment)
        )

    @property
    def run_experiment(self):
        """The experiment of the run under way or last started (None before any)."""
        return self._run_experiment

    @property
    def weights_experiment(self):
        """The experiment whose run made the worker's weights (None before any run)."""
        return self._ended_experiment or self._run_experiment

    def train(self, experiment, bounds=None) -> None:
        """Continue the last run when `can_continue`; else a new run from the seed's initial
        weights (the same seed, the same first losses)."""
        if self.state in (RUNNING, PAUSED) or self.downloading:
            return
        resume = self.can_continue(experiment)
        self.run_id += 1
        self.control = RemoteControl(self.link, self.run_id)
        if self._pace is not None:
            self.control.set_pace(self._pace)
        self._run_experiment, self._run_started = experiment, False
        self._set_state(RUNNING)
        self._bounds = bounds
        folder = None if resume else self.weights_folder
        self.weights_folder = None
        request = RunRequest(self.run_id, experiment, bounds, self.data_root, resume, folder)
        self.link.send("run", request)

    def show_views(self, unit_layer: int | None, feature_image: int | None) -> None:
        """The views inside the network now shown (None: not shown). A paused run, or the
        weights a run left, are looked at again at once; a running one shows them at its next
        prediction."""
        changed = (unit_layer, feature_image) != (
            self.views.unit_layer,
            self.views.feature_image,
        )
        self.views.unit_layer, self.views.feature_image = unit_layer, feature_image
        if not changed:
            return
        self.link.send("views", unit_layer, feature_image)
        if unit_layer is None and feature_image is None:
            return
        if self.state == PAUSED:
            self.control.look()
        elif self.state == FINISHED and self.has_weights:
            self.link.send("inspect", self.run_id, self._bounds)

    def set_pace(self, steps_per_second: float | None) -> None:
        """At most this many steps a second (so a class can watch a toy run learn), for the
        run under way at once and for later runs; None: full speed, the default."""
        if steps_per_second is not None and not (
            math.isfinite(steps_per_second) and steps_per_second > 0
        ):
            raise ValueError(
                f"a pace must be a positive number of steps a second, not {steps_per_second}"
            )
        self._pace = steps_per_second
        if self.control is not None:
            self.control.set_pace(steps_per_second)

    @property
    def pace(self) -> float | None:
        """The steps a second runs are held to; None at full speed."""
        return self._pace

    def download(self, name: str) -> None:
        """Fetch an image dataset into the data folder, in a thread; see downloadFinished."""
        if self.downloading or self.state in (RUNNING, PAUSED):
            return
        self._download_name = name
        self._download_cancel = threading.Event()
        self.downloadingChanged.emit(True)
        request = DownloadRequest(
            name, self.data_root, self._download_cancel, self.download_timeout
        )
        # Signals emitted in another thread reach this object's slots queued, in the GUI thread.
        self._download_thread = threading.Thread(
            target=lambda: self._downloaded.emit(fetch(request, self.downloadProgress.emit)),
            name="download",
            daemon=True,
        )
        self._download_thread.start()

    def cancel_download(self) -> None:
        self._download_cancel.set()

    def load_samples(self, config) -> None:
        """Read the first images of an image dataset in the engine; see samplesLoaded."""
        self.link.send("load_samples", config, self.data_root)

    def probe_devices(self) -> None:
        """Find the devices in the engine (torch is there); see devicesFound."""
        self.link.send("probe_devices")

    def pause(self) -> None:
        if self.state == RUNNING:
            self.control.pause()

    def resume(self) -> None:
        if self.state == PAUSED:
            self.control.resume()
            self._set_state(RUNNING)

    def step(self) -> None:
        """Exactly one batch, then paused again."""
        if self.state in (RUNNING, PAUSED):
            self.control.step()

    def stop(self) -> None:
        if self.state in (RUNNING, PAUSED):
            self.control.stop()

    def reset(self) -> None:
        """Forget the trained weights; the next Train starts from the seed (and the history
        starts over when that run starts)."""
        self.stop()
        self.run_id += 1  # late reports of the old run are dropped
        self.has_weights = False
        self._ended_experiment = None
        self.weights_folder = None
        self.link.send("forget")
        if self.state == FINISHED:
            self._set_state(IDLE)

    def set_learning_rate(self, learning_rate: float) -> None:
        if self.state in (RUNNING, PAUSED):
            self.control.set_learning_rate(learning_rate)

    def export(
        self, folder: Path, experiment_dict: dict, source: str, formats: tuple[str, ...] = ()
    ) -> None:
        """The weights as a set in `folder`, and the model in each of `formats` beside them
        (models.formats: "torchscript", "onnx")."""
        # The files get the window's umask, which may have changed since the engine started.
        umask = os.umask(0)
        os.umask(umask)
        self.link.send("export", str(folder), experiment_dict, source, umask, formats)

    def warm_up(self) -> None:
        """Load torch's lazy parts in the engine now, while the user looks around."""
        self.link.send("warm_up")

    def shutdown(self) -> None:
        """Stop any run, end the engine process (killed only when it does not end by itself)
        and then the listening thread; never terminate() the thread."""
        self._closing = True
        if self.control is not None:
            self.control.stop()
        self.cancel_download()
        if self._download_thread is not None:
            self._download_thread.join(self.download_timeout)
        self.link.close()  # its pipe ends: the listener returns
        self.thread.quit()
        self.thread.wait()

    def _start_engine(self) -> EngineLink:
        link = EngineLink()
        self._listen.emit(link)
        return link

    def _on_engine_lost(self, link: EngineLink) -> None:
        """The engine process ended without being asked: fail what it was doing, say why, and
        start another (its weights are gone: the next Train starts from the seed)."""
        if self._closing or link is not self.link:
            return
        exit_code = link.exit_code()
        if exit_code and exit_code < 0:
            text = self.tr(
                "The training process ended unexpectedly (killed by signal {signal}): the run's "
                "weights are lost. Press Train to start again."
            ).format(signal=-exit_code)
        else:
            text = self.tr(
                "The training process ended unexpectedly (it crashed): the run's weights are "
                "lost. Press Train to start again."
            )
        self.link = self._start_engine()
        self.engine_warm = False
        self.link.send("warm_up")
        self.run_id += 1  # nothing more can come from the old engine's runs
        self.has_weights = False
        self._ended_experiment = None
        if self.state in (RUNNING, PAUSED):
            self.runFailed.emit(text)
            self._set_state(FINISHED)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    def _on_report_ready(self, run_id: int, report) -> None:
        if run_id != self.run_id:
            return
        if isinstance(report, Paused):
            self._set_state(PAUSED)
        elif isinstance(report, StepsReport):
            self.has_weights = True
            if self.state == PAUSED and not self.control.paused:
                self._set_state(RUNNING)
        elif isinstance(report, RunStarted):
            self._run_started = True
            self.engine_warm = True
        elif isinstance(report, RunFinished):
            # Its weights stay in the worker: the next Train may continue them (a diverged
            # run's too: it kept its last finite weights).
            self._ended_experiment = self._run_experiment
        self.history.add(report)
        self.reportReceived.emit(report)

    def _on_warmed_up(self) -> None:
        self.engine_warm = True
        self.warmedUp.emit()

    def _on_download_finished(self, result: DownloadResult) -> None:
        self._download_name = None
        self.downloadingChanged.emit(False)
        self.downloadFinished.emit(result)

    def _on_failed(self, run_id: int, message: str) -> None:
        if run_id == self.run_id:
            if self._run_started:
                # It failed part way (out of memory): the next Train starts from the seed.
                # One refused before its first step changed nothing: the last run may go on.
                self._ended_experiment = None
            self.runFailed.emit(message)

    def _on_finished(self, run_id: int) -> None:
        if run_id == self.run_id:
            self._set_state(FINISHED)
        elif self.state in (RUNNING, PAUSED):  # a reset while running: the old run has ended
            self._set_state(IDLE)
