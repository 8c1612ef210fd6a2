"""The views inside the network in the window, from real runs: alarms on the Gradients tab
and the layer rows (and pausing on them), hidden-unit maps and feature maps asked of the
engine only while their tab is shown, for the layer or image chosen, also between runs and
while paused."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QCheckBox

from app.reports import FeatureMapReport, StepsReport, UnitMapReport
from app.run_state import FINISHED, PAUSED
from tests.app.test_inside_the_network import deep, moons
from tests.app.test_training_images import mnist_experiment
from tests.vision_files import write_mnist_family


def wait_state(qtbot, window, state):
    qtbot.waitUntil(lambda: window.controller.state == state, timeout=60_000)


def of_kind(window, kind) -> list:
    return [r for r in window.reports if isinstance(r, kind)]


def test_vanishing_gradients_badge_the_layer_rows_and_fill_the_banner(qtbot, open_window):
    window = open_window(moons(deep("Sigmoid"), epochs=4))
    panel = window.run_panel
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    banner = panel.histograms.banner
    texts = [alarm.text for alarm in panel.health.alarms]
    assert any(t.startswith("Layer 0 (Linear): gradients vanished") for t in texts)
    assert banner.alarm_texts() and set(banner.alarm_texts()) <= set(texts)
    assert "gradients vanished" in window.stack.alarm_badge(0)
    assert not window.stack.alarm_badge(1)  # the Sigmoid after it has none
    # clicking the alarm of layer 0 selects that row of the model
    banner.layerClicked.emit(0)
    assert window.stack.current_layer() == 0
    # editing the model clears the alarms: they were about the layers as they were
    window.document.edit_train(replace(window.document.experiment.train, epochs=3), "epochs")
    assert window.stack.alarm_badge(0)  # a training setting changes no layer
    window.delete_layer()
    assert banner.alarm_texts() == [] and not window.stack.alarm_badge(0)


def test_the_two_moons_example_raises_no_alarm(qtbot, open_window):
    window = open_window()  # the two-moons example
    window.document.edit_train(replace(window.document.experiment.train, epochs=5), "epochs")
    window.run_panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    assert window.run_panel.histograms.banner.alarm_texts() == []
    assert all(not window.stack.alarm_badge(i) for i in range(5))


def test_pause_on_alarm_pauses_the_run_at_the_first_and_is_remembered(qtbot, open_window, settings):
    window = open_window(moons(deep("Sigmoid"), epochs=30))
    box = window.run_panel.histograms.findChild(QCheckBox)
    box.click()
    assert window.run_panel.histograms.banner.pause_on_alarm()
    window.run_panel.train_action.trigger()
    wait_state(qtbot, window, PAUSED)
    # Which layer alarms first depends on the steps the first gradient reports cover, and
    # reports already on their way when the run paused may add or reword alarms after it.
    message = window.statusBar().currentMessage()
    assert message.startswith("Paused by an alarm: ") and "gradients vanished" in message
    shown = [alarm.text for alarm in window.run_panel.health.alarms]
    assert any(message.removeprefix("Paused by an alarm: ").startswith(t[:40]) for t in shown)
    window.controller.stop()
    wait_state(qtbot, window, FINISHED)
    again = open_window()
    assert again.run_panel.histograms.banner.pause_on_alarm()


def test_unit_maps_come_only_while_their_tab_shows_and_follow_the_chosen_layer(qtbot, open_window):
    window = open_window(moons(deep("ReLU", layers=2), epochs=3))
    panel = window.run_panel
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    assert of_kind(window, UnitMapReport) == []  # the Loss tab was on show: none computed
    panel.show_tab("units")
    assert panel.unit_maps.layer() == 1  # the first activation's units, not a Linear's
    qtbot.waitUntil(lambda: bool(of_kind(window, UnitMapReport)), timeout=10_000)
    assert of_kind(window, UnitMapReport)[-1].layer == 1
    panel.unit_maps.set_layer(3)  # as picking it in the box does
    qtbot.waitUntil(lambda: of_kind(window, UnitMapReport)[-1].layer == 3, timeout=10_000)
    assert of_kind(window, UnitMapReport)[-1].maps.shape[0] == 16
    panel.unit_maps.redraw()
    assert panel.unit_maps.report().layer == 3


def test_a_paused_run_shows_the_newly_chosen_layer_at_once(qtbot, open_window):
    window = open_window(moons(deep("ReLU", layers=2), epochs=50))
    panel = window.run_panel
    panel.show_tab("units")
    panel.start(paused=True)
    wait_state(qtbot, window, PAUSED)
    qtbot.waitUntil(lambda: bool(of_kind(window, UnitMapReport)), timeout=10_000)
    steps = len(of_kind(window, StepsReport))
    panel.unit_maps.set_layer(3)
    qtbot.waitUntil(lambda: of_kind(window, UnitMapReport)[-1].layer == 3, timeout=10_000)
    assert window.controller.state == PAUSED  # it looked again without training on
    assert len(of_kind(window, StepsReport)) == steps
    window.controller.stop()
    wait_state(qtbot, window, FINISHED)


@pytest.fixture
def image_window(open_window, tmp_path):
    write_mnist_family(tmp_path / "data", train=200, test=60)
    window = open_window(mnist_experiment(epochs=1))
    window.set_data_root(str(tmp_path / "data"))
    return window


def test_feature_maps_follow_the_chosen_image_and_the_filters_tab(qtbot, image_window):
    window, panel = image_window, image_window.run_panel
    tabs = panel.tabs
    assert tabs.isTabVisible(tabs.indexOf(panel.feature_maps))
    assert not tabs.isTabVisible(tabs.indexOf(panel.unit_maps))  # images have no input plane
    panel.show_tab("filters")
    panel.train_action.trigger()
    wait_state(qtbot, window, FINISHED)
    reports = of_kind(window, FeatureMapReport)
    assert reports and reports[-1].image_index == 0
    assert reports[-1].filters.shape[0] == 4  # the CNN's first Conv2d has 4 kernels
    panel.feature_maps.set_image_index(5)
    qtbot.waitUntil(lambda: of_kind(window, FeatureMapReport)[-1].image_index == 5, timeout=10_000)
    panel.show_tab("loss")
    count = len(of_kind(window, FeatureMapReport))
    panel.train_action.trigger()  # Continue, with the Filters tab hidden
    wait_state(qtbot, window, FINISHED)
    assert len(of_kind(window, FeatureMapReport)) == count
