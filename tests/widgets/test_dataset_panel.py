"""DatasetPanel: what the user picks is what is emitted, and the preview shows those points."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox

from app.datasets import DataConfig
from app.datasets.toy import TOY_DATASETS
from app.datasets.vision import VISION_DATASETS
from app.gui.application import apply_theme
from tests.vision_files import write_mnist_family
from widgets.dataset_panel import DatasetPanel
from widgets.theme import DARK, LIGHT


@pytest.fixture
def panel(qtbot):
    widget = DatasetPanel()
    qtbot.addWidget(widget)
    widget.resize(340, 720)
    widget.show()
    return widget


def _record(panel: DatasetPanel) -> list[DataConfig]:
    emitted: list[DataConfig] = []
    panel.dataChanged.connect(emitted.append)
    return emitted


def _select(panel: DatasetPanel, name: str) -> None:
    panel._combo.setCurrentIndex(panel._combo.findData(name))


def _classes_label(panel: DatasetPanel) -> str:
    return panel._form.labelForField(panel._classes).text()


def _wait_for_preview(qtbot, panel: DatasetPanel, n_train: int, n_val: int) -> None:
    qtbot.waitUntil(
        lambda: (
            not panel._timer.isActive()
            and len(panel._train_scatter.data) == n_train
            and len(panel._val_scatter.data) == n_val
        )
    )


def test_toy_datasets_then_a_line_then_the_image_datasets(panel):
    combo = panel._combo
    items = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
    toys = [(name, toy.title) for name, toy in TOY_DATASETS.items()]
    images = [(name, dataset.title) for name, dataset in VISION_DATASETS.items()]
    assert items == [*toys, (None, ""), *images]
    assert len(images) == 4
    separator = len(toys)
    assert not combo.model().item(separator).isEnabled()  # the line cannot be chosen


def test_switching_dataset_emits_its_name_and_default_noise(panel):
    panel.set_config(DataConfig(name="two_moons", noise=0.7, samples=500, seed=4))
    emitted = _record(panel)
    _select(panel, "blobs")
    assert len(emitted) == 1
    assert emitted[0].name == "blobs"
    assert emitted[0].noise == pytest.approx(TOY_DATASETS["blobs"].default_noise)
    assert (emitted[0].samples, emitted[0].seed) == (500, 4)
    assert panel._description.text() == TOY_DATASETS["blobs"].description


def test_task_text_describes_the_dataset(panel):
    _select(panel, "two_moons")
    assert panel._task.text() == "Classification, 2 classes, 2 inputs"
    _select(panel, "sine")
    assert panel._task.text() == "Regression, 1 input"
    _select(panel, "blobs")
    panel._classes.setValue(5)
    assert panel._task.text() == "Classification, 5 classes, 2 inputs"


def test_classes_row_follows_the_dataset(panel):
    _select(panel, "spirals")
    assert _classes_label(panel) == "Arms"
    assert panel._classes.isVisible()
    _select(panel, "blobs")
    assert _classes_label(panel) == "Classes"
    assert panel._classes.isVisible()
    _select(panel, "two_moons")
    assert not panel._classes.isVisible()
    assert not panel._form.labelForField(panel._classes).isVisible()


def test_editing_fields_emits_the_config_shown(panel):
    panel.set_config(DataConfig(name="circles", samples=1000, val_fraction=0.2, seed=0))
    emitted = _record(panel)
    panel._samples.setValue(2500)
    assert emitted[-1] == panel.config()
    assert emitted[-1].samples == 2500
    panel._seed.setValue(1234)
    assert emitted[-1].seed == 1234
    panel._val.setValue(35)
    assert emitted[-1].val_fraction == pytest.approx(0.35)
    panel._noise.setValue(0.25)
    assert emitted[-1].noise == pytest.approx(0.25)
    assert len(emitted) == 4
    assert emitted[-1] == DataConfig("circles", 2500, 0.25, 3, 0.35, 1234)


def test_typing_samples_emits_as_the_user_types(panel, qtbot):
    emitted = _record(panel)
    panel._samples.lineEdit().selectAll()
    qtbot.keyClicks(panel._samples.lineEdit(), "640")
    assert emitted[-1].samples == 640


def test_set_config_shows_values_without_emitting(panel):
    emitted = _record(panel)
    config = DataConfig(name="spirals", samples=3000, noise=0.05, classes=4, val_fraction=0.25)
    panel.set_config(config)
    assert emitted == []
    assert panel.config() == config
    assert panel._combo.currentText() == TOY_DATASETS["spirals"].title
    assert panel._samples.value() == 3000
    assert panel._classes.value() == 4
    assert _classes_label(panel) == "Arms"


def test_preview_holds_training_and_validation_points(panel, qtbot):
    panel.set_config(DataConfig(name="blobs", samples=100, classes=3, val_fraction=0.2))
    _wait_for_preview(qtbot, panel, 80, 20)
    train_brushes = [spot.brush() for spot in panel._train_scatter.points()]
    assert all(b.style() != Qt.BrushStyle.NoBrush and b.color().alpha() > 0 for b in train_brushes)
    assert len({b.color().name() for b in train_brushes}) == 3  # one colour per class
    for spot in panel._val_scatter.points():
        brush = spot.brush()
        assert brush.style() == Qt.BrushStyle.NoBrush or brush.color().alpha() == 0
        assert spot.pen().style() != Qt.PenStyle.NoPen
    assert "80" in panel._caption.text() and "20" in panel._caption.text()


def test_regression_preview_plots_x_against_y(panel, qtbot):
    panel.set_config(DataConfig(name="sine", samples=50, val_fraction=0.1))
    _wait_for_preview(qtbot, panel, 45, 5)
    x, y = panel._train_scatter.getData()
    assert x.min() >= -3.2 and x.max() <= 3.2
    assert abs(y).max() < 2


def test_preview_draws_at_most_a_few_thousand_points(panel, qtbot):
    panel.set_config(DataConfig(name="xor", samples=20_000, val_fraction=0.5))
    _wait_for_preview(qtbot, panel, 1500, 1500)
    assert "20,000" in panel._caption.text()


def test_unknown_dataset_shows_the_problem_instead_of_the_preview(panel, qtbot):
    panel.set_config(DataConfig(name="no_such_data"))
    qtbot.waitUntil(lambda: panel._error.isVisible())
    assert "no_such_data" in panel._error.text()
    assert not panel._plot.isVisible()
    panel.set_config(DataConfig(name="circles"))
    qtbot.waitUntil(lambda: panel._plot.isVisible())
    assert not panel._error.isVisible()


def test_new_seed_button_picks_another_seed_and_emits(panel, qtbot):
    panel.set_config(DataConfig(seed=7))
    emitted = _record(panel)
    qtbot.mouseClick(panel._new_seed, Qt.MouseButton.LeftButton)
    assert len(emitted) == 1
    assert emitted[0].seed != 7
    assert panel._seed.value() == emitted[0].seed


# Image datasets ------------------------------------------------------------------------------


@pytest.fixture
def images_panel(panel, tmp_path):
    """The panel reading image datasets from an empty folder of the test's own."""
    panel.set_data_root(str(tmp_path))
    return panel


