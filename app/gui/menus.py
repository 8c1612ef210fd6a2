"""The window's actions (text, key, icon, tip), its menu bar and its toolbar."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

from app.gui.files import Example
from app.gui.language import LanguageMenu
from app.lessons import Lesson
from models.layers import ACTIVATION_KINDS
from widgets.icons import icon


def make_action(
    parent: QWidget,
    text: str,
    shortcut: QKeySequence.StandardKey | str | None = None,
    icon_name: str = "",
    tip: str = "",
) -> QAction:
    """An action with its key, icon and tip; whoever owns the verb connects `triggered`."""
    action = QAction(text, parent)
    if icon_name:
        action.setIcon(icon(icon_name))
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    return action


class WindowActions:
    """Every action of the window's File, Edit, View and Help menus. The layer keys (Delete,
    Alt+Up, Alt+Down) belong to the model list: elsewhere Delete edits text and Alt+Down
    opens combo boxes."""

    def __init__(self, window: QWidget, layer_list: QWidget) -> None:
        tr = window.tr
        key = QKeySequence.StandardKey
        self.new = make_action(window, tr("&New"), key.New, "new", tr("Start a new experiment"))
        self.open = make_action(
            window, tr("&Open…"), key.Open, "open", tr("Open an experiment file")
        )
        self.open_trained = make_action(
            window,
            tr("Open &Trained Folder…"),
            "Ctrl+Shift+O",
            "",
            tr("Open a folder that Train or Export Weights wrote, and train on from its weights"),
        )
        self.save = make_action(window, tr("&Save"), key.Save, "save", tr("Save the experiment"))
        self.save_as = make_action(
            window, tr("Save &As…"), key.SaveAs, "save-as", tr("Save under a new name")
        )
        self.quit = make_action(window, tr("&Quit"), key.Quit)
        self.undo = make_action(window, tr("&Undo"), key.Undo, "undo")
        self.redo = make_action(window, tr("&Redo"), "Ctrl+Shift+Z", "redo")
        self.delete = make_action(
            window, tr("&Delete Layer"), key.Delete, "delete", tr("Remove the selected layer")
        )
        self.duplicate = make_action(
            window,
            tr("D&uplicate Layer"),
            "Ctrl+D",
            "duplicate",
            tr("Insert a copy of the selected layer below it"),
        )
        self.move_up = make_action(
            window, tr("Move &Up"), "Alt+Up", "move-up", tr("Move the selected layer up")
        )
        self.move_down = make_action(
            window, tr("Move Do&wn"), "Alt+Down", "move-down", tr("Move the selected layer down")
        )
        for action in (self.delete, self.move_up, self.move_down):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            layer_list.addAction(action)
        self.code = make_action(
            window,
            tr("PyTorch &Code"),
            "Ctrl+Shift+C",
            "code",
            tr("Show train.py: this model and its training in plain PyTorch, as you edit"),
        )
        self.about = make_action(window, tr("&About LayerLab"), None, "about")
        self.export_weights = make_action(
            window,
            tr("&Export Weights…"),
            "Ctrl+E",
            "export",
            tr("Write model.pt, experiment.json and model.py into a folder"),
        )
        self.export_script = make_action(
            window,
            tr("Export &Training Script…"),
            "Ctrl+Shift+E",
            "",
            tr("Write train.py, which trains this experiment in plain PyTorch, into a folder"),
        )
        self.export_torchscript = make_action(
            window,
            tr("Export Model as &TorchScript…"),
            None,
            "",
            tr("The weights and model.torchscript.pt, which PyTorch and libtorch (C++) load"),
        )
        self.export_onnx = make_action(
            window,
            tr("Export Model as &ONNX…"),
            None,
            "",
            tr("The weights and model.onnx, which onnxruntime and other engines run"),
        )
        self.export_plot = make_action(
            window, tr("Export &Plot…"), None, "", tr("Save the plot on screen as a PNG image")
        )
        self.export_metrics = make_action(
            window,
            tr("Export &Metrics…"),
            None,
            "",
            tr("Save every epoch's losses and scores as CSV"),
        )
        self.browse_examples = make_action(
            window,
            tr("&Browse Examples\u2026"),
            None,
            "",
            tr("Every example with what it shows, to pick one and open it"),
        )
        self.lessons = make_action(
            window,
            tr("&Start Page\u2026"),
            "Ctrl+L",
            "",
            tr("Every lesson as a card: pick one to open its experiment and its steps"),
        )
        self.lock_controls = make_action(
            window,
            tr("&Lock Controls\u2026"),
            "Ctrl+Shift+K",
            "",
            tr("Lock or hide panels and settings for the students who open this experiment"),
        )
        self.unlock_controls = make_action(
            window,
            tr("&Unlock Controls"),
            None,
            "",
            tr("Open every panel and setting this experiment locks or hides"),
        )
        self.reset_layout = make_action(
            window,
            tr("&Reset Layout"),
            None,
            "",
            tr("Put every panel back where it was at the first start"),
        )


def build_menus(
    window: QMainWindow,
    actions: WindowActions,
    recent_menu: QMenu,
    run_actions: Sequence[QAction],
    examples: Sequence[Example],
    open_example: Callable[[Path], None],
    docks: Sequence[QDockWidget],
    lessons: Sequence[Lesson] = (),
    start_lesson: Callable[[str], object] = lambda _name: None,
    change_activations: Callable[[str], object] = lambda _kind: None,
    presentation_actions: Sequence[QAction] = (),
) -> tuple[QMenu, ...]:
    """The menu bar and the main toolbar; returns the menus that open another experiment
    (Examples, Lessons), locked while training, and Change Activations To."""
    tr = window.tr
    bar = window.menuBar()
    file_menu = bar.addMenu(tr("&File"))
    file_menu.addActions([actions.new, actions.open, actions.open_trained])
    file_menu.addMenu(recent_menu)
    file_menu.addSeparator()
    file_menu.addActions([actions.save, actions.save_as])
    file_menu.addSeparator()
    file_menu.addActions(
        [
            actions.export_weights,
            actions.export_torchscript,
            actions.export_onnx,
            actions.export_script,
            actions.export_plot,
            actions.export_metrics,
        ]
    )
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    edit_menu = bar.addMenu(tr("&Edit"))
    edit_menu.addActions([actions.undo, actions.redo])
    edit_menu.addSeparator()
    edit_menu.addActions([actions.delete, actions.duplicate, actions.move_up, actions.move_down])
    edit_menu.addSeparator()
    activations_menu = edit_menu.addMenu(tr("Change &Activations To"))
    activations_menu.setToolTipsVisible(True)
    for kind in ACTIVATION_KINDS:
        action = activations_menu.addAction(kind)
        action.setToolTip(tr("Every activation layer of the model becomes a %s") % kind)
        action.triggered.connect(lambda _=False, kind=kind: change_activations(kind))
    run_menu = bar.addMenu(tr("&Run"))
    run_menu.addActions(list(run_actions))
    examples_menu = bar.addMenu(tr("E&xamples"))
    examples_menu.addAction(actions.browse_examples)
    examples_menu.addSeparator()
    examples_menu.setToolTipsVisible(True)
    for example in examples:
        action = examples_menu.addAction(example.title)
        # Rich text, so a long description wraps in the tooltip.
        action.setToolTip(f"<p>{html.escape(example.description)}</p>")
        action.setStatusTip(example.description)
        action.triggered.connect(lambda _=False, path=example.path: open_example(path))
    lessons_menu = bar.addMenu(tr("&Lessons"))
    lessons_menu.addAction(actions.lessons)
    lessons_menu.addSeparator()
    lessons_menu.addActions([actions.lock_controls, actions.unlock_controls])
    lessons_menu.addSeparator()
    lessons_menu.setToolTipsVisible(True)
    for lesson in lessons:
        action = lessons_menu.addAction(lesson.title)
        action.setToolTip(lesson.summary)
        action.setStatusTip(lesson.summary)
        action.triggered.connect(lambda _=False, name=lesson.name: start_lesson(name))
    # Each panel's own action shows and hides it (the docks are closable, or Qt greys it out).
    view_menu = bar.addMenu(tr("&View"))
    for dock in docks:
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addSeparator()
    view_menu.addAction(actions.reset_layout)
    view_menu.addMenu(LanguageMenu(window, window.settings))
    if presentation_actions:  # Presentation, Full Screen; then the zoom
        view_menu.addSeparator()
        view_menu.addActions(list(presentation_actions[:2]))
        view_menu.addSeparator()
        view_menu.addActions(list(presentation_actions[2:]))
    help_menu = bar.addMenu(tr("&Help"))
    help_menu.addActions([actions.code, actions.about])

    toolbar = window.addToolBar(tr("Main"))
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addActions([actions.new, actions.open, actions.save])
    toolbar.addSeparator()
    toolbar.addActions([actions.undo, actions.redo])
    toolbar.addSeparator()
    toolbar.addAction(actions.code)
    toolbar.addAction(actions.export_weights)
    for action in (actions.new, actions.open, actions.save, actions.code, actions.export_weights):
        action.setIconText(button_text(action.text()))
    return examples_menu, lessons_menu, activations_menu


def button_text(text: str) -> str:
    """A menu text as a toolbar button shows it: without its accelerator, whether an '&' or
    the '(&N)' Chinese menus add after the word ('新建(&N)' -> '新建'; Qt strips only the
    '&' and leaves '新建(N)'), and without the '...' of an action that opens a dialog."""
    text = re.sub(r"\s*\(&\w\)", "", text).replace("&", "")
    return text.removesuffix("...").removesuffix("\u2026").strip()
