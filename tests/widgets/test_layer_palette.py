"""The layer palette lists every catalog kind by category and hands kinds out to add."""

from __future__ import annotations

import html

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from models.layers import CATALOG, CATEGORIES
from widgets.layer_palette import MIME_TYPE, LayerPaletteWidget


@pytest.fixture
def palette(qtbot) -> LayerPaletteWidget:
    widget = LayerPaletteWidget()
    qtbot.addWidget(widget)
    widget.resize(320, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _groups(palette: LayerPaletteWidget) -> list[QTreeWidgetItem]:
    return [palette.topLevelItem(row) for row in range(palette.topLevelItemCount())]


def _double_click(qtbot, palette: LayerPaletteWidget, item: QTreeWidgetItem) -> None:
    palette.scrollToItem(item)
    position = palette.visualItemRect(item).center()
    # A real double-click starts with a click; the view remembers the pressed item.
    qtbot.mouseClick(palette.viewport(), Qt.MouseButton.LeftButton, pos=position)
    qtbot.mouseDClick(palette.viewport(), Qt.MouseButton.LeftButton, pos=position)


def test_every_kind_is_listed_once_under_its_category_in_catalog_order(palette):
    groups = _groups(palette)
    assert [group.text(0) for group in groups] == list(CATEGORIES)
    listed = []
    for group in groups:
        assert group.isExpanded()
        for row in range(group.childCount()):
            item = group.child(row)
            assert CATALOG[item.text(0)].category == group.text(0)
            assert item.data(0, Qt.ItemDataRole.UserRole) == item.text(0)
            listed.append(item.text(0))
    assert sorted(listed) == sorted(CATALOG)  # each kind once, however many the catalog has
    assert palette.isHeaderHidden()


def test_tooltips_give_the_help_and_the_torch_class(palette):
    for name, kind in CATALOG.items():
        tooltip = palette.kind_item(name).toolTip(0)
        assert f"PyTorch: <code>torch.nn.{name}</code>" in tooltip
        assert html.escape(kind.help, quote=False) in tooltip


def test_double_click_on_a_layer_requests_it(qtbot, palette):
    with qtbot.waitSignal(palette.layerRequested) as blocker:
        _double_click(qtbot, palette, palette.kind_item("Conv2d"))
    assert blocker.args == ["Conv2d"]


def test_double_click_on_a_category_requests_nothing(qtbot, palette):
    with qtbot.assertNotEmitted(palette.layerRequested):
        _double_click(qtbot, palette, _groups(palette)[0])


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_requests_the_current_layer(qtbot, palette, key):
    palette.setCurrentItem(palette.kind_item("Dropout"))
    with qtbot.waitSignal(palette.layerRequested) as blocker:
        qtbot.keyClick(palette, key)
    assert blocker.args == ["Dropout"]


def test_enter_on_a_category_requests_nothing(qtbot, palette):
    palette.setCurrentItem(_groups(palette)[1])
    with qtbot.assertNotEmitted(palette.layerRequested):
        qtbot.keyClick(palette, Qt.Key.Key_Return)


def test_arrow_keys_then_enter_request_the_next_layer(qtbot, palette):
    palette.setCurrentItem(palette.kind_item("ReLU"))
    qtbot.keyClick(palette, Qt.Key.Key_Down)
    with qtbot.waitSignal(palette.layerRequested) as blocker:
        qtbot.keyClick(palette, Qt.Key.Key_Return)
    assert blocker.args == ["LeakyReLU"]


def test_layers_drag_their_kind_and_categories_do_not_drag(palette):
    assert palette.mimeTypes() == [MIME_TYPE]
    item = palette.kind_item("BatchNorm2d")
    assert item.flags() & Qt.ItemFlag.ItemIsDragEnabled
    assert not item.flags() & Qt.ItemFlag.ItemIsDropEnabled
    for group in _groups(palette):
        assert not group.flags() & Qt.ItemFlag.ItemIsDragEnabled
    data = palette.mimeData([item])
    assert data.hasFormat(MIME_TYPE)
    assert bytes(data.data(MIME_TYPE).data()).decode("utf-8") == "BatchNorm2d"
    assert palette.mimeData([_groups(palette)[0]]) is None


def test_selecting_a_category_row_is_not_possible(qtbot, palette):
    group = _groups(palette)[0]
    qtbot.mouseClick(
        palette.viewport(), Qt.MouseButton.LeftButton, pos=palette.visualItemRect(group).center()
    )
    assert palette.selectedItems() == []
    layer = palette.kind_item("Linear")
    qtbot.mouseClick(
        palette.viewport(), Qt.MouseButton.LeftButton, pos=palette.visualItemRect(layer).center()
    )
    assert palette.selectedItems() == [layer]
