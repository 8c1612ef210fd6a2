"""What a run in the window is doing, for the views to put in words: the controller's state
(app.run_state) plus what the reports said (has the run started, how did it end).

Qt-free. The controller knows RUNNING, PAUSED, FINISHED; a user needs more: "Starting" while
torch loads and the data is prepared, and whether a finished run completed, was stopped,
diverged or failed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app import run_state
from app.reports import Paused, Report, RunFinished, RunStarted, StepsReport

READY = "ready"  # no run, or reset: Train starts one
STARTING = "starting"  # Train pressed, the run's first report not here yet
TRAINING = "training"
PAUSED = "paused"
COMPLETED = "completed"
STOPPED = "stopped"
DIVERGED = "diverged"
FAILED = "failed"  # the run could not start or broke: `message` says why

_ENDINGS = {"completed": COMPLETED, "stopped": STOPPED, "diverged": DIVERGED}


@dataclass(frozen=True)
class RunStatus:
    """A run's phase and where it is. Steps and epochs are global (a continued run counts on
    from `first_step` and `first_epoch`); `total_steps` and `epochs` are this run's own."""

    phase: str = READY
    steps_done: int = 0
    epoch: int = 0  # 0-based epoch the last step belongs to
    first_step: int = 0
    first_epoch: int = 0
    total_steps: int = 0
    epochs: int = 0
    epochs_done: int = 0  # epochs completed, counted like `epoch` (when the run ended)
    message: str = ""  # how the run ended, or why it failed
    warning: str = ""  # a completed run that did not learn as it should

    @property
    def steps_this_run(self) -> int:
        return max(0, self.steps_done - self.first_step)

    @property
    def epoch_this_run(self) -> int:
        """1-based epoch of this run the last step belongs to, at most `epochs`."""
        return min(max(1, self.epoch - self.first_epoch + 1), max(self.epochs, 1))

    @property
    def ended(self) -> bool:
        return self.phase in (COMPLETED, STOPPED, DIVERGED, FAILED)


class RunStatusTracker:
    """Follows the controller's states and the run's reports; `status` is the latest."""

    def __init__(self) -> None:
        self.status = RunStatus()
        self._state = run_state.IDLE
        self._started = False
        self._ending: str | None = None  # the phase RunFinished or a failure gave

    def on_state(self, state: str) -> RunStatus:
        """The controller's state changed (app.run_state)."""
        new_run = self._state in (run_state.IDLE, run_state.FINISHED)
        if state == run_state.RUNNING and new_run:  # Train (or Continue): a new run
            self._started, self._ending = False, None
            self.status = RunStatus(STARTING)
        elif state == run_state.IDLE:  # reset
            self._started, self._ending = False, None
            self.status = RunStatus(READY)
        self._state = state
        return self._update()

    def on_report(self, report: Report) -> RunStatus:
        """One report of the current run."""
        status = self.status
        if isinstance(report, RunStarted):
            self._started = True
            status = replace(
                status,
                steps_done=report.first_step,
                epoch=report.first_epoch,
                first_step=report.first_step,
                first_epoch=report.first_epoch,
                total_steps=report.total_steps,
                epochs=report.epochs,
            )
        elif isinstance(report, StepsReport):
            status = replace(status, steps_done=report.steps_done, epoch=report.epoch)
        elif isinstance(report, Paused):
            status = replace(status, steps_done=report.steps_done)
        elif isinstance(report, RunFinished):
            self._ending = _ENDINGS.get(report.reason, STOPPED)
            status = replace(
                status,
                steps_done=report.steps_done,
                epochs_done=report.epochs_done,
                message=report.message,
                warning=report.warning,
            )
        self.status = status
        return self._update()

    def on_failed(self, message: str) -> RunStatus:
        """The run could not start or broke (the controller's runFailed)."""
        self._ending = FAILED
        self.status = replace(self.status, message=message)
        return self._update()

    def _update(self) -> RunStatus:
        if self._state == run_state.IDLE:
            phase = READY
        elif self._ending is not None:
            phase = self._ending  # RunFinished comes just before the state FINISHED
        elif self._state == run_state.RUNNING:
            phase = TRAINING if self._started else STARTING
        elif self._state == run_state.PAUSED:
            phase = PAUSED
        else:  # FINISHED without a RunFinished or a failure: ended before it began
            phase = STOPPED
        self.status = replace(self.status, phase=phase)
        return self.status
