"""Checkpoints: model.pt + experiment.json (+ model.py), atomic, and one-line load errors."""

from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path

import pytest
import torch
from torch import nn

from models.build import build
from models.checkpoint import (
    EXPERIMENT_FILE,
    MODEL_FILE,
    SOURCE_FILE,
    load_checkpoint,
    save_checkpoint,
)
from models.codegen import generate
from models.files import write_atomic
from models.spec import LayerSpec, ModelSpec
from tests.models.checkpoint_helpers import one_line_error

L = LayerSpec.create


def cnn_spec(channels: int = 6) -> ModelSpec:
    return ModelSpec(
        (1, 12, 12),
        (
            L("Conv2d", out_channels=channels, kernel_size=3, padding=1),
            L("BatchNorm2d"),
            L("ReLU"),
            L("MaxPool2d"),
            L("Flatten"),
            L("Dropout", p=0.2),
            L("Linear", out_features=4),
        ),
    )


def trained(spec: ModelSpec, seed: int = 0) -> nn.Sequential:
    """A built model whose weights and batch-norm buffers are not the fresh defaults."""
    torch.manual_seed(seed)
    model = build(spec)
    model.train()
    with torch.no_grad():
        model(torch.randn(8, *spec.input_shape))
    return model.eval()


def experiment_for(spec: ModelSpec) -> dict:
    return {"version": 1, "name": "digits", "model": spec.to_dict(), "train": {"lr": 0.01}}


@pytest.fixture
def saved(tmp_path) -> tuple[Path, nn.Sequential, ModelSpec]:
    spec = cnn_spec()
    model = trained(spec)
    save_checkpoint(tmp_path, model.state_dict(), experiment_for(spec), generate(spec))
    return tmp_path, model, spec


def load_error(path: Path) -> str:
    message = one_line_error(path)
    assert message.strip() == message
    return message


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# --- saving and loading ---------------------------------------------------------------------


def test_save_writes_the_three_files_and_nothing_else(saved):
    directory, model, spec = saved
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [MODEL_FILE, EXPERIMENT_FILE, SOURCE_FILE]
    )
    assert json.loads((directory / EXPERIMENT_FILE).read_text()) == experiment_for(spec)
    assert (directory / SOURCE_FILE).read_text() == generate(spec)
    weights = torch.load(directory / MODEL_FILE, weights_only=True)
    assert list(weights) == list(model.state_dict())
    for key, value in model.state_dict().items():
        assert torch.equal(weights[key], value), key


def test_the_saved_model_pt_is_a_plain_state_dict_for_plain_pytorch(saved):
    directory, model, _ = saved
    by_hand = nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1),
        nn.BatchNorm2d(6),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(216, 4),
    )
    by_hand.load_state_dict(torch.load(directory / MODEL_FILE, weights_only=True), strict=True)
    x = torch.randn(3, 1, 12, 12)
    with torch.no_grad():
        assert torch.equal(by_hand.eval()(x), model(x))


def test_save_without_source_writes_no_model_py(tmp_path):
    spec = cnn_spec()
    save_checkpoint(tmp_path / "new" / "folder", trained(spec).state_dict(), experiment_for(spec))
    assert sorted(p.name for p in (tmp_path / "new" / "folder").iterdir()) == sorted(
        [MODEL_FILE, EXPERIMENT_FILE]
    )


@pytest.mark.parametrize("through", ["folder", "model.pt"])
def test_load_round_trip_gives_identical_outputs(saved, through):
    directory, model, spec = saved
    checkpoint = load_checkpoint(directory if through == "folder" else directory / MODEL_FILE)
    assert checkpoint.spec == spec
    assert checkpoint.experiment == experiment_for(spec)
    assert not checkpoint.model.training
    x = torch.randn(5, 1, 12, 12)
    with torch.no_grad():
        assert torch.equal(checkpoint.model(x), model(x))
    for key, value in model.state_dict().items():
        assert torch.equal(checkpoint.model.state_dict()[key], value), key


