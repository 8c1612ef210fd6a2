"""The window holds at any size: through a sequence of resizes, idle and during a paused run,
nothing is squashed, clipped or elided; the View menu shows and hides the panels; Reset Layout
brings back the first start; a broken saved layout does not come back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QByteArray, QEvent, QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMenu,
    QSizePolicy,
    QTabBar,
    QTreeWidget,
    QWidget,
)

from app.gui.application import apply_theme
from app.gui.main_window import MainWindow
from app.reports import HistogramReport
from app.run_state import FINISHED, PAUSED
from widgets.layer_stack import LAYER


@pytest.fixture(autouse=True)
def real_look(themed_app):
    """The look the window opens with (LayerLab's style and 11-point font), not pytest-qt's:
    the sizes that matter are the app's own."""
    apply_theme(themed_app, dark=False)


SIZES = [
    (1400, 900),
    (1280, 720),
    (1024, 600),
    (1920, 1080),
    (1024, 600),
    (3840, 2160),
    (1366, 768),
]
LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea


def on_screen(widget: QWidget) -> bool:
    """Shown, and not behind another tab or scrolled out of its scroll area."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def smallest(widget: QWidget) -> QSize:
    """The size Qt's layouts promise a widget: its minimum size where set, else its hint."""
    hint, explicit = widget.minimumSizeHint(), widget.minimumSize()
    return QSize(explicit.width() or hint.width(), explicit.height() or hint.height())


def squashed(window: MainWindow) -> list[str]:
    """Widgets laid out smaller than their minimum (wrapped text: than all its lines need at
    its width). Qt's own parts of a control ("qt_spinbox_lineedit") are sized by the control."""
    ignored = QSizePolicy.Policy.Ignored
    found = []
    for widget in window.findChildren(QWidget):
        if not on_screen(widget) or widget.isWindow() or widget.objectName().startswith("qt_"):
            continue
        policy = widget.sizePolicy()
        least = smallest(widget)
        if isinstance(widget, QLabel) and widget.wordWrap():  # all its lines, at its width
            least.setHeight(max(widget.minimumHeight(), widget.heightForWidth(widget.width())))
        narrow = policy.horizontalPolicy() != ignored and widget.width() < least.width()
        short = policy.verticalPolicy() != ignored and widget.height() < least.height()
        if narrow or short:
            found.append(f"{type(widget).__name__} {widget.size().toTuple()} < {least.toTuple()}")
    return found


def clipped_labels(window: MainWindow) -> list[str]:
    """Labels on one line whose text is wider than they are, and lines that show a shorter
    text (the run controls' `full_text` labels) without the whole one in their tooltip."""
    labels = [label for label in window.findChildren(QLabel) if on_screen(label)]
    return [
        f"{label.text()!r}: {label.sizeHint().width()} > {label.width()}"
        for label in labels
        if label.text() and not label.wordWrap() and label.sizeHint().width() > label.width()
    ] + [
        f"{label.text()!r} shortened, and its tooltip lacks {label.full_text()!r}"
        for label in window.findChildren(QWidget)
        if on_screen(label)
        and hasattr(label, "full_text")
        and label.text() != label.full_text()
        and label.toolTip() != label.full_text()
    ]


def elided_tabs(window: MainWindow) -> list[str]:
    """Tab bars (the side panels' included) too narrow for their tabs' titles."""
    return [
        f"{[bar.tabText(i) for i in range(bar.count())]}: {bar.width()} < {bar.sizeHint().width()}"
        for bar in window.findChildren(QTabBar)
        if on_screen(bar) and bar.count() and bar.width() < bar.sizeHint().width()
    ]


def elided_names(tree: QTreeWidget, column: int) -> list[str]:
    """Rows of `column` narrower than their text needs (which a tree elides)."""
    found = []
    model = tree.model()
    rows = [model.index(row, column) for row in range(model.rowCount())]
    rows += [model.index(r, 0, parent) for parent in rows for r in range(model.rowCount(parent))]
    for index in rows:
        if tree.visualRect(index).width() < tree.sizeHintForIndex(index).width():
            found.append(str(index.data()))
    return found


def layout_problems(window: MainWindow) -> list[str]:
    return (
        squashed(window)
        + clipped_labels(window)
        + elided_tabs(window)
        + elided_names(window.stack.tree, LAYER)
        + elided_names(window.palette_widget, 0)
    )


def settle() -> None:
    """Run what is posted, then lay out what it changed (as Qt does before it paints)."""
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def walk_sizes(window: MainWindow) -> None:
    for size in SIZES:
        window.resize(*size)
        settle()
        assert window.size().toTuple() == size
        assert layout_problems(window) == [], size


def test_every_size_holds_from_a_netbook_to_4k(open_window):
    window = open_window()
    walk_sizes(window)


def test_every_size_holds_during_a_paused_run(open_window, qtbot):
    window = open_window()
    experiment = window.document.experiment
    window.document.edit_data(replace(experiment.data, samples=400), "small")
    window.document.edit_train(replace(window.document.experiment.train, epochs=500), "long")
    panel = window.run_panel
    panel.train_action.trigger()
    panel.train_action.trigger()  # pause
    qtbot.waitUntil(lambda: window.controller.state == PAUSED, timeout=60_000)
    # A few steps, so the plots (the gradient histograms' controls too) show the run.
    while not any(isinstance(report, HistogramReport) for report in window.reports):
        steps = len(window.reports)
        panel.step_action.trigger()
        qtbot.waitUntil(lambda steps=steps: len(window.reports) > steps, timeout=60_000)
    settle()
    titles = [dock.windowTitle() for dock in window.window_layout.docks]
    # the lock is not in the titles
    assert titles == ["Layers", "Layer settings", "Data", "Training", "Lesson", "Code"]
    assert "Locked while training" in window.layers_page.lock_text()
    assert "Locked while training" in window.data_page.lock_text()
    assert "learning rate" in window.training_page.lock_text()
    walk_sizes(window)
    panel.stop_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == FINISHED, timeout=60_000)
    assert window.layers_page.lock_text() == "" and window.data_page.lock_text() == ""


