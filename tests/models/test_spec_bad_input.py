"""ModelSpec files no loader may crash on: huge numbers, deep nesting, control characters and
typos each give one sentence that names the place (issue 16, items 1 and 5)."""

from __future__ import annotations

import pytest

from models.spec import SCHEMA_VERSION, LayerSpec, ModelSpec, SpecError

L = LayerSpec.create
HUGE = 10**400  # valid JSON, but larger than any float


def layer_json(kind: str, **params: object) -> dict:
    return {"kind": kind, "params": params}


def model_json(*layers: dict) -> dict:
    return {"version": SCHEMA_VERSION, "input_shape": [4], "layers": list(layers)}


def spec_error(data: object) -> str:
    with pytest.raises(SpecError) as info:
        ModelSpec.from_dict(data)
    return str(info.value)


def one_line(message: str) -> str:
    assert "\n" not in message and len(message) < 300, message
    return message


@pytest.mark.parametrize(
    "kind, field, sign",
    [
        ("Linear", "out_features", 1),
        ("Linear", "in_features", -1),
        ("Dropout", "p", 1),
        ("LeakyReLU", "negative_slope", -1),
        ("BatchNorm1d", "eps", 1),
    ],
)
def test_a_number_too_large_for_a_float_names_the_field(kind, field, sign):
    value = sign * HUGE
    message = one_line(spec_error(model_json(layer_json(kind, **{field: value}))))
    assert message.startswith(f"layer 0 ({kind}): {field} must be between")
    with pytest.raises(SpecError, match=f"^{field} must be between"):
        L(kind, **{field: value})


@pytest.mark.parametrize("text", ["9" * 5000, "[" * 1000, '{"a": ' * 1000])
def test_json_python_cannot_read_is_refused_in_one_sentence(text):
    with pytest.raises(SpecError) as info:
        ModelSpec.from_json(text)
    assert one_line(str(info.value)).startswith("not valid JSON")


def test_a_kind_with_a_newline_gives_one_line():
    message = one_line(spec_error(model_json(layer_json("ReLU"), layer_json("ReLU\n"))))
    assert message.startswith("layer 1 ('ReLU\\n'): unknown layer kind 'ReLU\\n'")


def test_a_parameter_name_with_a_newline_gives_one_line():
    message = one_line(spec_error(model_json(layer_json("Linear", **{"out_\nfeatures": 3}))))
    assert message.startswith("layer 0 (Linear): unknown parameter 'out_\\nfeatures'")


def test_a_misspelt_parameter_suggests_the_closest_name():
    message = spec_error(model_json(layer_json("Linear", out_feature=10)))
    assert (
        message == "layer 0 (Linear): unknown parameter out_feature; did you mean 'out_features'?"
    )


def test_an_unknown_field_in_a_layer_suggests_the_closest_name():
    data = model_json(layer_json("ReLU"), {"kind": "Linear", "parms": {"out_features": 8}})
    assert spec_error(data) == "unknown field 'parms' in layer 1 (Linear); did you mean 'params'?"
    data = model_json({"kind": "Linear", "colour": "red"})
    assert spec_error(data) == "unknown field 'colour' in layer 0 (Linear) (known: kind, params)"


def test_an_unknown_field_in_the_model_suggests_the_closest_name():
    data = {**model_json(layer_json("ReLU")), "input_shpae": [4]}
    assert spec_error(data) == "unknown field 'input_shpae'; did you mean 'input_shape'?"


def test_a_newer_schema_is_a_version_problem_not_a_typo():
    data = {**model_json(layer_json("ReLU")), "version": SCHEMA_VERSION + 1, "groups": []}
    assert spec_error(data).startswith(f"model schema version {SCHEMA_VERSION + 1} is not")


def test_a_long_input_shape_is_quoted_short():
    message = one_line(spec_error({"version": 1, "input_shape": [HUGE] * 1000, "layers": []}))
    assert message.startswith("input_shape must be 1 to 3 sizes")
