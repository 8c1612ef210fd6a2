"""`layerlab train --tensorboard`: event files that TensorBoard's own reader reads back, with
every step's loss, each epoch's scores and every layer's gradient histograms."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _events(folder: Path) -> EventAccumulator:
    accumulator = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0})
    accumulator.Reload()
    return accumulator


@pytest.fixture
def experiment(tmp_path) -> Path:
    data = json.loads((ROOT / "resources" / "examples" / "two_moons.json").read_text())
    data["data"]["samples"] = 320  # 256 training points: 4 steps of 64 an epoch
    data["train"].update({"epochs": 3, "histogram_every": 2})
    path = tmp_path / "moons.json"
    path.write_text(json.dumps(data))
    return path


def test_tensorboard_reads_the_losses_scores_and_histograms_back(experiment, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", str(experiment), "--out", str(out), "--tensorboard"]) == 0
    assert f"tensorboard --logdir {out / 'tensorboard'}" in capsys.readouterr().out
    events = _events(out / "tensorboard")
    tags = events.Tags()
    steps = events.Scalars("loss/train_step")
    assert [event.step for event in steps] == list(range(1, 13))
    with open(out / "metrics.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    accuracy = events.Scalars("validation/accuracy")
    assert [event.step for event in accuracy] == [int(row["steps"]) for row in rows]
    assert [f"{event.value:.6g}" for event in accuracy] == [row["val_accuracy"] for row in rows]
    assert {"loss/train_epoch", "loss/validation"} <= set(tags["scalars"])
    first_layer = events.Histograms("gradients/0_Linear")
    # Taken with the losses of steps 1, 3, 5... (every second step, before its update).
    assert [event.step for event in first_layer] == [1, 3, 5, 7, 9, 11]
    # Every gradient of the first Linear (2 x 64 weights and 64 biases) counted once.
    assert all(event.histogram_value.num == 192 for event in first_layer)
    assert {f"weights/{i}_Linear" for i in (0, 2, 4)} <= set(tags["histograms"])


def test_a_second_run_into_the_folder_replaces_the_first_runs_events(experiment, tmp_path):
    out = tmp_path / "run"
    for _ in range(2):
        assert main(["train", str(experiment), "--out", str(out), "--tensorboard"]) == 0
    assert len(list((out / "tensorboard").glob("events.out.tfevents.*"))) == 1
    assert len(_events(out / "tensorboard").Scalars("loss/train_step")) == 12


def test_without_the_tensorboard_package_the_run_refuses_in_one_line(
    experiment, tmp_path, monkeypatch, capsys
):
    import sys

    monkeypatch.setitem(sys.modules, "tensorboard.summary.writer.event_file_writer", None)
    out = tmp_path / "run"
    assert main(["train", str(experiment), "--out", str(out), "--tensorboard"]) == 2
    error = capsys.readouterr().err
    assert error == (
        "layerlab: TensorBoard files need the tensorboard package: "
        "pip install 'layerlab[tensorboard]'\n"
    )
    assert not out.exists()


def test_a_run_resumed_in_its_folder_keeps_the_events_it_goes_on_from(experiment, tmp_path):
    out = tmp_path / "run"
    assert main(["train", str(experiment), "--out", str(out), "--tensorboard"]) == 0
    assert main(["train", "--resume", str(out), "--epochs", "2", "--tensorboard"]) == 0
    steps = [event.step for event in _events(out / "tensorboard").Scalars("loss/train_step")]
    assert steps == list(range(1, 21))  # 3 epochs of 4 steps, then 2 more
