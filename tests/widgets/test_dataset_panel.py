"""DatasetPanel: what the user picks is what is emitted, the preview shows those points, and
the image files box shows the ImageFiles it is given and asks for downloads and samples.

Controls are found as a user finds them: by the label beside them or the text on them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QLabel,
    QProgressBar,
    QWidget,
)

from app.datasets import DataConfig
from app.datasets.tables import TABLE_DATASETS
from app.datasets.toy import TOY_DATASETS
from app.datasets.vision import VISION_DATASETS
from app.gui.application import apply_theme
from app.results import DownloadProgress, SampleImages
from tests.vision_files import write_mnist_family
from widgets.dataset_panel import DatasetPanel
from widgets.image_files_box import ImageFiles, ImageFilesBox
from widgets.image_grid import ImageGridWidget
from widgets.point_preview import PointPreview
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


def combo(panel: DatasetPanel) -> QComboBox:
    return panel.findChild(QComboBox)


def _select(panel: DatasetPanel, name: str) -> None:
    combo(panel).setCurrentIndex(combo(panel).findData(name))


def label_of(panel: DatasetPanel, control: QWidget) -> QLabel:
    (label,) = [w for w in panel.findChildren(QLabel) if w.buddy() is control]
    return label


def field(panel: DatasetPanel, label: str) -> QWidget:
    """The control the user finds beside `label`."""
    matches = [w for w in panel.findChildren(QLabel) if w.text() == label and w.buddy()]
    assert len(matches) == 1, label
    return matches[0].buddy()


def button(panel: DatasetPanel, *texts: str) -> QAbstractButton:
    (found,) = [b for b in panel.findChildren(QAbstractButton) if b.text() in texts]
    return found


def texts(panel: DatasetPanel) -> list[str]:
    """The texts of the visible labels, as a user reads them."""
    return [w.text() for w in panel.findChildren(QLabel) if w.isVisible() and w.text()]


def label_with(panel: DatasetPanel, start: str) -> QLabel:
    (found,) = [w for w in panel.findChildren(QLabel) if w.text().startswith(start)]
    return found


def error_labels(panel: DatasetPanel) -> list[QLabel]:
    """The visible texts written in an error colour."""
    colours = (LIGHT.error, DARK.error)
    return [
        w
        for w in panel.findChildren(QLabel)
        if w.isVisible() and any(c in w.styleSheet() for c in colours) and w.text()
    ]


def plot(panel: DatasetPanel) -> pg.PlotWidget:
    return panel.findChild(pg.PlotWidget)


def scatters(panel: DatasetPanel) -> tuple[pg.ScatterPlotItem, pg.ScatterPlotItem]:
    """The training points and the validation points."""
    train, val = plot(panel).getPlotItem().listDataItems()
    return train, val


def caption(panel: DatasetPanel) -> str:
    return panel.findChild(PointPreview).caption()


def grid(panel: DatasetPanel) -> ImageGridWidget:
    return panel.findChild(ImageGridWidget)


def files_box(panel: DatasetPanel) -> ImageFilesBox:
    return panel.findChild(ImageFilesBox)


def progress_bar(panel: DatasetPanel) -> QProgressBar:
    return panel.findChild(QProgressBar)


def _wait_for_preview(qtbot, panel: DatasetPanel, n_train: int, n_val: int) -> None:
    qtbot.waitUntil(
        lambda: (
            len(scatters(panel)[0].getData()[0]) == n_train
            and len(scatters(panel)[1].getData()[0]) == n_val
        )
    )


def test_toy_datasets_then_the_tables_then_the_image_datasets(panel):
    box = combo(panel)
    items = [(box.itemData(i), box.itemText(i)) for i in range(box.count())]
    toys = [(name, toy.title) for name, toy in TOY_DATASETS.items()]
    tables = [(name, table.title) for name, table in TABLE_DATASETS.items()]
    images = [(name, dataset.title) for name, dataset in VISION_DATASETS.items()]
    own = ("csv", "Your own CSV file…")
    assert items == [*toys, (None, ""), *tables, own, (None, ""), *images]
    assert (len(tables), len(images)) == (4, 4)
    for separator in (len(toys), len(toys) + 2 + len(tables)):
        assert not box.model().item(separator).isEnabled()  # a line cannot be chosen


def test_a_table_shows_its_source_its_task_and_only_its_own_rows(panel):
    emitted = _record(panel)
    _select(panel, "wine")
    assert emitted[-1].name == "wine"
    shown = texts(panel)
    assert any(
        text.endswith("Source: M. Forina et al.; UCI Machine Learning Repository, CC BY 4.0.")
        for text in shown
    )
    assert "Classification, 3 classes, 13 inputs (standardised)" in shown
    assert field(panel, "Validation").isVisible() and field(panel, "Seed").isVisible()
    for hidden in ("Samples", "Noise", "Training images"):
        assert not field(panel, hidden).isVisible(), hidden
    assert error_labels(panel) == []


def test_switching_dataset_emits_its_name_and_default_noise(panel):
    panel.set_config(DataConfig(name="two_moons", noise=0.7, samples=500, seed=4))
    emitted = _record(panel)
    _select(panel, "blobs")
    assert len(emitted) == 1
    assert emitted[0].name == "blobs"
    assert emitted[0].noise == pytest.approx(TOY_DATASETS["blobs"].default_noise)
    assert (emitted[0].samples, emitted[0].seed) == (500, 4)
    assert TOY_DATASETS["blobs"].description in texts(panel)


def test_task_text_describes_the_dataset(panel):
    _select(panel, "two_moons")
    assert "Classification, 2 classes, 2 inputs" in texts(panel)
    _select(panel, "sine")
    assert "Regression, 1 input" in texts(panel)
    _select(panel, "blobs")
    field(panel, "Classes").setValue(5)
    assert "Classification, 5 classes, 2 inputs" in texts(panel)


def test_classes_row_follows_the_dataset(panel):
    _select(panel, "spirals")
    arms = field(panel, "Arms")
    assert arms.isVisible() and "spiral arms" in arms.toolTip() and "(2-10)" in arms.toolTip()
    _select(panel, "blobs")
    classes = field(panel, "Classes")
    assert classes is arms and classes.isVisible()  # one box: DataConfig.classes
    _select(panel, "two_moons")
    assert not classes.isVisible()
    assert not label_of(panel, classes).isVisible()


def test_editing_fields_emits_the_config_shown(panel):
    panel.set_config(DataConfig(name="circles", samples=1000, val_fraction=0.2, seed=0))
    emitted = _record(panel)
    field(panel, "Samples").setValue(2500)
    assert emitted[-1] == panel.config()
    assert emitted[-1].samples == 2500
    field(panel, "Seed").setValue(1234)
    assert emitted[-1].seed == 1234
    field(panel, "Validation").setValue(35)
    assert emitted[-1].val_fraction == pytest.approx(0.35)
    field(panel, "Noise").setValue(0.25)
    assert emitted[-1].noise == pytest.approx(0.25)
    assert len(emitted) == 4
    assert emitted[-1] == DataConfig("circles", 2500, 0.25, 3, 0.35, 1234)


def test_typing_samples_emits_as_the_user_types(panel, qtbot):
    emitted = _record(panel)
    samples = field(panel, "Samples")
    samples.lineEdit().selectAll()
    qtbot.keyClicks(samples.lineEdit(), "640")
    assert emitted[-1].samples == 640


def test_set_config_shows_values_without_emitting(panel):
    emitted = _record(panel)
    config = DataConfig(name="spirals", samples=3000, noise=0.05, classes=4, val_fraction=0.25)
    panel.set_config(config)
    assert emitted == []
    assert panel.config() == config
    assert combo(panel).currentText() == TOY_DATASETS["spirals"].title
    assert field(panel, "Samples").value() == 3000
    assert field(panel, "Arms").value() == 4


def test_a_dataset_of_its_own_parameter_shows_it_emits_it_and_shows_it_back(panel, qtbot):
    emitted = _record(panel)
    _select(panel, "checkerboard")
    squares = field(panel, "Squares")
    assert squares.isVisible() and "(2-8)" in squares.toolTip()
    assert emitted[-1].params == (("squares", 4),)
    squares.setValue(6)
    assert emitted[-1] == DataConfig("checkerboard", noise=0.02).with_params(squares=6)
    _select(panel, "two_moons")
    assert not squares.isVisible() and emitted[-1].params == ()  # not a moons parameter
    panel.set_config(DataConfig("checkerboard").with_params(squares=3))
    assert squares.value() == 3 and panel.config().params == (("squares", 3),)
    panel.set_config(DataConfig("checkerboard"))  # left out: its default
    assert squares.value() == 4
    _wait_for_preview(qtbot, panel, 800, 200)


def test_preview_holds_training_and_validation_points(panel, qtbot):
    panel.set_config(DataConfig(name="blobs", samples=100, classes=3, val_fraction=0.2))
    _wait_for_preview(qtbot, panel, 80, 20)
    train, val = scatters(panel)
    train_brushes = [spot.brush() for spot in train.points()]
    assert all(b.style() != Qt.BrushStyle.NoBrush and b.color().alpha() > 0 for b in train_brushes)
    assert len({b.color().name() for b in train_brushes}) == 3  # one colour per class
    for spot in val.points():
        brush = spot.brush()
        assert brush.style() == Qt.BrushStyle.NoBrush or brush.color().alpha() == 0
        assert spot.pen().style() != Qt.PenStyle.NoPen
    assert "80" in caption(panel) and "20" in caption(panel)


def test_regression_preview_plots_x_against_y(panel, qtbot):
    panel.set_config(DataConfig(name="sine", samples=50, val_fraction=0.1))
    _wait_for_preview(qtbot, panel, 45, 5)
    x, y = scatters(panel)[0].getData()
    assert x.min() >= -3.2 and x.max() <= 3.2
    assert abs(y).max() < 2


def test_preview_draws_at_most_a_few_thousand_points(panel, qtbot):
    panel.set_config(DataConfig(name="xor", samples=20_000, val_fraction=0.5))
    _wait_for_preview(qtbot, panel, 1500, 1500)
    assert "20,000" in caption(panel)


def test_unknown_dataset_shows_the_problem_instead_of_the_preview(panel, qtbot):
    panel.set_config(DataConfig(name="no_such_data"))
    qtbot.waitUntil(lambda: bool(error_labels(panel)))
    assert "no_such_data" in error_labels(panel)[0].text()
    assert not plot(panel).isVisible()
    panel.set_config(DataConfig(name="circles"))
    qtbot.waitUntil(lambda: plot(panel).isVisible())
    assert not error_labels(panel)


def test_new_seed_button_picks_another_seed_and_emits(panel, qtbot):
    panel.set_config(DataConfig(seed=7))
    emitted = _record(panel)
    new_seed = button(panel, "New seed")
    assert "new points" in new_seed.toolTip()
    assert "starting weights have their own seed" in new_seed.toolTip()
    qtbot.mouseClick(new_seed, Qt.MouseButton.LeftButton)
    assert len(emitted) == 1
    assert emitted[0].seed != 7
    assert field(panel, "Seed").value() == emitted[0].seed
    # only the data changed: same settings, another seed
    assert replace(emitted[0], seed=7) == DataConfig(seed=7)


# Image datasets ------------------------------------------------------------------------------


@pytest.fixture
def images_panel(panel, tmp_path):
    """The panel reading image datasets from an empty folder of the test's own."""
    panel.show_image_data(ImageFiles(str(tmp_path)))
    return panel


