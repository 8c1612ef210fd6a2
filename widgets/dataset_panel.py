"""DatasetPanel: pick a toy or image dataset, set its parameters and see the data before training.

Toy datasets are generated here for the preview (numpy, fast). Image datasets are only looked
at: whether their files are in the data folder (a few `stat` calls), and the sample images the
window's worker loads and hands over with `show_samples`. Downloads run in the window's worker
too; the panel asks for them (`downloadRequested`) and shows the progress it is given.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPalette, QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.datasets import DataConfig, Dataset, shown_counts
from app.datasets import check_config as check_any_config
from app.datasets.toy import TOY_DATASETS, ToyDataset, generate_for_views
from app.datasets.vision import (
    MIN_SUBSET,
    VISION_DATASETS,
    VisionDataset,
    default_data_root,
    is_present,
    missing_message,
    subset_sizes,
)
from app.experiment import RANGES
from widgets.image_grid import ImageGridWidget
from widgets.theme import class_colors, current_theme

MAX_PREVIEW_POINTS = 3000
PREVIEW_DELAY_MS = 120
SUBSET_STEP = 1000
NEW_SEED_MAX = 99_999
SEED_DIGITS_SHOWN = 6  # the seed box may shrink to this many digits in a narrow dock
# The subset box keeps its value on toy data, so its range there is the largest image set's.
MAX_TRAIN_SIZE = max(dataset.train_size for dataset in VISION_DATASETS.values())


def _count(n: int) -> str:
    """A whole number with group separators ("200,000"), as the samples box shows it."""
    locale = QLocale()
    locale.setNumberOptions(QLocale.NumberOption.DefaultNumberOptions)
    return locale.toString(n)


def _megabytes(n_bytes: float) -> str:
    """Bytes as decimal megabytes with one decimal ("3.2"), as download sizes are given."""
    return QLocale().toString(n_bytes / 1e6, "f", 1)


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


class _ElidedLabel(QLabel):
    """One line of text elided in the middle to the width it gets; the whole text in the
    tooltip. For paths, whose start and end say the most."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 8)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideMiddle, self.width()))


