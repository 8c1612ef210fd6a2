"""Reports the engine yields: frozen values (floats and numpy arrays) that may cross threads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

METRIC_COLUMNS = ("epoch", "steps", "train_loss", "val_loss", "val_accuracy", "val_rmse", "val_r2")


def metrics_csv(rows: Iterable[dict[str, float | int | None]]) -> str:
    """metrics.csv, as the CLI and the window write it: empty cells for what does not apply."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(METRIC_COLUMNS)
    for row in rows:
        values = (row[column] for column in METRIC_COLUMNS)
        writer.writerow(
            "" if v is None else f"{v:.6g}" if isinstance(v, float) else v for v in values
        )
    return buffer.getvalue()


@dataclass(frozen=True)
class RunStarted:
    device: str  # such as "cpu" or "cuda:0 (NVIDIA H100)"
    dtype: str
    task_kind: str  # "classification" or "regression"
    param_count: int
    train_samples: int
    val_samples: int
    steps_per_epoch: int
    epochs: int
    layer_names: tuple[str, ...]  # layers with parameters, as histograms name them
    threads: int
    # A run that continues an earlier one counts on from it: the steps and epochs done before
    # it (0 for a fresh run from the seed). Its own reports' steps and epochs are global.
    first_step: int = 0
    first_epoch: int = 0
    # Every layer of the model, in order, by its class name ("Linear", "Sigmoid"): what the
    # alarms and the activation views name.
    modules: tuple[str, ...] = ()

    @property
    def total_steps(self) -> int:
        """This run's own steps (a continued run ends at step first_step + total_steps)."""
        return self.steps_per_epoch * self.epochs

    @property
    def continues(self) -> bool:
        """Whether this run trains on from an earlier run's steps (its history goes on)."""
        return self.first_step > 0


@dataclass(frozen=True)
class StepsReport:
    """Every step's training loss since the last report, in order."""

    first_step: int  # global index (0-based) of losses[0]
    losses: np.ndarray
    epoch: int  # 0-based epoch the last step belongs to
    samples_per_second: float
    elapsed: float  # seconds of training, pauses excluded
    learning_rate: float

    @property
    def steps_done(self) -> int:
        return self.first_step + len(self.losses)


@dataclass(frozen=True)
class EpochReport:
    epoch: int  # epochs completed (1-based)
    steps_done: int
    train_loss: float  # mean of the epoch's step losses
    val_loss: float | None  # None when there is no validation data
    val_accuracy: float | None = None  # classification
    val_rmse: float | None = None  # regression
    val_r2: float | None = None  # regression
    confusion: np.ndarray | None = None  # classification: (K, K), rows true, columns guessed

    def row(self) -> dict[str, float | int | None]:
        """This epoch as one row of metrics.csv (accuracy as a fraction)."""
        return dict(
            zip(
                METRIC_COLUMNS,
                (
                    self.epoch,
                    self.steps_done,
                    self.train_loss,
                    self.val_loss,
                    self.val_accuracy,
                    self.val_rmse,
                    self.val_r2,
                ),
                strict=True,
            )
        )


@dataclass(frozen=True)
class HistogramReport:
    """Per-layer histograms taken every N steps. Bin edges are fixed for the whole run;
    values beyond them are counted in the first or last bin."""

    steps: np.ndarray  # (S,) global step of each snapshot
    grad_counts: np.ndarray  # (S, L, B)
    grad_norms: np.ndarray  # (S, L)
    weight_counts: np.ndarray  # (S, L, B)
    weight_norms: np.ndarray  # (S, L)
    grad_edges: np.ndarray  # (L, B + 1)
    weight_edges: np.ndarray  # (L, B + 1)


@dataclass(frozen=True)
class ActivationReport:
    """Every layer's outputs on one fixed batch of training inputs (the model in eval mode),
    taken when histograms are reported. Bin edges are fixed for the whole run; values beyond
    them are counted in the first or last bin."""

    step: int  # global step of the snapshot
    layer_names: tuple[str, ...]  # every layer, "index Class"
    counts: np.ndarray  # (L, B)
    edges: np.ndarray  # (L, B + 1)
    # Per layer, the fraction of units (features, or channels of an image) with no positive
    # output on the whole batch; NaN for layers other than ReLU.
    dead: np.ndarray  # (L,)
    # Per layer, the fraction of outputs within 2% of a Sigmoid's or Tanh's bounds; NaN for
    # other layers.
    saturated: np.ndarray  # (L,)


@dataclass(frozen=True)
class UnitMapReport:
    """Each unit's output of one hidden layer over the input plane (two-input data): what
    the layer has learnt to detect, unit by unit."""

    steps_done: int
    layer: int  # index of the layer in the model
    layer_name: str  # "index Class"
    xs: np.ndarray  # (W,) grid along input 1
    ys: np.ndarray  # (H,) grid along input 2
    maps: np.ndarray  # (U, H, W) float32: the first U <= 64 units (app.training.inspection)
    unit_count: int  # the layer's units (channels of a 1-D output)


@dataclass(frozen=True)
class FeatureMaps:
    """One Conv2d or pooling layer's outputs for one image."""

    layer: int  # index of the layer in the model
    layer_name: str  # "index Class"
    maps: np.ndarray  # (C, H, W) float32: the first C <= 32 channels (app.training.inspection)
    channel_count: int


@dataclass(frozen=True)
class FeatureMapReport:
    """What an image model's convolutions see: the first Conv2d's kernels and, for one
    validation image, every Conv2d and pooling layer's feature maps."""

    steps_done: int
    image_index: int  # in the validation split
    image: np.ndarray  # (C, H, W) uint8, as stored
    label: int
    class_names: tuple[str, ...]
    filter_layer: str  # "index Conv2d" of the kernels, "" when the model has no Conv2d
    filters: np.ndarray  # (O, I, k, k) float32; (0, 0, 0, 0) without a Conv2d
    layers: tuple[FeatureMaps, ...]


@dataclass(frozen=True)
class PredictionReport:
    """The model's output over the data's input range: a decision map or a fitted curve."""

    steps_done: int
    xs: np.ndarray  # (W,) grid along input 1
    ys: np.ndarray | None  # (H,) grid along input 2; None for one input (regression curves)
    values: np.ndarray  # classification: (H, W, K) class probabilities; regression: (W,)


@dataclass(frozen=True)
class ImagePredictionReport:
    """The model's guesses for the first validation images, shown as a grid."""

    steps_done: int
    images: np.ndarray  # (N, C, H, W) uint8, as stored
    labels: np.ndarray  # (N,) true classes
    predicted: np.ndarray  # (N,) the model's classes
    class_names: tuple[str, ...]


@dataclass(frozen=True)
class Marker:
    """A change made during the run, to be drawn on the loss plot."""

    step: int
    text: str


@dataclass(frozen=True)
class Paused:
    steps_done: int


@dataclass(frozen=True)
class RunFinished:
    reason: str  # "completed", "stopped" or "diverged"
    message: str
    steps_done: int  # global, as the steps of the reports
    epochs_done: int  # global: the epochs completed, this run's and those it continued
    elapsed: float
    # A run that completed but did not learn as it should (its loss grew by orders of
    # magnitude): one plain sentence saying so and what to change; "" when all went well.
    warning: str = ""


Report = (
    RunStarted
    | StepsReport
    | EpochReport
    | HistogramReport
    | ActivationReport
    | PredictionReport
    | ImagePredictionReport
    | UnitMapReport
    | FeatureMapReport
    | Marker
    | Paused
    | RunFinished
)