def _mnist(panel: DatasetPanel) -> None:
    """Pick MNIST as a user would, with the keyboard-free equivalent of the combo."""
    _select(panel, "mnist")


def test_new_seed_says_what_it_changes_for_images(images_panel):
    _mnist(images_panel)
    tip = button(images_panel, "New seed").toolTip()
    assert "another random subset of the images" in tip
    assert "new points" not in tip


def _digits(count: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (count, 1, 28, 28), dtype=np.uint8), np.arange(count) % 10


def _samples(root, count: int, name: str = "mnist", error: str | None = None) -> SampleImages:
    images, labels = _digits(count)
    names = VISION_DATASETS[name].class_names
    return SampleImages(DataConfig(name), str(root), images, labels, names, error)


def _downloading(root, done: int = 0, total: int | None = None, **state) -> ImageFiles:
    return ImageFiles(str(root), DownloadProgress("mnist", done, total), **state)


TOY_ROWS = ("Samples", "Noise", "Classes", "Validation")


def test_picking_mnist_emits_it_and_shows_the_image_settings(images_panel):
    panel = images_panel
    panel.set_config(DataConfig(name="blobs"))
    toy_fields = [field(panel, label) for label in TOY_ROWS]
    panel.set_config(DataConfig(name="circles", samples=700, noise=0.2, val_fraction=0.3, seed=5))
    emitted = _record(panel)
    _mnist(panel)
    assert emitted == [DataConfig("mnist", 700, 0.2, 3, 0.3, 5, subset=0)]
    assert VISION_DATASETS["mnist"].description in texts(panel)
    assert "10 classes \u00b7 inputs 1x28x28 (grey)" in texts(panel)
    for toy_field in toy_fields:
        assert not toy_field.isVisible()
        assert not label_of(panel, toy_field).isVisible()
    subset = field(panel, "Training images")
    assert subset.isVisible() and field(panel, "Seed").isVisible()
    assert subset.text() == "All (60,000)"
    assert "test images" in subset.toolTip() and "seed" in subset.toolTip()
    assert grid(panel).isVisible() and not plot(panel).isVisible()
    assert not panel.findChild(PointPreview).isVisible()  # and its caption with it