def test_side_panels_squeezed_by_a_small_window_grow_back(open_window):
    window = open_window()
    window.resize(1400, 900)
    settle()
    widths = [window.layers_dock.width(), window.data_dock.width()]
    window.resize(1024, 600)
    window.resize(1600, 1000)
    settle()
    assert [window.layers_dock.width(), window.data_dock.width()] == widths


def test_a_panel_narrowed_by_hand_keeps_its_width_through_resizes_and_tab_clicks(open_window):
    window = open_window()
    window.resize(1400, 900)
    settle()
    narrower = window.layers_dock.width() - 60
    # What dragging the panel's edge does: the panel changes, the window keeps its size.
    window.resizeDocks([window.layers_dock], [narrower], Qt.Orientation.Horizontal)
    settle()
    assert window.layers_dock.width() == narrower
    window.training_dock.raise_()  # another tab on the right
    window.resize(1024, 600)
    window.resize(1400, 900)
    settle()
    assert window.layers_dock.width() == narrower  # not snapped back to the first width


def test_the_window_fits_a_1024_by_600_screen(open_window):
    window = open_window()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 600


def test_alarms_on_the_gradients_tab_fit_a_netbook_and_a_projector(open_window, qtbot):
    """The vanishing-gradients lesson after its first run: the Lesson panel open, two alarms
    over the plots. The window stays 1024x600, and 1280x720 in presentation mode."""
    window = open_window()
    window.lessons.start("vanishing_gradients")
    window.document.edit_train(replace(window.document.experiment.train, epochs=4), "short")
    window.run_panel.show_tab("gradients")
    for size, presenting in (((1024, 600), False), ((1280, 720), True)):
        window.presentation.set_enabled(presenting)
        window.resize(*size)
        window.run_panel.reset_action.trigger()
        window.run_panel.train_action.trigger()
        qtbot.waitUntil(lambda: window.controller.state == FINISHED, timeout=60_000)
        qtbot.waitUntil(lambda: len(window.run_panel.histograms.banner.alarm_texts()) >= 2)
        settle()
        assert window.size().toTuple() == size
        assert window.minimumSizeHint().height() <= size[1]
        # A new font relays the side panels out over a few turns of the event loop.
        qtbot.waitUntil(lambda: layout_problems(window) == [], timeout=2_000)


def test_an_empty_model_says_how_to_add_a_layer(open_window):
    window = open_window()
    hint = window.stack.tree.empty_hint
    assert not hint.isVisible()
    while window.document.model.layers:
        window.stack.select(0)
        window.menu_actions.delete.trigger()
    assert on_screen(hint)
    assert hint.text() == ("Empty model: double-click a layer under Add a layer, or drag it here.")
    window.palette_widget.layerRequested.emit("Linear")
    assert not hint.isVisible()


