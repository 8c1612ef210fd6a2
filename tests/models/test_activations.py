"""Activations added as one catalog entry reach shapes, diagnostics, build and codegen."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from models.build import build
from models.codegen import generate, layer_source
from models.layers import CATALOG
from models.shapes import WARNING, infer
from models.spec import LayerSpec, ModelSpec, Task

L = LayerSpec.create


def test_silu_is_an_activation_without_settings():
    kind = CATALOG["SiLU"]
    assert kind.category == "Activation"
    assert kind.params == ()
    assert kind.torch_class == "torch.nn.SiLU"
    assert "sigmoid" in kind.help
    assert L("SiLU").summary() == "SiLU"
    assert layer_source(L("SiLU")) == "nn.SiLU()"


@pytest.mark.parametrize("shape", [(5,), (3, 7), (2, 6, 9)])
def test_silu_keeps_any_shape_and_learns_nothing(shape):
    inference = infer(ModelSpec(shape, (L("SiLU"),)))
    assert inference.layers[0].output_shape == shape
    assert inference.layers[0].param_count == 0


def test_silu_computes_x_times_sigmoid_x():
    spec = ModelSpec((1, 6, 6), (L("Conv2d", out_channels=4), L("SiLU"), L("Flatten"), L("Linear")))
    torch.manual_seed(0)
    model = build(spec)
    assert type(model[1]) is nn.SiLU
    x = torch.randn(3, 1, 6, 6)
    with torch.no_grad():
        before = model[0](x)
        assert torch.equal(model[1](before), nn.functional.silu(before))
        assert tuple(model(x).shape) == (3, infer(spec).output_shape[0])


def test_silu_as_the_last_layer_of_a_classifier_warns_like_relu():
    # Unbounded above like ReLU, but it still bends the raw scores cross-entropy wants.
    spec = ModelSpec((4,), (L("Linear", out_features=3), L("SiLU")))
    inference = infer(spec, Task("classification", 3))
    (diagnostic,) = inference.diagnostics
    assert (diagnostic.code, diagnostic.layer) == ("squashed_output", 1)
    assert diagnostic.severity == WARNING
    assert "(SiLU)" in diagnostic.message
    assert inference.ok
    assert infer(spec, Task("regression", 3)).diagnostics == ()


def test_generated_code_rebuilds_silu(tmp_path):
    spec = ModelSpec((2,), (L("Linear", out_features=8), L("SiLU"), L("Linear", out_features=2)))
    source = generate(spec)
    assert "        nn.SiLU(),  # -> (8,)\n" in source
    # Run as an imported module (not "__main__"): it defines build_model and stops.
    namespace: dict = {"__name__": "model", "__file__": str(tmp_path / "model.py")}
    exec(compile(source, "model.py", "exec"), namespace)
    assert [type(m) for m in namespace["build_model"]()] == [nn.Linear, nn.SiLU, nn.Linear]
