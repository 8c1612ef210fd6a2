"""The translation catalogs' sources and build: every text the code marks (`_`, `N_`,
`ngettext`, Qt's `tr` and `QCoreApplication.translate`) and every text of the lessons and
examples, gathered by reading the files (no imports); one `.po` file per part of the house
under `resources/translations/LANG/`, kept up to date by `update`, compiled into `LANG.mo`
by the set-up (`python -m app.catalogs compile`). Needs Babel (the `i18n` extra) only here.

    python -m app.catalogs update [PART ...]   new texts in, gone ones out, translations kept
    python -m app.catalogs missing             the texts with no translation yet
    python -m app.catalogs check               translations that lost a field, tag or &
    python -m app.catalogs compile             LANG.mo for every language
"""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "resources" / "translations"
LANGUAGES = ("zh_CN",)
# Each part of the house has its own catalog file, named by where its texts first appear.
PARTS = {
    "window": ("app/gui", "main.py"),
    "widgets": ("widgets",),
    "models": ("models",),
    "cli": ("app/cli.py", "app/script_export.py"),
    "engine": ("app/training", "app/datasets", "app/engine_process.py", "app/downloads.py"),
    "core": ("app",),
    "lessons": ("resources/lessons", "resources/examples"),
}
# The fields of lesson and example files that students read.
JSON_TEXT_FIELDS = ("title", "summary", "description", "do", "look", "reason")
SINGLE = {"_", "N_", "tr"}
STAMP = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Text:
    """One text to translate: its English (a pair for counted texts), where it first appears,
    and what the code's `# Translators:` comment above it says."""

    source: str | tuple[str, str]
    where: str  # "path:line"
    note: str = ""


def part_of(path: str) -> str:
    """The catalog a file's texts go in: the first part whose folder or file holds it."""
    for part, places in PARTS.items():
        if any(path == place or path.startswith(place + "/") for place in places):
            return part
    raise ValueError(f"{path} belongs to no catalog")


