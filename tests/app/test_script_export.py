"""Export Training Script: a train.py that replays LayerLab's run in plain PyTorch, alone, under
torchrun with two processes, and on image files; its files and its errors."""

from __future__ import annotations

import csv
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from app.cli import main
from app.datasets import DataConfig, data_task
from app.experiment import Experiment, TrainConfig
from app.script_export import training_script
from models.spec import LayerSpec, ModelSpec
from tests.vision_files import write_mnist_family

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"


def _moons_with_dropout() -> Experiment:
    """Two moons through a hidden layer with Dropout (its masks draw from the seeded
    generator too), Adam with weight decay."""
    model = ModelSpec(
        (2,),
        (
            LayerSpec.create("Linear", out_features=32),
            LayerSpec.create("ReLU"),
            LayerSpec.create("Dropout", p=0.2),
            LayerSpec.create("Linear", out_features=2),
        ),
    )
    data = DataConfig(name="two_moons", samples=300, noise=0.2, seed=3)
    train = TrainConfig(epochs=4, batch_size=32, seed=7, weight_decay=0.001)
    return Experiment(model=model, data=data, train=train, title="Moons, dropout")


def _sine_with_sgd() -> Experiment:
    model = ModelSpec(
        (1,),
        (
            LayerSpec.create("Linear", out_features=16),
            LayerSpec.create("Tanh"),
            LayerSpec.create("Linear", out_features=1),
        ),
    )
    data = DataConfig(name="sine", samples=200, noise=0.05)
    train = TrainConfig(optimizer="sgd", learning_rate=0.05, epochs=3, batch_size=16)
    return Experiment(model=model, data=data, train=train, title="Sine, SGD")


