"""Window tests: settings in a file of their own, and shown windows closed after each test.

The check that no QThread is left running covers every test: tests/conftest.py.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from app.experiment import Experiment
from app.gui.main_window import MainWindow


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot, settings):
    """Makes shown windows with the test's settings; each records its reports in `.reports`
    and closes after the test without asking to save."""
    windows: list[MainWindow] = []

    def make(experiment: Experiment | None = None) -> MainWindow:
        window = MainWindow(settings, experiment)
        window.show()
        window.reports = []
        window.controller.reportReceived.connect(window.reports.append)
        windows.append(window)
        return window

    yield make
    for window in windows:
        # not qtbot.addWidget: it closes widgets before this teardown, and the window would ask
        window.document.undo_stack.setClean()
        window.close()
        window.deleteLater()
