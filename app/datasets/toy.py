"""Generated toy datasets: the same config and seed always give the same points, offline."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.datasets import DataConfig, Dataset
from models.spec import Task

MAX_SAMPLES = 1_000_000


@dataclass(frozen=True)
class ToyDataset:
    """A generator with what the data panel needs to describe and configure it."""

    name: str
    title: str
    description: str
    task_kind: str  # "classification" or "regression"
    input_dim: int
    default_noise: float
    classes_label: str | None  # "classes" or "arms" when the count is a parameter, else None
    fixed_classes: int  # class count when it is not a parameter (1 target for regression)
    make: Callable[[np.random.Generator, int, float, int], tuple[np.ndarray, np.ndarray]]

    def task(self, classes: int) -> Task:
        outputs = classes if self.classes_label else self.fixed_classes
        return Task(self.task_kind, outputs)


def _split_counts(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _labels(counts: list[int]) -> np.ndarray:
    return np.concatenate([np.full(n, k, dtype=np.int64) for k, n in enumerate(counts)])


def _two_moons(rng: np.random.Generator, n: int, noise: float, classes: int):
    outer, inner = _split_counts(n, 2)
    t_outer = rng.uniform(0, np.pi, outer)
    t_inner = rng.uniform(0, np.pi, inner)
    x = np.concatenate(
        [
            np.stack([np.cos(t_outer), np.sin(t_outer)], 1),
            np.stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)], 1),
        ]
    )
    x = x - [0.5, 0.25]
    return x + rng.normal(0, noise, x.shape), _labels([outer, inner])


def _circles(rng: np.random.Generator, n: int, noise: float, classes: int):
    outer, inner = _split_counts(n, 2)
    angles = rng.uniform(0, 2 * np.pi, n)
    radius = np.concatenate([np.ones(outer), np.full(inner, 0.5)])
    x = np.stack([radius * np.cos(angles), radius * np.sin(angles)], 1)
    return x + rng.normal(0, noise, x.shape), _labels([outer, inner])


def _spirals(rng: np.random.Generator, n: int, noise: float, arms: int):
    counts = _split_counts(n, arms)
    labels = _labels(counts)
    radius = np.concatenate([rng.uniform(0.05, 1, c) for c in counts])
    angle = radius * 3 * np.pi + labels * (2 * np.pi / arms)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
    return x + rng.normal(0, noise, x.shape), labels


def _xor(rng: np.random.Generator, n: int, noise: float, classes: int):
    x = rng.uniform(-1, 1, (n, 2))
    labels = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    return x + rng.normal(0, noise, x.shape), labels


def _blobs(rng: np.random.Generator, n: int, noise: float, classes: int):
    counts = _split_counts(n, classes)
    labels = _labels(counts)
    angles = 2 * np.pi * labels / classes
    centers = 2 * np.stack([np.cos(angles), np.sin(angles)], 1)
    return centers + rng.normal(0, noise, (n, 2)), labels


def _line(rng: np.random.Generator, n: int, noise: float, classes: int):
    x = rng.uniform(-2, 2, (n, 1))
    return x, 4 * x + 3 + rng.normal(0, noise, (n, 1))


def _sine(rng: np.random.Generator, n: int, noise: float, classes: int):
    x = rng.uniform(-np.pi, np.pi, (n, 1))
    return x, np.sin(x) + rng.normal(0, noise, (n, 1))


TOY_DATASETS: dict[str, ToyDataset] = {
    d.name: d
    for d in (
        ToyDataset(
            "two_moons",
            "Two moons",
            "Two interleaved half circles: a line cannot split them, a small MLP can.",
            "classification",
            2,
            0.1,
            None,
            2,
            _two_moons,
        ),
        ToyDataset(
            "circles",
            "Circles",
            "A ring around a disc: the boundary the model must learn is a circle.",
            "classification",
            2,
            0.08,
            None,
            2,
            _circles,
        ),
        ToyDataset(
            "spirals",
            "Spirals",
            "Arms winding around the centre: hard, needs depth and patience.",
            "classification",
            2,
            0.03,
            "arms",
            2,
            _spirals,
        ),
        ToyDataset(
            "xor",
            "XOR",
            "Opposite quadrants share a class: the classic problem no single neuron solves.",
            "classification",
            2,
            0.05,
            None,
            2,
            _xor,
        ),
        ToyDataset(
            "blobs",
            "Gaussian blobs",
            "Round clouds of points, one per class: easy, even for a linear model.",
            "classification",
            2,
            0.5,
            "classes",
            3,
            _blobs,
        ),
        ToyDataset(
            "line",
            "Line regression",
            "y = 4x + 3 plus noise: one Linear layer recovers the slope and the intercept.",
            "regression",
            1,
            0.5,
            None,
            1,
            _line,
        ),
        ToyDataset(
            "sine",
            "Sine regression",
            "y = sin(x) plus noise: a curve that needs hidden units and a nonlinearity.",
            "regression",
            1,
            0.1,
            None,
            1,
            _sine,
        ),
    )
}


def check_config(config: DataConfig) -> str | None:
    """One sentence saying what is wrong with a toy config, or None."""
    toy = TOY_DATASETS.get(config.name)
    if toy is None:
        return f"unknown dataset {config.name!r} (known: {', '.join(TOY_DATASETS)})"
    if not 4 <= config.samples <= MAX_SAMPLES:
        return f"samples must be between 4 and {MAX_SAMPLES}, got {config.samples}"
    if not 0 <= config.noise <= 10:
        return f"noise must be between 0 and 10, got {config.noise}"
    if toy.classes_label and not 2 <= config.classes <= 10:
        return f"{toy.classes_label} must be between 2 and 10, got {config.classes}"
    if not 0 <= config.val_fraction <= 0.9:
        return f"val_fraction must be between 0 and 0.9, got {config.val_fraction}"
    return None


def generate(config: DataConfig) -> Dataset:
    """Make the points, shuffle them with the seed, and split off the validation part."""
    problem = check_config(config)
    if problem:
        raise ValueError(problem)
    toy = TOY_DATASETS[config.name]
    rng = np.random.default_rng(config.seed)
    x, y = toy.make(rng, config.samples, config.noise, config.classes)
    order = rng.permutation(config.samples)
    x = x[order].astype(np.float32)
    y = y[order] if toy.task_kind == "classification" else y[order].astype(np.float32)
    n_val = int(round(config.samples * config.val_fraction))
    n_train = config.samples - n_val
    task = toy.task(config.classes)
    names = tuple(f"class {k}" for k in range(task.outputs)) if task.is_classification else ()
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], task, names)


@functools.lru_cache(maxsize=2)
def generate_for_views(config: DataConfig) -> Dataset:
    """generate(), remembered for the last two configs, so the window's views (the data
    preview and the decision boundary) make each dataset once. Read-only for its callers."""
    return generate(config)
