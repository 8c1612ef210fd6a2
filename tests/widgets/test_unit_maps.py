"""UnitMapsWidget: a hidden layer's units as thumbnails, the chosen one large with the boundary."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from app.reports import PredictionReport, UnitMapReport
from widgets.demo_data import FAKE_RUN
from widgets.prediction_map import PlotData
from widgets.theme import DARK, LIGHT
from widgets.unit_grid import diverging_lut
from widgets.unit_maps import UnitMapsWidget

LAYERS = [(1, "1 ReLU"), (2, "2 ReLU"), (4, "4 Tanh")]
BOUNDS = (-2.0, 2.0, -1.0, 1.0)  # the input plane the made-up maps cover


@pytest.fixture
def widget(qtbot):
    w = UnitMapsWidget()
    qtbot.addWidget(w)
    w.set_theme(LIGHT)
    w.set_data(_data())
    w.set_layers(LAYERS)
    w.resize(1000, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def _data(inputs: int = 2) -> PlotData:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.5, 1.5, (60, inputs))
    y = np.arange(60) % 2
    return PlotData(x[:50], y[:50], x[50:], y[50:], "classification", 2)


def _report(
    units: int = 10, layer: int = 1, name: str = "1 ReLU", total: int | None = None, size=24
) -> UnitMapReport:
    """Unit k: k * x + y over the plane, so each unit differs and its range is known."""
    x_min, x_max, y_min, y_max = BOUNDS
    xs, ys = np.linspace(x_min, x_max, size), np.linspace(y_min, y_max, size)
    gx, gy = np.meshgrid(xs, ys)
    maps = np.stack([k * gx + gy for k in range(units)]).astype(np.float32)
    return UnitMapReport(300, layer, name, xs, ys, maps, total or units)


def _show(qtbot, w: UnitMapsWidget, report: UnitMapReport) -> None:
    """Give `report` and wait for the timer to draw it."""
    w.add_unit_maps(report)

    def drawn() -> bool:
        image = w.large_image.image
        unit = w.selected_unit()
        return (
            image is not None
            and unit < len(report.maps)
            and np.array_equal(image, report.maps[unit])
        )

    qtbot.waitUntil(lambda: w.report() is report and drawn())


def _pixel(view: QWidget, point) -> QColor:
    return view.grab().toImage().pixelColor(point)


def _close(color: QColor, rgb: np.ndarray, tolerance: int = 3) -> bool:
    return bool(np.all(np.abs(np.array(color.getRgb()[:3]) - rgb) <= tolerance))


def test_before_training_a_hint_says_what_to_do(widget):
    assert widget.message() == "Train to see what each hidden unit responds to."
    assert widget.unit_grid.count() == 0
    assert widget.layer_box.isVisible()  # the layer can be chosen before training


@pytest.mark.parametrize("units", [1, 10, 64])
def test_one_thumbnail_per_unit(qtbot, widget, units):
    _show(qtbot, widget, _report(units))
    assert widget.unit_grid.count() == units
    assert widget.message() == ""


def test_a_layer_of_more_than_64_units_says_how_many_are_shown(qtbot, widget, english_numbers):
    _show(qtbot, widget, _report(64, total=128))
    assert widget.unit_grid.count() == 64
    assert widget.summary().startswith("Showing 64 of 128 units")


def test_clicking_a_thumbnail_shows_that_unit_large(qtbot, widget):
    report = _report(10)
    _show(qtbot, widget, report)
    grid = widget.unit_grid
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.tile_rect(3).center())
    assert widget.selected_unit() == 3
    assert np.array_equal(widget.large_image.image, report.maps[3])
    assert widget.title() == "Layer 1 (ReLU), unit 3"


def test_arrow_keys_move_the_selection_and_the_large_view_follows(qtbot, widget):
    report = _report(20)
    _show(qtbot, widget, report)
    grid = widget.unit_grid
    grid.setFocus()
    qtbot.waitUntil(grid.hasFocus)
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert widget.selected_unit() == 1
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert widget.selected_unit() == 1 + grid.columns()
    assert np.array_equal(widget.large_image.image, report.maps[1 + grid.columns()])
    qtbot.keyClick(grid, Qt.Key.Key_End)
    assert widget.selected_unit() == 19
    qtbot.keyClick(grid, Qt.Key.Key_Right)  # past the last: stays
    assert widget.selected_unit() == 19
    qtbot.keyClick(grid, Qt.Key.Key_Home)
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert widget.selected_unit() == 0
    assert np.array_equal(widget.large_image.image, report.maps[0])
    assert widget.title() == "Layer 1 (ReLU), unit 0"


def test_the_selection_stays_on_the_same_unit_as_reports_arrive(qtbot, widget):
    _show(qtbot, widget, _report(10))
    widget.select_unit(6)
    later = replace(_report(10), steps_done=600, maps=_report(10).maps * 2)
    _show(qtbot, widget, later)
    assert widget.selected_unit() == 6
    assert np.array_equal(widget.large_image.image, later.maps[6])


def test_choosing_a_layer_emits_its_index_and_drops_the_old_maps(qtbot, widget):
    _show(qtbot, widget, _report(10))
    box = widget.layer_box
    box.setFocus()
    with qtbot.waitSignal(widget.layerChosen) as chosen:
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert chosen.args == [2]
    assert widget.layer() == 2
    assert widget.unit_grid.count() == 0  # the first layer's maps are not this layer's
    assert widget.message()


def test_filling_the_layers_emits_nothing_and_keeps_the_choice(qtbot, widget):
    widget.set_layer(4)
    with qtbot.assertNotEmitted(widget.layerChosen):
        widget.set_layers([(0, "0 Linear"), (4, "4 Tanh")])
    assert widget.layer() == 4
    with qtbot.assertNotEmitted(widget.layerChosen):
        widget.set_layers([(0, "0 Linear")])  # the chosen layer is gone: the first
    assert widget.layer() == 0


def test_a_report_of_another_layer_is_ignored(qtbot, widget):
    _show(qtbot, widget, _report(10, layer=1))
    other = _report(5, layer=4, name="4 Tanh")
    widget.add_unit_maps(other)
    widget.redraw()
    assert widget.report() is not other
    assert widget.unit_grid.count() == 10
    assert widget.title() == "Layer 1 (ReLU), unit 0"


def test_a_model_without_hidden_layers_says_so(widget):
    widget.set_layers([])
    assert widget.layer() is None
    assert "hidden layer" in widget.message()
    assert not widget.layer_box.isVisible()


def test_one_scale_for_all_units_centred_on_zero(qtbot, widget):
    """Thumbnails compare: each is coloured on the layer's largest |value|, 0 is neutral."""
    x_min, x_max, y_min, y_max = BOUNDS
    xs, ys = np.linspace(x_min, x_max, 8), np.linspace(y_min, y_max, 8)
    levels = np.array([2.0, 1.0, 0.0, -2.0], dtype=np.float32)
    maps = np.ones((4, 8, 8), np.float32) * levels[:, None, None]
    _show(qtbot, widget, UnitMapReport(10, 1, "1 ReLU", xs, ys, maps, 4))
    lut = diverging_lut(LIGHT).astype(float)
    background = np.array(QColor(LIGHT.plot_background).getRgb()[:3], dtype=float)
    grid = widget.unit_grid
    colors = [_pixel(grid, grid.tile_rect(k).center()) for k in range(4)]
    assert _close(colors[0], lut[-1])  # the largest value: full orange
    assert _close(colors[1], (background + lut[-1]) / 2, tolerance=4)  # half of it: half-way
    assert _close(colors[2], background)  # zero: nothing to see
    assert _close(colors[3], lut[0])  # the most negative: full blue
    assert widget.color_bar.levels() == (-2.0, 2.0)
    assert widget.scale() == 2.0


