"""Experiment = ModelSpec + DataConfig + TrainConfig, saved as versioned JSON.

Torch-free: names of devices, dtypes, optimizers and losses are checked here as text; the
engine maps them to torch objects and checks what this machine can actually run.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from app.classroom import ClassroomError, LessonMark, Locks
from app.datasets import (
    DATA_RANGES,
    SEED_RANGE,
    DataConfig,
    check_config,
    data_input_shape,
    dataset_names,
    used_fields,
)
from app.datasets.toy import with_defaults
from app.options import DTYPES, LOSSES, OPTIMIZERS, resolve_loss
from models.codegen import TrainingSketch, generate
from models.layers import AUTO
from models.spec import (
    LayerSpec,
    ModelSpec,
    SpecError,
    Task,
    first_unknown,
    named,
    read_json,
    shown,
    unknown_field,
)
from models.translation import N_, _

FORMAT = "layerlab-experiment"
VERSION = 1

# Matched whole (fullmatch: `$` would let "cpu\n" through), ASCII digits only (`\d` takes any
# script's), and few of them: the engine reads the index with int().
DEVICE_PATTERN = re.compile(r"cpu|mps|cuda(:[0-9]{1,4})?")

# The top-level fields of a file, as to_dict writes them.
FIELDS = ("format", "version", "title", "description", "model", "data", "train", "locks", "lesson")

# The largest experiment file read: the biggest model the catalog allows is far smaller, and a
# cap keeps a wrong file (a disk image, /dev/zero) from filling memory before JSON sees it.
MAX_FILE_BYTES = 10 * 1024 * 1024

# The title of an experiment nobody has named yet. Kept in English in the experiment (files
# and comparisons read it); shown as _(UNTITLED).
UNTITLED = N_("Untitled experiment")


class ExperimentError(ValueError):
    """An experiment file or value that cannot be used; the message is one sentence."""


@dataclass(frozen=True)
class TrainConfig:
    device: str = "cpu"
    dtype: str = "float32"
    optimizer: str = "adam"
    learning_rate: float = 0.01
    momentum: float = 0.9  # SGD and RMSprop
    nesterov: bool = False  # SGD
    weight_decay: float = 0.0
    loss: str = "auto"  # from the task: cross-entropy or MSE
    batch_size: int = 64
    epochs: int = 20
    seed: int = 0
    deterministic: bool = False
    histogram_every: int = 10  # steps between gradient/weight histograms


# (low, high) for every number of a TrainConfig (the data's are app.datasets.DATA_RANGES), and
# the allowed names for every text field.
RANGES = {
    "learning_rate": (1e-8, 100.0),
    "momentum": (0.0, 0.999),
    "weight_decay": (0.0, 1.0),
    "batch_size": (1, 65536),
    "epochs": (1, 100_000),
    "seed": SEED_RANGE,
    "histogram_every": (1, 100_000),
}
_CHOICES = {"dtype": tuple(DTYPES), "optimizer": tuple(OPTIMIZERS), "loss": tuple(LOSSES)}


def _default_model() -> ModelSpec:
    return ModelSpec(
        (2,),
        (
            LayerSpec.create("Linear", in_features=AUTO, out_features=16),
            LayerSpec.create("ReLU"),
            LayerSpec.create("Linear", out_features=2),
        ),
    )


@dataclass(frozen=True)
class Experiment:
    model: ModelSpec = field(default_factory=_default_model)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    title: str = UNTITLED
    description: str = ""
    locks: Locks = Locks()  # what the students who open the file cannot change or see
    lesson: LessonMark | None = None  # the lesson the file was saved in, and its step

    @classmethod
    def blank(cls) -> Experiment:
        """File > New: the default data and training, and a model with no layers yet whose
        input is what the data gives (the user adds the layers)."""
        data = DataConfig()
        return cls(model=ModelSpec(data_input_shape(data), ()), data=data)

    def with_changes(self, **changes: object) -> Experiment:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """The file's sections; `locks` and `lesson` only when there are any, so a file
        without them reads as it did before they existed."""
        written = {
            "format": FORMAT,
            "version": VERSION,
            "title": self.title,
            "description": self.description,
            "model": self.model.to_dict(),
            "data": _data_dict(self.data),
            "train": asdict(self.train),
        }
        if self.locks:
            written["locks"] = self.locks.to_dict()
        if self.lesson is not None:
            written["lesson"] = self.lesson.to_dict()
        return written

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: object) -> Experiment:
        if not isinstance(data, dict):
            raise ExperimentError(_("an experiment file must hold a JSON object"))
        data = migrate(data)
        unknown = first_unknown(data, FIELDS)
        if unknown is not None:
            raise ExperimentError(unknown_field(unknown, FIELDS))
        try:
            model = ModelSpec.from_dict(data.get("model"))
        except SpecError as error:
            raise ExperimentError(f"model: {error}") from None
        data_config = _data_section(data.get("data", {}))
        problem = check_config(data_config)
        if problem:
            raise ExperimentError(f"data: {problem}")
        train = _section(TrainConfig, data.get("train", {}), "train", RANGES)
        for key in ("title", "description"):
            _check_text(key, data.get(key, ""))
        try:
            train_fields = [f.name for f in fields(TrainConfig)]
            locks = Locks.from_dict(data.get("locks", {}), train_fields)
            lesson = LessonMark.from_dict(data["lesson"]) if "lesson" in data else None
        except ClassroomError as error:
            raise ExperimentError(str(error)) from None
        _check_text("locks.reason", locks.reason)
        return cls(
            model,
            data_config,
            train,
            data.get("title") or UNTITLED,
            data.get("description", ""),
            locks,
            lesson,
        )

    @classmethod
    def from_json(cls, text: str) -> Experiment:
        try:
            data = read_json(text)
        except SpecError as error:
            raise ExperimentError(str(error)) from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> Experiment:
        path = Path(path)
        try:
            text = _read_text(path)
        except FileNotFoundError:
            raise ExperimentError(_("{path} does not exist").format(path=path)) from None
        except UnicodeDecodeError as error:
            raise ExperimentError(
                _("{file} is not UTF-8 text (byte {byte}); save it as UTF-8").format(
                    file=path.name, byte=error.start
                )
            ) from None
        except OSError as error:
            raise ExperimentError(
                _("{path} cannot be read ({error})").format(
                    path=path, error=error.__class__.__name__
                )
            ) from None
        try:
            return cls.from_json(text)
        except ExperimentError as error:
            raise ExperimentError(f"{path.name}: {error}") from None


def title_from_file(path: str | Path) -> str:
    """The title an untitled experiment takes from the file it is first saved as: the file's
    name without its suffix, with `_` and `-` read as spaces ("my_moons.json" -> "my moons")."""
    words = Path(path).stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words) or UNTITLED


def _read_text(path: Path) -> str:
    """The file's text, refusing what is not a regular file or is over MAX_FILE_BYTES before
    reading it: a FIFO would wait forever for a writer, a device would never end."""
    # O_NONBLOCK: opening a FIFO to read blocks until a writer comes; it changes nothing for
    # regular files. The checks are on the opened file itself, so nothing can swap it between.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ExperimentError(
                _("{path} is not a regular file; choose an experiment file").format(path=path)
            )
        data = b""
        if info.st_size <= MAX_FILE_BYTES:
            with os.fdopen(descriptor, "rb", closefd=False) as file:
                data = file.read(MAX_FILE_BYTES + 1)  # +1: a file that grew past the cap shows
    finally:
        os.close(descriptor)
    if info.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        raise ExperimentError(
            _(
                "{path} is larger than {size} MB, too large for an experiment file; "
                "choose an experiment file"
            ).format(path=path, size=MAX_FILE_BYTES // (1024 * 1024))
        )
    return data.decode("utf-8")


def _check_text(key: str, value: object) -> None:
    """The title or description: text that can be saved as UTF-8 (a lone surrogate, which
    JSON's \\ud800 escapes can hold, would train and then fail when the run is written)."""
    if not isinstance(value, str):
        raise ExperimentError(_("{key} must be text").format(key=key))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ExperimentError(
            _(
                "{key} holds a character that cannot be saved (an unpaired surrogate at "
                "character {position}); remove it"
            ).format(key=key, position=error.start + 1)
        ) from None


def optimizer_options(train: TrainConfig) -> dict[str, object]:
    """The torch.optim keyword arguments this config means (the optimizer's own defaults aside)."""
    kind = OPTIMIZERS[train.optimizer]
    return kind.torch_options(
        train.learning_rate, train.weight_decay, train.momentum, train.nesterov
    )


def training_sketch(experiment: Experiment, task: Task) -> TrainingSketch:
    """The training settings as torch names, for generated source."""
    train = experiment.train
    return TrainingSketch(
        optimizer=OPTIMIZERS[train.optimizer].torch_class,
        optimizer_args=tuple(optimizer_options(train).items()),
        loss=resolve_loss(train.loss, task.is_classification).torch_class,
        batch_size=train.batch_size,
        epochs=train.epochs,
        seed=train.seed,
    )


def model_source(experiment: Experiment, task: Task) -> str:
    """Readable PyTorch source of the model, with the training settings written down."""
    return generate(
        experiment.model,
        title=experiment.title,
        task=task,
        training=training_sketch(experiment, task),
    )


def migrate(data: dict) -> dict:
    """Bring an experiment dict of any known version up to VERSION."""
    if data.get("format", FORMAT) != FORMAT:
        raise ExperimentError(
            _("this is not a LayerLab experiment (format {format})").format(
                format=shown(data.get("format"))
            )
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ExperimentError(_("the experiment has no version number"))
    if version > VERSION:
        raise ExperimentError(
            _(
                "the experiment is version {version}, newer than this LayerLab reads "
                "({readable}); update LayerLab"
            ).format(version=shown(version), readable=VERSION)
        )
    if version < 1:
        raise ExperimentError(
            _("unknown experiment version {version}").format(version=shown(version))
        )
    # Version 1 is the first; later versions add their upgrade steps here, oldest first.
    return data


def _data_dict(data: DataConfig) -> dict:
    """The data section as written: only the fields its dataset reads (a two-moons file
    says nothing of classes), `params` as an object when the dataset has parameters of its
    own. Files that still carry the other fields read as they always have."""
    used = used_fields(data)
    written = {key: value for key, value in asdict(data).items() if key in used}
    written.pop("params", None)
    if data.params:
        written["params"] = dict(data.params)
    return written


def _data_section(raw: object) -> DataConfig:
    """The data section: its plain fields as any section's, and `params`, an object of the
    dataset's own parameter values (checked by the dataset, in check_config)."""
    if not isinstance(raw, dict):
        raise ExperimentError(_("{key} must be an object").format(key="data"))
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise ExperimentError(
            _("{key} must be an object, got {value}").format(key="data.params", value=shown(params))
        )
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExperimentError(
                _("{label} must be a number, got {value}").format(
                    label=f"data.params.{named(key)}", value=shown(value)
                )
            )
        # The dataset checks the range in floats: refuse here what no float can hold.
        if abs(value) > sys.float_info.max:
            raise ExperimentError(
                _("{label} is too large, got {value}").format(
                    label=f"data.params.{named(key)}", value=shown(value)
                )
            )
    plain = {key: value for key, value in raw.items() if key != "params"}
    config = _section(DataConfig, plain, "data", DATA_RANGES, skip=("params",))
    return with_defaults(config.with_params(**params))


def _section(
    cls: type,
    raw: object,
    name: str,
    ranges: dict[str, tuple[float, float]],
    skip: tuple[str, ...] = (),
):
    """Build a config dataclass from a JSON object, checking every field's type and range
    (except the fields in `skip`, which take their defaults)."""
    if not isinstance(raw, dict):
        raise ExperimentError(_("{key} must be an object").format(key=name))
    known = {f.name for f in fields(cls)} - set(skip)
    unknown = first_unknown(raw, known)
    if unknown is not None:
        # Every field is named, `skip` too: the caller reads those itself.
        in_order = [f.name for f in fields(cls)]
        raise ExperimentError(f"{name}: {unknown_field(unknown, in_order)}")
    defaults = cls()
    values = {}
    for key in known:
        value = raw.get(key, getattr(defaults, key))
        kind = type(getattr(defaults, key))
        values[key] = _check_value(f"{name}.{key}", key, value, kind, ranges)
    return cls(**values)


def _check_value(
    label: str, key: str, value: object, kind: type, ranges: dict[str, tuple[float, float]]
) -> object:
    if kind is bool:
        if not isinstance(value, bool):
            raise ExperimentError(
                _("{label} must be true or false, got {value}").format(
                    label=label, value=shown(value)
                )
            )
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ExperimentError(
                _("{label} must be text, got {value}").format(label=label, value=shown(value))
            )
        if key in _CHOICES and value not in _CHOICES[key]:
            raise ExperimentError(
                _("{label} must be one of {choices}, got {value}").format(
                    label=label, choices=", ".join(_CHOICES[key]), value=shown(value)
                )
            )
        if key == "device" and not DEVICE_PATTERN.fullmatch(value):
            raise ExperimentError(
                _("{label} must be cpu, cuda, cuda:N or mps, got {value}").format(
                    label=label, value=shown(value)
                )
            )
        if key == "name" and value not in dataset_names():
            raise ExperimentError(
                _("{label}: unknown dataset {value}").format(label=label, value=shown(value))
            )
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExperimentError(
            _("{label} must be a number, got {value}").format(label=label, value=shown(value))
        )
    if kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise ExperimentError(
                _("{label} must be a whole number, got {value}").format(
                    label=label, value=shown(value)
                )
            )
        value = int(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ExperimentError(
            _("{label} must be a finite number, got {value}").format(
                label=label, value=shown(value)
            )
        )
    # The range is checked before float() and without :g, which both convert to float: an
    # int of any size compares with a float exactly, but 10**400 cannot become one.
    low, high = ranges[key]
    if not low <= value <= high:
        got = f"{value:g}" if isinstance(value, float) else shown(value)
        raise ExperimentError(
            _("{label} must be between {low:g} and {high:g}, got {value}").format(
                label=label, low=low, high=high, value=got
            )
        )
    return value if kind is int else float(value)
