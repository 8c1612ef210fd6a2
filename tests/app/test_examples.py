"""Every toy and table example trains to the result its description promises; every image example is
valid for its dataset and learns on tiny files in that dataset's real format (the real data
cannot be downloaded here)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.datasets import data_input_shape, data_task, used_fields
from app.datasets.vision import VISION_DATASETS
from app.experiment import Experiment
from app.reports import EpochReport, RunFinished
from app.training import Control, Trainer
from models.shapes import infer
from tests.vision_files import accept_cifar10_files, write_cifar10, write_mnist_family

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"

# example: (metric, at least / at most, threshold, how the description states it)
PROMISES = {
    "xor": ("val_accuracy", "at least", 0.95, "at least 95% validation accuracy"),
    "two_moons": ("val_accuracy", "at least", 0.97, "at least 97% validation accuracy"),
    "circles": ("val_accuracy", "at least", 0.97, "at least 97% validation accuracy"),
    "spirals": ("val_accuracy", "at least", 0.90, "at least 90% validation accuracy"),
    "line_regression": ("val_rmse", "at most", 0.6, "validation RMSE of at most 0.6"),
    "sine_regression": ("val_r2", "at least", 0.95, "validation R\u00b2 of at least 0.95"),
    "iris": ("val_accuracy", "at least", 0.90, "at least 90% validation accuracy"),
}


IMAGE_EXAMPLES = {
    "mnist_lenet": "mnist",
    "fashion_mnist_mlp": "fashion_mnist",
    "cifar10_cnn": "cifar10",
}


def test_every_example_file_has_a_promise_and_a_title():
    assert sorted(p.stem for p in EXAMPLES.glob("*.json")) == sorted({**PROMISES, **IMAGE_EXAMPLES})
    for path in EXAMPLES.glob("*.json"):
        experiment = Experiment.load(path)
        assert experiment.title != "Untitled experiment"
        assert len(experiment.description.split()) >= 30, path.name


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_is_free_of_warnings_and_saved_as_written(path):
    """No example shows a problem (stacked Linears, a squashed output...), and each file is
    what saving it writes: its data section holds only the fields its dataset uses."""
    experiment = Experiment.load(path)
    inference = infer(experiment.model, data_task(experiment.data))
    assert inference.diagnostics == (), [d.message for d in inference.diagnostics]
    assert path.read_text() == experiment.to_json()
    used = set(used_fields(experiment.data)) - ({"params"} if not experiment.data.params else set())
    assert set(json.loads(path.read_text())["data"]) == used


@pytest.mark.parametrize("name", sorted(PROMISES))
def test_example_keeps_its_promise(name):
    experiment = Experiment.load(EXAMPLES / f"{name}.json")
    metric, direction, threshold, wording = PROMISES[name]
    assert wording in experiment.description
    assert f"after {experiment.train.epochs} epochs" in experiment.description
    reports = list(Trainer(experiment).run(Control()))
    assert isinstance(reports[-1], RunFinished)
    assert reports[-1].reason == "completed"
    last = [r for r in reports if isinstance(r, EpochReport)][-1]
    value = getattr(last, metric)
    print(f"{name}: {metric} {value:.4f} ({direction} {threshold})")
    if direction == "at least":
        assert value >= threshold
    else:
        assert value <= threshold


@pytest.mark.parametrize("name", sorted(IMAGE_EXAMPLES))
def test_image_example_fits_its_dataset_and_learns_on_files_in_its_format(
    name, tmp_path, monkeypatch
):
    experiment = Experiment.load(EXAMPLES / f"{name}.json")
    dataset = experiment.data.name
    assert dataset == IMAGE_EXAMPLES[name]
    assert experiment.model.input_shape == data_input_shape(experiment.data)
    inference = infer(experiment.model, data_task(experiment.data))
    assert inference.ok and not inference.diagnostics, inference.diagnostics
    if dataset == "cifar10":
        accept_cifar10_files(monkeypatch)
        write_cifar10(tmp_path, train_per_batch=100, test=100)
    else:
        folder = VISION_DATASETS[dataset].torchvision_class
        write_mnist_family(tmp_path, class_name=folder, train=500, test=100)
    quick = experiment.with_changes(
        train=replace(experiment.train, epochs=3), data=replace(experiment.data, subset=0)
    )
    reports = list(Trainer(quick, data_root=str(tmp_path)).run(Control()))
    assert reports[-1].reason == "completed"
    last = [r for r in reports if isinstance(r, EpochReport)][-1]
    print(f"{name}: val accuracy {last.val_accuracy:.3f} on 100 pattern images")
    assert last.val_accuracy > 0.3  # ten classes: chance is 0.1
