"""Playing a lesson through the window, as a student would: its menu entry, the Train
button, the panels' edits; and what the Lesson panel shows."""

from __future__ import annotations

from dataclasses import replace

from widgets.lesson_panel import TICK


def start(window, name: str) -> None:
    """The lesson's entry in the Lessons menu, triggered."""
    lesson = next(lesson for lesson in window.lessons_catalog if lesson.name == name)
    action = next(a for a in window.lessons_menu.actions() if a.text() == lesson.title)
    action.trigger()
    assert window.lessons.lesson is not None and window.lessons.lesson.name == name
    assert window.lesson_dock.isVisible()


def train(qtbot, window) -> object:
    """Train (the Train action) until the run ends, finished or refused; its summary."""
    count = len(window.lessons.runs)
    window.run_panel.train_action.trigger()
    qtbot.waitUntil(lambda: len(window.lessons.runs) > count, timeout=120_000)
    qtbot.waitUntil(lambda: window.controller.state not in ("running", "paused"), timeout=10_000)
    return window.lessons.runs[-1]


def set_train(window, **changes) -> None:
    """Training settings as the Training panel sets them (one undo step)."""
    window.training_panel.set_config(replace(window.training_panel.config(), **changes))
    window.training_panel.trainChanged.emit(window.training_panel.config())


def done(window) -> int:
    """How many steps the panel shows ticked."""
    return window.lesson_panel.marks().count(TICK)


def wait_done(qtbot, window, count: int) -> None:
    """Until the panel shows `count` steps ticked (an edit is checked at the next turn of the
    event loop)."""
    qtbot.waitUntil(lambda: done(window) == count, timeout=5_000)


def look(window) -> str:
    return window.lesson_panel.look.text()


def compare_all(window) -> None:
    """Select every run in the Runs tab (Ctrl+A in its list)."""
    window.run_panel.show_tab("runs")
    window.run_panel.runs.list.selectAll()