def _constant(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _marked(call: ast.Call) -> str | tuple[str, str] | None:
    """The text a call marks for translation, if it is one."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    args = call.args
    if name in SINGLE and args:
        return _constant(args[0])
    if name == "ngettext" and len(args) >= 2:
        singular, plural = _constant(args[0]), _constant(args[1])
        return (singular, plural) if singular and plural else None
    if name == "translate" and isinstance(func, ast.Attribute) and len(args) >= 2:
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id in ("QCoreApplication", "QApplication"):
            return _constant(args[1])
    return None


def python_texts(path: Path) -> list[Text]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    relative = path.relative_to(ROOT).as_posix()
    texts = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and (text := _marked(node)):
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            note = above.partition("# Translators:")[2].strip()
            texts.append(Text(text, f"{relative}:{node.lineno}", note))
    return sorted(texts, key=lambda t: int(t.where.rpartition(":")[2]))


def json_texts(path: Path) -> list[Text]:
    relative = path.relative_to(ROOT).as_posix()
    texts: list[Text] = []

    def walk(value, trail: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in JSON_TEXT_FIELDS and isinstance(inner, str) and inner:
                    texts.append(Text(inner, f"{relative}:{trail}{key}"))
                else:
                    walk(inner, f"{trail}{key}.")
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(inner, f"{trail}{i}.")

    walk(json.loads(path.read_text(encoding="utf-8")), "")
    return texts


def source_files() -> list[Path]:
    files = [ROOT / "main.py"]
    for folder in ("app", "models", "widgets"):
        files += sorted((ROOT / folder).rglob("*.py"))
    for folder in ("resources/lessons", "resources/examples"):
        files += sorted((ROOT / folder).glob("*.json"))
    return files


def extract() -> dict[str | tuple[str, str], Text]:
    """Every text to translate, each once, at its first appearance."""
    found: dict[str | tuple[str, str], Text] = {}
    for path in source_files():
        for text in json_texts(path) if path.suffix == ".json" else python_texts(path):
            found.setdefault(text.source, text)
    return found


def po_path(language: str, part: str) -> Path:
    return FOLDER / language / f"{part}.po"


def read_catalog(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        return read_po(file)


def translations(language: str) -> dict:
    """Every translated text of a language's catalogs: English -> its translation."""
    done = {}
    for path in sorted((FOLDER / language).glob("*.po")):
        for message in read_catalog(path):
            if message.id and not message.fuzzy and _translated(message.string):
                done[message.id] = message.string
    return done


def _translated(string) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def missing(language: str) -> list[Text]:
    """The texts of the code and the lessons with no translation, in the order they appear."""
    done = translations(language)
    return [text for source, text in extract().items() if source not in done]


FIELD = re.compile(r"\{[^{}]*\}|%[sdn%]|%\d|&[a-z]+;|</?[a-zA-Z][^<>]*>")


def _marks(text: str) -> tuple:
    """What a translation must carry over from its English: fields, tags, entities and the
    accelerator."""
    accelerator = len(re.findall(r"&(?![a-z]+;|&)\S", text))
    return sorted(FIELD.findall(text)), accelerator


def _edges(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def _full_width(character: str) -> bool:
    """CJK punctuation and full-width forms carry their own space ('、', '：', '（')."""
    return "\u3000" <= character <= "\u303f" or "\uff00" <= character <= "\uffef"


def _same_edges(english: str, string: str) -> bool:
    """The spaces and line ends around a text, which the code joins it by, kept; a space
    beside full-width punctuation may go (', ' -> '、')."""
    (before, after), (string_before, string_after) = _edges(english), _edges(string)
    words = string.strip()
    lead = string_before == before or (before == " " and words and _full_width(words[0]))
    trail = string_after == after or (after == " " and words and _full_width(words[-1]))
    return bool(lead and trail)


def problems(language: str) -> list[str]:
    """Each translation that lost or added a field, tag, accelerator or edge space."""
    found = []
    for path in sorted((FOLDER / language).glob("*.po")):
        for message in read_catalog(path):
            if not message.id or not _translated(message.string):
                continue
            english = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                if not keeps_marks(english, string):
                    found.append(f"{path.name}: {english[0]!r} -> {string!r}")
    return found


def keeps_marks(english: tuple[str, ...], string: str) -> bool:
    """Whether a translation keeps the fields, tags, accelerator and edge spaces of its
    English (of either form, for a counted text: Chinese may drop '{count}' of the one)."""
    return any(
        _marks(string) == _marks(source) and _same_edges(source, string) for source in english
    )


def update(language: str, parts: tuple[str, ...] = tuple(PARTS)) -> None:
    """Rewrite each part's catalog with the part's texts as they are now: translations of
    texts still in the code kept (from whichever catalog held them), new texts empty."""
    from babel.messages.pofile import write_po

    done = translations(language)
    for part in parts:
        catalog = _empty_catalog(language)
        for source, text in extract().items():
            if part_of(text.where.partition(":")[0]) != part:
                continue
            string = done.get(source, ("",) if isinstance(source, tuple) else "")
            path, _, line = text.where.partition(":")
            location = (path, int(line)) if line.isdigit() else (text.where, None)
            notes = [text.note] if text.note else []
            catalog.add(source, string, locations=[location], auto_comments=notes)
        target = po_path(language, part)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as file:
            write_po(file, catalog, width=100, omit_header=False, sort_output=False)


def _empty_catalog(language: str):
    from babel.messages.catalog import Catalog

    # Fixed dates and header: an update changes a file only where its texts change.
    return Catalog(
        locale=language,
        project="LayerLab",
        version="1",
        header_comment=f"# LayerLab's {language} translation (docs/translation.md).",
        creation_date=STAMP,
        revision_date=STAMP,
        last_translator="LayerLab",
        language_team="LayerLab",
        fuzzy=False,
    )


def compile_all() -> list[Path]:
    """Each language's catalogs compiled into one `LANG.mo`, as `models.translation` reads."""
    from babel.messages.mofile import write_mo

    written = []
    for language in LANGUAGES:
        catalog = _empty_catalog(language)
        for source, string in translations(language).items():
            catalog.add(source, string)
        target = FOLDER / f"{language}.mo"
        with target.open("wb") as file:
            write_mo(file, catalog)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    command, *parts = argv or ["missing"]
    if command == "update":
        for language in LANGUAGES:
            update(language, tuple(parts) or tuple(PARTS))
    elif command == "compile":
        for path in compile_all():
            print(f"wrote {path.relative_to(ROOT)}")
    elif command == "check":
        found = [line for language in LANGUAGES for line in problems(language)]
        print("\n".join(found) or "every translation keeps its fields, tags and accelerators")
        return 1 if found else 0
    elif command == "missing":
        for language in LANGUAGES:
            gaps = missing(language)
            for text in gaps:
                print(f"{language} {text.where}: {text.source!r}")
            print(f"{language}: {len(gaps)} of {len(extract())} texts untranslated")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
