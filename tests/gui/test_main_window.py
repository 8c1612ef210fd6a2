"""The main window driven like a user: build, fix, change data, undo, save, open, close."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox, QWidget

from app.datasets import DataConfig
from app.experiment import Experiment
from app.gui.files import DEFAULT_EXAMPLE, examples
from app.gui.main_window import MainWindow
from app.run_state import FINISHED

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(open_window):
    return open_window()


def kinds(window):
    return [layer.kind for layer in window.document.experiment.model.layers]


def field(panel: QWidget, label: str) -> QWidget:
    """The control the user finds beside `label` in a panel's form."""
    matches = [w for w in panel.findChildren(QLabel) if w.text() == label and w.buddy()]
    assert len(matches) == 1, label
    return matches[0].buddy()


def choose_file_in_next_dialog(path: Path) -> None:
    """Type `path` into the next file dialog that appears and accept it."""

    def choose():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, choose)
            return
        dialog.selectFile(str(path))
        dialog.accept()

    QTimer.singleShot(20, choose)


def answer_next_question(button: QMessageBox.StandardButton) -> list[str]:
    """Click `button` on the next message box that appears; returns the texts it showed."""
    seen: list[str] = []

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(20, click)
    return seen


def test_opens_with_the_two_moons_example_ready_to_train(window):
    assert window.document.experiment == Experiment.load(DEFAULT_EXAMPLE)
    assert window.document.inference.ok
    assert window.stack.tree.topLevelItemCount() == 5
    assert "model OK" in window.summary_label.text()
    assert "4,482 parameters" in window.summary_label.text()
    assert not window.isWindowModified()


def test_the_window_module_does_not_wait_for_torch():
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from app.gui.application import create_application\n"
        "from app.gui.main_window import MainWindow\n"
        "from PySide6.QtCore import QSettings\n"
        "app = create_application()\n"
        "w = MainWindow(QSettings('unused.ini', QSettings.Format.IniFormat)); w.show()\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "False", result.stderr