class DatasetPanel(QWidget):
    """Chooses a dataset and its parameters. Toy data: previews the generated points live.
    Image data: says whether the files are here, offers the download, shows sample images."""

    dataChanged = Signal(object)  # DataConfig, when the user changes it
    dataRootChanged = Signal(str)  # the folder the user picked for image datasets
    downloadRequested = Signal(str)  # the image dataset's name
    downloadCancelled = Signal()
    samplesWanted = Signal(object)  # DataConfig of an image dataset whose samples to load

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self._name = next(iter(TOY_DATASETS))
        self._foreground = "#404040"
        self._data_root = str(default_data_root())
        self._present = False
        self._download_name: str | None = None  # the image dataset being downloaded
        self._download_progress: tuple[int, int | None] = (0, None)
        self._cancelling = False
        self._download_errors: dict[str, str] = {}  # name -> why its last download failed
        # Samples by (name, data root); the grid shows the key in _grid_key (or its message).
        self._sample_images: dict[
            tuple[str, str], tuple[np.ndarray, np.ndarray, tuple[str, ...]]
        ] = {}
        self._grid_key: tuple[str, str] | None = None
        self._problem: str | None = None  # what is wrong with the config, as last checked

        self._combo = QComboBox()
        for toy in TOY_DATASETS.values():
            self._combo.addItem(toy.title, toy.name)
        self._combo.insertSeparator(self._combo.count())
        for dataset in VISION_DATASETS.values():
            self._combo.addItem(dataset.title, dataset.name)
            index = self._combo.count() - 1
            self._combo.setItemData(index, dataset.description, Qt.ItemDataRole.ToolTipRole)
        self._combo.setToolTip(
            self.tr(
                "The dataset to train on. The toy datasets above the line are generated on "
                "this computer; the image datasets below it are downloaded once."
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

        low, high = RANGES["samples"]
        self._samples = QSpinBox()
        self._samples.setRange(int(low), int(high))
        self._samples.setSingleStep(100)
        self._samples.setGroupSeparatorShown(True)
        self._samples.setToolTip(
            self.tr("How many points to generate, training and validation together ({0}-{1}).")
            .replace("{0}", _count(int(low)))
            .replace("{1}", _count(int(high)))
        )

        low, high = RANGES["noise"]
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

        low, high = RANGES["classes"]
        self._classes = QSpinBox()
        self._classes.setRange(int(low), int(high))
        self._classes.setToolTip(self.tr("How many classes (or spiral arms) to make (2-10)."))

        low, high = RANGES["val_fraction"]
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

        low, high = RANGES["seed"]
        self._seed = QSpinBox()
        self._seed.setRange(int(low), int(high))
        self._new_seed = QToolButton()
        self._new_seed.setText(self.tr("New"))  # as in the training panel
        self._new_seed.setToolTip(self.tr("Pick a new random seed (0-99,999)."))
        seed_row = QHBoxLayout()
        seed_row.setContentsMargins(0, 0, 0, 0)
        seed_row.addWidget(self._seed, 1)
        seed_row.addWidget(self._new_seed)

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.addRow(self.tr("Samples"), self._samples)
        self._form.addRow(self.tr("Noise"), self._noise)
        self._form.addRow(self.tr("Classes"), self._classes)
        self._form.addRow(self.tr("Validation"), self._val)
        self._form.addRow(self.tr("Training images"), self._subset)
        self._form.addRow(self.tr("Seed"), seed_row)
        self._form.labelForField(seed_row).setBuddy(self._seed)
        self._fit_seed_width()

        self._files = self._make_files_box()

        self._plot = pg.PlotWidget()
        self._plot.setMinimumHeight(220)
        self._plot.setMaximumHeight(400)  # square-ish in a dock; extra height goes below
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._plot.setMenuEnabled(False)
        self._train_scatter = pg.ScatterPlotItem(size=6, pen=None)
        self._val_scatter = pg.ScatterPlotItem(size=7, brush=None)
        self._plot.addItem(self._train_scatter)
        self._plot.addItem(self._val_scatter)

        self._grid = ImageGridWidget()
        self._grid.installEventFilter(self)  # to fit the samples to its size
        self._grid.hide()

        self._caption = QLabel()
        self._caption.setWordWrap(True)
        self._caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._error = QLabel()
        self._error.setWordWrap(True)
        self._error.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._error.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self._combo)
        layout.addWidget(self._description)
        layout.addWidget(self._task)
        layout.addLayout(self._form)
        layout.addWidget(self._files)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._grid, 1)
        layout.addWidget(self._caption)
        layout.addWidget(self._error)
        layout.addStretch(0)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._on_preview_due)
        # samplesWanted goes out from the event loop: several changes in a row ask once, and
        # a window that connects right after set_config still hears it.
        self._samples_timer = QTimer(self)
        self._samples_timer.setSingleShot(True)
        self._samples_timer.setInterval(0)
        self._samples_timer.timeout.connect(self._on_samples_due)
        self._restyle_timer = QTimer(self)
        self._restyle_timer.setSingleShot(True)
        self._restyle_timer.setInterval(0)
        self._restyle_timer.timeout.connect(self._restyle)

        self._combo.currentIndexChanged.connect(self._on_dataset_changed)
        self._samples.valueChanged.connect(self._on_edited)
        self._noise.valueChanged.connect(self._on_edited)
        self._classes.valueChanged.connect(self._on_edited)
        self._val.valueChanged.connect(self._on_edited)
        self._subset.valueChanged.connect(self._on_edited)
        self._seed.valueChanged.connect(self._on_edited)
        self._new_seed.clicked.connect(self._on_new_seed)
        self._change_folder.clicked.connect(self._on_change_folder)
        self._download.clicked.connect(self._on_download)
        self._cancel.clicked.connect(self._on_cancel)
        self._which_files.toggled.connect(self._on_which_files)
        self._check_again.clicked.connect(self._on_check_again)

        self._restyle()
        self.set_plot_colors("#FFFFFF", self._foreground)
        self._folder.set_full_text(self._data_root)
        self.set_config(DataConfig())

    def _make_files_box(self) -> QGroupBox:
        """Where an image dataset's files are, whether they are there, and the download."""
        box = QGroupBox(self.tr("Image files"))

        self._folder = _ElidedLabel()
        self._change_folder = QPushButton(self.tr("Change\u2026"))
        self._change_folder.setToolTip(
            self.tr("Choose the folder where image datasets are kept and downloaded to.")
        )
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self._folder, 1)
        folder_row.addWidget(self._change_folder)

        self._status = QLabel()
        self._status.setWordWrap(True)

        self._progress = QProgressBar()
        self._progress.setTextVisible(True)
        self._progress.setToolTip(self.tr("How much of the download has arrived."))
        self._cancel = QPushButton(self.tr("Cancel"))
        self._cancel.setToolTip(self.tr("Stop the download; nothing half-downloaded is kept."))
        progress_row = QHBoxLayout()
        progress_row.setContentsMargins(0, 0, 0, 0)
        progress_row.addWidget(self._progress, 1)
        progress_row.addWidget(self._cancel)
        self._progress_row = QWidget()
        self._progress_row.setLayout(progress_row)

        self._download = QPushButton(self.tr("Download"))
        self._which_files = QToolButton()
        self._which_files.setText(self.tr("Add by hand"))
        self._which_files.setCheckable(True)
        self._which_files.setArrowType(Qt.ArrowType.RightArrow)
        self._which_files.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._which_files.setToolTip(
            self.tr("Show which files to put where, for a computer without internet.")
        )
        action_row = QHBoxLayout()
        action_row.setContentsMargins(0, 0, 0, 0)
        action_row.addWidget(self._download)
        action_row.addWidget(self._which_files)
        action_row.addStretch(1)
        self._action_row = QWidget()
        self._action_row.setLayout(action_row)

        self._details = QLabel()
        self._details.setWordWrap(True)
        self._details.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._check_again = QPushButton(self.tr("Check again"))
        self._check_again.setToolTip(
            self.tr("Look in the data folder again, after putting the files there.")
        )
        details_row = QHBoxLayout()
        details_row.setContentsMargins(0, 0, 0, 0)
        details_row.addWidget(self._check_again)
        details_row.addStretch(1)
        details = QVBoxLayout()
        details.setContentsMargins(0, 0, 0, 0)
        details.addWidget(self._details)
        details.addLayout(details_row)
        self._details_box = QWidget()
        self._details_box.setLayout(details)
        self._details_box.hide()

        self._download_error = QLabel()
        self._download_error.setWordWrap(True)
        self._download_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._download_error.hide()

        layout = QVBoxLayout(box)
        layout.addLayout(folder_row)
        layout.addWidget(self._status)
        layout.addWidget(self._progress_row)
        layout.addWidget(self._action_row)
        layout.addWidget(self._download_error)
        layout.addWidget(self._details_box)
        return box

    # Public API

    def config(self) -> DataConfig:
        """The config the panel shows."""
        return DataConfig(
            name=self._name,
            samples=self._samples.value(),
            noise=round(self._noise.value(), self._noise.decimals()),
            classes=self._classes.value(),
            val_fraction=round(self._val.value() / 100, 4),
            seed=self._seed.value(),
            subset=self._subset.value(),
        )

    def set_config(self, config: DataConfig) -> None:
        """Show `config` without emitting dataChanged."""
        self._updating = True
        try:
            self._name = config.name
            self._combo.setCurrentIndex(self._combo.findData(config.name))
            self._samples.setValue(config.samples)
            self._noise.setValue(config.noise)
            self._classes.setValue(config.classes)
            self._val.setValue(config.val_fraction * 100)
            self._fit_subset_range()
            self._subset.setValue(config.subset)
            self._seed.setValue(config.seed)
        finally:
            self._updating = False
        self._refresh()
        self._timer.start()

    def data_root(self) -> str:
        """The folder image datasets are read from and downloaded to."""
        return self._data_root

    def set_data_root(self, path: str) -> None:
        """Show `path` as the data folder without emitting dataRootChanged; look for the
        current image dataset's files there."""
        path = str(path)
        if path == self._data_root:
            return
        self._data_root = path
        self._folder.set_full_text(path)
        # Samples from other folders are no longer wanted.
        self._sample_images = {
            key: value for key, value in self._sample_images.items() if key[1] == path
        }
        self._download_errors.clear()  # they were about the other folder
        self._refresh()

    def show_download_progress(self, done: int, total: int | None) -> None:
        """Show how far the download has come: `done` of `total` bytes (None: unknown)."""
        self._download_progress = (int(done), None if total is None else int(total))
        if self._download_name is None:  # a download the window started on its own
            if self._vision() is None:
                return
            self._download_name = self._name
            self._refresh()
        else:
            self._refresh_files()

    def show_download_result(self, error: str) -> None:
        """End the download display: "" when it worked or was cancelled (presence is checked
        again; the samples are asked for when the files are here), else the reason, shown in
        the error colour, with the Download button back while the files are missing."""
        name = self._download_name or self._name
        self._download_name = None
        self._cancelling = False
        self._download_progress = (0, None)
        if error:
            self._download_errors[name] = error
        else:
            self._download_errors.pop(name, None)
        self._refresh()
        if error and self._grid_key is not None and self._grid_key not in self._sample_images:
            # The files are here but could not be read: no samples are coming.
            self._grid.clear(self.tr("No sample images: see the message above."))

    def show_samples(
        self, images: np.ndarray, labels: np.ndarray, class_names: Sequence[str]
    ) -> None:
        """Show sample images (uint8, N x C x H x W) with their labels. Samples of another
        image dataset than the one shown (they can arrive late) are kept for when it is."""
        images = np.asarray(images)
        names = tuple(class_names)
        name = next(
            (
                key
                for key, dataset in VISION_DATASETS.items()
                if dataset.class_names == names and dataset.input_shape == images.shape[1:]
            ),
            None,
        )
        current = self._vision()
        if name is None and current is not None and current.input_shape == images.shape[1:]:
            name = current.name  # unknown class names: trust that they are for what is shown
        if name is None:
            return
        key = (name, self._data_root)
        self._sample_images[key] = (images, np.asarray(labels), names)
        if key == self._grid_key:
            self._fill_grid()

    def show_samples_failed(self, message: str) -> None:
        """Say why the sample images could not be loaded, in place of them."""
        if self._vision() is not None:
            self._grid.clear(message)

    def set_plot_colors(self, background: str, foreground: str) -> None:
        """Restyle the preview for the theme: background colour, axes and text colour."""
        self._foreground = foreground
        self._plot.setBackground(background)
        for name in ("left", "bottom"):
            axis = self._plot.getAxis(name)
            axis.setPen(pg.mkPen(foreground))
            axis.setTextPen(pg.mkPen(foreground))
        self._timer.start()

    # Qt

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        # Files may have been put in place by hand while the panel was hidden.
        if self._vision() is not None and self._download_name is None:
            self._refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._grid and event.type() == QEvent.Type.Resize:
            self._fill_grid()
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_restyle_timer"):
            # Later: apply_theme changes the palette before it records the new theme.
            self._restyle_timer.start()
        elif event.type() == QEvent.Type.FontChange and hasattr(self, "_seed"):
            self._fit_seed_width()

    # Slots

    def _on_dataset_changed(self, index: int) -> None:
        if self._updating or index < 0:
            return
        self._name = self._combo.itemData(index)
        self._updating = True
        try:
            toy = self._toy()
            if toy is not None:
                self._noise.setValue(toy.default_noise)
            self._fit_subset_range()
        finally:
            self._updating = False
        self._on_edited()

    def _on_edited(self, *_args: object) -> None:
        if self._updating:
            return
        self._refresh()
        self._timer.start()
        self.dataChanged.emit(self.config())

    def _on_new_seed(self) -> None:
        current = self._seed.value()
        seed = current
        while seed == current:
            # Short seeds are easy to read out to a class; any seed in range can be typed.
            seed = random.randint(0, NEW_SEED_MAX)
        self._seed.setValue(seed)  # emits through valueChanged -> _on_edited

    def _on_change_folder(self) -> None:
        path = self._choose_folder()
        if path:
            self._on_folder_chosen(path)

    def _on_folder_chosen(self, path: str) -> None:
        path = str(Path(path))
        if path == self._data_root:
            return
        self.set_data_root(path)
        self.dataRootChanged.emit(path)

    def _on_download(self) -> None:
        dataset = self._vision()
        if dataset is None or self._download_name is not None:
            return
        self._download_name = dataset.name
        self._download_progress = (0, None)
        self._download_errors.pop(dataset.name, None)
        self._refresh()
        self.downloadRequested.emit(dataset.name)

    def _on_cancel(self) -> None:
        if self._download_name is None or self._cancelling:
            return
        self._cancelling = True
        self._refresh_files()
        self.downloadCancelled.emit()

    def _on_which_files(self, checked: bool) -> None:
        arrow = Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow
        self._which_files.setArrowType(arrow)
        self._details_box.setVisible(checked)

    def _on_check_again(self) -> None:
        self._download_errors.pop(self._name, None)
        self._refresh()

    def _on_samples_due(self) -> None:
        dataset = self._vision()
        key = self._grid_key
        if dataset is None or key is None or key in self._sample_images:
            return
        self.samplesWanted.emit(self.config())

    def _on_preview_due(self) -> None:
        config = self.config()
        self._problem = check_any_config(config)
        if self._problem:
            text = self.tr("Cannot use this data: {0}.").replace("{0}", self._problem)
            self._error.setText(text)
        self._show_parts()
        if not self._problem and self._toy() is not None:
            self._draw(generate_for_views(config))

    # Helpers

    def _choose_folder(self) -> str:
        """Ask the user for a folder ("" when cancelled). Its own method so tests can
        replace the dialog."""
        return QFileDialog.getExistingDirectory(
            self, self.tr("Folder for image datasets"), self._data_root
        )

    def _fit_seed_width(self) -> None:
        """Let the seed box shrink below the ten digits its range asks for, so the seed row
        fits a narrow dock (QSpinBox sizes itself for the widest value in range)."""
        probe = QSpinBox()
        probe.setFont(self._seed.font())
        probe.setRange(0, 10**SEED_DIGITS_SHOWN - 1)
        self._seed.setMinimumWidth(probe.minimumSizeHint().width())

    def _toy(self) -> ToyDataset | None:
        return TOY_DATASETS.get(self._name)

    def _vision(self) -> VisionDataset | None:
        return VISION_DATASETS.get(self._name)

    def _fit_subset_range(self) -> None:
        """The subset box's range and "All" text for the dataset shown."""
        dataset = self._vision()
        size = dataset.train_size if dataset is not None else MAX_TRAIN_SIZE
        self._subset.setRange(0, size)
        self._subset.setSpecialValueText(self.tr("All ({0})").replace("{0}", _count(size)))
        if dataset is None:
            return
        self._subset.setToolTip(
            self.tr(
                "How many of the {0} training images to train on: fewer trains faster. "
                "All, or {1}-{0}. The same share of the {2} test images is used for "
                "validation, and the seed picks which images."
            )
            .replace("{0}", _count(dataset.train_size))
            .replace("{1}", _count(MIN_SUBSET))
            .replace("{2}", _count(dataset.test_size))
        )

    def _refresh(self) -> None:
        """Labels, rows, file status and preview for the dataset shown."""
        # A download goes into the folder it started in: the folder stays until it ends.
        self._change_folder.setEnabled(self._download_name is None)
        self._refresh_labels()
        self._refresh_files()
        self._refresh_images()
        self._show_parts()

    def _show_parts(self) -> None:
        """Show the rows and views of the kind of dataset shown. Hides come first: a widget
        shown while the other kind's are still up would grow the window for a moment."""
        toy, dataset = self._toy(), self._vision()
        image = dataset is not None
        points = toy is not None and not self._problem
        widgets = {
            self._description: toy is not None or image,
            self._task: toy is not None or image,
            self._files: image,
            self._grid: image,
            self._plot: points,
            self._caption: points,
            self._error: bool(self._problem),
        }
        rows = {
            self._samples: not image,
            self._noise: not image,
            self._val: not image,
            self._classes: toy is not None and toy.classes_label is not None,
            self._subset: image,
        }
        for showing in (False, True):
            for field, visible in rows.items():
                if visible == showing:
                    self._form.setRowVisible(field, visible)
            for widget, visible in widgets.items():
                if visible == showing:
                    widget.setVisible(visible)

    def _refresh_labels(self) -> None:
        toy, dataset = self._toy(), self._vision()
        if dataset is not None:
            self._description.setText(dataset.description)
            self._task.setText(self._image_task_text(dataset))
            self._seed.setToolTip(
                self.tr(
                    "Random seed: picks which images a subset uses; the same seed always "
                    "picks the same images (0-2147483647). No effect when all are used."
                )
            )
            return
        self._seed.setToolTip(
            self.tr("Random seed: the same seed always gives the same points (0-2147483647).")
        )
        if toy is None:
            return
        self._description.setText(toy.description)
        self._task.setText(self._task_text(toy))
        label = self._form.labelForField(self._classes)
        if toy.classes_label == "arms":
            label.setText(self.tr("Arms"))
        else:
            label.setText(self.tr("Classes"))

    def _refresh_files(self) -> None:
        """The image files box: ready, missing (with Download), downloading or failed."""
        dataset = self._vision()
        if dataset is None:
            return
        self._present = is_present(dataset.name, Path(self._data_root))
        downloading = self._download_name == dataset.name
        other_download = self._download_name is not None and not downloading
        missing = not self._present and not downloading
        error = "" if downloading else self._download_errors.get(dataset.name, "")

        self._status.setToolTip("")
        if downloading:
            text = self._downloading_text(dataset)
        elif self._present:
            text = self._ready_text(dataset)
        else:
            text = self.tr("Not on this computer yet: {0} MB to download.").replace(
                "{0}", QLocale().toString(dataset.download_megabytes, "g", 6)
            )
            how = missing_message(dataset.name, Path(self._data_root))
            self._status.setToolTip(how)
            self._details.setText(how)
        self._status.setText(text)

        self._progress_row.setVisible(downloading)
        if downloading:
            self._show_progress()
        self._cancel.setEnabled(not self._cancelling)
        self._cancel.setText(self.tr("Cancelling\u2026") if self._cancelling else self.tr("Cancel"))
        self._action_row.setVisible(missing)
        self._download.setEnabled(not other_download)
        if other_download:
            self._download.setToolTip(
                self.tr("Another dataset is downloading; wait for it to finish.")
            )
        else:
            self._download.setToolTip(
                self.tr("Download {0} ({1} MB) into the data folder. You can cancel it.")
                .replace("{0}", dataset.title)
                .replace("{1}", QLocale().toString(dataset.download_megabytes, "g", 6))
            )
        self._details_box.setVisible(missing and self._which_files.isChecked())
        # The core ends a download error with how to get the files by hand, which
        # "Add by hand" already shows: the label keeps the reason, the tooltip has it all.
        self._download_error.setText(self._without_how_to(error, dataset))
        self._download_error.setToolTip(error)
        self._download_error.setVisible(bool(error))

    def _without_how_to(self, error: str, dataset: VisionDataset) -> str:
        how = missing_message(dataset.name, Path(self._data_root))
        if error.endswith(how) and len(error) > len(how):
            return error[: -len(how)].rstrip()
        return error

    def _show_progress(self) -> None:
        done, total = self._download_progress
        if total:
            done = min(done, total)
            percent = 100 * done // total
            self._progress.setRange(0, total)
            self._progress.setValue(done)
            text = (
                self.tr("{0} of {1} MB ({2}%)")
                .replace("{0}", _megabytes(done))
                .replace("{1}", _megabytes(total))
                .replace("{2}", str(percent))
            )
            self._progress.setFormat(text)
        else:
            self._progress.setRange(0, 0)  # busy: the size is not known
            self._progress.setFormat("")

    def _downloading_text(self, dataset: VisionDataset) -> str:
        if self._cancelling:
            return self.tr("Cancelling the download\u2026")
        done, total = self._download_progress
        if total:
            return self.tr("Downloading {0}\u2026").replace("{0}", dataset.title)
        if done:
            return (
                self.tr("Downloading {0}: {1} MB so far\u2026")
                .replace("{0}", dataset.title)
                .replace("{1}", _megabytes(done))
            )
        return self.tr("Starting the download of {0}\u2026").replace("{0}", dataset.title)

    def _ready_text(self, dataset: VisionDataset) -> str:
        subset = self._subset.value()
        if not subset or subset >= dataset.train_size:
            return (
                self.tr("\u2713 Ready: {0} training and {1} test images")
                .replace("{0}", _count(dataset.train_size))
                .replace("{1}", _count(dataset.test_size))
            )
        return (
            self.tr("\u2713 Using {0} of {1} training images and {2} of {3} test images")
            .replace("{0}", _count(subset))
            .replace("{1}", _count(dataset.train_size))
            .replace("{2}", _count(subset_sizes(dataset.train_size, dataset.test_size, subset)[1]))
            .replace("{3}", _count(dataset.test_size))
        )

    def _refresh_images(self) -> None:
        """Scatter for toy data; the image grid for image data, asking for its samples."""
        dataset = self._vision()
        if dataset is None:
            self._grid_key = None
            return
        key = (dataset.name, self._data_root) if self._present else None
        if key is not None and key == self._grid_key:
            return
        self._grid_key = key
        if key is None and self._download_name == dataset.name:
            self._grid.clear(self.tr("The images show here when the download is done."))
        elif key is None:
            self._grid.clear(self.tr("Download the dataset to see its images."))
        elif key in self._sample_images:
            self._fill_grid()
        else:
            self._grid.clear(self.tr("Loading sample images\u2026"))
            self._samples_timer.start()

    def _fill_grid(self) -> None:
        """Give the grid the samples of the dataset shown, as many as fit its size: the rest
        would only be announced in an elided "enlarge for all" line in a narrow dock."""
        samples = self._sample_images.get(self._grid_key) if self._grid_key else None
        if samples is None:
            return
        images, labels, names = samples
        self._grid.show_samples(images, labels, names)
        fit = self._grid.shown_count()
        if 0 < fit < len(images):
            self._grid.show_samples(images[:fit], labels[:fit], names)

    def _restyle(self) -> None:
        """Error texts in the theme's error colour (it differs between light and dark)."""
        sheet = f"color: {current_theme().error};"
        for label in (self._error, self._download_error):
            if label.styleSheet() != sheet:
                label.setStyleSheet(sheet)

    def _image_task_text(self, dataset: VisionDataset) -> str:
        channels, height, width = dataset.input_shape
        colour = self.tr("grey") if channels == 1 else self.tr("colour")
        return (
            self.tr("{0} classes \u00b7 inputs {1} ({2})")
            .replace("{0}", str(len(dataset.class_names)))
            .replace("{1}", f"{channels}x{height}x{width}")
            .replace("{2}", colour)
        )

    def _task_text(self, toy: ToyDataset) -> str:
        n = toy.input_dim
        inputs = self.tr("1 input") if n == 1 else self.tr("{0} inputs").replace("{0}", str(n))
        task = toy.task(self._classes.value())
        if task.is_classification:
            return (
                self.tr("Classification, {0} classes, {1}")
                .replace("{0}", str(task.outputs))
                .replace("{1}", inputs)
            )
        return self.tr("Regression, {0}").replace("{0}", inputs)

    def _class_colors(self) -> list[str]:
        return class_colors(current_theme(), RANGES["classes"][1], self._foreground)

    def _draw(self, data: Dataset) -> None:
        """Update the two scatter items in place with a deterministic subsample."""
        n_train, n_val = len(data.x_train), len(data.x_val)
        total = n_train + n_val
        subsampled = total > MAX_PREVIEW_POINTS
        k_train, k_val = shown_counts(n_train, n_val, MAX_PREVIEW_POINTS)
        x_train, y_train = data.x_train[:k_train], data.y_train[:k_train]
        x_val, y_val = data.x_val[:k_val], data.y_val[:k_val]

        classification = data.task.is_classification
        if classification:
            colors = self._class_colors()
            brushes = np.array([pg.mkBrush(c) for c in colors], dtype=object)
            pens = np.array([pg.mkPen(c, width=1.5) for c in colors], dtype=object)
            train_brush = list(brushes[y_train % len(colors)])
            val_pen = list(pens[y_val % len(colors)])
            self._train_scatter.setData(x=x_train[:, 0], y=x_train[:, 1], brush=train_brush)
            self._val_scatter.setData(
                x=x_val[:, 0], y=x_val[:, 1], pen=val_pen, brush=pg.mkBrush(None)
            )
            self._plot.setLabel("bottom", self.tr("input 1"))
            self._plot.setLabel("left", self.tr("input 2"))
        else:
            color = current_theme().class_colors[0]
            self._train_scatter.setData(x=x_train[:, 0], y=y_train[:, 0], brush=pg.mkBrush(color))
            self._val_scatter.setData(
                x=x_val[:, 0],
                y=y_val[:, 0],
                pen=pg.mkPen(color, width=1.5),
                brush=pg.mkBrush(None),
            )
            self._plot.setLabel("bottom", self.tr("x (input)"))
            self._plot.setLabel("left", self.tr("y (target)"))
        # Input space is geometric for 2-D classification: keep circles round.
        self._plot.setAspectLocked(classification)
        self._plot.enableAutoRange()

        lines = [
            self.tr("\u25cf filled: training ({0})").replace("{0}", _count(n_train)),
            self.tr("\u25cb hollow: validation ({0})").replace("{0}", _count(n_val)),
        ]
        if subsampled:
            drawn = k_train + k_val
            lines.append(
                self.tr("Showing {0} of {1} points.")
                .replace("{0}", _count(drawn))
                .replace("{1}", _count(total))
            )
        self._caption.setText("\n".join(lines))


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    panel = DatasetPanel()
    panel.dataChanged.connect(lambda config: print(config))
    panel.dataRootChanged.connect(lambda path: print("data root:", path))
    panel.downloadRequested.connect(lambda name: print("download:", name))
    panel.downloadCancelled.connect(lambda: print("download cancelled"))

    def _on_samples_wanted(config: DataConfig) -> None:
        # The window loads these in its worker; here: made-up digits and photos.
        from widgets.image_grid import demo_colour_images, demo_digits

        dataset = VISION_DATASETS[config.name]
        labels = np.random.default_rng(config.seed).integers(0, 10, 24)
        grey = dataset.input_shape[0] == 1
        images = demo_digits(labels) if grey else demo_colour_images(labels)
        panel.show_samples(images, labels, dataset.class_names)

    panel.samplesWanted.connect(_on_samples_wanted)
    panel.resize(340, 720)
    panel.setWindowTitle("DatasetPanel")
    panel.show()
    sys.exit(app.exec())
