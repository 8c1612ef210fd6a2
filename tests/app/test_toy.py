"""Toy datasets: seeded, split, labelled as their task says, fast enough to feel instant."""

import numpy as np
import pytest

from app.datasets import DataConfig, load
from app.datasets.toy import TOY_DATASETS, check_config

NAMES = sorted(TOY_DATASETS)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    first = load(DataConfig(name, samples=300, seed=7))
    again = load(DataConfig(name, samples=300, seed=7))
    other = load(DataConfig(name, samples=300, seed=8))
    assert np.array_equal(first.x_train, again.x_train)
    assert np.array_equal(first.y_val, again.y_val)
    assert not np.array_equal(first.x_train, other.x_train)


@pytest.mark.parametrize("name", NAMES)
def test_split_shapes_and_types_follow_the_task(name):
    data = load(DataConfig(name, samples=1000, val_fraction=0.25, classes=4))
    assert len(data.x_train) == 750 and len(data.x_val) == 250
    assert data.x_train.dtype == np.float32
    assert data.input_shape == (TOY_DATASETS[name].input_dim,)
    if data.task.is_classification:
        assert data.y_train.dtype == np.int64
        labels = np.concatenate([data.y_train, data.y_val])
        assert set(np.unique(labels)) == set(range(data.task.outputs))
    else:
        assert data.task.outputs == 1
        assert data.y_train.shape == (750, 1) and data.y_train.dtype == np.float32


def test_class_count_is_a_parameter_for_blobs_and_spirals():
    assert load(DataConfig("blobs", classes=5)).task.outputs == 5
    assert load(DataConfig("spirals", classes=4)).task.outputs == 4
    assert load(DataConfig("two_moons", classes=5)).task.outputs == 2


def test_line_follows_y_equals_4x_plus_3():
    data = load(DataConfig("line", samples=5000, noise=0.0))
    slope, intercept = np.polyfit(data.x_train[:, 0], data.y_train[:, 0], 1)
    assert slope == pytest.approx(4, abs=1e-4) and intercept == pytest.approx(3, abs=1e-4)


def test_noise_spreads_the_points():
    calm = load(DataConfig("circles", samples=2000, noise=0.0))
    radii = np.linalg.norm(calm.x_train, axis=1)
    assert np.allclose(np.sort(np.unique(np.round(radii, 5))), [0.5, 1.0])
    noisy = load(DataConfig("circles", samples=2000, noise=0.2))
    assert np.unique(np.round(np.linalg.norm(noisy.x_train, axis=1), 5)).size > 100


def test_classes_are_balanced():
    data = load(DataConfig("blobs", samples=1000, classes=3, val_fraction=0.0))
    assert sorted(np.bincount(data.y_train)) == [333, 333, 334]


@pytest.mark.parametrize(
    "config, words",
    [
        (DataConfig("nope"), "unknown dataset"),
        (DataConfig(samples=2), "samples"),
        (DataConfig(noise=-1), "noise"),
        (DataConfig("blobs", classes=11), "classes"),
        (DataConfig("spirals", classes=1), "arms"),
        (DataConfig(val_fraction=0.95), "val_fraction"),
    ],
)
def test_bad_configs_are_named(config, words):
    assert words in check_config(config)
    with pytest.raises(ValueError, match=words):
        load(config)


def test_ten_thousand_points_generate_at_once():
    data = load(DataConfig("spirals", samples=10_000, classes=3))
    assert len(data.x_train) + len(data.x_val) == 10_000
