"""`layerlab train --resume FOLDER`: training goes on from a trained folder's weights, its
epochs and steps counting on in metrics.csv; a folder that cannot go on says why."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _experiment(tmp_path: Path, **train) -> Path:
    data = json.loads((ROOT / "resources" / "examples" / "two_moons.json").read_text())
    data["data"]["samples"] = 300
    data["train"].update(train)
    path = tmp_path / "moons.json"
    path.write_text(json.dumps(data))
    return path


def _rows(folder: Path) -> list[str]:
    return (folder / "metrics.csv").read_text().splitlines()


def test_a_resumed_stateless_run_is_the_longer_run_itself(tmp_path):
    """Plain SGD keeps no state and the data order goes on: 3 epochs and 2 more are 5."""
    path = _experiment(tmp_path, optimizer="sgd", momentum=0.0, learning_rate=0.1)
    assert main(["train", str(path), "--epochs", "5", "--out", str(tmp_path / "long")]) == 0
    assert main(["train", str(path), "--epochs", "3", "--out", str(tmp_path / "run")]) == 0
    assert main(["train", "--resume", str(tmp_path / "run"), "--epochs", "2"]) == 0
    assert _rows(tmp_path / "run") == _rows(tmp_path / "long")
    long = torch.load(tmp_path / "long" / "model.pt", weights_only=True)
    resumed = torch.load(tmp_path / "run" / "model.pt", weights_only=True)
    assert all(torch.equal(long[key], resumed[key]) for key in long)


def test_adams_loss_picks_up_where_it_stopped(tmp_path, capsys):
    path = _experiment(tmp_path, epochs=4)
    out = tmp_path / "run"
    assert main(["train", str(path), "--out", str(out)]) == 0
    first = [line.split(",") for line in _rows(out)[1:]]
    capsys.readouterr()
    more = tmp_path / "more"
    assert main(["train", "--resume", str(out), "--epochs", "2", "--out", str(more)]) == 0
    said = capsys.readouterr().out
    assert "epoch 5/6" in said and "epoch 6/6" in said
    rows = [line.split(",") for line in _rows(more)[1:]]
    assert rows[:4] == first  # the run it continues, then its own epochs
    assert [int(row[0]) for row in rows] == [1, 2, 3, 4, 5, 6]
    steps = [int(row[1]) for row in rows]
    assert steps[4] - steps[3] == steps[3] - steps[2]  # the steps count on
    fresh_start, last, resumed = float(first[0][2]), float(first[-1][2]), float(rows[4][2])
    assert resumed < fresh_start / 2 and resumed < 2 * last  # not from scratch


def test_folders_that_cannot_be_resumed_say_why_in_one_line(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    path = _experiment(tmp_path, epochs=1)
    assert main(["train", str(path), "--out", str(tmp_path / "run")]) == 0
    other = json.loads(path.read_text())
    other["model"]["layers"][0]["params"]["out_features"] = 8  # not the saved weights' shape
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other))
    capsys.readouterr()
    assert main(["train", "--resume", str(empty)]) == 2
    assert main(["train", "--resume", str(tmp_path / "nowhere")]) == 2
    assert main(["train", str(other_path), "--resume", str(tmp_path / "run")]) == 2
    assert main(["train"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 4 and all(line.startswith("layerlab: ") for line in errors)
    assert "model.pt" in errors[0] and "not a folder" in errors[1]
    assert "do not fit this model" in errors[2] and "--resume" in errors[3]


def test_a_folder_without_metrics_resumes_with_a_header_and_a_float64_run_stays_exact(tmp_path):
    path = _experiment(tmp_path, optimizer="sgd", momentum=0.0, dtype="float64", epochs=2)
    out = tmp_path / "run"
    assert main(["train", str(path), "--out", str(out)]) == 0
    (out / "metrics.csv").unlink()  # as Export Weights leaves a folder
    saved = torch.load(out / "model.pt", weights_only=True)
    assert main(["train", "--resume", str(out), "--epochs", "1", "--out", str(tmp_path / "b")]) == 0
    rows = _rows(tmp_path / "b")
    assert rows[0].startswith("epoch,steps,") and rows[1].startswith("1,")  # counts from 0
    # The run starts from the float64 weights as saved, not rounded through float32.
    from app.training.resume import read_resume_point

    point = read_resume_point(out)
    assert all(torch.equal(point.state_dict[k], saved[k]) for k in saved)
    assert saved["0.weight"].dtype == torch.float64


def test_blank_lines_are_read_past_and_a_foreign_metrics_file_warns(tmp_path, capsys):
    path = _experiment(tmp_path, epochs=2)
    out = tmp_path / "run"
    assert main(["train", str(path), "--out", str(out)]) == 0
    metrics = out / "metrics.csv"
    metrics.write_text(metrics.read_text() + "\n\n")
    assert main(["train", "--resume", str(out), "--epochs", "1"]) == 0
    assert [row.split(",")[0] for row in _rows(out)[1:]] == ["1", "2", "3"]
    metrics.write_text("epoch,steps,train_loss,val_loss,val_accuracy,val_rmse,val_r2\n-2,9,1,,,,\n")
    capsys.readouterr()
    assert main(["train", "--resume", str(out), "--epochs", "1"]) == 0
    assert "warning:" in capsys.readouterr().err
    assert [row.split(",")[0] for row in _rows(out)[1:]] == ["1"]
