"""The comparison of runs as a table: one row per run with what differed and its final
numbers, and the same rows as CSV for a handout (numbers written as metrics.csv writes them).

Qt-free. The labels of what differed are app.run_differences' (re-exported here for the
Runs panel).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields

from app.run_differences import difference_labels
from app.run_record import RunRecord

__all__ = ["Row", "comparison_csv", "difference_labels", "table"]


@dataclass(frozen=True)
class Row:
    """One run of a comparison; None where a number does not apply (no validation data, a
    run stopped before its first epoch)."""

    name: str
    label: str  # what differed (app.run_differences)
    train_loss: float | None
    val_loss: float | None
    score: float | None  # validation accuracy (a fraction) for classification, else RMSE
    epochs: int
    steps: int
    seconds: float
    samples_per_second: float
    parameters: int


CSV_COLUMNS = tuple(field.name for field in fields(Row))


def table(records: Sequence[RunRecord], labels: Sequence[str]) -> list[Row]:
    """The table's rows, in the order of `records`, each with its label."""
    rows = []
    for record, label in zip(records, labels, strict=True):
        score = "val_accuracy" if record.is_classification else "val_rmse"
        rows.append(
            Row(
                name=record.name,
                label=label,
                train_loss=record.metric("train_loss"),
                val_loss=record.metric("val_loss"),
                score=record.metric(score),
                epochs=int(record.epochs[-1][0]) if record.epochs else 0,
                steps=record.steps_done,
                seconds=record.seconds,
                samples_per_second=record.samples_per_second,
                parameters=record.param_count,
            )
        )
    return rows


def comparison_csv(rows: Iterable[Row]) -> str:
    """The rows as CSV: a header, then one line per run; floats to 6 significant digits as in
    metrics.csv, empty cells for what does not apply."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            "" if v is None else f"{v:.6g}" if isinstance(v, float) else v for v in astuple(row)
        )
    return buffer.getvalue()