def test_add_reorder_edit_then_undo_to_the_exact_start_and_redo(window, qtbot):
    start = window.document.experiment
    window.stack.select(1)
    window.palette_widget.layerRequested.emit("Dropout")  # as a double-click does
    assert kinds(window) == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear"]
    assert window.stack.current_layer() == 2
    window.stack.tree.setFocus()
    qtbot.keyClick(window.stack.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert kinds(window)[1] == "Dropout" and window.stack.current_layer() == 1
    window.stack.select(0)
    layer = window.document.experiment.model.layers[0]
    window.inspector.layerEdited.emit(0, layer.with_params(out_features=32), "out_features")
    window.inspector.layerEdited.emit(0, layer.with_params(out_features=48), "out_features")
    assert window.stack.tree.topLevelItem(0).text(1) == "Linear 2 -> 48"
    assert window.document.undo_stack.count() == 3  # the two edits of one field merged
    assert window.isWindowModified()
    while window.menu_actions.undo.isEnabled():
        window.menu_actions.undo.trigger()
    assert window.document.experiment == start
    assert not window.isWindowModified()
    while window.menu_actions.redo.isEnabled():
        window.menu_actions.redo.trigger()
    assert kinds(window)[1] == "Dropout"
    assert window.document.experiment.model.layers[0].get("out_features") == 48


def test_model_keys_do_not_fire_while_another_panel_has_the_focus(window, qtbot):
    window.stack.select(1)
    window.data_dock.raise_()
    noise = field(window.dataset_panel, "Noise")
    noise.setFocus()
    qtbot.keyClick(noise, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(noise, Qt.Key.Key_Delete)
    assert kinds(window) == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


def test_typing_a_number_in_a_panel_reaches_the_experiment_as_typed(window, qtbot):
    window.data_dock.raise_()
    noise = field(window.dataset_panel, "Noise")
    noise.setFocus()
    noise.selectAll()
    qtbot.keyClicks(noise, "0.25")
    assert noise.text() == "0.25" or noise.value() == 0.25
    assert window.document.experiment.data.noise == 0.25
    window.menu_actions.undo.trigger()  # the whole typed number is one step
    assert window.document.experiment.data.noise == 0.1


def test_delete_and_duplicate_work_on_the_selection(window, qtbot):
    window.stack.select(1)
    window.stack.tree.setFocus()
    qtbot.keyClick(window.stack.tree, Qt.Key.Key_Delete)
    assert kinds(window) == ["Linear", "Linear", "ReLU", "Linear"]
    window.stack.select(0)
    window.menu_actions.duplicate.trigger()
    assert kinds(window) == ["Linear", "Linear", "Linear", "ReLU", "Linear"]
    assert window.stack.current_layer() == 1


def test_a_diagnostic_and_its_fix_action_on_the_row(window, qtbot):
    first = window.document.experiment.model.layers[2]
    window.inspector.layerEdited.emit(2, first.with_params(in_features=7), "in_features")
    assert "1 problem, at layer 2" in window.summary_label.text()
    button, auto = window.stack.fix_buttons(2)
    assert button.text() == "Set in_features to 64"
    assert auto.text() == "Set in_features to auto"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.document.experiment.model.layers[2].get("in_features") == 64
    assert window.document.inference.ok
    window.menu_actions.undo.trigger()
    assert window.document.experiment.model.layers[2].get("in_features") == 7


def test_changing_the_data_shows_what_no_longer_fits_and_the_fix(window, qtbot):
    panel = window.dataset_panel
    config = panel.config()
    panel.set_config(replace(config, name="blobs", classes=4))
    panel.dataChanged.emit(panel.config())
    assert window.document.experiment.data.name == "blobs"
    (error,) = window.document.inference.errors
    assert error.code == "output_mismatch"
    (button,) = window.stack.fix_buttons(error.layer)
    assert button.text() == "Set out_features of layer 4 to 4"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.document.inference.ok
    panel.set_config(replace(config, name="sine"))
    panel.dataChanged.emit(panel.config())
    assert window.document.experiment.model.input_shape == (1,)
    assert "regression" in window.stack.output_label.text()


def test_save_and_open_round_trip_with_recent_files(window, tmp_path):
    window.stack.select(0)
    window.menu_actions.delete.trigger()
    path = tmp_path / "mine.json"
    assert window.files.write(path)
    saved = window.document.experiment
    assert not window.isWindowModified() and window.windowTitle().startswith("mine.json")
    assert Experiment.load(path) == saved
    window.menu_actions.new.trigger()
    assert window.document.experiment == Experiment.blank()
    assert window.files.open_file(path)
    assert window.document.experiment == saved
    assert window.files.recent_files()[0] == path
    assert [a.text() for a in window.files.recent_menu.actions()] == ["mine.json"]


def test_a_file_whose_input_disagrees_with_its_data_opens_fitted_and_says_so(window, tmp_path):
    # Written by hand: an MLP for two inputs, with MNIST as its data.
    experiment = window.document.experiment.with_changes(data=DataConfig("mnist"))
    path = tmp_path / "hand-edited.json"
    path.write_text(experiment.to_json())
    assert Experiment.load(path).model.input_shape == (2,)
    assert window.files.open_file(path)
    assert window.document.experiment.model.input_shape == (1, 28, 28)
    assert window.isWindowModified()
    assert "now follows the data" in window.statusBar().currentMessage()
    assert window.menu_actions.undo.text() == "&Undo Fit the model's input to the data"
    window.menu_actions.undo.trigger()
    assert window.document.experiment == Experiment.load(path) and not window.isWindowModified()
    window.document.undo_stack.setClean()


def test_a_bad_file_gives_one_sentence_and_keeps_the_work(window, tmp_path):
    window.stack.select(0)
    window.menu_actions.delete.trigger()
    before = window.document.experiment
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "layerlab-experiment", "version": 1, "model": 3}))
    assert not window.files.open_file(bad)
    text = window.error_box.text()
    assert text.startswith("LayerLab could not open this file: bad.json") and text.count(".") >= 1
    assert "\n" not in text and "Traceback" not in text
    window.error_box.close()
    assert window.document.experiment == before and window.isWindowModified()


