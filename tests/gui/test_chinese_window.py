"""The window in Chinese: menus, diagnostics and their fix buttons speak Chinese, the shipped
font draws every character of the catalog (this machine has no CJK font of its own), the
layouts hold at 1280x800 and 1920x1080, and View > Language remembers a choice."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QMessageBox

from app import catalogs
from app.gui.application import apply_theme
from app.gui.language import CJK_FAMILY, SETTINGS_KEY, apply_language, chosen_language
from app.gui.run_panel import TAB_NAMES
from models.translation import ENGLISH, language
from tests.gui.test_window_sizes import layout_problems, settle

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese(themed_app):
    """The application in Chinese, in the look the window opens with; English after."""
    apply_theme(themed_app, dark=False)
    apply_language(themed_app, "zh_CN")
    apply_theme(themed_app, dark=False)  # the font at the look's size, the Chinese one first
    yield themed_app
    apply_language(themed_app, ENGLISH)


def break_layer_two(window) -> None:
    """What typing 7 into the third layer's in_features does: a size mismatch with fixes."""
    layer = window.document.experiment.model.layers[2]
    window.inspector.layerEdited.emit(2, layer.with_params(in_features=7), "in_features")


def test_a_window_opened_in_chinese_shows_chinese_menus_diagnostics_and_fixes(
    chinese, open_window, qtbot
):
    window = open_window()
    menus = [action.text() for action in window.menuBar().actions()]
    assert len(menus) == 7 and all(HAN.search(text) for text in menus), menus
    assert "(&F)" in menus[0]  # the accelerator kept, as Chinese software writes it
    break_layer_two(window)
    (problem,) = window.document.inference.errors
    assert HAN.search(problem.message), problem.message
    assert HAN.search(window.summary_label.text()), window.summary_label.text()
    buttons = window.stack.fix_buttons(2)
    assert len(buttons) == 2 and all(HAN.search(button.text()) for button in buttons)
    assert "in_features" in buttons[0].text()  # PyTorch's names stay as they are
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert window.document.inference.ok
    tabs = window.run_panel.tabs
    assert all(HAN.search(tabs.tabText(i)) for i in range(tabs.count()))
    box = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Cancel)
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "取消"  # Qt's own texts


def test_the_ui_font_draws_every_character_of_the_chinese_catalog(chinese):
    families = QApplication.font().families()
    assert families[0] == CJK_FAMILY
    metrics = [QFontMetrics(QFont(family)) for family in families]
    strings = catalogs.translations("zh_CN").values()
    characters = set("".join("".join(s) if isinstance(s, tuple) else s for s in strings))
    assert len([c for c in characters if HAN.match(c)]) > 500
    boxes = sorted(
        c
        for c in characters
        # inFontUcs4, not inFont: PySide6 6.11 hands inFont a str beyond Latin-1 wrongly
        if c.isprintable() and not c.isspace() and not any(m.inFontUcs4(ord(c)) for m in metrics)
    )
    assert boxes == [], f"no glyph for {''.join(boxes)!r}: run make fonts"


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_the_chinese_window_holds_with_a_diagnostic_on_every_tab(chinese, open_window, size):
    window = open_window()
    break_layer_two(window)
    window.resize(*size)
    settle()
    for name in TAB_NAMES:
        window.run_panel.show_tab(name)
        settle()
        assert layout_problems(window) == [], (size, name)
    for dock in (window.data_dock, window.training_dock):
        dock.raise_()
        settle()
        assert layout_problems(window) == [], (size, dock.windowTitle())


def test_view_language_remembers_the_choice_for_the_next_start(
    themed_app, open_window, settings, monkeypatch
):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    window = open_window()
    assert language() == ENGLISH
    (menu,) = [
        m
        for m in window.findChildren(type(window.menuBar().actions()[0].menu()))
        if "语言" in m.title()
    ]
    assert [a.text() for a in menu.actions() if a.text()][1:] == ["English", "简体中文"]
    menu.choices["zh_CN"].trigger()
    assert settings.value(SETTINGS_KEY) == "zh_CN" and chosen_language(settings) == "zh_CN"
    assert len(shown) == 1 and "简体中文" in shown[0] and "next time" in shown[0]
    assert language() == ENGLISH  # the running window stays as it is until the restart
    menu.choices["en"].trigger()
    assert chosen_language(settings) == ENGLISH
