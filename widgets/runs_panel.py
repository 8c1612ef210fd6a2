"""The Runs tab: every run of the session in a list (rename with F2, delete with Delete),
and the selected ones compared: their loss and validation curves overlaid, each labelled by
what differed, beside a table of final metrics, steps, time and samples/s."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from app.run_comparison import Row, comparison_csv, difference_labels, table
from app.run_record import RunRecord
from app.smoothing import smooth
from models.translation import N_, _
from widgets.numbers_text import count_text
from widgets.plot_style import LINE, color_grid_plots, legend_html, style_grid_axes
from widgets.text_metrics import char_width
from widgets.theme import class_colors, current_theme

COLUMNS = (N_("Run"), N_("Differs in"), N_("Train loss"), N_("Val. loss"), N_("Val. score"),
           N_("Epochs"), N_("Steps"), N_("Time (s)"), N_("Samples/s"),
           N_("Parameters"))  # fmt: skip


LIST_CHARS = 16  # the runs list's first width, in average characters
SMOOTHING = 0.6  # the overlaid losses, smoothed as the Loss tab's default: noise hides them


def _number(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}g}"


class RunsPanel(QWidget):
    """`show_runs(records)` fills the list; the selection is compared."""

    renamed = Signal(int, str)
    deleted = Signal(list)  # indices
    selectionChanged = Signal(list)  # indices
    exportPngRequested = Signal()
    exportCsvRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[RunRecord] = []
        self.rows: list[Row] = []
        self.labels: list[str] = []
        self._classification = True  # the compared runs' score: accuracy, or else RMSE
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.list.setToolTip(
            self.tr(
                "Every run of this session. Select two or more (Ctrl+click, Shift+click, "
                "Ctrl+A) to compare them; F2 renames, Delete removes."
            )
        )
        self.list.itemSelectionChanged.connect(self._on_selection_changed)
        self.list.itemChanged.connect(self._on_item_changed)
        self.delete_action = QAction(self.tr("Delete Run"), self.list)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self._delete_selected)
        self.list.addAction(self.delete_action)
        self.hint = QLabel(self.tr("Train to add a run here."))
        self.hint.setWordWrap(True)
        self.hint.setObjectName("mutedText")

        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.graphics = pg.GraphicsLayoutWidget()
        self.loss_plot = self.graphics.addPlot(row=0, col=0)
        self.score_plot = self.graphics.addPlot(row=1, col=0)
        font = self.font()
        for plot in (self.loss_plot, self.score_plot):
            style_grid_axes(plot, font)
            plot.setMenuEnabled(False)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.setToolTip(self.tr("The selected runs' last epoch and what they cost"))
        self.png_button = QPushButton(self.tr("Export PNG\u2026"))
        self.png_button.setToolTip(self.tr("Save the comparison (curves and table) as an image"))
        self.csv_button = QPushButton(self.tr("Export CSV\u2026"))
        self.csv_button.setToolTip(self.tr("Save the table as CSV, for a spreadsheet"))
        self.png_button.clicked.connect(self.exportPngRequested)
        self.csv_button.clicked.connect(self.exportCsvRequested)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.list, 1)
        side_layout.addWidget(self.hint)
        self.comparison = QWidget()
        view = QVBoxLayout(self.comparison)
        view.setContentsMargins(0, 0, 0, 0)
        view.addWidget(self.legend)
        view.addWidget(self.graphics, 3)
        view.addWidget(self.table, 1)
        buttons = QHBoxLayout()  # under the comparison they save, so the list stays narrow
        buttons.addStretch(1)
        buttons.addWidget(self.png_button)
        buttons.addWidget(self.csv_button)
        view.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(side)
        splitter.addWidget(self.comparison)
        splitter.setStretchFactor(1, 4)
        splitter.setChildrenCollapsible(False)
        # The names are short: the list takes about 16 characters, the comparison the rest.
        side.setMaximumWidth(char_width(self.fontMetrics()) * LIST_CHARS * 2)
        splitter.setSizes([char_width(self.fontMetrics()) * LIST_CHARS, 10_000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self._compare([])

    # -- the list ----------------------------------------------------------------------------

    def show_runs(self, records: Sequence[RunRecord], select: Sequence[int] = ()) -> None:
        """The runs, oldest first; `select` picks those to compare (else none)."""
        self.records = list(records)
        current = self.list.currentRow()  # kept, so the keys go on from where they were
        self.list.blockSignals(True)
        self.list.clear()
        for index, record in enumerate(self.records):
            item = QListWidgetItem(record.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(self._tip(record))
            self.list.addItem(item)
            item.setSelected(index in select)
        if 0 <= current < len(self.records):
            self.list.setCurrentRow(current, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.list.blockSignals(False)
        self.hint.setText(
            self.tr("Train to add a run here.")
            if not self.records
            else self.tr("Select two or more runs to compare them.")
        )
        self._on_selection_changed()

    def selected(self) -> list[int]:
        return sorted(self.list.row(item) for item in self.list.selectedItems())

    def _tip(self, record: RunRecord) -> str:
        train = record.experiment.train
        score = record.metric("val_accuracy")
        result = (
            self.tr("validation accuracy %s") % f"{score:.1%}"
            if score is not None
            else self.tr("validation RMSE %s") % _number(record.metric("val_rmse"))
        )
        return self.tr("%s: %s, lr %s, batch %d, %s, seed %d; %s, %s steps") % (
            record.name,
            train.optimizer,
            f"{train.learning_rate:g}",
            train.batch_size,
            train.dtype,
            train.seed,
            result,
            count_text(record.steps_done),
        )

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        index = self.list.row(item)
        if 0 <= index < len(self.records) and item.text() != self.records[index].name:
            self.renamed.emit(index, item.text())

    def _delete_selected(self) -> None:
        indices = self.selected()
        if indices:
            self.deleted.emit(indices)

    def _on_selection_changed(self) -> None:
        indices = self.selected()
        self._compare(indices)
        self.selectionChanged.emit(indices)

    # -- the comparison ----------------------------------------------------------------------

    def _compare(self, indices: list[int]) -> None:
        records = [self.records[i] for i in indices]
        theme = current_theme()
        self.labels = difference_labels([r.experiment for r in records], [r.name for r in records])
        self.rows = table(records, self.labels)
        colors = class_colors(theme, max(1, len(records)))
        self.loss_plot.clear()
        self.score_plot.clear()
        classification = self._classification = not records or records[0].is_classification
        column = "val_accuracy" if classification else "val_rmse"
        for record, color in zip(records, colors, strict=False):
            pen = pg.mkPen(color, width=theme.line_width(2))
            steps, losses = np.asarray(record.steps), np.asarray(record.losses)
            smoothed, _raw = smooth(steps, losses, SMOOTHING, None)
            self.loss_plot.plot(steps, smoothed, pen=pen, connect="finite")
            epochs, values = record.column(column)
            if classification:
                values = [100 * v for v in values]
            self.score_plot.plot(
                epochs,
                values,
                pen=pen,
                symbol="o",
                symbolSize=theme.marker_size(6),
                symbolBrush=color,
            )
        labels = {
            (self.loss_plot, "left"): self.tr("Loss (smoothed)"),
            (self.loss_plot, "bottom"): self.tr("Training step"),
            (self.score_plot, "left"): self.tr("Val. accuracy (%)")
            if classification
            else self.tr("Val. RMSE"),
            (self.score_plot, "bottom"): self.tr("Epoch"),
        }
        color_grid_plots(self.graphics, (self.loss_plot, self.score_plot), labels, theme)
        self.legend.setText(
            legend_html((c, LINE, label) for c, label in zip(colors, self.labels, strict=False))
            if records
            else self.tr("Select runs in the list to overlay their curves here.")
        )
        score = self.tr("Val. accuracy") if classification else self.tr("Val. RMSE")
        self.table.setHorizontalHeaderItem(4, QTableWidgetItem(score))
        self._fill_table()
        for button in (self.png_button, self.csv_button):
            button.setEnabled(bool(records))

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            score = (
                ""
                if row.score is None
                else f"{row.score:.1%}"
                if self._classification
                else _number(row.score)
            )
            cells = (
                row.name,
                row.label,
                _number(row.train_loss),
                _number(row.val_loss),
                score,
                str(row.epochs),
                count_text(row.steps),
                f"{row.seconds:.1f}",
                count_text(round(row.samples_per_second)),
                count_text(row.parameters),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)

    def set_theme(self, _theme) -> None:
        """A new look (widgets.style.retheme_widgets): the comparison drawn again in it."""
        self._compare(self.selected())

    def csv_text(self) -> str:
        return comparison_csv(self.rows)

    def export_png(self, path: str) -> bool:
        """The comparison, curves and table, as a PNG (Export Plot on this tab)."""
        return self.comparison.grab().save(path)
