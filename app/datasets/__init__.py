"""Datasets: a DataConfig names one and its parameters; load() turns it into arrays.

Three families: generated toy points (app.datasets.toy), small real tables shipped as CSV
(app.datasets.tables) and torchvision images (app.datasets.vision). The questions the
window asks before any data exists (task, input shape, is the config valid) are answered
here without torch.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from models.spec import Task
from models.translation import _

SEED_RANGE = (0, 2**31 - 1)  # seeds of the data and of training: what torch.manual_seed takes

# (low, high) of every number of a DataConfig: the experiment's validation, the toy datasets'
# checks and the Data panel's boxes all read them here.
DATA_RANGES: dict[str, tuple[float, float]] = {
    "samples": (4, 1_000_000),
    "noise": (0.0, 10.0),
    "classes": (2, 10),
    "val_fraction": (0.0, 0.9),
    "seed": SEED_RANGE,
    "subset": (0, 1_000_000),
}


# The DataConfig fields an image dataset reads: the images are the dataset's, `subset` says
# how many train and `seed` which (app.datasets.vision.load).
IMAGE_FIELDS = ("name", "seed", "subset")


class Described:
    """A dataset's name and description in the current language: each kind keeps its English
    in `english_title` and `english_description`, marked N_() where written."""

    english_title: str
    english_description: str

    @property
    def title(self) -> str:
        """The dataset's name as the Data panel lists it."""
        return _(self.english_title)

    @property
    def description(self) -> str:
        """What the Data panel says about the dataset."""
        return _(self.english_description)


@dataclass(frozen=True)
class DataConfig:
    """Which dataset and how to make it. `classes` is the class count (blobs) or arms (spirals).
    `subset` is how many training images an image dataset uses (0: all of them). `params`
    holds the values of a toy dataset's own parameters (app.datasets.toy.ToyParam), sorted by
    name; one left out takes its default. A tuple, not a dict, so configs stay hashable.
    `path` and `target` are a CSV file of the user's and its column to predict ("": the
    last one)."""

    name: str = "two_moons"
    samples: int = 1000
    noise: float = 0.1
    classes: int = 3
    val_fraction: float = 0.2
    seed: int = 0
    subset: int = 0
    params: tuple[tuple[str, float], ...] = ()
    path: str = ""
    target: str = ""

    def param(self, name: str, default: float) -> float:
        """The value of the dataset's own parameter `name`, or `default` when not set."""
        return dict(self.params).get(name, default)

    def with_params(self, **values: float) -> DataConfig:
        """This config with these of the dataset's own parameters set."""
        return replace(self, params=tuple(sorted({**dict(self.params), **values}.items())))


@dataclass(frozen=True)
class Dataset:
    """Training and validation arrays. Inputs are float32, or, for images, uint8 pixels
    (N, C, H, W) that the engine scales by `normalization` (per-channel mean and std of the
    0..1 values) on the device. Labels are int64 (classes) or float32 (regression)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task: Task
    class_names: tuple[str, ...] = ()
    normalization: tuple[tuple[float, ...], tuple[float, ...]] | None = None

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])


def shown_counts(n_train: int, n_val: int, limit: int) -> tuple[int, int]:
    """How many points of each split a view draws: all, or `limit` in proportion. The points
    are shuffled by the seed, so the first ones of each split are a fair sample."""
    total = n_train + n_val
    if total <= limit:
        return n_train, n_val
    return n_train * limit // total, n_val * limit // total


def is_vision(config: DataConfig) -> bool:
    from app.datasets.vision import VISION_DATASETS

    return config.name in VISION_DATASETS


def dataset_names() -> tuple[str, ...]:
    from app.datasets.tables import CSV_NAME, TABLE_DATASETS
    from app.datasets.toy import TOY_DATASETS
    from app.datasets.vision import VISION_DATASETS

    return (*TOY_DATASETS, *TABLE_DATASETS, CSV_NAME, *VISION_DATASETS)


def check_config(config: DataConfig) -> str | None:
    """One sentence saying what is wrong with the config, or None."""
    from app.datasets import tables, toy, vision

    if config.name in vision.VISION_DATASETS:
        return vision.check_config(config)
    if tables.is_table(config):
        return tables.check_config(config)
    return toy.check_config(config)


def shape_mismatch(model_shape: tuple[int, ...], data_shape: tuple[int, ...]) -> str | None:
    """The sentence for a model whose input is not the data's, or None when they fit."""
    if model_shape == data_shape:
        return None
    return _(
        "The model expects inputs of shape {model}, but the data has {data}; "
        "set the model's input shape to match."
    ).format(model=model_shape, data=data_shape)


def data_problem(config: DataConfig) -> str | None:
    """check_config, and for the user's CSV file what is wrong inside it: what keeps this
    data from training now (image files that are missing aside: vision.is_present)."""
    from app.datasets import tables

    return check_config(config) or tables.file_problem(config)


def used_fields(config: DataConfig) -> tuple[str, ...]:
    """The DataConfig fields this config's dataset reads (the others are left at whatever
    the form last held), so a saved file holds only what means something for its data."""
    from app.datasets.tables import CSV_FIELDS, CSV_NAME, TABLE_DATASETS, TABLE_FIELDS
    from app.datasets.toy import TOY_DATASETS

    toy = TOY_DATASETS.get(config.name)
    if toy is not None:
        return toy.fields
    if config.name == CSV_NAME:
        return CSV_FIELDS
    return TABLE_FIELDS if config.name in TABLE_DATASETS else IMAGE_FIELDS


def data_task(config: DataConfig) -> Task:
    """What the model must output for this data."""
    from app.datasets import tables
    from app.datasets.toy import TOY_DATASETS
    from app.datasets.vision import VISION_DATASETS

    if config.name in VISION_DATASETS:
        return Task("classification", len(VISION_DATASETS[config.name].class_names))
    if tables.is_table(config):
        return tables.table_task(config)
    return TOY_DATASETS[config.name].task(config)


def data_input_shape(config: DataConfig) -> tuple[int, ...] | None:
    """The shape of one input, without the batch; None while it cannot be known (a CSV file
    that cannot be read: data_problem says why)."""
    from app.datasets import tables
    from app.datasets.toy import TOY_DATASETS
    from app.datasets.vision import VISION_DATASETS

    if config.name in VISION_DATASETS:
        return VISION_DATASETS[config.name].input_shape
    if tables.is_table(config):
        return tables.table_input_shape(config)
    return (TOY_DATASETS[config.name].input_dim,)


@functools.lru_cache(maxsize=2)
def load_for_views(config: DataConfig) -> Dataset:
    """load() of generated points or a shipped table (not images), remembered for the last
    two configs, so the window's views (the data preview and the decision boundary) make
    each dataset once. Read-only for its callers."""
    return load(config)


def load(config: DataConfig, data_root: str | Path | None = None) -> Dataset:
    """The arrays for this config. Image datasets read `data_root` (default: the standard
    folder) and raise vision.DataMissing with a how-to when their files are not there."""
    from app.datasets import tables, toy, vision

    if config.name in vision.VISION_DATASETS:
        return vision.load(config, Path(data_root) if data_root else vision.default_data_root())
    if tables.is_table(config):
        return tables.load(config)
    return toy.generate(config)
