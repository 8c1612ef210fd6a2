"""Tables: the small real datasets shipped as CSV (resources/datasets/: Iris, Wine, breast
cancer and the 8x8 handwritten digits), and the user's own CSV file (`csv`, read by
app.datasets.csv_file). No download, no torch.

Each table's rows are shuffled by the seed and split like the toy datasets'; every feature
is then standardised with the training rows' mean and standard deviation (the validation
rows never inform the scaling), since raw features on scales from 0.01 to 1,000 train badly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.datasets import DATA_RANGES, DataConfig, Dataset, Described
from app.datasets.csv_file import CsvError, read_csv
from models.spec import Task
from models.translation import N_, _

TABLES_FOLDER = Path(__file__).resolve().parents[2] / "resources" / "datasets"
TABLE_FIELDS = ("name", "val_fraction", "seed")  # the DataConfig fields a table reads
CSV_NAME = "csv"  # the user's own file: DataConfig.path, and DataConfig.target to predict
CSV_FIELDS = ("name", "path", "target", "val_fraction", "seed")


@dataclass(frozen=True)
class TableDataset(Described):
    """One shipped table and what the Data panel says about it."""

    name: str
    english_title: str  # marked N_(): `title` is it in the current language
    english_description: str  # marked N_(): `description` is it translated
    file: str  # in TABLES_FOLDER
    features: int
    class_names: tuple[str, ...]
    source: str  # who made it, and its licence (resources/datasets/README.md)

    @property
    def path(self) -> Path:
        return TABLES_FOLDER / self.file

    @property
    def task(self) -> Task:
        return Task("classification", len(self.class_names))


_UCI = "UCI Machine Learning Repository, CC BY 4.0"

TABLE_DATASETS: dict[str, TableDataset] = {
    table.name: table
    for table in (
        TableDataset(
            "iris",
            N_("Iris flowers (150 rows)"),
            N_(
                "Four measurements of each flower (sepal and petal, in cm) to tell three kinds of "
                "iris apart. Fisher's classic: one kind is easy, two overlap a little."
            ),
            "iris.csv",
            4,
            ("setosa", "versicolor", "virginica"),
            f"R. A. Fisher (1936); {_UCI}",
        ),
        TableDataset(
            "wine",
            N_("Wine cultivars (178 rows)"),
            N_(
                "13 chemical measurements of wines from three grape cultivars. Few rows and many "
                "features: a small model reaches 95% or more, a large one overfits."
            ),
            "wine.csv",
            13,
            ("cultivar 1", "cultivar 2", "cultivar 3"),
            f"M. Forina et al.; {_UCI}",
        ),
        TableDataset(
            "breast_cancer",
            N_("Breast cancer diagnosis (569 rows)"),
            N_(
                "30 measurements of cell nuclei from a breast mass: malignant or benign. Real "
                "medical data where a wrong guess has a cost: watch the confusion matrix."
            ),
            "breast_cancer.csv",
            30,
            ("malignant", "benign"),
            f"W. H. Wolberg, W. N. Street, O. L. Mangasarian; {_UCI}",
        ),
        TableDataset(
            "digits",
            N_("Handwritten digits, 8x8 (1,797 rows)"),
            N_(
                "Each digit 0-9 as 64 pixel values (0-16) in a row: MNIST's little sibling, "
                "small enough for an MLP to learn in seconds."
            ),
            "digits.csv",
            64,
            tuple(str(digit) for digit in range(10)),
            f"E. Alpaydin, C. Kaynak; {_UCI}",
        ),
    )
}


def is_table(config: DataConfig) -> bool:
    return config.name in TABLE_DATASETS or config.name == CSV_NAME


def check_config(config: DataConfig) -> str | None:
    """One sentence saying what is wrong with a table's settings, or None. A CSV file's
    contents are file_problem's: an experiment whose file moved still opens, to point it
    at the file again."""
    low, high = DATA_RANGES["val_fraction"]
    if not low <= config.val_fraction <= high:
        return _("{name} must be between {low} and {high}, got {value}").format(
            name="val_fraction", low=f"{low:g}", high=f"{high:g}", value=config.val_fraction
        )
    return None


def file_problem(config: DataConfig) -> str | None:
    """What keeps the user's CSV file from training, in one sentence; None for a good one
    and for the shipped tables."""
    if config.name != CSV_NAME:
        return None
    if not config.path:
        return _("choose a CSV file")
    try:
        read_csv(config.path, config.target)
    except CsvError as error:
        return str(error)
    return None


def table_task(config: DataConfig) -> Task:
    """What the model must output; a CSV file that cannot be read counts as two classes
    until it can (file_problem says why)."""
    if config.name != CSV_NAME:
        return TABLE_DATASETS[config.name].task
    try:
        return read_csv(config.path, config.target).task
    except CsvError:
        return Task("classification", 2)


def table_input_shape(config: DataConfig) -> tuple[int, ...] | None:
    """One row's inputs; None while a CSV file cannot be read (the model keeps its own)."""
    if config.name != CSV_NAME:
        return (TABLE_DATASETS[config.name].features,)
    try:
        return (len(read_csv(config.path, config.target).features),)
    except CsvError:
        return None


def load(config: DataConfig) -> Dataset:
    """The table shuffled by the seed, split, and standardised by its training rows."""
    problem = check_config(config) or file_problem(config)
    if problem:
        raise ValueError(problem)
    if config.name == CSV_NAME:
        table = read_csv(config.path, config.target)
        x_all, y_all, task, names = table.x, table.y, table.task, table.class_names
    else:
        shipped = TABLE_DATASETS[config.name]
        (x_all, y_all), task, names = _read(shipped.name), shipped.task, shipped.class_names
    order = np.random.default_rng(config.seed).permutation(len(x_all))
    x_all, y_all = x_all[order], y_all[order]
    n_val = int(round(len(x_all) * config.val_fraction))
    n_train = len(x_all) - n_val
    x_train, x_val = x_all[:n_train], x_all[n_train:]
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0  # a constant feature (a digit's always-blank corner) stays 0

    def scaled(x: np.ndarray) -> np.ndarray:
        return ((x - mean) / std).astype(np.float32)

    if not task.is_classification:
        y_all = y_all.astype(np.float32)
    y_train, y_val = y_all[:n_train], y_all[n_train:]
    return Dataset(scaled(x_train), y_train, scaled(x_val), y_val, task, names)


@functools.cache
def _read(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The table's features (float64) and classes (int64), read once per process."""
    table = TABLE_DATASETS[name]
    data = np.loadtxt(table.path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    x, y = data[:, :-1], data[:, -1].astype(np.int64)
    if x.shape[1] != table.features or set(np.unique(y)) - set(range(len(table.class_names))):
        raise ValueError(
            _("{file} is not the {title} table LayerLab ships").format(
                file=table.file, title=table.title
            )
        )
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y
