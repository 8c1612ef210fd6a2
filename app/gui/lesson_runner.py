"""`LessonRunner`: a lesson under way in the window. It opens the lesson's experiment, sums up
every run since (from the controller's history as it ends), sums the window up as an
`app.lessons.conditions.WindowState` whenever something a step may wait for changes, and
ticks the steps in the Lesson panel."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from app.classroom import LessonMark
from app.gui.controller import TrainingController
from app.gui.document import ExperimentDocument
from app.lessons import Lesson
from app.lessons.conditions import RunSummary, WindowState
from app.lessons.progress import LessonProgress
from app.reports import RunFinished, RunStarted
from app.run_state import IDLE
from widgets.lesson_panel import LessonPanel

FIRST_LOSSES = 20  # the steps whose losses "the same seed gives the same run" compares


class LessonRunner(QObject):
    """One lesson of `catalog` at a time. `window_state` adds the parts of the window the
    runner does not hold (the tab on show, the code panel, the runs compared) to a
    WindowState."""

    lessonChanged = Signal(object)  # the Lesson now under way, or None

    def __init__(
        self,
        document: ExperimentDocument,
        controller: TrainingController,
        panel: LessonPanel,
        catalog: Sequence[Lesson],
        window_state: Callable[[WindowState], WindowState],
        open_experiment: Callable[[Lesson], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.document, self.controller, self.panel = document, controller, panel
        self._catalog = {lesson.name: lesson for lesson in catalog}  # in the menu's order
        self._window_state = window_state
        self._open_experiment = open_experiment
        self.lesson: Lesson | None = None
        self.progress: LessonProgress | None = None
        self.runs: list[RunSummary] = []
        self._started: RunStarted | None = None  # the run under way, once it reported
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
        lesson = self._catalog[name]
        if not self._open_experiment(lesson):
            return False
        self._begin(lesson, 0)
        return True

    def resume(self, mark: LessonMark) -> bool:
        """Go on with the lesson a file was saved in, from the steps done then, on the
        experiment as the file holds it; False when this LayerLab has no such lesson."""
        lesson = self._catalog.get(mark.name)
        if lesson is None:
            return False
        self._begin(lesson, mark.step)
        return True

    def mark(self) -> LessonMark | None:
        """The lesson under way and its steps done, for a file saved now."""
        if self.lesson is None or self.progress is None:
            return None
        return LessonMark(self.lesson.name, self.progress.done)

    def _begin(self, lesson: Lesson, done: int) -> None:
        self.lesson, self.progress = lesson, LessonProgress(lesson, done)
        self.runs, self._started, self._alarms = [], None, ()
        self.panel.show_lesson(
            lesson.title,
            lesson.summary,
            [step.do for step in lesson.steps],
            self._next_name() is not None,
        )
        progress = self.progress.progress()
        self.panel.show_progress(progress.done, progress.look)
        self.lessonChanged.emit(lesson)
        self.check()

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
        names = list(self._catalog)
        if self.lesson is None:
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

    # -- runs --------------------------------------------------------------------------------

    def _on_report(self, report) -> None:
        if isinstance(report, RunStarted):
            self._started, self._alarms = report, ()
        elif isinstance(report, RunFinished) and self._started is not None:
            message = " ".join(text for text in (report.message, report.warning) if text)
            self._end(self._summary(report.reason, message))

    def _on_state_changed(self, state: str) -> None:
        """Reset while a run trained: its reports stop, and nothing of it counts."""
        if state == IDLE:
            self._started = None

    def _on_failed(self, message: str) -> None:
        if self._started is None:  # refused before its first step: nothing ran, the settings did
            experiment = self.controller.run_experiment or self.document.experiment
            self._end(RunSummary(experiment, "failed", message))
        else:
            self._end(self._summary("failed", message))

    def _summary(self, outcome: str, message: str) -> RunSummary:
        """The run that ended, as the controller's history holds it."""
        history, started = self.controller.history, self._started
        epoch = history.epochs[-1] if history.epochs else None
        return RunSummary(
            self.controller.run_experiment,
            outcome,
            message,
            fresh=not started.continues,
            first_losses=tuple(float(loss) for loss in history.step_losses()[:FIRST_LOSSES]),
            train_loss=epoch.train_loss if epoch else None,
            val_loss=epoch.val_loss if epoch else None,
            val_accuracy=epoch.val_accuracy if epoch else None,
            alarms=self._alarms,
            param_count=started.param_count,
        )

    def _end(self, summary: RunSummary) -> None:
        self._started = None
        if self.progress is not None:
            self.runs.append(summary)
            self.check()
