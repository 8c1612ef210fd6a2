"""RunControlsWidget: what each run state enables, why Train is blocked (with a Download), what
Train will do, the progress text at any width, long messages that wrap, the run's numbers and
the pace."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon

from app.progress import Rate
from app.reports import EpochReport
from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from app.run_status import COMPLETED, DIVERGED, TRAINING, RunStatus
from app.run_status import PAUSED as PAUSED_PHASE
from widgets.run_controls import RunControlsWidget

VERBS = ("train", "step", "stop", "reset")
LONG = (
    "The loss became NaN at step 523 (epoch 3). The learning rate 100 is likely too high; "
    "try 10. The weights after step 522 are kept."
)


@pytest.fixture
def controls(qtbot, english_numbers) -> RunControlsWidget:
    actions = {name: QAction(name.title()) for name in VERBS}
    widget = RunControlsWidget(actions, {"train": QIcon(), "pause": QIcon()})
    qtbot.addWidget(widget)
    widget.resize(900, 160)
    widget.show()
    return widget


def enabled(controls: RunControlsWidget) -> dict[str, bool]:
    return {name: controls.actions[name].isEnabled() for name in VERBS}


def bar_text_fits(controls: RunControlsWidget) -> bool:
    bar = controls.progress
    return bar.fontMetrics().horizontalAdvance(bar.format()) <= bar.width()


def training(steps_done: int = 1000, epoch: int = 1, **changes: object) -> RunStatus:
    return RunStatus(TRAINING, steps_done, epoch, total_steps=2000, epochs=4, **changes)


def test_each_state_enables_what_it_allows(controls):
    assert enabled(controls) == {"train": True, "step": True, "stop": False, "reset": False}
    assert controls.progress.format() == "Ready: press Train (Space)"
    controls.set_state(RUNNING)
    assert controls.actions["train"].text() == "Pause"
    assert enabled(controls) == {"train": True, "step": True, "stop": True, "reset": False}
    controls.set_state(PAUSED)
    assert controls.actions["train"].text() == "Resume"
    assert enabled(controls)["reset"]
    controls.set_state(FINISHED)
    assert controls.actions["train"].text() == "Train"
    assert "seed" in controls.actions["train"].toolTip()
    assert enabled(controls) == {"train": True, "step": True, "stop": False, "reset": True}


def test_train_says_it_continues_when_it_will(controls):
    controls.set_state(FINISHED, continue_epochs=4)
    train = controls.actions["train"]
    assert train.text() == "Continue"
    assert train.toolTip() == "Continue from the current weights for 4 more epochs (Space)"
    controls.set_state(FINISHED, continue_epochs=1)
    assert train.toolTip() == "Continue from the current weights for 1 more epoch (Space)"
    controls.set_state(RUNNING, continue_epochs=4)  # a running run pauses, whatever comes next
    assert train.text() == "Pause"


def test_a_blocked_train_says_why_and_offers_the_download_beside_it(controls, qtbot):
    reason = "The MNIST files are not in /data/MNIST/raw. Download them (11 MB)."
    controls.set_state(IDLE, reason, download="Download MNIST (11 MB) into /data.")
    assert not controls.actions["train"].isEnabled() and not controls.actions["step"].isEnabled()
    assert controls.blocked.isVisible() and not controls.progress.isVisible()
    assert controls.blocked.text() == reason and controls.blocked.wordWrap()
    assert controls.actions["train"].toolTip() == reason
    assert controls.download.isVisible() and "11 MB" in controls.download.toolTip()
    with qtbot.waitSignal(controls.downloadClicked):
        qtbot.mouseClick(controls.download, Qt.MouseButton.LeftButton)
    controls.set_state(IDLE, "Fix the model to train: layer 2 expects 64 inputs")
    assert controls.blocked.isVisible() and not controls.download.isVisible()
    controls.set_state(IDLE)
    assert not controls.blocked.isVisible() and controls.progress.isVisible()
    assert not controls.download.isVisible()


def test_progress_names_epoch_step_speed_and_time_left(controls):
    controls.show_status(training(), Rate(200.0, 12_345.6), 5.0)
    text = controls.progress.format()
    assert "Epoch 2/4" in text and "step 1,000/2,000" in text
    assert "12,346 samples/s" in text and "0:05 left" in text
    assert controls.progress.value() == 1000 and controls.progress.maximum() == 2000
    assert controls.status_text() == "Training"
    controls.show_status(training(100, 0), None, float("inf"))  # under a second measured
    assert "measuring the speed" in controls.progress.format()
    assert "samples/s" not in controls.progress.format()
    controls.show_status(training(), Rate(2.0, 128.0), 4000.0)
    assert "1:06:40 left" in controls.progress.format()


def test_a_continued_run_counts_on_like_the_plots_and_the_readouts(controls):
    status = training(1500, 5, first_step=1000, first_epoch=4)
    controls.show_status(status, Rate(200.0, 12_800.0), 7.5)
    assert "Epoch 6/8" in controls.progress.toolTip()
    assert "step 1,500/3,000" in controls.progress.toolTip()
    assert (controls.progress.value(), controls.progress.maximum()) == (1500, 3000)


def test_paused_says_so_and_shows_no_speed(controls):
    status = RunStatus(PAUSED_PHASE, 1234, 1, total_steps=2000, epochs=4)
    controls.show_status(status, Rate(200.0, 12_800.0), 3.8)
    assert controls.progress.format().startswith("Paused at step 1,234")
    assert "samples/s" not in controls.progress.format()
    assert controls.status_text() == "Paused at step 1,234"


def test_a_long_message_is_one_line_under_a_short_bar_text_and_whole_in_its_tooltip(controls):
    controls.show_status(
        RunStatus(DIVERGED, 523, 2, total_steps=2000, epochs=4, message=LONG), None, 0.0
    )
    assert controls.progress.format() == "Diverged at step 523"
    assert controls.status_text() == "Diverged at step 523"
    note = controls.note
    assert note.isVisible() and note.toolTip() == LONG
    one_line = note.sizeHint().height()
    controls.resize(300, 300)  # narrow: the line keeps its height and shows what fits
    assert note.sizeHint().height() == one_line
    assert note.fontMetrics().horizontalAdvance(note.text()) <= note.contentsRect().width()
    assert note.text().endswith("\u2026") and note.toolTip() == LONG
    assert bar_text_fits(controls)


def test_a_warning_after_a_completed_run_is_shown(controls):
    warning = "The loss grew from 0.69 to 8e+07 during the run: the learning rate 50 is too high."
    status = RunStatus(COMPLETED, 2000, 3, total_steps=2000, epochs=4, epochs_done=4)
    controls.show_status(status, None, 0.0)
    assert controls.progress.format() == "Finished at step 2,000 (4 epochs)"
    controls.show_status(
        RunStatus(COMPLETED, 2000, 3, 0, 0, 2000, 4, 4, "Finished.", warning), None, 0.0
    )
    assert "with a warning" in controls.progress.format()
    assert warning in controls.note.toolTip() and controls.note.isVisible()


@pytest.mark.parametrize("width", [900, 420, 260, 160])
def test_the_bar_text_always_fits(controls, width):
    controls.resize(width, 200)
    for status, rate in (
        (training(), Rate(200.0, 12_345.6)),
        (RunStatus(PAUSED_PHASE, 1234, 1, total_steps=2000, epochs=4), None),
        (RunStatus(COMPLETED, 2000, 3, total_steps=2000, epochs=4, epochs_done=4), None),
    ):
        controls.show_status(status, rate, 5.0)
        assert bar_text_fits(controls), controls.progress.format()
        assert controls.progress.toolTip().startswith(controls.progress.format()[:5])


def test_the_run_numbers(controls):
    best = EpochReport(3, 300, 0.4, 0.5, val_accuracy=0.875)
    controls.show_readouts(1234, 0.345678, 0.3, best, "classification")
    text = controls.readouts.toolTip()  # the whole line (the label shows what fits)
    assert controls.readouts.isVisible()
    assert "Step 1,234" in text and "0.3457 (smoothed)" in text and "0.3 (last step)" in text
    assert "best validation accuracy 87.5% (epoch 3)" in text
    best = EpochReport(2, 200, 0.4, 0.5, val_rmse=0.1234, val_r2=0.9)
    controls.show_readouts(200, 0.5, 0.5, best, "regression")
    assert "best validation RMSE 0.1234 (epoch 2)" in controls.readouts.toolTip()
    controls.show_readouts(5, 0.5, float("nan"), None, "regression")  # no validation yet
    shown = controls.readouts.toolTip()
    assert "best" not in shown and "? (last step)" in shown
    controls.clear_readouts()
    assert not controls.readouts.isVisible()


def test_the_pace_is_chosen_in_the_controls(controls, qtbot):
    assert controls.pace.currentText() == "Full speed" and controls.pace_value() is None
    assert "watch" in controls.pace.toolTip()
    index = controls.pace.findText("20 steps/s")
    with qtbot.waitSignal(controls.paceChanged) as chosen:
        controls.pace.setCurrentIndex(index)
    assert chosen.args == [20.0] and controls.pace_value() == 20.0
    with qtbot.waitSignal(controls.paceChanged) as chosen:
        controls.pace.setCurrentIndex(0)
    assert chosen.args == [None]
    with qtbot.assertNotEmitted(controls.paceChanged):
        controls.set_pace(5.0)
    assert controls.pace.currentText() == "5 steps/s"


def test_the_numbers_do_not_make_the_plots_below_jump(controls, qtbot):
    best = EpochReport(3, 300, 0.4, 0.5, val_accuracy=0.875)
    controls.resize(560, 300)
    readouts = controls.readouts
    controls.show_readouts(1234, 0.345678, 0.3, best, "classification")
    qtbot.waitUntil(lambda: 300 < readouts.width() <= 560)  # laid out in the narrow widget
    height = controls.sizeHint().height()
    for width in (560, 320, 900):
        controls.resize(width, 300)
        for steps, last in ((1234, 0.3), (1235, 0.5)):
            controls.show_readouts(steps, 0.345678, last, best if last < 0.5 else None, "x")
            assert controls.sizeHint().height() == height  # one line, whatever it says
            shown = readouts.fontMetrics().horizontalAdvance(readouts.text())
            assert shown <= readouts.contentsRect().width()  # never cut by the edge
            assert f"Step {steps:,}" in readouts.text()
