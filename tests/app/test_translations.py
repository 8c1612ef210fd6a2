"""The Chinese translation is whole and sound: every text of the code, the lessons and the
examples has one, each keeps its fields, the compiled catalog is the sources', and the
command line speaks the environment's language."""

from __future__ import annotations

import re
import subprocess

import pytest

from app import catalogs
from models.translation import (
    ENGLISH,
    _,
    catalog_path,
    language,
    language_for,
    language_from_environment,
    ngettext,
    set_language,
)
from models.words import listed
from tests.app.test_cli_outputs import run_main

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_text_of_the_code_and_the_lessons_has_a_chinese_translation():
    texts = catalogs.extract()
    assert len(texts) > 1000  # the window, the core, the command line and the lessons
    missing = [f"{text.where}: {text.source!r}" for text in catalogs.missing("zh_CN")]
    assert missing == [], f"{len(missing)} untranslated:\n" + "\n".join(missing)


def test_each_translation_keeps_the_fields_tags_and_accelerator_of_its_english():
    assert catalogs.problems("zh_CN") == []


@pytest.mark.parametrize(
    "english, chinese, kept",
    [
        ("Layer {index} of {count:,}", "第 {index} 层，共 {count:,} 层", True),
        ("Layer {index} of {count:,}", "第 {index} 层", False),  # a field lost
        ("<b>Loss</b>", "<b>损失</b>", True),
        ("<b>Loss</b>", "损失", False),  # a tag lost
        ("&File", "文件(&F)", True),
        ("&File", "文件", False),  # the accelerator lost
        ("Epoch ", "轮 ", True),
        ("Epoch ", "轮", False),  # the space the code joins by lost
        (", ", "、", True),  # full-width punctuation holds its own space
        ("\nmore", "更多", False),
    ],
)
def test_the_check_catches_a_translation_that_lost_a_field_tag_accelerator_or_space(
    english, chinese, kept
):
    assert catalogs.keeps_marks((english,), chinese) is kept


def test_each_part_of_the_house_has_its_own_catalog_and_no_text_is_in_two():
    seen: dict = {}
    for part in catalogs.PARTS:
        for message in catalogs.read_catalog(catalogs.po_path("zh_CN", part)):
            if message.id:
                assert message.id not in seen, f"{message.id!r}: {seen[message.id]}, {part}"
                seen[message.id] = part


def test_the_compiled_catalog_holds_every_translation_of_the_sources():
    assert catalog_path("zh_CN").is_file(), "run make (python -m app.catalogs compile)"
    sources = catalogs.translations("zh_CN")
    assert set_language("zh_CN") and language() == "zh_CN"
    stale = [
        english
        for english, chinese in sources.items()
        if (ngettext(*english, 2) if isinstance(english, tuple) else _(english))
        != (chinese[0] if isinstance(chinese, tuple) else chinese)
    ]
    assert stale == [], "the compiled catalog is older than its sources: run make"


def test_texts_and_lists_come_in_the_language_set_and_english_by_default():
    assert language() == ENGLISH and listed(("a", "b", "c")) == "a, b and c"
    set_language("zh_CN")
    assert listed(("a", "b", "c")) == "a、b 和 c"
    assert HAN.search(_("Training"))
    set_language(ENGLISH)
    assert _("Training") == "Training"


@pytest.mark.parametrize(
    "environment, expected",
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_SG.UTF-8"}, "zh_CN"),
        ({"LANG": "en_US.UTF-8"}, ENGLISH),
        ({"LANG": "C.UTF-8"}, ENGLISH),
        ({"LANG": "de_DE.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh_CN"),  # LC_ALL first
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "en_GB:zh_CN"}, ENGLISH),  # LANGUAGE first
        ({}, ENGLISH),
    ],
)
def test_the_command_line_reads_its_language_as_gettext_does(environment, expected):
    assert language_from_environment(environment) == expected


def test_locale_names_map_to_the_languages_layerlab_has():
    assert [language_for(n) for n in ("zh_CN", "zh-Hans", "zh_TW", "fr_FR", "")] == [
        "zh_CN",
        "zh_CN",
        "zh_CN",
        ENGLISH,
        ENGLISH,
    ]


def run_cli(tmp_path, lang: str, *args: str) -> subprocess.CompletedProcess:
    """The command line in the locale `lang` (LANGUAGE and LC_ALL, which come first, unset)."""
    return run_main(tmp_path, *args, environment={"LANGUAGE": "", "LC_ALL": "", "LANG": lang})


def test_the_command_line_in_chinese_refuses_a_bad_file_in_chinese_and_exits_2(tmp_path):
    (tmp_path / "bad.json").write_text('{"format": "layerlab-experiment", "version": 1}')
    chinese = run_cli(tmp_path, "zh_CN.UTF-8", "train", "bad.json")
    english = run_cli(tmp_path, "C.UTF-8", "train", "bad.json")
    assert chinese.returncode == english.returncode == 2
    assert chinese.stderr.startswith("layerlab: ") and chinese.stderr.count("\n") == 1
    assert HAN.search(chinese.stderr), chinese.stderr
    assert not HAN.search(english.stderr) and english.stderr != chinese.stderr
