"""The layer stack: the model as rows with shapes, parameter counts, problems and their fixes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gradient_health import Alarm
from models.shapes import WARNING, Diagnostic, Fix, Inference, LayerInfo
from models.spec import ModelSpec, Task
from models.translation import N_, _, ngettext
from widgets.alarm_badge import BADGE_ROLE, AlarmBadgeDelegate, badge_text, badge_tooltip
from widgets.flow_layout import FlowLayout
from widgets.layer_palette import MIME_TYPE
from widgets.numbers_text import count_text
from widgets.theme import current_theme

# The table's headings, translated where the header shows them ("#" is no word to translate).
COLUMNS = ("#", N_("Layer"), N_("Output"), N_("Params"))
NUMBER, LAYER, OUTPUT, PARAMS = range(4)
# A badged row's own tooltips, kept to be given back when its alarms are cleared.
OWN_TOOLTIPS_ROLE = Qt.ItemDataRole.UserRole + 2
EMPTY_HINT = N_("Empty model: double-click a layer under Add a layer, or drag it here.")


def shape_text(shape: tuple[int, ...] | None) -> str:
    """A shape as the window writes it ("1 \u00d7 28 \u00d7 28"); a dash when it is unknown."""
    if shape is None:
        return "\u2014"
    return " \u00d7 ".join(str(n) for n in shape)


def _input_text(shape: tuple[int, ...]) -> str:
    """The input line above the rows, in words: features, or channels of pixels."""
    if len(shape) == 1:
        n = shape[0]
        return ngettext(
            "Input: {n} feature per sample", "Input: {n} features per sample", n
        ).format(n=n)
    if len(shape) == 3:
        c, h, w = shape
        return ngettext(
            "Input: {c} channel of {h} \u00d7 {w} pixels",
            "Input: {c} channels of {h} \u00d7 {w} pixels",
            c,
        ).format(c=c, h=h, w=w)
    return QCoreApplication.translate("LayerStackWidget", "Input: {shape}").format(
        shape=shape_text(shape)
    )


def move_destination(source: int, position: int) -> int:
    """Where a row dragged from `source` ends when dropped before row `position`."""
    return position - 1 if position > source else position


class _StackTree(QTreeWidget):
    """The rows. Drops are turned into intents; the model changes only through the document."""

    dropped = Signal(int, str)  # position, kind
    moved = Signal(int, int)  # source, destination
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels([_(c) for c in COLUMNS])
        self.setRootIsDecorated(False)
        self.setIndentation(14)  # problem rows sit under their layer
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        # Every column as wide as its text, the layer column also taking the room to spare:
        # a stretched layer column elided the names ("Lin...") in a narrow dock. Too narrow
        # for them all, the table scrolls sideways instead.
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.headerItem().setTextAlignment(
            PARAMS, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.setItemDelegateForColumn(LAYER, AlarmBadgeDelegate(self))
        self._text_widths = [0] * len(COLUMNS)
        self.empty_hint = QLabel(_(EMPTY_HINT), self.viewport())
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # Drops and clicks go through the hint to the table under it.
        self.empty_hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def fit_columns(self) -> None:
        """Measure the columns' text (after the rows or the font changed), then spread them."""
        header = self.header()
        self._text_widths = [
            max(self.sizeHintForColumn(column), header.sectionSizeHint(column))
            for column in range(len(COLUMNS))
        ]
        self._spread_columns()

    def _spread_columns(self) -> None:
        """Each column as wide as its text; the layer column also takes the width to spare."""
        widths = list(self._text_widths)
        widths[LAYER] = max(widths[LAYER], self.viewport().width() - sum(widths) + widths[LAYER])
        header = self.header()
        for column, width in enumerate(widths):
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def show_empty_hint(self) -> None:
        """The hint over an empty table, fitted to it."""
        margin = self.fontMetrics().height()
        self.empty_hint.setGeometry(self.viewport().rect().adjusted(margin, 0, -margin, 0))
        self.empty_hint.setVisible(self.topLevelItemCount() == 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._spread_columns()
        self.show_empty_hint()
        self.resized.emit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit_columns()

    def _accepts(self, event: QDragMoveEvent) -> bool:
        return event.source() is self or event.mimeData().hasFormat(MIME_TYPE)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accepts(event):
            super().dragEnterEvent(event)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts(event):
            super().dragMoveEvent(event)
            event.accept()
        else:
            event.ignore()

    def drop_position(self, point: QPoint) -> int:
        """The row index a drop at `point` inserts before."""
        item = self.itemAt(point)
        if item is None:
            return self.topLevelItemCount()
        if item.parent() is not None:  # a problem row: drop after its layer
            return self.indexOfTopLevelItem(item.parent()) + 1
        row = self.indexOfTopLevelItem(item)
        rect = self.visualItemRect(item)
        return row + 1 if point.y() > rect.center().y() else row

    def dropEvent(self, event: QDropEvent) -> None:
        position = self.drop_position(event.position().toPoint())
        if event.source() is self:
            source = self.indexOfTopLevelItem(self.currentItem() or QTreeWidgetItem())
            destination = move_destination(source, position)
            if source >= 0 and destination != source:
                self.moved.emit(source, destination)
        elif event.mimeData().hasFormat(MIME_TYPE):
            kind = bytes(event.mimeData().data(MIME_TYPE).data()).decode()
            self.dropped.emit(position, kind)
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()  # never let Qt move the items itself


class LayerStackWidget(QWidget):
    """Rows of `#, layer, output shape, parameters, fix`, plus the input above and a summary
    of problems below. Emits intents; `show_model` redraws from the spec and its inference.
    `show_alarms` badges the layers whose training went wrong; redraws keep the badges."""

    layerInserted = Signal(int, str)  # position, kind
    layerMoved = Signal(int, int)  # source, destination
    fixChosen = Signal(object, str)  # fixed ModelSpec, the fix's label
    currentLayerChanged = Signal(int)  # -1 when nothing is selected

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input_label = QLabel()
        self.input_label.setWordWrap(True)  # in a narrow dock, two lines rather than clipped
        self.tree = _StackTree()
        self.output_label = QLabel()
        self.output_label.setWordWrap(True)
        self.problems = QWidget()
        self.problems_layout = QVBoxLayout(self.problems)
        self.problems_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.input_label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.output_label)
        layout.addWidget(self.problems)
        self.tree.dropped.connect(self.layerInserted)
        self.tree.moved.connect(self.layerMoved)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        self.tree.resized.connect(self._fit_problem_rows)
        self._showing = False
        self._alarms: tuple[Alarm, ...] = ()
        self._badged: set[int] = set()  # rows that have a badge now
        self.tree.setToolTip(
            QCoreApplication.translate(
                "LayerStackWidget",
                "Drag layers here from the palette, or drag rows to reorder them (Alt+Up/Down).",
            )
        )

    def current_layer(self) -> int | None:
        """The index of the selected layer (also when a problem row under it is current)."""
        item = self.tree.currentItem()
        if item is None:
            return None
        return self.tree.indexOfTopLevelItem(item.parent() or item)

    def fix_buttons(self, index: int) -> list[QPushButton]:
        """The one-click fixes shown under layer `index`."""
        item = self.tree.topLevelItem(index)
        widgets = [self.tree.itemWidget(item.child(i), 0) for i in range(item.childCount())]
        return [button for w in widgets if w for button in w.findChildren(QPushButton)]

    def select(self, index: int | None) -> None:
        """Select a row (None clears) and tell listeners, as a click would."""
        if index is None or not 0 <= index < self.tree.topLevelItemCount():
            self.tree.setCurrentItem(None)
            self.tree.clearSelection()
        else:
            self.tree.setCurrentItem(self.tree.topLevelItem(index))

    def show_model(self, spec: ModelSpec, inference: Inference, task: Task | None) -> None:
        """Redraw every row; the selected row stays selected when it still exists."""
        current = self.current_layer()
        self._showing = True
        self.tree.clear()
        # Each layer's own problems (the whole model's that point at it included) come with
        # its LayerInfo: filtering every problem of the model per row made 40,000 rows take 38 s.
        items = [self._row(info, info.diagnostics) for info in inference.layers]
        self.tree.addTopLevelItems(items)
        for info, item in zip(inference.layers, items, strict=True):
            for diagnostic in info.diagnostics:
                problem = QTreeWidgetItem(item)
                problem.setFlags(Qt.ItemFlag.NoItemFlags)
                problem.setFirstColumnSpanned(True)
                self.tree.setItemWidget(problem, 0, self._problem_widget(diagnostic))
        self.tree.expandAll()
        self._badged = set()
        self._badge_rows()
        self.tree.fit_columns()
        self.tree.show_empty_hint()
        self._fit_problem_rows()
        if current is not None and current < len(spec.layers):
            self.tree.setCurrentItem(self.tree.topLevelItem(current))
        self._showing = False
        self.input_label.setText(_input_text(spec.input_shape))
        self._show_summary(inference, task)
        self._show_problems(inference.model_diagnostics)
        if current is not None and self.current_layer() is None:
            self.currentLayerChanged.emit(-1)

    def show_alarms(self, alarms: Sequence[Alarm]) -> None:
        """Badge each alarmed layer's row with its alarms' headline (its tooltip: their whole
        sentences) until the next call; () clears them. Redraws of the model keep them."""
        self._alarms = tuple(alarms)
        self._badge_rows()
        self.tree.fit_columns()
        self.tree.doItemsLayout()  # badged rows are a line taller

    def alarm_badge(self, index: int) -> str:
        """The badge on layer `index`'s row, or "" when it has none."""
        item = self.tree.topLevelItem(index)
        return (item.data(LAYER, BADGE_ROLE) or "") if item is not None else ""

    def _badge_rows(self) -> None:
        """Badge the rows of the alarms' layers, and take the badges off the others."""
        by_layer: dict[int, list[Alarm]] = {}
        for alarm in self._alarms:
            if 0 <= alarm.layer < self.tree.topLevelItemCount():
                by_layer.setdefault(alarm.layer, []).append(alarm)
        for row in self._badged - by_layer.keys():
            item = self.tree.topLevelItem(row)
            item.setData(LAYER, BADGE_ROLE, None)
            for column, tooltip in enumerate(item.data(NUMBER, OWN_TOOLTIPS_ROLE)):
                item.setToolTip(column, tooltip)
        for row, alarms in by_layer.items():
            item = self.tree.topLevelItem(row)
            if row not in self._badged:
                own = [item.toolTip(column) for column in range(len(COLUMNS))]
                item.setData(NUMBER, OWN_TOOLTIPS_ROLE, own)
            item.setData(LAYER, BADGE_ROLE, badge_text(alarms))
            for column in range(len(COLUMNS)):
                item.setToolTip(column, badge_tooltip(alarms))
        self._badged = set(by_layer)

    def _row(self, info: LayerInfo, diagnostics: Sequence[Diagnostic]) -> QTreeWidgetItem:
        params = "" if info.param_count is None else count_text(info.param_count)
        item = QTreeWidgetItem(
            [
                str(info.index),
                (info.resolved or info.layer).summary(),
                shape_text(info.output_shape),
                params,
                "",
            ]
        )
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        item.setTextAlignment(NUMBER, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setTextAlignment(PARAMS, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setToolTip(
            LAYER,
            QCoreApplication.translate("LayerStackWidget", "torch.nn.{kind}").format(
                kind=info.layer.kind
            ),
        )
        if diagnostics:
            worst = "error" if any(d.severity != WARNING for d in diagnostics) else WARNING
            pixmap = (
                QStyle.StandardPixmap.SP_MessageBoxCritical
                if worst == "error"
                else QStyle.StandardPixmap.SP_MessageBoxWarning
            )
            item.setIcon(LAYER, self.style().standardIcon(pixmap))
            text = "\n\n".join(d.message for d in diagnostics)
            for column in range(len(COLUMNS)):
                item.setToolTip(column, text)
            if worst == "error":
                color = QBrush(QColor(current_theme().error))
                item.setForeground(OUTPUT, color)
                item.setForeground(LAYER, color)
        return item

    def _problem_widget(self, diagnostic: Diagnostic) -> QWidget:
        """Under the layer: the message, wrapped, and its fixes as buttons below it."""
        widget = QWidget()
        column = QVBoxLayout(widget)
        column.setContentsMargins(4, 2, 4, 6)
        message = QLabel(diagnostic.message)
        message.setWordWrap(True)
        message.setObjectName("problemText")
        column.addWidget(message)
        buttons = FlowLayout()  # side by side while they fit, one under another when not
        for fix in diagnostic.fixes:
            button = QPushButton(fix.label)
            button.setObjectName("fixButton")
            button.setToolTip(diagnostic.message)
            button.clicked.connect(lambda _checked=False, fix=fix: self._on_fix(fix))
            buttons.addWidget(button)
        column.addLayout(buttons)
        return widget

    def _fit_problem_rows(self) -> None:
        """Give each problem row the height its wrapped message needs at the current width."""
        width = self.tree.viewport().width() - self.tree.indentation()
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            for child in (item.child(i) for i in range(item.childCount())):
                widget = self.tree.itemWidget(child, 0)
                if widget is not None:
                    child.setSizeHint(0, QSize(width, widget.heightForWidth(width)))
        self.tree.doItemsLayout()

    def _show_summary(self, inference: Inference, task: Task | None) -> None:
        if not inference.layers:  # the hint over the empty table says how to add one
            self.output_label.setText(
                QCoreApplication.translate("LayerStackWidget", "Output: none  \u00b7  0 parameters")
            )
            return
        output = inference.output_shape
        text = QCoreApplication.translate(
            "LayerStackWidget", "Output: {shape}  \u00b7  {params} parameters"
        ).format(shape=shape_text(output), params=count_text(inference.total_params))
        if task is not None:
            text += "\n" + QCoreApplication.translate(
                "LayerStackWidget", "The data needs: {task}"
            ).format(task=task.describe())
        self.output_label.setText(text)

    def _show_problems(self, diagnostics: Sequence[Diagnostic]) -> None:
        while self.problems_layout.count():
            widget = self.problems_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for diagnostic in diagnostics:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            message = QLabel(diagnostic.message)
            message.setWordWrap(True)
            line.addWidget(message, 1)
            for fix in diagnostic.fixes:
                button = QPushButton(fix.label)
                button.clicked.connect(lambda _checked=False, fix=fix: self._on_fix(fix))
                line.addWidget(button)
            self.problems_layout.addWidget(row)

    def _on_fix(self, fix: Fix) -> None:
        self.fixChosen.emit(fix.spec, fix.label)

    def _on_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        if not self._showing:
            self.currentLayerChanged.emit(-1 if current is None else self.current_layer())


if __name__ == "__main__":
    from models.shapes import infer
    from models.spec import LayerSpec
    from widgets.demo import demo_application

    app = demo_application()
    spec = ModelSpec(
        (1, 28, 28),
        (
            LayerSpec.create("Conv2d", out_channels=8, padding=1),
            LayerSpec.create("ReLU"),
            LayerSpec.create("MaxPool2d"),
            LayerSpec.create("Linear", out_features=10),
        ),
    )
    task = Task("classification", 10)
    widget = LayerStackWidget()
    widget.show_model(spec, infer(spec, task), task)
    widget.show_alarms(
        [Alarm(1, "ReLU", "dead", 300, "units died", "units died: 60% of them never fire.")]
    )
    widget.resize(420, 500)
    widget.show()
    app.exec()
