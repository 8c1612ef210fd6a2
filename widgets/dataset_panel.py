"""DatasetPanel: pick a toy or image dataset, set its parameters and see the data before training.

The panel composes three views: the form (widgets.dataset_form), the toy points' preview
(widgets.point_preview) and the image files box (widgets.image_files_box) with a grid of
sample images. Toy points for the preview come from app.datasets.load_for_views (a
cache the decision boundary shares), a moment after the last edit. What the panel knows about
image datasets (the folder, the download, the samples) is an `ImageFiles` value the window's
image data source pushes with `show_image_data`; the panel only shows it and emits intents.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.datasets import DataConfig, data_problem, load_for_views
from app.datasets.vision import VisionDataset, default_data_root, is_present
from app.results import SampleImages
from widgets.dataset_form import DatasetForm
from widgets.image_files_box import ImageFiles, ImageFilesBox
from widgets.image_grid import ImageGridWidget
from widgets.point_preview import PointPreview
from widgets.theme import Theme, current_theme

PREVIEW_DELAY_MS = 120


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
        self._files = ImageFiles(str(default_data_root()))
        self._grid_key: tuple[str, str] | None = None  # (dataset, folder) the grid is for
        self._shown: SampleImages | None = None  # the samples in the grid, if any
        self._problem: str | None = None  # what is wrong with the config, as last checked

        self._form = DatasetForm()
        self._files_box = ImageFilesBox()
        self._preview = PointPreview()
        self._grid = ImageGridWidget()
        self._grid.installEventFilter(self)  # to fit the samples to its size
        self._grid.hide()
        self._error = QLabel()
        self._error.setWordWrap(True)
        self._error.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._error.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self._form)
        layout.addWidget(self._files_box)
        layout.addWidget(self._preview, 1)
        layout.addWidget(self._grid, 1)
        layout.addWidget(self._error)
        layout.addStretch(0)

        # The preview waits for a pause in typing: each new config generates its points once.
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
        self._restyle_timer.timeout.connect(self._on_restyle_due)

        self._form.configEdited.connect(self._on_edited)
        self._files_box.downloadRequested.connect(self.downloadRequested)
        self._files_box.downloadCancelled.connect(self.downloadCancelled)
        self._files_box.folderChosen.connect(self._on_folder_chosen)
        self._files_box.checkRequested.connect(self._refresh)

        self.set_theme(current_theme())
        self.set_config(DataConfig())

    # Public API

    def config(self) -> DataConfig:
        """The config the panel shows."""
        return self._form.config()

    def set_config(self, config: DataConfig) -> None:
        """Show `config` without emitting dataChanged."""
        self._form.set_config(config)
        self._refresh()
        self._timer.start()

    def data_root(self) -> str:
        """The folder image datasets are read from and downloaded to, as last shown."""
        return self._files.data_root

    def show_image_data(self, files: ImageFiles) -> None:
        """Show what is known about image datasets: the folder (whose files are looked for
        again), the download, its errors and the samples loaded."""
        self._files = files
        self._refresh()

    def set_theme(self, theme: Theme) -> None:
        """Take a new look: the preview's plot and points, the error texts' colour."""
        sheet = f"color: {theme.error};"
        if self._error.styleSheet() != sheet:
            self._error.setStyleSheet(sheet)
        self._files_box.set_theme(theme)
        self._preview.set_theme(theme)
        self._timer.start()  # the points again, in the new class colours

    # Qt

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        # Files may have been put in place by hand while the panel was hidden.
        if self._form.vision() is not None and self._files.progress is None:
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

    # Slots

    def _on_edited(self, config: DataConfig) -> None:
        self._refresh()
        self._timer.start()
        self.dataChanged.emit(config)

    def _on_folder_chosen(self, path: str) -> None:
        if path != self._files.data_root:
            self.dataRootChanged.emit(path)

    def _on_restyle_due(self) -> None:
        self.set_theme(current_theme())

    def _on_samples_due(self) -> None:
        dataset = self._form.vision()
        if dataset is None or self._grid_key is None:
            return
        samples = self._files.samples.get(dataset.name)
        if samples is None or samples.error is not None:
            self.samplesWanted.emit(self.config())

    def _on_preview_due(self) -> None:
        config = self.config()
        self._problem = data_problem(config)
        if self._problem:
            text = self.tr("Cannot use this data: {0}.").replace("{0}", self._problem)
            self._error.setText(text)
        self._show_parts()
        if not self._problem and self._form.toy() is not None:
            self._preview.show_points(load_for_views(config))

    # Helpers

    def _refresh(self) -> None:
        """File status, sample images and views for the dataset shown."""
        dataset = self._form.vision()
        present = dataset is not None and is_present(dataset.name, Path(self._files.data_root))
        self._files_box.show_files(dataset, self._files, present, self.config().subset)
        self._refresh_images(dataset, present)
        self._show_parts()

    def _show_parts(self) -> None:
        """Show the views of the kind of dataset shown. Hides come first: a widget shown
        while the other kind's are still up would grow the window for a moment."""
        image = self._form.vision() is not None
        points = self._form.toy() is not None and not self._problem
        widgets = {
            self._files_box: image,
            self._grid: image,
            self._preview: points,
            self._error: bool(self._problem),
        }
        for showing in (False, True):
            for widget, visible in widgets.items():
                if visible == showing:
                    widget.setVisible(visible)

    def _refresh_images(self, dataset: VisionDataset | None, present: bool) -> None:
        """The image grid: the samples of the dataset shown, asking for them once on arrival
        (again after a failure), or what stands in their place."""
        if dataset is None:
            self._grid_key = None
            return
        key = (dataset.name, self._files.data_root) if present else None
        arriving = key != self._grid_key
        self._grid_key = key
        samples = self._files.samples.get(dataset.name)
        if key is None:
            waiting = self._files.downloading == dataset.name
            self._clear_grid(
                self.tr("The images show here when the download is done.")
                if waiting
                else self.tr("Download the dataset to see its images.")
            )
        elif samples is not None and samples.error is None:
            if samples is not self._shown:
                self._shown = samples
                self._fill_grid()
        elif arriving:
            self._clear_grid(self.tr("Loading sample images\u2026"))
            self._samples_timer.start()
        elif samples is not None:
            self._clear_grid(samples.error or "")
        elif self._files.errors.get(dataset.name):
            # The files are here but could not be read: no samples are coming.
            self._clear_grid(self.tr("No sample images: see the message above."))

    def _clear_grid(self, message: str) -> None:
        self._shown = None
        self._grid.clear(message)

    def _fill_grid(self) -> None:
        """Give the grid the samples shown, as many as fit its size: the rest would only be
        announced in an elided "enlarge for all" line in a narrow dock."""
        samples = self._shown
        if samples is None:
            return
        images, labels, names = samples.images, samples.labels, samples.class_names
        self._grid.show_samples(images, labels, names)
        fit = self._grid.shown_count()
        if 0 < fit < len(images):
            self._grid.show_samples(images[:fit], labels[:fit], names)


