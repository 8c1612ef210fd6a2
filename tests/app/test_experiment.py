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
        (_with("train", colour="red"), "train: unknown field 'colour' (known: device"),
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


@pytest.mark.parametrize(
    "config, written",
    [
        (DataConfig("two_moons"), ["name", "samples", "noise", "val_fraction", "seed"]),
        (
            DataConfig("spirals", classes=4),
            ["name", "samples", "noise", "classes", "val_fraction", "seed"],
        ),
        (DataConfig("blobs"), ["name", "samples", "noise", "classes", "val_fraction", "seed"]),
        (
            DataConfig("checkerboard").with_params(squares=4),
            ["name", "samples", "noise", "val_fraction", "seed", "params"],
        ),
        (DataConfig("mnist", subset=1000), ["name", "seed", "subset"]),
    ],
)
def test_a_data_section_holds_only_the_fields_its_dataset_uses(config, written):
    data = json.loads(Experiment(data=config).to_json())["data"]
    assert list(data) == written
    assert Experiment.from_json(Experiment(data=config).to_json()).data == config


def test_a_two_moons_file_says_nothing_of_classes_even_when_the_form_held_some():
    """The Data panel keeps the class count of blobs when the user switches to two moons."""
    data = json.loads(Experiment(data=DataConfig("two_moons", classes=7, subset=500)).to_json())
    assert "classes" not in data["data"] and "subset" not in data["data"]


def test_old_files_with_fields_their_dataset_does_not_use_still_load():
    old = Experiment().to_dict()
    old["data"] = {
        "name": "two_moons",
        "samples": 800,
        "noise": 0.2,
        "classes": 3,
        "val_fraction": 0.25,
        "seed": 4,
        "subset": 0,
    }
    read = Experiment.from_dict(old).data
    assert (read.name, read.samples, read.noise, read.val_fraction, read.seed) == (
        "two_moons",
        800,
        0.2,
        0.25,
        4,
    )
    image = {**old, "data": {"name": "mnist", "samples": 1000, "noise": 0.1, "classes": 3}}
    assert Experiment.from_dict(image).data.name == "mnist"


def test_a_blank_experiment_has_no_layers_and_the_datas_input():
    from app.datasets import data_input_shape

    blank = Experiment.blank()
    assert blank.model.layers == ()
    assert blank.model.input_shape == data_input_shape(blank.data)
    assert Experiment.from_json(blank.to_json()) == blank


@pytest.mark.parametrize(
    "name, title",
    [
        ("my_moons.json", "my moons"),
        ("two-moons v2.json", "two moons v2"),
        ("Spirals.json", "Spirals"),
        ("___.json", "Untitled experiment"),
    ],
)
def test_an_untitled_experiment_takes_its_title_from_the_file_name(tmp_path, name, title):
    from app.experiment import title_from_file

    assert title_from_file(tmp_path / name) == title


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


# --- valid JSON that must not crash the loader (issue 16, item 1) --------------------------

HUGE = 10**400  # valid JSON, but larger than any float


def _layer(index, **layer):
    data = Experiment().to_dict()
    data["model"]["layers"][index] = layer
    return data


def _one_sentence(text: str, words: str) -> str:
    with pytest.raises(ExperimentError) as caught:
        Experiment.from_json(text)
    message = str(caught.value)
    assert words in message
    assert "\n" not in message and len(message) < 300, message
    return message


