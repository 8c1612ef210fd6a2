"""DatasetForm: the dataset list and the settings of the dataset chosen, as a DataConfig.

Toy datasets show their points' settings and the parameters of their own, one row each, made
from the toy table (app.datasets.toy: ToyParam) as the inspector's rows come from the layer
catalog. Tables show the validation share; the user's own CSV file its file and the column
to predict. Image datasets show how many training images to use. All have the seed.
"""

from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.datasets import DATA_RANGES, DataConfig, data_input_shape, data_problem, data_task
from app.datasets.csv_file import csv_columns
from app.datasets.tables import CSV_NAME, TABLE_DATASETS, TableDataset
from app.datasets.toy import TOY_DATASETS, ToyDataset, ToyParam
from app.datasets.vision import MIN_SUBSET, VISION_DATASETS, VisionDataset
from models.translation import _, ngettext
from widgets.numbers_text import count_text
from widgets.text_metrics import char_width

SUBSET_STEP = 1000
NEW_SEED_MAX = 99_999
SEED_DIGITS_SHOWN = 6  # the seed box may shrink to this many digits in a narrow dock
# The subset box keeps its value on toy data, so its range there is the largest image set's.
MAX_TRAIN_SIZE = max(dataset.train_size for dataset in VISION_DATASETS.values())


class _PercentSpinBox(QDoubleSpinBox):
    """A percent box that shows "20 %" rather than "20.0 %", and "12.5 %" when needed."""

    def textFromValue(self, value: float) -> str:
        return self.locale().toString(round(value, self.decimals()), "g", 6)


