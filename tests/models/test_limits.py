"""Sizes past the catalog's limits are diagnostics on the layer, never exceptions from infer."""

from __future__ import annotations

import pytest

from models.shapes import ERROR, MAX_LAYERS, Inference, infer
from models.spec import LayerSpec, ModelSpec, Task

L = LayerSpec.create
TEN_CLASSES = Task("classification", 10)


def cifar_wide() -> ModelSpec:
    """3 x 32 x 32 images through 4096 filters: 4096 x 30 x 30 = 3,686,400 flat features."""
    return ModelSpec(
        (3, 32, 32),
        (L("Conv2d", out_channels=4096), L("Flatten"), L("Linear", out_features=10)),
    )


def by_code(inference: Inference, code: str) -> list:
    return [d for d in inference.diagnostics if d.code == code]


def fix_named(diagnostic, start: str):
    (fix,) = [f for f in diagnostic.fixes if f.label.startswith(start)]
    return fix


def test_too_many_flat_features_for_linear_is_a_diagnostic_on_that_layer():
    inference = infer(cifar_wide(), TEN_CLASSES)
    (problem,) = by_code(inference, "too_large")
    assert problem.layer == 2 and problem.severity == ERROR
    assert problem in inference.layers[2].diagnostics
    assert problem.message.startswith("Layer 2 (Linear) gets 3,686,400 input features")
    assert "at most 1,000,000" in problem.message
    assert "MaxPool2d before Flatten (layer 1)" in problem.message
    assert "fewer out_channels" in problem.message
    assert not inference.ok
    # the layers before it keep their shapes; the ones after are unknown
    assert inference.layers[1].output_shape == (3_686_400,)
    assert inference.layers[2].output_shape is None


def test_each_fix_for_too_many_features_gives_a_model_that_fits():
    problem = by_code(infer(cifar_wide(), TEN_CLASSES), "too_large")[0]
    pooled = fix_named(problem, "Insert MaxPool2d")
    assert [layer.kind for layer in pooled.spec.layers] == [
        "Conv2d",
        "MaxPool2d",
        "Flatten",
        "Linear",
    ]
    assert infer(pooled.spec, TEN_CLASSES).ok
    fewer = fix_named(problem, "Set out_channels of layer 0")
    assert fewer.label == "Set out_channels of layer 0 to 1111"  # 1111 x 30 x 30 <= 1,000,000
    assert infer(fewer.spec, TEN_CLASSES).ok


def test_a_digits_model_with_2000_filters_gets_the_diagnostic_too():
    spec = ModelSpec(
        (1, 28, 28),
        (L("Conv2d", out_channels=2000), L("Flatten"), L("Linear", out_features=10)),
    )
    (problem,) = by_code(infer(spec, TEN_CLASSES), "too_large")
    assert "gets 1,352,000 input features" in problem.message


def test_a_written_size_with_too_many_features_coming_in_is_the_same_diagnostic():
    spec = cifar_wide().replace(2, L("Linear", in_features=100, out_features=10))
    inference = infer(spec, TEN_CLASSES)
    assert [d.code for d in inference.layers[2].diagnostics] == ["too_large"]


def test_batch_norm_over_too_many_features_is_a_diagnostic():
    spec = cifar_wide().insert(2, L("BatchNorm1d"))
    inference = infer(spec, TEN_CLASSES)
    (problem,) = by_code(inference, "too_large")
    assert problem.message.startswith("Layer 2 (BatchNorm1d) gets 3,686,400 features")
    assert infer(fix_named(problem, "Insert MaxPool2d").spec, TEN_CLASSES).ok


def test_a_flattened_input_too_large_offers_pooling_only():
    spec = ModelSpec((3, 1000, 1000), (L("Flatten"), L("Linear", out_features=10)))
    (problem,) = by_code(infer(spec, TEN_CLASSES), "too_large")
    assert [f.label for f in problem.fixes] == ["Insert MaxPool2d 2x2 before layer 0"]
    assert infer(problem.fixes[0].spec, TEN_CLASSES).ok


# --- the layer count -------------------------------------------------------------------------


def relus(count: int) -> ModelSpec:
    return ModelSpec((4,), tuple(L("ReLU") for _ in range(count - 1)) + (L("Linear"),))


def test_more_than_the_layer_limit_is_one_whole_model_error():
    assert MAX_LAYERS == 1000
    inference = infer(relus(1200), TEN_CLASSES)
    (problem,) = inference.diagnostics  # no per-layer work, so nothing else is reported
    assert problem.layer is None and problem.code == "too_many_layers"
    assert problem.message == "The model has 1,200 layers; LayerLab trains at most 1,000."
    assert len(inference.layers) == 1200
    assert all(info.output_shape is None for info in inference.layers)
    (keep,) = problem.fixes
    assert keep.label == "Keep the first 1,000 layers"
    assert len(keep.spec.layers) == 1000
    with pytest.raises(ValueError, match="1,200 layers"):
        inference.resolved_spec()


def test_many_broken_layers_past_the_limit_still_give_the_one_error():
    spec = ModelSpec((4,), tuple(L("Conv2d") for _ in range(5000)))
    inference = infer(spec, TEN_CLASSES)
    assert [d.code for d in inference.diagnostics] == ["too_many_layers"]


def test_exactly_the_limit_is_allowed():
    inference = infer(relus(MAX_LAYERS), Task("classification", 64))
    assert "too_many_layers" not in [d.code for d in inference.diagnostics]
    assert inference.layers[-1].output_shape == (64,)


@pytest.mark.parametrize("outputs", [0, 2_000_000])
def test_a_task_no_linear_layer_can_match_is_a_diagnostic_without_a_fix(outputs):
    for spec in (
        ModelSpec((4,), (L("Linear"),)),
        ModelSpec((1, 4, 4), (L("Conv2d"),)),
        ModelSpec((4,), ()),
    ):
        inference = infer(spec, Task("regression", outputs))
        assert not inference.ok
        assert all(fix.spec != spec for d in inference.diagnostics for fix in d.fixes)
