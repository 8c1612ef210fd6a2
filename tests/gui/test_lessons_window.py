"""Lessons in the window: the menu, the start page's cards, the panel's buttons, and the
screenshot of a lesson from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lesson_play import start
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from app.lessons import lesson_names

ROOT = Path(__file__).resolve().parents[2]


def test_the_lessons_menu_lists_every_lesson_after_the_start_page(open_window):
    window = open_window()
    texts = [a.text() for a in window.lessons_menu.actions() if not a.isSeparator()]
    assert texts[0] == "&Start Page\u2026"
    assert texts[1:] == [lesson.title for lesson in window.lessons_catalog]
    assert len(texts) - 1 == len(lesson_names()) >= 10
    assert window.menu_actions.lessons.shortcut().toString() == "Ctrl+L"


def test_the_start_page_shows_a_card_per_lesson_and_enter_starts_one(qtbot, open_window):
    window = open_window()
    window.menu_actions.lessons.trigger()
    gallery = window.lesson_gallery
    cards = gallery.cards
    assert cards.count() == len(lesson_names())
    for row in range(cards.count()):
        item = cards.item(row)
        assert not item.icon().isNull()  # its thumbnail, from the files shipped
        title, summary = item.text().split("\n")
        assert title and summary and summary in item.toolTip()
    qtbot.keyClick(cards, Qt.Key.Key_Right)
    qtbot.keyClick(cards, Qt.Key.Key_Return)
    assert window.lessons.lesson.name == lesson_names()[1]
    assert window.lesson_dock.isVisible()
    assert window.lesson_panel.title.text() == window.lessons.lesson.title


def test_the_start_page_remembers_whether_it_shows_at_start(qtbot, open_window):
    window = open_window()
    assert window.shows_lessons_at_start()
    window.menu_actions.lessons.trigger()
    window.lesson_gallery.show_at_start.setChecked(False)
    window.lesson_gallery.reject()
    assert not window.shows_lessons_at_start()


def test_next_lesson_restart_and_close(qtbot, open_window):
    window = open_window()
    start(window, "xor_needs_a_hidden_layer")
    window.document.insert_layer(0, "Linear")  # an edit the restart takes back
    window.document.undo_stack.setClean()
    window.lesson_panel.restart_button.click()
    assert [layer.kind for layer in window.document.model.layers] == ["Linear"]
    window.lesson_panel.next_button.click()
    assert window.lessons.lesson.name == lesson_names()[1]
    window.lesson_panel.close_button.click()
    assert window.lessons.lesson is None and not window.lesson_dock.isVisible()
    assert window.document.experiment.title == window.lessons_catalog[1].title  # it stays


def test_the_lessons_are_locked_while_training(qtbot, open_window):
    window = open_window()
    window.run_panel.train_action.trigger()
    assert not window.lessons_menu.isEnabled()
    qtbot.waitUntil(lambda: window.controller.state == "finished", timeout=60_000)
    assert window.lessons_menu.isEnabled()


def screenshot(*options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", "screenshot", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_lesson_screenshot_from_the_command_line(tmp_path):
    out = tmp_path / "lesson.png"
    result = screenshot(str(out), "--lesson", "vanishing_gradients", "--size", "1280x720")
    assert result.returncode == 0, result.stderr
    assert QImage(str(out)).size().toTuple() == (1280, 720)
    wrong = screenshot(str(out), "--lesson", "xor")
    assert wrong.returncode == 2
    assert "there is no lesson 'xor'" in wrong.stderr and "vanishing_gradients" in wrong.stderr
