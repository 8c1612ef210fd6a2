"""The engine process: every torch call of the window, in a process of its own.

`serve` is the process's main (started by app.engine_link). Its main thread runs the
requests one at a time, as the window's training thread did: runs, predictions and views,
exports, sample images, devices, warm-up; the trainer and its weights stay here between
runs. A second thread reads the pipe, so that pause, step, stop, a new learning rate or
pace and the views asked for reach a run under way at once.
Replies are frozen values (app.reports, app.results), pickled onto the other pipe.

Qt-free, and torch loads only inside the functions (the window imports this module to name
the process's main; the fork server imports torch once for every engine).

The engine's sentences come out in the window's language: `serve` is handed it when the
process starts (the fork server's own, English, would be the engine's otherwise; the window
changes language only at its next start).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from pathlib import Path

import numpy as np

from app.control import Control
from app.reports import EpochReport, Paused, RunFinished, RunStarted, StepsReport
from app.results import DeviceReport, ExportResult, SampleImages
from app.view_requests import ViewRequests
from models.translation import _, set_language

PREDICTION_INTERVAL = 0.25  # seconds between decision-boundary updates
# Seconds between the unit or feature maps of a shown tab: each is a forward pass and, in the
# GUI, a redraw of up to 64 small maps (bench/views_cost.py).
VIEWS_INTERVAL = 0.5
SAMPLE_IMAGES = 48  # images the Data panel shows
# The engine gives way to the window when both want a core: on 2 cores a run with two
# intra-op threads delayed the window's 10 ms timer by 30-47 ms at p99 (the bench's CNN,
# bench/gui_vs_bare.py; 17-29 ms niced); the window takes a tenth of a core, so the run
# loses little.
ENGINE_NICENESS = 10
REQUESTS = frozenset(
    {"run", "inspect", "export", "forget", "load_samples", "probe_devices", "warm_up"}
)
CONTROL_VERBS = frozenset(
    {"pause", "resume", "look", "step", "stop", "set_learning_rate", "set_pace"}
)


def serve(requests, replies, language: str | None = None) -> None:
    """The engine process's main: serve `requests` (a pipe's reading end) until "quit" or
    until the window's end closes, replying on `replies`. `language` is the window's
    (models.translation.language()): the engine's sentences are made in it."""
    # Ctrl+C in the terminal that ran `make run` reaches the whole process group: the window
    # decides when its engine ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(ENGINE_NICENESS)
    if language is not None:
        set_language(language)
    EngineService(requests, replies).serve()


def _resume(trainer, folder: str) -> None:
    """The trainer's next run goes on from the weights, epochs and steps saved in `folder`."""
    from app.training import RunError
    from app.training.resume import ResumeError, read_resume_point

    try:
        point = read_resume_point(folder)
    except ResumeError as error:
        raise RunError(
            _("The trained folder cannot be resumed: {error}.").format(error=error)
        ) from None
    trainer.resume(point.state_dict, point.steps_done, point.epochs_done)


