"""LayerSpec / ModelSpec: validation a user sees as messages, JSON files, immutable edits."""

from __future__ import annotations

import dataclasses
import json

import pytest

from models.layers import AUTO, CATALOG
from models.spec import SCHEMA_VERSION, LayerSpec, ModelSpec, SpecError, Task

L = LayerSpec.create


def varied_spec() -> ModelSpec:
    """Layers of many kinds, most with values other than the defaults."""
    return ModelSpec(
        (3, 32, 32),
        (
            L("Conv2d", in_channels=3, out_channels=8, kernel_size=5, stride=2, padding=2),
            L("BatchNorm2d", num_features=8, eps=1e-3, momentum=0.2, affine=False),
            L("LeakyReLU", negative_slope=0.2),
            L("MaxPool2d", kernel_size=3, stride=1, padding=1),
            L("AvgPool2d", kernel_size=2),
            L("Flatten"),
            L("Dropout", p=0.25),
            L("Linear", in_features=512, out_features=32, bias=False),
            L("BatchNorm1d"),
            L("GELU", approximate="tanh"),
            L("Linear", out_features=16),
            L("Tanh"),
            L("Sigmoid"),
            L("ReLU"),
            L("Linear", out_features=3),
        ),
    )


def layer_json(kind: str, **params: object) -> dict:
    return {"kind": kind, "params": params}


def model_json(*layers: dict, input_shape: object = (4,)) -> dict:
    return {"version": SCHEMA_VERSION, "input_shape": list(input_shape), "layers": list(layers)}


def spec_error(data: object) -> str:
    with pytest.raises(SpecError) as info:
        ModelSpec.from_dict(data)
    return str(info.value)


# --- JSON round trip and schema version ---------------------------------------------------


@pytest.mark.parametrize("kind", list(CATALOG))
def test_every_catalog_kind_round_trips_at_its_defaults(kind):
    # Random values of every kind round-trip too: see tests/models/test_property.py.
    spec = ModelSpec((3, 8, 8), (L(kind),))
    assert ModelSpec.from_json(spec.to_json()) == spec


def test_json_round_trip_gives_an_equal_spec():
    spec = varied_spec()
    text = spec.to_json()
    again = ModelSpec.from_json(text)
    assert again == spec
    assert again.to_json() == text


def test_json_carries_the_schema_version_and_readable_fields():
    data = json.loads(varied_spec().to_json())
    assert data["version"] == SCHEMA_VERSION
    assert data["input_shape"] == [3, 32, 32]
    assert data["layers"][0] == {
        "kind": "Conv2d",
        "params": {
            "in_channels": 3,
            "out_channels": 8,
            "kernel_size": 5,
            "stride": 2,
            "padding": 2,
            "bias": True,
        },
    }
    assert data["layers"][8]["params"]["num_features"] == "auto"


def test_a_file_without_a_version_reads_as_the_current_one():
    data = model_json(layer_json("Linear", out_features=2))
    del data["version"]
    assert ModelSpec.from_dict(data) == ModelSpec((4,), (L("Linear", out_features=2),))


@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, 0, "1", None, True])
def test_an_unknown_schema_version_is_rejected(version):
    data = model_json(layer_json("ReLU"))
    data["version"] = version
    message = spec_error(data)
    assert "version" in message
    assert repr(version) in message


def test_missing_params_take_the_catalog_defaults():
    spec = ModelSpec.from_dict(model_json({"kind": "Linear"}))
    assert spec.layers[0] == L("Linear")
    assert spec.layers[0].params == {"in_features": AUTO, "out_features": 64, "bias": True}


def test_numbers_are_normalised_to_the_parameter_type():
    spec = ModelSpec.from_dict(
        model_json(layer_json("Linear", out_features=3.0), layer_json("Dropout", p=0))
    )
    assert spec.layers[0].get("out_features") == 3
    assert type(spec.layers[0].get("out_features")) is int
    assert type(spec.layers[1].get("p")) is float
    assert ModelSpec.from_json(spec.to_json()) == spec


def test_text_that_is_not_json_is_rejected_with_its_line():
    with pytest.raises(SpecError, match="not valid JSON.*line 2"):
        ModelSpec.from_json('{"version": 1,\n "layers": [}')


@pytest.mark.parametrize(
    "data, words",
    [
        ([], "JSON object"),
        ({"version": 1, "input_shape": [4], "layers": {"kind": "ReLU"}}, "'layers' must be a list"),
        (model_json(42), "layer 0: must be an object with a 'kind' string"),
        (model_json({"kind": 7}), "layer 0: must be an object"),
        (model_json({"kind": "Linear", "params": [64]}), "layer 0 (Linear): 'params'"),
    ],
)
def test_malformed_structure_is_rejected(data, words):
    assert words in spec_error(data)


# --- validation messages name the layer and the field -------------------------------------


def test_an_unknown_kind_names_the_position_and_the_kind():
    message = spec_error(model_json(layer_json("Linear"), layer_json("ReLU"), layer_json("Conv3d")))
    assert message.startswith("layer 2 (Conv3d): unknown layer kind 'Conv3d'")
    assert "Conv2d" in message  # lists what is known