class _DemoSource:
    """Stands in for the window's image data source in the demo: the folder the user picks,
    and made-up digits and photos as samples (the window loads real ones in its worker)."""

    def __init__(self, panel: DatasetPanel) -> None:
        self.panel = panel
        self.files = ImageFiles(panel.data_root())
        panel.dataRootChanged.connect(self._on_root_chosen)
        panel.samplesWanted.connect(self._on_samples_wanted)

    def _on_root_chosen(self, path: str) -> None:
        self.files = ImageFiles(path)
        self.panel.show_image_data(self.files)

    def _on_samples_wanted(self, config: DataConfig) -> None:
        import numpy as np

        from app.datasets.vision import VISION_DATASETS
        from widgets.demo_data import demo_colour_images, demo_digits

        dataset = VISION_DATASETS[config.name]
        labels = np.random.default_rng(config.seed).integers(0, 10, 24)
        grey = dataset.input_shape[0] == 1
        images = demo_digits(labels) if grey else demo_colour_images(labels)
        sample = SampleImages(config, self.files.data_root, images, labels, dataset.class_names)
        self.files = replace(self.files, samples={**self.files.samples, config.name: sample})
        self.panel.show_image_data(self.files)


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    panel = DatasetPanel()
    source = _DemoSource(panel)
    panel.dataChanged.connect(lambda config: print(config))
    panel.downloadRequested.connect(lambda name: print("download:", name))
    panel.downloadCancelled.connect(lambda: print("download cancelled"))
    panel.resize(340, 720)
    panel.setWindowTitle("DatasetPanel")
    panel.show()
    sys.exit(app.exec())
