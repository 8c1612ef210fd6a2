"""The engine process speaks the language of the window that starts it: its sentences
(refusals, run errors) are made over there, in a process of its own."""

from __future__ import annotations

import re

from app.engine_link import EngineLink
from models.translation import ENGLISH, set_language

HAN = re.compile(r"[\u4e00-\u9fff]")


def refusal_to_export(tmp_path) -> str:
    """The engine's answer to Export Weights before any run: it has no weights to write."""
    link = EngineLink()
    try:
        link.send("export", str(tmp_path / "out"), {}, "", 0o022)
        while (reply := link.receive())[0] != "exported":
            pass
        return reply[1].error
    finally:
        link.close()


def test_an_engine_started_in_chinese_answers_in_chinese_and_in_english_in_english(tmp_path):
    set_language("zh_CN")
    chinese = refusal_to_export(tmp_path)
    set_language(ENGLISH)
    english = refusal_to_export(tmp_path)
    assert HAN.search(chinese), chinese
    assert "Train" in english and not HAN.search(english), english
