"""The listening thread's side: the engine process's replies, as Qt signals.

The engine (app.engine_process) does every torch call in a process of its own; this worker
runs in the controller's QThread, blocks on the engine's pipe (holding no GIL while it
waits), and emits each reply as its signal, which the controller gets in the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from app.engine_link import REPLIES


class TrainingWorker(QObject):
    """Emits the engine's replies; `engineLost` once its process has ended."""

    reportReady = Signal(int, object)  # run id, report
    failed = Signal(int, str)  # run id, one readable sentence
    finished = Signal(int)
    exported = Signal(object)  # ExportResult
    warmedUp = Signal()
    samplesLoaded = Signal(object)  # SampleImages
    devicesFound = Signal(object)  # DeviceReport
    engineLost = Signal(object)  # the EngineLink whose process has ended

    @Slot(object)
    def listen(self, link) -> None:
        """Relay `link`'s replies until its engine process ends."""
        while True:
            try:
                name, *arguments = link.receive()
            except (EOFError, OSError):
                break
            if name in REPLIES:
                getattr(self, name).emit(*arguments)
        # Not joined here: the GUI thread may be joining it (two joins of one forkserver
        # process race for its exit status, and one reads 255).
        self.engineLost.emit(link)
