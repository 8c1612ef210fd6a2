"""The theme: every icon draws in the asked colour; both looks apply and read well projected."""

from __future__ import annotations

import itertools
import re

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QCheckBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.datasets import data_task
from app.experiment import Experiment
from app.gui.application import apply_theme, system_prefers_dark
from app.gui.model_summary import ModelSummaryLabel
from models.shapes import infer
from widgets.icons import icon, resource_path
from widgets.style import ROW_PADDING
from widgets.theme import DARK, HIGHLIGHTED_TEXT, LIGHT, contrast_ratio, current_theme

ICON_FILES = sorted(resource_path("icons").glob("*.svg"))
REQUIRED_ICONS = {
    "new", "open", "save", "save-as", "undo", "redo", "delete", "duplicate", "move-up",
    "move-down", "add", "code", "about", "examples", "train", "pause", "step", "stop", "reset",
    "export", "warning", "error", "ok", "dense", "conv", "activation", "pooling", "reshape",
    "regularization", "app",
}  # fmt: skip
BRAND_COLORS = {"#2563EB", "#0D9488"}


def opaque_colors(image: QImage) -> set[str]:
    """The #RRGGBB colours of the fully opaque pixels of an image."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    colors = set()
    for y in range(image.height()):
        for x in range(image.width()):
            color = image.pixelColor(x, y)
            if color.alpha() == 255:
                colors.add(color.name().upper())
    return colors


def assert_drawn_in(image: QImage, color: str) -> None:
    """Every opaque pixel has the colour (give or take premultiplied-alpha rounding)."""
    expected = QColor(color)
    colors = opaque_colors(image)
    assert color.upper() in colors
    for name in colors:
        drawn = QColor(name)
        channels = zip(drawn.getRgb()[:3], expected.getRgb()[:3], strict=True)
        assert max(abs(a - b) for a, b in channels) <= 2, (name, color)


def test_every_icon_the_window_asks_for_exists():
    assert {path.stem for path in ICON_FILES} >= REQUIRED_ICONS


@pytest.mark.parametrize("path", ICON_FILES, ids=lambda path: path.stem)
def test_icon_file_is_a_valid_24px_line_icon(path):
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    assert renderer.viewBoxF() == QRectF(0, 0, 24, 24)
    source = path.read_text(encoding="utf-8")
    if path.stem != "app":
        # Only the placeholder colour, so the loader can recolour every part of it.
        assert set(re.findall(r"#[0-9A-Fa-f]{6}", source)) == {"#000000"}
        assert 'stroke-width="2"' in source


@pytest.mark.parametrize("path", ICON_FILES, ids=lambda path: path.stem)
def test_icon_renders_in_the_requested_colour(qapp, path):
    result = icon(path.stem, "#D55E00")
    assert {QSize(size, size) for size in (16, 24, 32, 48)} <= set(result.availableSizes())
    image = result.pixmap(32, 32).toImage()
    if path.stem == "app":
        assert opaque_colors(image) >= BRAND_COLORS  # the logo keeps its own two tones
    else:
        assert_drawn_in(image, "#D55E00")


def test_icons_default_to_the_theme_text_colour_and_grey_out_when_disabled(themed_app):
    apply_theme(themed_app, dark=True)
    add = icon("add")
    assert_drawn_in(add.pixmap(32, 32).toImage(), DARK.text)
    assert_drawn_in(add.pixmap(QSize(32, 32), QIcon.Mode.Disabled).toImage(), DARK.muted_text)
    apply_theme(themed_app, dark=False)
    assert_drawn_in(icon("add").pixmap(32, 32).toImage(), LIGHT.text)


def test_icons_are_cached_per_name_and_colour(qapp):
    assert icon("save", "#0072B2") is icon("save", "#0072B2")
    assert icon("save", "#0072B2") is not icon("save", "#E69F00")


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_apply_theme_sets_palette_font_plots_and_current_theme(themed_app, dark):
    theme = apply_theme(themed_app, dark=dark)

    assert theme is (DARK if dark else LIGHT)
    assert current_theme() is theme
    palette = themed_app.palette()
    assert palette.color(QPalette.ColorRole.Window) == QColor(theme.window)
    assert palette.color(QPalette.ColorRole.WindowText) == QColor(theme.text)
    assert palette.color(QPalette.ColorRole.Text) == QColor(theme.text)
    assert palette.color(QPalette.ColorRole.Highlight) == QColor(theme.accent)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    assert disabled != QColor(theme.text)
    assert themed_app.font().pointSizeF() >= 11
    assert "QGroupBox" in themed_app.styleSheet()
    assert pg.getConfigOption("background") == theme.plot_background
    assert pg.getConfigOption("foreground") == theme.plot_foreground


def test_apply_theme_follows_the_desktop_when_not_told(themed_app):
    expected = DARK if system_prefers_dark(themed_app) else LIGHT
    assert apply_theme(themed_app) is expected


def test_wcag_contrast_formula():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_text_reads_from_the_back_of_a_room(theme):
    for background in (theme.window, theme.panel):
        assert contrast_ratio(theme.text, background) >= 7
        assert contrast_ratio(theme.muted_text, background) >= 4.5
    assert contrast_ratio(theme.plot_foreground, theme.plot_background) >= 7
    assert contrast_ratio(HIGHLIGHTED_TEXT, theme.accent) >= 4.5  # selected rows


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_class_colours_are_seven_distinct_colours(theme):
    assert len(theme.class_colors) == 7
    assert len({color.upper() for color in theme.class_colors}) == 7
    for first, second in itertools.combinations(theme.class_colors, 2):
        a, b = QColor(first), QColor(second)
        distance = sum((x - y) ** 2 for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))
        assert distance**0.5 > 60, (first, second)


def test_light_class_colours_are_okabe_ito():
    assert LIGHT.class_colors == (
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    )  # fmt: skip


@pytest.mark.parametrize("theme_dark", [False, True], ids=["light", "dark"])
def test_check_boxes_are_visible_on_either_background(themed_app, qtbot, theme_dark):
    theme = apply_theme(themed_app, dark=theme_dark)
    window = QWidget()
    layout = QVBoxLayout(window)
    unchecked, checked = QCheckBox("Off"), QCheckBox("On")
    checked.setChecked(True)
    layout.addWidget(unchecked)
    layout.addWidget(checked)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    qtbot.mouseMove(window, QPoint(1, 1))  # in the margin: no hover colour on the boxes

    assert theme.muted_text in opaque_colors(unchecked.grab().toImage())
    assert theme.accent in opaque_colors(checked.grab().toImage())


def test_tree_rows_are_roomy_even_when_filled_before_the_tree_has_a_parent(themed_app, qtbot):
    apply_theme(themed_app, dark=False)
    tree = QTreeWidget()
    QTreeWidgetItem(tree, ["Linear 784 -> 128"])
    window = QWidget()
    QVBoxLayout(window).addWidget(tree)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()

    row = tree.visualItemRect(tree.topLevelItem(0))
    assert row.height() >= tree.fontMetrics().height() + ROW_PADDING


def test_tabbing_to_a_button_draws_an_accent_focus_ring(themed_app, qtbot):
    theme = apply_theme(themed_app, dark=True)
    window = QWidget()
    layout = QVBoxLayout(window)
    first, second = QPushButton("Train"), QPushButton("Reset")
    layout.addWidget(first)
    layout.addWidget(second)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    first.setFocus()
    assert theme.accent not in opaque_colors(second.grab().toImage())

    qtbot.keyClick(first, Qt.Key.Key_Tab)

    assert second.hasFocus()
    assert theme.accent in opaque_colors(second.grab().toImage())


def test_the_model_summary_wears_the_theme_and_turns_red_on_a_problem(themed_app, qtbot):
    apply_theme(themed_app, dark=True)
    label = ModelSummaryLabel()
    qtbot.addWidget(label)
    experiment = Experiment()
    task = data_task(experiment.data)
    label.show_inference(infer(experiment.model, task))
    assert DARK.text in opaque_colors(label.grab().toImage())
    broken = experiment.model.replace(2, experiment.model.layers[2].with_params(in_features=7))
    label.show_inference(infer(broken, task))
    assert "1 problem, at layer 2" in label.text()
    assert DARK.error in opaque_colors(label.grab().toImage())
    label.set_theme(LIGHT)
    assert LIGHT.error in opaque_colors(label.grab().toImage())