def test_closing_with_unsaved_changes_asks_first(window, qtbot):
    window.stack.select(0)
    window.menu_actions.delete.trigger()
    shown = answer_next_question(QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert shown == ["Save the changes to this experiment first?"]
    assert window.isVisible() and window.isWindowModified()
    answer_next_question(QMessageBox.StandardButton.Discard)
    assert window.close()


def test_the_dock_layout_is_restored_next_time(qtbot, settings):
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    first.training_dock.close()  # its title bar's close button; View > Training undoes it
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first.data_dock)
    assert first.close()
    assert settings.value("window/geometry") is not None
    second = MainWindow(settings)
    qtbot.addWidget(second)
    second.show()
    assert second.training_dock.isHidden()
    assert second.dockWidgetArea(second.data_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert second.dockWidgetArea(second.inspector_dock) == Qt.DockWidgetArea.RightDockWidgetArea


def test_the_examples_menu_lists_every_example_by_title_with_its_description(window, qtbot):
    browse, separator, *entries = window.examples_menu.actions()
    assert separator.isSeparator()
    assert [action.text() for action in entries] == [e.title for e in examples()]
    assert len(entries) == len(list((ROOT / "resources" / "examples").glob("*.json")))
    for action, example in zip(entries, examples(), strict=True):
        assert action.statusTip() == example.description and example.description
    browse.trigger()  # the gallery, with each example's text, opens the chosen one
    qtbot.waitUntil(lambda: window.gallery.isVisible())
    window.gallery.reject()
    spirals = next(a for a in window.examples_menu.actions() if a.text().startswith("Spirals"))
    spirals.trigger()
    assert window.document.experiment.data.name == "spirals"
    assert window.document.path is None  # Save asks for a new name


def screenshot(out: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", "screenshot", str(out), *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_screenshot_renders_the_window_with_text_at_a_projectors_size(tmp_path):
    out = tmp_path / "shot.png"
    result = screenshot(out, "--size", "1280x720")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote {out} (1280x720)"
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    colours = {image.pixel(x, y) for x in range(0, 1280, 7) for y in range(0, 720, 7)}
    assert len(colours) > 50  # not blank: plots, icons and text
    # text renders: the menu bar row holds dark glyph pixels on a light background
    dark = sum(
        1
        for x in range(0, 300)
        for y in range(0, 24)
        if QImage.pixelColor(image, x, y).lightness() < 100
    )
    assert dark > 100


def test_a_screenshot_smaller_than_the_window_can_be_says_its_true_size(tmp_path):
    out = tmp_path / "small.png"
    result = screenshot(out, "--size", "640x400", "--resize-sequence", "1920x1080,1024x600")
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    width, height = image.width(), image.height()
    assert 640 < width <= 1024 and 400 < height <= 600
    expected = f"Wrote {out} ({width}x{height}, the smallest the window can be)"
    assert result.stdout.strip() == expected


def test_the_device_list_is_found_in_the_training_thread(window, qtbot):
    device = field(window.training_panel, "Device")
    with qtbot.waitSignal(window.controller.devicesFound, timeout=60_000):
        window.start_device_probe()
    assert device.currentData() == "cpu"
    assert device.currentText().startswith("CPU (") and "failed" not in device.currentText()


def test_export_metrics_writes_the_runs_epochs_as_csv(window, qtbot, tmp_path):
    experiment = window.document.experiment
    window.document.edit_data(replace(experiment.data, samples=400), "small")
    window.document.edit_train(replace(window.document.experiment.train, epochs=3), "epochs")
    with qtbot.waitSignal(
        window.controller.stateChanged, check_params_cb=lambda s: s == FINISHED, timeout=60_000
    ):
        window.run_panel.train_action.trigger()
    path = tmp_path / "metrics.csv"
    choose_file_in_next_dialog(path)
    window.menu_actions.export_metrics.trigger()
    lines = path.read_text().splitlines()
    assert lines[0].startswith("epoch,steps,train_loss,val_loss,val_accuracy")
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2", "3"]
    assert path.read_text() == window.controller.history.metrics_csv()


def test_exporting_weights_before_training_says_to_train_first(window, qtbot, tmp_path):
    assert not window.menu_actions.export_weights.isEnabled()
    with qtbot.waitSignal(window.controller.exported, timeout=60_000):
        window.exports.export_weights_to(tmp_path / "export")
    assert window.error_box.text() == "There are no trained weights yet: press Train first."
    assert not (tmp_path / "export").exists()
    window.error_box.close()


def test_a_file_named_on_the_command_line_opens_in_the_window(qtbot, settings):
    from app.gui.application import open_window

    path = ROOT / "resources" / "examples" / "xor.json"
    window = open_window(settings, path)
    try:
        assert window.document.path == path
        assert window.document.experiment == Experiment.load(path)
        assert window.windowTitle().startswith("xor.json")
    finally:
        window.close()
        window.deleteLater()


def test_every_plot_tab_can_be_brought_forward_by_name(window):
    from app.gui.run_panel import TAB_NAMES

    panel = window.run_panel
    shown = set()
    for name in TAB_NAMES:
        panel.show_tab(name)
        shown.add(panel.tabs.currentIndex())
    assert shown == set(range(panel.tabs.count()))
