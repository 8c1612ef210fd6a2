"""Presentation mode: one switch that makes a window readable from the back of a room.

On: the application wears its look's presentation variant (widgets.presentation_look: fonts
at 100-250%, curves 3 px or more, larger markers, class colours a deuteranope tells apart),
and the window shows a projector layout: the model, the run controls and the plots, with the
editing panels and the toolbar tucked away. Off: the everyday look and the panels as they
were. The switch, the zoom and the layout before the presentation are kept in QSettings;
`restore()` at start puts a presentation that was on back on.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QToolBar

from widgets.presentation_look import (
    MAX_SCALE,
    MIN_SCALE,
    PRESENTATION_SCALE,
    clamp_scale,
    everyday_theme,
    presentation_theme,
    zoomed,
)
from widgets.style import apply_look, refont_dock_titles, retheme_widgets
from widgets.theme import Theme, current_theme

ENABLED_KEY = "presentation/enabled"
SCALE_KEY = "presentation/scale"
LAYOUT_KEY = "presentation/layout"  # the window's saveState() from before the presentation

# The panels that edit the experiment: a class watches the model, the run and the plots.
# The model (`layers_dock`) and the central run panel stay; the lesson panel, when open, too.
EDITING_DOCKS = ("inspector_dock", "data_dock", "training_dock", "code_dock")
MODEL_DOCK = "layers_dock"


class Presentation(QObject):
    """Presentation mode for `window`: its actions (`toggle_action`, `full_screen_action`,
    `zoom_in_action`, `zoom_out_action`, `zoom_reset_action`; all in `actions`), the
    application's look and the window's projector layout, remembered in `settings`."""

    enabledChanged = Signal(bool)  # presentation mode turned on or off
    scaleChanged = Signal(float)  # the presentation's font scale, 1.0 to 2.5

    def __init__(self, window: QMainWindow, settings: QSettings) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._enabled = False
        self._scale = clamp_scale(settings.value(SCALE_KEY, PRESENTATION_SCALE, type=float))
        self._was_maximized = False  # before full screen, to return to it
        # Called before the layout is kept: the window puts back what it hid for its own
        # reasons (a file's hidden panels), which the layout to return to must not hold.
        self.before_saving_layout: Callable[[], None] = lambda: None
        self._make_actions()
        self._update_actions()

    # -- state ------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Whether presentation mode is on."""
        return self._enabled

    @property
    def scale(self) -> float:
        """The presentation's font scale (1.0 to 2.5), kept while presentation mode is off."""
        return self._scale

    def theme(self) -> Theme:
        """The look the application wears now, or would in presentation mode."""
        base = everyday_theme(current_theme())
        return presentation_theme(base, self._scale) if self._enabled else base

    # -- the verbs --------------------------------------------------------------------------

    def restore(self) -> None:
        """Turn presentation mode back on if it was on when the settings were last written
        (at start, after the window restored its own layout)."""
        if self._settings.value(ENABLED_KEY, False, type=bool):
            # The window's own layout is the presentation's now: the one from before it was
            # kept in the settings when it began (without it, leaving shows the panels).
            self._enter(keep_layout=False)

    def set_enabled(self, on: bool) -> None:
        """Turn presentation mode on or off; the choice is remembered."""
        if on == self._enabled:
            return
        if on:
            self._enter(keep_layout=True)
        else:
            self._leave()

    def toggle(self) -> None:
        """Presentation mode off if on, on if off."""
        self.set_enabled(not self._enabled)

    def zoom_in(self) -> None:
        """Fonts one step (25%) larger, up to 250% (presentation mode only)."""
        self._set_scale(zoomed(self._scale, 1))

    def zoom_out(self) -> None:
        """Fonts one step smaller, down to 100% (presentation mode only)."""
        self._set_scale(zoomed(self._scale, -1))

    def zoom_reset(self) -> None:
        """Fonts back at the presentation's own size, 150% (presentation mode only)."""
        self._set_scale(PRESENTATION_SCALE)

    def toggle_full_screen(self) -> None:
        """The window full screen, or back as it was (maximized or not)."""
        window = self._window
        if window.isFullScreen():
            if self._was_maximized:
                window.showMaximized()
            else:
                window.showNormal()
        else:
            self._was_maximized = window.isMaximized()
            window.showFullScreen()
        self.full_screen_action.setChecked(window.isFullScreen())

    # -- private ----------------------------------------------------------------------------

    def _make_actions(self) -> None:
        window = self._window
        self.toggle_action = QAction(self.tr("&Presentation"), window)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setToolTip(
            self.tr(
                "Presentation: larger text, thicker lines and colours for colour-blind eyes, "
                "with only the model, the run controls and the plots shown"
            )
        )
        self.toggle_action.toggled.connect(self.set_enabled)
        self.full_screen_action = QAction(self.tr("&Full Screen"), window)
        self.full_screen_action.setCheckable(True)
        self.full_screen_action.setShortcut(QKeySequence(QKeySequence.StandardKey.FullScreen))
        if self.full_screen_action.shortcut().isEmpty():  # not every desktop names one
            self.full_screen_action.setShortcut(QKeySequence("F11"))
        self.full_screen_action.setToolTip(self.tr("Fill the screen with the window (F11)"))
        self.full_screen_action.triggered.connect(self.toggle_full_screen)
        self.zoom_in_action = QAction(self.tr("Zoom &In"), window)
        # Ctrl+= first: on most keyboards "+" needs Shift, and Ctrl+= is what people press.
        self.zoom_in_action.setShortcuts(_keys("Ctrl+=", QKeySequence.StandardKey.ZoomIn))
        self.zoom_in_action.triggered.connect(self.zoom_in)
        self.zoom_out_action = QAction(self.tr("Zoom &Out"), window)
        self.zoom_out_action.setShortcuts(_keys("Ctrl+-", QKeySequence.StandardKey.ZoomOut))
        self.zoom_out_action.triggered.connect(self.zoom_out)
        self.zoom_reset_action = QAction(self.tr("&Actual Size"), window)
        self.zoom_reset_action.setShortcut(QKeySequence("Ctrl+0"))
        self.zoom_reset_action.triggered.connect(self.zoom_reset)
        self.actions = (
            self.toggle_action,
            self.full_screen_action,
            self.zoom_in_action,
            self.zoom_out_action,
            self.zoom_reset_action,
        )

    def _update_actions(self) -> None:
        """Check the switch; the zoom only in presentation mode (the everyday look's layouts
        are made for its one size)."""
        self.toggle_action.blockSignals(True)
        self.toggle_action.setChecked(self._enabled)
        self.toggle_action.blockSignals(False)
        now = _percent(self._scale)
        tips = (
            (
                self.zoom_in_action,
                self.tr("Larger text (Ctrl+=), up to {0}%. Now {1}%."),
                MAX_SCALE,
            ),
            (
                self.zoom_out_action,
                self.tr("Smaller text (Ctrl+-), down to {0}%. Now {1}%."),
                MIN_SCALE,
            ),
            (
                self.zoom_reset_action,
                self.tr("Text at the presentation's own size, {0}% (Ctrl+0). Now {1}%."),
                PRESENTATION_SCALE,
            ),
        )
        for action, tip, limit in tips:
            action.setToolTip(tip.format(_percent(limit), now))
            action.setEnabled(self._enabled)

    def _enter(self, keep_layout: bool) -> None:
        """Presentation on: the layout before it kept (unless one kept earlier still holds),
        the editing panels hidden, the presentation look worn."""
        window = self._window
        if keep_layout:
            self.before_saving_layout()
            self._settings.setValue(LAYOUT_KEY, window.saveState())
        for dock in self._docks(EDITING_DOCKS):
            dock.hide()
        for dock in self._docks((MODEL_DOCK,)):
            dock.show()
        for toolbar in window.findChildren(QToolBar):
            # Its verbs edit and save (the menus keep them); at 150% it took 49 of a 720 px
            # projector's rows, which the Gradients tab's plots needed.
            toolbar.hide()
        self._enabled = True
        self._wear()
        self._settings.setValue(ENABLED_KEY, True)
        self._settings.setValue(SCALE_KEY, self._scale)
        self._update_actions()
        self.enabledChanged.emit(True)

    def _leave(self) -> None:
        """Presentation off: the everyday look, then the panels as they were before."""
        self._enabled = False
        self._wear()
        state = self._settings.value(LAYOUT_KEY)
        if state is None or not self._window.restoreState(state):
            for dock in self._docks(EDITING_DOCKS[:-1]):  # the code panel opens when asked
                dock.show()
            for toolbar in self._window.findChildren(QToolBar):
                toolbar.show()
        self._settings.setValue(ENABLED_KEY, False)
        self._settings.remove(LAYOUT_KEY)
        self._update_actions()
        self.enabledChanged.emit(False)

    def _set_scale(self, scale: float) -> None:
        if not self._enabled or scale == self._scale:
            return
        self._scale = scale
        self._settings.setValue(SCALE_KEY, scale)
        self._wear()
        self._update_actions()
        self.scaleChanged.emit(scale)

    def _wear(self) -> None:
        """The application in this mode's look, the widgets already made included."""
        app = QApplication.instance()
        theme = self.theme()
        apply_look(app, theme)
        retheme_widgets(app, theme)
        refont_dock_titles(app)

    def _docks(self, names: tuple[str, ...]) -> list[QDockWidget]:
        docks = (getattr(self._window, name, None) for name in names)
        return [dock for dock in docks if isinstance(dock, QDockWidget)]


def _keys(first: str, standard: QKeySequence.StandardKey) -> list[QKeySequence]:
    """`first`, then the desktop's own keys for the same verb, each once: a key listed twice
    on one action is ambiguous to Qt, and then neither fires (Ctrl+- is both, here)."""
    keys = [QKeySequence(first)]
    for key in QKeySequence.keyBindings(standard):
        if key not in keys:
            keys.append(key)
    return keys


def _percent(scale: float) -> str:
    return str(round(scale * 100))
