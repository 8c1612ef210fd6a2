"""The language of every text LayerLab writes, without Qt: one gettext catalog per language
(`resources/translations/LANG/*.po`, compiled to `LANG.mo` by the set-up) serves the core,
the command line and, through a Qt translator, the window's tr() calls too.

A text is translated when it is made: `_("Layer {index} needs ...").format(index=...)`, with
named fields so a translation may put them in its own order. A text kept in a constant at
import time is marked `N_(...)` where it is written and handed to `_()` where it is shown,
so switching language later (the window's tests do) reaches it too.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "ENGLISH",
    "LANGUAGES",
    "N_",
    "_",
    "catalog_path",
    "language",
    "language_for",
    "language_from_environment",
    "lookup",
    "ngettext",
    "set_language",
]

FOLDER = Path(__file__).resolve().parents[1] / "resources" / "translations"
ENGLISH = "en"
# Each language by its own name, as a language menu lists them; English is the source.
LANGUAGES = {ENGLISH: "English", "zh_CN": "简体中文"}

_current = ENGLISH
_catalog: gettext.NullTranslations = gettext.NullTranslations()


def catalog_path(code: str) -> Path:
    """Where the set-up puts a language's compiled catalog."""
    return FOLDER / f"{code}.mo"


def language_for(locale_name: str) -> str:
    """The language LayerLab has for a locale name ("zh_CN.UTF-8", "zh-Hans", "en_GB"):
    every Chinese locale gets Simplified Chinese, the only Chinese catalog; others English."""
    name = locale_name.strip().replace("-", "_").split(".")[0].split("@")[0]
    if name in LANGUAGES:
        return name
    if name.lower().startswith("zh"):
        return "zh_CN"
    return ENGLISH


def language_from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """The language a command-line tool reads from the environment, in gettext's order:
    LANGUAGE (a list), LC_ALL, LC_MESSAGES, LANG; the first one set decides."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            return language_for(value.split(":")[0])
    return ENGLISH


def set_language(code: str) -> bool:
    """Make `code` the language of every text made from now on. English, or a language whose
    compiled catalog is missing, is the source text; returns whether a catalog was loaded."""
    global _current, _catalog
    path = catalog_path(code)
    if code == ENGLISH or code not in LANGUAGES or not path.is_file():
        _current, _catalog = ENGLISH, gettext.NullTranslations()
        return code == ENGLISH
    with path.open("rb") as file:
        _catalog = gettext.GNUTranslations(file)
    _current = code
    return True


def language() -> str:
    """The language texts are made in now."""
    return _current


def _(text: str) -> str:
    """`text` in the current language (itself where no translation exists)."""
    return _catalog.gettext(text) if text else text


def lookup(text: str) -> str | None:
    """`text`'s translation, or None where the catalog has none (Qt's translator asks)."""
    found = _(text)
    return found if found != text else None


def N_(text: str) -> str:
    """Marks a text for the catalog without translating it yet: see the module's note."""
    return text


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted text for `count` ("1 epoch", "2 epochs"); Chinese has one."""
    return _catalog.ngettext(singular, plural, count)
