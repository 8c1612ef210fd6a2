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
        (_with("data", noise=11), "data.noise must be between 0 and 10, got 11"),
        (_with("data", params=[4]), "data.params must be an object"),
        (_with("data", name="checkerboard", params={"squares": "4"}), "data.params.squares must"),
        (_with("data", name="checkerboard", params={"squares": 99}), "data: squares must be"),
        (_with("data", name="checkerboard", params={"rows": 3}), "data: checkerboard has no"),
        (_with("data", name="mnist", params={"squares": 3}), "data: mnist has no parameter"),
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


def test_files_without_params_read_and_write_as_before():
    written = Experiment().to_dict()["data"]
    assert "params" not in written  # no dataset parameter of its own: the file is as it was
    assert Experiment.from_dict(Experiment().to_dict()).data.params == ()


def test_a_datasets_own_parameters_round_trip(tmp_path):
    data = DataConfig("checkerboard", samples=500).with_params(squares=6)
    path = tmp_path / "board.json"
    path.write_text(Experiment(data=data).to_json())
    assert json.loads(path.read_text())["data"]["params"] == {"squares": 6}
    assert Experiment.load(path).data == data


def test_the_data_ranges_have_one_home():
    from app.datasets import DATA_RANGES
    from app.experiment import RANGES

    assert {"samples", "noise", "classes", "val_fraction", "subset"} & set(RANGES) == set()
    assert set(DATA_RANGES) >= {"samples", "noise", "classes", "val_fraction", "seed", "subset"}


def test_a_file_that_leaves_a_parameter_out_reads_as_the_panel_shows_it():
    written = Experiment().with_changes(data=DataConfig("checkerboard")).to_dict()
    assert "params" not in written["data"]
    read = Experiment.from_dict(written).data
    assert read.param("squares", 0) == 4
    assert Experiment.from_dict(Experiment().with_changes(data=read).to_dict()).data == read
