"""Test set-up shared by every test: Qt renders offscreen, before anything imports Qt, and no
test may leave a QThread running (threads must end cleanly)."""

from __future__ import annotations

import gc
import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The tests read English texts: a machine set up in another language must not change them
# (the command line reads LANGUAGE first). The Chinese tests ask for Chinese themselves.
os.environ["LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A test that switched the core's language hands English back to the next one."""
    yield
    from models.translation import ENGLISH, language, set_language

    if language() != ENGLISH:
        set_language(ENGLISH)


def _native_threads() -> frozenset[str] | None:
    """The ids of the process's operating-system threads, or None where /proc cannot say."""
    try:
        return frozenset(os.listdir("/proc/self/task"))
    except OSError:
        return None


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fail a test that leaves a QThread running, and end the thread so later tests can pass."""
    before = _native_threads()
    yield
    if "PySide6.QtCore" not in sys.modules:
        return  # this process never used Qt: no QThread can exist (and Qt stays unimported)
    after = _native_threads()
    if after is not None and before is not None and after <= before:
        # Every thread alive now was alive before the test, when the previous test's check
        # found no QThread running. Looking through the heap costs about 0.3 s per test with
        # torch loaded (230,000 objects), so it is done only when a thread was started.
        return
    from PySide6.QtCore import QThread

    # No gc.collect() first: uncollected garbage is still listed, and collecting the wrapper
    # of a running QThread would destroy it while it runs, which aborts the process.
    running = [t for t in gc.get_objects() if issubclass(type(t), QThread) and t.isRunning()]
    for thread in running:  # end them so one leak does not fail every later test
        thread.quit()
        thread.wait(5000)
    assert not running, (
        f"{len(running)} QThread(s) left running: {[t.objectName() for t in running]}"
    )


@pytest.fixture
def themed_app(qapp):
    """The application, given back with its look as it was before the test. Widgets the tests
    before it let go are deleted first, before and after: a new style, palette or font is
    handed to every widget alive, and in the whole suite the leftovers made each change of
    look cost seconds (2.4-2.6 s of teardown a test in tests/widgets alone)."""
    import pyqtgraph as pg

    style_name = qapp.style().name()
    style_sheet, palette, font = qapp.styleSheet(), qapp.palette(), qapp.font()
    dark_property = qapp.property("layerlabDarkTheme")
    look_property = qapp.property("layerlabLook")  # the whole look (presentation mode's too)
    plot_options = {
        key: pg.getConfigOption(key) for key in ("antialias", "background", "foreground")
    }
    _delete_leftovers()
    yield qapp
    _delete_leftovers()
    qapp.setStyleSheet(style_sheet)
    if style_name:
        qapp.setStyle(style_name)
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setProperty("layerlabDarkTheme", dark_property)
    qapp.setProperty("layerlabLook", look_property)
    pg.setConfigOptions(**plot_options)


def _delete_leftovers() -> None:
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def english_numbers():
    """Numbers as the expected texts write them, whatever the machine's locale."""
    from PySide6.QtCore import QLocale

    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(previous)