def test_the_colours_follow_the_theme(qtbot, widget):
    x_min, x_max, y_min, y_max = BOUNDS
    xs, ys = np.linspace(x_min, x_max, 8), np.linspace(y_min, y_max, 8)
    maps = np.stack([np.zeros((8, 8)), np.ones((8, 8))]).astype(np.float32)
    _show(qtbot, widget, UnitMapReport(10, 1, "1 ReLU", xs, ys, maps, 2))
    widget.set_theme(DARK)
    grid = widget.unit_grid
    zero = _pixel(grid, grid.tile_rect(0).center())
    assert _close(zero, np.array(QColor(DARK.plot_background).getRgb()[:3]))
    assert _close(_pixel(grid, grid.tile_rect(1).center()), diverging_lut(DARK)[-1])


def test_a_thumbnails_tooltip_gives_its_range(qtbot, widget, english_numbers):
    _show(qtbot, widget, _report(10))
    grid = widget.unit_grid
    # Unit 2 is 2x + y over x in [-2, 2], y in [-1, 1]: from -5 to 5.
    tip = grid.tooltip_at(grid.tile_rect(2).center())
    assert "unit 2" in tip and "-5" in tip and "5" in tip
    assert grid.tooltip_at(grid.rect().bottomRight()) == ""


def test_thumbnails_are_labelled_by_unit_when_there_is_room(qtbot, widget):
    _show(qtbot, widget, _report(10))
    assert widget.unit_grid.label(3) == "unit 3"


