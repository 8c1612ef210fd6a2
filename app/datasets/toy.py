"""Generated toy datasets: the same config and seed always give the same points, offline.

Each dataset is one entry of TOY_DATASETS: its texts, its task, its generator and the
parameters of its own (ToyParam), which the Data panel turns into form rows as the layer
catalog's parameters become the inspector's. A new dataset is one entry and one generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from app.datasets import DATA_RANGES, DataConfig, Dataset, Described
from models.spec import Task
from models.translation import N_, _

# The DataConfig fields every toy dataset reads (`subset` is for images only).
TOY_FIELDS = ("name", "samples", "noise", "val_fraction", "seed")

# A generator: (random generator, points, noise, the dataset's own parameter values) -> x, y.
Generator = Callable[
    [np.random.Generator, int, float, Mapping[str, float]], tuple[np.ndarray, np.ndarray]
]


@dataclass(frozen=True)
class ToyParam:
    """A parameter of one toy dataset's own, with what the Data panel needs to edit it.

    Its value lives in DataConfig.params, except `classes`, which is DataConfig.classes (the
    class count, which older files and the task read).
    """

    name: str
    type: str  # "int" or "float"
    default: float
    minimum: float
    maximum: float
    english_label: str  # the form's row label, marked N_(): `label` is it translated
    english_help: str  # the row's tooltip, without the range (the form adds it): `help`

    @property
    def label(self) -> str:
        """The form's row label, in the current language."""
        return _(self.english_label)

    @property
    def help(self) -> str:
        """The row's tooltip, without the range, in the current language."""
        return _(self.english_help)

    def problem(self, value: object) -> str | None:
        """One sentence when `value` is not a value of this parameter, else None."""
        # Named as the form names it, and as the file does where that differs: "arms (classes)".
        word = self.label.lower()
        if word != self.name:
            # Translators: a dataset parameter as the form names it, then as the file does.
            word = _("{label} ({name})").format(label=word, name=self.name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _("{name} must be a number, got {value}").format(name=word, value=repr(value))
        if not math.isfinite(value) or (self.type == "int" and not float(value).is_integer()):
            if self.type == "int":
                text = _("{name} must be a whole number, got {value}")
            else:
                text = _("{name} must be a finite number, got {value}")
            return text.format(name=word, value=repr(value))
        if not self.minimum <= value <= self.maximum:
            low, high = _number(self.minimum), _number(self.maximum)
            return _("{name} must be between {low} and {high}, got {value}").format(
                name=word, low=low, high=high, value=_number(value)
            )
        return None


@dataclass(frozen=True)
class ToyDataset(Described):
    """A generator with what the data panel needs to describe and configure it."""

    name: str
    english_title: str  # marked N_(): `title` is it in the current language
    english_description: str  # marked N_(): `description` is it translated
    task_kind: str  # "classification" or "regression"
    input_dim: int
    default_noise: float
    outputs: int  # classes (1 target for regression), unless a `classes` parameter sets it
    make: Generator
    params: tuple[ToyParam, ...] = ()

    def param(self, name: str) -> ToyParam | None:
        return next((param for param in self.params if param.name == name), None)

    def values(self, config: DataConfig) -> dict[str, float]:
        """The value of each of its own parameters in `config` (defaults where not set)."""
        return {
            param.name: config.classes
            if param.name == "classes"
            else config.param(param.name, param.default)
            for param in self.params
        }

    def task(self, config: DataConfig) -> Task:
        outputs = config.classes if self.param("classes") else self.outputs
        return Task(self.task_kind, outputs)

    @property
    def fields(self) -> tuple[str, ...]:
        """The DataConfig fields this dataset reads: a saved file holds only these."""
        classes = ("classes",) if self.param("classes") else ()
        own = ("params",) if any(param.name != "classes" for param in self.params) else ()
        return (*TOY_FIELDS, *classes, *own)


def _number(value: float) -> str:
    """1000000 as "1000000", 0.9 as "0.9", 10.0 as "10": as a user writes them."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _classes(label: str, help: str) -> ToyParam:
    """The class count as a parameter (DataConfig.classes), named for the dataset."""
    low, high = DATA_RANGES["classes"]
    return ToyParam("classes", "int", 3, low, high, label, help)


def _split_counts(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _labels(counts: list[int]) -> np.ndarray:
    return np.concatenate([np.full(n, k, dtype=np.int64) for k, n in enumerate(counts)])


def _two_moons(rng: np.random.Generator, n: int, noise: float, params: Mapping):
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


def _circles(rng: np.random.Generator, n: int, noise: float, params: Mapping):
    outer, inner = _split_counts(n, 2)
    angles = rng.uniform(0, 2 * np.pi, n)
    radius = np.concatenate([np.ones(outer), np.full(inner, 0.5)])
    x = np.stack([radius * np.cos(angles), radius * np.sin(angles)], 1)
    return x + rng.normal(0, noise, x.shape), _labels([outer, inner])


def _spirals(rng: np.random.Generator, n: int, noise: float, params: Mapping):
    arms = int(params["classes"])
    counts = _split_counts(n, arms)
    labels = _labels(counts)
    radius = np.concatenate([rng.uniform(0.05, 1, c) for c in counts])
    angle = radius * 3 * np.pi + labels * (2 * np.pi / arms)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
    return x + rng.normal(0, noise, x.shape), labels


def _xor(rng: np.random.Generator, n: int, noise: float, params: Mapping):
    x = rng.uniform(-1, 1, (n, 2))
    labels = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    return x + rng.normal(0, noise, x.shape), labels


def _blobs(rng: np.random.Generator, n: int, noise: float, params: Mapping):
    classes = int(params["classes"])
    counts = _split_counts(n, classes)
    labels = _labels(counts)
    angles = 2 * np.pi * labels / classes
    centers = 2 * np.stack([np.cos(angles), np.sin(angles)], 1)
    return centers + rng.normal(0, noise, (n, 2)), labels


def _line(rng: np.random.Generator, n: int, noise: float, params: Mapping):
    x = rng.uniform(-2, 2, (n, 1))
    return x, 4 * x + 3 + rng.normal(0, noise, (n, 1))


def _sine(rng: np.random.Generator, n: int, noise: float, params: Mapping):
    x = rng.uniform(-np.pi, np.pi, (n, 1))
    return x, np.sin(x) + rng.normal(0, noise, (n, 1))


def _checkerboard(rng: np.random.Generator, n: int, noise: float, params: Mapping):
    squares = int(params["squares"])
    x = rng.uniform(-1, 1, (n, 2))
    cells = np.minimum(((x + 1) / 2 * squares).astype(np.int64), squares - 1)
    labels = (cells[:, 0] + cells[:, 1]) % 2
    return x + rng.normal(0, noise, x.shape), labels


TOY_DATASETS: dict[str, ToyDataset] = {
    d.name: d
    for d in (
        ToyDataset(
            name="two_moons",
            english_title=N_("Two moons"),
            english_description=N_(
                "Two interleaved half circles: a line cannot split them, a small MLP can."
            ),
            task_kind="classification",
            input_dim=2,
            default_noise=0.1,
            outputs=2,
            make=_two_moons,
        ),
        ToyDataset(
            name="circles",
            english_title=N_("Circles"),
            english_description=N_(
                "A ring around a disc: the boundary the model must learn is a circle."
            ),
            task_kind="classification",
            input_dim=2,
            default_noise=0.08,
            outputs=2,
            make=_circles,
        ),
        ToyDataset(
            name="spirals",
            english_title=N_("Spirals"),
            english_description=N_(
                "Arms winding around the centre: hard, needs depth and patience."
            ),
            task_kind="classification",
            input_dim=2,
            default_noise=0.03,
            outputs=2,
            make=_spirals,
            params=(_classes(N_("Arms"), N_("How many spiral arms to make, one class each")),),
        ),
        ToyDataset(
            name="xor",
            english_title=N_("XOR"),
            english_description=N_(
                "Opposite quadrants share a class: the classic problem no single neuron solves."
            ),
            task_kind="classification",
            input_dim=2,
            default_noise=0.05,
            outputs=2,
            make=_xor,
        ),
        ToyDataset(
            name="blobs",
            english_title=N_("Gaussian blobs"),
            english_description=N_(
                "Round clouds of points, one per class: easy, even for a linear model."
            ),
            task_kind="classification",
            input_dim=2,
            default_noise=0.5,
            outputs=3,
            make=_blobs,
            params=(_classes(N_("Classes"), N_("How many classes to make, one cloud each")),),
        ),
        ToyDataset(
            name="checkerboard",
            english_title=N_("Checkerboard"),
            english_description=N_(
                "Squares of two colours: more squares need more hidden units. With 2 squares "
                "per side it is XOR."
            ),
            task_kind="classification",
            input_dim=2,
            default_noise=0.02,
            outputs=2,
            make=_checkerboard,
            params=(
                ToyParam(
                    "squares",
                    "int",
                    4,
                    2,
                    8,
                    N_("Squares"),
                    N_(
                        "How many squares along each side: each one more is another boundary "
                        "to learn, and more hidden units to learn it"
                    ),
                ),
            ),
        ),
        ToyDataset(
            name="line",
            english_title=N_("Line regression"),
            english_description=N_(
                "y = 4x + 3 plus noise: one Linear layer recovers the slope and the intercept."
            ),
            task_kind="regression",
            input_dim=1,
            default_noise=0.5,
            outputs=1,
            make=_line,
        ),
        ToyDataset(
            name="sine",
            english_title=N_("Sine regression"),
            english_description=N_(
                "y = sin(x) plus noise: a curve that needs hidden units and a nonlinearity."
            ),
            task_kind="regression",
            input_dim=1,
            default_noise=0.1,
            outputs=1,
            make=_sine,
        ),
    )
}


def with_defaults(config: DataConfig) -> DataConfig:
    """`config` with each of its toy dataset's own parameters written out, defaults
    included, so a file that leaves one out reads as the Data panel shows it."""
    toy = TOY_DATASETS.get(config.name)
    if toy is None:
        return config
    unset = {
        param.name: param.default
        for param in toy.params
        if param.name != "classes" and param.name not in dict(config.params)
    }
    return config.with_params(**unset) if unset else config


def check_config(config: DataConfig) -> str | None:
    """One sentence saying what is wrong with a toy config, or None."""
    toy = TOY_DATASETS.get(config.name)
    if toy is None:
        return _("unknown dataset {name} (known: {known})").format(
            name=repr(config.name), known=", ".join(TOY_DATASETS)
        )
    for key in ("samples", "noise", "val_fraction"):
        value = getattr(config, key)
        low, high = DATA_RANGES[key]
        if not low <= value <= high:
            return _("{name} must be between {low} and {high}, got {value}").format(
                name=key, low=_number(low), high=_number(high), value=value
            )
    unknown = [
        name for name, _value in config.params if toy.param(name) is None or name == "classes"
    ]
    if unknown:
        own = ", ".join(p.name for p in toy.params if p.name != "classes")
        if not own:
            return _("{dataset} has no parameter {name} (its own: none)").format(
                dataset=toy.name, name=repr(unknown[0])
            )
        return _("{dataset} has no parameter {name} (its own: {own})").format(
            dataset=toy.name, name=repr(unknown[0]), own=own
        )
    values = toy.values(config)
    for param in toy.params:
        problem = param.problem(values[param.name])
        if problem:
            return problem
    return None


def generate(config: DataConfig) -> Dataset:
    """Make the points, shuffle them with the seed, and split off the validation part."""
    problem = check_config(config)
    if problem:
        raise ValueError(problem)
    toy = TOY_DATASETS[config.name]
    rng = np.random.default_rng(config.seed)
    x, y = toy.make(rng, config.samples, config.noise, toy.values(config))
    order = rng.permutation(config.samples)
    x = x[order].astype(np.float32)
    y = y[order] if toy.task_kind == "classification" else y[order].astype(np.float32)
    n_val = int(round(config.samples * config.val_fraction))
    n_train = config.samples - n_val
    task = toy.task(config)
    classes = range(task.outputs) if task.is_classification else ()
    names = tuple(_("class {index}").format(index=k) for k in classes)
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:], task, names)
