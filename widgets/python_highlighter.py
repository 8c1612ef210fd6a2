"""Python source coloured as editors colour it: keywords, names being defined, strings,
numbers and comments, in hues that read on the light and the dark theme."""

from __future__ import annotations

import keyword
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from widgets.theme import current_theme

# (light, dark) per kind of token; each keeps 4.5:1 contrast on its theme's editor background.
_COLORS = {
    "keyword": ("#8f3f71", "#d3869b"),
    "definition": ("#0b5394", "#83a5f8"),
    "string": ("#2f6b1f", "#a9d18e"),
    "number": ("#9a4f00", "#f4b266"),
    "comment": ("#6b6b6b", "#a0a0a0"),
}
_KEYWORDS = re.compile(r"\b(?:" + "|".join(keyword.kwlist) + r")\b")
_DEFINITION = re.compile(r"\b(?:def|class)\s+(\w+)")
_NUMBER = re.compile(r"\b\d[\d_]*(?:\.\d*)?(?:e[+-]?\d+)?\b")
# A one-line string: an optional f/r/b prefix, then quotes of either kind with escapes.
_STRING = re.compile(r"""(?<!\w)[rRbBfF]{0,2}(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
_COMMENT = re.compile(r"#[^\n]*")
_TRIPLE = '"""'
_IN_TRIPLE = 1  # block state: the line ends inside a triple-quoted string


class PythonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self._make_formats()

    def restyle(self) -> None:
        """Colour again in the current theme's hues."""
        self._make_formats()
        self.rehighlight()

    def _make_formats(self) -> None:
        dark = current_theme().dark
        for kind, colors in _COLORS.items():
            text_format = QTextCharFormat()
            text_format.setForeground(QColor(colors[dark]))
            if kind in ("keyword", "definition"):
                text_format.setFontWeight(QFont.Weight.Bold)
            if kind == "comment":
                text_format.setFontItalic(True)
            self._formats[kind] = text_format

    def highlightBlock(self, text: str) -> None:
        for pattern, kind in ((_KEYWORDS, "keyword"), (_NUMBER, "number")):
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self._formats[kind])
        for match in _DEFINITION.finditer(text):
            start, end = match.span(1)
            self.setFormat(start, end - start, self._formats["definition"])
        strings = [match.span() for match in _STRING.finditer(text)]
        for start, end in strings:
            self.setFormat(start, end - start, self._formats["string"])
        for match in _COMMENT.finditer(text):
            if not any(start < match.start() < end for start, end in strings):
                self.setFormat(match.start(), len(text) - match.start(), self._formats["comment"])
                break
        self._triple_quotes(text)

    def _triple_quotes(self, text: str) -> None:
        """Docstrings over several lines: coloured from their opening to their closing."""
        self.setCurrentBlockState(0)
        start = 0 if self.previousBlockState() == _IN_TRIPLE else text.find(_TRIPLE)
        while start >= 0:
            opened_here = not (start == 0 and self.previousBlockState() == _IN_TRIPLE)
            search_from = start + len(_TRIPLE) if opened_here else 0
            end = text.find(_TRIPLE, search_from)
            if end < 0:
                self.setCurrentBlockState(_IN_TRIPLE)
                self.setFormat(start, len(text) - start, self._formats["string"])
                return
            end += len(_TRIPLE)
            self.setFormat(start, end - start, self._formats["string"])
            start = text.find(_TRIPLE, end)
