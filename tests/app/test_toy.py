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


# A dataset with a parameter of its own: the checkerboard's squares per side ------------------


def _cells(x: np.ndarray, squares: int) -> np.ndarray:
    return np.minimum(((x + 1) / 2 * squares).astype(np.int64), squares - 1)


@pytest.mark.parametrize("squares", [2, 5, 8])
def test_checkerboard_colours_alternate_square_by_square(squares):
    config = DataConfig("checkerboard", samples=4000, noise=0.0).with_params(squares=squares)
    data = load(config)
    cells = _cells(data.x_train, squares)
    assert np.array_equal(data.y_train, (cells[:, 0] + cells[:, 1]) % 2)
    assert len(np.unique(cells[:, 0] * squares + cells[:, 1])) == squares**2  # every square
    assert 0.4 < data.y_train.mean() < 0.6


def test_two_squares_per_side_is_xor():
    data = load(DataConfig("checkerboard", samples=1000, noise=0.0).with_params(squares=2))
    x = data.x_train
    assert np.array_equal(data.y_train, (x[:, 0] * x[:, 1] < 0).astype(np.int64))


def test_a_left_out_parameter_takes_its_default():
    default = TOY_DATASETS["checkerboard"].param("squares").default
    assert load(DataConfig("checkerboard")).x_train.shape == (800, 2)
    plain = load(DataConfig("checkerboard", seed=3))
    explicit = load(DataConfig("checkerboard", seed=3).with_params(squares=default))
    assert np.array_equal(plain.y_train, explicit.y_train)


@pytest.mark.parametrize(
    "config, words",
    [
        (DataConfig("checkerboard").with_params(squares=9), "squares must be between 2 and 8"),
        (DataConfig("checkerboard").with_params(squares=2.5), "squares must be a whole number"),
        (DataConfig("checkerboard").with_params(rows=3), "checkerboard has no parameter 'rows'"),
        (DataConfig("two_moons").with_params(squares=3), "two_moons has no parameter"),
    ],
)
def test_bad_own_parameters_are_named(config, words):
    assert words in check_config(config)


def test_checkerboard_saves_its_squares_reloads_them_and_trains_in_the_cli(tmp_path):
    import json

    from app.cli import main
    from app.experiment import Experiment, TrainConfig

    data = DataConfig("checkerboard", samples=200).with_params(squares=3)
    experiment = Experiment(data=data, train=TrainConfig(epochs=2), title="Checkerboard")
    path = tmp_path / "checkerboard.json"
    path.write_text(experiment.to_json())
    assert json.loads(path.read_text())["data"]["params"] == {"squares": 3}
    assert Experiment.load(path) == experiment
    assert main(["train", str(path), "--out", str(tmp_path / "run")]) == 0
    written = Experiment.load(tmp_path / "run" / "experiment.json")
    assert written.data.params == (("squares", 3),)
    assert len((tmp_path / "run" / "metrics.csv").read_text().splitlines()) == 3  # head, 2 epochs
