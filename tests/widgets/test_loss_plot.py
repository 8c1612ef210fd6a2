"""LossPlotWidget: what a RunHistory's reports draw, the smoothing and log controls, markers,
a new run, the theme and the exports."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QCheckBox, QLabel, QSlider

from app.history import MAX_POINTS, RunHistory
from app.reports import EpochReport, Marker, StepsReport
from tests.widgets.live_plots import feed, run_started, shown_plot
from widgets.loss_plot import LossPlotWidget
from widgets.theme import DARK, LIGHT


def steps(first: int, losses: list[float] | np.ndarray) -> StepsReport:
    return StepsReport(first, np.asarray(losses, dtype=np.float64), 0, 1000.0, 1.0, 0.01)


def original(curve: pg.PlotDataItem) -> tuple[np.ndarray, np.ndarray]:
    """The data given to a curve, before log mapping, clipping and downsampling."""
    x, y = curve.getOriginalDataset()
    return (np.array([]), np.array([])) if x is None else (x, y)


def tb_smooth(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing, written out plainly."""
    last, out = 0.0, []
    for n, value in enumerate(values, start=1):
        last = last * weight + (1 - weight) * value
        out.append(last / (1 - weight**n))
    return out


@pytest.fixture
def plot(qtbot) -> LossPlotWidget:
    return shown_plot(qtbot, LossPlotWidget)


def test_empty_state_until_the_first_steps(plot):
    assert plot.empty_text() == "Press Train to see the loss of every step here."
    feed(plot, run_started())
    assert plot.empty_text() is not None
    feed(plot, steps(0, [1.0]))
    assert plot.empty_text() is None


def test_raw_and_smoothed_curves_follow_every_step(plot):
    plot.set_smoothing(0.5)
    feed(plot, run_started())
    feed(plot, steps(0, [1.0, 2.0]))
    feed(plot, steps(2, [3.0]))
    plot.redraw()
    x, y = original(plot.raw_curve)
    assert x.tolist() == [0, 1, 2]
    assert y.tolist() == [1.0, 2.0, 3.0]
    sx, sy = original(plot.smooth_curve)
    assert sx.tolist() == [0, 1, 2]
    # last = 0.5 * last + 0.5 * value, divided by 1 - 0.5**n: 1, 1.25 / 0.75, 2.125 / 0.875
    assert sy == pytest.approx([1.0, 5 / 3, 17 / 7])


def test_moving_the_smoothing_slider_resmooths_and_emits(plot, qtbot):
    feed(plot, run_started())
    values = [4.0, 1.0, 3.0, 2.0, 5.0]
    feed(plot, steps(0, values))
    slider = plot.findChild(QSlider)
    assert slider.value() == 60  # default 0.6
    with qtbot.waitSignal(plot.smoothingChanged) as signal:
        slider.setValue(90)
    assert signal.args == [pytest.approx(0.9)]
    plot.redraw()
    assert original(plot.smooth_curve)[1] == pytest.approx(tb_smooth(values, 0.9))
    assert any(label.text() == "0.90" for label in plot.findChildren(QLabel))


def test_set_smoothing_shows_without_emitting(plot, qtbot):
    with qtbot.assertNotEmitted(plot.smoothingChanged):
        plot.set_smoothing(0.3)
    assert plot.findChild(QSlider).value() == 30
    assert plot.smoothing() == pytest.approx(0.3)


def test_validation_loss_at_the_epochs_steps(plot):
    feed(plot, run_started())
    feed(plot, steps(0, np.ones(300)))
    feed(plot, EpochReport(1, 100, 1.0, 0.9, val_accuracy=0.5))
    feed(plot, EpochReport(2, 200, 0.8, None))  # no validation data this epoch
    feed(plot, EpochReport(3, 300, 0.6, 0.7, val_accuracy=0.75))
    plot.redraw()
    x, y = original(plot.val_loss_curve)
    assert x.tolist() == [100, 300]
    assert y.tolist() == [0.9, 0.7]


def test_classification_shows_accuracy_in_percent(plot):
    feed(plot, run_started("classification"))
    feed(plot, EpochReport(1, 100, 1.0, 0.9, val_accuracy=0.5))
    feed(plot, EpochReport(2, 200, 0.8, 0.7, val_accuracy=0.875))
    plot.redraw()
    assert "accuracy" in plot.metric_plot.getAxis("left").labelText.lower()
    x, y = original(plot.metric_curve)
    assert x.tolist() == [100, 200]
    assert y == pytest.approx([50.0, 87.5])
    low, high = plot.metric_plot.vb.viewRange()[1]
    assert low <= 0 and 100 <= high < 110