def _run_script(folder: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """train.py in a fresh interpreter, run from `folder` as a user would."""
    command = [sys.executable, *args] if args else [sys.executable, "train.py"]
    result = subprocess.run(
        command,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _export(experiment: Experiment, tmp_path: Path) -> tuple[Path, Path]:
    """The experiment file, and the folder `layerlab export-script` wrote for it."""
    path = tmp_path / "experiment.json"
    path.write_text(experiment.to_json())
    folder = tmp_path / "script"
    assert main(["export-script", str(path), "--out", str(folder)]) == 0
    return path, folder


def _iris_table() -> Experiment:
    experiment = Experiment.load(EXAMPLES / "iris.json")
    return experiment.with_changes(train=TrainConfig(epochs=3, batch_size=16, seed=2))


@pytest.mark.parametrize(
    "make", [_moons_with_dropout, _sine_with_sgd, _iris_table], ids=["moons", "sine", "iris"]
)
def test_the_script_replays_the_cli_run_byte_for_byte(tmp_path, capsys, make):
    path, folder = _export(make(), tmp_path)
    said = capsys.readouterr().out
    assert f"Wrote train.py, experiment.json and data.npz to {folder}" in said
    assert main(["train", str(path), "--out", str(tmp_path / "cli")]) == 0
    _run_script(folder)
    ours, theirs = (
        (tmp_path / "cli" / "metrics.csv").read_bytes(),
        (folder / "metrics.csv").read_bytes(),
    )
    assert len(ours.splitlines()) == make().train.epochs + 1
    assert theirs == ours
    cli_weights = torch.load(tmp_path / "cli" / "model.pt", weights_only=True)
    script_weights = torch.load(folder / "model.pt", weights_only=True)
    assert cli_weights.keys() == script_weights.keys()
    assert all(torch.equal(cli_weights[key], script_weights[key]) for key in cli_weights)


def test_the_script_imports_only_torch_numpy_and_the_standard_library(tmp_path):
    _, folder = _export(_moons_with_dropout(), tmp_path)
    probe = (
        "import sys, runpy; before = set(sys.modules); runpy.run_path('train.py'); "
        "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(new & {'app', 'models', 'widgets', 'PySide6', 'pyqtgraph', 'torchvision'}))"
    )
    result = _run_script(folder, "-c", probe)
    assert result.stdout.strip() == "[]"


def test_two_processes_under_torchrun_train_shards_and_write_one_loadable_model(tmp_path):
    experiment = _moons_with_dropout()
    experiment = experiment.with_changes(train=TrainConfig(epochs=6, batch_size=16, seed=1))
    _, folder = _export(experiment, tmp_path)
    result = _run_script(
        folder,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "train.py",
        env={"OMP_NUM_THREADS": "1"},
    )
    assert result.stdout.count("epoch ") == 6  # process 0 alone prints and writes
    with open(folder / "metrics.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 6
    # Each process takes half of the 240 training points: 120 / 16 = 8 steps an epoch.
    assert [int(row["steps"]) for row in rows] == [8 * epoch for epoch in range(1, 7)]
    assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"])
    build_model = runpy.run_path(str(folder / "train.py"))["build_model"]
    model = build_model()
    model.load_state_dict(torch.load(folder / "model.pt", weights_only=True), strict=True)
    assert model(torch.zeros(3, 2)).shape == (3, 2)


def test_the_script_trains_on_image_files_through_torchvision_as_layerlab_does(tmp_path):
    data_root = tmp_path / "data"
    write_mnist_family(data_root, train=200, test=40)
    experiment = Experiment.load(EXAMPLES / "mnist_lenet.json")
    data = DataConfig(name="mnist", subset=100, seed=5)
    experiment = experiment.with_changes(data=data, train=TrainConfig(epochs=2, batch_size=16))
    path, folder = _export(experiment, tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["experiment.json", "train.py"]
    assert (
        main(["train", str(path), "--out", str(tmp_path / "cli"), "--data-root", str(data_root)])
        == 0
    )
    _run_script(folder, env={"DATA_ROOT": str(data_root)})
    ours = (tmp_path / "cli" / "metrics.csv").read_text()
    assert ours.count("\n") == 3
    assert (folder / "metrics.csv").read_text() == ours


def test_the_code_lines_of_the_layers_are_the_layers(tmp_path):
    experiment = _moons_with_dropout()
    script = training_script(experiment, data_task(experiment.data))
    lines = script.text.splitlines()
    assert [lines[i].split("(")[0].strip() for i in script.layer_lines] == [
        "nn.Linear",
        "nn.ReLU",
        "nn.Dropout",
        "nn.Linear",
    ]
    compile(script.text, "train.py", "exec")


def test_export_script_errors_are_one_line_and_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert main(["export-script", str(broken), "--out", str(tmp_path / "out")]) == 2
    a_file = tmp_path / "taken"
    a_file.write_text("notes")
    good = tmp_path / "good.json"
    good.write_text(_sine_with_sgd().to_json())
    assert main(["export-script", str(good), "--out", str(a_file)]) == 2
    mismatch = json.loads(good.read_text())
    mismatch["model"]["input_shape"] = [3]  # the sine data has one input
    bad_model = tmp_path / "bad_model.json"
    bad_model.write_text(json.dumps(mismatch))
    assert main(["export-script", str(bad_model), "--out", str(tmp_path / "out")]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3 and all(line.startswith("layerlab: ") for line in errors)
    assert "is a file" in errors[1]
    assert "expects inputs of shape (3,), but the data has (1,)" in errors[2]
    assert not (tmp_path / "out").exists()
    assert a_file.read_text() == "notes"


@pytest.mark.parametrize("example", ["two_moons", "mnist_lenet", "cifar10_cnn", "iris"])
def test_the_script_reads_as_clean_python(tmp_path, example):
    """What a student reads and copies passes the linter and formatter this project uses."""
    folder = tmp_path / "script"
    assert main(["export-script", str(EXAMPLES / f"{example}.json"), "--out", str(folder)]) == 0
    ruff = Path(sys.executable).with_name("ruff")
    script = str(folder / "train.py")
    check = subprocess.run(
        [ruff, "check", "--isolated", "--line-length", "100", script],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
    form = subprocess.run(
        [ruff, "format", "--isolated", "--line-length", "100", "--diff", script],
        capture_output=True,
        text=True,
    )
    assert form.returncode == 0, form.stdout
