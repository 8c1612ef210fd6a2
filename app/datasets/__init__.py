"""Datasets: a DataConfig names one and its parameters; load() turns it into arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.spec import Task


@dataclass(frozen=True)
class DataConfig:
    """Which dataset and how to make it. `classes` is the class count (blobs) or arms (spirals)."""

    name: str = "two_moons"
    samples: int = 1000
    noise: float = 0.1
    classes: int = 3
    val_fraction: float = 0.2
    seed: int = 0


@dataclass(frozen=True)
class Dataset:
    """Training and validation arrays. Inputs are float32; labels int64 (classes) or float32."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task: Task
    class_names: tuple[str, ...] = ()

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


def load(config: DataConfig) -> Dataset:
    from app.datasets.toy import generate

    return generate(config)
