"""`LessonRunner`: a lesson under way in the window. It opens the lesson's experiment, keeps a
summary of every run since, sums the window up as an `app.lessons.conditions.WindowState`
whenever something a step may wait for changes, and ticks the steps in the Lesson panel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.gui.controller import TrainingController
from app.gui.document import ExperimentDocument
from app.lessons import Lesson, find_lesson, lesson_names
from app.lessons.conditions import RunSummary, WindowState
from app.lessons.progress import LessonProgress, Progress
from app.reports import EpochReport, RunFinished, RunStarted, StepsReport
from app.run_state import IDLE
from widgets.lesson_panel import LessonPanel

FIRST_LOSSES = 20  # the steps whose losses "the same seed gives the same run" compares


class _RunNotes:
    """What the run under way has shown so far."""

    def __init__(self, started: RunStarted, experiment) -> None:
        self.started = started
        self.experiment = experiment
        self.first_losses: list[float] = []
        self.last_epoch: EpochReport | None = None

    def summary(self, outcome: str, message: str, alarms: tuple[str, ...]) -> RunSummary:
        epoch = self.last_epoch
        return RunSummary(
            self.experiment,
            outcome,
            message,
            fresh=not self.started.continues,
            first_losses=tuple(self.first_losses),
            train_loss=epoch.train_loss if epoch else None,
            val_loss=epoch.val_loss if epoch else None,
            val_accuracy=epoch.val_accuracy if epoch else None,
            alarms=alarms,
            param_count=self.started.param_count,
        )


class LessonRunner(QObject):
    """One lesson at a time. `state_of` sums up the parts of the window the runner does not
    hold (the tab on show, the code panel, the comparison) into a WindowState."""

    lessonChanged = Signal(object)  # the Lesson now under way, or None
    progressed = Signal(object)  # Progress, when a step ticked

    def __init__(
        self,
        document: ExperimentDocument,
        controller: TrainingController,
        panel: LessonPanel,
        window_state: Callable[[WindowState], WindowState],
        open_experiment: Callable[[Lesson], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.document, self.controller, self.panel = document, controller, panel
        self._window_state = window_state
        self._open_experiment = open_experiment
        self.lesson: Lesson | None = None
        self.progress: LessonProgress | None = None
        self.runs: list[RunSummary] = []
        self._run: _RunNotes | None = None
        self._alarms: tuple[str, ...] = ()
        self._check_due = False
        controller.reportReceived.connect(self._on_report)
        controller.runFailed.connect(self._on_failed)
        controller.stateChanged.connect(self._on_state_changed)
        document.changed.connect(lambda _experiment: self.check_soon())
        panel.restartRequested.connect(self.restart)
        panel.nextRequested.connect(self.next_lesson)
        panel.closeRequested.connect(self.close)

    # -- the lesson --------------------------------------------------------------------------

    def start(self, name: str) -> bool:
        """Open the lesson of file `name` (its experiment replaces the document, after asking
        to save); False when the user kept the experiment instead."""
        lesson = find_lesson(name)
        if not self._open_experiment(lesson):
            return False
        self.lesson, self.progress = lesson, LessonProgress(lesson)
        self.runs, self._run, self._alarms = [], None, ()
        self.panel.show_lesson(
            lesson.title,
            lesson.summary,
            [step.do for step in lesson.steps],
            self._next_name() is not None,
        )
        self.lessonChanged.emit(lesson)
        self.check()
        return True

    def restart(self) -> None:
        if self.lesson is not None:
            self.start(self.lesson.name)

    def next_lesson(self) -> None:
        name = self._next_name()
        if name is not None:
            self.start(name)

    def close(self) -> None:
        self.lesson = self.progress = None
        self.lessonChanged.emit(None)

    def _next_name(self) -> str | None:
        names = lesson_names()
        if self.lesson is None or self.lesson.name not in names:
            return None
        index = names.index(self.lesson.name) + 1
        return names[index] if index < len(names) else None

    # -- what the window shows ---------------------------------------------------------------

    def set_alarms(self, alarms: tuple) -> None:
        """The run's gradient-health alarms so far (the run panel's alarmsChanged)."""
        self._alarms = tuple(dict.fromkeys(alarm.kind for alarm in alarms))

    def check_soon(self) -> None:
        """Check at the next turn of the event loop: one check for a burst of changes."""
        if self.progress is not None and not self._check_due:
            self._check_due = True
            QTimer.singleShot(0, self, self.check)

    def check(self) -> None:
        self._check_due = False
        if self.progress is None:
            return
        document = self.document
        state = WindowState(
            document.experiment,
            tuple(diagnostic.code for diagnostic in document.inference.diagnostics),
            tuple(self.runs),
        )
        if self.progress.update(self._window_state(state)):
            progress = self.progress.progress()
            self.panel.show_progress(progress.done, progress.look)
            self.progressed.emit(progress)

    def current(self) -> Progress | None:
        return self.progress.progress() if self.progress is not None else None

    # -- runs --------------------------------------------------------------------------------

    def _on_report(self, report) -> None:
        if isinstance(report, RunStarted):
            self._run = _RunNotes(report, self.controller.run_experiment)
            self._alarms = ()
        elif self._run is None:
            return
        elif isinstance(report, StepsReport):
            room = FIRST_LOSSES - len(self._run.first_losses)
            if room > 0:
                self._run.first_losses.extend(float(loss) for loss in report.losses[:room])
        elif isinstance(report, EpochReport):
            self._run.last_epoch = report
        elif isinstance(report, RunFinished):
            message = " ".join(text for text in (report.message, report.warning) if text)
            self._end(self._run.summary(report.reason, message, self._alarms))

    def _on_state_changed(self, state: str) -> None:
        """Reset while a run trained: its reports stop, and nothing of it counts."""
        if state == IDLE:
            self._run = None

    def _on_failed(self, message: str) -> None:
        notes = self._run
        if notes is None:  # refused before its first step: nothing ran, the settings did
            experiment = self.controller.run_experiment or self.document.experiment
            self._end(RunSummary(experiment, "failed", message))
        else:
            self._end(notes.summary("failed", message, self._alarms))

    def _end(self, summary: RunSummary) -> None:
        self._run = None
        if self.progress is not None:
            self.runs.append(summary)
            self.check()
