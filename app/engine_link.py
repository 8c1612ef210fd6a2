"""The window's end of its engine process: start it, send it requests, read its replies.

The window trains in a process of its own (app.engine_process), not in a thread beside the
GUI: in one process the GUI's redraws and the training loop share one GIL, and the window
trained the two-moons example at 0.49x of a hand-written loop where the engine alone ran it
at 0.91x (bench/gui_vs_bare.py, bench/engine_vs_bare.py; docs/architecture.md). Qt-free and
torch-free: torch loads only in the engine process.

Messages are tuples: a verb and its arguments. Requests ("run", "inspect", "export",
"forget", "load_samples", "probe_devices", "warm_up", "quit") queue in the engine and run
one at a time; "control" and "views" act at once, also during a run. Replies are a name
(one of REPLIES) and its arguments.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass

from app.control import Control
from app.engine_process import serve
from models.translation import language

# Imported once by the fork server: every engine process forks from it with torch loaded
# and warmed up (app.engine_preload; a fresh interpreter takes 1.5-2.9 s to import torch, a
# fork about 20 ms).
PRELOAD = ["app.engine_preload", "app.engine_process"]
QUIT_TIMEOUT = 10.0  # seconds an engine may take to end its batch and exit before it is killed

REPLIES = frozenset(
    {
        "reportReady",  # run id, report
        "failed",  # run id, one readable sentence
        "finished",  # run id
        "exported",  # ExportResult
        "warmedUp",
        "samplesLoaded",  # SampleImages
        "devicesFound",  # DeviceReport
    }
)


@dataclass(frozen=True)
class RunRequest:
    """What the engine needs to start run `run_id`: the experiment, the decision-map bounds,
    the data folder, and whether to continue the last run's weights (when they are still
    there and fit) or start afresh: from the seed, or from a trained folder's weights."""

    run_id: int
    experiment: object  # app.experiment.Experiment
    bounds: tuple[float, float, float, float] | None
    data_root: str
    resume: bool = False
    weights_folder: str | None = None  # a fresh run starts from model.pt there


def _context():
    """Fork server where the system has one (Linux, macOS): each engine starts in about
    20 ms with torch already imported, and never from a fork of the Qt process. Elsewhere,
    a fresh interpreter."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def start_fork_server() -> None:
    """Start the fork server now, at launch: it imports torch (about 1.5 s) on the other
    core while the window imports Qt and builds itself. Returns at once."""
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class EngineLink:
    """One engine process and the two pipes to it. `send` may be called from any thread;
    `receive` from one thread only (the window's listening thread).

    The process starts in a thread of its own: the first start waits for the fork server to
    import torch, which must not hold up the window. Requests sent meanwhile wait in the
    pipe."""

    def __init__(self) -> None:
        context = _context()
        requests_out, self._requests = context.Pipe(duplex=False)
        self._replies, replies_in = context.Pipe(duplex=False)
        # The engine's sentences (run messages, data errors) in the window's language.
        self.process = context.Process(
            target=serve,
            args=(requests_out, replies_in, language()),
            name="layerlab-engine",
            daemon=True,
        )
        self._lock = threading.Lock()
        self._starter = threading.Thread(
            target=self._start, args=(requests_out, replies_in), name="engine-start", daemon=True
        )
        self._starter.start()

    def _start(self, requests_out, replies_in) -> None:
        try:
            self.process.start()
        finally:
            # The engine's ends belong to it now (or nobody, if it could not start): closing
            # ours lets `receive` see the end of the pipe when the engine exits.
            requests_out.close()
            replies_in.close()

    def send(self, verb: str, *arguments: object) -> bool:
        """Send one message; False when the engine is gone (the listener says why)."""
        with self._lock:
            try:
                self._requests.send((verb, *arguments))
            except (OSError, EOFError, ValueError):  # broken, or already closed
                return False
        return True

    def receive(self) -> tuple:
        """The next reply: (name, *arguments). EOFError once the engine has exited."""
        return self._replies.recv()

    def exit_code(self) -> int | None:
        """The engine's exit status once it has ended (negative: killed by that signal;
        None: it never started)."""
        self._starter.join()
        if self.process.pid is None:
            return None
        self.process.join(QUIT_TIMEOUT)
        return self.process.exitcode

    def close(self) -> None:
        """Ask the engine to quit (it stops any run at its next batch) and wait for it; kill
        it when it does not end in QUIT_TIMEOUT seconds."""
        self.send("quit")
        self._starter.join()
        if self.process.pid is not None:
            self.process.join(QUIT_TIMEOUT)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        with self._lock:
            self._requests.close()


class RemoteControl:
    """The Control of a run in the engine process, as the window holds it: each verb acts on
    a local copy (so `paused`, `stopped` and `pace` read at once) and is sent to the engine,
    where the run's own Control gets it before the next batch."""

    def __init__(self, link: EngineLink, run_id: int) -> None:
        self._link, self._run_id = link, run_id
        self._mirror = Control()

    def _send(self, verb: str, *arguments: object) -> None:
        getattr(self._mirror, verb)(*arguments)
        self._link.send("control", self._run_id, verb, arguments)

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def look(self) -> None:
        self._send("look")

    def step(self) -> None:
        self._send("step")

    def stop(self) -> None:
        self._send("stop")

    def set_learning_rate(self, learning_rate: float) -> None:
        self._send("set_learning_rate", learning_rate)

    def set_pace(self, steps_per_second: float | None) -> None:
        self._send("set_pace", steps_per_second)

    @property
    def paused(self) -> bool:
        return self._mirror.paused

    @property
    def stopped(self) -> bool:
        return self._mirror.stopped

    @property
    def pace(self) -> float | None:
        return self._mirror.pace
