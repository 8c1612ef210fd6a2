"""The run panel tells the truth, through real runs in the window: the run's phase in words
(Starting, Training, Paused, Stopped, Finished), its numbers, Continue, the pace, the keys,
and a Train blocked by missing image files with a Download beside it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from app.datasets.vision import VISION_DATASETS
from app.reports import EpochReport, RunFinished, StepsReport
from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from tests.app.test_training_images import mnist_experiment
from tests.gui.test_training_window import small_run_window, wait_state
from tests.vision_files import point_downloads_at, serve_folder, write_mnist_family

TIMEOUT = 60_000


@pytest.fixture
def window(open_window, english_numbers):
    return small_run_window(open_window)


def steps_done(window) -> int:
    reports = [r for r in window.reports if isinstance(r, StepsReport)]
    return reports[-1].steps_done if reports else 0


def long_run(window, epochs: int = 500) -> None:
    window.document.edit_train(replace(window.document.experiment.train, epochs=epochs), "long")


def test_the_phase_is_told_from_starting_to_finished(qtbot, window):
    panel = window.run_panel
    seen: list[str] = []
    window.controller.reportReceived.connect(lambda _r: seen.append(panel.state_label.text()))
    assert panel.state_label.text() == "Not training"
    panel.train_action.trigger()
    assert panel.state_label.text() == "Starting\u2026"
    assert panel.controls.progress.toolTip().startswith("Starting: ")
    wait_state(qtbot, window, FINISHED)
    assert "Training" in seen
    assert panel.state_label.text() == "Finished"
    assert panel.controls.progress.format().startswith("Finished 4 epochs (20 steps)")
    finished = [r for r in window.reports if isinstance(r, RunFinished)][-1]
    assert "validation accuracy" in finished.message
    assert panel.controls.progress.toolTip() == finished.message  # whole, shown if it fits
    assert not panel.controls.note.isVisible()  # nothing went wrong: no second line


def test_the_run_numbers_are_shown_as_they_come(qtbot, window):
    panel = window.run_panel
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    text = panel.controls.readouts.toolTip()  # the whole line
    history = window.controller.history
    smoothed = history.smoothed(panel.loss_plot.smoothing())[-1]
    assert "Step 20" in text
    assert f"loss {smoothed:.4g} (smoothed)" in text
    assert f"{history.step_losses()[-1]:.4g} (last step)" in text
    epochs = [r for r in window.reports if isinstance(r, EpochReport)]
    best = max(epochs, key=lambda e: (e.val_accuracy, -e.epoch))
    shown = re.search(r"best validation accuracy ([\d.]+)% \(epoch (\d+)\)", text)
    assert shown and int(shown[2]) == best.epoch
    assert float(shown[1]) == pytest.approx(100 * best.val_accuracy, abs=0.051)  # one decimal
    panel.reset_action.trigger()  # the weights are gone: so are their numbers
    assert not panel.controls.readouts.isVisible()
    assert panel.state_label.text() == "Not training"


def test_paused_says_paused_without_a_speed_and_step_and_stop_say_where(qtbot, window):
    panel, bar = window.run_panel, window.run_panel.controls.progress
    long_run(window)
    panel.train_action.trigger()
    qtbot.waitUntil(lambda: panel.state_label.text() == "Training", timeout=TIMEOUT)
    panel.train_action.trigger()  # pause
    wait_state(qtbot, window, PAUSED)
    at = steps_done(window)
    assert panel.state_label.text() == f"Paused at step {at:,}"
    assert bar.format().startswith(f"Paused at step {at:,}") and "samples/s" not in bar.format()
    panel.step_action.trigger()
    qtbot.waitUntil(lambda: steps_done(window) == at + 1, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: panel.state_label.text() == f"Paused at step {at + 1:,}")
    assert window.controller.state == PAUSED and "samples/s" not in bar.format()
    panel.train_action.trigger()  # resume
    assert panel.state_label.text() == "Training"
    panel.stop_action.trigger()
    wait_state(qtbot, window, FINISHED)
    stopped = steps_done(window)
    assert panel.state_label.text() == f"Stopped at step {stopped:,}"
    assert bar.format().startswith(f"Stopped at step {stopped:,}")


def test_the_keys_train_pause_step_resume_stop_and_reset(qtbot, window):
    panel, controller = window.run_panel, window.controller
    long_run(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    target = panel.controls

    def key(name: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(target, name, modifier)

    key(Qt.Key.Key_Space)
    assert controller.state == RUNNING
    qtbot.waitUntil(lambda: steps_done(window) > 0, timeout=TIMEOUT)
    key(Qt.Key.Key_Space)
    wait_state(qtbot, window, PAUSED)
    at = steps_done(window)
    key(Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: steps_done(window) == at + 1, timeout=TIMEOUT)
    key(Qt.Key.Key_Space)
    assert controller.state == RUNNING
    key(Qt.Key.Key_Escape)
    wait_state(qtbot, window, FINISHED)
    assert [r for r in window.reports if isinstance(r, RunFinished)][-1].reason == "stopped"
    key(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert controller.state == IDLE and not controller.has_weights
    key(Qt.Key.Key_Space)
    assert controller.state == RUNNING
    key(Qt.Key.Key_Escape)
    wait_state(qtbot, window, FINISHED)


def test_train_after_a_run_continues_and_says_so(qtbot, window):
    panel = window.run_panel
    assert "seed" in panel.reset_action.toolTip()
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    assert window.controller.can_continue(window.document.experiment)
    assert panel.train_action.text() == "Continue"
    assert panel.train_action.toolTip() == (
        "Continue from the current weights for 4 more epochs (Space)"
    )
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    bar = panel.controls.progress
    assert bar.value() == bar.maximum() == 40  # counted on, as the plots count
    assert bar.toolTip().startswith("Finished 4 more epochs (20 steps; 8 epochs in all)")
    assert window.controller.history.point_count() == 40  # the first run's curve goes on
    panel.reset_action.trigger()
    assert panel.train_action.text() == "Train"


def test_a_pace_chosen_holds_the_run_to_it(qtbot, window):
    panel = window.run_panel
    long_run(window)
    pace = panel.controls.pace
    chosen = []
    panel.paceChanged.connect(chosen.append)
    pace.setCurrentIndex(pace.findText("20 steps/s"))
    assert chosen == [20.0] and window.controller.pace == 20.0
    panel.train_action.trigger()
    qtbot.waitUntil(lambda: steps_done(window) >= 2, timeout=TIMEOUT)
    assert window.controller.control.pace == 20.0  # the running engine was told (the wait
    # itself is tested without clocks in tests/app/test_pace.py)
    panel.stop_action.trigger()
    wait_state(qtbot, window, FINISHED)
    pace.setCurrentIndex(pace.findText("Full speed"))
    assert window.controller.pace is None


def test_a_run_that_completes_with_an_exploding_loss_warns(qtbot, open_window):
    window = open_window()  # the two-moons example: Adam at learning rate 50 explodes
    train = replace(window.document.experiment.train, learning_rate=50.0, epochs=5)
    window.document.edit_train(train, "lr")
    window.run_panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    finished = [r for r in window.reports if isinstance(r, RunFinished)][-1]
    assert finished.reason == "completed" and finished.warning
    controls = window.run_panel.controls
    assert controls.progress.format().endswith("with a warning")
    assert finished.warning in controls.note.toolTip() and controls.note.isVisible()
    qtbot.waitUntil(lambda: window.error_box is not None, timeout=10_000)
    assert window.error_box.text() == finished.warning  # shown once, as a problem
    window.error_box.close()


def panel_texts(window) -> list[str]:
    labels = window.run_panel.findChildren(QLabel)
    actions = window.run_panel.actions_in_order
    return [w.text() for w in labels] + [a.toolTip() for a in actions]


def test_missing_image_files_block_train_with_a_download_beside_it(
    qtbot, open_window, tmp_path, monkeypatch
):
    window = open_window(mnist_experiment(epochs=1))
    window.set_data_root(str(tmp_path / "data"))
    panel, controls = window.run_panel, window.run_panel.controls
    folder = tmp_path / "data" / "MNIST" / "raw"
    missing = f"The {VISION_DATASETS['mnist'].title} files are not in {folder}."
    qtbot.waitUntil(lambda: controls.blocked.text().startswith(missing), timeout=10_000)
    assert not panel.train_action.isEnabled() and not panel.step_action.isEnabled()
    assert controls.blocked.isVisible() and controls.download.isVisible()
    assert not any("--download" in text for text in panel_texts(window))
    # Files put there by hand unblock Train.
    write_mnist_family(tmp_path / "data", train=60, test=20)
    qtbot.waitUntil(panel.train_action.isEnabled, timeout=10_000)
    assert not controls.blocked.isVisible() and not controls.download.isVisible()
    # Another data folder, without the files: blocked again.
    window.set_data_root(str(tmp_path / "elsewhere"))
    qtbot.waitUntil(lambda: not panel.train_action.isEnabled(), timeout=10_000)
    assert str(tmp_path / "elsewhere" / "MNIST" / "raw") in controls.blocked.text()
    # The Download beside it fetches them, shown in the Data panel; then Train can start.
    served = write_mnist_family(tmp_path / "served", train=60, test=20, gz=True)
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        with qtbot.waitSignal(window.controller.downloadFinished, timeout=TIMEOUT):
            qtbot.mouseClick(controls.download, Qt.MouseButton.LeftButton)
            assert window.image_data.files.downloading == "mnist"
    qtbot.waitUntil(panel.train_action.isEnabled, timeout=10_000)
    panel.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == FINISHED, timeout=TIMEOUT)
    assert window.error_box is None


def test_opening_another_file_never_continues_the_old_weights(qtbot, window, tmp_path):
    panel = window.run_panel
    saved = tmp_path / "same.json"
    saved.write_text(window.document.experiment.to_json())  # the same model, data and seed
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    assert panel.train_action.text() == "Continue"
    assert window.menu_actions.export_weights.isEnabled()
    window.files.open_file(saved)
    assert panel.train_action.text() == "Train"  # a fresh start from the file's own seed
    assert not window.menu_actions.export_weights.isEnabled()  # no weights of this file yet
    assert not window.controller.can_continue(window.document.experiment)
