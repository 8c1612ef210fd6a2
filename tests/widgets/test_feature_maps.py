"""FeatureMapsWidget: an image model's kernels, the chosen validation image and its feature
maps, fed by made-up FeatureMapReports."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QScrollArea, QSpinBox, QToolButton

from app.reports import FeatureMapReport, FeatureMaps
from widgets.demo_data import FAKE_RUN, demo_colour_images, demo_digits
from widgets.feature_map_tiles import kernel_pixels, map_pixels, scaled_bytes
from widgets.feature_maps import FeatureMapsWidget
from widgets.theme import DARK, LIGHT

DIGITS = tuple(str(k) for k in range(10))
RUN = replace(FAKE_RUN, modules=("Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d"))

pytestmark = pytest.mark.usefixtures("english_numbers")


def lenet_layers(seed: int = 0, second: int = 16, kept: int = 16) -> tuple[FeatureMaps, ...]:
    """LeNet's maps for one 28x28 image: 6 at 24x24, 6 at 12x12, `second` at 8x8 and 4x4, of
    which the first `kept` are sent."""
    rng = np.random.default_rng(seed)
    shapes = (("0 Conv2d", 6, 24), ("2 MaxPool2d", 6, 12), ("3 Conv2d", second, 8),
              ("5 MaxPool2d", second, 4))  # fmt: skip
    return tuple(
        FeatureMaps(
            int(name.split()[0]),
            name,
            rng.uniform(0, 3, (min(count, kept), side, side)).astype(np.float32),
            count,
        )
        for name, count, side in shapes
    )


def make_report(
    index: int = 0,
    filters: np.ndarray | None = None,
    image: np.ndarray | None = None,
    layers: tuple[FeatureMaps, ...] | None = None,
    step: int = 500,
    label: int = 7,
    class_names: tuple[str, ...] = DIGITS,
) -> FeatureMapReport:
    rng = np.random.default_rng(index + step)
    if filters is None:
        filters = rng.normal(0, 0.3, (6, 1, 5, 5)).astype(np.float32)
    if image is None:
        image = demo_digits(np.array([label]))[0]
    return FeatureMapReport(
        steps_done=step,
        image_index=index,
        image=image,
        label=label,
        class_names=class_names,
        filter_layer="0 Conv2d",
        filters=filters,
        layers=lenet_layers(index + step) if layers is None else layers,
    )


@pytest.fixture
def view(qtbot) -> FeatureMapsWidget:
    w = FeatureMapsWidget()
    qtbot.addWidget(w)
    w.set_theme(LIGHT)
    w.resize(1100, 700)
    w.show()
    qtbot.waitExposed(w)
    w.set_image_count(100)
    return w


def show(qtbot, view: FeatureMapsWidget, report: FeatureMapReport) -> None:
    """Give `report` and wait until the timer has drawn it."""
    view.add_feature_maps(report)
    drawn = f"Image {report.image_index}, step {report.steps_done}"
    qtbot.waitUntil(lambda: view.message() == "" and drawn in view.image_view.caption())


def pixel(widget, point: QPoint) -> QColor:
    return widget.grab().toImage().pixelColor(point)


def kernel_pixel_centres(view: FeatureMapsWidget, tile: int, k: int) -> list[list[QPoint]]:
    """The screen centre of each of the kernel's k x k weights in filter tile `tile`."""
    rect = view.filter_view.tile_rect(0, tile)
    scale = rect.width() // k
    assert scale >= 2 and rect.width() == scale * k and rect.height() == scale * k
    return [
        [QPoint(rect.x() + c * scale + scale // 2, rect.y() + r * scale + scale // 2)
         for c in range(k)]
        for r in range(k)
    ]  # fmt: skip


def test_before_any_report_it_says_to_train(view):
    assert "Train to see what the convolutions see" in view.message()
    assert view.report() is None


def test_six_5x5_kernels_show_six_filter_tiles(qtbot, view):
    show(qtbot, view, make_report())
    (section,) = view.filter_view.sections()
    assert len(section.images) == 6
    assert view.filter_view.shown_count(0) == 6
    assert view.filter_view.title(0) == "Layer 0 (Conv2d): 6 filters, 5x5"
    for k in range(6):
        rect = view.filter_view.tile_rect(0, k)
        assert rect.width() == rect.height() and rect.width() % 5 == 0 and rect.width() >= 20


def test_a_kernel_tile_follows_its_weights(qtbot, view):
    rng = np.random.default_rng(3)
    filters = rng.normal(0, 0.2, (6, 1, 5, 5)).astype(np.float32)
    filters[2, 0, 1, 3] = 0.9  # the largest weight of kernel 2
    filters[2, 0, 4, 0] = -0.8  # its smallest
    show(qtbot, view, make_report(filters=filters))
    image = view.filter_view.grab().toImage()
    centres = kernel_pixel_centres(view, 2, 5)
    shown = np.array([[image.pixelColor(p).red() for p in row] for row in centres])
    assert np.unravel_index(shown.argmax(), shown.shape) == (1, 3)
    assert np.unravel_index(shown.argmin(), shown.shape) == (4, 0)
    assert shown.max() == 255 and shown.min() == 0  # each kernel over its own range
    # Brighter pixels are larger weights, everywhere in the tile.
    weights = filters[2, 0].ravel()
    assert np.all(np.diff(shown.ravel()[np.argsort(weights)].astype(int)) >= 0)


def test_each_kernel_is_scaled_over_its_own_range(qtbot, view):
    filters = np.zeros((2, 1, 3, 3), np.float32)
    filters[0, 0] = np.arange(9).reshape(3, 3) * 0.001  # tiny weights
    filters[1, 0] = np.arange(9).reshape(3, 3) * 10.0  # large ones
    show(qtbot, view, make_report(filters=filters))
    image = view.filter_view.grab().toImage()
    for tile in (0, 1):
        centres = kernel_pixel_centres(view, tile, 3)
        assert image.pixelColor(centres[0][0]).red() == 0
        assert image.pixelColor(centres[2][2]).red() == 255


def test_feature_map_tiles_match_the_report_layer_by_layer(qtbot, view):
    layers = lenet_layers()
    show(qtbot, view, make_report(layers=layers))
    maps = view.maps_view
    assert [s.title for s in maps.sections()] == [
        "Layer 0 (Conv2d): 6 maps, 24x24",
        "Layer 2 (MaxPool2d): 6 maps, 12x12",
        "Layer 3 (Conv2d): 16 maps, 8x8",
        "Layer 5 (MaxPool2d): 16 maps, 4x4",
    ]
    for number, layer in enumerate(layers):
        count, height, width = layer.maps.shape
        section = maps.sections()[number]
        assert len(section.images) == count
        assert all((im.width(), im.height()) == (width, height) for im in section.images)
        assert maps.shown_count(number) == count
        rect = maps.tile_rect(number, 0)
        scale = rect.width() // width
        assert scale >= 1 and rect.width() == scale * width and rect.height() == scale * height


def test_a_feature_map_tile_shows_its_values_on_the_layer_scale(qtbot, view):
    maps = np.zeros((2, 4, 4), np.float32)
    maps[0, 0, 0] = 8.0  # the layer's largest value: white
    maps[1, 3, 3] = 4.0  # half of it, in the other channel: mid grey
    layers = (FeatureMaps(2, "2 MaxPool2d", maps, 2),)
    show(qtbot, view, make_report(layers=layers))
    image = view.maps_view.grab().toImage()

    def value_at(tile: int, row: int, column: int) -> int:
        rect = view.maps_view.tile_rect(0, tile)
        scale = rect.width() // 4
        point = QPoint(rect.x() + column * scale + scale // 2, rect.y() + row * scale + scale // 2)
        return image.pixelColor(point).red()

    assert value_at(0, 0, 0) == 255
    assert value_at(1, 3, 3) in (127, 128)
    assert value_at(1, 0, 0) == 0 and value_at(0, 3, 3) == 0


def test_a_layer_with_more_channels_than_sent_says_how_many_are_shown(qtbot, view):
    show(qtbot, view, make_report(layers=lenet_layers(second=64, kept=32)))
    titles = [view.maps_view.title(k) for k in range(4)]
    assert titles[2] == "Layer 3 (Conv2d): 64 maps, 8x8 \u00b7 showing 32 of 64"
    assert titles[3] == "Layer 5 (MaxPool2d): 64 maps, 4x4 \u00b7 showing 32 of 64"
    assert len(view.maps_view.sections()[2].images) == 32


def test_many_layers_scroll(qtbot, view):
    view.resize(700, 420)
    layers = lenet_layers(second=64, kept=32) * 3
    show(qtbot, view, make_report(layers=layers))
    (scroll,) = [a for a in view.findChildren(QScrollArea) if a.widget() is view.maps_view]
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    assert view.maps_view.height() > scroll.viewport().height()
    last = view.maps_view.tile_rect(len(layers) - 1, 31)
    assert last.bottom() < view.maps_view.height()  # every tile has a place, down the scroll


def test_a_report_of_another_image_is_ignored(qtbot, view):
    view.set_image_index(4)
    show(qtbot, view, make_report(index=4, step=100))
    view.add_feature_maps(make_report(index=9, step=200))  # asked for before the choice changed
    assert view.report().image_index == 4 and view.report().steps_done == 100
    view.redraw()
    assert "Image 4, step 100" in view.image_view.caption()


def test_the_chooser_emits_the_chosen_image(qtbot, view):
    (next_button,) = [b for b in view.findChildren(QToolButton) if "next" in b.toolTip()]
    (previous,) = [b for b in view.findChildren(QToolButton) if "previous" in b.toolTip()]
    assert not previous.isEnabled()  # at image 0
    with qtbot.waitSignal(view.imageChosen) as chosen:
        qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert chosen.args == [1] and view.image_index() == 1
    with qtbot.waitSignal(view.imageChosen) as chosen:
        qtbot.mouseClick(previous, Qt.MouseButton.LeftButton)
    assert chosen.args == [0]
    with qtbot.waitSignal(view.imageChosen) as chosen:
        view.set_image_index(42)
    assert chosen.args == [42]


def test_page_up_and_page_down_step_through_the_images(qtbot, view):
    (spin,) = view.findChildren(QSpinBox)
    view.set_image_index(10)
    for focus in (spin, view.maps_view):
        focus.setFocus()
        with qtbot.waitSignal(view.imageChosen) as chosen:
            qtbot.keyClick(focus, Qt.Key.Key_PageDown)
        assert chosen.args == [11]
        with qtbot.waitSignal(view.imageChosen) as chosen:
            qtbot.keyClick(focus, Qt.Key.Key_PageUp)
        assert chosen.args == [10]


def test_the_chooser_stays_within_the_images_there_are(qtbot, view):
    (spin,) = view.findChildren(QSpinBox)
    view.set_image_count(5)
    view.set_image_index(50)
    assert view.image_index() == 4
    (next_button,) = [b for b in view.findChildren(QToolButton) if "next" in b.toolTip()]
    assert not next_button.isEnabled()
    view.set_image_count(1)
    assert not spin.isEnabled()


def test_choosing_another_image_says_it_comes_next(qtbot, view):
    show(qtbot, view, make_report(index=0))
    view.set_image_index(3)
    assert "Image 3 comes next" in view.image_view.caption()
    show(qtbot, view, make_report(index=3, step=600))
    assert view.image_view.caption()[1:] == ("Image 3, step 600",)


def test_the_image_is_large_and_labelled(qtbot, view):
    show(qtbot, view, make_report(label=7))
    assert view.image_view.caption()[0] == "7"
    rect = view.image_view.image_rect()
    assert rect.width() >= 4 * 28 and rect.width() % 28 == 0  # whole factors, crisp pixels


def test_a_three_channel_image_and_its_kernels_show_in_colour(qtbot, view):
    image = np.zeros((3, 32, 32), np.uint8)
    image[0], image[1], image[2] = 200, 40, 90
    filters = np.zeros((4, 3, 3, 3), np.float32)
    filters[:, 0, 0, 2] = 1.0  # a large red weight top right
    filters[:, 2, 2, 0] = 1.0  # a large blue one bottom left
    names = ("plane", "car", "bird")
    show(qtbot, view, make_report(filters=filters, image=image, label=2, class_names=names))
    centre = view.image_view.image_rect().center()
    assert pixel(view.image_view, centre).getRgb()[:3] == (200, 40, 90)
    assert view.image_view.caption()[0] == "bird"
    image = view.filter_view.grab().toImage()
    centres = kernel_pixel_centres(view, 1, 3)
    assert image.pixelColor(centres[0][2]).getRgb()[:3] == (255, 0, 0)
    assert image.pixelColor(centres[2][0]).getRgb()[:3] == (0, 0, 255)
    assert image.pixelColor(centres[1][1]).getRgb()[:3] == (0, 0, 0)


def test_reset_clears_and_a_continued_run_keeps_what_it_has(qtbot, view):
    show(qtbot, view, make_report())
    view.reset(replace(RUN, first_step=500))  # continues: the maps stay
    assert view.report() is not None and view.message() == ""
    view.reset(RUN)
    assert view.report() is None
    assert "Train to see" in view.message()
    assert view.maps_view.sections() == () and view.filter_view.sections() == ()
    show(qtbot, view, make_report(step=10))  # the next run draws again


def test_repeated_reports_reuse_the_tiles(qtbot, view):
    show(qtbot, view, make_report(step=100))
    filters_before = view.filter_view.sections()[0].images
    maps_before = [s.images for s in view.maps_view.sections()]
    first_pixels = view.maps_view.sections()[0].images[0].copy()
    view.add_feature_maps(make_report(step=200))
    qtbot.waitUntil(lambda: "Image 0, step 200" in view.image_view.caption())
    assert all(
        a is b for a, b in zip(filters_before, view.filter_view.sections()[0].images, strict=True)
    )
    for before, section in zip(maps_before, view.maps_view.sections(), strict=True):
        assert all(a is b for a, b in zip(before, section.images, strict=True))
    assert view.maps_view.sections()[0].images[0] != first_pixels  # refilled with new values


def test_unavailable_says_why_and_ignores_reports(qtbot, view):
    view.set_available(False)
    assert view.message() == "Filters and feature maps need an image dataset and a Conv2d layer."
    view.add_feature_maps(make_report())
    assert view.report() is None
    view.set_available(False, "This dataset has no images.")
    assert view.message() == "This dataset has no images."
    view.set_available(True)
    assert "Train to see" in view.message()
    show(qtbot, view, make_report())


def test_a_hidden_tab_draws_when_it_is_shown(qtbot, view):
    view.hide()
    view.add_feature_maps(make_report())
    view.show()
    qtbot.waitUntil(lambda: view.message() == "")


def test_export_png_writes_the_tab(qtbot, view, tmp_path):
    view.add_feature_maps(make_report())
    path = tmp_path / "maps.png"
    assert view.export_png(path)
    saved = QImage(str(path))
    assert (saved.width(), saved.height()) == (view.width(), view.height())
    assert not view.export_png(tmp_path / "missing" / "maps.png")


def test_set_theme_paints_the_views(qtbot, view):
    show(qtbot, view, make_report())
    for theme in (DARK, LIGHT):
        view.set_theme(theme)
        for part in (view.filter_view, view.image_view, view.maps_view):
            assert pixel(part, QPoint(1, 1)) == QColor(theme.plot_background)


def test_tiles_and_controls_have_tooltips(qtbot, view):
    show(qtbot, view, make_report())
    assert "Filter 3" in view.filter_view.tooltip_at(view.filter_view.tile_rect(0, 3).center())
    tip = view.maps_view.tooltip_at(view.maps_view.tile_rect(1, 2).center())
    assert tip.startswith("Channel 2")
    assert "labelled 7" in view.image_view.tooltip_at(view.image_view.image_rect().center())
    for control in [*view.findChildren(QToolButton), *view.findChildren(QSpinBox)]:
        assert control.toolTip()
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_many_kernels_in_a_short_tab_shrink_and_say_how_many_fit(qtbot, view):
    view.resize(560, 360)
    filters = np.random.default_rng(0).normal(size=(256, 1, 3, 3)).astype(np.float32)
    show(qtbot, view, make_report(filters=filters))
    qtbot.waitUntil(lambda: view.filter_view.height() <= 0.3 * view.height())
    shown = view.filter_view.shown_count(0)
    assert 0 < shown < 256
    assert view.filter_view.title(0).endswith(f"showing {shown} of 256")


def test_a_tall_tab_puts_the_image_above_the_maps(qtbot, view):
    show(qtbot, view, make_report())
    view.resize(600, 900)
    qtbot.waitUntil(
        lambda: (
            view.image_view.mapTo(view, QPoint(0, 0)).y()
            < view.maps_view.mapTo(view, QPoint(0, 0)).y()
        )
    )
    view.resize(1400, 800)
    qtbot.waitUntil(
        lambda: (
            view.image_view.mapTo(view, QPoint(0, 0)).x()
            < view.maps_view.mapTo(view, QPoint(0, 0)).x()
        )
    )


def test_a_model_without_conv2d_shows_only_its_maps(qtbot, view):
    report = replace(make_report(), filter_layer="", filters=np.zeros((0, 0, 0, 0), np.float32))
    show(qtbot, view, report)
    assert view.filter_view.sections() == () and not view.filter_view.isVisible()


def test_pixels_scale_without_warnings_for_odd_values():
    values = np.array([[np.nan, 1.0, np.inf, -np.inf, 3.0]])
    assert scaled_bytes(values, per_item=True).tolist() == [[0, 0, 255, 0, 255]]
    assert scaled_bytes(np.full((2, 3), np.nan), per_item=False).tolist() == [[0] * 3] * 2
    assert scaled_bytes(np.ones((1, 2)), per_item=True).tolist() == [[0, 0]]  # no spread
    assert kernel_pixels(np.ones((2, 6, 3, 3))).shape == (2, 3, 3)  # mean over six inputs
    assert kernel_pixels(np.ones((2, 3, 5, 5))).shape == (2, 5, 5, 3)
    assert map_pixels(np.zeros((4, 2, 2))).dtype == np.uint8


def test_the_rgb_demo_images_work_too(qtbot, view):
    image = demo_colour_images(np.array([1]))[0]
    filters = np.random.default_rng(1).normal(size=(8, 3, 5, 5)).astype(np.float32)
    show(qtbot, view, make_report(image=image, filters=filters))
    assert view.filter_view.title(0) == "Layer 0 (Conv2d): 8 filters, 5x5"
