"""Image datasets in the window: the data folder, downloads with progress and cancel, sample
images (through the window's ImageDataSource into the Data panel), and a run whose Predictions
tab shows the image grid and the confusion matrix."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QPushButton

from app.gui.main_window import MainWindow
from app.reports import EpochReport, ImagePredictionReport
from app.results import CANCELLED, FAILED, DownloadResult
from app.run_state import FINISHED
from tests.app.test_training_images import mnist_experiment
from tests.vision_files import point_downloads_at, serve_folder, write_mnist_family
from widgets.image_grid import ImageGridWidget


def sample_grid(window: MainWindow) -> ImageGridWidget:
    return window.dataset_panel.findChild(ImageGridWidget)


def data_button(window: MainWindow, text: str) -> QPushButton:
    (found,) = [b for b in window.dataset_panel.findChildren(QPushButton) if b.text() == text]
    return found


def data_texts(window: MainWindow) -> list[str]:
    return [w.text() for w in window.dataset_panel.findChildren(QLabel) if w.isVisible()]


@pytest.fixture
def window(open_window, tmp_path):
    win = open_window(mnist_experiment(epochs=2))
    win.set_data_root(str(tmp_path / "data"))
    return win


def test_the_data_folder_is_remembered(window, tmp_path):
    window.set_data_root(str(tmp_path / "elsewhere"))
    again = MainWindow(window.settings)
    assert again.controller.data_root == str(tmp_path / "elsewhere")
    again.close()
    again.deleteLater()  # closed is not deleted: a window left alive slows every later look


def test_without_the_files_train_is_blocked_and_says_where_to_put_them(qtbot, window, tmp_path):
    panel = window.run_panel
    qtbot.waitUntil(lambda: not panel.train_action.isEnabled(), timeout=10_000)
    text = panel.controls.blocked.text()
    assert "files are not in" in text and str(tmp_path / "data" / "MNIST" / "raw") in text
    panel.train_action.trigger()  # Space still reaches the action: nothing starts
    assert window.controller.state != "running" and window.error_box is None


def test_a_run_on_images_fills_the_prediction_grid_and_the_confusion_matrix(
    qtbot, window, tmp_path
):
    write_mnist_family(tmp_path / "data", train=200, test=60)
    panel = window.run_panel
    qtbot.waitUntil(panel.train_action.isEnabled, timeout=10_000)  # the files are seen
    assert panel.predictions.currentWidget() is panel.image_predictions
    panel.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == FINISHED, timeout=60_000)
    assert window.error_box is None
    grid = panel.image_predictions.grid
    last = [r for r in window.reports if isinstance(r, ImagePredictionReport)][-1]
    assert grid.count() == 32
    assert grid.wrong_indices() == np.flatnonzero(last.predicted != last.labels).tolist()
    epoch = [r for r in window.reports if isinstance(r, EpochReport)][-1]
    matrix = panel.image_predictions.matrix
    assert matrix.counts().sum() == 60 and np.array_equal(matrix.counts(), epoch.confusion)
    assert f"{epoch.val_accuracy:.1%}" in matrix.accuracy_text()


def test_download_shows_progress_then_the_samples(qtbot, window, tmp_path, monkeypatch):
    served = write_mnist_family(tmp_path / "served", train=100, test=30, gz=True)
    data = window.dataset_panel
    progress = []
    window.controller.downloadProgress.connect(lambda report: progress.append(report.done))
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        with qtbot.waitSignal(window.controller.samplesLoaded, timeout=60_000):
            data.downloadRequested.emit("mnist")  # what the Download button sends
    assert progress and progress[-1] == sum(p.stat().st_size for p in served.paths)
    qtbot.waitUntil(lambda: sample_grid(window).count() > 0)
    assert not data_button(window, "Download").isVisible()
    assert "Download complete." in window.statusBar().currentMessage()


def test_a_cancelled_download_keeps_nothing(qtbot, window, tmp_path, monkeypatch):
    served = write_mnist_family(tmp_path / "served", train=100, test=30, gz=True)
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        with qtbot.waitSignal(window.controller.downloadFinished, timeout=60_000) as finished:
            window.controller.download("mnist")
            assert window.controller.downloading
            window.controller.cancel_download()  # before the first chunk arrives
    assert finished.args == [DownloadResult("mnist", CANCELLED)]
    assert not window.controller.downloading
    assert not [p for p in (tmp_path / "data").rglob("*") if p.is_file()]


def test_train_waits_for_a_download_and_says_so(qtbot, window, tmp_path, monkeypatch):
    from tests.vision_files import unresponsive_server

    window.controller.download_timeout = 0.5
    with unresponsive_server() as url:
        monkeypatch.setattr("torchvision.datasets.MNIST.mirrors", [url])
        with qtbot.waitSignal(window.controller.downloadFinished, timeout=60_000) as finished:
            window.controller.download("mnist")
            controls = window.run_panel.controls
            assert not window.run_panel.train_action.isEnabled()
            assert "download" in controls.blocked.text()
            window.run_panel.train_action.trigger()  # the shortcut still reaches it: no run
            assert window.controller.state != "running"
    result = finished.args[0]
    assert result.outcome == FAILED and "did not answer within 0.5 s" in result.message
    assert not window.run_panel.train_action.isEnabled()  # still no files
    assert "files are not in" in window.run_panel.controls.blocked.text()


def test_samples_still_come_when_the_subset_changes_while_they_load(qtbot, window, tmp_path):
    from dataclasses import replace

    write_mnist_family(tmp_path / "data", train=300, test=50)
    with qtbot.waitSignal(window.controller.samplesLoaded, timeout=60_000):
        window.dataset_panel.samplesWanted.emit(window.document.experiment.data)
        window.document.edit_data(replace(window.document.experiment.data, subset=120), "subset")
    qtbot.waitUntil(lambda: sample_grid(window).count() > 0, timeout=10_000)


def test_samples_from_a_folder_left_since_are_not_shown(qtbot, window, tmp_path):
    write_mnist_family(tmp_path / "data", train=100, test=30)
    with qtbot.waitSignal(window.controller.samplesLoaded, timeout=60_000) as loaded:
        window.dataset_panel.samplesWanted.emit(window.document.experiment.data)
        window.set_data_root(str(tmp_path / "empty"))
    assert loaded.args[0].data_root == str(tmp_path / "data")
    assert sample_grid(window).count() == 0
    assert sample_grid(window).message() == "Download the dataset to see its images."
    assert window.image_data.files.samples == {}


def test_choosing_images_for_a_point_model_offers_the_fixes_that_make_it_fit(qtbot, tmp_path):
    from dataclasses import replace

    from PySide6.QtCore import Qt

    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window.show()
    document = window.document
    document.edit_data(replace(document.experiment.data, name="mnist"), "images")
    assert document.experiment.model.input_shape == (1, 28, 28)
    assert document.task.outputs == 10
    labels = []
    for _ in range(5):  # each click applies the first fix offered, as a user would
        if document.inference.ok:
            break
        error = document.inference.errors[0]
        button = window.stack.fix_buttons(error.layer)[0]
        labels.append(button.text())
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert document.inference.ok, document.inference.errors
    assert any("Flatten" in label for label in labels)
    print("fixes clicked:", labels)
    assert document.inference.output_shape == (10,)
    document.undo_stack.setClean()
    window.close()
    window.deleteLater()


def test_a_download_that_breaks_unexpectedly_still_reports_back(qtbot, window, monkeypatch):
    # A mirror without a scheme: urllib raises ValueError, which no download path expects.
    monkeypatch.setattr("torchvision.datasets.MNIST.mirrors", ["nowhere/"])
    with qtbot.waitSignal(window.controller.downloadFinished, timeout=60_000) as finished:
        window.controller.download("mnist")
    (result,) = finished.args
    assert result.dataset == "mnist" and result.outcome == FAILED
    assert result.message.startswith("The download failed (ValueError: unknown url")
    assert any(text.startswith("The download failed") for text in data_texts(window))
    assert not window.controller.downloading
    assert not window.run_panel.train_action.isEnabled()  # still no files


def test_the_data_folder_stays_put_while_a_download_runs(qtbot, window, tmp_path, monkeypatch):
    served = write_mnist_family(tmp_path / "served", train=100, test=30, gz=True)
    change = data_button(window, "Change\u2026")
    assert change.isEnabled()
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        with qtbot.waitSignal(window.controller.downloadFinished, timeout=60_000):
            window.data_dock.raise_()
            qtbot.mouseClick(data_button(window, "Download"), Qt.MouseButton.LeftButton)
            assert not change.isEnabled()
            assert data_button(window, "Cancel").isVisible()  # shown at once, before progress
    assert change.isEnabled()


def test_cancel_in_the_panel_stops_the_download_and_offers_it_again(
    qtbot, window, tmp_path, monkeypatch
):
    served = write_mnist_family(tmp_path / "served", train=100, test=30, gz=True)
    window.data_dock.raise_()
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        with qtbot.waitSignal(window.controller.downloadFinished, timeout=60_000) as done:
            qtbot.mouseClick(data_button(window, "Download"), Qt.MouseButton.LeftButton)
            # before the first chunk arrives, as in test_a_cancelled_download_keeps_nothing
            qtbot.mouseClick(data_button(window, "Cancel"), Qt.MouseButton.LeftButton)
            assert not data_button(window, "Cancelling\u2026").isEnabled()
    assert done.args[0].outcome == CANCELLED
    assert data_button(window, "Download").isVisible()
    assert window.image_data.files.errors == {}  # a cancel is no failure
    assert "Download cancelled; nothing was kept." in window.statusBar().currentMessage()
