"""The headless `train` command: what it writes, what it prints, how it refuses bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from app.cli import _Progress, main
from app.reports import StepsReport
from models.checkpoint import load_checkpoint

ROOT = Path(__file__).resolve().parents[2]
TWO_MOONS = ROOT / "resources" / "examples" / "two_moons.json"


def small_experiment(tmp_path: Path, **train) -> Path:
    data = json.loads(TWO_MOONS.read_text())
    data["data"]["samples"] = 300
    data["train"].update({"epochs": 2, **train})
    path = tmp_path / "moons.json"
    path.write_text(json.dumps(data))
    return path


def test_train_writes_the_four_files_and_one_line_per_epoch(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", str(small_experiment(tmp_path)), "--epochs", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    epoch_lines = [line for line in printed.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in epoch_lines] == ["1/3", "2/3", "3/3"]
    assert all("val accuracy" in line for line in epoch_lines)
    assert sorted(p.name for p in out.iterdir()) == [
        "experiment.json",
        "metrics.csv",
        "model.pt",
        "model.py",
    ]
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert [row["epoch"] for row in rows] == ["1", "2", "3"]
    assert float(rows[-1]["val_accuracy"]) > 0.5
    # the saved experiment carries the override, and the checkpoint loads strictly
    assert json.loads((out / "experiment.json").read_text())["train"]["epochs"] == 3
    checkpoint = load_checkpoint(out / "model.pt")
    assert checkpoint.model(torch.zeros(1, 2)).shape == (1, 2)


def test_overrides_change_the_run_and_the_same_seed_repeats_it(tmp_path):
    experiment = small_experiment(tmp_path)
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        out = tmp_path / name
        args = ["train", str(experiment), "--seed", str(seed), "--dtype", "float64"]
        assert main([*args, "--out", str(out)]) == 0
        runs[name] = (out / "metrics.csv").read_text()
        saved = json.loads((out / "experiment.json").read_text())["train"]
        assert (saved["seed"], saved["dtype"]) == (seed, "float64")
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_default_output_folder_is_named_after_the_experiment(tmp_path, monkeypatch):
    experiment = small_experiment(tmp_path, epochs=1)
    monkeypatch.chdir(tmp_path)
    assert main(["train", str(experiment)]) == 0
    assert (tmp_path / "runs" / "moons" / "model.pt").is_file()


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    good = json.loads(TWO_MOONS.read_text())
    (tmp_path / "broken.json").write_text("{ not json")
    mismatch = json.loads(json.dumps(good))
    mismatch["model"]["layers"][2]["params"]["in_features"] = 7
    (tmp_path / "mismatch.json").write_text(json.dumps(mismatch))
    unknown = json.loads(json.dumps(good))
    unknown["model"]["layers"][1]["kind"] = "Relu"
    (tmp_path / "unknown.json").write_text(json.dumps(unknown))
    return {
        "missing file": (["missing.json"], "does not exist"),
        "invalid JSON": (["broken.json"], "not valid JSON"),
        "invalid spec": (["unknown.json"], "layer 1 (Relu): unknown layer kind"),
        "shape mismatch": (["mismatch.json"], "Set in_features to 64"),
        "absent device": ([str(TWO_MOONS), "--device", "cuda:3"], "cuda:3 is not available"),
        "unknown device": ([str(TWO_MOONS), "--device", "tpu"], "device"),
        "unknown dtype": ([str(TWO_MOONS), "--dtype", "float8"], "train.dtype must be one of"),
        "impossible dtype": ([str(TWO_MOONS), "--device", "mps", "--dtype", "float64"], "mps"),
        "epochs out of range": ([str(TWO_MOONS), "--epochs", "0"], "train.epochs must be between"),
        "not a number": ([str(TWO_MOONS), "--epochs", "many"], "invalid int value"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "invalid JSON",
        "invalid spec",
        "shape mismatch",
        "absent device",
        "unknown device",
        "unknown dtype",
        "impossible dtype",
        "epochs out of range",
        "not a number",
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, case):
    args, words = bad_inputs(tmp_path)[case]
    monkeypatch.chdir(tmp_path)
    try:
        code = main(["train", *args, "--out", "out"])
    except SystemExit as exit_:  # argparse's own exit for a malformed argument
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and words in err, err
    assert not (tmp_path / "out").exists()


def test_bad_input_from_a_real_process_prints_no_traceback(tmp_path):
    (tmp_path / "broken.json").write_text("[1, 2")
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "train", "broken.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("layerlab: broken.json: not valid JSON")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_diverging_run_exits_1_and_keeps_finite_weights(tmp_path, capsys):
    data = json.loads((ROOT / "resources" / "examples" / "line_regression.json").read_text())
    data["train"].update(learning_rate=100, epochs=2)
    experiment = tmp_path / "line.json"
    experiment.write_text(json.dumps(data))
    out = tmp_path / "run"
    assert main(["train", str(experiment), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "The loss became" in err and "learning rate" in err
    state = torch.load(out / "model.pt", weights_only=True)
    assert all(torch.isfinite(value).all() for value in state.values())


def test_an_unwritable_output_folder_is_one_line(tmp_path, capsys):
    (tmp_path / "taken").write_text("a file, not a folder")
    code = main(
        ["train", str(small_experiment(tmp_path, epochs=1)), "--out", str(tmp_path / "taken")]
    )
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("layerlab: cannot write to") and err.count("\n") == 1


class FakeTerminal:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_bar_shows_fraction_epoch_step_speed_and_time_left():
    terminal = FakeTerminal()
    progress = _Progress(terminal)
    progress.start(SimpleNamespace(first_step=0, total_steps=100, first_epoch=0, epochs=4))
    progress.update(StepsReport(0, np.full(50, 0.5), 1, 1234.0, 5.0, 0.01))
    shown = terminal.text
    assert "[############............]" in shown
    assert "epoch 2/4" in shown and "step 50/100" in shown
    assert "1,234 samples/s" in shown and "left 0:05" in shown
    progress.clear()
    assert terminal.text.endswith("\r")


def mnist_experiment(tmp_path: Path) -> Path:
    from app.experiment import Experiment
    from tests.app.test_training_images import mnist_experiment as make

    path = tmp_path / "mnist.json"
    path.write_text(Experiment.to_json(make(epochs=1)))
    return path


def test_missing_image_data_exits_2_and_says_where_to_put_which_files(tmp_path, capsys):
    root = tmp_path / "data"
    code = main(["train", str(mnist_experiment(tmp_path)), "--data-root", str(root)])
    assert code == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert str(root / "MNIST" / "raw") in error and "t10k-labels-idx1-ubyte" in error
    assert "--download" in error
    assert not root.exists()  # nothing fetched without --download


def test_download_flag_fetches_the_data_then_trains(tmp_path, capsys, monkeypatch):
    from tests.vision_files import point_downloads_at, serve_folder, write_mnist_family

    served = write_mnist_family(tmp_path / "served", train=120, test=40, gz=True)
    root, out = tmp_path / "data", tmp_path / "run"
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        code = main(
            [
                "train",
                str(mnist_experiment(tmp_path)),
                "--data-root",
                str(root),
                "--download",
                "--out",
                str(out),
            ]
        )
    printed = capsys.readouterr().out
    assert code == 0
    assert f"Downloading MNIST handwritten digits into {root}" in printed
    assert "120 training and 40 validation samples" in printed
    assert (out / "model.pt").is_file()
