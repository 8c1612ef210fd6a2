"""ActivationHistogramWidget: what the heatmap, bars, fraction curves and sentence show for
made-up activation reports."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QComboBox, QLabel

from app.reports import ActivationReport
from widgets.activation_histograms import ActivationHistogramWidget
from widgets.demo_data import FAKE_RUN
from widgets.histogram_columns import MAX_COLUMNS
from widgets.theme import DARK

MODULES = ("Linear", "ReLU", "Linear", "Sigmoid", "Linear", "Tanh")
NAMES = tuple(f"{i} {kind}" for i, kind in enumerate(MODULES))
RUN = replace(FAKE_RUN, modules=MODULES)
L, B = len(MODULES), 40
# Each layer its own range, so a wrong layer's edges show: layer i spans +-(i + 1).
EDGES = np.array([np.linspace(-(i + 1), i + 1, B + 1) for i in range(L)])
RELU, SIGMOID, TANH = 1, 3, 5


def report(
    step: int,
    seed: int = 0,
    dead: float = 0.0,
    saturated: float = 0.0,
    counts: np.ndarray | None = None,
) -> ActivationReport:
    """A snapshot at `step`: random counts; the ReLU's dead and the Sigmoid's and Tanh's
    saturated fractions as given, NaN for the other layers (as the engine sends them)."""
    rng = np.random.default_rng(seed + step)
    if counts is None:
        counts = rng.integers(0, 100, (L, B)).astype(float)
    dead_row = np.full(L, np.nan)
    dead_row[RELU] = dead
    saturated_row = np.full(L, np.nan)
    saturated_row[[SIGMOID, TANH]] = saturated
    return ActivationReport(step, NAMES, counts, EDGES, dead_row, saturated_row)


def one_bin_counts(layer: int, bins: dict[int, float]) -> np.ndarray:
    """Counts that are zero but for `bins` (bin -> count) of `layer`."""
    counts = np.zeros((L, B))
    for index, count in bins.items():
        counts[layer, index] = count
    return counts


@pytest.fixture
def widget(qtbot) -> ActivationHistogramWidget:
    widget = ActivationHistogramWidget()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def layer_combo(widget: ActivationHistogramWidget) -> QComboBox:
    (combo,) = widget.findChildren(QComboBox)
    return combo


def visible_texts(widget: ActivationHistogramWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]


def heat_counts(widget: ActivationHistogramWidget) -> np.ndarray:
    """The heatmap back in mean counts per snapshot (it shows log(1 + count))."""
    return np.expm1(widget.heatmap.image.astype(np.float64))


def heat_rect(widget: ActivationHistogramWidget):
    return widget.heatmap.mapRectToParent(widget.heatmap.boundingRect())


def test_empty_state_says_what_to_do(widget):
    assert "Train to see each layer's outputs." in visible_texts(widget)
    assert not layer_combo(widget).isVisible()


def test_reset_lists_every_layer_and_chooses_the_first_activation(widget):
    widget.reset(RUN)
    combo = layer_combo(widget)
    assert [combo.itemText(i) for i in range(combo.count())] == list(NAMES)
    assert widget.layer() == RELU
    assert "The layers' first outputs arrive after a few training steps." in visible_texts(widget)
    widget.reset(replace(RUN, modules=("Flatten", "Linear", "Dropout", "GELU", "Linear")))
    assert widget.layer() == 3
    widget.reset(replace(RUN, modules=("Linear", "Linear")))
    assert widget.layer() == 0  # no activation: the first layer


def test_columns_appear_after_reports(widget):
    widget.reset(RUN)
    widget.add_activations(report(0))
    widget.add_activations(report(10))
    widget.redraw()
    first, last, snapshots = widget.columns()
    np.testing.assert_array_equal(first, [0, 10])
    np.testing.assert_array_equal(snapshots, [1, 1])
    assert widget.heatmap.image.shape == (2, B)
    assert layer_combo(widget).isVisible()
    assert widget.heatmap.scene().views()[0].isVisible()  # the plots replace the text


def test_the_chosen_layers_heatmap_columns_are_the_reports_counts(widget):
    widget.reset(RUN)
    reports = [report(step) for step in (0, 10, 20)]
    for each in reports:
        widget.add_activations(each)
    widget.redraw()
    expected = np.array([each.counts[RELU] for each in reports])
    np.testing.assert_allclose(heat_counts(widget), expected, rtol=1e-5)
    np.testing.assert_array_equal(widget.latest_bars.opts["width"], reports[-1].counts[RELU])
    rect = heat_rect(widget)
    assert rect.left() == pytest.approx(-5) and rect.right() == pytest.approx(25)
    assert rect.top() == pytest.approx(EDGES[RELU, 0])
    assert rect.bottom() == pytest.approx(EDGES[RELU, -1])


def test_choosing_a_layer_in_the_box_changes_what_is_drawn(widget, qtbot):
    widget.reset(RUN)
    data = report(0)
    widget.add_activations(data)
    combo = layer_combo(widget)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # from 1 ReLU to 2 Linear
    assert widget.layer() == 2
    widget.redraw()
    np.testing.assert_allclose(heat_counts(widget), data.counts[2:3], rtol=1e-5)
    np.testing.assert_array_equal(widget.latest_bars.opts["width"], data.counts[2])
    assert heat_rect(widget).bottom() == pytest.approx(EDGES[2, -1])
    widget.set_layer(SIGMOID)
    assert combo.currentText() == "3 Sigmoid"
    widget.redraw()
    np.testing.assert_allclose(heat_counts(widget), data.counts[SIGMOID : SIGMOID + 1], rtol=1e-5)


def test_fraction_curves_show_each_relu_dead_and_each_sigmoid_or_tanh_saturated(widget):
    widget.reset(RUN)
    fractions = [(0.0, 0.1), (0.25, 0.3), (0.5, 0.9)]
    for index, (dead, saturated) in enumerate(fractions):
        widget.add_activations(report(10 * index, dead=dead, saturated=saturated))
    widget.redraw()
    assert widget.fraction_legend().splitlines() == [
        "1 ReLU dead",
        "3 Sigmoid saturated",
        "5 Tanh saturated",
    ]
    relu, sigmoid, tanh = widget.fraction_curves
    x, y = relu.getData()
    np.testing.assert_array_equal(x, [0, 10, 20])
    np.testing.assert_allclose(y, [0, 25, 50])  # in %
    for curve in (sigmoid, tanh):
        np.testing.assert_allclose(curve.getData()[1], [10, 30, 90])


def test_the_chosen_layers_fraction_curve_is_emphasised(widget):
    widget.reset(RUN)
    widget.add_activations(report(0))
    widget.set_layer(SIGMOID)
    widths = [curve.opts["pen"].widthF() for curve in widget.fraction_curves]
    assert widths[1] > widths[0] and widths[1] > widths[2]


def test_a_model_without_relu_sigmoid_or_tanh_shows_no_fraction_plot(widget):
    modules = ("Linear", "GELU", "Linear")
    widget.reset(replace(RUN, modules=modules))
    nan = np.full(3, np.nan)
    names = tuple(f"{i} {kind}" for i, kind in enumerate(modules))
    widget.add_activations(ActivationReport(0, names, np.ones((3, B)), EDGES[:3], nan, nan))
    widget.redraw()
    assert widget.fraction_curves == ()
    assert widget.heatmap.image.shape == (1, B)


def test_the_dead_caption_for_a_relu_with_half_its_units_dead(widget, english_numbers):
    widget.reset(RUN)
    widget.add_activations(report(0, dead=0.5))
    widget.redraw()
    assert widget.caption_text() == (
        "Layer 1 (ReLU): 50% of its units are dead: they output 0 for every input of the batch."
    )


def test_the_saturated_caption_for_a_sigmoid_and_a_tanh(widget, english_numbers):
    widget.reset(RUN)
    widget.add_activations(report(0, saturated=0.87))
    widget.set_layer(SIGMOID)
    widget.redraw()
    assert widget.caption_text() == (
        "Layer 3 (Sigmoid): 87% of its outputs are saturated near 0 or 1, where its gradient "
        "is almost 0."
    )
    widget.set_layer(TANH)
    widget.redraw()
    assert widget.caption_text().startswith("Layer 5 (Tanh): 87% of its outputs are saturated")
    assert "near -1 or 1" in widget.caption_text()


def test_a_healthy_layer_gets_its_range_and_mean(widget, english_numbers):
    widget.reset(RUN)
    # Layer 2's bins are 0.15 wide from -3: one output in [0, 0.15), one in [0.75, 0.9).
    counts = one_bin_counts(2, {20: 1.0, 25: 1.0})
    widget.add_activations(report(0, dead=0.02, counts=counts))
    widget.set_layer(2)
    widget.redraw()
    assert widget.caption_text() == (
        "Layer 2 (Linear): its outputs lie between 0 and 0.9, with a mean of about 0.45."
    )
    widget.set_layer(RELU)  # 2% dead is not alarming: its range (no outputs at all here)
    widget.redraw()
    assert widget.caption_text() == ""


def test_outputs_in_the_outer_bins_may_lie_beyond_them(widget, english_numbers):
    widget.reset(RUN)
    counts = one_bin_counts(0, {0: 3.0, B - 1: 3.0})  # layer 0 spans -1 to 1
    widget.add_activations(report(0, counts=counts))
    widget.set_layer(0)
    widget.redraw()
    assert widget.caption_text() == (
        "Layer 0 (Linear): its outputs lie between -1 or below and 1 or above, with a mean of "
        "about 0."
    )


def test_reset_clears_the_last_run(widget):
    widget.reset(RUN)
    widget.add_activations(report(0, dead=0.5))
    widget.add_activations(report(10, dead=0.5))
    widget.redraw()
    modules = ("Conv2d", "ReLU", "Flatten", "Linear")
    widget.reset(replace(RUN, modules=modules))
    widget.redraw()
    combo = layer_combo(widget)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        f"{i} {kind}" for i, kind in enumerate(modules)
    ]
    assert len(widget.columns()[0]) == 0
    assert widget.heatmap.image is None
    assert len(widget.latest_bars.opts["width"]) == 0
    assert all(len(curve.getData()[1] or ()) == 0 for curve in widget.fraction_curves)
    assert widget.caption_text() == ""
    assert "The layers' first outputs arrive after a few training steps." in visible_texts(widget)


def test_train_again_keeps_the_chosen_layer_of_the_same_model(widget):
    widget.reset(RUN)
    widget.add_activations(report(0))
    widget.set_layer(4)
    widget.reset(RUN)
    assert widget.layer() == 4


def test_a_continued_run_keeps_its_columns_and_goes_on(widget):
    widget.reset(RUN)
    first = [report(0), report(10)]
    for each in first:
        widget.add_activations(each)
    widget.reset(replace(RUN, first_step=20, first_epoch=1))
    later = report(20)
    widget.add_activations(later)
    widget.redraw()
    np.testing.assert_array_equal(widget.columns()[0], [0, 10, 20])
    expected = np.array([each.counts[RELU] for each in (*first, later)])
    np.testing.assert_allclose(heat_counts(widget), expected, rtol=1e-5)


def test_a_continued_run_with_new_bins_starts_the_heatmap_again(widget):
    widget.reset(RUN)
    widget.add_activations(report(0))
    widget.reset(replace(RUN, first_step=10, first_epoch=1))
    widget.add_activations(replace(report(10), edges=EDGES * 2))
    widget.redraw()
    np.testing.assert_array_equal(widget.columns()[0], [10])
    assert heat_rect(widget).bottom() == pytest.approx(2 * EDGES[RELU, -1])


def test_twenty_thousand_reports_stay_bounded(widget):
    widget.reset(RUN)
    counts = np.ones((L, B))
    for step in range(0, 200_000, 10):
        widget.add_activations(report(step, dead=step / 200_000, counts=counts))
    widget.redraw()
    first, last, snapshots = widget.columns()
    assert len(first) <= MAX_COLUMNS
    assert first[0] == 0 and last[-1] == 199_990
    assert snapshots.sum() == 20_000
    assert np.all(first[1:] > last[:-1])  # in order, never overlapping
    np.testing.assert_allclose(widget.column_counts().sum(axis=0), np.full(B, 20_000))
    assert widget.heatmap.image.shape == (len(first), B)
    for curve in widget.fraction_curves:
        assert len(curve.getData()[1]) == len(first)
    _x, dead = widget.fraction_curves[0].getData()
    assert dead[0] < 1 and dead[-1] > 99  # the whole run, from its first step


def test_the_timer_redraws_when_visible(widget, qtbot):
    widget.reset(RUN)
    widget.add_activations(report(0))
    widget.add_activations(report(10))
    qtbot.waitUntil(lambda: widget.heatmap.image is not None and widget.heatmap.image.shape[0] == 2)


def test_export_png_writes_the_plots_in_the_theme(widget, tmp_path):
    widget.reset(RUN)
    widget.add_activations(report(0, dead=0.5))
    widget.set_theme(DARK)
    path = tmp_path / "activations.png"
    assert widget.export_png(str(path)) is True
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 0
    corner = image.pixelColor(1, image.height() - 1)  # the page's margin
    assert corner == QColor(DARK.plot_background)


def test_every_control_has_a_tooltip(widget):
    widget.reset(RUN)
    widget.add_activations(report(0))
    assert layer_combo(widget).toolTip()


def test_the_fractions_show_the_same_steps_as_the_heatmap_above_them(widget, qtbot):
    widget.reset(RUN)
    for step in range(0, 500, 10):
        widget.add_activations(report(step))
    heat_view = widget.heatmap.getViewBox()
    fraction_view = widget.fraction_curves[0].getViewBox()

    def same_steps() -> bool:
        (a0, a1), (b0, b1) = heat_view.viewRange()[0], fraction_view.viewRange()[0]
        return a1 > 400 and abs(a0 - b0) < 1 and abs(a1 - b1) < 1

    for size in ((1400, 800), (600, 400)):
        widget.resize(*size)
        qtbot.waitUntil(same_steps)