@pytest.mark.parametrize(
    "data, words",
    [
        (_with("train", learning_rate=HUGE), "train.learning_rate must be between"),
        (_with("train", epochs=HUGE), "train.epochs must be between 1 and 100000, got 1000"),
        (_with("train", seed=-HUGE), "train.seed must be between"),
        (_with("data", noise=HUGE), "data.noise must be between 0 and 10"),
        (_with("data", samples=HUGE), "data.samples must be between"),
        (_with("data", name="checkerboard", params={"squares": HUGE}), "data.params.squares"),
        (_layer(0, kind="Linear", params={"out_features": HUGE}), "layer 0 (Linear): out_features"),
        (_layer(1, kind="LeakyReLU", params={"negative_slope": HUGE}), "negative_slope must be"),
        (_layer(1, kind="Dropout", params={"p": -HUGE}), "layer 1 (Dropout): p must be between"),
    ],
)
def test_a_number_too_large_for_a_float_is_refused_in_one_sentence(data, words):
    _one_sentence(json.dumps(data), words)


def test_a_number_with_thousands_of_digits_is_refused_in_one_sentence():
    text = json.dumps(_with("train", epochs=1)).replace('"epochs": 1', '"epochs": ' + "9" * 5000)
    _one_sentence(text, "not valid JSON")


def test_json_nested_a_thousand_deep_is_refused_in_one_sentence():
    _one_sentence("[" * 1000, "not valid JSON")
    _one_sentence('{"a": ' * 1000, "not valid JSON")


@pytest.mark.parametrize("device", ["cpu\n", "cuda:0\n", "cuda:\u0661", " cpu", "CPU"])
def test_a_device_name_must_match_exactly(device):
    _one_sentence(json.dumps(_with("train", device=device)), "train.device must be cpu, cuda")


def test_the_exact_device_names_still_load():
    for device in ("cpu", "mps", "cuda", "cuda:0", "cuda:12"):
        assert Experiment.from_dict(_with("train", device=device)).train.device == device


@pytest.mark.parametrize(
    "data, words",
    [
        (_layer(1, kind="ReLU\n"), "layer 1 ('ReLU\\n'): unknown layer kind 'ReLU\\n'"),
        (_layer(1, kind="ReLU", params={"in\nplace": True}), "unknown parameter 'in\\nplace'"),
        (_with("train", **{"col\nour": 1}), "train: unknown field 'col\\nour'"),
        (_with("data", name="checkerboard", params={"sq\nuares": 3}), "'sq\\nuares'"),
        (_with("train", optimizer="x" * 10_000), "train.optimizer must be one of"),
        ({**Experiment().to_dict(), "format": "a\nb"}, "not a LayerLab experiment"),
    ],
)
def test_names_with_control_characters_or_great_length_give_one_short_line(data, words):
    _one_sentence(json.dumps(data), words)


# --- typos are refused with the closest known name (issue 16, item 5) ---------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (
            _layer(0, kind="Linear", parms={"out_features": 8}),
            "model: unknown field 'parms' in layer 0 (Linear); did you mean 'params'?",
        ),
        (
            {**Experiment().to_dict(), "trian": {"epochs": 1}},
            "unknown field 'trian'; did you mean 'train'?",
        ),
        (
            {**Experiment().to_dict(), "colour": "red"},
            "unknown field 'colour' (known: format, version, title, description, model, data, "
            "train, locks, lesson)",
        ),
        (
            {**Experiment().to_dict(), "model": {**Experiment().model.to_dict(), "layer": []}},
            "model: unknown field 'layer'; did you mean 'layers'?",
        ),
        (_with("train", epoch=3), "train: unknown field 'epoch'; did you mean 'epochs'?"),
        (_with("data", sample=300), "data: unknown field 'sample'; did you mean 'samples'?"),
        (_with("data", param={}), "data: unknown field 'param'; did you mean 'params'?"),
    ],
)
def test_an_unknown_field_is_refused_with_the_closest_known_name(data, message):
    with pytest.raises(ExperimentError) as caught:
        Experiment.from_dict(data)
    assert str(caught.value) == message


def test_a_typo_does_not_train_with_the_defaults(tmp_path):
    data = _layer(0, kind="Linear", params={"out_features": 8})
    data["trian"] = {"epochs": 1}
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ExperimentError, match=r"^typo.json: unknown field 'trian'; did you mean"):
        Experiment.load(path)
