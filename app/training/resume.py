"""Where a trained folder (model.pt + experiment.json, and metrics.csv from `layerlab train`)
left off: its weights, its experiment, and the epochs and steps its metrics.csv counts, so a
resumed run counts on from them (Trainer.resume)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import torch

from app.reports import METRIC_COLUMNS
from models.checkpoint import CheckpointError, load_checkpoint

METRICS_FILE = "metrics.csv"


class ResumeError(ValueError):
    """A folder that cannot be resumed; the message is one sentence."""


@dataclass(frozen=True, eq=False)
class ResumePoint:
    state_dict: dict[str, torch.Tensor]
    experiment: dict  # the folder's experiment.json
    steps_done: int
    epochs_done: int
    metrics_before: str  # the folder's metrics.csv ("" when it has none), header included


def read_resume_point(folder: str | Path) -> ResumePoint:
    folder = Path(folder)
    if not folder.is_dir():
        raise ResumeError(f"{folder} is not a folder; give the folder that holds model.pt")
    try:
        checkpoint = load_checkpoint(folder)
    except CheckpointError as error:
        raise ResumeError(str(error)) from None
    text, steps, epochs = _metrics(folder / METRICS_FILE)
    return ResumePoint(checkpoint.model.state_dict(), checkpoint.experiment, steps, epochs, text)


def _metrics(path: Path) -> tuple[str, int, int]:
    """The metrics.csv text and its last row's steps and epoch; ("", 0, 0) when there is none
    or it is not LayerLab's (a resumed run then counts from 0)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "", 0, 0
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != METRIC_COLUMNS:
        return "", 0, 0
    if len(rows) == 1:
        return text, 0, 0
    last = dict(zip(METRIC_COLUMNS, rows[-1], strict=False))
    try:
        epochs, steps = int(last["epoch"]), int(last["steps"])
    except (KeyError, ValueError):
        return "", 0, 0
    return (text if text.endswith("\n") else text + "\n"), steps, epochs
