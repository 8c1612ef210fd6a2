"""Training in the window: live plots, run controls, reset, locking, errors, export, closing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest

from app.datasets import DataConfig
from app.reports import RunFinished, StepsReport
from app.run_state import FINISHED, PAUSED, RUNNING


def small_run_window(open_window):
    """The two-moons example cut to 400 points and 4 epochs: a run of a second or two."""
    win = open_window()
    experiment = win.document.experiment
    win.document.edit_data(replace(experiment.data, samples=400), "small")
    win.document.edit_train(replace(win.document.experiment.train, epochs=4), "epochs")
    win.document.undo_stack.setClean()
    return win


@pytest.fixture
def window(open_window):
    return small_run_window(open_window)


def wait_state(qtbot, window, state):
    qtbot.waitUntil(lambda: window.controller.state == state, timeout=60_000)


def step_losses(window) -> np.ndarray:
    steps = [r.losses for r in window.reports if isinstance(r, StepsReport)]
    return np.concatenate([np.zeros(0), *steps])


def test_training_fills_every_plot(qtbot, window):
    panel = window.run_panel
    panel.train_action.trigger()
    assert window.controller.state == RUNNING
    wait_state(qtbot, window, FINISHED)
    for plot in (panel.loss_plot, panel.generalization, panel.histograms, panel.boundary):
        plot.redraw()
    steps = len(step_losses(window))
    assert steps == 4 * 5  # 320 training points, batch 64
    x = panel.loss_plot.raw_curve.xData  # all the data, not the part in view
    assert len(x) == steps and x[0] == 0
    assert len(panel.loss_plot.val_loss_curve.xData) == 4
    assert len(panel.loss_plot.metric_curve.xData) == 4
    assert panel.generalization.train_curve.xData.tolist() == [1, 2, 3, 4]
    assert len(panel.generalization.val_curve.xData) == 4
    assert panel.generalization.empty_text() is None
    assert panel.histograms.column_counts().shape[0] >= 2
    assert panel.boundary.prediction_image.image is not None
    assert panel.controls.progress.value() == steps
    assert panel.controls.progress.format().startswith(f"Finished 4 epochs ({steps} steps)")
    assert "validation accuracy" in panel.controls.progress.toolTip()  # the whole sentence
    assert window.menu_actions.export_weights.isEnabled()


def test_the_train_vs_validation_tab_shows_every_epoch(qtbot, window):
    panel = window.run_panel
    tab = next(i for i in range(panel.tabs.count()) if panel.tabs.widget(i) is panel.generalization)
    assert panel.tabs.tabText(tab) == "Train vs. val."
    panel.tabs.setCurrentIndex(tab)
    assert panel.generalization.empty_text().startswith("Press Train")
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    curve = panel.generalization.val_curve  # drawn at the plot's next redraw, not at once
    qtbot.waitUntil(lambda: curve.xData is not None and len(curve.xData) == 4, timeout=10_000)
    last = window.controller.history.epochs[-1]
    tooltip = panel.generalization.epoch_tooltip(4)
    assert f"{last.val_loss:.4g}" in tooltip and f"{last.train_loss:.4g}" in tooltip
    assert "validation loss" in panel.generalization.summary_text().lower()


def test_pause_step_resume_and_stop_from_the_controls(qtbot, window):
    panel = window.run_panel
    window.document.edit_train(replace(window.document.experiment.train, epochs=500), "long")
    panel.train_action.trigger()
    panel.train_action.trigger()  # Space again: pause
    wait_state(qtbot, window, PAUSED)
    assert panel.train_action.text() == "Resume"
    before = len(step_losses(window))
    panel.step_action.trigger()
    qtbot.waitUntil(lambda: len(step_losses(window)) == before + 1, timeout=30_000)
    assert window.controller.state == PAUSED
    panel.train_action.trigger()  # resume
    assert window.controller.state == RUNNING and panel.train_action.text() == "Pause"
    panel.stop_action.trigger()
    wait_state(qtbot, window, FINISHED)
    assert [r for r in window.reports if isinstance(r, RunFinished)][-1].reason == "stopped"


def test_reset_starts_again_from_the_seed_and_repeats_the_first_losses(qtbot, window):
    panel = window.run_panel
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    first = step_losses(window)
    panel.reset_action.trigger()
    assert not window.menu_actions.export_weights.isEnabled()
    window.reports.clear()
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    np.testing.assert_array_equal(step_losses(window), first)


def test_editing_is_locked_while_training_and_the_learning_rate_changes_at_once(qtbot, window):
    panel = window.run_panel
    window.document.edit_train(replace(window.document.experiment.train, epochs=500), "long")
    panel.train_action.trigger()
    panel.train_action.trigger()
    wait_state(qtbot, window, PAUSED)
    assert not window.model_editor.isEnabled()
    assert not window.dataset_panel.isEnabled()
    assert window.layers_page.banner.isVisibleTo(window.layers_page)  # says why, in the panel
    assert window.layers_dock.windowTitle() == "Layers"  # side tabs keep their length
    assert not window.menu_actions.undo.isEnabled()
    window.training_panel.trainChanged.emit(
        replace(window.document.experiment.train, learning_rate=0.001)
    )
    panel.step_action.trigger()
    history = window.controller.history
    qtbot.waitUntil(lambda: len(history.markers) > 0, timeout=30_000)
    marker = history.markers[0]
    lines = [i for i in panel.loss_plot.loss_plot.items if isinstance(i, pg.InfiniteLine)]
    assert "0.001" in marker.text and [line.value() for line in lines] == [marker.step]
    panel.stop_action.trigger()
    wait_state(qtbot, window, FINISHED)
    assert window.model_editor.isEnabled() and window.dataset_panel.isEnabled()
    assert not window.layers_page.banner.isVisibleTo(window.layers_page)


def test_a_huge_learning_rate_shows_the_non_finite_message(qtbot, window):
    experiment = window.document.experiment
    window.document.edit_data(DataConfig("line", samples=300), "line")
    fix = window.document.inference.errors[0].fixes[0]
    window.document.edit_model(fix.spec, fix.label)
    window.document.edit_train(
        replace(experiment.train, optimizer="sgd", learning_rate=100.0, momentum=0.0), "lr"
    )
    window.run_panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    qtbot.waitUntil(lambda: window.error_box is not None, timeout=10_000)
    assert "The loss became" in window.error_box.text()
    assert "learning rate 100 is likely too high" in window.error_box.text()
    window.error_box.close()
    # The bar says it short; the line under it shows what fits, the whole in its tooltip.
    finished = [r for r in window.reports if isinstance(r, RunFinished)][-1]
    controls = window.run_panel.controls
    assert controls.progress.format() == f"Diverged at step {finished.steps_done:,}"
    assert window.run_panel.state_label.text() == controls.progress.format()
    assert controls.note.toolTip() == finished.message and controls.note.isVisible()
    assert controls.note.fontMetrics().horizontalAdvance(controls.note.text()) <= (
        controls.note.contentsRect().width()
    )


def test_export_writes_weights_that_plain_pytorch_loads(qtbot, window, tmp_path):
    import torch

    window.run_panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    with qtbot.waitSignal(window.controller.exported, timeout=30_000):
        window.exports.export_weights_to(tmp_path / "export")
    state = torch.load(tmp_path / "export" / "model.pt", weights_only=True)
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    assert (tmp_path / "export" / "model.py").read_text().count("nn.Linear(") == 3
    csv_text = window.controller.history.metrics_csv().splitlines()  # what Export Metrics writes
    assert csv_text[0].startswith("epoch,steps,train_loss,val_loss,val_accuracy")
    assert len(csv_text) == 1 + 4
    assert window.run_panel.loss_plot.export_png(str(tmp_path / "loss.png"))
    assert (tmp_path / "loss.png").stat().st_size > 1000


def test_export_refuses_weights_trained_for_another_model(qtbot, window, tmp_path):
    window.run_panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    window.add_layer("ReLU")  # edited after training: model.pt would not fit experiment.json
    window.exports.export_weights_to(tmp_path / "export")
    assert "do not fit" in window.error_box.text()
    assert not (tmp_path / "export").exists()
    window.error_box.close()
    window.menu_actions.undo.trigger()  # the trained model again: the set is whole
    with qtbot.waitSignal(window.controller.exported, timeout=30_000):
        window.exports.export_weights_to(tmp_path / "export")
    assert (tmp_path / "export" / "model.pt").exists()


def test_closing_during_a_run_stops_it_cleanly(qtbot, window):
    window.document.edit_train(replace(window.document.experiment.train, epochs=5000), "long")
    window.document.undo_stack.setClean()
    window.run_panel.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.has_weights, timeout=30_000)
    assert window.close()
    assert not window.controller.thread.isRunning()
