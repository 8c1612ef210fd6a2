"""RunControlsWidget: what each run state enables, why Train is blocked, and the progress text."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QIcon

from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from widgets.run_controls import RunControlsWidget

VERBS = ("train", "step", "stop", "reset")


@pytest.fixture
def controls(qtbot) -> RunControlsWidget:
    actions = {name: QAction(name.title()) for name in VERBS}
    widget = RunControlsWidget(actions, {"train": QIcon(), "pause": QIcon()})
    qtbot.addWidget(widget)
    widget.show()
    return widget


def enabled(controls: RunControlsWidget) -> dict[str, bool]:
    return {name: controls.actions[name].isEnabled() for name in VERBS}


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
    assert enabled(controls) == {"train": True, "step": True, "stop": False, "reset": True}


def test_a_blocked_train_says_why(controls):
    controls.set_state(IDLE, "Fix the model to train: layer 2 expects 64 inputs")
    assert not controls.actions["train"].isEnabled() and not controls.actions["step"].isEnabled()
    assert controls.blocked.isVisible() and not controls.progress.isVisible()
    assert controls.actions["train"].toolTip().startswith("Fix the model")
    controls.set_state(IDLE)
    assert not controls.blocked.isVisible() and controls.progress.isVisible()


def test_progress_names_epoch_step_speed_and_time_left(controls):
    controls.start(total_steps=2000, epochs=4)
    assert controls.progress.format() == "Starting…"
    controls.show_progress(1000, 1, 12345.6, 10.0)
    text = controls.progress.format()
    assert "Epoch 2/4" in text and "step 1,000/2,000" in text
    assert "12,346 samples/s" in text and "0:10 left" in text
    assert controls.progress.value() == 1000
    controls.show_progress(0, 0, float("nan"), 0.0)  # nothing measured yet
    assert "? samples/s" in controls.progress.format() and "? left" in controls.progress.format()
    controls.show_finished("Finished 4 epochs")
    assert controls.progress.format() == "Finished 4 epochs"
