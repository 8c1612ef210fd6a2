"""`RunArchive`: the runs of a session, kept next to the experiment file, in order.

For `lessons/xor.json` the runs live in `lessons/xor.runs.json`, written whole or not at all.
A file that cannot be read loads as no runs and one sentence saying why: the runs are a
convenience, and never stop an experiment from opening. Qt-free.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from app.experiment import ExperimentError
from app.run_record import RunRecord
from models.files import write_atomic
from models.translation import _

FORMAT = "layerlab-runs"
VERSION = 1
MAX_RUNS = 50  # the oldest go first: 50 runs of 600 points are about 1.5 MB of JSON
MAX_FILE_BYTES = 16 * 1024 * 1024


def archive_path(experiment_path: Path) -> Path:
    """Where the runs of the experiment saved at `experiment_path` are kept."""
    return experiment_path.with_name(experiment_path.stem + ".runs.json")


class RunArchive:
    def __init__(self, records: list[RunRecord] | None = None) -> None:
        self.records: list[RunRecord] = list(records or [])
        self._count = len(self.records)  # names count on: "Run 7" is never reused for another

    def next_name(self) -> str:
        """The default name of the next run: "Run 7", in the language of the moment."""
        names = {record.name for record in self.records}
        number = self._count + 1
        while _name(number) in names:
            number += 1
        return _name(number)

    def add(self, record: RunRecord) -> None:
        self.records.append(record)
        self._count += 1
        del self.records[:-MAX_RUNS]

    def rename(self, index: int, name: str) -> None:
        name = " ".join(name.split())[:80]
        if name:
            self.records[index] = replace(self.records[index], name=name)

    def delete(self, indices: list[int]) -> None:
        for index in sorted(set(indices), reverse=True):
            del self.records[index]

    def to_json(self) -> str:
        runs = [record.to_dict() for record in self.records]
        return json.dumps({"format": FORMAT, "version": VERSION, "runs": runs}) + "\n"

    def save(self, path: Path) -> None:
        """Write the runs to `path` whole (an OSError when it cannot be written)."""
        write_atomic(path, self.to_json().encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> tuple[RunArchive, str]:
        """The runs in `path` and "" (none, and "", when there is no such file); or none and
        the sentence that says why the file could not be used."""
        if not path.exists():
            return cls(), ""
        try:
            if not path.is_file():  # a FIFO would wait for a writer, a device never end
                raise ValueError(_("it is not a regular file"))
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError(_("it is too large"))
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError(_("it is not a LayerLab runs file"))
            if data.get("version") != VERSION:
                raise ValueError(
                    _("it is version {version}, not {readable}").format(
                        version=data.get("version"), readable=VERSION
                    )
                )
            records = [RunRecord.from_dict(run) for run in data["runs"]]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            # ExperimentError is a ValueError: a run's settings that no longer load
            reason = error if isinstance(error, ExperimentError | ValueError) else _("unreadable")
            message = _("The runs in {file} could not be read ({reason}); none are shown.")
            return cls(), message.format(file=path.name, reason=reason)
        return cls(records[-MAX_RUNS:]), ""


def _name(number: int) -> str:
    # Translators: the name a run gets until the user renames it.
    return _("Run {number}").format(number=number)
