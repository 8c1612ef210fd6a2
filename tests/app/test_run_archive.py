"""The runs kept beside an experiment file: recorded from a history, written whole and read
back the same, a bad file one sentence and no runs; labels that say what differed; the
comparison as CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import numpy as np
import pytest

from app.experiment import Experiment
from app.history import RunHistory
from app.reports import EpochReport, RunFinished, RunStarted, StepsReport
from app.run_archive import MAX_RUNS, RunArchive, archive_path
from app.run_comparison import comparison_csv, difference_labels, table
from app.run_record import CURVE_POINTS, record_run
from models.spec import LayerSpec


def history_of(steps: int, epochs: int = 2) -> RunHistory:
    history = RunHistory()
    history.add(RunStarted("cpu", "float32", "classification", 258, 800, 200, steps // epochs,
                           epochs, ("0 Linear",), 1))  # fmt: skip
    history.add(StepsReport(0, np.linspace(1.0, 0.1, steps), epochs - 1, 5000.0, 0.5, 0.01))
    for epoch in range(1, epochs + 1):
        history.add(EpochReport(epoch, epoch * steps // epochs, 0.5 / epoch, 0.6 / epoch, 0.9))
    return history


def record(name="Run 1", experiment=None, steps=40):
    finished = RunFinished("completed", "Finished.", steps, 2, 0.5)
    return record_run(name, experiment or Experiment(), history_of(steps), finished, 5000.0)


def test_a_record_keeps_the_final_numbers_and_a_thinned_curve():
    long = record(steps=5000)
    assert len(long.steps) == CURVE_POINTS and long.steps[0] == 0 and long.steps[-1] == 4999
    assert long.metric("val_accuracy") == pytest.approx(0.9)
    assert long.metric("train_loss") == pytest.approx(0.25)
    assert long.param_count == 258 and long.samples_per_second == 5000.0


def test_runs_are_written_whole_and_read_back_the_same(tmp_path):
    path = archive_path(tmp_path / "moons.json")
    assert path.name == "moons.runs.json"
    archive = RunArchive()
    for _ in range(3):
        archive.add(record(archive.next_name()))
    archive.rename(1, "  lr   0.1 ")
    archive.delete([0])
    archive.save(path)
    again, problem = RunArchive.load(path)
    assert problem == "" and again.records == archive.records
    assert [r.name for r in again.records] == ["lr 0.1", "Run 3"]
    assert again.next_name() == "Run 4"  # a name is never given to a second run


def test_the_oldest_runs_go_beyond_the_limit():
    archive = RunArchive()
    for number in range(MAX_RUNS + 2):
        archive.add(record(f"Run {number}"))
    assert len(archive.records) == MAX_RUNS and archive.records[0].name == "Run 2"


@pytest.mark.parametrize(
    "text",
    ["{ not json", "[]", '{"format": "other"}', '{"format": "layerlab-runs", "version": 9}',
     '{"format": "layerlab-runs", "version": 1, "runs": [{"name": "x"}]}',
     '{"format": "layerlab-runs", "version": 1, "runs": [7]}'],
)  # fmt: skip
def test_a_bad_runs_file_is_no_runs_and_one_sentence(tmp_path, text):
    path = tmp_path / "x.runs.json"
    path.write_text(text, encoding="utf-8")
    archive, problem = RunArchive.load(path)
    assert archive.records == [] and problem.startswith("The runs in x.runs.json could not")
    assert problem.count(".") >= 1 and "\n" not in problem


def test_no_runs_file_is_no_runs_and_no_problem(tmp_path):
    assert RunArchive.load(tmp_path / "none.runs.json")[1] == ""


def test_labels_say_what_differed():
    base = Experiment()
    fast = base.with_changes(train=replace(base.train, learning_rate=0.1))
    slow = base.with_changes(train=replace(base.train, learning_rate=0.01, batch_size=32))
    assert difference_labels([fast, slow], ["a", "b"]) == ["lr 0.1, batch 64", "lr 0.01, batch 32"]
    assert difference_labels([base, base], ["a", "b"]) == ["a", "b"]
    sigmoid = base.model.replace(1, LayerSpec.create("Sigmoid"))
    other = base.with_changes(model=sigmoid)
    labels = difference_labels([base, other], ["a", "b"])
    assert "Sigmoid" in labels[1] and "Sigmoid" not in labels[0]


def test_the_comparison_csv_has_a_row_per_run():
    base = Experiment()
    runs = [record("Run 1", base), record("Run 2", base.with_changes(
        train=replace(base.train, seed=3)))]  # fmt: skip
    labels = difference_labels([r.experiment for r in runs], [r.name for r in runs])
    rows = list(csv.DictReader(io.StringIO(comparison_csv(table(runs, labels)))))
    assert [row["name"] for row in rows] == ["Run 1", "Run 2"]
    assert rows[1]["label"] == "seed 3" and float(rows[0]["score"]) == pytest.approx(0.9)
    assert json.loads(json.dumps(rows))  # plain text cells
