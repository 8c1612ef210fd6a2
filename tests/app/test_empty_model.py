"""A model with no layers (what File > New starts from): one plain error everywhere, never a
crash: inference, the file round trip, training and the command line."""

from __future__ import annotations

import pytest

from app.cli import main
from app.datasets import data_task
from app.experiment import Experiment
from app.training import RunError, Trainer
from models.shapes import infer

NO_LAYERS = "The model has no layers yet. Add a layer to train."


def test_inference_says_add_a_layer_and_offers_one():
    blank = Experiment.blank()
    inference = infer(blank.model, data_task(blank.data))
    assert [error.message for error in inference.errors] == [NO_LAYERS]
    assert inference.output_shape == blank.model.input_shape
    (fix,) = inference.errors[0].fixes
    assert infer(fix.spec, data_task(blank.data)).ok


def test_the_file_round_trip_keeps_the_empty_model(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(Experiment.blank().to_json())
    assert Experiment.load(path) == Experiment.blank()


def test_training_refuses_it_in_one_sentence():
    with pytest.raises(RunError, match=NO_LAYERS):
        Trainer(Experiment.blank()).prepare()


def test_the_command_line_refuses_it_in_one_sentence_and_writes_nothing(tmp_path, capsys):
    path, out = tmp_path / "empty.json", tmp_path / "run"
    path.write_text(Experiment.blank().to_json())
    assert main(["train", str(path), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"layerlab: {NO_LAYERS}"
    assert not out.exists()
