"""generate(): readable PyTorch source that rebuilds the model and loads its weights alone."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn

from models.build import build, make_layer
from models.codegen import TrainingSketch, generate, layer_source
from models.layers import CATALOG
from models.spec import LayerSpec, ModelSpec, Task

L = LayerSpec.create


def cnn_spec() -> ModelSpec:
    return ModelSpec(
        (1, 28, 28),
        (
            L("Conv2d", out_channels=6, kernel_size=5, padding=2),
            L("BatchNorm2d"),
            L("ReLU"),
            L("MaxPool2d"),
            L("Conv2d", out_channels=16, kernel_size=5, stride=2, bias=False),
            L("LeakyReLU", negative_slope=0.2),
            L("AvgPool2d", kernel_size=2, stride=1),
            L("Flatten"),
            L("Linear", out_features=10),
        ),
    )


def mlp_spec() -> ModelSpec:
    return ModelSpec(
        (2,),
        (
            L("Linear", out_features=16),
            L("BatchNorm1d"),
            L("GELU", approximate="tanh"),
            L("Dropout", p=0.3),
            L("Linear", out_features=8, bias=False),
            L("Tanh"),
            L("Linear", out_features=3),
        ),
    )


SKETCH = TrainingSketch(
    optimizer="SGD",
    optimizer_args=(("lr", 0.05), ("momentum", 0.9)),
    loss="CrossEntropyLoss",
    batch_size=32,
    epochs=5,
    seed=7,
)

DRIVER = textwrap.dedent(
    """
    import runpy
    import sys

    import torch

    import model

    assert "models" not in sys.modules, "the generated file must not need LayerLab"
    net = model.load_model()
    assert not net.training
    x = torch.load("input.pt", weights_only=True)
    with torch.no_grad():
        out = net(x)
    result = {"output": out}
    if hasattr(model, "make_optimizer"):
        train_net = model.load_model().train()
        optimizer = model.make_optimizer(train_net)
        target = torch.load("target.pt", weights_only=True)
        torch.manual_seed(123)  # the same dropout mask as the test's step
        loss = model.loss_fn(train_net(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        result["optimizer"] = type(optimizer).__name__
        result["defaults"] = {k: optimizer.defaults[k] for k in ("lr", "momentum")}
        result["loss"] = loss.detach()
        result["stepped"] = train_net.state_dict()
    torch.save(result, "result.pt")
    runpy.run_path("model.py", run_name="__main__")  # the file also runs as a script
    print("DRIVER DONE")
    """
)


def run_generated(
    tmp_path: Path, spec: ModelSpec, source: str, x: torch.Tensor, target=None
) -> tuple[nn.Sequential, dict, str]:
    """Save the built model's weights beside the source, run it in a fresh interpreter."""
    torch.manual_seed(0)
    model = build(spec)
    model.train()
    with torch.no_grad():  # move batch-norm buffers away from their defaults
        model(torch.randn(16, *spec.input_shape))
    model.eval()
    (tmp_path / "model.py").write_text(source)
    torch.save(model.state_dict(), tmp_path / "model.pt")
    torch.save(x, tmp_path / "input.pt")
    if target is not None:
        torch.save(target, tmp_path / "target.pt")
    (tmp_path / "driver.py").write_text(DRIVER)
    completed = subprocess.run(
        [sys.executable, "driver.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert completed.returncode == 0, completed.stderr
    assert "DRIVER DONE" in completed.stdout
    return model, torch.load(tmp_path / "result.pt", weights_only=True), completed.stdout


def test_generated_cnn_in_a_fresh_interpreter_gives_the_same_outputs(tmp_path):
    spec = cnn_spec()
    source = generate(spec, title="Digits CNN", task=Task("classification", 10))
    x = torch.randn(5, 1, 28, 28)
    model, result, stdout = run_generated(tmp_path, spec, source, x)
    with torch.no_grad():
        expected = model(x)
    assert torch.equal(result["output"], expected)
    assert "Sequential(" in stdout  # the __main__ block printed the model


def test_generated_mlp_with_training_sketch_trains_like_the_built_model(tmp_path):
    spec = mlp_spec()
    source = generate(spec, task=Task("classification", 3), training=SKETCH)
    x = torch.randn(6, 2)
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    model, result, _ = run_generated(tmp_path, spec, source, x, target)
    with torch.no_grad():
        assert torch.equal(result["output"], model(x))
    assert result["optimizer"] == "SGD"
    assert result["defaults"] == {"lr": 0.05, "momentum": 0.9}
    # the same step done here: the same loss and the same updated weights
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    torch.manual_seed(123)
    loss = nn.CrossEntropyLoss()(model(x), target)
    loss.backward()
    optimizer.step()
    assert torch.allclose(result["loss"], loss.detach(), rtol=0, atol=0)
    for key, value in model.state_dict().items():
        assert torch.allclose(result["stepped"][key].float(), value.float(), rtol=0, atol=0), key


@pytest.mark.parametrize("make_spec", [cnn_spec, mlp_spec])
def test_source_writes_every_size_out(make_spec):
    spec = make_spec()
    source = generate(spec, task=Task("classification", 10), training=SKETCH)
    assert "auto" not in source
    ast.parse(source)
    assert "strict=True" in source
    assert "weights_only=True" in source


def test_source_is_readable():
    source = generate(cnn_spec(), title="Digits CNN", task=Task("classification", 10))
    module = ast.parse(source)
    docstring = ast.get_docstring(module)
    assert docstring.startswith("Digits CNN\n")
    assert "Input: a batch of shape (N, 1, 28, 28)." in docstring
    assert "Output: (N, 10) class scores (logits)" in docstring
    total = sum(p.numel() for p in build(cnn_spec()).parameters())
    assert f"Parameters: {total:,}." in docstring
    assert "nn.Conv2d(1, 6, kernel_size=5, padding=2),  # -> (6, 28, 28), 156 parameters" in source
    assert "nn.Conv2d(6, 16, kernel_size=5, stride=2, bias=False)," in source
    assert "nn.MaxPool2d(kernel_size=2),  # -> (6, 14, 14)" in source
    assert "nn.AvgPool2d(kernel_size=2, stride=1)," in source
    assert "nn.Linear(256, 10),  # -> (10,), 2,570 parameters" in source
    assert "make_optimizer" not in source


def test_training_sketch_is_written_down():
    source = generate(mlp_spec(), training=SKETCH)
    assert "batch size 32, 5 epochs, seed 7" in source
    assert "torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)" in source
    assert "loss_fn = nn.CrossEntropyLoss()" in source
    namespace: dict = {"__name__": "model", "__file__": "model.py"}
    exec(compile(source, "model.py", "exec"), namespace)  # defines, does not run __main__
    model = namespace["build_model"]()
    optimizer = namespace["make_optimizer"](model)
    assert isinstance(optimizer, torch.optim.SGD)
    assert isinstance(namespace["loss_fn"], nn.CrossEntropyLoss)


@pytest.mark.parametrize(
    "title",
    ['Mary\'s "best" model', r"C:\Notes\new model", 'ends with quotes """', "two\nlines"],
)
def test_any_title_gives_valid_source_with_that_title(title):
    source = generate(mlp_spec(), title=title)
    docstring = ast.get_docstring(ast.parse(source), clean=False)
    assert docstring.startswith(title + "\n")


def test_a_spec_with_errors_has_no_source():
    spec = ModelSpec((1, 28, 28), (L("Linear", out_features=10),))
    with pytest.raises(ValueError, match="Layer 0 \\(Linear\\) needs flat features"):
        generate(spec)


def test_each_layer_source_builds_the_same_module_as_build():
    resolved = {
        "Linear": L("Linear", in_features=3, out_features=4, bias=False),
        "Conv2d": L("Conv2d", in_channels=2, out_channels=5, kernel_size=3, stride=2, padding=1),
        "MaxPool2d": L("MaxPool2d", kernel_size=3, padding=1),
        "AvgPool2d": L("AvgPool2d", kernel_size=2, stride=1),
        "BatchNorm1d": L("BatchNorm1d", num_features=7, eps=1e-3, affine=False),
        "BatchNorm2d": L("BatchNorm2d", num_features=7, momentum=0.01),
        "LeakyReLU": L("LeakyReLU", negative_slope=0.3),
        "GELU": L("GELU", approximate="tanh"),
        "Dropout": L("Dropout", p=0.1),
    }
    for name in CATALOG:
        layer = resolved.get(name, L(name))
        text = layer_source(layer)
        assert "auto" not in text
        assert repr(eval(text, {"nn": nn})) == repr(make_layer(layer)), text
    assert layer_source(resolved["Linear"]) == "nn.Linear(3, 4, bias=False)"
    assert layer_source(resolved["BatchNorm2d"]) == "nn.BatchNorm2d(7, momentum=0.01)"
    assert layer_source(L("Dropout")) == "nn.Dropout(p=0.5)"
    assert layer_source(L("ReLU")) == "nn.ReLU()"