def test_regression_shows_rmse(plot):
    feed(plot, run_started("regression"))
    feed(plot, EpochReport(1, 100, 1.0, 0.9, val_rmse=0.95, val_r2=0.1))
    feed(plot, EpochReport(2, 200, 0.5, 0.4, val_rmse=0.63, val_r2=0.6))
    plot.redraw()
    label = plot.metric_plot.getAxis("left").labelText
    assert "RMSE" in label and "accuracy" not in label.lower()
    assert original(plot.metric_curve)[1] == pytest.approx([0.95, 0.63])
    feed(plot, run_started("classification"))
    assert "accuracy" in plot.metric_plot.getAxis("left").labelText.lower()


def test_log_scale_box_toggles_the_loss_axis_and_hides_non_positive_losses(plot, qtbot):
    feed(plot, run_started())
    feed(plot, steps(0, [10.0, 0.0, -1.0, 100.0]))
    plot.redraw()
    box = next(b for b in plot.findChildren(QCheckBox) if b.text() == "Log scale")
    with qtbot.waitSignal(plot.logScaleChanged) as signal:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert signal.args == [True]
    assert plot.log_scale()
    assert plot.loss_plot.getAxis("left").logMode
    plot.redraw()
    _, shown = plot.raw_curve.getData()  # log10 of what is drawn
    assert shown[[0, 3]].tolist() == pytest.approx([1.0, 2.0])
    assert np.isnan(shown[[1, 2]]).all()
    low, high = plot.loss_plot.vb.viewRange()[1]
    assert math.isfinite(low) and math.isfinite(high)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert not plot.loss_plot.getAxis("left").logMode
    plot.redraw()
    assert original(plot.raw_curve)[1].tolist() == [10.0, 0.0, -1.0, 100.0]


def test_set_log_scale_shows_without_emitting(plot, qtbot):
    with qtbot.assertNotEmitted(plot.logScaleChanged):
        plot.set_log_scale(True)
    assert plot.findChild(QCheckBox).isChecked()
    assert plot.loss_plot.getAxis("left").logMode


def marker_lines(plot: LossPlotWidget) -> list[pg.InfiniteLine]:
    return [i for i in plot.loss_plot.items if isinstance(i, pg.InfiniteLine)]


def step_range(plot: LossPlotWidget) -> tuple[float, float]:
    low, high = plot.loss_plot.vb.viewRange()[0]
    return low, high


def test_the_step_axis_follows_the_run_not_the_planned_total(plot, qtbot):
    feed(plot, run_started(steps_per_epoch=1000, epochs=114))  # 114,000 steps planned
    feed(plot, steps(0, np.ones(3627)))
    plot.redraw()
    low, high = step_range(plot)
    assert low <= 0 and 3626 * 1.4 < high < 3626 * 1.7  # the steps so far, and room ahead
    ranges = set()
    for first in range(3627, 40_000, 500):  # two hundred reports of 500 steps
        feed(plot, steps(first, np.ones(500)))
        plot.redraw()
        low, high = step_range(plot)
        last = first + 499
        assert low <= 0 and last * 1.04 < high < last * 1.7, (first, low, high)
        ranges.add((low, high))
    assert len(ranges) <= 10  # it moves now and then (7 times), not at every redraw
    # The validation plot below shares the step axis.
    qtbot.waitUntil(lambda: plot.metric_plot.vb.viewRange()[0] == pytest.approx(step_range(plot)))


def test_a_new_run_starts_the_step_axis_over_and_a_continued_run_goes_on(plot):
    feed(plot, run_started(), steps(0, np.ones(5000)))
    plot.redraw()
    feed(plot, run_started(), steps(0, np.ones(20)))
    plot.redraw()
    assert step_range(plot)[1] < 30
    feed(plot, steps(20, np.ones(980)), EpochReport(1, 1000, 1.0, 0.9, val_accuracy=0.5))
    plot.redraw()
    feed(plot, run_started(first_step=1000, first_epoch=1))  # Continue: the curves go on
    feed(plot, steps(1000, np.full(100, 0.5)))
    plot.redraw()
    x, y = original(plot.raw_curve)
    assert x[0] == 0 and x[-1] == 1099 and len(x) == 1100
    assert len(original(plot.val_loss_curve)[0]) == 1
    low, high = step_range(plot)
    assert low <= 0 and 1099 < high < 1099 * 1.7


def test_markers_are_labelled_vertical_lines(plot):
    feed(plot, run_started())
    feed(plot, steps(0, np.linspace(2, 1, 400)))
    plot.redraw()
    feed(plot, Marker(120, "learning rate 0.001"))
    feed(plot, Marker(300, "odd {text}"))  # braces are shown, not formatted
    lines = marker_lines(plot)
    assert [line.value() for line in lines] == [120, 300]
    assert all(line.angle == 90 for line in lines)
    assert lines[0].label.toPlainText().strip() == "learning rate 0.001"
    assert lines[1].label.toPlainText().strip() == "odd {text}"


