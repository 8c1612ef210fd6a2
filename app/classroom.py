"""What a teacher puts into an experiment file beside the experiment itself: the controls
locked or hidden for the students who open it (`Locks`), and the lesson it was saved in
(`LessonMark`). Qt-free values with their JSON sections; the window applies them.

    "locks": {"locked": ["data", "train.optimizer"], "hidden": ["code"],
              "reason": "This lesson is about the learning rate."},
    "lesson": {"name": "xor_needs_a_hidden_layer", "step": 2}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from models.spec import first_unknown, shown, unknown_field
from models.translation import _

# Whole panels that can be locked: the model (its layers and their settings), the data, and
# every training setting. Single training settings are "train.FIELD".
PANELS = ("model", "data", "training")
# Panels that can be put out of sight as well: the model and the run controls always show.
HIDEABLE = ("data", "training", "code")
LOCK_FIELDS = ("locked", "hidden", "reason")
MARK_FIELDS = ("name", "step")
MAX_REASON = 500  # characters: a sentence or two shown beside a locked control
LESSON_NAME = re.compile(r"[a-z0-9_]{1,80}")  # a lesson file's stem
MAX_STEP = 1000


class ClassroomError(ValueError):
    """A locks or lesson section that cannot be used; the message is one sentence."""


@dataclass(frozen=True)
class Locks:
    """Names of `PANELS` and "train.FIELD"s the students cannot change, `HIDEABLE` panels
    they do not see (a hidden panel is locked too), and the teacher's reason for both."""

    locked: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    reason: str = ""

    def __bool__(self) -> bool:
        return bool(self.locked or self.hidden)

    def is_locked(self, name: str) -> bool:
        """True for a locked or hidden panel, for a field whose panel is locked, and for the
        data of a locked model: the data decides the model's input and output sizes, and a
        change there would break a model nobody can mend."""
        panel = "training" if name.startswith("train.") else name
        if panel == "data" and "model" in self.locked:
            return True
        return name in self.locked or panel in self.locked or panel in self.hidden

    def locked_fields(self) -> frozenset[str]:
        """The training settings locked one by one, without their "train." prefix."""
        return frozenset(name[6:] for name in self.locked if name.startswith("train."))

    def to_dict(self) -> dict:
        written: dict[str, object] = {"locked": sorted(self.locked)}
        if self.hidden:
            written["hidden"] = sorted(self.hidden)
        if self.reason:
            written["reason"] = self.reason
        return written

    @classmethod
    def from_dict(cls, raw: object, train_fields: Iterable[str]) -> Locks:
        """`train_fields`: the TrainConfig field names a "train.FIELD" may name."""
        if not isinstance(raw, dict):
            raise ClassroomError(_("{key} must be an object").format(key="locks"))
        unknown = first_unknown(raw, LOCK_FIELDS)
        if unknown is not None:
            raise ClassroomError(f"locks: {unknown_field(unknown, LOCK_FIELDS)}")
        lockable = (*PANELS, *(f"train.{name}" for name in train_fields))
        locked = _names(raw.get("locked", []), "locked", lockable)
        hidden = _names(raw.get("hidden", []), "hidden", HIDEABLE)
        reason = raw.get("reason", "")
        if not isinstance(reason, str):
            raise ClassroomError(
                _("{label} must be text, got {value}").format(
                    label="locks.reason", value=shown(reason)
                )
            )
        if len(reason) > MAX_REASON:
            raise ClassroomError(
                _("{key} is longer than {count} characters").format(
                    key="locks.reason", count=MAX_REASON
                )
            )
        return cls(locked, hidden, reason)


@dataclass(frozen=True)
class LessonMark:
    """The lesson (its file's stem) and how many of its steps were done when the file was
    saved: opening the file goes on from there."""

    name: str
    step: int = 0

    def to_dict(self) -> dict:
        return {"name": self.name, "step": self.step}

    @classmethod
    def from_dict(cls, raw: object) -> LessonMark:
        if not isinstance(raw, dict):
            raise ClassroomError(_("{key} must be an object").format(key="lesson"))
        unknown = first_unknown(raw, MARK_FIELDS)
        if unknown is not None:
            raise ClassroomError(f"lesson: {unknown_field(unknown, MARK_FIELDS)}")
        name, step = raw.get("name"), raw.get("step", 0)
        if not isinstance(name, str) or not LESSON_NAME.fullmatch(name):
            raise ClassroomError(
                _("{key} must be a lesson's file name (a-z, 0-9, _), got {value}").format(
                    key="lesson.name", value=shown(name)
                )
            )
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= MAX_STEP:
            raise ClassroomError(
                _("{key} must be a whole number from 0 to {most}, got {value}").format(
                    key="lesson.step", most=MAX_STEP, value=shown(step)
                )
            )
        return cls(name, step)


def _names(raw: object, key: str, allowed: tuple[str, ...]) -> frozenset[str]:
    if not isinstance(raw, list):
        raise ClassroomError(
            _("{key} must be a list of names, got {value}").format(
                key=f"locks.{key}", value=shown(raw)
            )
        )
    for name in raw:
        if name not in allowed:
            # Translators: {kind} is "locked" or "hidden", the file's own word.
            message = _("{key}: {name} cannot be {kind} (it can be {allowed})")
            raise ClassroomError(
                message.format(
                    key=f"locks.{key}", name=shown(name), kind=key, allowed=", ".join(allowed)
                )
            )
    return frozenset(raw)
