"""Fuzz: hostile files opened in the window give one sentence and leave the work as it was."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings

from app.gui.main_window import MainWindow
from tests.fuzz.hostile_json import EXAMPLE_TEXTS

_XOR = json.loads(EXAMPLE_TEXTS["xor.json"])


def _with(section: str, key: str, raw: str) -> bytes:
    """xor.json with one field's value replaced by raw JSON text."""
    data = json.loads(json.dumps(_XOR))
    data[section][key] = "\u0000MARK"
    return json.dumps(data).replace('"\\u0000MARK"', raw).encode()


HOSTILE: dict[str, bytes] = {
    "digits.json": _with("train", "epochs", "9" * 5000),
    "huge.json": _with("train", "seed", str(10**400)),
    "nan.json": _with("train", "learning_rate", "NaN"),
    "inf.json": _with("data", "noise", "-Infinity"),
    "deep.json": ("[" * 100_000 + "]" * 100_000).encode(),
    "surrogate.json": _with("model", "version", '"\\ud800"'),
    "raw-surrogate.json": _with("train", "device", '"cpu"').replace(b'"cpu"', b'"\xed\xa0\x80"'),
    "control.json": _with("train", "optimizer", '"adam\\u0000\\u001b"'),
    "unknown.json": _with("model", "lyers", "[]"),
    "empty-model.json": _with("model", "layers", "{}"),
    "garbage.json": bytes(range(256)),
    "empty.json": b"",
}


@pytest.fixture
def window(qtbot, tmp_path):
    """A shown window with settings of its own, closed afterwards without asking to save."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    yield window
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()


def test_hostile_files_give_one_sentence_and_keep_the_work(window, tmp_path):
    window.stack.select(0)
    window.menu_actions.delete.trigger()  # unsaved work that a bad open must not lose
    before = window.document.experiment
    for name, data in HOSTILE.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert not window.files.open_file(path), name
        text = window.error_box.text()
        assert text.startswith("LayerLab could not open this file: ") and name in text, text
        assert "\n" not in text and "Traceback" not in text, (name, text)
        window.error_box.close()
        assert window.document.experiment == before and window.isWindowModified(), name
