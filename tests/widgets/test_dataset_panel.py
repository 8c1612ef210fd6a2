"""DatasetPanel: what the user picks is what is emitted, and the preview shows those points."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.datasets import DataConfig
from app.datasets.toy import TOY_DATASETS
from widgets.dataset_panel import DatasetPanel


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


def test_every_toy_dataset_is_listed_by_title(panel):
    combo = panel._combo
    shown = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}
    assert shown == {name: toy.title for name, toy in TOY_DATASETS.items()}


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
