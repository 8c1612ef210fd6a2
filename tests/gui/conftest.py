"""Window tests: any QThread still running after a test fails it (threads must end cleanly)."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QThread


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
