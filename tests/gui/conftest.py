"""Window tests: any QThread still running after a test fails it (threads must end cleanly)."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QSettings, QThread

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


@pytest.fixture(autouse=True)
def no_thread_left_running():
    yield
    gc.collect()
    running = [t for t in gc.get_objects() if issubclass(type(t), QThread) and t.isRunning()]
    for thread in running:  # end them so one leak does not fail every later test
        thread.quit()
        thread.wait(5000)
    assert not running, (
        f"{len(running)} QThread(s) left running: {[t.objectName() for t in running]}"
    )