def test_saving_detaches_and_copies_the_weights(tmp_path):
    spec = cnn_spec()
    model = trained(spec)
    state_dict = model.state_dict(keep_vars=True)
    assert state_dict["6.weight"].requires_grad
    saved_weight = model[6].weight.detach().clone()
    save_checkpoint(tmp_path, state_dict, experiment_for(spec))
    with torch.no_grad():
        model[6].weight.add_(1.0)  # changing the live model later does not change the file
    loaded = load_checkpoint(tmp_path).model
    assert torch.equal(loaded[6].weight, saved_weight)
    assert not loaded[6].weight.equal(model[6].weight)


def test_saving_again_replaces_the_files_and_leaves_no_temporary_files(saved):
    directory, _, spec = saved
    other = trained(spec, seed=1)
    save_checkpoint(directory, other.state_dict(), experiment_for(spec), generate(spec))
    assert leftovers(directory) == []
    x = torch.randn(2, 1, 12, 12)
    with torch.no_grad():
        assert torch.equal(load_checkpoint(directory).model(x), other(x))


def test_save_refuses_an_experiment_without_a_model(tmp_path):
    with pytest.raises(ValueError, match="'model'"):
        save_checkpoint(tmp_path, {}, {"name": "x"})
    assert list(tmp_path.iterdir()) == []


def test_an_experiment_that_cannot_be_written_leaves_the_old_checkpoint(saved):
    directory, model, spec = saved
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    broken = {**experiment_for(spec), "tags": {"not", "json"}}  # a set: not JSON
    with pytest.raises(TypeError):
        save_checkpoint(directory, trained(spec, seed=5).state_dict(), broken, generate(spec))
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before
    x = torch.randn(2, 1, 12, 12)
    with torch.no_grad():
        assert torch.equal(load_checkpoint(directory).model(x), model(x))


# --- atomic writes --------------------------------------------------------------------------


def test_write_atomic_replaces_the_whole_file(tmp_path):
    target = tmp_path / "file.bin"
    write_atomic(target, b"old contents")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "model.pt"
    target.write_bytes(b"the old weights")
    # A str in place of bytes fails inside the write, after the temporary file exists.
    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"the old weights"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]


def test_a_failed_rename_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "model.pt"
    target.mkdir()  # a folder in the way: os.replace fails after the data was written
    (target / "keep").write_text("x")
    with pytest.raises(OSError):
        write_atomic(target, b"weights")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]
    assert (target / "keep").read_text() == "x"


# --- bad model.pt ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(random.Random(0).randbytes(4096), id="random-bytes"),
        pytest.param(random.Random(1).randbytes(100), id="random-bytes-short"),
        pytest.param(b"", id="empty"),
        pytest.param(b"hello world", id="text"),
        pytest.param(b"PK\x03\x04" + bytes(60), id="broken-zip"),
    ],
)
def test_a_corrupt_model_pt_says_corrupt(saved, data):
    directory, _, _ = saved
    (directory / MODEL_FILE).write_bytes(data)
    assert load_error(directory) == "model.pt is corrupt or not a PyTorch file"


