"""Lessons: an experiment and a short text in steps, each step ticked by a condition on what
the window shows (`app.lessons.conditions`). Qt-free and torch-free: the window builds the
state the conditions read, and the tests play lessons through the window.

A lesson file, `resources/lessons/NAME.json`:

    {"format": "layerlab-lesson", "version": 1,
     "title": "XOR needs a hidden layer", "summary": "one line for its card",
     "tab": "loss",                       (the plot tab it opens on; optional)
     "experiment": {...},                 (an experiment, as experiment files hold it)
     "steps": [{"do": "Train it.", "when": {"kind": "run"}, "look": "what to see now"}]}

The texts students read (the title, the summary, each step's do and look, the experiment's
title, description and locks reason) are translated as a lesson loads, into the language of
the moment: their catalog is lessons.po. Nothing keeps loaded lessons here, so a lesson
loaded after a language change reads in the new language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from app.experiment import Experiment, ExperimentError
from app.lessons.conditions import ConditionError, check_condition
from models.spec import first_unknown, unknown_field
from models.translation import _

FORMAT = "layerlab-lesson"
VERSION = 1
FIELDS = ("format", "version", "title", "summary", "tab", "experiment", "steps")
STEP_FIELDS = ("do", "when", "look")
FOLDER = Path(__file__).resolve().parents[2] / "resources" / "lessons"
THUMBNAILS = FOLDER / "thumbnails"
MAX_FILE_BYTES = 1024 * 1024  # a lesson is a few kilobytes; a cap keeps a wrong file out


class LessonError(ValueError):
    """A lesson file that cannot be used; the message is one sentence."""


@dataclass(frozen=True)
class Step:
    """One thing to do (`do`), the condition that says it is done (`when`), and what to look
    at once it is (`look`)."""

    do: str
    when: dict
    look: str = ""


@dataclass(frozen=True)
class Lesson:
    name: str  # the file's stem: what the menu, the CLI and the settings call it
    title: str
    summary: str
    experiment: Experiment
    steps: tuple[Step, ...]
    tab: str = "loss"

    @property
    def thumbnail(self) -> Path:
        """Its card's picture: the window as the lesson opens (`make lesson-thumbnails`)."""
        return THUMBNAILS / f"{self.name}.png"

    @classmethod
    def from_dict(cls, name: str, data: object) -> Lesson:
        if not isinstance(data, dict):
            raise LessonError(_("a lesson file must hold a JSON object"))
        unknown = first_unknown(data, FIELDS)
        if unknown is not None:
            raise LessonError(unknown_field(unknown, FIELDS))
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise LessonError(
                _('not a lesson file (format "{format}", version {version})').format(
                    format=FORMAT, version=VERSION
                )
            )
        try:
            experiment = Experiment.from_dict(data.get("experiment"))
        except ExperimentError as error:
            raise LessonError(f"experiment: {error}") from None
        steps = data.get("steps")
        if not isinstance(steps, list) or not steps:
            raise LessonError(_("steps: a lesson needs a list of at least one step"))
        texts = {key: data.get(key) for key in ("title", "summary")}
        for key, text in texts.items():
            if not isinstance(text, str) or not text.strip():
                raise LessonError(_("{key}: a lesson needs a {key} text").format(key=key))
        title, summary = _(texts["title"]), _(texts["summary"])
        return cls(
            name,
            title,
            summary,
            experiment.with_changes(
                title=title,
                description=_(experiment.description),
                locks=replace(experiment.locks, reason=_(experiment.locks.reason)),
            ),
            tuple(_step(number, step) for number, step in enumerate(steps, 1)),
            str(data.get("tab", "loss")),
        )

    @classmethod
    def load(cls, path: str | Path) -> Lesson:
        path = Path(path)
        try:
            with path.open("rb") as file:
                raw = file.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:
                raise LessonError(_("{file} is too large for a lesson").format(file=path.name))
            data = json.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise LessonError(
                _("{file} cannot be read: {error}").format(file=path.name, error=error)
            ) from None
        try:
            return cls.from_dict(path.stem, data)
        except LessonError as error:
            raise LessonError(f"{path.name}: {error}") from None


def _step(number: int, data: object) -> Step:
    if not isinstance(data, dict):
        raise LessonError(
            _("step {number}: a step is an object with do, when and look").format(number=number)
        )
    unknown = first_unknown(data, STEP_FIELDS)
    if unknown is not None:
        raise LessonError(
            _("step {number}: {problem}").format(
                number=number, problem=unknown_field(unknown, STEP_FIELDS)
            )
        )
    do, look, when = data.get("do"), data.get("look", ""), data.get("when")
    if not isinstance(do, str) or not do.strip() or not isinstance(look, str):
        raise LessonError(
            _("step {number}: 'do' is the step's text and 'look' a text").format(number=number)
        )
    try:
        check_condition(when)
    except ConditionError as error:
        raise LessonError(
            _("step {number}: {problem}").format(number=number, problem=error)
        ) from None
    return Step(_(do), when, _(look))


def lesson_names() -> list[str]:
    """Every shipped lesson's name, in the order order.txt gives (the menu's and the cards')."""
    return [path.stem for path in _lesson_files()]


def lessons() -> list[Lesson]:
    """Every shipped lesson, in order (the files are tested: they all load)."""
    return [Lesson.load(path) for path in _lesson_files()]


def find_lesson(name: str) -> Lesson:
    """The shipped lesson of file `name`; a LessonError naming the lessons there are."""
    path = FOLDER / f"{name}.json"
    if name not in lesson_names():
        raise LessonError(
            _("there is no lesson {name}; the lessons: {lessons}").format(
                name=repr(name), lessons=", ".join(lesson_names())
            )
        )
    return Lesson.load(path)


ORDER_FILE = "order.txt"  # one lesson name per line: the order of the menu and the cards


def _lesson_files() -> list[Path]:
    order = (FOLDER / ORDER_FILE).read_text(encoding="utf-8").split()
    return [FOLDER / f"{name}.json" for name in order]