def test_an_unknown_parameter_names_the_layer_and_the_field():
    message = spec_error(
        model_json(layer_json("ReLU"), layer_json("Linear", out_feature=10), layer_json("ReLU"))
    )
    assert message.startswith("layer 1 (Linear): unknown parameter out_feature")
    assert "out_features" in message  # lists what is allowed


def test_a_parameter_for_a_kind_without_parameters_is_rejected():
    message = spec_error(model_json(layer_json("ReLU", inplace=True)))
    assert message == "layer 0 (ReLU): unknown parameter inplace (allowed: none)"


@pytest.mark.parametrize(
    "kind, field, value",
    [
        ("Linear", "out_features", 0),
        ("Linear", "in_features", 1_000_001),
        ("Conv2d", "out_channels", 4097),
        ("Conv2d", "kernel_size", 65),
        ("Conv2d", "stride", 0),
        ("Conv2d", "padding", -1),
        ("MaxPool2d", "padding", 33),
        ("Dropout", "p", 1.5),
        ("LeakyReLU", "negative_slope", -0.1),
        ("BatchNorm1d", "eps", 0.0),
        ("BatchNorm2d", "momentum", 2.0),
    ],
)
def test_an_out_of_range_value_names_the_layer_the_field_and_the_range(kind, field, value):
    message = spec_error(
        model_json(layer_json("ReLU"), layer_json("ReLU"), layer_json(kind, **{field: value}))
    )
    assert message.startswith(f"layer 2 ({kind}): {field} must be between")
    assert str(value) in message


