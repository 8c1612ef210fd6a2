"""DecisionBoundaryWidget: the points as the data has them, the prediction where the grid is."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QLabel

from app.datasets import DataConfig
from app.datasets.toy import generate
from app.reports import PredictionReport
from widgets.decision_boundary import DecisionBoundaryWidget
from widgets.prediction_map import MAX_POINTS, PlotData, boundary_segments, grid_bounds_for
from widgets.theme import DARK, class_colors, current_theme

GRID = 60
SPLIT = 0.3  # the synthetic model says class 1 where x > SPLIT


@pytest.fixture
def widget(qtbot):
    w = DecisionBoundaryWidget()
    qtbot.addWidget(w)
    w.resize(700, 600)
    return w


def _classification(n_train: int = 40, n_val: int = 10, classes: int = 2) -> PlotData:
    rng = np.random.default_rng(1)
    x = rng.uniform([-2.0, -1.0], [2.0, 1.0], (n_train + n_val, 2))
    y = np.arange(n_train + n_val) % classes
    return PlotData(x[:n_train], y[:n_train], x[n_train:], y[n_train:], "classification", classes)


def _regression(n_train: int = 30, n_val: int = 8) -> PlotData:
    x = np.linspace(-3.0, 3.0, n_train + n_val).reshape(-1, 1)
    y = np.sin(x)  # (N, 1), as the toy datasets give targets
    return PlotData(x[:n_train], y[:n_train], x[n_train:], y[n_train:], "regression", 0)


def _linear_report(bounds, steps: int = 100) -> PredictionReport:
    """Class probabilities of a known rule: class 1 to the right of x = SPLIT."""
    x_min, x_max, y_min, y_max = bounds
    xs, ys = np.linspace(x_min, x_max, GRID), np.linspace(y_min, y_max, GRID)
    gx, _ = np.meshgrid(xs, ys)
    p1 = 1.0 / (1.0 + np.exp(-6.0 * (gx - SPLIT)))
    return PredictionReport(steps, xs, ys, np.stack([1.0 - p1, p1], axis=-1))


def _rgb(color: str) -> np.ndarray:
    return np.array(QColor(color).getRgb()[:3], dtype=float)


def _empty(values) -> bool:
    return values is None or len(values) == 0


def _view_rect(w: DecisionBoundaryWidget):
    image = w.prediction_image
    return image.mapRectToItem(w.plot_item.vb.childGroup, image.boundingRect())


def _view_point(w: DecisionBoundaryWidget, x: float, y: float) -> QPointF:
    return w.prediction_image.mapToItem(w.plot_item.vb.childGroup, QPointF(x, y))


def _image(w: DecisionBoundaryWidget) -> np.ndarray | None:
    """The prediction map's pixels, (H, W, 3 or 4); None when no prediction is drawn."""
    return w.prediction_image.image


def test_before_data_a_muted_message_shows(widget):
    assert widget.message()
    (label,) = [label for label in widget.findChildren(QLabel) if label.text() == widget.message()]
    assert label.foregroundRole() == QPalette.ColorRole.PlaceholderText


def test_classification_points_filled_for_training_hollow_for_validation(widget):
    data = _classification(n_train=40, n_val=10)
    widget.set_data(data)
    assert widget.message() == ""
    train, val = widget.training_points.data, widget.validation_points.data
    assert len(train) == 40 and len(val) == 10
    np.testing.assert_allclose(train["x"], data.x_train[:, 0])
    np.testing.assert_allclose(train["y"], data.x_train[:, 1])
    colors = class_colors(current_theme(), 2)
    for spot, label in zip(widget.training_points.points(), data.y_train, strict=True):
        assert spot.brush().style() != Qt.BrushStyle.NoBrush
        assert spot.brush().color().name().upper() == colors[label].upper()
    for spot, label in zip(widget.validation_points.points(), data.y_val, strict=True):
        assert spot.brush().style() == Qt.BrushStyle.NoBrush  # hollow
        assert spot.pen().color().name().upper() == colors[label].upper()
    caption = widget.caption_text()
    assert "training (40)" in caption
    assert "validation (10)" in caption
    assert widget.plot_item.vb.state["aspectLocked"]


