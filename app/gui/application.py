"""Starting the window: the QApplication, its theme and settings, and offscreen screenshots."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from widgets.style import apply_look
from widgets.theme import DARK, LIGHT, Theme

ORGANIZATION = "LayerLab"
APPLICATION = "LayerLab"
SETTLE_MS = 400


def system_prefers_dark(app: QGuiApplication) -> bool:
    """Whether the desktop asks for a dark look (Qt 6.5+; unknown counts as light)."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, dark: bool | None = None) -> Theme:
    """Give the whole application the light or dark look (the desktop's choice when None)."""
    theme = DARK if (system_prefers_dark(app) if dark is None else dark) else LIGHT
    apply_look(app, theme)
    return theme


def create_application(dark: bool | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    apply_theme(app, dark)
    return app


def run(path: Path | None = None) -> int:
    """Open the window (with `path` if given) and run until it closes."""
    app = create_application()
    from app.gui.main_window import MainWindow

    window = MainWindow(QSettings())
    window.show()
    if path is not None:
        window.open_file(path)
    window.start_device_probe()
    window.controller.warm_up()
    return app.exec()


def screenshot(
    out: Path,
    path: Path | None,
    size: tuple[int, int],
    dark: bool | None = None,
    train_epochs: int = 0,
    tab: int = 0,
    data_root: Path | None = None,
) -> None:
    """Render the window offscreen, with default settings, into a PNG; with `train_epochs`,
    train that long in the window's worker first so the plots are real."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_application(dark)
    from app.experiment import Experiment
    from app.gui.controller import FINISHED
    from app.gui.main_window import MainWindow

    experiment = Experiment.load(path) if path else None
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, experiment)
        if data_root is not None:
            window.set_data_root(str(data_root))
        window.resize(*size)
        window.show()
        window.start_device_probe().join()
        window.run_panel.tabs.setCurrentIndex(tab)
        if train_epochs:
            experiment = window.document.experiment
            window.document.edit_train(replace(experiment.train, epochs=train_epochs), "epochs")
            window.run_panel.start()
            while window.controller.state != FINISHED:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        settle = QElapsedTimer()
        settle.start()
        while settle.elapsed() < SETTLE_MS:  # let debounced previews and layouts finish
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if not window.grab().save(str(out)):
            raise OSError(f"cannot write {out}")
        window.document.undo_stack.setClean()
        window.close()