def test_cifar_is_described_as_colour_with_its_own_size(images_panel):
    _select(images_panel, "cifar10")
    assert "10 classes \u00b7 inputs 3x32x32 (colour)" in texts(images_panel)
    subset = field(images_panel, "Training images")
    assert subset.text() == "All (50,000)"
    assert subset.maximum() == 50_000


def test_the_subset_box_steps_in_thousands_and_emits(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    emitted = _record(panel)
    subset = field(panel, "Training images")
    subset.setFocus()
    qtbot.keyClick(subset, Qt.Key.Key_Up)
    assert emitted[-1].subset == 1000
    subset.lineEdit().selectAll()
    qtbot.keyClicks(subset.lineEdit(), "5000")
    assert emitted[-1] == panel.config()
    assert emitted[-1].subset == 5000
    assert all(config.subset in (0, 1000, 500, 5000) for config in emitted)


def test_a_subset_below_the_minimum_is_raised_to_it(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    emitted = _record(panel)
    subset = field(panel, "Training images")
    subset.lineEdit().selectAll()
    qtbot.keyClicks(subset.lineEdit(), "20")
    assert emitted == []  # 20 is only on the way to a larger number
    qtbot.keyClick(subset.lineEdit(), Qt.Key.Key_Return)
    assert subset.value() == 100
    assert emitted[-1].subset == 100


def test_set_config_shows_an_image_config_without_emitting(images_panel, qtbot):
    panel = images_panel
    emitted = _record(panel)
    config = DataConfig(name="fashion_mnist", subset=12_000, seed=9)
    with qtbot.assertNotEmitted(panel.samplesWanted, wait=20):  # not here: not downloaded
        panel.set_config(config)
    assert emitted == []
    assert panel.config() == config
    assert combo(panel).currentText() == VISION_DATASETS["fashion_mnist"].title
    assert field(panel, "Training images").value() == 12_000
    assert not field(panel, "Noise").isVisible()


def test_an_absent_dataset_offers_the_download(images_panel, qtbot, tmp_path):
    panel = images_panel
    _mnist(panel)
    status = label_with(panel, "Not on this computer yet")
    assert status.text() == "Not on this computer yet: 11.6 MB to download."
    assert str(tmp_path / "MNIST" / "raw") in status.toolTip()
    download = button(panel, "Download")
    assert download.isVisible() and not progress_bar(panel).isVisible()
    assert grid(panel).message() == "Download the dataset to see its images."
    qtbot.mouseClick(button(panel, "Add by hand"), Qt.MouseButton.LeftButton)
    assert any("train-images-idx3-ubyte" in text for text in texts(panel))
    with qtbot.waitSignal(panel.downloadRequested) as request:
        qtbot.mouseClick(download, Qt.MouseButton.LeftButton)
    assert request.args == ["mnist"]


def test_a_download_shows_its_progress_in_place_of_the_button(images_panel):
    panel = images_panel
    _mnist(panel)
    panel.show_image_data(_downloading(panel.data_root()))
    assert progress_bar(panel).isVisible() and button(panel, "Cancel").isVisible()
    assert not button(panel, "Download").isVisible()
    assert "Starting the download of MNIST handwritten digits\u2026" in texts(panel)
    assert grid(panel).message() == "The images show here when the download is done."
    assert not button(panel, "Change\u2026").isEnabled()  # it goes into the folder it began in


def test_download_progress_shows_megabytes_and_percent(images_panel):
    panel = images_panel
    _mnist(panel)
    root = panel.data_root()
    panel.show_image_data(_downloading(root, 3_200_000, 11_600_000))
    assert progress_bar(panel).text() == "3.2 of 11.6 MB (27%)"
    assert any("Downloading MNIST" in text for text in texts(panel))
    panel.show_image_data(_downloading(root, 11_600_000, 11_600_000))
    assert progress_bar(panel).text() == "11.6 of 11.6 MB (100%)"
    panel.show_image_data(_downloading(root, 4_500_000, None))  # the server does not say
    assert (progress_bar(panel).minimum(), progress_bar(panel).maximum()) == (0, 0)  # busy
    assert any("4.5 MB so far" in text for text in texts(panel))


def test_cancel_asks_once_and_then_says_it_is_cancelling(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    root = panel.data_root()
    panel.show_image_data(_downloading(root, 1_000_000, 11_600_000))
    with qtbot.waitSignal(panel.downloadCancelled):
        qtbot.mouseClick(button(panel, "Cancel"), Qt.MouseButton.LeftButton)
    panel.show_image_data(_downloading(root, 1_000_000, 11_600_000, cancelling=True))
    cancelling = button(panel, "Cancelling\u2026")
    assert not cancelling.isEnabled()
    assert "Cancelling the download\u2026" in texts(panel)
    with qtbot.assertNotEmitted(panel.downloadCancelled):
        qtbot.mouseClick(cancelling, Qt.MouseButton.LeftButton)
    panel.show_image_data(ImageFiles(root))  # the download has ended
    assert button(panel, "Download").isVisible() and button(panel, "Download").isEnabled()
    assert not progress_bar(panel).isVisible()
    assert label_with(panel, "Not on this computer yet").isVisible()


def test_a_failed_download_says_why_in_the_error_colour(images_panel):
    panel = images_panel
    _mnist(panel)
    panel.show_image_data(ImageFiles(panel.data_root(), errors={"mnist": "some error"}))
    assert [label.text() for label in error_labels(panel)] == ["some error"]
    assert button(panel, "Download").isVisible() and not progress_bar(panel).isVisible()
    _select(panel, "kmnist")  # the error is MNIST's
    assert not error_labels(panel)


def test_one_download_at_a_time_and_its_progress_stays_with_its_dataset(images_panel, qtbot):
    panel = images_panel
    _mnist(panel)
    panel.show_image_data(_downloading(panel.data_root(), 1_000_000, 11_600_000))
    _select(panel, "kmnist")
    assert not progress_bar(panel).isVisible()
    download = button(panel, "Download")
    assert download.isVisible() and not download.isEnabled()
    assert "Another dataset is downloading" in download.toolTip()
    with qtbot.assertNotEmitted(panel.downloadRequested):
        download.click()
    _mnist(panel)
    assert progress_bar(panel).isVisible() and progress_bar(panel).text().startswith("1.0 of 11.6")


def test_files_that_arrive_make_it_ready_and_ask_for_samples(images_panel, qtbot, tmp_path):
    panel = images_panel
    _mnist(panel)
    panel.show_image_data(_downloading(tmp_path))
    write_mnist_family(tmp_path)
    with qtbot.waitSignal(panel.samplesWanted) as wanted:
        panel.show_image_data(ImageFiles(str(tmp_path)))  # the download is done
    assert wanted.args[0] == panel.config()
    assert wanted.args[0].name == "mnist"
    assert "\u2713 Ready: 60,000 training and 10,000 test images" in texts(panel)
    assert not button(panel, "Download").isVisible() and not progress_bar(panel).isVisible()
    assert grid(panel).message() == "Loading sample images\u2026"


def test_the_status_counts_the_images_of_a_subset(images_panel, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    panel.set_config(DataConfig(name="mnist", subset=5000))
    assert "\u2713 Using 5,000 of 60,000 training images and 833 of 10,000 test images" in texts(
        panel
    )
    field(panel, "Training images").setValue(0)
    assert any("Ready: 60,000 training" in text for text in texts(panel))


def test_samples_are_shown_and_kept_for_when_the_dataset_comes_back(images_panel, qtbot, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    with qtbot.waitSignal(panel.samplesWanted):
        _mnist(panel)
    panel.resize(700, 1000)
    files = ImageFiles(str(tmp_path), samples={"mnist": _samples(tmp_path, 12)})
    panel.show_image_data(files)
    assert grid(panel).count() == 12
    assert [grid(panel).caption(k) for k in (0, 3, 11)] == ["0", "3", "1"]
    _select(panel, "two_moons")
    with qtbot.assertNotEmitted(panel.samplesWanted, wait=20):
        _mnist(panel)
    assert grid(panel).count() == 12


def test_a_narrow_grid_shows_the_samples_that_fit_without_a_hidden_rest(images_panel, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    _mnist(panel)
    panel.resize(320, 700)
    panel.show_image_data(ImageFiles(str(tmp_path), samples={"mnist": _samples(tmp_path, 40)}))
    fitting = grid(panel).count()
    assert 0 < fitting < 40
    assert grid(panel).shown_count() == fitting
    assert grid(panel).summary() == f"{fitting} images with their labels"
    panel.resize(900, 1400)
    assert grid(panel).count() > fitting


def test_samples_that_fail_to_load_say_why_and_are_asked_for_again(images_panel, qtbot, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    with qtbot.waitSignal(panel.samplesWanted):
        _mnist(panel)
    failed = _samples(tmp_path, 0, error="The files are damaged.")
    panel.show_image_data(ImageFiles(str(tmp_path), samples={"mnist": failed}))
    assert grid(panel).message() == "The files are damaged."
    _select(panel, "two_moons")
    with qtbot.waitSignal(panel.samplesWanted):  # back on MNIST: another try
        _mnist(panel)
    assert grid(panel).message() == "Loading sample images\u2026"


def test_a_download_error_with_the_files_here_promises_no_samples(images_panel, qtbot, tmp_path):
    write_mnist_family(tmp_path)
    panel = images_panel
    with qtbot.waitSignal(panel.samplesWanted):
        _mnist(panel)
    errors = {"mnist": "The files could not be read."}
    panel.show_image_data(ImageFiles(str(tmp_path), errors=errors))
    assert [label.text() for label in error_labels(panel)] == ["The files could not be read."]
    assert grid(panel).message() == "No sample images: see the message above."


def test_choosing_a_data_folder_emits_it(images_panel, qtbot, tmp_path, monkeypatch):
    panel = images_panel
    _mnist(panel)
    elsewhere = tmp_path / "elsewhere"
    box = files_box(panel)
    # No real dialog in tests: the method that shows it returns what the user would pick.
    monkeypatch.setattr(box, "_choose_folder", lambda: str(elsewhere))
    roots: list[str] = []
    panel.dataRootChanged.connect(roots.append)
    qtbot.mouseClick(button(panel, "Change\u2026"), Qt.MouseButton.LeftButton)
    assert roots == [str(elsewhere)]
    assert panel.data_root() == str(tmp_path)  # until the window says it is the folder now
    monkeypatch.setattr(box, "_choose_folder", lambda: "")  # the dialog was cancelled
    qtbot.mouseClick(button(panel, "Change\u2026"), Qt.MouseButton.LeftButton)
    monkeypatch.setattr(box, "_choose_folder", lambda: str(tmp_path))  # the same folder
    qtbot.mouseClick(button(panel, "Change\u2026"), Qt.MouseButton.LeftButton)
    assert roots == [str(elsewhere)]


def test_another_folder_is_shown_and_looked_in(images_panel, qtbot, tmp_path):
    panel = images_panel
    _mnist(panel)
    other = tmp_path / "other"
    write_mnist_family(other)
    with (
        qtbot.assertNotEmitted(panel.dataRootChanged, wait=20),
        qtbot.waitSignal(panel.samplesWanted),
    ):
        panel.show_image_data(ImageFiles(str(other)))
    assert panel.data_root() == str(other)
    (folder,) = [w for w in panel.findChildren(QLabel) if w.toolTip() == str(other)]
    assert folder.isVisible()
    assert any("Ready" in text for text in texts(panel))


def test_check_again_finds_files_put_there_by_hand(images_panel, qtbot, tmp_path):
    panel = images_panel
    _mnist(panel)
    panel.show_image_data(ImageFiles(str(tmp_path), errors={"mnist": "offline"}))
    qtbot.mouseClick(button(panel, "Add by hand"), Qt.MouseButton.LeftButton)
    write_mnist_family(tmp_path, gz=True)  # the archives as downloaded count too
    with qtbot.waitSignal(panel.samplesWanted):
        qtbot.mouseClick(button(panel, "Check again"), Qt.MouseButton.LeftButton)
    assert any("Ready" in text for text in texts(panel))
    assert not any("train-images-idx3-ubyte" in text for text in texts(panel))
    assert not error_labels(panel)  # the old download's error is done with


def test_switching_back_to_toy_data_restores_its_rows_and_preview(images_panel, qtbot):
    panel = images_panel
    panel.set_config(DataConfig(name="blobs", samples=100, classes=3, val_fraction=0.2))
    _mnist(panel)
    field(panel, "Training images").setValue(2000)
    emitted = _record(panel)
    _select(panel, "blobs")
    assert emitted[-1] == DataConfig(
        "blobs", 100, TOY_DATASETS["blobs"].default_noise, 3, 0.2, 0, subset=2000
    )
    for label in TOY_ROWS:
        assert field(panel, label).isVisible()
    assert not field(panel, "Training images").isVisible() and not files_box(panel).isVisible()
    assert plot(panel).isVisible() and not grid(panel).isVisible()
    _wait_for_preview(qtbot, panel, 80, 20)
    assert caption(panel)


@pytest.mark.parametrize("dark", [False, True])
def test_every_control_has_a_tooltip_and_fits_a_narrow_dock(themed_app, qtbot, tmp_path, dark):
    apply_theme(themed_app, dark=dark)
    panel = DatasetPanel()
    qtbot.addWidget(panel)
    panel.show_image_data(ImageFiles(str(tmp_path)))
    panel.resize(320, 900)
    panel.show()

    def check() -> None:
        controls = panel.findChildren(QAbstractButton) + panel.findChildren(QAbstractSpinBox)
        folder = [w for w in panel.findChildren(QLabel) if w.toolTip() == str(tmp_path)]
        for control in [*controls, combo(panel), progress_bar(panel), *folder]:
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
    qtbot.mouseClick(button(panel, "Add by hand"), Qt.MouseButton.LeftButton)
    check()
    panel.show_image_data(_downloading(tmp_path, 170_000_000, 170_500_000))
    check()
    panel.show_image_data(ImageFiles(str(tmp_path), errors={"mnist": "some error"}))
    check()
    (error,) = error_labels(panel)
    assert (DARK if dark else LIGHT).error in error.styleSheet()
    apply_theme(themed_app, dark=not dark)  # switching the look recolours the error
    qtbot.waitUntil(lambda: (LIGHT if dark else DARK).error in error.styleSheet())


def test_your_own_csv_file_picks_its_target_shows_its_task_and_names_a_bad_line(
    panel, qtbot, tmp_path, monkeypatch
):
    good = tmp_path / "shapes.csv"
    rows = "".join(f"{i},{i * 2},{'ab'[i % 2]}\n" for i in range(20))
    good.write_text("size,weight,kind\n" + rows)
    bad = tmp_path / "broken.csv"
    bad.write_text("a,y\n1,0\nnope,1\n3,0\n4,1\n")
    chosen = [good]
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *args: (str(chosen[0]), "CSV files (*.csv)")
    )
    emitted = _record(panel)
    _select(panel, "csv")
    assert field(panel, "File").isVisible() and not field(panel, "Samples").isVisible()
    button(panel, "Choose…").click()
    assert field(panel, "File").text() == "shapes.csv"
    assert field(panel, "File").toolTip() == str(good)
    target = field(panel, "Predict")
    assert [target.itemText(i) for i in range(target.count())] == ["size", "weight", "kind"]
    assert emitted[-1].path == str(good) and emitted[-1].target == "kind"  # the last column
    assert "Classification, 2 classes, 2 inputs (standardised)" in texts(panel)
    target.setCurrentIndex(1)  # weight: then the text column would be an input
    assert emitted[-1].target == "weight"
    qtbot.waitUntil(lambda: bool(error_labels(panel)))
    assert error_labels(panel)[0].text() == (
        "Cannot use this data: shapes.csv, line 2, column 'kind': 'a' is not a number."
    )
    target.setCurrentIndex(0)  # size, from weight and kind: still text among the inputs
    chosen[0] = bad
    button(panel, "Choose…").click()
    qtbot.waitUntil(lambda: "broken.csv" in error_labels(panel)[0].text())
    assert error_labels(panel)[0].text() == (
        "Cannot use this data: broken.csv, line 3, column 'a': 'nope' is not a number."
    )
