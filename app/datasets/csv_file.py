"""Your own data: a CSV file with a header row, one column the target, the others numbers.

The task follows the target column: text, or a few whole numbers, means classes; other
numbers mean regression. Every problem is one sentence that names the line and the column,
as a user finds them in a spreadsheet (line 1 is the header).
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.spec import Task
from models.translation import _

MAX_CSV_BYTES = 200 * 1024 * 1024  # a bigger file is not a small lab's table
MAX_CLASSES = 20  # whole-number targets with at most this many values are classes


class CsvError(ValueError):
    """A CSV file that cannot be trained on; the message is one sentence."""


@dataclass(frozen=True, eq=False)
class CsvTable:
    """A read CSV file: its feature columns as numbers, its target, and the task it means."""

    features: tuple[str, ...]
    target: str
    x: np.ndarray  # (N, F) float64
    y: np.ndarray  # (N,) int64 class indices, or (N, 1) float64 values
    task: Task
    class_names: tuple[str, ...]  # classification: the value each class index stands for


def csv_columns(path: str | Path) -> tuple[str, ...]:
    """The names in the file's header row (to choose the target from); () when the file
    cannot be read (read_csv says why)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            for row in csv.reader(file):
                if any(cell.strip() for cell in row):
                    return tuple(cell.strip() for cell in row)
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return ()


def read_csv(path: str | Path, target: str = "") -> CsvTable:
    """`path`'s table with `target` (default: the last column) to predict. Cached while the
    file is unchanged, since the window asks the same file's shape and task often."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise CsvError(_("{path} does not exist").format(path=path)) from None
    except OSError as error:
        raise CsvError(_unreadable(path, error)) from None
    if not path.is_file():
        raise CsvError(_("{path} is not a file; choose a CSV file").format(path=path))
    if info.st_size > MAX_CSV_BYTES:
        raise CsvError(
            _("{name} is larger than {size} MB").format(name=path.name, size=MAX_CSV_BYTES // 2**20)
        )
    return _read(str(path), target, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=4)
def _read(path: str, target: str, _mtime: int, _size: int) -> CsvTable:
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # a spreadsheet's BOM goes
    except UnicodeDecodeError as error:
        raise CsvError(
            _("{name} is not UTF-8 text (byte {byte}); save it as UTF-8 CSV").format(
                name=name, byte=error.start
            )
        ) from None
    except OSError as error:
        raise CsvError(_unreadable(name, error)) from None
    lines, rows = _rows(text)
    if not rows:
        raise CsvError(
            _("{name} is empty; it needs a header row and rows of data").format(name=name)
        )
    header = [cell.strip() for cell in rows[0]]
    if len(header) < 2:
        raise CsvError(
            _("{name} has one column; it needs the target and at least one input").format(name=name)
        )
    if len(set(header)) != len(header) or "" in header:
        raise CsvError(
            _("{name}: every column of the header row needs a name of its own").format(name=name)
        )
    if len(rows) < 5:
        raise CsvError(
            # Translators: {count} is 0 to 3.
            _("{name} has {count} rows of data; it needs at least 4").format(
                name=name, count=len(rows) - 1
            )
        )
    target = target or header[-1]
    if target not in header:
        raise CsvError(
            _("{name} has no column {column} (its columns: {columns})").format(
                name=name, column=repr(target), columns=", ".join(header)
            )
        )
    column = header.index(target)
    features = [i for i in range(len(header)) if i != column]
    x = np.empty((len(rows) - 1, len(features)))
    raw_target = []
    for index, row in enumerate(rows[1:]):
        line = lines[index + 1]
        if len(row) != len(header):
            raise CsvError(
                _("{name}, line {line}: {count} values where the header has {columns}").format(
                    name=name, line=line, count=len(row), columns=len(header)
                )
            )
        for j, feature in enumerate(features):
            x[index, j] = _number(row[feature], name, line, header[feature])
        raw_target.append(row[column].strip())
    y, task, class_names = _target(raw_target, name, target, lines)
    return CsvTable(tuple(header[i] for i in features), target, x, y, task, class_names)


def _unreadable(path: str | Path, error: OSError) -> str:
    """The sentence for a file the system would not let us read."""
    return _("{path} cannot be read ({reason})").format(path=path, reason=error.strerror or error)


def _rows(text: str) -> tuple[list[int], list[list[str]]]:
    """The non-blank rows, and the line each starts on, as an editor numbers lines."""
    lines, rows, line = [], [], 1
    reader = csv.reader(io.StringIO(text))
    for row in reader:
        if any(cell.strip() for cell in row):
            lines.append(line)
            rows.append(row)
        line = reader.line_num + 1
    return lines, rows


def _number(cell: str, name: str, line: int, column: str) -> float:
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        if text:
            shown = _("{name}, line {line}, column {column}: {value} is not a number")
        else:
            shown = _("{name}, line {line}, column {column}: the value is missing")
        raise CsvError(
            shown.format(name=name, line=line, column=repr(column), value=repr(text))
        ) from None
    if not math.isfinite(value):
        raise CsvError(
            _("{name}, line {line}, column {column}: {value} is not a finite number").format(
                name=name, line=line, column=repr(column), value=repr(text)
            )
        )
    return value


def _target(values: list[str], name: str, column: str, lines: list[int]):
    """Class indices (text, or a few whole numbers) or regression values, and the task."""
    for index, value in enumerate(values):
        if not value:
            raise CsvError(
                _("{name}, line {line}, column {column}: no target value").format(
                    name=name, line=lines[index + 1], column=repr(column)
                )
            )
    numbers = []
    for value in values:
        try:
            numbers.append(float(value))
        except ValueError:
            numbers = None
            break
    whole = numbers is not None and all(v.is_integer() for v in numbers)
    if numbers is not None and not (whole and len(set(numbers)) <= MAX_CLASSES):
        if not all(math.isfinite(v) for v in numbers):
            raise CsvError(
                _("{name}, column {column}: the targets must be finite numbers").format(
                    name=name, column=repr(column)
                )
            )
        return np.array(numbers).reshape(-1, 1), Task("regression", 1), ()
    if whole:
        names = tuple(str(int(v)) for v in sorted(set(numbers)))
        keys = [str(int(v)) for v in numbers]
    else:
        names = tuple(sorted(set(values)))
        keys = values
    if len(names) < 2:
        raise CsvError(
            _(
                "{name}: the target column {column} holds one class only ({value}); "
                "a classifier needs at least two"
            ).format(name=name, column=repr(column), value=repr(names[0]))
        )
    index = {key: i for i, key in enumerate(names)}
    classes = np.array([index[key] for key in keys], dtype=np.int64)
    return classes, Task("classification", len(names)), names
