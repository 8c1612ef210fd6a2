"""Lessons in the window: the menu, the start page's cards, the panel's buttons, and the
screenshot of a lesson from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lesson_play import done, look, start, train, wait_done
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from app.lessons import lesson_names

ROOT = Path(__file__).resolve().parents[2]


def test_the_lessons_menu_lists_every_lesson_after_the_start_page(open_window):
    window = open_window()
    texts = [a.text() for a in window.lessons_menu.actions() if not a.isSeparator()]
    assert texts[0] == "&Start Page\u2026"
    assert texts[1:3] == ["&Lock Controls\u2026", "&Unlock Controls"]
    assert texts[3:] == [lesson.title for lesson in window.lessons_catalog]
    assert len(texts) - 3 == len(lesson_names()) >= 10
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


def test_the_lessons_are_locked_while_training_and_the_locks_are_not(qtbot, open_window):
    window = open_window()
    lessons = [a for a in window.lessons_menu.actions() if a.text() in lesson_titles(window)]
    window.run_panel.train_action.trigger()
    assert not any(action.isEnabled() for action in lessons)
    assert not window.menu_actions.lessons.isEnabled()  # the start page replaces it too
    assert window.menu_actions.lock_controls.isEnabled()
    qtbot.waitUntil(lambda: window.controller.state == "finished", timeout=60_000)
    assert all(action.isEnabled() for action in lessons)
    assert window.menu_actions.lessons.isEnabled()


def lesson_titles(window) -> set[str]:
    return {lesson.title for lesson in window.lessons_catalog}


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


def test_a_lesson_saved_into_a_file_goes_on_from_its_step_when_opened(
    qtbot, open_window, tmp_path, monkeypatch
):
    window = open_window()
    start(window, "xor_needs_a_hidden_layer")
    train(qtbot, window)
    assert done(window) == 1
    path = tmp_path / "my_xor.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    window.menu_actions.save.trigger()
    assert '"step": 1' in path.read_text()

    again = open_window()
    again.files.open_file(path)
    assert again.lessons.lesson is not None
    assert again.lessons.lesson.name == "xor_needs_a_hidden_layer"
    assert again.lesson_dock.isVisible()
    assert done(again) == 1 and "straight" in look(again)
    again.document.insert_layer(0, "Linear")
    again.document.insert_layer(1, "ReLU")
    wait_done(qtbot, again, 2)  # the next step ticks as it would have before saving

    window.lessons.close()
    window.menu_actions.save.trigger()
    assert '"lesson"' not in path.read_text()  # a closed lesson is not saved


def test_a_file_saved_in_a_lesson_this_layerlab_lacks_opens_without_it(open_window, tmp_path):
    window = open_window()
    path = tmp_path / "old.json"
    data = window.document.experiment.to_dict()
    data["lesson"] = {"name": "a_lesson_from_elsewhere", "step": 2}
    path.write_text(json.dumps(data))
    assert window.files.open_file(path)
    assert window.lessons.lesson is None
    assert "a_lesson_from_elsewhere" in window.statusBar().currentMessage()
