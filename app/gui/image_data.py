"""ImageDataSource: the window's image datasets: the data folder, the download, the samples.

It holds what the Data panel shows about image datasets as one `ImageFiles` value and pushes
a new one to the panel at every change. It turns the panel's intents (Download, Cancel, the
samples it wants) into the controller's calls, and the controller's answers (progress, how
the download ended, the sample images) into the next value. The panel itself keeps no
download or sample state. `filesChanged` tells others (the run panel, whose Train waits for
the files) each new value; `download` is the Download they offer.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from app.datasets import DataConfig
from app.gui.controller import TrainingController
from app.results import FAILED, DownloadProgress, DownloadResult, SampleImages
from widgets.dataset_panel import DatasetPanel
from widgets.image_files_box import ImageFiles


class ImageDataSource(QObject):
    """Owns the image side of the Data panel and wires it to the training controller."""

    filesChanged = Signal(object)  # ImageFiles: the folder, a download, errors or samples

    def __init__(
        self, controller: TrainingController, panel: DatasetPanel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._panel = panel
        self._files = ImageFiles(controller.data_root)
        panel.downloadRequested.connect(self.download)
        panel.downloadCancelled.connect(self._on_download_cancelled)
        panel.samplesWanted.connect(self._on_samples_wanted)
        controller.downloadProgress.connect(self._on_download_progress)
        controller.downloadFinished.connect(self._on_download_finished)
        controller.samplesLoaded.connect(self._on_samples_loaded)
        panel.show_image_data(self._files)

    @property
    def files(self) -> ImageFiles:
        """What the panel shows now."""
        return self._files

    @property
    def data_root(self) -> str:
        """The folder image datasets are read from and downloaded to."""
        return self._files.data_root

    def set_data_root(self, folder: str) -> None:
        """Read and download image datasets in `folder` from now on. Download errors and
        samples were about the old folder and are dropped; a running download goes on
        into the folder it started in (the panel keeps the folder while it runs)."""
        folder = str(folder)
        self._controller.data_root = folder
        if folder != self._files.data_root:
            self._show(ImageFiles(folder, self._files.progress, self._files.cancelling))

    def download(self, name: str) -> None:
        """Fetch the image dataset `name` into the data folder (the Data panel's Download, or
        another view's), shown in the panel as it goes."""
        self._controller.download(name)
        if self._controller.downloading:  # not while training or another download runs
            errors = {key: text for key, text in self._files.errors.items() if key != name}
            progress = DownloadProgress(name, 0, None)
            self._show(replace(self._files, progress=progress, cancelling=False, errors=errors))

    # Slots

    def _on_download_cancelled(self) -> None:
        if self._files.progress is not None:
            self._controller.cancel_download()
            self._show(replace(self._files, cancelling=True))

    def _on_download_progress(self, progress: DownloadProgress) -> None:
        self._show(replace(self._files, progress=progress))

    def _on_download_finished(self, result: DownloadResult) -> None:
        errors = {key: text for key, text in self._files.errors.items() if key != result.dataset}
        if result.outcome == FAILED:
            errors[result.dataset] = result.message
        self._show(replace(self._files, progress=None, cancelling=False, errors=errors))

    def _on_samples_wanted(self, config: DataConfig) -> None:
        samples = {key: s for key, s in self._files.samples.items() if key != config.name}
        self._show(replace(self._files, samples=samples))  # a failure is tried again
        self._controller.load_samples(config)

    def _on_samples_loaded(self, samples: SampleImages) -> None:
        if samples.data_root != self._files.data_root:
            return  # from a folder the user has left since
        loaded = {**self._files.samples, samples.config.name: samples}
        self._show(replace(self._files, samples=loaded))

    def _show(self, files: ImageFiles) -> None:
        self._files = files
        self._panel.show_image_data(files)
        self.filesChanged.emit(files)