def test_a_truncated_model_pt_says_corrupt(saved):
    directory, _, _ = saved
    data = (directory / MODEL_FILE).read_bytes()
    (directory / MODEL_FILE).write_bytes(data[: len(data) // 2])
    assert load_error(directory) == "model.pt is corrupt or not a PyTorch file"


def test_a_list_of_tensors_is_not_a_state_dict(saved):
    directory, model, _ = saved
    torch.save(list(model.state_dict().values()), directory / MODEL_FILE)
    message = load_error(directory)
    assert "not a state_dict" in message
    assert "list" in message


def test_a_dict_of_numbers_is_not_a_state_dict(saved):
    directory, _, _ = saved
    torch.save({"0.weight": 1.5}, directory / MODEL_FILE)
    assert "not a state_dict" in load_error(directory)


def test_a_pickled_module_is_refused_as_pickled_objects(saved):
    directory, model, _ = saved
    torch.save(model, directory / MODEL_FILE)
    message = load_error(directory)
    assert "pickled Python objects" in message
    assert "state_dict()" in message


class _Marker:
    """Unpickling this would create a file: proof that code from the file ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def test_loading_never_runs_code_from_the_file(saved):
    directory, _, _ = saved
    marker = directory / "code-ran"
    buffer = io.BytesIO()
    torch.save({"0.weight": torch.zeros(1), "payload": _Marker(str(marker))}, buffer)
    (directory / MODEL_FILE).write_bytes(buffer.getvalue())
    assert "pickled Python objects" in load_error(directory)
    assert not marker.exists()


def test_a_state_dict_of_another_architecture_names_the_key(saved):
    directory, _, _ = saved
    torch.save(trained(cnn_spec(channels=8)).state_dict(), directory / MODEL_FILE)
    message = load_error(directory)
    assert message.startswith("model.pt is for another architecture than experiment.json")
    assert "0.weight is 8x1x3x3 in the file but 6x1x3x3 in the model" in message


def test_missing_and_unexpected_keys_are_named(saved):
    directory, model, _ = saved
    state_dict = dict(model.state_dict())
    del state_dict["6.bias"]
    state_dict["7.weight"] = torch.zeros(3)
    torch.save(state_dict, directory / MODEL_FILE)
    message = load_error(directory)
    assert "another architecture" in message
    assert "missing 6.bias" in message
    assert "unexpected 7.weight" in message


def test_a_missing_model_pt_is_named(saved):
    directory, _, _ = saved
    (directory / MODEL_FILE).unlink()
    assert "model.pt does not exist" in load_error(directory)


# --- bad experiment.json --------------------------------------------------------------------


def test_a_missing_experiment_json_is_named(saved):
    directory, _, _ = saved
    (directory / EXPERIMENT_FILE).unlink()
    message = load_error(directory)
    assert message.startswith("experiment.json is missing beside model.pt")


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"model": {', "experiment.json is not valid JSON"),
        ("", "experiment.json is not valid JSON"),
        ('{"model": 1,\n\n "x": }', "experiment.json is not valid JSON"),
        ("[" * 1000 + "]" * 1000, "experiment.json is not valid JSON"),
        ('{"model": ' + "9" * 5000 + "}", "experiment.json is not valid JSON"),
        ("[1, 2]", "experiment.json has no 'model' section"),
        ('{"name": "x"}', "experiment.json has no 'model' section"),
        (
            json.dumps(
                {
                    "model": {
                        "version": 1,
                        "input_shape": [4],
                        "layers": [{"kind": "Linear", "params": {"units": 3}}],
                    }
                }
            ),
            "experiment.json: layer 0 (Linear): unknown parameter units",
        ),
        (
            json.dumps({"model": {"version": 9, "input_shape": [4], "layers": []}}),
            "experiment.json: model schema version 9 is not supported",
        ),
        (
            json.dumps({"model": ModelSpec((1, 12, 12), (L("Linear"),)).to_dict()}),
            "experiment.json: Layer 0 (Linear) needs flat features",
        ),
    ],
)
def test_an_invalid_experiment_json_gives_one_line(saved, text, words):
    directory, _, _ = saved
    (directory / EXPERIMENT_FILE).write_text(text)
    assert words in load_error(directory)


def test_experiment_json_that_is_not_utf8_gives_one_line(saved):
    directory, _, _ = saved
    (directory / EXPERIMENT_FILE).write_bytes(b'{"model": "\xff\xfe"}')
    assert "experiment.json is not valid JSON" in load_error(directory)


def test_a_bad_file_leaves_no_files_behind(saved):
    directory, _, _ = saved
    (directory / MODEL_FILE).write_bytes(os.urandom(64))
    load_error(directory)
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [MODEL_FILE, EXPERIMENT_FILE, SOURCE_FILE]
    )