class _SubsetSpinBox(QSpinBox):
    """0 (all images) or MIN_SUBSET and up: 1-99 can be typed on the way to more, and a box
    left at such a number goes up to MIN_SUBSET."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        state, text, pos = super().validate(text, pos)
        if state == QValidator.State.Acceptable and 0 < self.valueFromText(text) < MIN_SUBSET:
            state = QValidator.State.Intermediate
        return state, text, pos

    def fixup(self, text: str) -> str:
        value = self.valueFromText(text)
        if 0 < value < MIN_SUBSET:
            return self.textFromValue(MIN_SUBSET)
        return super().fixup(text)


def _range_text(low: float, high: float) -> str:
    return f"{count_text(int(low))}-{count_text(int(high))}"


class DatasetForm(QWidget):
    """Picks a dataset and edits its settings; emits each edit as the whole DataConfig."""

    configEdited = Signal(object)  # DataConfig, when the user changes it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self._name = next(iter(TOY_DATASETS))

        self._combo = QComboBox()
        for toy in TOY_DATASETS.values():
            self._combo.addItem(toy.title, toy.name)
        self._combo.insertSeparator(self._combo.count())
        for table in TABLE_DATASETS.values():
            self._combo.addItem(table.title, table.name)
            index = self._combo.count() - 1
            self._combo.setItemData(index, table.description, Qt.ItemDataRole.ToolTipRole)
        self._combo.addItem(self.tr("Your own CSV file…"), CSV_NAME)
        self._combo.setItemData(
            self._combo.count() - 1,
            self.tr("A table of your own: a header row, one column to predict, numbers elsewhere"),
            Qt.ItemDataRole.ToolTipRole,
        )
        self._combo.insertSeparator(self._combo.count())
        for dataset in VISION_DATASETS.values():
            self._combo.addItem(dataset.title, dataset.name)
            index = self._combo.count() - 1
            self._combo.setItemData(index, dataset.description, Qt.ItemDataRole.ToolTipRole)
        self._combo.setToolTip(
            self.tr(
                "The dataset to train on. The toy datasets at the top are generated on this "
                "computer; the real tables in the middle come with LayerLab; the image "
                "datasets at the bottom are downloaded once."
            )
        )
        self._combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._combo.setMinimumContentsLength(10)

        self._description = QLabel()
        self._description.setWordWrap(True)
        self._description.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._task = QLabel()
        self._task.setWordWrap(True)

        low, high = DATA_RANGES["samples"]
        self._samples = QSpinBox()
        self._samples.setRange(int(low), int(high))
        self._samples.setSingleStep(100)
        self._samples.setGroupSeparatorShown(True)
        self._samples.setToolTip(
            self.tr("How many points to generate, training and validation together ({0}-{1}).")
            .replace("{0}", count_text(int(low)))
            .replace("{1}", count_text(int(high)))
        )

        low, high = DATA_RANGES["noise"]
        self._noise = QDoubleSpinBox()
        self._noise.setRange(low, high)
        self._noise.setDecimals(3)
        self._noise.setSingleStep(0.01)
        self._noise.setToolTip(
            self.tr(
                "Standard deviation of the random jitter added to each point (0-10). "
                "More noise makes the task harder. Switching dataset resets it."
            )
        )

        # One box per parameter name of the toy table, shared by the datasets that have it
        # (blobs' classes and spirals' arms are both DataConfig.classes).
        first = {}
        for toy in TOY_DATASETS.values():
            for param in toy.params:
                first.setdefault(param.name, param)
        self._own: dict[str, QSpinBox | QDoubleSpinBox] = {
            name: self._make_param_box(param) for name, param in first.items()
        }

        low, high = DATA_RANGES["val_fraction"]
        self._val = _PercentSpinBox()
        self._val.setDecimals(1)
        self._val.setRange(low * 100, high * 100)
        self._val.setSingleStep(5)
        self._val.setSuffix(" %")
        self._val.setToolTip(
            self.tr(
                "Share of the points held back for validation (0-90 %). The model never "
                "trains on them; they show how well it generalises."
            )
        )

        self._subset = _SubsetSpinBox()
        self._subset.setRange(0, MAX_TRAIN_SIZE)
        self._subset.setSingleStep(SUBSET_STEP)
        self._subset.setGroupSeparatorShown(True)

        low, high = DATA_RANGES["seed"]
        self._seed = QSpinBox()
        self._seed.setRange(int(low), int(high))
        self._new_seed = QToolButton()
        # "New seed", not "New": File > New makes a new experiment (the tooltip follows the
        # dataset: it says what the data seed changes, see _refresh_texts).
        self._new_seed.setText(self.tr("New seed"))
        seed_row = QHBoxLayout()
        seed_row.setContentsMargins(0, 0, 0, 0)
        seed_row.addWidget(self._seed, 1)
        seed_row.addWidget(self._new_seed)

        self._file_path = ""  # the CSV file's whole path; the box shows its name
        self._path = QLineEdit()
        self._path.setReadOnly(True)
        self._path.setPlaceholderText(self.tr("No file chosen"))
        # Narrow docks: the box gives way (the name scrolls in it) rather than the panel.
        self._path.setMinimumWidth(char_width(self._path.fontMetrics()) * 6)
        self._choose = QPushButton(self.tr("Choose…"))
        self._choose.setToolTip(
            self.tr(
                "A CSV file with a header row: one column is what to predict, the others "
                "are numbers. LayerLab standardises them and names any bad row's line."
            )
        )
        self._file_row = file_row = QHBoxLayout()
        file_row.setContentsMargins(0, 0, 0, 0)
        file_row.addWidget(self._path, 1)
        file_row.addWidget(self._choose)
        self._target = QComboBox()
        self._target.setToolTip(
            self.tr(
                "The column to predict. Text, or a few whole numbers, makes a classification; "
                "other numbers a regression."
            )
        )

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # In a narrow dock a row too long for its label's column (the seed and "New seed"
        # beside "Training images") goes under its label instead of widening the dock.
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._form.addRow(self.tr("Samples"), self._samples)
        self._form.addRow(self.tr("Noise"), self._noise)
        for name, box in self._own.items():
            self._form.addRow(first[name].label, box)  # relabelled for each dataset shown
        self._form.addRow(self.tr("File"), file_row)
        self._form.labelForField(file_row).setBuddy(self._path)
        self._form.addRow(self.tr("Predict"), self._target)
        self._form.addRow(self.tr("Validation"), self._val)
        self._form.addRow(self.tr("Training images"), self._subset)
        self._form.addRow(self.tr("Seed"), seed_row)
        self._form.labelForField(seed_row).setBuddy(self._seed)
        self._fit_seed_width()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._combo)
        layout.addWidget(self._description)
        layout.addWidget(self._task)
        layout.addLayout(self._form)

        self._combo.currentIndexChanged.connect(self._on_dataset_changed)
        boxes: list[QAbstractSpinBox] = [self._samples, self._noise, *self._own.values()]
        for box in [*boxes, self._val, self._subset, self._seed]:
            box.valueChanged.connect(self._on_edited)
        self._new_seed.clicked.connect(self._on_new_seed)
        self._choose.clicked.connect(self._on_choose_file)
        self._target.currentIndexChanged.connect(self._on_edited)

    def _make_param_box(self, param: ToyParam) -> QSpinBox | QDoubleSpinBox:
        box = QSpinBox() if param.type == "int" else QDoubleSpinBox()
        box.setRange(param.minimum, param.maximum)
        box.setValue(param.default)
        return box

    # Public API

    def config(self) -> DataConfig:
        """The config the form shows."""
        toy = self.toy()
        own = toy.params if toy is not None else ()
        classes = self._own.get("classes")
        return DataConfig(
            name=self._name,
            samples=self._samples.value(),
            noise=round(self._noise.value(), self._noise.decimals()),
            classes=classes.value() if classes is not None else DataConfig().classes,
            val_fraction=round(self._val.value() / 100, 4),
            seed=self._seed.value(),
            subset=self._subset.value(),
            params=tuple(
                sorted((p.name, self._own[p.name].value()) for p in own if p.name != "classes")
            ),
            # Only a CSV file's config carries them: another dataset's compares as saved.
            path=self._file_path if self._name == CSV_NAME else "",
            target=self._target.currentText() if self._name == CSV_NAME else "",
        )

    def set_config(self, config: DataConfig) -> None:
        """Show `config` without emitting configEdited."""
        self._updating = True
        try:
            self._name = config.name
            self._combo.setCurrentIndex(self._combo.findData(config.name))
            self._samples.setValue(config.samples)
            self._noise.setValue(config.noise)
            if "classes" in self._own:
                self._own["classes"].setValue(config.classes)
            self._fit_own_rows()
            toy = self.toy()
            for name, value in (toy.values(config) if toy is not None else {}).items():
                self._own[name].setValue(value)
            self._val.setValue(config.val_fraction * 100)
            self._fit_subset_range()
            self._subset.setValue(config.subset)
            self._seed.setValue(config.seed)
            if config.name == CSV_NAME:
                self._show_file(config.path, config.target)
        finally:
            self._updating = False
        self._refresh()

    def toy(self) -> ToyDataset | None:
        """The toy dataset shown, if it is one."""
        return TOY_DATASETS.get(self._name)

    def vision(self) -> VisionDataset | None:
        """The image dataset shown, if it is one."""
        return VISION_DATASETS.get(self._name)

    def table(self) -> TableDataset | None:
        """The shipped table shown, if it is one."""
        return TABLE_DATASETS.get(self._name)

    # Qt

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_seed"):
            self._fit_seed_width()

    # Slots

    def _on_dataset_changed(self, index: int) -> None:
        if self._updating or index < 0:
            return
        self._name = self._combo.itemData(index)
        self._updating = True
        try:
            toy = self.toy()
            if toy is not None:
                self._noise.setValue(toy.default_noise)
            self._fit_own_rows()
            self._fit_subset_range()
        finally:
            self._updating = False
        self._on_edited()

    def _on_edited(self, *_args: object) -> None:
        if self._updating:
            return
        self._refresh()
        self.configEdited.emit(self.config())

    def _on_choose_file(self) -> None:
        folder = str(Path(self._file_path).parent) if self._file_path else ""
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose a CSV file"), folder, self.tr("CSV files (*.csv);;All files (*)")
        )
        if name:
            self._updating = True
            try:
                self._show_file(name, "")
            finally:
                self._updating = False
            self._on_edited()

    def _show_file(self, path: str, target: str) -> None:
        """The file's path, and its columns to predict with `target` chosen (default: the
        last, as most tables put the label last)."""
        self._file_path = path
        self._path.setText(Path(path).name if path else "")
        self._path.setCursorPosition(0)
        self._path.setToolTip(path)
        columns = csv_columns(path) if path else ()
        self._target.clear()
        self._target.addItems(list(columns))
        if columns:
            chosen = columns.index(target) if target in columns else len(columns) - 1
            self._target.setCurrentIndex(chosen)

    def _on_new_seed(self) -> None:
        current = self._seed.value()
        seed = current
        while seed == current:
            # Short seeds are easy to read out to a class; any seed in range can be typed.
            seed = random.randint(0, NEW_SEED_MAX)
        self._seed.setValue(seed)  # emits through valueChanged -> _on_edited

    # Helpers

    def _fit_seed_width(self) -> None:
        """Let the seed box shrink below the ten digits its range asks for, so the seed row
        fits a narrow dock (QSpinBox sizes itself for the widest value in range)."""
        probe = QSpinBox()
        probe.setFont(self._seed.font())
        probe.setRange(0, 10**SEED_DIGITS_SHOWN - 1)
        self._seed.setMinimumWidth(probe.minimumSizeHint().width())

    def _fit_own_rows(self) -> None:
        """Label, range and tooltip of the shown toy dataset's own parameter rows."""
        toy = self.toy()
        for param in toy.params if toy is not None else ():
            box = self._own[param.name]
            box.setRange(param.minimum, param.maximum)
            # Translators: a toy dataset's setting explained, then its range: "... (2-8)."
            tip = self.tr("{0} ({1}).")
            range_text = _range_text(param.minimum, param.maximum)
            box.setToolTip(tip.replace("{0}", param.help).replace("{1}", range_text))
            self._form.labelForField(box).setText(param.label)

    def _fit_subset_range(self) -> None:
        """The subset box's range and "All" text for the dataset shown."""
        dataset = self.vision()
        size = dataset.train_size if dataset is not None else MAX_TRAIN_SIZE
        self._subset.setRange(0, size)
        self._subset.setSpecialValueText(self.tr("All ({0})").replace("{0}", count_text(size)))
        if dataset is None:
            return
        self._subset.setToolTip(
            self.tr(
                "How many of the {0} training images to train on: fewer trains faster. "
                "All, or {1}-{0}. The same share of the {2} test images is used for "
                "validation, and the seed picks which images."
            )
            .replace("{0}", count_text(dataset.train_size))
            .replace("{1}", count_text(MIN_SUBSET))
            .replace("{2}", count_text(dataset.test_size))
        )

    def _refresh(self) -> None:
        """Texts and rows for the dataset shown. Hides come first: a row shown while the
        other kind's are still up would grow the window for a moment."""
        toy, dataset = self.toy(), self.vision()
        self._refresh_texts(toy, dataset)
        image = dataset is not None
        own = {param.name for param in toy.params} if toy is not None else set()
        own_file = self._name == CSV_NAME
        rows = {
            self._samples: toy is not None,
            self._noise: toy is not None,
            self._file_row: own_file,
            self._target: own_file,
            self._val: not image,
            self._subset: image,
            **{box: name in own for name, box in self._own.items()},
        }
        for showing in (False, True):
            for field, visible in rows.items():
                if visible == showing:
                    self._form.setRowVisible(field, visible)
            described = toy is not None or image or self._name in (*TABLE_DATASETS, CSV_NAME)
            labels = {self._description: described, self._task: described and self._task.text()}
            for label, visible in labels.items():
                if bool(visible) == showing:
                    label.setVisible(showing)

    def _refresh_texts(self, toy: ToyDataset | None, dataset: VisionDataset | None) -> None:
        if dataset is not None:
            self._description.setText(dataset.description)
            self._task.setText(self._image_task_text(dataset))
            self._seed.setToolTip(
                self.tr(
                    "Random seed: picks which images a subset uses; the same seed always "
                    "picks the same images (0-2147483647). No effect when all are used."
                )
            )
            self._new_seed.setToolTip(
                self.tr(
                    "Pick a new random data seed (0-99,999): another random subset of the "
                    "images (no effect when all are used). The starting weights have their "
                    "own seed, in the Training panel."
                )
            )
            return
        self._new_seed.setToolTip(
            self.tr(
                "Pick a new random data seed (0-99,999): new points, made with the same "
                "settings. The starting weights have their own seed, in the Training panel."
            )
        )
        self._seed.setToolTip(
            self.tr("Random seed: the same seed always gives the same points (0-2147483647).")
        )
        if toy is not None:
            self._description.setText(toy.description)
            self._task.setText(self._task_text(toy))
        if self._name in (*TABLE_DATASETS, CSV_NAME):
            self._refresh_table_texts(self.table())

    def _refresh_table_texts(self, table: TableDataset | None) -> None:
        """A shipped table (`table`) or the user's CSV file (None): what it is, how the seed
        splits it, and the task its target column makes."""
        self._seed.setToolTip(
            self.tr(
                "Random seed: which rows are held back for validation; the same seed "
                "always splits the same way (0-2147483647)."
            )
        )
        self._new_seed.setToolTip(
            self.tr(
                "Pick a new random data seed (0-99,999): another split of the same rows "
                "into training and validation. The starting weights have their own seed, "
                "in the Training panel."
            )
        )
        if table is not None:
            description = (
                self.tr("{0} Source: {1}.")
                .replace("{0}", table.description)
                .replace("{1}", _(table.source))
            )
        else:
            description = self.tr(
                "A table of your own: a header row, then one row per sample. Inputs are "
                "standardised with the training rows' mean and spread."
            )
        self._description.setText(description)
        config = self.config()
        if data_problem(config) is not None:  # the panel says why, in its error colour
            self._task.setText("")
            return
        task, (inputs,) = data_task(config), data_input_shape(config)
        if task.is_classification:
            text = self.tr("Classification, {0} classes, {1} inputs (standardised)")
            text = text.replace("{0}", str(task.outputs))
        else:
            text = self.tr("Regression, {1} inputs (standardised)")
        self._task.setText(text.replace("{1}", str(inputs)))

    def _image_task_text(self, dataset: VisionDataset) -> str:
        channels, height, width = dataset.input_shape
        text = (
            self.tr("{0} classes \u00b7 inputs {1} (grey)")
            if channels == 1
            else self.tr("{0} classes \u00b7 inputs {1} (colour)")
        )
        return text.replace("{0}", str(len(dataset.class_names))).replace(
            "{1}", f"{channels}x{height}x{width}"
        )

    def _task_text(self, toy: ToyDataset) -> str:
        n = toy.input_dim
        task = toy.task(self.config())
        if task.is_classification:
            return ngettext(
                "Classification, {classes} classes, {count} input",
                "Classification, {classes} classes, {count} inputs",
                n,
            ).format(classes=task.outputs, count=n)
        return ngettext("Regression, {count} input", "Regression, {count} inputs", n).format(
            count=n
        )
