"""Locked controls: a teacher locks or hides panels and single settings from the Lessons
menu, saves them into the file; a student who opens it finds them locked, and a locked
control says why when it is clicked; the teacher unlocks from the menu."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QFileDialog

from app.classroom import Locks
from app.experiment import Experiment


def locked(window, **changes) -> Experiment:
    """The window's experiment with `changes` to its locks, saved as the file a student opens."""
    return replace(window.document.experiment, locks=replace(Locks(), **changes))


def choose_locks(qtbot, window, panels: dict, fields: tuple = (), reason: str = "") -> None:
    """Lessons > Lock Controls, filled in and accepted."""
    window.menu_actions.lock_controls.trigger()
    dialog = window.lock_dialog
    qtbot.waitUntil(dialog.isVisible)
    for name, state in panels.items():
        box = dialog.panels[name]
        box.setCurrentIndex(box.findData(state))
    for name in fields:
        dialog.fields[name].setChecked(True)
    dialog.reason.setText(reason)
    dialog.accept()


def test_a_teacher_locks_the_optimizer_saves_and_the_student_finds_it_locked(
    qtbot, open_window, tmp_path, monkeypatch
):
    teacher = open_window()
    why = "This lesson is about the learning rate."
    choose_locks(qtbot, teacher, {"data": "locked"}, ("optimizer", "batch_size"), why)
    panel = teacher.training_panel
    assert not panel.editors("optimizer")[0].isEnabled()
    assert panel.editors("learning_rate")[0].isEnabled()
    assert not teacher.dataset_panel.isEnabled()
    path = tmp_path / "lesson.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    teacher.menu_actions.save_as.trigger()
    assert '"train.optimizer"' in path.read_text()

    student = open_window()
    student.files.open_file(path)
    optimizer = student.training_panel.editors("optimizer")[0]
    batch = student.training_panel.editors("batch_size")[0]
    assert not optimizer.isEnabled() and not batch.isEnabled()
    assert student.training_panel.editors("epochs")[0].isEnabled()
    assert not student.dataset_panel.isEnabled()
    qtbot.waitUntil(lambda: why in student.data_page.lock_text())
    qtbot.waitUntil(lambda: "Optimizer and Batch size" in student.training_page.lock_text())
    assert student.model_editor.isEnabled()

    qtbot.mouseClick(optimizer, Qt.MouseButton.LeftButton)
    assert "Optimizer is locked" in student.statusBar().currentMessage()
    assert why in student.statusBar().currentMessage()
    student.statusBar().clearMessage()
    dataset_choice = student.dataset_panel.findChildren(QComboBox)[0]
    qtbot.mouseClick(dataset_choice, Qt.MouseButton.LeftButton)
    assert "The data is locked" in student.statusBar().currentMessage()

    student.menu_actions.unlock_controls.trigger()
    assert optimizer.isEnabled() and student.dataset_panel.isEnabled()
    assert student.data_page.lock_text() == "" and student.training_page.lock_text() == ""
    assert not student.menu_actions.unlock_controls.isEnabled()
    student.menu_actions.undo.trigger()  # the unlock is one undo step
    assert not optimizer.isEnabled()


def test_a_locked_model_cannot_be_edited_from_the_menus_either(qtbot, open_window):
    window = open_window()
    window.document.replace(locked(window, locked=frozenset({"model"})), None)
    assert not window.model_editor.isEnabled() and not window.inspector.isEnabled()
    window.stack.select(0)
    assert not window.menu_actions.delete.isEnabled()
    assert not window.activations_menu.isEnabled()
    qtbot.waitUntil(lambda: "Locked in this experiment" in window.layers_page.lock_text())
    qtbot.mouseClick(window.stack, Qt.MouseButton.LeftButton)
    assert "The model is locked" in window.statusBar().currentMessage()
    assert "Unlock Controls" in window.statusBar().currentMessage()


