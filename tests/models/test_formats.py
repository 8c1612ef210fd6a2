"""`layerlab export DIR --format torchscript|onnx`: the trained model in a file other programs
load, checked against the model after export, written whole or not at all."""

from __future__ import annotations

import warnings
from pathlib import Path

import onnxruntime
import pytest
import torch

from app.cli import main
from models import formats
from models.checkpoint import save_checkpoint
from models.codegen import generate
from tests.models.test_checkpoint import cnn_spec, experiment_for, trained


@pytest.fixture
def folder(tmp_path) -> Path:
    """A trained folder as `layerlab train` leaves it: a CNN with batch norm and dropout."""
    spec = cnn_spec()
    model = trained(spec)
    save_checkpoint(tmp_path, model.state_dict(), experiment_for(spec), generate(spec))
    return tmp_path


def _model(folder: Path) -> torch.nn.Module:
    from models.checkpoint import load_checkpoint

    return load_checkpoint(folder).model.eval()


def _visible(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_torchscript_loads_in_plain_torch_and_computes_the_same_at_any_batch(folder, capsys):
    assert main(["export", str(folder), "--format", "torchscript"]) == 0
    assert f"Wrote {folder / 'model.torchscript.pt'}" in capsys.readouterr().out
    with warnings.catch_warnings():  # torch 2.14 calls torch.jit deprecated; libtorch loads it
        warnings.simplefilter("ignore", FutureWarning)
        loaded = torch.jit.load(str(folder / "model.torchscript.pt"))
    model = _model(folder)
    for batch in (1, 9):
        x = torch.randn(batch, 1, 12, 12)
        with torch.no_grad():
            assert torch.equal(loaded(x), model(x))


def test_onnx_runs_in_onnxruntime_with_the_models_outputs_at_any_batch(folder, capsys):
    assert main(["export", str(folder), "--format", "onnx"]) == 0
    said = capsys.readouterr().out
    assert f"Wrote {folder / 'model.onnx'}" in said and "checked" in said
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"))
    model = _model(folder)
    for batch in (1, 7):
        x = torch.randn(batch, 1, 12, 12)
        (got,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
        with torch.no_grad():
            assert torch.allclose(torch.from_numpy(got), model(x), rtol=1e-4, atol=1e-5)
    assert _visible(folder) == [
        "experiment.json",
        "model.onnx",
        "model.pt",
        "model.py",
    ]  # nothing of the export's own beside it


def test_an_export_that_does_not_check_out_keeps_nothing(folder, monkeypatch, capsys):
    def wrong(path, inputs):
        return torch.zeros(len(inputs), 4)

    monkeypatch.setattr(formats, "_run_torchscript", wrong)
    assert main(["export", str(folder), "--format", "torchscript"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("layerlab: the torchscript file gave outputs off by up to")
    assert error.count("\n") == 1 and "nothing was kept" in error
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    assert "model.torchscript.pt" not in _visible(folder)


def test_bad_folders_are_one_line_and_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    a_file = tmp_path / "model.pt"
    a_file.write_bytes(b"not a folder")
    assert main(["export", str(empty), "--format", "onnx"]) == 2
    assert main(["export", str(a_file), "--format", "torchscript"]) == 2
    assert main(["export", str(tmp_path / "missing"), "--format", "onnx"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3 and all(line.startswith("layerlab: ") for line in errors)
    assert "not a folder" in errors[1] and "not a folder" in errors[2]
    assert _visible(empty) == []


def test_new_weights_take_the_old_formats_away(folder):
    assert main(["export", str(folder), "--format", "torchscript"]) == 0
    spec = cnn_spec()
    save_checkpoint(folder, trained(spec, seed=1).state_dict(), experiment_for(spec))
    assert "model.torchscript.pt" not in _visible(folder)  # it held the older weights


def test_an_interrupted_export_says_so_and_the_next_one_clears_its_leftovers(
    folder, monkeypatch, capsys
):
    (folder / ".export-killed").mkdir()  # what a killed export leaves
    (folder / ".export-killed" / "model.onnx").write_bytes(b"half")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(formats, "export_format", interrupted)
    assert main(["export", str(folder), "--format", "torchscript"]) == 130
    assert capsys.readouterr().err == "layerlab: export interrupted; nothing was kept\n"
    monkeypatch.undo()
    assert main(["export", str(folder), "--format", "torchscript"]) == 0
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
