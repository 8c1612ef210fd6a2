"""How far a student is in a lesson: steps tick in order, each when its condition is met by
the window's state, and stay ticked. Qt-free: the window feeds it states, the panel shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.lessons import Lesson
from app.lessons.conditions import WindowState, met


@dataclass(frozen=True)
class Progress:
    """Steps done (the first `done` of the lesson) and what to look at now: the last done
    step's `look` text, or "" before any."""

    done: int
    total: int
    look: str = ""

    @property
    def finished(self) -> bool:
        return self.done >= self.total


class LessonProgress:
    """The current step of `lesson`; `update(state)` ticks every step the state meets, in
    order, and returns whether anything ticked. `done`: the steps already done (a lesson
    resumed from a saved file)."""

    def __init__(self, lesson: Lesson, done: int = 0) -> None:
        self.lesson = lesson
        self.done = max(0, min(done, len(lesson.steps)))
        self.since = 0  # runs finished before the current step began do not count for it

    def update(self, state: WindowState) -> bool:
        ticked = False
        steps = self.lesson.steps
        while self.done < len(steps) and met(steps[self.done].when, state, self.since):
            self.done += 1
            self.since = len(state.runs)
            ticked = True
        return ticked

    def progress(self) -> Progress:
        look = self.lesson.steps[self.done - 1].look if self.done else ""
        return Progress(self.done, len(self.lesson.steps), look)
