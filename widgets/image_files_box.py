"""ImageFilesBox: where an image dataset's files are, whether they are there, and its download.

The box shows an `ImageFiles` value that the window's image data source pushes (the folder,
the download in progress, why a download failed, the samples loaded) and asks for what the
user wants (a download, a cancel, another folder); it never downloads anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.datasets.vision import VisionDataset, missing_message, subset_sizes
from app.results import DownloadProgress, SampleImages
from widgets.numbers_text import count_text
from widgets.text_metrics import char_width
from widgets.theme import Theme, current_theme


@dataclass(frozen=True)
class ImageFiles:
    """What the Data panel shows about image datasets: the data folder, the download in
    progress, why the last download of a dataset failed, and the sample images loaded."""

    data_root: str
    progress: DownloadProgress | None = None  # the download in progress (dataset, bytes)
    cancelling: bool = False
    errors: Mapping[str, str] = field(default_factory=dict)  # dataset -> why it failed
    samples: Mapping[str, SampleImages] = field(default_factory=dict)  # dataset -> samples

    @property
    def downloading(self) -> str | None:
        """The dataset being downloaded, if any."""
        return self.progress.dataset if self.progress is not None else None


def _megabytes(n_bytes: float) -> str:
    """Bytes as decimal megabytes with one decimal ("3.2"), as download sizes are given."""
    return QLocale().toString(n_bytes / 1e6, "f", 1)


class _ElidedLabel(QLabel):
    """One line of text elided in the middle to the width it gets; the whole text in the
    tooltip. For paths, whose start and end say the most."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(char_width(self.fontMetrics()) * 8)

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


class ImageFilesBox(QGroupBox):
    """The image files of one dataset: ready, missing (with Download), downloading or failed."""

    downloadRequested = Signal(str)  # the image dataset's name
    downloadCancelled = Signal()
    folderChosen = Signal(str)  # the folder the user picked in the dialog
    checkRequested = Signal()  # look in the folder again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Image files"), parent)
        self._dataset: VisionDataset | None = None
        self._files = ImageFiles("")
        self._dismissed: set[tuple[str, str]] = set()  # (dataset, error) hidden by Check again

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

        layout = QVBoxLayout(self)
        layout.addLayout(folder_row)
        layout.addWidget(self._status)
        layout.addWidget(self._progress_row)
        layout.addWidget(self._action_row)
        layout.addWidget(self._download_error)
        layout.addWidget(self._details_box)

        self._change_folder.clicked.connect(self._on_change_folder)
        self._download.clicked.connect(self._on_download)
        self._cancel.clicked.connect(self._on_cancel)
        self._which_files.toggled.connect(self._on_which_files)
        self._check_again.clicked.connect(self._on_check_again)
        self.set_theme(current_theme())

    def set_theme(self, theme: Theme) -> None:
        """The download error in the theme's error colour (it differs between light and dark)."""
        sheet = f"color: {theme.error};"
        if self._download_error.styleSheet() != sheet:
            self._download_error.setStyleSheet(sheet)

    def show_files(
        self, dataset: VisionDataset | None, files: ImageFiles, present: bool, subset: int
    ) -> None:
        """Show `files` for `dataset` (None: only the folder), whose files are `present`
        in the folder, of which `subset` training images are used (0: all)."""
        self._dataset, self._files = dataset, files
        self._folder.set_full_text(files.data_root)
        # A download goes into the folder it started in: the folder stays until it ends.
        self._change_folder.setEnabled(files.progress is None)
        if dataset is None:
            return
        downloading = files.downloading == dataset.name
        other_download = files.progress is not None and not downloading
        missing = not present and not downloading
        error = "" if downloading else files.errors.get(dataset.name, "")
        if downloading:  # a new try: its failure is news, even in the same words
            self._dismissed = {seen for seen in self._dismissed if seen[0] != dataset.name}
        if (dataset.name, error) in self._dismissed:
            error = ""

        self._status.setToolTip("")
        if downloading:
            text = self._downloading_text(dataset)
        elif present:
            text = self._ready_text(dataset, subset)
        else:
            text = self.tr("Not on this computer yet: {0} MB to download.").replace(
                "{0}", QLocale().toString(dataset.download_megabytes, "g", 6)
            )
            how = missing_message(dataset.name, Path(files.data_root))
            self._status.setToolTip(how)
            self._details.setText(how)
        self._status.setText(text)

        self._progress_row.setVisible(downloading)
        if downloading:
            self._show_progress()
        self._cancel.setEnabled(not files.cancelling)
        cancel = self.tr("Cancelling\u2026") if files.cancelling else self.tr("Cancel")
        self._cancel.setText(cancel)
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

    # Slots

    def _on_change_folder(self) -> None:
        path = self._choose_folder()
        if path:
            self.folderChosen.emit(str(Path(path)))

    def _on_download(self) -> None:
        if self._dataset is not None and self._files.progress is None:
            self.downloadRequested.emit(self._dataset.name)

    def _on_cancel(self) -> None:
        if self._files.progress is not None and not self._files.cancelling:
            self.downloadCancelled.emit()

    def _on_which_files(self, checked: bool) -> None:
        arrow = Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow
        self._which_files.setArrowType(arrow)
        self._details_box.setVisible(checked)

    def _on_check_again(self) -> None:
        if self._dataset is not None:
            name = self._dataset.name
            self._dismissed.add((name, self._files.errors.get(name, "")))
        self.checkRequested.emit()

    # Helpers

    def _choose_folder(self) -> str:
        """Ask the user for a folder ("" when cancelled). Its own method so tests can
        replace the dialog."""
        return QFileDialog.getExistingDirectory(
            self, self.tr("Folder for image datasets"), self._files.data_root
        )

    def _without_how_to(self, error: str, dataset: VisionDataset) -> str:
        how = missing_message(dataset.name, Path(self._files.data_root))
        if error.endswith(how) and len(error) > len(how):
            return error[: -len(how)].rstrip()
        return error

    def _show_progress(self) -> None:
        progress = self._files.progress
        done, total = (progress.done, progress.total) if progress is not None else (0, None)
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
        if self._files.cancelling:
            return self.tr("Cancelling the download\u2026")
        progress = self._files.progress
        done, total = (progress.done, progress.total) if progress is not None else (0, None)
        if total:
            return self.tr("Downloading {0}\u2026").replace("{0}", dataset.title)
        if done:
            return (
                self.tr("Downloading {0}: {1} MB so far\u2026")
                .replace("{0}", dataset.title)
                .replace("{1}", _megabytes(done))
            )
        return self.tr("Starting the download of {0}\u2026").replace("{0}", dataset.title)

    def _ready_text(self, dataset: VisionDataset, subset: int) -> str:
        if not subset or subset >= dataset.train_size:
            return (
                self.tr("\u2713 Ready: {0} training and {1} test images")
                .replace("{0}", count_text(dataset.train_size))
                .replace("{1}", count_text(dataset.test_size))
            )
        _, n_test = subset_sizes(dataset.train_size, dataset.test_size, subset)
        return (
            self.tr("\u2713 Using {0} of {1} training images and {2} of {3} test images")
            .replace("{0}", count_text(subset))
            .replace("{1}", count_text(dataset.train_size))
            .replace("{2}", count_text(n_test))
            .replace("{3}", count_text(dataset.test_size))
        )
