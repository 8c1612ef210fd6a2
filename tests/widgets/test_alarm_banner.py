"""AlarmBanner: the run's alarms, newest first, each a line that picks its layer, and the box
that pauses training when an alarm rises."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.gradient_health import DEAD, EXPLODING, SATURATED, VANISHING, Alarm
from widgets.alarm_banner import MAX_LINES, AlarmBanner
from widgets.theme import DARK, LIGHT, mix, set_current_theme


def alarm(layer: int, step: int, kind: str = VANISHING, layer_class: str = "Linear") -> Alarm:
    headline = {VANISHING: "gradients vanished", DEAD: "units died"}.get(kind, kind)
    return Alarm(
        layer=layer,
        layer_class=layer_class,
        kind=kind,
        step=step,
        headline=headline,
        sentence=f"{headline} at step {step}: the layer stopped learning. Try another "
        "activation, a different learning rate, or normalisation between the layers.",
    )


@pytest.fixture
def banner(qtbot) -> AlarmBanner:
    widget = AlarmBanner()
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    return widget


def shown_lines(banner: AlarmBanner) -> list[str]:
    """The alarm texts a user sees, top to bottom."""
    labels = [
        label
        for label in banner.findChildren(QLabel)
        if label.isVisible() and label.text().startswith("Layer ")
    ]
    labels.sort(key=lambda label: label.mapTo(banner, label.rect().topLeft()).y())
    return [label.text() for label in labels]


def line_label(banner: AlarmBanner, text: str) -> QLabel:
    (label,) = [label for label in banner.findChildren(QLabel) if label.text() == text]
    return label


def pause_box(banner: AlarmBanner) -> QCheckBox:
    (box,) = banner.findChildren(QCheckBox)
    return box


def test_no_alarms_show_no_lines_but_the_pause_box(banner):
    assert shown_lines(banner) == []
    box = pause_box(banner)
    assert box.isVisible() and box.text() == "Pause on alarm"
    assert box.toolTip()  # says what it does


def test_alarms_show_newest_first_one_line_each(banner):
    first, second, third = alarm(0, 10), alarm(3, 30, DEAD, "ReLU"), alarm(2, 20, EXPLODING)
    banner.show_alarms([first, second, third])
    assert shown_lines(banner) == [second.text, third.text, first.text]
    assert banner.alarm_texts() == [second.text, third.text, first.text]
    assert second.text.startswith("Layer 3 (ReLU): units died at step 30")
    # Of one step, in the order raised (by layer: the first layer's problem is the root).
    same_step = alarm(4, 30, SATURATED, "Sigmoid")
    banner.show_alarms([first, second, third, same_step])
    assert shown_lines(banner)[:2] == [second.text, same_step.text]


def test_clearing_the_alarms_hides_their_lines(banner):
    banner.show_alarms([alarm(0, 10)])
    assert shown_lines(banner) != []
    banner.show_alarms(())
    assert shown_lines(banner) == []
    assert pause_box(banner).isVisible()


def test_long_alarms_wrap_and_the_newest_stays_whole_when_room_is_short(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    banner = AlarmBanner()
    plots = QWidget()
    plots.setMinimumHeight(300)
    plots.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    layout = QVBoxLayout(host)
    layout.addWidget(banner)
    layout.addWidget(plots, 1)
    alarms = [alarm(layer, 10 * layer) for layer in range(4)]
    banner.show_alarms(alarms)
    host.resize(320, 360)
    host.show()
    newest = line_label(banner, alarms[-1].text)
    line = newest.parentWidget()
    # All of it in view once the layout has settled at this width.
    qtbot.waitUntil(lambda: line.visibleRegion().boundingRect() == line.rect())
    assert newest.wordWrap()
    assert newest.height() > 2 * newest.fontMetrics().lineSpacing()  # wrapped, not cut off


def test_the_pause_box_says_when_it_changes(banner, qtbot):
    box = pause_box(banner)
    assert banner.pause_on_alarm() is False
    with qtbot.waitSignal(banner.pauseOnAlarmChanged) as changed:
        middle = box.height() // 2  # on the box itself
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(middle, middle))
    assert changed.args == [True] and banner.pause_on_alarm() is True
    with qtbot.waitSignal(banner.pauseOnAlarmChanged) as changed:
        banner.set_pause_on_alarm(False)
    assert changed.args == [False] and not box.isChecked()


def test_clicking_an_alarm_names_its_layer(banner, qtbot):
    dead = alarm(3, 30, DEAD, "ReLU")
    banner.show_alarms([alarm(0, 10), dead])
    with qtbot.waitSignal(banner.layerClicked) as clicked:
        qtbot.mouseClick(line_label(banner, dead.text), Qt.MouseButton.LeftButton)
    assert clicked.args == [3]


def test_an_alarm_is_picked_with_the_keyboard_too(banner, qtbot):
    vanished = alarm(0, 10)
    banner.show_alarms([vanished, alarm(3, 30, DEAD, "ReLU")])
    line = line_label(banner, vanished.text).parentWidget()
    assert line.focusPolicy() & Qt.FocusPolicy.TabFocus
    line.setFocus()
    with qtbot.waitSignal(banner.layerClicked) as clicked:
        qtbot.keyClick(line, Qt.Key.Key_Return)
    assert clicked.args == [0]


def test_beyond_four_alarms_the_rest_wait_behind_and_n_more(banner, qtbot):
    alarms = [alarm(layer, 10 * layer) for layer in range(6)]
    banner.show_alarms(alarms)
    newest = [a.text for a in reversed(alarms)]
    assert shown_lines(banner) == newest[:3]
    more = banner.more_button()
    assert more is not None and more.isVisible() and more.text() == "and 3 more"
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    assert banner.alarm_texts() == newest
    assert more.text() == "Show fewer"
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    assert banner.alarm_texts() == newest[:3]
    banner.show_alarms(alarms[:4])
    assert banner.alarm_texts() == newest[2:] and banner.more_button() is None


def test_a_flood_of_alarms_builds_a_bounded_number_of_lines(banner, qtbot):
    alarms = [alarm(layer, layer) for layer in range(MAX_LINES + 50)]
    banner.show_alarms(alarms)
    qtbot.mouseClick(banner.more_button(), Qt.MouseButton.LeftButton)
    assert len(banner.alarm_texts()) == MAX_LINES
    assert banner.alarm_texts()[0] == alarms[-1].text
    visible = [label.text() for label in banner.findChildren(QLabel) if label.isVisible()]
    assert "(50 older alarms not listed)" in visible


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_frame_wears_the_themes_warning_tint(themed_app, qtbot, theme):
    set_current_theme(themed_app, LIGHT if theme.dark else DARK)  # set_theme must override
    banner = AlarmBanner()
    qtbot.addWidget(banner)
    banner.resize(600, 200)
    banner.set_theme(theme)
    vanished = alarm(0, 10)
    banner.show_alarms([vanished])
    banner.show()
    label = line_label(banner, vanished.text)
    y = label.mapTo(banner, label.rect().center()).y()
    image = banner.grab().toImage()
    assert image.pixelColor(banner.width() - 2, y) == QColor(mix(theme.window, theme.warning, 0.14))
    assert image.pixelColor(1, y) == QColor(theme.warning)  # the frame's left edge
