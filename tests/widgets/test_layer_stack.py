"""The layer stack shows every layer's shape, size and problems, and turns drops into intents."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QDropEvent
from PySide6.QtWidgets import QLabel, QPushButton

from app.gradient_health import DEAD, EXPLODING, VANISHING, Alarm
from models.shapes import Inference, infer
from models.spec import LayerSpec, ModelSpec, Task
from widgets.layer_palette import MIME_TYPE
from widgets.layer_stack import (
    LAYER,
    NUMBER,
    OUTPUT,
    PARAMS,
    LayerStackWidget,
    move_destination,
)
from widgets.theme import DARK, LIGHT, set_current_theme

pytestmark = pytest.mark.usefixtures("english_numbers")

L = LayerSpec.create
TASK = Task("classification", 10)
IMAGE_MODEL = ModelSpec(
    (1, 28, 28),
    (
        L("Conv2d", out_channels=8, padding=1),
        L("ReLU"),
        L("MaxPool2d"),
        L("Linear", out_features=10),
    ),
)


@pytest.fixture
def stack(qtbot):
    widget = LayerStackWidget()
    qtbot.addWidget(widget)
    widget.resize(460, 500)
    widget.show()
    return widget


def show(stack, spec, task=TASK):
    stack.show_model(spec, infer(spec, task), task)


def rows(stack):
    tree = stack.tree
    return [
        [tree.topLevelItem(i).text(c) for c in (NUMBER, LAYER, OUTPUT, PARAMS)]
        for i in range(tree.topLevelItemCount())
    ]


def test_rows_show_position_layer_with_sizes_output_shape_and_parameters(stack):
    spec = ModelSpec(
        (784,), (L("Linear", out_features=128), L("ReLU"), L("Linear", out_features=10))
    )
    show(stack, spec)
    assert rows(stack) == [
        ["0", "Linear 784 -> 128", "128", "100,480"],
        ["1", "ReLU", "128", "0"],
        ["2", "Linear 128 -> 10", "10", "1,290"],
    ]
    assert "784 features" in stack.input_label.text()
    assert "101,770 parameters" in stack.output_label.text()
    assert all(stack.fix_buttons(i) == [] for i in range(3))
    assert stack.tree.topLevelItem(0).childCount() == 0


def test_a_problem_is_marked_on_its_row_and_its_fix_is_one_click(stack, qtbot):
    show(stack, IMAGE_MODEL)
    row = stack.tree.topLevelItem(3)
    assert "Insert Flatten before layer 3" in row.toolTip(LAYER)
    assert not row.icon(LAYER).isNull()
    assert rows(stack)[3][2] == "\u2014"  # no output shape for a broken layer
    (button,) = stack.fix_buttons(3)
    assert button.text() == "Insert Flatten before layer 3"
    problem = stack.tree.itemWidget(row.child(0), 0)
    assert "needs flat features" in problem.findChild(QLabel).text()
    with qtbot.waitSignal(stack.fixChosen) as fixed:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    spec, label = fixed.args
    assert label == "Insert Flatten before layer 3"
    assert [layer.kind for layer in spec.layers][3] == "Flatten"
    assert infer(spec, TASK).ok


def test_whole_model_problems_appear_below_with_their_fix(stack, qtbot):
    show(stack, ModelSpec((2,), ()), Task("classification", 2))
    (message,) = stack.problems.findChildren(QLabel)
    assert message.text().startswith("The model has no layers yet")
    (button,) = stack.problems.findChildren(QPushButton)
    assert button.text() == "Add Linear -> 2"
    with qtbot.waitSignal(stack.fixChosen) as fixed:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert fixed.args[0].layers == (L("Linear", out_features=2),)


def drop(stack, kind: str, row: int, below: bool) -> None:
    tree = stack.tree
    rect = tree.visualItemRect(tree.topLevelItem(row))
    point = QPoint(rect.center().x(), rect.bottom() - 2 if below else rect.top() + 2)
    data = QMimeData()
    data.setData(MIME_TYPE, kind.encode())
    event = QDropEvent(
        point,
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    tree.dropEvent(event)


def test_dropping_a_palette_layer_inserts_it_where_it_lands(stack, qtbot):
    show(stack, IMAGE_MODEL)
    with qtbot.waitSignal(stack.layerInserted) as inserted:
        drop(stack, "Flatten", 2, below=True)
    assert inserted.args == [3, "Flatten"]
    with qtbot.waitSignal(stack.layerInserted) as inserted:
        drop(stack, "Dropout", 0, below=False)
    assert inserted.args == [0, "Dropout"]
    assert stack.tree.topLevelItemCount() == 4  # the widget waits for the new spec


def test_a_row_dragged_down_or_up_ends_where_it_was_dropped():
    assert move_destination(0, 3) == 2  # dropped before row 3: lands after row 2
    assert move_destination(3, 0) == 0
    assert move_destination(1, 1) == 1 and move_destination(1, 2) == 1  # no move


def test_the_selection_survives_a_redraw_and_is_reported_when_it_goes(stack, qtbot):
    show(stack, IMAGE_MODEL)
    with qtbot.waitSignal(stack.currentLayerChanged) as changed:
        stack.select(2)
    assert changed.args == [2] and stack.current_layer() == 2
    with qtbot.assertNotEmitted(stack.currentLayerChanged):
        show(stack, IMAGE_MODEL.replace(0, L("Conv2d", out_channels=4, padding=1)))
    assert stack.current_layer() == 2
    with qtbot.waitSignal(stack.currentLayerChanged) as changed:
        show(stack, ModelSpec((2,), (L("Linear", out_features=10),)))
    assert changed.args == [-1] and stack.current_layer() is None


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_a_broken_layer_is_written_in_the_themes_error_colour(themed_app, qtbot, theme):
    set_current_theme(themed_app, theme)
    stack = LayerStackWidget()
    qtbot.addWidget(stack)
    show(stack, IMAGE_MODEL)
    broken = stack.tree.topLevelItem(3)
    assert broken.foreground(LAYER).color() == QColor(theme.error)
    assert broken.foreground(OUTPUT).color() == QColor(theme.error)
    assert stack.tree.topLevelItem(0).foreground(LAYER).color() != QColor(theme.error)


class CountingInference(Inference):
    """An Inference that counts how often the whole model's diagnostics are gathered: each
    gathering walks every layer, so reading it once per row made the list quadratic."""

    reads = 0

    @property
    def diagnostics(self):
        CountingInference.reads += 1
        return super().diagnostics


def mismatched_linears(count: int) -> ModelSpec:
    """`count` Linear layers that each expect 3 features but get 10: a problem on every row."""
    return ModelSpec(
        (10,), tuple(L("Linear", in_features=3, out_features=10) for _ in range(count))
    )


def reads_to_show(stack, spec: ModelSpec) -> int:
    found = infer(spec, TASK)
    counting = CountingInference(found.spec, found.task, found.layers, found.model_diagnostics)
    CountingInference.reads = 0
    stack.show_model(spec, counting, TASK)
    return CountingInference.reads


def test_the_work_per_row_does_not_grow_with_the_model(stack):
    small, large = (
        reads_to_show(stack, mismatched_linears(5)),
        reads_to_show(stack, mismatched_linears(60)),
    )
    assert small == large
    assert stack.tree.topLevelItemCount() == 60
    # Two size fixes each; rows after the first also offer a ReLU between the Linears.
    assert len(stack.fix_buttons(0)) == 2
    assert all(len(stack.fix_buttons(i)) == 3 for i in (30, 59))


def test_a_model_past_the_layer_limit_shows_its_rows_and_one_sentence(stack):
    spec = ModelSpec((4,), tuple(L("ReLU") for _ in range(1200)))
    show(stack, spec)
    assert stack.tree.topLevelItemCount() == 1200
    messages = [label.text() for label in stack.problems.findChildren(QLabel)]
    assert messages == ["The model has 1,200 layers; LayerLab trains at most 1,000."]
    (button,) = stack.problems.findChildren(QPushButton)
    assert button.text() == "Keep the first 1,000 layers"


def cells_too_narrow(stack, column: int) -> list[str]:
    """Cells of `column` narrower than their text needs: the tree would elide them."""
    tree = stack.tree
    indexes = [tree.model().index(row, column) for row in range(tree.topLevelItemCount())]
    return [
        str(index.data())
        for index in indexes
        if tree.visualRect(index).width() < tree.sizeHintForIndex(index).width()
    ]


def test_a_narrow_table_scrolls_sideways_rather_than_eliding_layer_names(stack):
    show(stack, IMAGE_MODEL)
    stack.resize(140, 500)
    assert cells_too_narrow(stack, LAYER) == [] and cells_too_narrow(stack, OUTPUT) == []
    assert stack.tree.horizontalScrollBar().maximum() > 0  # the rest is a scroll away


def test_a_wide_table_gives_the_room_to_spare_to_the_layer_column(stack):
    show(stack, IMAGE_MODEL)
    stack.resize(900, 500)
    tree = stack.tree
    assert tree.header().length() == tree.viewport().width()
    assert tree.horizontalScrollBar().maximum() == 0
    others = [tree.columnWidth(c) for c in (NUMBER, OUTPUT, PARAMS)]
    assert tree.columnWidth(LAYER) > max(others)


def test_an_empty_model_shows_how_to_add_a_layer_inside_the_table(stack):
    show(stack, ModelSpec((2,), ()), Task("classification", 2))
    hint = stack.tree.empty_hint
    assert hint.isVisible() and hint.parent() is stack.tree.viewport()
    assert hint.text() == "Empty model: double-click a layer under Add a layer, or drag it here."
    assert stack.tree.viewport().rect().contains(hint.geometry().center())
    show(stack, IMAGE_MODEL)
    assert not hint.isVisible()


def test_a_drop_on_the_empty_hint_reaches_the_table(stack, qtbot):
    show(stack, ModelSpec((2,), ()), Task("classification", 2))
    tree = stack.tree
    point = tree.empty_hint.geometry().center()
    assert tree.viewport().childAt(point) is None  # the hint lets drops through
    data = QMimeData()
    data.setData(MIME_TYPE, b"Linear")
    event = QDropEvent(
        point,
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(stack.layerInserted) as inserted:
        tree.dropEvent(event)
    assert inserted.args == [0, "Linear"]


# Alarms: gradient-health problems found while training, badged on their layers' rows.

SIGMOID_MODEL = ModelSpec(
    (2,),
    (
        L("Linear", out_features=16),
        L("Sigmoid"),
        L("Linear", out_features=16),
        L("ReLU"),
        L("Linear", out_features=2),
    ),
)
SIGMOID_TASK = Task("classification", 2)


def alarm(layer: int, kind: str, headline: str, step: int = 100) -> Alarm:
    layer_class = [spec.kind for spec in SIGMOID_MODEL.layers][layer]
    return Alarm(layer, layer_class, kind, step, headline, f"{headline}: try something else.")


VANISHED = alarm(0, VANISHING, "gradients vanished")
EXPLODED = alarm(0, EXPLODING, "gradients exploded", step=300)
DIED = alarm(3, DEAD, "units died")


def warning_pixels(stack, row: int, theme, columns=(NUMBER, LAYER, OUTPUT, PARAMS)) -> int:
    """How many pixels of a row's cells are painted in (nearly) the theme's warning colour."""
    tree = stack.tree
    rect = QRect()
    for column in columns:
        rect = rect.united(tree.visualRect(tree.model().index(row, column)))
    image = tree.viewport().grab(rect.intersected(tree.viewport().rect())).toImage()
    target = QColor(theme.warning)
    count = 0
    for x in range(image.width()):
        for y in range(image.height()):
            color = image.pixelColor(x, y)
            distance = (
                abs(color.red() - target.red())
                + abs(color.green() - target.green())
                + abs(color.blue() - target.blue())
            )
            count += distance < 60
    return count


def test_an_alarm_badges_its_layers_row_and_only_that_row(stack):
    show(stack, SIGMOID_MODEL, SIGMOID_TASK)
    before = rows(stack)
    plain_height = stack.tree.visualItemRect(stack.tree.topLevelItem(3)).height()
    stack.show_alarms([DIED])
    assert rows(stack) == before  # the row's own texts stay, and no row is added
    assert stack.tree.topLevelItem(3).childCount() == 0
    assert [stack.alarm_badge(i) for i in range(5)] == ["", "", "", "units died", ""]
    row = stack.tree.topLevelItem(3)
    assert all(row.toolTip(c) == DIED.text for c in (NUMBER, LAYER, OUTPUT, PARAMS))
    assert stack.tree.topLevelItem(2).toolTip(LAYER) == "torch.nn.Linear"
    # The badge is a second line of the row itself.
    assert stack.tree.visualItemRect(row).height() > plain_height


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_badge_is_painted_in_the_themes_warning_colour(themed_app, qtbot, theme):
    set_current_theme(themed_app, theme)
    stack = LayerStackWidget()
    qtbot.addWidget(stack)
    stack.resize(400, 400)
    stack.show()
    show(stack, SIGMOID_MODEL, SIGMOID_TASK)
    stack.show_alarms([DIED])
    assert warning_pixels(stack, 3, theme) > 20
    assert all(warning_pixels(stack, row, theme) == 0 for row in (0, 1, 2, 4))


def test_a_layers_alarms_share_one_badge_and_its_tooltip_tells_them_all(stack):
    show(stack, SIGMOID_MODEL, SIGMOID_TASK)
    stack.show_alarms([VANISHED, DIED, EXPLODED])
    assert stack.alarm_badge(0) == "gradients vanished (+1)"
    tooltip = stack.tree.topLevelItem(0).toolTip(OUTPUT)
    assert VANISHED.text in tooltip and EXPLODED.text in tooltip
    assert DIED.text not in tooltip


def test_the_badges_survive_a_redraw_and_go_when_cleared(stack):
    show(stack, SIGMOID_MODEL, SIGMOID_TASK)
    stack.show_alarms([VANISHED, DIED])
    show(stack, SIGMOID_MODEL, SIGMOID_TASK)  # the same model, drawn again
    assert stack.alarm_badge(0) == "gradients vanished"
    assert stack.alarm_badge(3) == "units died"
    stack.show_alarms(())
    assert [stack.alarm_badge(i) for i in range(5)] == [""] * 5
    assert stack.tree.topLevelItem(0).toolTip(LAYER) == "torch.nn.Linear"
    assert stack.tree.topLevelItem(3).toolTip(OUTPUT) == ""
    assert warning_pixels(stack, 3, LIGHT) == 0


def test_a_cleared_badge_gives_a_broken_layer_its_problem_back(stack):
    show(stack, IMAGE_MODEL)
    stack.show_alarms([Alarm(3, "Linear", VANISHING, 5, "gradients vanished", "vanished.")])
    assert stack.tree.topLevelItem(3).toolTip(LAYER) == "Layer 3 (Linear): vanished."
    stack.show_alarms(())
    assert "Insert Flatten before layer 3" in stack.tree.topLevelItem(3).toolTip(LAYER)


def test_an_alarm_past_the_last_layer_is_left_out(stack):
    show(stack, SIGMOID_MODEL, SIGMOID_TASK)
    stack.show_alarms([DIED])
    show(stack, ModelSpec((2,), (L("Linear", out_features=2),)), SIGMOID_TASK)
    assert stack.alarm_badge(0) == ""
    stack.show_alarms([DIED, Alarm(9, "Linear", VANISHING, 5, "gone", "gone.")])
    assert stack.alarm_badge(0) == ""


def badge_end(stack, row: int) -> int:
    """How far right of its cell's left edge the row's badge is painted, in pixels."""
    tree = stack.tree
    cell = tree.visualRect(tree.model().index(row, LAYER))
    image = tree.viewport().grab(cell).toImage()
    target = QColor(LIGHT.warning)
    ends = [
        x
        for x in range(image.width())
        for y in range(image.height())
        if sum(
            abs(a - b)
            for a, b in zip(image.pixelColor(x, y).getRgb()[:3], target.getRgb()[:3], strict=True)
        )
        < 60
    ]
    return max(ends, default=-1)


@pytest.mark.parametrize("width", [165, 400])
def test_a_badge_is_never_cut_short_in_a_narrow_or_wide_dock(themed_app, stack, width):
    set_current_theme(themed_app, LIGHT)
    show(stack, SIGMOID_MODEL, SIGMOID_TASK)
    stack.show_alarms([VANISHED, EXPLODED, DIED])
    stack.resize(900, 500)
    whole = badge_end(stack, 0)
    assert whole > 0
    stack.resize(width, 500)
    assert cells_too_narrow(stack, LAYER) == []
    assert badge_end(stack, 0) == whole  # all of "gradients vanished (+1)", a scroll away
