"""The Runs tab: every run kept with its settings and curves, renamed and deleted from the
keyboard, kept next to the experiment file across a restart, and exported for a handout."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QLineEdit

from app.gui.main_window import MainWindow
from app.run_archive import archive_path


def small(window) -> None:
    experiment = window.document.experiment
    window.document.edit_data(replace(experiment.data, samples=300), "small")
    window.document.edit_train(replace(window.document.experiment.train, epochs=3), "epochs")


def train(qtbot, window, **changes) -> None:
    runs = len(window.runs.archive.records)
    if changes:
        train_config = replace(window.document.experiment.train, **changes)
        window.document.edit_train(train_config, "train")
    window.run_panel.reset_action.trigger()
    window.run_panel.train_action.trigger()
    qtbot.waitUntil(lambda: len(window.runs.archive.records) > runs, timeout=60_000)
    qtbot.waitUntil(lambda: window.controller.state == "finished", timeout=10_000)


def test_two_runs_are_compared_with_what_differed(qtbot, open_window):
    window = open_window()
    small(window)
    train(qtbot, window, learning_rate=0.1)
    train(qtbot, window, learning_rate=0.01)
    runs = window.run_panel.runs
    assert [runs.list.item(i).text() for i in range(2)] == ["Run 1", "Run 2"]
    assert "lr 0.1" in runs.list.item(0).toolTip()
    window.run_panel.show_tab("runs")
    runs.list.setFocus()
    qtbot.keyClick(runs.list, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert runs.selected() == [0, 1]
    assert runs.labels == ["lr 0.1", "lr 0.01"]
    assert "lr 0.1" in runs.legend.text() and "lr 0.01" in runs.legend.text()
    assert runs.table.rowCount() == 2 and runs.table.item(1, 1).text() == "lr 0.01"
    assert runs.table.item(0, 6).text() == "12"  # 3 epochs of 4 steps (240 points, batch 64)
    assert len(runs.loss_plot.listDataItems()) == 2


def test_rename_with_f2_and_delete_with_the_delete_key(qtbot, open_window):
    window = open_window()
    small(window)
    train(qtbot, window)
    train(qtbot, window, seed=1)
    runs = window.run_panel.runs
    window.run_panel.show_tab("runs")
    runs.list.setFocus()
    runs.list.setCurrentRow(0)
    qtbot.keyClick(runs.list, Qt.Key.Key_F2)
    editor = runs.list.findChild(QLineEdit)  # F2 opened it on the current run
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Seed zero")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the edit is committed at the next turn
    qtbot.waitUntil(lambda: window.runs.archive.records[0].name == "Seed zero", timeout=5_000)
    runs.list.setFocus()
    qtbot.keyClick(runs.list, Qt.Key.Key_Down)  # the second run alone
    qtbot.keyClick(runs.list, Qt.Key.Key_Delete)
    assert [record.name for record in window.runs.archive.records] == ["Seed zero"]


def test_runs_are_kept_next_to_the_file_and_come_back_after_a_restart(
    qtbot, open_window, settings, tmp_path, monkeypatch
):
    window = open_window()
    small(window)
    path = tmp_path / "moons.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    window.files.save_as()
    train(qtbot, window)
    assert archive_path(path).is_file()
    record = window.runs.archive.records[0]

    again = MainWindow(settings)
    try:
        again.files.open_file(path)
        assert again.runs.archive.records == [record]
        assert again.run_panel.runs.list.count() == 1
    finally:
        again.close()
        again.deleteLater()


def test_a_broken_runs_file_still_opens_the_experiment(qtbot, open_window, tmp_path):
    window = open_window()
    path = tmp_path / "moons.json"
    window.files.write(path)
    archive_path(path).write_text("{ not json", encoding="utf-8")
    messages = []
    window.runs.message.connect(messages.append)
    window.files.open_file(path)
    assert window.document.path == path and window.runs.archive.records == []
    assert messages and "could not be read" in messages[0]


def test_the_comparison_exports_as_png_and_csv(qtbot, open_window, tmp_path, monkeypatch):
    window = open_window()
    small(window)
    train(qtbot, window, batch_size=32)
    train(qtbot, window, batch_size=128)
    runs = window.run_panel.runs
    window.run_panel.show_tab("runs")
    runs.list.selectAll()
    png, table = tmp_path / "comparison.png", tmp_path / "comparison.csv"
    answers = iter([(str(png), ""), (str(table), "")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: next(answers))
    runs.png_button.click()
    runs.csv_button.click()
    assert not QImage(str(png)).isNull()
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert [row["label"] for row in rows] == ["batch 32", "batch 128"]
    assert [int(row["steps"]) for row in rows] == [24, 6]
    assert all(0 <= float(row["score"]) <= 1 for row in rows)