def test_the_decision_boundary_is_drawn_in_input_coordinates(qtbot, widget):
    """Class 1 right of x = 0.3: the line runs along x = 0.3 on the large view, though the
    prediction's grid is not the maps' grid."""
    _show(qtbot, widget, _report(4))
    xs, ys = np.linspace(-1.5, 2.5, 60), np.linspace(-1.0, 1.0, 30)
    gx, _ = np.meshgrid(xs, ys)
    p1 = 1.0 / (1.0 + np.exp(-6.0 * (gx - 0.3)))
    widget.add_prediction(PredictionReport(300, xs, ys, np.stack([1 - p1, p1], axis=-1)))
    qtbot.waitUntil(
        lambda: widget.boundary_line.xData is not None and len(widget.boundary_line.xData) > 0
    )
    x, y = widget.boundary_line.getData()
    assert np.allclose(x, 0.3, atol=0.05)
    assert y.min() < -0.9 and y.max() > 0.9


def test_the_data_points_are_drawn_over_the_large_view(widget):
    data = _data()
    assert len(widget.data_points.data) == len(data.x_train) + len(data.x_val)


def test_data_without_two_inputs_cannot_be_mapped(qtbot, widget):
    widget.set_data(_data(inputs=3))
    assert widget.message() == "Hidden-unit maps need data with two inputs."
    widget.add_unit_maps(_report(4))
    widget.redraw()
    assert widget.report() is None
    assert widget.unit_grid.count() == 0


def test_unavailable_shows_the_reason_and_ignores_reports(qtbot, widget):
    widget.set_available(False, "Hidden-unit maps need a model with a hidden layer.")
    assert widget.message() == "Hidden-unit maps need a model with a hidden layer."
    assert not widget.layer_box.isVisible()
    widget.add_unit_maps(_report(4))
    assert widget.report() is None
    widget.set_available(True)
    _show(qtbot, widget, _report(4))
    assert widget.message() == ""


def test_a_fresh_run_clears_the_maps_a_continued_one_keeps_them(qtbot, widget):
    report = _report(10)
    _show(qtbot, widget, report)
    widget.reset(replace(FAKE_RUN, first_step=300))  # continues
    assert widget.report() is report
    assert widget.unit_grid.count() == 10
    widget.reset(FAKE_RUN)
    assert widget.report() is None
    assert widget.unit_grid.count() == 0
    assert widget.large_image.image is None
    assert widget.message() == "Train to see what each hidden unit responds to."


def test_export_png_writes_the_picture(qtbot, widget, tmp_path):
    _show(qtbot, widget, _report(10))
    path = tmp_path / "units.png"
    assert widget.export_png(path)
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 200 and image.height() > 200


def test_export_png_fails_for_a_folder_that_does_not_exist(widget, tmp_path):
    assert not widget.export_png(tmp_path / "missing" / "units.png")


def test_reports_of_64_large_maps_reuse_the_items(qtbot, widget):
    """Live updates give the same widgets and plot items new data: nothing is re-created."""
    first = _report(64, size=48)
    _show(qtbot, widget, first)
    children = set(widget.findChildren(QWidget))
    image = widget.large_image
    scene_items = set(widget.large_image.scene().items())
    for step in range(3):
        later = replace(first, steps_done=400 + step, maps=first.maps * (step + 2))
        _show(qtbot, widget, later)
        assert np.array_equal(widget.large_image.image, later.maps[0])
    assert set(widget.findChildren(QWidget)) == children
    assert widget.large_image is image
    assert set(widget.large_image.scene().items()) == scene_items


def test_a_report_whose_maps_do_not_match_its_grid_is_ignored(qtbot, widget):
    report = _report(4)
    widget.add_unit_maps(replace(report, xs=report.xs[:5]))
    widget.add_unit_maps(replace(report, xs=report.xs[:1], maps=report.maps[:, :, :1]))
    widget.redraw()
    assert widget.report() is None
    assert widget.unit_grid.count() == 0


def test_the_scale_is_a_round_number_just_above_the_largest_value(qtbot, widget):
    report = _report(3)  # unit 2: 2x + y, so the largest |value| is 5
    _show(qtbot, widget, replace(report, maps=report.maps * 0.93))  # 4.65
    assert 4.65 <= widget.scale() <= 4.65 * 1.2
    assert widget.color_bar.levels() == (-widget.scale(), widget.scale())


def test_new_data_does_not_lift_the_windows_reason(widget):
    widget.set_available(False, "Hidden-unit maps need a model with a hidden layer.")
    widget.set_data(_data())
    assert widget.message() == "Hidden-unit maps need a model with a hidden layer."
    widget.set_available(True)
    widget.set_data(_data(inputs=1))
    assert widget.message() == "Hidden-unit maps need data with two inputs."
