"""Where a trained folder (model.pt + experiment.json, and metrics.csv from `layerlab train`)
left off: its weights, its experiment, and the epochs and steps its metrics.csv counts, so a
resumed run counts on from them (Trainer.resume)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import torch

from app.experiment import RANGES
from app.reports import METRIC_COLUMNS
from models.checkpoint import CheckpointError, load_checkpoint
from models.translation import _

METRICS_FILE = "metrics.csv"
MAX_STEPS_PER_EPOCH = 1_000_000  # a million samples at batch 1: more is not a LayerLab run


class ResumeError(ValueError):
    """A folder that cannot be resumed; the message is one sentence."""


@dataclass(frozen=True, eq=False)
class ResumePoint:
    folder: Path
    state_dict: dict[str, torch.Tensor]  # as saved: a float64 run's weights stay float64
    experiment: dict  # the folder's experiment.json
    steps_done: int
    epochs_done: int
    metrics_before: str  # the folder's metrics.csv ("" when it has none), header included
    warning: str = ""  # a metrics.csv that could not be read: the counts start at 0


def read_resume_point(folder: str | Path) -> ResumePoint:
    folder = Path(folder)
    if not folder.is_dir():
        raise ResumeError(
            _("{folder} is not a folder; give the folder that holds model.pt").format(folder=folder)
        )
    try:
        checkpoint = load_checkpoint(folder)  # checks model.pt against experiment.json
    except CheckpointError as error:
        raise ResumeError(str(error)) from None
    path = folder / METRICS_FILE
    warning = ""
    try:
        text, steps, epochs = _metrics(path) if path.exists() else ("", 0, 0)
    except ValueError as error:
        text, steps, epochs = "", 0, 0
        warning = _("{path} could not be read ({error}): the epochs and steps count from 0")
        warning = warning.format(path=path, error=error)
    return ResumePoint(
        folder, checkpoint.state_dict, checkpoint.experiment, steps, epochs, text, warning
    )


def _metrics(path: Path) -> tuple[str, int, int]:
    """The metrics.csv text (blank lines dropped) and its last row's steps and epoch; raises
    ValueError, saying why, for a file that is not LayerLab's."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(type(error).__name__) from None
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if not rows or tuple(rows[0]) != METRIC_COLUMNS:
        raise ValueError(_("not the columns LayerLab writes"))
    if len(rows) == 1:
        return _csv(rows), 0, 0
    last = dict(zip(METRIC_COLUMNS, rows[-1], strict=False))
    try:
        epochs, steps = int(last["epoch"]), int(last["steps"])
    except (KeyError, ValueError):
        raise ValueError(_("its last row has no whole epoch and step counts")) from None
    high = RANGES["epochs"][1]
    if not 0 <= epochs <= high or not epochs <= steps <= high * MAX_STEPS_PER_EPOCH:
        raise ValueError(
            _("epoch {epoch} and step {step} cannot be a run's").format(epoch=epochs, step=steps)
        )
    return _csv(rows), steps, epochs


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
