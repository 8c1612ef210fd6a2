"""GradientHistogramWidget: what the heatmap, bars and norm curves show for synthetic reports."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QToolButton

from app.gradient_health import VANISHING, Alarm
from app.reports import HistogramReport
from widgets.demo_data import FAKE_RUN
from widgets.gradient_histograms import WEIGHTS, GradientHistogramWidget
from widgets.histogram_columns import MAX_COLUMNS
from widgets.histogram_plots import legend_labels

L, B = 3, 40
NAMES = FAKE_RUN.layer_names
RUN = replace(FAKE_RUN, param_count=1000, epochs=10)
GRAD_EDGES = np.array([np.linspace(-(i + 1) * 0.1, (i + 1) * 0.1, B + 1) for i in range(L)])
WEIGHT_EDGES = np.array([np.linspace(-(i + 1), i + 1, B + 1) for i in range(L)])


def report(first: int, snapshots: int, every: int = 10, seed: int = 0) -> HistogramReport:
    """Snapshots at first, first + every, ...; weight counts differ from gradient counts."""
    rng = np.random.default_rng(seed + first)
    steps = first + every * np.arange(snapshots)
    grad_counts = rng.integers(0, 100, (snapshots, L, B)).astype(float)
    weight_counts = rng.integers(200, 300, (snapshots, L, B)).astype(float)
    return HistogramReport(
        steps=steps,
        grad_counts=grad_counts,
        grad_norms=rng.uniform(0.1, 1.0, (snapshots, L)),
        weight_counts=weight_counts,
        weight_norms=rng.uniform(2.0, 3.0, (snapshots, L)),
        grad_edges=GRAD_EDGES,
        weight_edges=WEIGHT_EDGES,
    )


@pytest.fixture
def widget(qtbot) -> GradientHistogramWidget:
    widget = GradientHistogramWidget()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def layer_combo(widget: GradientHistogramWidget) -> QComboBox:
    (combo,) = widget.findChildren(QComboBox)
    return combo


def button(widget: GradientHistogramWidget, text: str) -> QToolButton:
    (found,) = [b for b in widget.findChildren(QToolButton) if b.text() == text]
    return found


def bar_counts(widget: GradientHistogramWidget) -> np.ndarray:
    return np.asarray(widget.latest_bars.opts["width"])


def visible_texts(widget: GradientHistogramWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]


def heat_counts(widget: GradientHistogramWidget) -> np.ndarray:
    """The heatmap back in mean counts per snapshot (it shows log(1 + count))."""
    return np.expm1(widget.heatmap.image.astype(np.float64))


def test_empty_state_before_a_run(widget):
    shown = visible_texts(widget)
    assert "Press Train to see how each layer's gradients are distributed." in shown
    assert not layer_combo(widget).isVisible()


def test_reset_lists_the_layers_and_the_first_report_shows_the_plots(widget):
    widget.reset(RUN)
    combo = layer_combo(widget)
    assert [combo.itemText(i) for i in range(combo.count())] == list(NAMES)
    assert len(widget.norm_curves) == L
    assert "The first histograms arrive after a few training steps." in visible_texts(widget)
    widget.add_histograms(report(0, 2))
    assert combo.isVisible()
    assert widget.heatmap.scene().views()[0].isVisible()  # the plots replace the text


def test_a_model_without_weights_says_so(widget):
    widget.reset(replace(RUN, layer_names=()))
    assert "This model has no layers with weights, so no histograms." in visible_texts(widget)


def test_heatmap_has_one_column_per_snapshot_and_one_row_per_bin(widget):
    widget.reset(RUN)
    first, second = report(0, 5), report(50, 7)
    widget.add_histograms(first)
    widget.add_histograms(second)
    widget.redraw()
    assert widget.heatmap.image.shape == (12, B)
    expected = np.concatenate([first.grad_counts[:, 0], second.grad_counts[:, 0]])
    np.testing.assert_allclose(heat_counts(widget), expected, rtol=1e-5)
    # x spans the snapshot steps, y the layer's fixed bin edges.
    rect = widget.heatmap.mapRectToParent(widget.heatmap.boundingRect())
    assert rect.left() == pytest.approx(-5) and rect.right() == pytest.approx(110 + 5)
    assert rect.top() == pytest.approx(GRAD_EDGES[0, 0])
    assert rect.bottom() == pytest.approx(GRAD_EDGES[0, -1])


def test_colour_bar_uses_fixed_levels_from_zero(widget):
    widget.reset(RUN)
    widget.add_histograms(report(0, 4))
    widget.redraw()
    assert isinstance(widget.color_bar, pg.ColorBarItem)
    assert widget.color_bar.scene() is widget.heatmap.scene()
    low, high = widget.heatmap.getLevels()
    assert low == 0 and high >= widget.heatmap.image.max()
    assert tuple(widget.color_bar.levels()) == pytest.approx((low, high))


def test_latest_histogram_is_the_last_snapshot(widget):
    widget.reset(RUN)
    widget.add_histograms(report(0, 3))
    last = report(30, 4)
    widget.add_histograms(last)
    widget.redraw()
    np.testing.assert_array_equal(bar_counts(widget), last.grad_counts[-1, 0])
    centres = (GRAD_EDGES[0, :-1] + GRAD_EDGES[0, 1:]) / 2
    np.testing.assert_allclose(widget.latest_bars.opts["y"], centres)


def test_one_norm_curve_per_layer_with_one_point_per_snapshot(widget):
    widget.reset(RUN)
    data = report(0, 6)
    widget.add_histograms(data)
    widget.redraw()
    assert len(widget.norm_curves) == L
    for layer, curve in enumerate(widget.norm_curves):
        x, y = curve.getData()
        assert len(x) == 6
        np.testing.assert_array_equal(x, data.steps)
        np.testing.assert_allclose(10**y, data.grad_norms[:, layer])  # log axis


def test_selected_layer_curve_is_emphasised(widget, qtbot):
    widget.reset(RUN)
    widget.add_histograms(report(0, 3))
    layer_combo(widget).setCurrentIndex(2)
    widths = [curve.opts["pen"].widthF() for curve in widget.norm_curves]
    assert widths[2] > widths[0] and widths[2] > widths[1]


def test_weights_toggle_shows_weight_counts_and_edges(widget, qtbot):
    widget.reset(RUN)
    data = report(0, 5)
    widget.add_histograms(data)
    qtbot.mouseClick(button(widget, "Weights"), Qt.MouseButton.LeftButton)
    assert widget.showing() == WEIGHTS
    widget.redraw()
    np.testing.assert_allclose(heat_counts(widget), data.weight_counts[:, 0], rtol=1e-5)
    np.testing.assert_array_equal(bar_counts(widget), data.weight_counts[-1, 0])
    np.testing.assert_array_equal(widget.edges(), WEIGHT_EDGES[0])
    rect = widget.heatmap.mapRectToParent(widget.heatmap.boundingRect())
    assert rect.top() == pytest.approx(WEIGHT_EDGES[0, 0])
    _x, y = widget.norm_curves[1].getData()
    np.testing.assert_allclose(10**y, data.weight_norms[:, 1])

    qtbot.mouseClick(button(widget, "Gradients"), Qt.MouseButton.LeftButton)
    widget.redraw()
    np.testing.assert_array_equal(bar_counts(widget), data.grad_counts[-1, 0])


def test_choosing_a_layer_shows_its_data(widget):
    widget.reset(RUN)
    data = report(0, 5)
    widget.add_histograms(data)
    layer_combo(widget).setCurrentIndex(1)
    widget.redraw()
    np.testing.assert_allclose(heat_counts(widget), data.grad_counts[:, 1], rtol=1e-5)
    np.testing.assert_array_equal(bar_counts(widget), data.grad_counts[-1, 1])
    rect = widget.heatmap.mapRectToParent(widget.heatmap.boundingRect())
    assert rect.bottom() == pytest.approx(GRAD_EDGES[1, -1])


def test_bins_stay_those_of_the_first_report(widget):
    widget.reset(RUN)
    widget.add_histograms(report(0, 2))
    widget.add_histograms(replace(report(20, 2), grad_edges=GRAD_EDGES * 10))
    widget.redraw()
    np.testing.assert_array_equal(widget.edges(), GRAD_EDGES[0])


def test_ten_thousand_snapshots_stay_bounded_and_keep_step_zero(widget):
    widget.reset(RUN)
    total = np.zeros(B)
    for first in range(0, 100_000, 10_000):
        data = report(first, 1000)
        widget.add_histograms(data)
        total += data.grad_counts[:, 0].sum(axis=0)
    widget.redraw()
    first_steps, last_steps, snapshots = widget.columns()
    assert len(first_steps) <= MAX_COLUMNS
    assert first_steps[0] == 0
    assert last_steps[-1] == 99_990
    assert snapshots.sum() == 10_000
    assert np.all(first_steps[1:] > last_steps[:-1])  # columns are in order and do not overlap
    np.testing.assert_allclose(widget.column_counts().sum(axis=0), total)
    assert widget.heatmap.image.shape == (len(first_steps), B)
    _x, y = widget.norm_curves[0].getData()
    assert len(y) == len(first_steps)
    rect = widget.heatmap.mapRectToParent(widget.heatmap.boundingRect())
    assert rect.left() == pytest.approx(-5) and rect.right() == pytest.approx(99_995)


def test_reset_clears_the_last_run(widget):
    widget.reset(RUN)
    widget.add_histograms(report(0, 5))
    widget.redraw()
    widget.reset(replace(RUN, layer_names=("0 Conv2d", "3 Linear")))
    widget.redraw()
    combo = layer_combo(widget)
    assert [combo.itemText(i) for i in range(combo.count())] == ["0 Conv2d", "3 Linear"]
    assert widget.heatmap.image is None
    assert len(bar_counts(widget)) == 0
    assert len(widget.norm_curves) == 2
    assert all(len(curve.getData()[1] or ()) == 0 for curve in widget.norm_curves)
    assert len(widget.columns()[0]) == 0


def test_the_timer_redraws_when_visible(widget, qtbot):
    widget.reset(RUN)
    widget.add_histograms(report(0, 5))
    qtbot.waitUntil(lambda: widget.heatmap.image is not None and widget.heatmap.image.shape[0] == 5)


def test_export_png_writes_a_file(widget, tmp_path):
    widget.reset(RUN)
    widget.add_histograms(report(0, 5))
    path = tmp_path / "histograms.png"
    assert widget.export_png(str(path)) is True
    assert path.stat().st_size > 0


# Alarms: the banner above the plots and the alarmed layers marked in the Layer box.


def alarm(layer: int, layer_class: str, step: int, headline: str = "gradients vanished") -> Alarm:
    return Alarm(layer, layer_class, VANISHING, step, headline, f"{headline}: try ReLU.")


def banner_lines(widget: GradientHistogramWidget) -> list[str]:
    """The alarm lines a user sees above the plots, top to bottom."""
    labels = [
        label
        for label in widget.findChildren(QLabel)
        if label.isVisible() and label.text().startswith("Layer ")
    ]
    labels.sort(key=lambda label: label.mapTo(widget, label.rect().topLeft()).y())
    return [label.text() for label in labels]


def marked_layers(widget: GradientHistogramWidget) -> list[str]:
    combo = layer_combo(widget)
    return [combo.itemText(i) for i in range(combo.count()) if not combo.itemIcon(i).isNull()]


def pause_box(widget: GradientHistogramWidget) -> QCheckBox:
    (box,) = widget.findChildren(QCheckBox)
    return box


def test_alarms_show_above_the_plots_newest_first(widget):
    widget.reset(RUN)
    widget.add_histograms(report(0, 3))
    old, new = alarm(0, "Linear", 10), alarm(4, "Linear", 50, "gradients exploded")
    widget.show_alarms([old, new])
    assert banner_lines(widget) == [new.text, old.text]
    line = next(label for label in widget.findChildren(QLabel) if label.text() == new.text)
    plots = widget.heatmap.scene().views()[0]
    assert line.mapTo(widget, line.rect().bottomLeft()).y() < plots.mapTo(widget, QPoint(0, 0)).y()
    widget.show_alarms(())
    assert banner_lines(widget) == []


def test_alarmed_layers_are_marked_in_the_layer_box(widget):
    widget.reset(RUN)  # layers "0 Linear", "2 Linear", "4 Linear"
    widget.add_histograms(report(0, 3))
    vanished = alarm(2, "Linear", 10)
    widget.show_alarms([vanished, alarm(1, "ReLU", 20, "units died")])
    assert marked_layers(widget) == ["2 Linear"]
    combo = layer_combo(widget)
    assert combo.itemData(1, Qt.ItemDataRole.ToolTipRole) == vanished.text
    assert [combo.itemText(i) for i in range(combo.count())] == list(NAMES)  # names kept
    widget.show_alarms(())
    assert marked_layers(widget) == []
    assert combo.itemData(1, Qt.ItemDataRole.ToolTipRole) is None


def test_clicking_an_alarm_shows_its_layer(widget, qtbot):
    widget.reset(RUN)
    widget.add_histograms(report(0, 3))
    exploded, died = alarm(4, "Linear", 10, "gradients exploded"), alarm(1, "ReLU", 20)
    widget.show_alarms([exploded, died])
    line = next(label for label in widget.findChildren(QLabel) if label.text() == exploded.text)
    with qtbot.waitSignal(widget.banner.layerClicked) as clicked:
        qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    assert clicked.args == [4]
    assert layer_combo(widget).currentText() == "4 Linear" and widget.layer() == 2
    widget.redraw()
    np.testing.assert_allclose(heat_counts(widget), report(0, 3).grad_counts[:, 2], rtol=1e-5)
    # A layer without weights has no histograms: the window hears of the click, the box stays.
    line = next(label for label in widget.findChildren(QLabel) if label.text() == died.text)
    with qtbot.waitSignal(widget.banner.layerClicked) as clicked:
        qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    assert clicked.args == [1] and widget.layer() == 2


def test_a_fresh_run_clears_the_alarms_and_a_continued_one_keeps_them(widget):
    widget.reset(RUN)
    widget.add_histograms(report(0, 3))
    vanished = alarm(0, "Linear", 10)
    widget.show_alarms([vanished])
    widget.reset(replace(RUN, first_step=30, first_epoch=1))  # continues
    assert banner_lines(widget) == [vanished.text]
    assert marked_layers(widget) == ["0 Linear"]
    widget.reset(RUN)
    assert banner_lines(widget) == [] and marked_layers(widget) == []


def test_the_pause_box_is_there_before_a_run_and_says_when_it_changes(widget, qtbot):
    box = pause_box(widget)
    assert box.isVisible() and not layer_combo(widget).isVisible()
    assert box.toolTip()
    with qtbot.waitSignal(widget.banner.pauseOnAlarmChanged) as changed:
        middle = box.height() // 2
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(middle, middle))
    assert changed.args == [True] and widget.banner.pause_on_alarm()
    widget.reset(RUN)
    widget.add_histograms(report(0, 3))
    assert box.isVisible() and box.isChecked()


@pytest.mark.parametrize("size", [(600, 400), (1400, 800)])
def test_the_controls_fit_beside_the_pause_box(widget, size):
    widget.reset(RUN)
    widget.add_histograms(report(0, 3))
    widget.resize(*size)
    widget.show_alarms([alarm(0, "Linear", 10)])
    assert widget.width() == size[0]  # nothing forced the tab wider
    box, combo = pause_box(widget), layer_combo(widget)
    weights = button(widget, "Weights")
    assert (
        box.mapTo(widget, box.rect().topLeft()).x()
        >= weights.mapTo(widget, weights.rect().topRight()).x()
    )
    assert box.mapTo(widget, box.rect().topRight()).x() <= widget.width()
    assert combo.width() >= combo.minimumSizeHint().width()


def test_the_legend_names_many_layers_of_one_kind_by_number():
    # Eleven "NN Linear" in three columns were cut off in presentation mode at 1280x720.
    eleven = tuple(f"{2 * index} Linear" for index in range(11))
    assert legend_labels(eleven) == tuple(str(2 * index) for index in range(11))
    assert legend_labels(eleven[:3]) == eleven[:3]  # one column: the names fit
    assert legend_labels(eleven[:4], rows=3) == ("0", "2", "4", "6")  # large fonts: 3 rows
    mixed = ("0 Conv2d", *eleven[1:])
    assert legend_labels(mixed) == mixed
