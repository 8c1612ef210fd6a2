"""Presentation mode on the real window: the projector layout, the zoom keys, the look that
reaches the plots already made, and the setting kept in QSettings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar

from widgets.loss_plot import LossPlotWidget
from widgets.presentation_look import MAX_SCALE, PRESENTATION_SCALE, SCALE_STEP
from widgets.style import FONT_POINT_SIZE, apply_look
from widgets.theme import LIGHT, current_theme

EDITING = ("inspector_dock", "data_dock", "training_dock", "code_dock")


@pytest.fixture
def present(themed_app, open_window, settings, qtbot):
    """Opens a window (its Presentation restored from the settings, its actions in the View
    menu and on the window) in the everyday look as the application starts; afterwards that
    look, applied again in full."""
    apply_look(themed_app, LIGHT)

    def make():
        window = open_window()
        presentation = window.presentation
        with qtbot.waitActive(window):
            window.activateWindow()
        return window, presentation

    yield make
    apply_look(themed_app, LIGHT)


def visible_docks(window) -> set[str]:
    return {
        name
        for name in ("layers_dock", *EDITING, "lesson_dock")
        if getattr(window, name, None) is not None and getattr(window, name).isVisible()
    }


def point_size(app) -> float:
    return app.font().pointSizeF()


def title_ink(dock) -> int:
    """How many pixel rows of the panel's title bar the title's letters darken."""
    image = dock.grab().toImage()
    top = dock.widget().geometry().top()
    background = image.pixelColor(image.width() - 1, 1).lightness()
    return sum(
        any(abs(image.pixelColor(x, y).lightness() - background) > 80 for x in range(60))
        for y in range(top)
    )


def test_presentation_hides_the_editing_panels_and_keeps_model_and_plots(present, themed_app):
    window, presentation = present()
    before = visible_docks(window)
    assert "data_dock" in before
    title = title_ink(window.layers_dock)

    presentation.toggle_action.trigger()

    assert presentation.enabled and presentation.toggle_action.isChecked()
    shown = visible_docks(window)
    assert "layers_dock" in shown
    assert not shown & set(EDITING)
    assert window.centralWidget().isVisible()  # the run controls and the plots
    assert window.run_panel.isVisible()
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert toolbar.isHidden()  # its verbs edit and save: the menus keep them
    QApplication.processEvents()
    assert title_ink(window.layers_dock) >= 1.3 * title  # panel titles grow with the text
    theme = current_theme()
    assert theme.presentation and theme.font_scale == PRESENTATION_SCALE
    assert point_size(themed_app) == pytest.approx(FONT_POINT_SIZE * PRESENTATION_SCALE)

    presentation.toggle_action.trigger()

    assert not presentation.enabled
    assert visible_docks(window) == before
    assert not toolbar.isHidden()
    assert current_theme() == LIGHT
    assert point_size(themed_app) == pytest.approx(FONT_POINT_SIZE)


def test_the_look_reaches_the_plots_already_made(present):
    window, presentation = present()
    loss = window.findChild(LossPlotWidget)
    assert loss.raw_curve.opts["pen"].widthF() == 1

    presentation.set_enabled(True)
    assert loss.raw_curve.opts["pen"].widthF() >= 3
    assert loss.smooth_curve.opts["pen"].widthF() >= 3

    presentation.set_enabled(False)
    assert loss.raw_curve.opts["pen"].widthF() == 1


def test_zoom_keys_step_the_font_up_to_the_cap_and_back(present, qtbot, themed_app):
    window, presentation = present()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert point_size(themed_app) == pytest.approx(FONT_POINT_SIZE)  # only in presentation

    presentation.set_enabled(True)
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    step = PRESENTATION_SCALE + SCALE_STEP
    assert presentation.scale == step
    assert point_size(themed_app) == pytest.approx(FONT_POINT_SIZE * step)
    for _ in range(10):
        qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale == MAX_SCALE
    assert point_size(themed_app) == pytest.approx(FONT_POINT_SIZE * MAX_SCALE)

    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale == MAX_SCALE - SCALE_STEP
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert presentation.scale == PRESENTATION_SCALE
    assert point_size(themed_app) == pytest.approx(FONT_POINT_SIZE * PRESENTATION_SCALE)


def test_the_setting_survives_a_new_window(present, themed_app):
    window, presentation = present()
    before = visible_docks(window)
    presentation.set_enabled(True)
    presentation.zoom_in()
    window.close()
    apply_look(themed_app, LIGHT)  # a new start: the everyday look

    again, restored = present()  # the window restores it as it opens
    assert restored.enabled and restored.toggle_action.isChecked()
    assert restored.scale == PRESENTATION_SCALE + SCALE_STEP
    assert point_size(themed_app) == pytest.approx(FONT_POINT_SIZE * restored.scale)
    assert not visible_docks(again) & set(EDITING)

    restored.set_enabled(False)
    assert visible_docks(again) >= before - {"code_dock"}
    assert current_theme() == LIGHT


def test_f11_fills_the_screen_and_gives_it_back(present, qtbot):
    window, presentation = present()
    assert not window.isFullScreen()
    presentation.full_screen_action.trigger()
    assert window.isFullScreen() and presentation.full_screen_action.isChecked()
    presentation.full_screen_action.trigger()
    assert not window.isFullScreen() and not presentation.full_screen_action.isChecked()


def test_the_view_menu_holds_presentation_full_screen_and_the_zoom(present):
    window, presentation = present()
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    texts = [a.text() for a in view.actions()]
    assert {"&Presentation", "&Full Screen", "Zoom &In", "Zoom &Out"} <= set(texts)
    assert presentation.toggle_action.toolTip()
