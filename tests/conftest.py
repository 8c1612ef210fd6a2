"""Test set-up shared by every test: Qt renders offscreen, before anything imports Qt."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def themed_app(qapp):
    """The application, given back with its look as it was before the test."""
    import pyqtgraph as pg

    style_name = qapp.style().name()
    style_sheet, palette, font = qapp.styleSheet(), qapp.palette(), qapp.font()
    dark_property = qapp.property("layerlabDarkTheme")
    plot_options = {
        key: pg.getConfigOption(key) for key in ("antialias", "background", "foreground")
    }
    yield qapp
    qapp.setStyleSheet(style_sheet)
    if style_name:
        qapp.setStyle(style_name)
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setProperty("layerlabDarkTheme", dark_property)
    pg.setConfigOptions(**plot_options)


@pytest.fixture
def english_numbers():
    """Numbers as the expected texts write them, whatever the machine's locale."""
    from PySide6.QtCore import QLocale

    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(previous)
