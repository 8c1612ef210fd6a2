"""build(): the same nn.Sequential a user would write by hand, so state_dicts interchange."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from models.build import ModelError, build, make_layer
from models.layers import CATALOG
from models.shapes import infer
from models.spec import LayerSpec, ModelSpec

L = LayerSpec.create


def lenet_spec() -> ModelSpec:
    return ModelSpec(
        (1, 28, 28),
        (
            L("Conv2d", out_channels=6, kernel_size=5, padding=2),
            L("ReLU"),
            L("MaxPool2d"),
            L("Conv2d", out_channels=16, kernel_size=5),
            L("BatchNorm2d"),
            L("ReLU"),
            L("AvgPool2d", kernel_size=2),
            L("Flatten"),
            L("Linear", out_features=120),
            L("ReLU"),
            L("Linear", out_features=84),
            L("Tanh"),
            L("Linear", out_features=10),
        ),
    )


def lenet_by_hand() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.Tanh(),
        nn.Linear(84, 10),
    )


def mlp_spec() -> ModelSpec:
    return ModelSpec(
        (2,),
        (
            L("Linear", out_features=32),
            L("BatchNorm1d"),
            L("LeakyReLU", negative_slope=0.1),
            L("Dropout", p=0.2),
            L("Linear", out_features=16, bias=False),
            L("BatchNorm1d", affine=False, eps=1e-3, momentum=0.5),
            L("GELU", approximate="tanh"),
            L("Linear", out_features=3),
            L("Sigmoid"),
        ),
    )


def mlp_by_hand() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(2, 32),
        nn.BatchNorm1d(32),
        nn.LeakyReLU(0.1),
        nn.Dropout(0.2),
        nn.Linear(32, 16, bias=False),
        nn.BatchNorm1d(16, eps=1e-3, momentum=0.5, affine=False),
        nn.GELU(approximate="tanh"),
        nn.Linear(16, 3),
        nn.Sigmoid(),
    )


def shapes(state_dict: dict[str, torch.Tensor]) -> dict[str, tuple[int, ...]]:
    return {key: tuple(value.shape) for key, value in state_dict.items()}


CASES = [
    pytest.param(lenet_spec, lenet_by_hand, (1, 28, 28), id="lenet"),
    pytest.param(mlp_spec, mlp_by_hand, (2,), id="mlp-batchnorm"),
]


@pytest.mark.parametrize("make_spec, make_by_hand, input_shape", CASES)
def test_state_dict_keys_and_shapes_equal_the_hand_written_model(
    make_spec, make_by_hand, input_shape
):
    built = build(make_spec())
    by_hand = make_by_hand()
    assert isinstance(built, nn.Sequential)
    assert list(built.state_dict()) == list(by_hand.state_dict())
    assert shapes(built.state_dict()) == shapes(by_hand.state_dict())
    assert [type(m) for m in built] == [type(m) for m in by_hand]
    assert repr(built) == repr(by_hand)


@pytest.mark.parametrize("make_spec, make_by_hand, input_shape", CASES)
def test_state_dicts_load_strictly_both_ways_and_give_the_same_outputs(
    make_spec, make_by_hand, input_shape
):
    torch.manual_seed(0)
    built = build(make_spec())
    by_hand = make_by_hand()
    # give the batch-norm buffers values other than their defaults
    built.train()
    with torch.no_grad():
        built(torch.randn(8, *input_shape))
    by_hand.load_state_dict(built.state_dict(), strict=True)
    x = torch.randn(4, *input_shape)
    built.eval()
    by_hand.eval()
    with torch.no_grad():
        assert torch.equal(built(x), by_hand(x))
    again = build(make_spec())
    again.load_state_dict(by_hand.state_dict(), strict=True)
    with torch.no_grad():
        assert torch.equal(again.eval()(x), by_hand(x))


def test_built_output_shape_matches_inference():
    spec = lenet_spec()
    model = build(spec).eval()
    with torch.no_grad():
        out = model(torch.randn(3, 1, 28, 28))
    assert tuple(out.shape) == (3, *infer(spec).output_shape)


def test_pool_stride_auto_means_the_kernel_size():
    model = build(ModelSpec((1, 9, 9), (L("MaxPool2d", kernel_size=3), L("Flatten"), L("Linear"))))
    assert model[0].stride == 3
    assert tuple(model(torch.zeros(1, 1, 9, 9)).shape) == (1, 64)
    explicit = build(
        ModelSpec((1, 9, 9), (L("AvgPool2d", kernel_size=3, stride=1), L("Flatten"), L("Linear")))
    )
    assert explicit[0].stride == 1
    assert explicit[2].in_features == 49


def test_every_catalog_kind_builds_its_torch_class():
    for name, kind in CATALOG.items():
        layer = L(name)
        concrete = {p.name: 4 for p in kind.params if p.allows_auto and p.name != "stride"}
        module = make_layer(layer.with_params(**concrete))
        assert type(module) is getattr(nn, name)
        assert kind.torch_class == f"torch.nn.{name}"


def test_constructor_arguments_reach_the_modules():
    model = build(mlp_spec())
    assert model[2].negative_slope == 0.1
    assert model[3].p == 0.2
    assert model[4].bias is None
    assert (model[5].eps, model[5].momentum, model[5].affine) == (1e-3, 0.5, False)
    assert model[6].approximate == "tanh"


@pytest.mark.parametrize(
    "spec",
    [
        ModelSpec((1, 28, 28), (L("Conv2d"), L("Linear", out_features=10))),
        ModelSpec((4,), (L("Linear", in_features=3, out_features=2),)),
        ModelSpec((4,), ()),
        ModelSpec((4,), (L("ReLU"),)),
    ],
)
def test_build_of_a_spec_with_errors_raises_model_error_with_the_diagnostic(spec):
    first_error = infer(spec).errors[0].message
    with pytest.raises(ModelError) as info:
        build(spec)
    assert str(info.value) == first_error
