"""The Examples gallery: every example with its whole description, and the keyboard to pick
one (arrows, Enter opens, Esc cancels)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics

from app.gui.example_gallery import DESCRIPTION_ROLE, ExampleGallery
from app.gui.files import EXAMPLES, examples


@pytest.fixture
def gallery(qtbot):
    dialog = ExampleGallery()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_every_example_is_listed_with_its_title_and_whole_description(gallery):
    on_disk = {
        json.loads(path.read_text())["title"]: json.loads(path.read_text())["description"]
        for path in EXAMPLES.glob("*.json")
    }
    rows = [gallery.list.item(row) for row in range(gallery.list.count())]
    assert {item.text(): item.data(DESCRIPTION_ROLE) for item in rows} == on_disk
    assert [item.text() for item in rows] == sorted(on_disk)


def test_each_row_is_tall_enough_for_its_description_wrapped_in_full(gallery):
    view = gallery.list
    for row in range(view.count()):
        item = view.item(row)
        width = view.viewport().width()
        wrapped = QFontMetrics(view.font()).boundingRect(
            QRect(0, 0, width - 16, 100_000), Qt.TextFlag.TextWordWrap, item.data(DESCRIPTION_ROLE)
        )
        bold = QFont(view.font())
        bold.setBold(True)
        assert wrapped.height() > 2 * QFontMetrics(view.font()).lineSpacing()  # it wraps
        assert view.visualItemRect(item).height() >= wrapped.height() + QFontMetrics(bold).height()
        assert view.visualItemRect(item).width() <= width  # no sideways scrolling


def test_arrows_and_enter_open_the_chosen_example(gallery, qtbot):
    expected = examples()[2].path
    assert gallery.list.hasFocus()
    qtbot.keyClick(gallery.list, Qt.Key.Key_Down)
    qtbot.keyClick(gallery.list, Qt.Key.Key_Down)
    chosen = []
    gallery.exampleChosen.connect(chosen.append)
    with qtbot.waitSignal(gallery.exampleChosen):
        qtbot.keyClick(gallery.list, Qt.Key.Key_Return)
    assert chosen == [expected]  # once: Enter in the list and the Open button are one way in
    assert not gallery.isVisible()


def test_the_open_button_and_a_double_click_open_the_selection(gallery, qtbot):
    first = examples()[0].path
    with qtbot.waitSignal(gallery.exampleChosen) as blocker:
        qtbot.mouseClick(gallery.open_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [first]

    gallery.show()
    last = gallery.list.item(gallery.list.count() - 1)
    gallery.list.scrollToItem(last)
    centre = gallery.list.visualItemRect(last).center()
    with qtbot.waitSignal(gallery.exampleChosen) as blocker:
        # A real double-click starts with a click; the view remembers the pressed item.
        qtbot.mouseClick(gallery.list.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(gallery.list.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args == [examples()[-1].path]


def test_escape_cancels_without_choosing(gallery, qtbot):
    with qtbot.assertNotEmitted(gallery.exampleChosen), qtbot.waitSignal(gallery.rejected):
        qtbot.keyClick(gallery.list, Qt.Key.Key_Escape)
    assert not gallery.isVisible()


def test_no_examples_means_nothing_to_open(qtbot):
    dialog = ExampleGallery([])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.open_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.exampleChosen):
        qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
