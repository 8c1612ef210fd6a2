"""Starting the window: the QApplication, its theme and settings, and offscreen screenshots."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, Qt, QTimer, SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.gui.language import apply_language, chosen_language
from models.translation import language
from widgets.style import apply_look
from widgets.theme import DARK, LIGHT, Theme

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

ORGANIZATION = "LayerLab"
APPLICATION = "LayerLab"
SETTLE_MS = 400  # let debounced previews and layouts finish before the grab
THUMBNAIL_WIDTH = 480  # a lesson card's picture, in pixels (shown at about half of it)
WAIT_MS = 600_000  # the longest a screenshot waits for the devices or a training run


def system_prefers_dark(app: QGuiApplication) -> bool:
    """Whether the desktop asks for a dark look (Qt 6.5+; unknown counts as light)."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, dark: bool | None = None) -> Theme:
    """Give the whole application the light or dark look (the desktop's choice when None)."""
    theme = DARK if (system_prefers_dark(app) if dark is None else dark) else LIGHT
    apply_look(app, theme)
    return theme


def create_application(dark: bool | None = None, code: str | None = None) -> QApplication:
    """The one QApplication, named for QSettings, speaking language `code` (None: the one
    the core speaks now), wearing the light or dark look."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    apply_language(app, language() if code is None else code)
    apply_theme(app, dark)
    return app


def run(path: Path | None = None) -> int:
    """Open the window (with `path` if given) and run until it closes, in the language
    chosen in View > Language, else the system's."""
    QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = create_application(code=chosen_language(QSettings()))
    window = open_window(QSettings(), path)  # held: the window lives while the app runs
    if path is None and window.shows_lessons_at_start():
        QTimer.singleShot(0, window, window.show_lessons)  # the start page, over the window
    return app.exec()


def open_window(settings: QSettings, path: Path | None = None) -> MainWindow:
    """Show the window, open `path` in it (a bad file leaves the default example and says
    why), then let the training thread find the devices and warm up."""
    from app.gui.main_window import MainWindow

    window = MainWindow(settings)
    window.show()
    if path is not None:
        window.files.open_file(Path(path))
    window.start_device_probe()
    window.controller.warm_up()
    return window


def wait_for(signal: SignalInstance | None, timeout_ms: int) -> None:
    """Run the event loop until `signal` fires or the time is up (None: just the time).
    An event loop, not a processEvents poll: a busy GUI thread starves the worker."""
    loop = QEventLoop()
    if signal is not None:
        signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if signal is not None:
        signal.disconnect(loop.quit)


def screenshot(
    out: Path,
    path: Path | None,
    size: tuple[int, int],
    dark: bool | None = None,
    train_epochs: int = 0,
    tab: str = "loss",
    data_root: Path | None = None,
    resizes: Sequence[tuple[int, int]] = (),
    code: bool = False,
    select_layer: int | None = None,
    lesson: str | None = None,
    thumbnail: bool = False,
    presentation: bool = False,
) -> tuple[int, int]:
    """Render the window offscreen, with default settings, into a PNG; with `train_epochs`,
    train that long in the window's worker first so the plots are real. The window is shown
    at each of `resizes` in turn before `size`; `code` opens the code panel, `select_layer`
    selects that layer, `lesson` opens the lesson of that file (its plot in front, unless
    `tab` names another), and `thumbnail` writes the plots alone, THUMBNAIL_WIDTH wide (the
    lessons' cards), `presentation` turns presentation mode on. The window speaks the
    language the core speaks (the command line's, from LANG). Returns the size of the image
    written: `size`, unless the window cannot be that small."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = create_application(dark)  # held: the QApplication lives while the window renders
    from app.datasets import is_vision
    from app.experiment import Experiment
    from app.gui.main_window import MainWindow
    from app.run_state import FINISHED

    experiment = Experiment.load(path) if path else None
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, experiment)
        if data_root is not None:
            window.set_data_root(str(data_root))
        window.resize(*(resizes[0] if resizes else size))
        window.show()
        for between in (*resizes[1:], size):
            wait_for(None, 0)  # each size laid out and drawn, as a user dragging would see it
            window.resize(*between)
        controller = window.controller
        try:
            if presentation:
                window.presentation.set_enabled(True)
            window.start_device_probe()
            wait_for(controller.devicesFound, WAIT_MS)
            if lesson is not None:
                window.lessons.start(lesson)
                data = window.document.experiment.data
                ready = window.document.inference.ok and not is_vision(data)
                if thumbnail and not train_epochs and ready:
                    # A card shows the lesson's first run (image data may not be here, and a
                    # lesson about a broken model shows it as it opens).
                    train_epochs = window.document.experiment.train.epochs
            if lesson is None or tab != "loss":
                window.run_panel.show_tab(tab)
            if code:
                window.show_code()
            if select_layer is not None:
                window.stack.select(select_layer)
            if train_epochs:
                train = replace(window.document.experiment.train, epochs=train_epochs)
                window.document.edit_train(train, "epochs")
                window.run_panel.start()
                while controller.state != FINISHED:
                    wait_for(controller.stateChanged, WAIT_MS)
            wait_for(None, SETTLE_MS)
            image = window.grab()
            if thumbnail:
                image = (
                    window.run_panel.tabs.currentWidget()
                    .grab()
                    .scaledToWidth(THUMBNAIL_WIDTH, Qt.TransformationMode.SmoothTransformation)
                )
            if not image.save(str(out)):
                raise OSError(f"cannot write {out}")
            return image.width(), image.height()
        finally:  # whatever happened, the training thread ends before the window goes
            window.document.undo_stack.setClean()
            window.close()