def test_a_hidden_panel_stays_hidden_until_unlocked(qtbot, open_window):
    window = open_window()
    window.document.replace(locked(window, hidden=frozenset({"data", "code"})), None)
    assert window.data_dock.isHidden() and window.code_dock.isHidden()
    assert not window.data_dock.toggleViewAction().isEnabled()
    assert not window.menu_actions.code.isEnabled()
    window.menu_actions.reset_layout.trigger()  # putting every panel back keeps it hidden
    qtbot.waitUntil(window.data_dock.isHidden)
    window.presentation.set_enabled(True)
    window.presentation.set_enabled(False)
    qtbot.waitUntil(window.data_dock.isHidden)

    window.menu_actions.unlock_controls.trigger()
    assert not window.data_dock.isHidden()
    assert window.data_dock.toggleViewAction().isEnabled() and window.menu_actions.code.isEnabled()


def test_training_locks_the_panel_and_unlocks_it_after(qtbot, open_window):
    window = open_window()
    window.document.replace(locked(window, locked=frozenset({"train.learning_rate"})), None)
    rate = window.training_panel.editors("learning_rate")[0]
    epochs = window.training_panel.editors("epochs")[0]
    window.document.edit_data(replace(window.document.experiment.data, samples=200), "small")
    window.document.edit_train(replace(window.document.experiment.train, epochs=2), "short")
    window.run_panel.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "finished", timeout=60_000)
    assert not rate.isEnabled() and epochs.isEnabled()  # a run ending keeps the teacher's lock
    qtbot.waitUntil(lambda: "Learning rate" in window.training_page.lock_text())


def test_the_lock_dialog_shows_the_locks_and_cancel_changes_nothing(qtbot, open_window):
    window = open_window()
    experiment = locked(window, locked=frozenset({"training"}), reason="Only the model.")
    window.document.replace(experiment, None)
    window.menu_actions.lock_controls.trigger()
    dialog = window.lock_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.panels["training"].currentData() == "locked"
    assert dialog.reason.text() == "Only the model."
    assert not dialog.fields["learning_rate"].isEnabled()  # the whole panel is locked
    assert dialog.locks() == experiment.locks
    dialog.done(QDialog.DialogCode.Rejected)
    assert window.document.experiment.locks == experiment.locks
    assert not window.document.modified


def test_a_teachers_lock_is_not_lifted_by_stop_and_lock_controls_stays_reachable(
    qtbot, open_window
):
    window = open_window()
    locks = dict(locked=frozenset({"training"}), reason="Only the model changes.")
    window.document.replace(locked(window, **locks), None)
    window.document.edit_data(replace(window.document.experiment.data, samples=200), "small")
    window.run_panel.train_action.trigger()
    window.run_panel.train_action.trigger()  # pause
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=60_000)
    qtbot.waitUntil(lambda: "Locked while training" in window.data_page.lock_text())
    assert "Only the model changes." in window.training_page.lock_text()  # not "press Stop"
    assert window.menu_actions.lock_controls.isEnabled()
    assert window.menu_actions.unlock_controls.isEnabled()
    window.run_panel.stop_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "finished", timeout=60_000)
    assert not window.training_panel.isEnabled()


def test_locking_the_model_locks_the_data_in_the_dialog_too(qtbot, open_window):
    window = open_window()
    choose_locks(qtbot, window, {"model": "locked"})
    assert window.document.experiment.locks.locked == {"model", "data"}
    assert not window.dataset_panel.isEnabled()


def test_another_file_opened_ends_the_lesson_and_is_saved_without_it(
    qtbot, open_window, tmp_path, monkeypatch
):
    window = open_window()
    path = tmp_path / "mine.json"
    path.write_text(window.document.experiment.to_json())
    window.menu_actions.lessons.trigger()
    window.lesson_gallery.accept()
    assert window.lessons.lesson is not None
    window.files.open_file(path)
    assert window.lessons.lesson is None and window.lesson_dock.isHidden()
    window.document.edit_train(replace(window.document.experiment.train, epochs=3), "edit")
    window.menu_actions.save.trigger()
    assert '"lesson"' not in path.read_text()