def _mnist(panel: DatasetPanel) -> None:
    """Pick MNIST as a user would, with the keyboard-free equivalent of the combo."""
    _select(panel, "mnist")


def _digits(count: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (count, 1, 28, 28), dtype=np.uint8), np.arange(count) % 10


def test_picking_mnist_emits_it_and_shows_the_image_settings(images_panel):
    panel = images_panel
    panel.set_config(DataConfig(name="circles", samples=700, noise=0.2, val_fraction=0.3, seed=5))
    emitted = _record(panel)
    _mnist(panel)
    assert emitted == [DataConfig("mnist", 700, 0.2, 3, 0.3, 5, subset=0)]
    assert panel._description.text() == VISION_DATASETS["mnist"].description
    assert panel._task.text() == "10 classes \u00b7 inputs 1x28x28 (grey)"
    for toy_field in (panel._samples, panel._noise, panel._classes, panel._val):
        assert not toy_field.isVisible()
        assert not panel._form.labelForField(toy_field).isVisible()
    assert panel._subset.isVisible() and panel._seed.isVisible()
    assert panel._form.labelForField(panel._subset).text() == "Training images"
    assert panel._subset.text() == "All (60,000)"
    assert "test images" in panel._subset.toolTip() and "seed" in panel._subset.toolTip()
    assert panel._grid.isVisible() and not panel._plot.isVisible()
    assert not panel._caption.isVisible()