def test_a_new_run_empties_everything_but_keeps_the_items(plot):
    feed(plot, run_started())
    feed(plot, steps(0, [3.0, 2.0, 1.0]))
    feed(plot, EpochReport(1, 3, 2.0, 1.5, val_accuracy=0.4))
    feed(plot, Marker(1, "learning rate 0.1"))
    plot.redraw()
    curves = (plot.raw_curve, plot.smooth_curve, plot.val_loss_curve, plot.metric_curve)
    assert len(marker_lines(plot)) == 1 and plot.empty_text() is None
    feed(plot, run_started())
    plot.redraw()
    assert (plot.raw_curve, plot.smooth_curve, plot.val_loss_curve, plot.metric_curve) == curves
    for curve in curves:
        assert len(original(curve)[0]) == 0
    assert marker_lines(plot) == []
    assert plot.empty_text() is not None


def test_a_million_steps_stay_bounded_and_keep_the_whole_run(plot):
    feed(plot, run_started(steps_per_epoch=1000))
    rng = np.random.default_rng(0)
    for report in range(1000):
        first = report * 1000
        losses = 1.0 + 0.1 * rng.random(1000)
        if report == 123:
            losses[456] = 50.0  # one spike, early on
        feed(plot, steps(first, losses))
    plot.redraw()
    assert plot.history().point_count() <= MAX_POINTS
    x, y = original(plot.raw_curve)
    assert len(x) == plot.history().point_count() == len(original(plot.smooth_curve)[0])
    assert x[0] == 0 and x[-1] == 999_999
    assert (np.diff(x) > 0).all()
    assert y.max() == 50.0 and x[y.argmax()] == 123_456
    assert len(x) > 50_000  # still detailed: decimation halves, it does not collapse


def test_export_png_writes_the_plots(plot, tmp_path):
    feed(plot, run_started())
    feed(plot, steps(0, np.linspace(2, 0.1, 500)))
    feed(plot, EpochReport(1, 500, 1.0, 0.9, val_accuracy=0.6))
    path = tmp_path / "loss.png"
    assert plot.export_png(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path))
    assert image.width() > 300 and image.height() > 200
    assert not plot.export_png(str(tmp_path / "missing" / "folder" / "loss.png"))


def test_the_timer_draws_new_steps_while_shown(plot, qtbot):
    feed(plot, run_started())
    feed(plot, steps(0, [1.0, 0.5]))
    qtbot.waitUntil(lambda: len(original(plot.raw_curve)[0]) == 2)


def test_legend_names_the_curves(plot):
    text = " ".join(label.text() for label in plot.findChildren(QLabel))
    for name in ("Every step", "Smoothed", "Validation"):
        assert name in text


def test_after_a_zoom_a_follow_button_brings_the_whole_run_back(plot, qtbot):
    from PySide6.QtWidgets import QPushButton

    feed(plot, run_started(steps_per_epoch=100))  # 1000 steps planned
    feed(plot, steps(0, np.linspace(2, 1, 400)))
    plot.redraw()
    button = next(b for b in plot.findChildren(QPushButton) if b.text() == "Follow the run")
    assert plot.following() and button.isHidden()
    plot.loss_plot.vb.setXRange(100, 200, padding=0)
    plot.loss_plot.vb.sigRangeChangedManually.emit([True, False])  # as a mouse zoom does
    feed(plot, steps(400, np.linspace(1, 0.5, 100)))
    plot.redraw()
    assert not plot.following() and not button.isHidden()
    assert plot.loss_plot.vb.viewRange()[0] == pytest.approx([100, 200])  # left where it was
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert plot.following() and button.isHidden()
    low, high = plot.loss_plot.vb.viewRange()[0]
    assert low <= 0 and 499 * 1.4 < high < 499 * 1.7  # the whole run so far, with room ahead


def test_a_history_handed_over_mid_run_is_drawn_whole(qtbot):
    history = RunHistory()
    history.add(run_started())
    history.add(steps(0, [2.0, 1.5, 1.0]))
    history.add(Marker(2, "learning rate 0.01"))
    widget = LossPlotWidget()
    qtbot.addWidget(widget)
    widget.set_history(history)
    widget.redraw()
    assert widget.history() is history
    assert original(widget.raw_curve)[1].tolist() == [2.0, 1.5, 1.0]
    assert [line.value() for line in marker_lines(widget)] == [2]
    assert widget.empty_text() is None


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_set_theme_repaints_background_legend_and_curves(plot, tmp_path, theme):
    feed(plot, run_started(), steps(0, np.linspace(2, 0.1, 200)))
    plot.set_theme(theme)
    path = tmp_path / "loss.png"
    assert plot.export_png(str(path))
    image = QImage(str(path))
    assert image.pixelColor(image.width() - 2, image.height() - 2).name() == (
        theme.plot_background.lower()
    )
    legend = " ".join(label.text() for label in plot.findChildren(QLabel))
    assert theme.accent in legend
    assert plot.smooth_curve.opts["pen"].color().name() == theme.accent.lower()
