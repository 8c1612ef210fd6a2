"""The window's language: chosen in View > Language (remembered; it applies at the next
start), else the system's locale. One catalog serves the window and the core: a Qt
translator hands every tr() call to `models.translation`, and Qt's own catalog translates
Qt's dialogs (the buttons of a message box, a file dialog). The Chinese font ships in
`resources/fonts` (`app.font_build`) and is every font's fallback, so Chinese text shows with
real glyphs in either language, even where the machine has no CJK font."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QProcess, QSettings, QTranslator
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QMessageBox

from app.font_build import FAMILY as CJK_FAMILY
from app.font_build import FOLDER as FONT_FOLDER
from models.translation import ENGLISH, LANGUAGES, language, language_for, lookup, set_language

SETTINGS_KEY = "view/language"
SYSTEM = "system"  # follow the desktop's locale

_installed: list[QTranslator] = []  # held: Qt keeps no reference to an installed translator


class CatalogTranslator(QTranslator):
    """Qt's tr() answered from LayerLab's catalog. No answer (None: a null string, not an
    empty one, which Qt would show) lets Qt's own catalog or the English source text speak:
    Qt asks for its own texts too, such as QShortcut's "F%1" for F11."""

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: ARG002
        return lookup(source_text)

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        return False


def system_language() -> str:
    return language_for(QLocale.system().name())


def _saved_choice(settings: QSettings) -> str:
    """What View > Language holds: "system" or a language's code."""
    return str(settings.value(SETTINGS_KEY, SYSTEM) or SYSTEM)


def chosen_language(settings: QSettings) -> str:
    """The language the window starts in: the one chosen in View > Language, or the
    system's."""
    choice = _saved_choice(settings)
    return choice if choice in LANGUAGES else system_language()


def load_fonts(app: QApplication) -> None:
    """Register the shipped Chinese font and make it the fallback of the application font;
    in Chinese it comes first, so Chinese and Latin letters sit on one baseline. Registering
    both weights takes 11 ms at start (measured here), so Chinese a user types shows in English
    too."""
    if CJK_FAMILY not in QFontDatabase.families():
        for path in sorted(FONT_FOLDER.glob("*.otf")):
            QFontDatabase.addApplicationFont(str(path))
    font = QFont(app.font())
    # Each family as the font it stands for: beside another family, Qt passes over an alias
    # ("Sans Serif", the default here) to the next real one, the Chinese font, and English
    # would draw in its Latin letters (a button 2-7 px narrower than in DejaVu Sans).
    others = list(
        dict.fromkeys(
            QFontInfo(QFont(family)).family() for family in font.families() if family != CJK_FAMILY
        )
    )
    first = language() != ENGLISH
    font.setFamilies([CJK_FAMILY, *others] if first else [*others, CJK_FAMILY])
    app.setFont(font)


def apply_language(app: QApplication, code: str) -> None:
    """Speak `code` from now on: the core's texts, every tr() of widgets made from now on,
    Qt's dialogs and the font. Widgets already made keep the texts they were given."""
    set_language(code)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language() != ENGLISH:
        qt_catalog = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        # qtbase, not the "qt" meta catalog: that one names modules PySide6-Essentials lacks
        # and does not load.
        if qt_catalog.load(QLocale(language()), "qtbase", "_", folder):
            _installed.append(qt_catalog)
        _installed.append(CatalogTranslator(app))
        for translator in _installed:
            app.installTranslator(translator)
    load_fonts(app)


class LanguageMenu(QMenu):
    """View > Language: the system's language or one of LayerLab's, each by its own name.
    A choice is remembered and applies at the next start, with an offer to restart now."""

    def __init__(self, window: QMainWindow, settings: QSettings) -> None:
        # The menu's name in the other language too, for whoever cannot read this one.
        other = "语言" if language() == ENGLISH else "Language"
        super().__init__(f"{window.tr('&Language')} ({other})", window)
        self.window, self.settings = window, settings
        group = QActionGroup(self)
        choice = _saved_choice(settings)
        system_name = LANGUAGES[system_language()]
        entries = [(SYSTEM, window.tr("System ({0})").format(system_name)), *LANGUAGES.items()]
        self.choices: dict[str, QAction] = {}
        for code, label in entries:
            action = self.addAction(label)
            action.setCheckable(True)
            action.setChecked(code == choice or (code == SYSTEM and choice not in LANGUAGES))
            group.addAction(action)
            action.triggered.connect(lambda _checked=False, code=code: self.choose(code))
            self.choices[code] = action
            if code == SYSTEM:
                self.addSeparator()

    def choose(self, code: str) -> None:
        if code == _saved_choice(self.settings):
            return
        self.settings.setValue(SETTINGS_KEY, code)
        self.settings.sync()
        wanted = system_language() if code == SYSTEM else code
        if wanted == language():
            return
        tr = self.window.tr
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(tr("Language"))
        box.setText(
            tr("LayerLab will be in {0} the next time it starts.").format(LANGUAGES[wanted])
        )
        box.setInformativeText(tr("Restart now? Unsaved changes are asked about first."))
        restart = box.addButton(tr("&Restart Now"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("&Later"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is restart:
            self.restart()

    def restart(self) -> None:
        """Close the window (it asks about unsaved changes; the user may cancel) and start
        LayerLab again with the same arguments."""
        if not self.window.close():
            return
        QProcess.startDetached(sys.executable, sys.argv)
        QCoreApplication.quit()
