"""The real tables shipped with LayerLab (Iris, Wine, breast cancer, 8x8 digits): read
without a download, split by the seed, standardised by their training rows only."""

from __future__ import annotations

import numpy as np
import pytest

from app.datasets import DataConfig, data_input_shape, data_task, load, used_fields
from app.datasets.tables import TABLE_DATASETS, TABLES_FOLDER
from app.experiment import Experiment

ROWS = {"iris": 150, "wine": 178, "breast_cancer": 569, "digits": 1797}


@pytest.mark.parametrize("name", sorted(TABLE_DATASETS))
def test_each_table_has_its_rows_features_and_classes(name):
    table = TABLE_DATASETS[name]
    config = DataConfig(name=name, val_fraction=0.25, seed=3)
    dataset = load(config)
    n_val = round(ROWS[name] * 0.25)
    assert (len(dataset.x_train), len(dataset.x_val)) == (ROWS[name] - n_val, n_val)
    assert dataset.input_shape == data_input_shape(config) == (table.features,)
    assert dataset.task == data_task(config) and dataset.task.outputs == len(table.class_names)
    labels = np.concatenate([dataset.y_train, dataset.y_val])
    assert labels.dtype == np.int64 and set(labels) == set(range(len(table.class_names)))
    assert dataset.x_train.dtype == np.float32
    # Standardised by the training rows: mean 0 and spread 1 there (a constant column 0).
    assert np.allclose(dataset.x_train.mean(axis=0), 0, atol=1e-5)
    spread = dataset.x_train.std(axis=0)
    assert np.all(np.isclose(spread, 1, atol=1e-4) | np.isclose(spread, 0))
    assert table.source and "CC BY 4.0" in table.source
    assert table.path.parent == TABLES_FOLDER and table.path.is_file()


def test_the_validation_rows_are_scaled_by_the_training_rows_statistics():
    raw = np.loadtxt(TABLE_DATASETS["wine"].path, delimiter=",", skiprows=1)[:, :-1]
    config = DataConfig(name="wine", val_fraction=0.3, seed=1)
    dataset = load(config)
    order = np.random.default_rng(1).permutation(len(raw))
    n_train = len(raw) - round(len(raw) * 0.3)
    train, val = raw[order[:n_train]], raw[order[n_train:]]
    expected = (val - train.mean(axis=0)) / train.std(axis=0)
    assert np.allclose(dataset.x_val, expected, atol=1e-5)


def test_the_seed_picks_the_split_and_the_same_seed_the_same_one():
    first, again, other = (load(DataConfig(name="iris", seed=s)) for s in (0, 0, 1))
    assert np.array_equal(first.x_val, again.x_val) and np.array_equal(first.y_val, again.y_val)
    assert not np.array_equal(first.x_val, other.x_val)


def test_a_table_experiment_saves_only_what_a_table_reads():
    experiment = Experiment.load(TABLES_FOLDER.parent / "examples" / "iris.json").with_changes(
        data=DataConfig(name="digits", val_fraction=0.1, seed=4, samples=55)
    )
    data = Experiment.from_json(experiment.to_json()).to_dict()["data"]
    assert data == {"name": "digits", "val_fraction": 0.1, "seed": 4}
    assert set(used_fields(experiment.data)) == {"name", "val_fraction", "seed"}


def test_a_bad_validation_share_is_one_sentence():
    with pytest.raises(ValueError, match="val_fraction must be between 0 and 0.9, got 0.95"):
        load(DataConfig(name="iris", val_fraction=0.95))
