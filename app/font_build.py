"""The Chinese font LayerLab ships (`resources/fonts/`), so Chinese renders on a machine with
no CJK font of its own: Noto Sans CJK SC, Regular and Bold, cut down to the characters of
GB 2312 (its 6,763 hanzi cover everyday Simplified Chinese, so what a teacher types shows
too) and of every catalog, and renamed, as the SIL Open Font License asks of a modified
font. Run by `make fonts` (fonttools, from the `i18n` extra; the source fonts from Debian's
fonts-noto-cjk or github.com/notofonts/noto-cjk); the outputs are committed.

Measured: the full collection is 19.5 MB a weight; this cut, 2.9 MB a weight. The first
3,755 hanzi alone would be 1.6 MB, but leave out characters students' names use.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "resources" / "fonts"
FAMILY = "LayerLab Sans SC"  # not "Noto": a modified font goes under a name of its own
WEIGHTS = ("Regular", "Bold")
SC_INDEX = 2  # Simplified Chinese's font in NotoSansCJK-WEIGHT.ttc


def font_path(weight: str) -> Path:
    return FOLDER / f"LayerLabSansSC-{weight}.otf"


def gb2312() -> set[str]:
    """GB 2312's characters: the hanzi of rows 16-87 and the symbols of rows 1-9."""
    found = set()
    for high in (*range(0xA1, 0xAA), *range(0xB0, 0xF8)):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):  # an unassigned code point
                found.add(bytes((high, low)).decode("gb2312"))
    return found


def characters() -> str:
    """Every character the font must hold: GB 2312, the CJK punctuation and full-width
    forms, printable ASCII, and each character of every translation."""
    from app.catalogs import LANGUAGES, translations

    wanted = gb2312() | {chr(c) for c in (*range(0x3000, 0x3040), *range(0xFF01, 0xFF5F))}
    wanted |= {chr(c) for c in range(0x20, 0x7F)}
    for language in LANGUAGES:
        for string in translations(language).values():
            wanted |= set("".join(string) if isinstance(string, tuple) else string)
    return "".join(sorted(c for c in wanted if c.isprintable()))


def build(source_folder: Path) -> list[Path]:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, licence
    text = characters()
    written = []
    for weight in WEIGHTS:
        font = TTFont(source_folder / f"NotoSansCJK-{weight}.ttc", fontNumber=SC_INDEX)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        names = font["name"]
        for record in list(names.names):
            if record.nameID in (1, 3, 4, 6, 16, 17):
                names.removeNames(nameID=record.nameID)
        names.setName(FAMILY, 1, 3, 1, 0x409)
        names.setName(weight, 2, 3, 1, 0x409)
        names.setName(f"{FAMILY} {weight}", 3, 3, 1, 0x409)
        names.setName(f"{FAMILY} {weight}", 4, 3, 1, 0x409)
        names.setName(f"LayerLabSansSC-{weight}", 6, 3, 1, 0x409)
        # The name in the CFF table too: Qt's font database reads it from there.
        cff = font["CFF "].cff
        cff.fontNames = [f"LayerLabSansSC-{weight}"]
        cff[cff.fontNames[0]].FamilyName = FAMILY
        cff[cff.fontNames[0]].FullName = f"{FAMILY} {weight}"
        target = font_path(weight)
        FOLDER.mkdir(parents=True, exist_ok=True)
        font.save(target)
        written.append(target)
    return written


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto")
    for path in build(folder):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB)")