def test_regression_points_are_x_against_y(widget):
    data = _regression(n_train=30, n_val=8)
    widget.set_data(data)
    train, val = widget.training_points.data, widget.validation_points.data
    assert len(train) == 30 and len(val) == 8
    np.testing.assert_allclose(train["x"], data.x_train[:, 0])
    np.testing.assert_allclose(train["y"], data.y_train[:, 0])
    np.testing.assert_allclose(val["y"], data.y_val[:, 0])
    hollow = widget.validation_points.points()
    assert all(s.brush().style() == Qt.BrushStyle.NoBrush for s in hollow)
    assert all(s.brush().style() != Qt.BrushStyle.NoBrush for s in widget.training_points.points())
    assert not widget.plot_item.vb.state["aspectLocked"]


def test_large_datasets_draw_a_sample_and_say_so(widget):
    dataset = generate(DataConfig("blobs", samples=20_000, classes=4))
    widget.set_data(PlotData.from_dataset(dataset))
    drawn = len(widget.training_points.data) + len(widget.validation_points.data)
    assert 0.99 * MAX_POINTS <= drawn <= MAX_POINTS
    caption = widget.caption_text()
    assert "20,000" not in caption  # the parts are counted, not the total
    assert "16,000" in caption and "showing" in caption


def test_datasets_it_cannot_map_show_why(widget):
    x = np.zeros((10, 784))
    widget.set_data(PlotData(x, np.zeros(10, int), x, np.zeros(10, int), "classification", 10))
    assert "784" in widget.message()
    widget.add_prediction(_linear_report((-1, 1, -1, 1)))
    widget.redraw()
    assert _image(widget) is None and widget.prediction() is None


def test_grid_bounds_pad_the_data_range_by_ten_percent():
    x = np.array([[0.0, -2.0], [10.0, 2.0], [5.0, 0.0]])
    assert grid_bounds_for(x) == pytest.approx((-1.0, 11.0, -2.4, 2.4))
    one = np.array([[1.0], [3.0]])
    assert grid_bounds_for(one)[:2] == pytest.approx((0.8, 3.2))
    assert grid_bounds_for(np.array([[2.0, 2.0]])) == pytest.approx((1.0, 3.0, 1.0, 3.0))


def test_widget_grid_bounds_cover_training_and_validation(widget):
    data = _classification()
    widget.set_data(data)
    assert widget.grid_bounds() == pytest.approx(
        grid_bounds_for(np.concatenate([data.x_train, data.x_val]))
    )


def test_prediction_image_lies_exactly_over_the_grid(widget):
    widget.set_data(_classification())
    bounds = widget.grid_bounds()
    report = _linear_report(bounds)
    widget.add_prediction(report)
    widget.redraw()

    image = _image(widget)
    assert image.shape[:2] == (GRID, GRID) and image.shape[2] in (3, 4)
    # The coloured area is the grid's rectangle...
    x_min, x_max, y_min, y_max = bounds
    area = widget.map_rect()
    assert (area.left(), area.right()) == pytest.approx((x_min, x_max))
    assert (area.top(), area.bottom()) == pytest.approx((y_min, y_max))
    # ...and each pixel's centre sits on its grid point (so the image reaches half a cell out,
    # clipped by that rectangle).
    dx, dy = np.diff(report.xs)[0], np.diff(report.ys)[0]
    rect = _view_rect(widget)
    assert (rect.left(), rect.right()) == pytest.approx((x_min - dx / 2, x_max + dx / 2))
    assert (rect.top(), rect.bottom()) == pytest.approx((y_min - dy / 2, y_max + dy / 2))
    for i, j in ((0, 0), (GRID - 1, GRID - 1), (17, 42)):
        centre = _view_point(widget, j + 0.5, i + 0.5)
        assert (centre.x(), centre.y()) == pytest.approx((report.xs[j], report.ys[i]))


def test_cells_take_the_winning_class_colour_fading_where_unsure(widget):
    widget.set_data(_classification())
    report = _linear_report(widget.grid_bounds())
    widget.add_prediction(report)
    widget.redraw()

    image = _image(widget)[..., :3].astype(float)
    theme = current_theme()
    colors = [_rgb(c) for c in class_colors(theme, 2)]
    background = _rgb(theme.plot_background)
    right, left = image[:, -1].mean(axis=0), image[:, 0].mean(axis=0)
    # The sure cells point from the background straight toward their class colour.
    for cell, color in ((right, colors[1]), (left, colors[0])):
        toward = (cell - background) / np.linalg.norm(cell - background)
        direction = (color - background) / np.linalg.norm(color - background)
        assert toward @ direction > 0.99
    # Where the model is unsure (p = 0.5 at x = SPLIT) the cell keeps the background.
    middle = int(np.argmin(np.abs(report.xs - SPLIT)))
    assert np.abs(image[:, middle] - background).max() < 40