class EngineService:
    """The requests' handlers, the kept trainer, and the runs' Controls."""

    def __init__(self, requests, replies) -> None:
        self._requests = requests
        self._replies = replies
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._controls: dict[int, Control] = {}  # run id -> its Control (made by either thread)
        self._controls_lock = threading.Lock()
        self.views = ViewRequests()  # the views inside the network the window shows now
        self.trainer = None
        self._last_views = 0.0  # when the views inside the network were last computed

    def serve(self) -> None:
        reader = threading.Thread(target=self._read, name="engine-requests", daemon=True)
        reader.start()
        while True:
            verb, *arguments = self._queue.get()
            if verb == "quit":
                return
            try:
                getattr(self, verb)(*arguments)
            except Exception as error:  # noqa: BLE001 - one bad request must not end the engine
                reason = _("The engine failed: {kind}: {error}").format(
                    kind=type(error).__name__, error=error
                )
                self._reply("failed", -1, reason)

    def _read(self) -> None:
        """The reading thread: act on control messages at once, queue the requests."""
        while True:
            try:
                verb, *arguments = self._requests.recv()
            except (EOFError, OSError):  # the window is gone: end what runs, then quit
                verb, arguments = "quit", []
            if verb == "control":
                run_id, name, values = arguments
                if name in CONTROL_VERBS:
                    getattr(self._control(run_id), name)(*values)
            elif verb == "views":
                self.views.unit_layer, self.views.feature_image = arguments
            elif verb == "quit":
                with self._controls_lock:
                    for control in self._controls.values():
                        control.stop()
                self._queue.put(("quit",))
                return
            elif verb in REQUESTS:
                self._queue.put((verb, *arguments))

    def _control(self, run_id: int) -> Control:
        with self._controls_lock:
            return self._controls.setdefault(run_id, Control())

    def _reply(self, name: str, *arguments: object) -> None:
        with contextlib.suppress(OSError, EOFError):  # the window is gone: nobody to tell
            self._replies.send((name, *arguments))

    def run(self, request) -> None:
        # torch: loaded by the fork server already, or here
        from app.run_plan import SHARED_CORE_WORK
        from app.training import RunError, Trainer
        from app.training.memory import is_out_of_memory

        run_id, bounds = request.run_id, request.bounds
        control = self._control(run_id)
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
                if request.weights_folder is not None:  # File > Open Trained Folder
                    _resume(trainer, request.weights_folder)
            # Light steps leave the GUI a core: with every core in torch's pool, each redraw
            # stalls an intra-op barrier, in another process too (the MLP at batch 512 ran at
            # 0.58x of the bare loop with 2 of 2 cores, 0.91x with one). Heavy steps (CNNs)
            # gain more from the core than they lose to redraws (bench/gui_vs_bare.py).
            if trainer.step_work < SHARED_CORE_WORK:
                trainer.threads = min(trainer.threads, max(1, (os.cpu_count() or 2) - 1))
            self.trainer = trainer
            for report in trainer.run(control):
                self._reply("reportReady", run_id, report)
                if isinstance(report, StepsReport):
                    steps_done = report.steps_done
                elif isinstance(report, RunStarted):
                    steps_done = report.first_step
                # At most 4 a second while training, epoch ends included (the two-moons
                # example ends 50-60 epochs a second, and a map at each was a forward pass
                # over the grid and a redraw), and always when the run stops or pauses, so
                # the map shows the weights it stopped with.
                now = time.monotonic()
                still = isinstance(report, Paused | RunFinished)
                due = now - last_prediction >= PREDICTION_INTERVAL
                if still or due and isinstance(report, StepsReport | EpochReport):
                    last_prediction = now
                    self._predict(run_id, trainer, bounds, steps_done, still)
        except RunError as error:
            self._reply("failed", run_id, str(error))
        except Exception as error:  # noqa: BLE001 - shown to the user; the app stays usable
            text = str(error).strip().splitlines()[0] if str(error).strip() else ""
            # Python's MemoryError, CUDA's and the CPU allocator's RuntimeErrors alike.
            if is_out_of_memory(error):
                reason = _("The run ran out of memory: use a smaller batch or model.")
            elif text:
                reason = _("Training stopped: {kind}: {reason}")
                reason = reason.format(kind=type(error).__name__, reason=text)
            else:
                reason = _("Training stopped: {kind}").format(kind=type(error).__name__)
            self._reply("failed", run_id, reason)
        finally:
            with self._controls_lock:
                self._controls.pop(run_id, None)
            self._reply("finished", run_id)

    def inspect(self, run_id: int, bounds) -> None:
        """Between runs: the predictions and views of the kept weights, for a view that was
        just shown or changed."""
        trainer = self.trainer
        if trainer is not None and trainer.model is not None:
            self._predict(run_id, trainer, bounds, trainer.steps_done, at_once=True)

    def _predict(
        self, run_id: int, trainer, bounds, steps_done: int, at_once: bool = False
    ) -> None:
        """The decision map or image guesses, and the views inside the network that are shown
        (at most every VIEWS_INTERVAL while training; `at_once` between runs and paused)."""
        reports = [trainer.predict(bounds, steps_done)]
        now = time.monotonic()
        if at_once or now - self._last_views >= VIEWS_INTERVAL:
            self._last_views = now
            layer, image = self.views.unit_layer, self.views.feature_image
            if layer is not None:
                reports.append(trainer.unit_maps(bounds, layer, steps_done))
            if image is not None:
                reports.append(trainer.feature_maps(image, steps_done))
        for report in reports:
            if report is not None:
                self._reply("reportReady", run_id, report)

    def export(
        self,
        folder: str,
        experiment_dict: dict,
        source: str,
        umask: int,
        formats: tuple[str, ...] = (),
    ) -> None:
        """The kept weights as one set in `folder`, then the model in each of `formats`
        beside them (checked by loading back), its files made under the window's `umask`."""
        previous = os.umask(umask)
        try:
            self._export(folder, experiment_dict, source, formats)
        finally:
            os.umask(previous)

    def _export(
        self, folder: str, experiment_dict: dict, source: str, formats: tuple[str, ...]
    ) -> None:
        from models.checkpoint import CheckpointError, save_checkpoint
        from models.formats import FormatError, export_format

        if self.trainer is None or self.trainer.model is None:
            error = _("There are no trained weights yet: press Train first.")
            self._reply("exported", ExportResult(folder, error))
            return
        written = []
        try:
            save_checkpoint(Path(folder), self.trainer.state_dict(), experiment_dict, source)
            for kind in formats:
                written.append(export_format(folder, kind).path.name)
        except OSError as error:
            reason = _("Could not write to {folder}: {reason}.").format(
                folder=folder, reason=error.strerror or error
            )
            self._reply("exported", ExportResult(folder, reason, tuple(written)))
            return
        except (CheckpointError, FormatError) as error:  # the weights are written already
            reason = _("The weights were written, but not as {format}: {error}.").format(
                format=kind, error=error
            )
            self._reply("exported", ExportResult(folder, reason, tuple(written)))
            return
        self._reply("exported", ExportResult(folder, formats=tuple(written)))

    def forget(self) -> None:
        self.trainer = None

    def load_samples(self, config, data_root: str) -> None:
        """The first training images of an image dataset, for the Data panel."""
        from app.datasets import load
        from app.datasets.vision import DataMissing

        try:
            data = load(config, data_root)
        except DataMissing as error:
            self._reply("samplesLoaded", _unreadable(config, data_root, str(error)))
            return
        except Exception as error:  # noqa: BLE001 - shown to the user in the panel
            reason = _("The images could not be read: {error}").format(error=error)
            self._reply("samplesLoaded", _unreadable(config, data_root, reason))
            return
        count = min(SAMPLE_IMAGES, len(data.x_train))
        images, labels = data.x_train[:count].copy(), data.y_train[:count].copy()
        names = tuple(data.class_names)
        self._reply("samplesLoaded", SampleImages(config, data_root, images, labels, names))

    def probe_devices(self) -> None:
        """The devices torch can use and their dtype limits."""
        try:
            from app.training import probe_devices

            report = probe_devices()
        except Exception as error:  # noqa: BLE001 - torch would not even import: the CPU still works
            report = DeviceReport.cpu_only(error)
        self._reply("devicesFound", report)

    def warm_up(self) -> None:
        """torch and its lazy parts loaded before the first Train: app.engine_preload, which
        an engine forked from the fork server has already run (here, nothing more to do)."""
        import app.engine_preload  # noqa: F401 - imported for what its import does

        self._reply("warmedUp")


def _unreadable(config, data_root: str, reason: str) -> SampleImages:
    """No images, and the one sentence that says why."""
    empty = np.zeros((0, 0, 0, 0), np.uint8)
    return SampleImages(config, data_root, empty, np.zeros(0, np.int64), (), error=reason)
