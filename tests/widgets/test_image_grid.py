"""ImageGridWidget: samples with labels, predictions with wrong ones marked, or a hint."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from widgets.demo_data import demo_digits
from widgets.image_grid import ImageGridWidget
from widgets.image_grid_layout import MIN_SIDE, PAD
from widgets.style import apply_look
from widgets.theme import DARK, LIGHT

NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
         "Bag", "Ankle boot")  # fmt: skip


pytestmark = pytest.mark.usefixtures("english_numbers")


@pytest.fixture
def grid(qtbot):
    w = ImageGridWidget()
    qtbot.addWidget(w)
    w.resize(900, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def _grey(values: list[int], size: int = 28) -> np.ndarray:
    """(N, 1, size, size) images, each one flat grey level."""
    return np.array(values, np.uint8)[:, None, None, None] * np.ones((1, 1, size, size), np.uint8)


def _rgb(colors: list[tuple[int, int, int]], size: int = 32) -> np.ndarray:
    """(N, 3, size, size) images, each one flat colour."""
    return np.array(colors, np.uint8)[:, :, None, None] * np.ones((1, 1, size, size), np.uint8)


def _image_centre(grid: ImageGridWidget, index: int) -> QPoint:
    rect = grid.tile_rect(index)
    side = rect.width() - 2 * PAD
    return QPoint(rect.x() + PAD + side // 2, rect.y() + PAD + side // 2)


def _pixel(grid: ImageGridWidget, point: QPoint) -> tuple[int, int, int]:
    return grid.grab().toImage().pixelColor(point).getRgb()[:3]


def _tooltip_shown(grid: ImageGridWidget, point: QPoint) -> str:
    QToolTip.hideText()
    event = QHelpEvent(QEvent.Type.ToolTip, point, grid.mapToGlobal(point))
    QApplication.sendEvent(grid, event)
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_empty_grid_shows_a_hint_and_only_background(grid):
    assert grid.message()
    assert grid.count() == 0 and grid.summary() == "" and grid.columns() == 0
    image = grid.grab().toImage()
    corner = image.pixelColor(5, 5)
    assert image.pixelColor(image.width() // 4, image.height() // 4) == corner


def test_samples_are_captioned_with_their_class_names(grid):
    labels = np.array([0, 9, 6, 3])
    grid.show_samples(_grey([50, 100, 150, 200]), labels, NAMES)
    assert grid.count() == 4 and grid.shown_count() == 4
    assert [grid.caption(k) for k in range(4)] == ["T-shirt/top", "Ankle boot", "Shirt", "Dress"]
    assert grid.wrong_indices() == []
    assert grid.summary() == "4 images with their labels"
    assert grid.message() == ""


def test_grey_tiles_show_their_pixels(grid):
    grid.show_samples(_grey([40, 200]), np.array([1, 2]), NAMES)
    assert _pixel(grid, _image_centre(grid, 0)) == (40, 40, 40)
    assert _pixel(grid, _image_centre(grid, 1)) == (200, 200, 200)


def test_rgb_tiles_show_their_colours(grid):
    grid.show_samples(_rgb([(220, 30, 30), (20, 160, 60)]), np.array([0, 1]), ("cat", "dog"))
    assert _pixel(grid, _image_centre(grid, 0)) == (220, 30, 30)
    assert _pixel(grid, _image_centre(grid, 1)) == (20, 160, 60)


def test_grey_images_without_a_channel_axis_are_accepted(grid):
    grid.show_samples(_grey([90, 90])[:, 0], np.array([0, 1]), NAMES)
    assert grid.count() == 2
    assert _pixel(grid, _image_centre(grid, 1)) == (90, 90, 90)


def test_pixels_are_scaled_nearest_neighbour(grid):
    """A 2x2 checkerboard stays four flat squares: no blending at the seams."""
    board = np.array([[[[0, 255], [255, 0]]]], np.uint8)  # one 2x2 image
    grid.show_samples(board, np.array([0]), NAMES)
    rect = grid.tile_rect(0)
    side = rect.width() - 2 * PAD
    image = grid.grab().toImage()
    top = rect.y() + PAD
    values = {image.pixelColor(rect.x() + PAD + x, top + side // 4).red() for x in range(side)}
    assert values == {0, 255}


def test_predictions_mark_the_wrong_ones(grid):
    labels = np.arange(10)
    predicted = labels.copy()
    predicted[[2, 5, 7]] = [4, 6, 9]
    grid.show_predictions(demo_digits(labels), labels, predicted, NAMES)
    assert grid.wrong_indices() == [2, 5, 7]
    assert grid.summary() == "3 of 10 wrong"
    assert grid.caption(0) == "T-shirt/top"
    assert grid.caption(2) == "\u2717 Coat\ntrue: Pullover"
    assert "Coat" in grid.tooltip_at(_image_centre(grid, 2))
    assert "Pullover" in grid.tooltip_at(_image_centre(grid, 2))
    assert "wrong" in grid.tooltip_at(_image_centre(grid, 2))
    assert "right" in grid.tooltip_at(_image_centre(grid, 0))


def test_a_wrong_tile_has_an_error_coloured_frame(grid):
    grid.set_theme(LIGHT)
    labels = np.array([0, 1])
    grid.show_predictions(_grey([128, 128]), labels, np.array([0, 2]), NAMES)
    image = grid.grab().toImage()
    error = QColor(LIGHT.error)

    def frame_pixel(index: int) -> QColor:
        rect = grid.tile_rect(index)
        return image.pixelColor(rect.x() + 1, rect.center().y())

    wrong, right = frame_pixel(1), frame_pixel(0)
    assert abs(wrong.red() - error.red()) + abs(wrong.green() - error.green()) < 60
    assert right == QColor(LIGHT.plot_background)


def test_all_right_says_so(grid):
    labels = np.array([3, 4, 5])
    grid.show_predictions(_grey([1, 2, 3]), labels, labels, NAMES)
    assert grid.wrong_indices() == []
    assert grid.summary() == "all 3 right"


def test_predictions_replace_the_images_when_they_change(grid):
    labels = np.array([0, 1])
    grid.show_predictions(_grey([10, 20]), labels, labels, NAMES)
    grid.show_predictions(_grey([10, 240]), labels, labels, NAMES)
    assert _pixel(grid, _image_centre(grid, 1)) == (240, 240, 240)


def test_tooltips_of_tiles_reach_the_user(grid):
    grid.show_samples(_grey([100, 100]), np.array([9, 1]), NAMES)
    assert _tooltip_shown(grid, _image_centre(grid, 0)) == "Label: Ankle boot"
    assert grid.tooltip_at(QPoint(2, grid.height() - 2)) == ""  # between tiles: none


def test_long_captions_are_elided_but_kept_whole_in_the_tooltip(qtbot):
    w = ImageGridWidget()
    qtbot.addWidget(w)
    w.resize(200, 200)
    w.show_samples(_grey([100]), np.array([0]), ("a very long class name indeed",))
    assert w.caption(0) == "a very long class name indeed"
    assert "a very long class name indeed" in w.tooltip_at(_image_centre(w, 0))
    assert w.tile_rect(0).width() < w.fontMetrics().horizontalAdvance(w.caption(0))


def test_clear_shows_the_message(grid):
    grid.show_samples(_grey([100]), np.array([0]), NAMES)
    grid.clear("Press Train to see predictions")
    assert grid.message() == "Press Train to see predictions"
    assert grid.count() == 0 and grid.summary() == "" and grid.wrong_indices() == []
    assert grid.tooltip_at(QPoint(50, 50)) == ""
    grid.clear()
    assert grid.message()  # a default hint, never a blank widget


def test_columns_follow_the_width(grid):
    labels = np.arange(32) % 10
    grid.show_samples(demo_digits(labels), labels, NAMES)
    grid.resize(900, 600)
    wide = grid.columns()
    grid.resize(320, 900)
    narrow = grid.columns()
    assert narrow < wide
    assert grid.shown_count() == 32
    # Tiles stay at least MIN_SIDE wide and inside the widget.
    for k in range(32):
        rect = grid.tile_rect(k)
        assert rect.width() - 2 * PAD >= MIN_SIDE
        assert grid.rect().contains(rect)


def test_larger_widgets_get_larger_tiles(grid):
    labels = np.arange(8)
    grid.show_samples(_grey([100] * 8), labels, NAMES)
    grid.resize(400, 400)
    small = grid.tile_rect(0).width()
    grid.resize(1600, 1000)
    assert grid.tile_rect(0).width() > small


def test_when_not_all_fit_the_wrong_ones_are_shown_first(grid):
    labels = np.arange(40) % 10
    predicted = labels.copy()
    predicted[[33, 38]] = 0
    grid.resize(320, 260)
    grid.show_predictions(_grey([100] * 40), labels, predicted, NAMES)
    assert grid.shown_count() < 40
    assert not grid.tile_rect(33).isEmpty() and not grid.tile_rect(38).isEmpty()
    assert grid.tile_rect(39).isEmpty()
    assert grid.summary().startswith("2 of 40 wrong")
    assert "shown" in grid.summary()


def test_dark_theme_paints_a_dark_background(grid):
    grid.set_theme(DARK)
    grid.show_samples(_grey([255]), np.array([0]), NAMES)
    background = grid.grab().toImage().pixelColor(2, grid.height() - 2)
    assert background == QColor(DARK.plot_background)
    grid.set_theme(LIGHT)
    background = grid.grab().toImage().pixelColor(2, grid.height() - 2)
    assert background == QColor(LIGHT.plot_background)


@pytest.mark.parametrize(
    "images, labels",
    [
        (np.zeros((2, 2, 28, 28), np.uint8), np.array([0, 1])),  # two channels
        (np.zeros((2, 1, 28, 28), np.float32), np.array([0, 1])),  # not uint8
        (np.zeros((3, 1, 28, 28), np.uint8), np.array([0, 1])),  # counts differ
    ],
)
def test_bad_input_is_refused(grid, images, labels):
    with pytest.raises(ValueError):
        grid.show_samples(images, labels, NAMES)


def test_predictions_must_match_labels(grid):
    with pytest.raises(ValueError):
        grid.show_predictions(_grey([1, 2]), np.array([0, 1]), np.array([0]), NAMES)


def test_when_not_all_samples_fit_the_summary_says_how_many_show(grid):
    labels = np.arange(32) % 10
    grid.resize(420, 420)
    grid.show_samples(_grey([100] * 32), labels, NAMES)
    shown = grid.shown_count()
    assert 0 < shown < 32
    assert grid.summary() == f"{shown} of 32 images shown; enlarge for all"


def test_without_a_theme_of_its_own_a_view_wears_the_applications_look(themed_app, qtbot):
    view = ImageGridWidget()
    qtbot.addWidget(view)
    view.resize(300, 300)
    for theme in (DARK, LIGHT):
        apply_look(themed_app, theme)
        assert view.grab().toImage().pixelColor(2, 2) == QColor(theme.plot_background)