def test_two_classes_draw_the_half_way_line(widget):
    widget.set_data(_classification())
    widget.add_prediction(_linear_report(widget.grid_bounds()))
    widget.redraw()
    x, y = widget.boundary_line.getData()
    assert len(x) > 0
    points = [_view_point(widget, a, b) for a, b in zip(x, y, strict=True)]
    assert all(p.x() == pytest.approx(SPLIT, abs=0.02) for p in points)


def test_boundary_segments_trace_a_circle():
    i, j = np.mgrid[0:40, 0:50] + 0.5
    grid = np.hypot(j - 25, i - 20) / 10 * 0.5  # 0.5 on the circle of radius 10
    ends = boundary_segments(grid)
    radius = np.hypot(ends[:, 0] - 25, ends[:, 1] - 20)
    assert radius == pytest.approx(np.full(len(ends), 10.0), abs=0.02)
    length = np.hypot(*(ends[1::2] - ends[::2]).T).sum()
    assert length == pytest.approx(2 * np.pi * 10, rel=0.01)


def test_only_the_latest_prediction_is_drawn(widget):
    widget.set_data(_classification())
    bounds = widget.grid_bounds()
    first, latest = _linear_report(bounds, steps=10), _linear_report(bounds, steps=20)
    widget.add_prediction(first)
    widget.add_prediction(latest)
    widget.redraw()
    assert widget.prediction() is latest
    assert "20 steps" in widget.caption_text()


def test_the_timer_draws_a_prediction_when_shown(widget, qtbot):
    widget.show()
    widget.set_data(_classification())
    widget.add_prediction(_linear_report(widget.grid_bounds()))
    qtbot.waitUntil(lambda: _image(widget) is not None)


def test_regression_curve_is_the_report(widget):
    widget.set_data(_regression())
    x_min, x_max, _, _ = widget.grid_bounds()
    xs = np.linspace(x_min, x_max, 80)
    report = PredictionReport(50, xs, None, 0.8 * np.sin(xs))
    widget.add_prediction(report)
    widget.redraw()
    x, y = widget.output_curve.getData()
    np.testing.assert_allclose(x, xs)
    np.testing.assert_allclose(y, report.values)


def test_a_report_that_does_not_fit_the_data_is_ignored(widget):
    widget.set_data(_classification())
    xs = np.linspace(-1, 1, 30)
    widget.add_prediction(PredictionReport(5, xs, None, np.zeros(30)))  # a regression curve
    widget.redraw()
    assert _image(widget) is None


def test_reset_removes_the_prediction_and_keeps_the_points(widget):
    widget.set_data(_classification())
    widget.add_prediction(_linear_report(widget.grid_bounds()))
    widget.redraw()
    widget.reset()
    assert _image(widget) is None
    assert _empty(widget.boundary_line.getData()[0])
    assert len(widget.training_points.data) == 40

    widget.set_data(_regression())
    xs = np.linspace(-3, 3, 20)
    widget.add_prediction(PredictionReport(5, xs, None, xs))
    widget.redraw()
    widget.reset()
    assert _empty(widget.output_curve.getData()[0])
    assert len(widget.training_points.data) == 30


def test_new_data_forgets_the_old_prediction(widget):
    widget.set_data(_classification())
    widget.add_prediction(_linear_report(widget.grid_bounds()))
    widget.redraw()
    widget.set_data(_classification(classes=3))
    widget.redraw()
    assert _image(widget) is None


def test_dark_theme_blends_toward_the_dark_background(widget):
    widget.set_data(_classification())
    widget.set_theme(DARK)
    report = _linear_report(widget.grid_bounds())
    widget.add_prediction(report)
    widget.redraw()
    middle = int(np.argmin(np.abs(report.xs - SPLIT)))
    cell = _image(widget)[GRID // 2, middle, :3].astype(float)
    assert np.abs(cell - _rgb(DARK.plot_background)).max() < 40


def test_export_png_writes_the_plot(widget, tmp_path):
    widget.set_data(_classification())
    widget.add_prediction(_linear_report(widget.grid_bounds()))
    path = tmp_path / "boundary.png"
    assert widget.export_png(path)
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 100
    assert not widget.export_png(tmp_path / "missing" / "boundary.png")
