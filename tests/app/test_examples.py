"""Every example trains to the result its description promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.experiment import Experiment
from app.reports import EpochReport, RunFinished
from app.training import Control, Trainer

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"

# example: (metric, at least / at most, threshold, how the description states it)
PROMISES = {
    "xor": ("val_accuracy", "at least", 0.95, "at least 95% validation accuracy"),
    "two_moons": ("val_accuracy", "at least", 0.97, "at least 97% validation accuracy"),
    "circles": ("val_accuracy", "at least", 0.97, "at least 97% validation accuracy"),
    "spirals": ("val_accuracy", "at least", 0.90, "at least 90% validation accuracy"),
    "line_regression": ("val_rmse", "at most", 0.6, "validation RMSE of at most 0.6"),
    "sine_regression": ("val_r2", "at least", 0.95, "validation R\u00b2 of at least 0.95"),
}


def test_every_example_file_has_a_promise_and_a_title():
    assert sorted(p.stem for p in EXAMPLES.glob("*.json")) == sorted(PROMISES)
    for path in EXAMPLES.glob("*.json"):
        experiment = Experiment.load(path)
        assert experiment.title != "Untitled experiment"
        assert len(experiment.description.split()) >= 30, path.name


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
