"""The code view: generated Python source, coloured, read-only, with the lines of one part
marked (the selected layer), a Copy button and an Export button. It shows what it is given;
whoever owns the source (app.gui) decides when it changes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from widgets.python_highlighter import PythonHighlighter


class CodeView(QWidget):
    """Source to read and copy. `show_source` replaces it, keeping the reader's place unless
    a marked line must come into view; `show_problem` says why there is no source."""

    exportRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self._fit_font()
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setAccessibleName(self.tr("PyTorch code"))
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.highlighter = PythonHighlighter(self.text.document())
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setObjectName("codeProblem")
        self.problem.hide()
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the whole script to the clipboard"))
        self.copy_button.clicked.connect(self.copy)
        self.export_button = QPushButton(self.tr("Export Script…"))
        self.export_button.setToolTip(
            self.tr("Write train.py (and the data it needs) into a folder, to run anywhere")
        )
        self.export_button.clicked.connect(self.exportRequested)
        self.caption = QLabel()
        self.caption.setToolTip(
            self.tr("The model, its data and its training as a plain PyTorch script")
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.caption, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.problem)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.marked: tuple[int, ...] = ()
        self._restyle = QTimer(self)  # after the theme has changed, not while it changes
        self._restyle.setSingleShot(True)
        self._restyle.setInterval(0)
        self._restyle.timeout.connect(self._on_restyle)

    def show_source(self, source: str, marked: tuple[int, ...] = (), caption: str = "") -> None:
        """`source`, with lines `marked` (0-based) shaded and brought into view."""
        self.problem.hide()
        self.text.setEnabled(True)
        self.copy_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self.caption.setText(caption)
        if source != self.text.toPlainText():
            bar = self.text.verticalScrollBar()
            place = bar.value()
            self.text.setPlainText(source)
            bar.setValue(place)
        self.mark(marked)

    def show_problem(self, sentence: str) -> None:
        """No source while the model cannot be written: the last one greyed, and why."""
        self.problem.setText(sentence)
        self.problem.show()
        self.text.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.export_button.setEnabled(False)

    def mark(self, lines: tuple[int, ...]) -> None:
        self.marked = lines
        selections = []
        shade = QColor(self.palette().highlight().color())
        shade.setAlpha(60)
        document = self.text.document()
        for line in lines:
            block = document.findBlockByNumber(line)
            if not block.isValid():
                continue
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(shade)
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.cursor = QTextCursor(block)
            selections.append(selection)
        self.text.setExtraSelections(selections)
        if lines:
            block = document.findBlockByNumber(lines[0])
            if block.isValid():
                self.text.setTextCursor(QTextCursor(block))
                self.text.centerCursor()  # with the lines around it, not at an edge

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_restyle"):
            self._restyle.start()
        elif event.type() == QEvent.Type.FontChange and hasattr(self, "text"):
            self._fit_font()  # a presentation's larger font reaches the code too

    def _fit_font(self) -> None:
        """The fixed-width font at the size of the window's text (the system's fixed font
        came out smaller)."""
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(self.font().pointSizeF())
        self.text.setFont(font)

    def _on_restyle(self) -> None:
        self.highlighter.restyle()
        self.mark(self.marked)
