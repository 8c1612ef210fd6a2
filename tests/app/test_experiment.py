"""Experiment files: versioned JSON that round-trips and rejects bad input with one sentence."""

import json

import pytest

from app.datasets import DataConfig
from app.experiment import VERSION, Experiment, ExperimentError, TrainConfig
from models.spec import LayerSpec


def test_round_trip_keeps_everything(tmp_path):
    experiment = Experiment(
        data=DataConfig("spirals", samples=321, noise=0.07, classes=4, val_fraction=0.1, seed=3),
        train=TrainConfig(
            device="cuda:1",
            dtype="bfloat16",
            optimizer="sgd",
            learning_rate=0.3,
            momentum=0.5,
            nesterov=True,
            weight_decay=1e-4,
            batch_size=17,
            epochs=9,
            seed=11,
            deterministic=True,
            histogram_every=3,
        ),
        title="Round trip",
        description="All fields changed from their defaults.",
    )
    experiment = experiment.with_changes(
        model=experiment.model.insert(1, LayerSpec.create("Dropout", p=0.2))
    )
    path = tmp_path / "e.json"
    path.write_text(experiment.to_json())
    assert Experiment.load(path) == experiment
    assert json.loads(path.read_text())["version"] == VERSION


def test_missing_sections_take_defaults():
    data = Experiment().to_dict()
    del data["train"], data["data"]
    loaded = Experiment.from_dict(data)
    assert loaded.train == TrainConfig() and loaded.data == DataConfig()


def _with(section, **values):
    data = Experiment().to_dict()
    data[section].update(values)
    return data


@pytest.mark.parametrize(
    "data, words",
    [
        (_with("train", batch_size=0), "train.batch_size must be between 1 and 65536, got 0"),
        (_with("train", learning_rate="fast"), "train.learning_rate must be a number"),
        (_with("train", epochs=2.5), "train.epochs must be a whole number"),
        (_with("train", optimizer="lbfgs"), "train.optimizer must be one of"),
        (_with("train", device="gpu"), "train.device must be cpu, cuda, cuda:N or mps"),
        (_with("train", dtype="int8"), "train.dtype must be one of"),
        (_with("train", deterministic="yes"), "train.deterministic must be true or false"),
        (_with("train", colour="red"), "train: unknown field colour"),
        (_with("data", name="mnist2"), "data.name: unknown dataset"),
        (_with("data", samples=3), "data.samples must be between 4"),
        ({**Experiment().to_dict(), "version": 99}, "newer than this LayerLab reads"),
        ({**Experiment().to_dict(), "version": "one"}, "no version number"),
        ({**Experiment().to_dict(), "format": "other"}, "not a LayerLab experiment"),
        ([1, 2], "must hold a JSON object"),
    ],
)
def test_bad_values_are_named(data, words):
    with pytest.raises(ExperimentError) as caught:
        Experiment.from_dict(data)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_layer_names_position_and_kind():
    data = Experiment().to_dict()
    data["model"]["layers"][2]["params"]["out_features"] = 0
    with pytest.raises(
        ExperimentError, match=r"model: layer 2 \(Linear\): out_features must be between"
    ):
        Experiment.from_dict(data)


def test_load_reports_file_problems_in_one_line(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(ExperimentError, match=r"broken.json: not valid JSON"):
        Experiment.load(broken)
    with pytest.raises(ExperimentError, match="does not exist"):
        Experiment.load(tmp_path / "missing.json")