def test_cifar_is_described_as_colour_with_its_own_size(images_panel):
    _select(images_panel, "cifar10")
    assert images_panel._task.text() == "10 classes \u00b7 inputs 3x32x32 (colour)"
    assert images_panel._subset.text() == "All (50,000)"
    assert images_panel._subset.maximum() == 50_000


def test_the_subset_box_steps_in_thousands_and_emits(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    emitted = _record(panel)
    panel._subset.setFocus()
    qtbot.keyClick(panel._subset, Qt.Key.Key_Up)
    assert emitted[-1].subset == 1000
    panel._subset.lineEdit().selectAll()
    qtbot.keyClicks(panel._subset.lineEdit(), "5000")
    assert emitted[-1] == panel.config()
    assert emitted[-1].subset == 5000
    assert all(config.subset in (0, 1000, 500, 5000) for config in emitted)


def test_a_subset_below_the_minimum_is_raised_to_it(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    emitted = _record(panel)
    panel._subset.lineEdit().selectAll()
    qtbot.keyClicks(panel._subset.lineEdit(), "20")
    assert emitted == []  # 20 is only on the way to a larger number
    qtbot.keyClick(panel._subset.lineEdit(), Qt.Key.Key_Return)
    assert panel._subset.value() == 100
    assert emitted[-1].subset == 100


def test_set_config_shows_an_image_config_without_emitting(images_panel, qtbot):
    panel = images_panel
    emitted = _record(panel)
    config = DataConfig(name="fashion_mnist", subset=12_000, seed=9)
    with qtbot.assertNotEmitted(panel.samplesWanted, wait=20):  # not here: not downloaded
        panel.set_config(config)
    assert emitted == []
    assert panel.config() == config
    assert panel._combo.currentText() == VISION_DATASETS["fashion_mnist"].title
    assert panel._subset.value() == 12_000
    assert not panel._noise.isVisible()


def test_an_absent_dataset_offers_the_download(images_panel, qtbot, tmp_path):
    panel = images_panel
    _mnist(panel)
    assert panel._status.text() == "Not on this computer yet: 11.6 MB to download."
    assert str(tmp_path / "MNIST" / "raw") in panel._status.toolTip()
    assert panel._download.isVisible() and not panel._progress.isVisible()
    assert panel._grid.message() == "Download the dataset to see its images."
    qtbot.mouseClick(panel._which_files, Qt.MouseButton.LeftButton)
    assert panel._details.isVisible()
    assert "train-images-idx3-ubyte" in panel._details.text()
    with qtbot.waitSignal(panel.downloadRequested) as request:
        qtbot.mouseClick(panel._download, Qt.MouseButton.LeftButton)
    assert request.args == ["mnist"]
    assert panel._progress.isVisible() and panel._cancel.isVisible()
    assert not panel._download.isVisible()


def test_download_progress_shows_megabytes_and_percent(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    qtbot.mouseClick(panel._download, Qt.MouseButton.LeftButton)
    panel.show_download_progress(3_200_000, 11_600_000)
    assert panel._progress.text() == "3.2 of 11.6 MB (27%)"
    assert "Downloading MNIST" in panel._status.text()
    panel.show_download_progress(11_600_000, 11_600_000)
    assert panel._progress.text() == "11.6 of 11.6 MB (100%)"
    panel.show_download_progress(4_500_000, None)  # the server does not say the size
    assert (panel._progress.minimum(), panel._progress.maximum()) == (0, 0)  # busy
    assert "4.5 MB so far" in panel._status.text()


def test_cancel_asks_once_and_waits_for_the_result(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    qtbot.mouseClick(panel._download, Qt.MouseButton.LeftButton)
    panel.show_download_progress(1_000_000, 11_600_000)
    with qtbot.waitSignal(panel.downloadCancelled):
        qtbot.mouseClick(panel._cancel, Qt.MouseButton.LeftButton)
    assert not panel._cancel.isEnabled()
    assert "Cancelling" in panel._status.text()
    panel.show_download_result("")
    assert panel._download.isVisible() and panel._download.isEnabled()
    assert not panel._progress.isVisible()
    assert panel._status.text().startswith("Not on this computer yet")


def test_a_failed_download_says_why_and_offers_it_again(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    qtbot.mouseClick(panel._download, Qt.MouseButton.LeftButton)
    panel.show_download_result("some error")
    assert panel._download_error.isVisible()
    assert panel._download_error.text() == "some error"
    assert panel._download.isVisible() and not panel._progress.isVisible()
    qtbot.mouseClick(panel._download, Qt.MouseButton.LeftButton)
    assert not panel._download_error.isVisible()  # a new try clears the old reason


def test_one_download_at_a_time_and_its_progress_stays_with_its_dataset(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    qtbot.mouseClick(panel._download, Qt.MouseButton.LeftButton)
    _select(panel, "kmnist")
    panel.show_download_progress(1_000_000, 11_600_000)
    assert not panel._progress.isVisible()
    assert panel._download.isVisible() and not panel._download.isEnabled()
    _mnist(panel)
    assert panel._progress.isVisible() and panel._progress.text().startswith("1.0 of 11.6")
    panel.show_download_result("")
    _select(panel, "kmnist")
    assert panel._download.isEnabled()


def test_a_finished_download_makes_it_ready_and_asks_for_samples(images_panel, qtbot, tmp_path):
    panel = images_panel
    _mnist(panel)
    qtbot.mouseClick(panel._download, Qt.MouseButton.LeftButton)
    write_mnist_family(tmp_path)
    with qtbot.waitSignal(panel.samplesWanted) as wanted:
        panel.show_download_result("")
    assert wanted.args[0] == panel.config()
    assert wanted.args[0].name == "mnist"
    assert panel._status.text() == "\u2713 Ready: 60,000 training and 10,000 test images"
    assert not panel._download.isVisible() and not panel._progress.isVisible()
    assert panel._grid.message() == "Loading sample images\u2026"


def test_the_status_counts_the_images_of_a_subset(images_panel, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    panel.set_config(DataConfig(name="mnist", subset=5000))
    assert panel._status.text() == (
        "\u2713 Using 5,000 of 60,000 training images and 833 of 10,000 test images"
    )
    panel._subset.setValue(0)
    assert "Ready: 60,000 training" in panel._status.text()


def test_samples_are_shown_and_kept_for_when_the_dataset_comes_back(images_panel, qtbot, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    with qtbot.waitSignal(panel.samplesWanted):
        _mnist(panel)
    panel.resize(700, 1000)
    images, labels = _digits(12)
    panel.show_samples(images, labels, VISION_DATASETS["mnist"].class_names)
    assert panel._grid.count() == 12
    assert [panel._grid.caption(k) for k in (0, 3, 11)] == ["0", "3", "1"]
    # Samples of another dataset arriving late are not shown as MNIST's.
    colour = np.zeros((4, 3, 32, 32), np.uint8)
    panel.show_samples(colour, np.arange(4), VISION_DATASETS["cifar10"].class_names)
    assert panel._grid.count() == 12
    _select(panel, "two_moons")
    with qtbot.assertNotEmitted(panel.samplesWanted, wait=20):
        _mnist(panel)
    assert panel._grid.count() == 12


def test_a_narrow_grid_shows_the_samples_that_fit_without_a_hidden_rest(images_panel, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    _mnist(panel)
    images, labels = _digits(40)
    panel.resize(320, 700)
    panel.show_samples(images, labels, VISION_DATASETS["mnist"].class_names)
    fitting = panel._grid.count()
    assert 0 < fitting < 40
    assert panel._grid.shown_count() == fitting
    assert panel._grid.summary() == f"{fitting} images with their labels"
    panel.resize(900, 1400)
    assert panel._grid.count() > fitting


def test_samples_that_fail_to_load_say_why(images_panel, qtbot, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    with qtbot.waitSignal(panel.samplesWanted):
        _mnist(panel)
    panel.show_samples_failed("The files are damaged.")
    assert panel._grid.message() == "The files are damaged."
    # Told through the download result instead: said in the files box, and no samples promised.
    panel.show_download_result("The files could not be read.")
    assert panel._download_error.isVisible()
    assert panel._download_error.text() == "The files could not be read."
    assert "Loading" not in panel._grid.message()


def test_choosing_a_data_folder_emits_it_and_looks_there(
    images_panel, qtbot, tmp_path, monkeypatch
):
    panel = images_panel
    _mnist(panel)
    elsewhere = tmp_path / "elsewhere"
    write_mnist_family(elsewhere)
    # No real dialog in tests: the method that shows it returns what the user would pick.
    monkeypatch.setattr(panel, "_choose_folder", lambda: str(elsewhere))
    roots: list[str] = []
    panel.dataRootChanged.connect(roots.append)
    with qtbot.waitSignal(panel.samplesWanted):
        qtbot.mouseClick(panel._change_folder, Qt.MouseButton.LeftButton)
    assert roots == [str(elsewhere)]
    assert panel.data_root() == str(elsewhere)
    assert panel._folder.toolTip() == str(elsewhere)
    assert "Ready" in panel._status.text()
    monkeypatch.setattr(panel, "_choose_folder", lambda: "")  # the dialog was cancelled
    qtbot.mouseClick(panel._change_folder, Qt.MouseButton.LeftButton)
    assert roots == [str(elsewhere)]
    assert panel.data_root() == str(elsewhere)


def test_set_data_root_shows_the_folder_without_emitting(images_panel, qtbot, tmp_path):
    panel = images_panel
    _mnist(panel)
    write_mnist_family(tmp_path / "other")
    with (
        qtbot.assertNotEmitted(panel.dataRootChanged, wait=20),
        qtbot.waitSignal(panel.samplesWanted),
    ):
        panel.set_data_root(str(tmp_path / "other"))
    assert panel._folder.full_text() == str(tmp_path / "other")
    assert "Ready" in panel._status.text()


def test_check_again_finds_files_put_there_by_hand(images_panel, qtbot, tmp_path):
    panel = images_panel
    _mnist(panel)
    qtbot.mouseClick(panel._which_files, Qt.MouseButton.LeftButton)
    write_mnist_family(tmp_path, gz=True)  # the archives as downloaded count too
    with qtbot.waitSignal(panel.samplesWanted):
        qtbot.mouseClick(panel._check_again, Qt.MouseButton.LeftButton)
    assert "Ready" in panel._status.text()
    assert not panel._details.isVisible()


def test_switching_back_to_toy_data_restores_its_rows_and_preview(images_panel, qtbot):
    panel = images_panel
    panel.set_config(DataConfig(name="blobs", samples=100, classes=3, val_fraction=0.2))
    _mnist(panel)
    panel._subset.setValue(2000)
    emitted = _record(panel)
    _select(panel, "blobs")
    assert emitted[-1] == DataConfig(
        "blobs", 100, TOY_DATASETS["blobs"].default_noise, 3, 0.2, 0, subset=2000
    )
    for toy_field in (panel._samples, panel._noise, panel._classes, panel._val):
        assert toy_field.isVisible()
    assert not panel._subset.isVisible() and not panel._files.isVisible()
    assert panel._plot.isVisible() and not panel._grid.isVisible()
    _wait_for_preview(qtbot, panel, 80, 20)
    assert panel._caption.isVisible()


@pytest.mark.parametrize("dark", [False, True])
def test_every_control_has_a_tooltip_and_fits_a_narrow_dock(themed_app, qtbot, tmp_path, dark):
    apply_theme(themed_app, dark=dark)
    panel = DatasetPanel()
    qtbot.addWidget(panel)
    panel.set_data_root(str(tmp_path))
    panel.resize(320, 900)
    panel.show()

    def check() -> None:
        controls = panel.findChildren(QAbstractButton) + panel.findChildren(QAbstractSpinBox)
        for control in [*controls, panel._combo, panel._progress, panel._folder]:
            if control.isVisibleTo(panel):
                assert control.toolTip(), control
        assert panel.minimumSizeHint().width() <= 320

    for name in TOY_DATASETS:
        _select(panel, name)
        check()
    for name in VISION_DATASETS:
        _select(panel, name)
        check()
    _mnist(panel)
    qtbot.mouseClick(panel._which_files, Qt.MouseButton.LeftButton)
    check()
    qtbot.mouseClick(panel._download, Qt.MouseButton.LeftButton)
    panel.show_download_progress(170_000_000, 170_500_000)
    check()
    panel.show_download_result("some error")
    check()
    assert (DARK if dark else LIGHT).error in panel._download_error.styleSheet()
    apply_theme(themed_app, dark=not dark)  # switching the look recolours the error
    qtbot.waitUntil(lambda: (LIGHT if dark else DARK).error in panel._download_error.styleSheet())