def view_menu(window: MainWindow) -> QMenu:
    (menu,) = [
        action.menu()
        for action in window.menuBar().actions()
        if action.menu() and action.text() == "&View"
    ]
    return menu


def test_the_view_menu_hides_and_shows_every_panel(open_window):
    window = open_window()
    items = [action for action in view_menu(window).actions() if not action.isSeparator()]
    panels = items[:7]  # then Presentation, Full Screen and the zoom (tests/gui/test_presentation)
    assert all(action.isEnabled() for action in panels)
    assert [action.text() for action in panels] == [
        "Layers",
        "Layer settings",
        "Data",
        "Training",
        "Lesson",
        "Code",
        "&Reset Layout",
    ]
    for dock in window.window_layout.docks:
        action = dock.toggleViewAction()
        shown = not dock.isHidden()
        # the code and the lesson open when asked for
        assert shown == (dock not in (window.code_dock, window.lesson_dock))
        action.trigger()
        assert dock.isHidden() == shown and action.isChecked() != shown
        action.trigger()
        assert dock.isHidden() != shown and action.isChecked() == shown
    window.training_dock.close()  # its title bar's close button
    assert window.training_dock.isHidden()
    window.training_dock.toggleViewAction().trigger()
    assert not window.training_dock.isHidden()


def assert_first_start_arrangement(window: MainWindow) -> None:
    layers, inspector, data, training, lesson, code = window.window_layout.docks
    assert code.isHidden() and lesson.isHidden()  # they open when asked for
    assert [window.dockWidgetArea(d) for d in (layers, inspector, data, training)] == [
        LEFT,
        RIGHT,
        RIGHT,
        RIGHT,
    ]
    assert not any(d.isFloating() or d.isHidden() for d in (layers, inspector, data, training))
    assert set(window.tabifiedDockWidgets(data)) == {inspector, training}
    assert on_screen(data) and not on_screen(inspector) and not on_screen(training)
    assert window.centralWidget().width() > max(layers.width(), data.width())


def test_reset_layout_brings_back_the_first_start(open_window):
    window = open_window()
    window.resize(1400, 900)
    window.addDockWidget(LEFT, window.data_dock)
    window.training_dock.setFloating(True)
    window.inspector_dock.close()
    window.menu_actions.reset_layout.trigger()
    settle()
    assert_first_start_arrangement(window)
    assert layout_problems(window) == []


def save_garbage(settings) -> None:
    settings.setValue("window/state", QByteArray(b"\x00\x00\x00\xffnot a layout at all"))


def save_from_an_older_version(settings) -> None:
    """Layouts saved before the panels scrolled (no version) could hold crushed panels."""
    window = MainWindow(settings)
    window.show()
    window.training_dock.hide()
    window.close()
    window.deleteLater()
    settings.remove("window/layoutVersion")


def save_plots_squeezed_to_a_sliver(settings) -> None:
    """Side panels dragged so wide that the plots keep only their minimum of a 4K window."""
    window = MainWindow(settings)
    window.resize(3840, 2160)
    window.show()
    settle()
    window.resizeDocks(
        [window.layers_dock, window.data_dock], [1700, 1700], Qt.Orientation.Horizontal
    )
    settle()
    window.close()
    window.deleteLater()


@pytest.mark.parametrize(
    "save_broken",
    [save_garbage, save_from_an_older_version, save_plots_squeezed_to_a_sliver],
    ids=["garbage", "older version", "plots a sliver"],
)
def test_a_broken_saved_layout_does_not_come_back(qtbot, settings, save_broken):
    save_broken(settings)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(3840, 2160)  # where the sliver was saved; the others hold anywhere
    window.show()
    settle()
    assert_first_start_arrangement(window)
    assert layout_problems(window) == []


def test_layer_names_never_elide_in_the_narrowest_layers_panel(open_window):
    window = open_window()
    window.resize(1024, 600)
    window.resizeDocks([window.layers_dock], [0], Qt.Orientation.Horizontal)
    settle()
    assert elided_names(window.stack.tree, LAYER) == []
    assert elided_names(window.palette_widget, 0) == []
    assert layout_problems(window) == []