@pytest.mark.parametrize(
    "kind, field, value, words",
    [
        ("Linear", "out_features", 3.5, "must be a whole number"),
        ("Linear", "out_features", "64", "must be a number"),
        ("Linear", "out_features", None, "must be a number"),
        ("Dropout", "p", float("nan"), "must be a finite number"),
        ("Dropout", "p", float("inf"), "must be a finite number"),
        ("Linear", "bias", "yes", "must be true or false"),
        ("Linear", "bias", 1, "must be true or false"),
        ("GELU", "approximate", "fast", "must be one of 'none', 'tanh'"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_field(kind, field, value, words):
    message = spec_error(model_json(layer_json(kind, **{field: value})))
    assert message.startswith(f"layer 0 ({kind}): {field} {words}")


@pytest.mark.parametrize(
    "kind, field",
    [
        ("Linear", "out_features"),
        ("Conv2d", "kernel_size"),
        ("Conv2d", "in_channels"),
        ("Dropout", "p"),
        ("BatchNorm1d", "num_features"),
    ],
)
def test_bools_are_not_accepted_as_numbers(kind, field):
    for value in (True, False):
        message = spec_error(model_json(layer_json(kind, **{field: value})))
        assert message.startswith(f"layer 0 ({kind}): {field} must be a number")


@pytest.mark.parametrize(
    "kind, field",
    [
        ("Linear", "in_features"),
        ("Conv2d", "in_channels"),
        ("BatchNorm1d", "num_features"),
        ("BatchNorm2d", "num_features"),
        ("MaxPool2d", "stride"),
        ("AvgPool2d", "stride"),
    ],
)
def test_auto_is_accepted_where_the_catalog_allows_it(kind, field):
    layer = L(kind, **{field: AUTO})
    assert layer.get(field) == AUTO
    assert CATALOG[kind].param(field).allows_auto


@pytest.mark.parametrize(
    "kind, field",
    [
        ("Linear", "out_features"),
        ("Conv2d", "out_channels"),
        ("Conv2d", "kernel_size"),
        ("Conv2d", "stride"),
        ("Conv2d", "padding"),
        ("MaxPool2d", "kernel_size"),
        ("Dropout", "p"),
        ("BatchNorm1d", "eps"),
        ("Linear", "bias"),
        ("GELU", "approximate"),
    ],
)
def test_auto_is_rejected_elsewhere(kind, field):
    message = spec_error(model_json(layer_json(kind, **{field: AUTO})))
    assert message == f"layer 0 ({kind}): {field} cannot be 'auto'"


def test_layer_create_rejects_what_from_dict_rejects():
    with pytest.raises(SpecError, match="unknown layer kind 'Dense'"):
        L("Dense")
    with pytest.raises(SpecError, match="unknown parameter units"):
        L("Linear", units=3)
    with pytest.raises(SpecError, match="out_features must be between 1 and 1000000, got 0"):
        L("Linear", out_features=0)


@pytest.mark.parametrize(
    "shape",
    [[], [1, 2, 3, 4], [0], [28, -1], [True], ["28"], [2.0], 28, None, [100_001]],
)
def test_an_invalid_input_shape_is_rejected(shape):
    message = spec_error({"version": 1, "input_shape": shape, "layers": []})
    assert message.startswith("input_shape must be 1 to 3 sizes")
    with pytest.raises(SpecError):
        ModelSpec(shape)


def test_input_shape_is_stored_as_a_tuple():
    spec = ModelSpec([1, 28, 28], [L("Flatten")])
    assert spec.input_shape == (1, 28, 28)
    assert spec.layers == (L("Flatten"),)
    assert spec == ModelSpec((1, 28, 28), (L("Flatten"),))


# --- immutable edits -------------------------------------------------------------------------


def three_layers() -> ModelSpec:
    return ModelSpec((4,), (L("Linear", out_features=8), L("ReLU"), L("Linear", out_features=2)))


def kinds(spec: ModelSpec) -> list[str]:
    return [layer.summary() for layer in spec.layers]


def test_insert_returns_a_new_spec_and_leaves_the_original():
    spec = three_layers()
    before = kinds(spec)
    edited = spec.insert(1, L("Dropout", p=0.1))
    assert kinds(edited) == ["Linear auto -> 8", "Dropout p=0.1", "ReLU", "Linear auto -> 2"]
    assert kinds(spec) == before
    assert spec == three_layers()
    assert kinds(spec.insert(3, L("Tanh")))[-1] == "Tanh"
    assert kinds(spec.insert(0, L("Tanh")))[0] == "Tanh"


def test_remove_returns_a_new_spec_and_leaves_the_original():
    spec = three_layers()
    assert kinds(spec.remove(1)) == ["Linear auto -> 8", "Linear auto -> 2"]
    assert kinds(spec.remove(0)) == ["ReLU", "Linear auto -> 2"]
    assert kinds(spec.remove(-1)) == ["Linear auto -> 8", "ReLU"]
    assert spec == three_layers()
    with pytest.raises(IndexError):
        spec.remove(3)


def test_replace_returns_a_new_spec_and_leaves_the_original():
    spec = three_layers()
    assert kinds(spec.replace(1, L("GELU"))) == ["Linear auto -> 8", "GELU", "Linear auto -> 2"]
    assert kinds(spec.replace(-1, L("Sigmoid"))) == ["Linear auto -> 8", "ReLU", "Sigmoid"]
    assert spec == three_layers()
    with pytest.raises(IndexError):
        spec.replace(3, L("ReLU"))


def test_move_puts_the_layer_at_the_destination_and_leaves_the_original():
    spec = three_layers()
    assert kinds(spec.move(0, 2)) == ["ReLU", "Linear auto -> 2", "Linear auto -> 8"]
    assert kinds(spec.move(2, 0)) == ["Linear auto -> 2", "Linear auto -> 8", "ReLU"]
    assert spec.move(1, 1) == spec
    assert spec == three_layers()


def test_with_input_shape_and_with_params_return_new_values():
    spec = three_layers()
    assert spec.with_input_shape((1, 8, 8)).input_shape == (1, 8, 8)
    assert spec.input_shape == (4,)
    layer = L("Linear", out_features=8)
    wider = layer.with_params(out_features=16)
    assert (layer.get("out_features"), wider.get("out_features")) == (8, 16)
    with pytest.raises(SpecError, match="out_features"):
        layer.with_params(out_features=-1)


def test_specs_are_frozen():
    spec = three_layers()
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.layers = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.layers[0].kind = "ReLU"  # type: ignore[misc]
    assert hash(spec) == hash(three_layers())


def test_get_names_the_kind_for_an_unknown_parameter():
    with pytest.raises(KeyError, match="ReLU has no parameter 'p'"):
        L("ReLU").get("p")


# --- summaries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer, text",
    [
        (L("Linear", in_features=784, out_features=128), "Linear 784 -> 128"),
        (L("Linear", out_features=10), "Linear auto -> 10"),
        (
            L("Conv2d", in_channels=1, out_channels=6, kernel_size=5, padding=2),
            "Conv2d 1 -> 6, 5x5, pad 2",
        ),
        (L("Conv2d", out_channels=32, stride=2), "Conv2d auto -> 32, 3x3, stride 2"),
        (L("MaxPool2d"), "MaxPool2d 2x2"),
        (L("MaxPool2d", kernel_size=3, stride=3), "MaxPool2d 3x3"),
        (L("AvgPool2d", kernel_size=3, stride=1, padding=1), "AvgPool2d 3x3, stride 1, pad 1"),
        (L("BatchNorm1d", num_features=64), "BatchNorm1d 64"),
        (L("BatchNorm2d"), "BatchNorm2d auto"),
        (L("Dropout", p=0.25), "Dropout p=0.25"),
        (L("LeakyReLU", negative_slope=0.2), "LeakyReLU 0.2"),
        (L("GELU"), "GELU"),
        (L("GELU", approximate="tanh"), "GELU (tanh)"),
        (L("ReLU"), "ReLU"),
        (L("Flatten"), "Flatten"),
    ],
)
def test_summary_is_one_readable_line(layer, text):
    assert layer.summary() == text


# --- task -----------------------------------------------------------------------------------


def test_task_describes_itself_and_rejects_unknown_kinds():
    assert Task("classification", 10).describe() == "classification into 10 classes"
    assert Task("regression", 1).describe() == "regression"
    assert Task("regression", 3).describe() == "regression of 3 values"
    assert Task("classification", 2).is_classification
    assert not Task("regression", 1).is_classification
    with pytest.raises(ValueError, match="clustering"):
        Task("clustering", 3)
