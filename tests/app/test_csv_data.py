"""Your own data: a CSV file with a header row; the target column picked; classification or
regression read from it; inputs standardised; every bad file one sentence with its line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from app.datasets import DataConfig, data_input_shape, data_problem, data_task, load, used_fields
from app.experiment import Experiment
from models.spec import LayerSpec, ModelSpec


def write(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def flowers(tmp_path: Path, rows: int = 60) -> Path:
    """Two numeric inputs and a text class, the class in the middle column."""
    rng = np.random.default_rng(0)
    lines = ["width,kind,height"]
    for i in range(rows):
        kind = ("rose", "tulip", "iris")[i % 3]
        centre = {"rose": 1.0, "tulip": 5.0, "iris": 9.0}[kind]
        lines.append(f"{centre + rng.normal():.3f},{kind},{100 * centre + rng.normal():.2f}")
    return write(tmp_path, "\n".join(lines) + "\n")


def config(path: Path, target: str = "", **fields) -> DataConfig:
    return DataConfig(name="csv", path=str(path), target=target, **fields)


def test_a_text_target_is_classification_with_its_values_as_classes(tmp_path):
    data = config(flowers(tmp_path), "kind", val_fraction=0.25, seed=1)
    assert data_problem(data) is None
    dataset = load(data)
    assert data_task(data).kind == "classification" and data_task(data).outputs == 3
    assert dataset.class_names == ("iris", "rose", "tulip")
    assert data_input_shape(data) == dataset.input_shape == (2,)  # width and height
    assert (len(dataset.x_train), len(dataset.x_val)) == (45, 15)
    assert np.allclose(dataset.x_train.mean(axis=0), 0, atol=1e-5)
    assert np.allclose(dataset.x_train.std(axis=0), 1, atol=1e-4)  # height's 100s scaled too


def test_numbers_make_regression_and_a_few_whole_numbers_make_classes(tmp_path):
    rows = "\n".join(f"{i},{i % 2},{0.5 * i + 0.25}" for i in range(40))
    path = write(tmp_path, "x,label,y\n" + rows + "\n")
    regression = load(config(path))  # the last column by default
    assert data_task(config(path)).kind == "regression"
    assert regression.y_train.dtype == np.float32 and regression.y_train.shape[1:] == (1,)
    classes = config(path, "label")
    assert data_task(classes).outputs == 2 and load(classes).class_names == ("0", "1")


def test_a_csv_experiment_trains_from_the_command_line_and_saves_only_its_fields(tmp_path):
    path = flowers(tmp_path, rows=90)
    model = ModelSpec(
        (2,),
        (
            LayerSpec.create("Linear", out_features=8),
            LayerSpec.create("ReLU"),
            LayerSpec.create("Linear", out_features=3),
        ),
    )
    experiment = Experiment(model=model, data=config(path, "kind"))
    saved = json.loads(experiment.to_json())["data"]
    assert saved == {
        "name": "csv",
        "path": str(path),
        "target": "kind",
        "val_fraction": 0.2,
        "seed": 0,
    }
    assert set(used_fields(experiment.data)) == set(saved)
    file = tmp_path / "csv.json"
    file.write_text(experiment.to_json())
    assert main(["train", str(file), "--epochs", "30", "--out", str(tmp_path / "run")]) == 0
    last = (tmp_path / "run" / "metrics.csv").read_text().splitlines()[-1].split(",")
    assert float(last[4]) >= 0.9  # three well-separated kinds


BAD = {
    "text": (
        "a,b,y\n1,2,0\n3,x,1\n5,6,0\n7,8,1\n",
        "table.csv, line 3, column 'b': 'x' is not a number",
    ),
    "empty": ("", "table.csv is empty; it needs a header row and rows of data"),
    "one class": (
        "a,y\n1,cat\n2,cat\n3,cat\n4,cat\n",
        "the target column 'y' holds one class only ('cat')",
    ),
    "missing": (
        "a,b,y\n1,2,0\n3,,1\n5,6,0\n7,8,1\n",
        "table.csv, line 3, column 'b': the value is missing",
    ),
    "short row": (
        "a,b,y\n1,2,0\n3,1\n5,6,0\n7,8,1\n",
        "table.csv, line 3: 2 values where the header has 3",
    ),
    "no target": (
        "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n",
        "table.csv has no column 'z' (its columns: a, b, y)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_file_is_one_sentence_naming_where(tmp_path, case):
    text, expected = BAD[case]
    path = write(tmp_path, text)
    problem = data_problem(config(path, "z" if case == "no target" else ""))
    assert problem is not None and expected in problem and "\n" not in problem


def test_a_bad_file_refuses_to_train_in_one_line_and_exit_2(tmp_path, capsys):
    path = write(tmp_path, BAD["text"][0])
    model = ModelSpec((2,), (LayerSpec.create("Linear", out_features=2),))
    file = tmp_path / "bad.json"
    file.write_text(Experiment(model=model, data=config(path)).to_json())
    assert main(["train", str(file), "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err
    assert (
        error
        == "layerlab: Cannot use this data: table.csv, line 3, column 'b': 'x' is not a number.\n"
    )
    assert not (tmp_path / "run").exists()


def test_a_moved_file_still_opens_its_experiment(tmp_path):
    path = flowers(tmp_path)
    model = ModelSpec((2,), (LayerSpec.create("Linear", out_features=3),))
    text = Experiment(model=model, data=config(path, "kind")).to_json()
    path.unlink()
    experiment = Experiment.from_json(text)  # to point it at the file again
    assert "does not exist" in data_problem(experiment.data)
    assert data_input_shape(experiment.data) is None
