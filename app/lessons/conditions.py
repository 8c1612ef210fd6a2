"""When a lesson's step is done: conditions on what the window shows, as plain values.

The window sums itself up in a `WindowState` (the experiment, its problems, the runs since the
lesson opened, the tab and panels on show); a step's condition, a small JSON object such as
`{"kind": "run", "accuracy_at_least": 0.95}`, is met or not by it. Conditions on runs look
only at runs that finished after the step became the current one (`since`): "Train again"
needs a new run, not the one that ticked the step before.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from app.experiment import Experiment
from models.layers import ACTIVATION_KINDS
from models.translation import _

WEIGHTED = ("Linear", "Conv2d")  # layers with weights: what "a hidden layer" sits between
OUTCOMES = ("completed", "stopped", "diverged", "failed")


class ConditionError(ValueError):
    """A condition a lesson file spells wrong; one sentence."""


@dataclass(frozen=True)
class RunSummary:
    """What a finished run left for the lesson to read."""

    experiment: Experiment
    outcome: str  # one of OUTCOMES
    message: str = ""
    fresh: bool = True  # trained from the seed's weights (not continued)
    first_losses: tuple[float, ...] = ()
    train_loss: float | None = None
    val_loss: float | None = None
    val_accuracy: float | None = None
    alarms: tuple[str, ...] = ()  # the gradient-health alarms' kinds it raised
    param_count: int = 0


@dataclass(frozen=True)
class WindowState:
    experiment: Experiment
    problems: tuple[str, ...] = ()  # the model's diagnostics, by code
    runs: tuple[RunSummary, ...] = ()  # since the lesson opened, oldest first
    tab: str = "loss"
    code_shown: bool = False
    compared: int = 0  # runs overlaid in the comparison


def _setting(experiment: Experiment, field: str) -> object:
    """`train.learning_rate`, `data.noise`: a value of the experiment as its file holds it."""
    section, _dot, name = field.partition(".")
    values = experiment.to_dict().get(section)
    if not isinstance(values, dict) or name not in values:
        raise ConditionError(
            _("{field} is not a setting (train.<name> or data.<name>)").format(field=repr(field))
        )
    return values[name]


def _kinds(experiment: Experiment) -> list[str]:
    return [layer.kind for layer in experiment.model.layers]


def hidden_layer(state: WindowState, condition: dict, since: int) -> bool:
    """An activation between two layers with weights: a layer the output does not see."""
    kinds = _kinds(state.experiment)
    weighted = [index for index, kind in enumerate(kinds) if kind in WEIGHTED]
    return len(weighted) >= 2 and any(
        kind in ACTIVATION_KINDS for kind in kinds[weighted[0] : weighted[-1]]
    )


def layer_count(state: WindowState, condition: dict, since: int) -> bool:
    count = _kinds(state.experiment).count(condition["layer"])
    return count >= condition.get("at_least", 1) and count <= condition.get("at_most", math.inf)


def setting(state: WindowState, condition: dict, since: int) -> bool:
    return _compare(_setting(state.experiment, condition["field"]), condition)


def problem(state: WindowState, condition: dict, since: int) -> bool:
    """The model has (or, with "present": false, no longer has) a diagnostic of `code`."""
    return (condition["code"] in state.problems) == condition.get("present", True)


def run(state: WindowState, condition: dict, since: int) -> bool:
    """The newest run since the step began meets every filter given."""
    new = state.runs[since:]
    return bool(new) and _run_matches(new[-1], condition)


def runs(state: WindowState, condition: dict, since: int) -> bool:
    """At least `at_least` runs, `differing` in a setting, each meeting the filters: "train it
    with 0.1, then with 0.0001" counts every run since the lesson opened."""
    matching = [summary for summary in state.runs if _run_matches(summary, condition)]
    field = condition.get("differing")
    if field is not None:
        count = len({repr(_setting(summary.experiment, field)) for summary in matching})
    else:
        count = len(matching)
    return count >= condition.get("at_least", 2)


def first_losses(state: WindowState, condition: dict, since: int) -> bool:
    """The newest run since the step began, trained from the seed, against an earlier one
    from the seed with the same model and data: its first losses are the same ("same": true,
    the same seed) or differ ("same": false, another seed)."""
    new = state.runs[since:]
    if not new or not new[-1].fresh or not new[-1].first_losses:
        return False
    latest = new[-1]
    same = condition.get("same", True)
    for earlier in state.runs[: len(state.runs) - 1]:
        if not (earlier.fresh and earlier.first_losses):
            continue
        if (earlier.experiment.model, earlier.experiment.data) != (
            latest.experiment.model,
            latest.experiment.data,
        ):
            continue
        seeds_equal = earlier.experiment.train.seed == latest.experiment.train.seed
        losses_equal = earlier.first_losses == latest.first_losses
        if same and seeds_equal and losses_equal:
            return True
        if not same and not seeds_equal and not losses_equal:
            return True
    return False


def tab(state: WindowState, condition: dict, since: int) -> bool:
    return state.tab == condition["tab"]


def code_shown(state: WindowState, condition: dict, since: int) -> bool:
    return state.code_shown


def compared(state: WindowState, condition: dict, since: int) -> bool:
    return state.compared >= condition.get("at_least", 2)


# Each kind: its test, and the fields it takes (required ones first, without a "?").
KINDS: dict[str, tuple[Callable[[WindowState, dict, int], bool], tuple[str, ...]]] = {
    "hidden_layer": (hidden_layer, ()),
    "layer_count": (layer_count, ("layer", "at_least?", "at_most?")),
    "setting": (setting, ("field", "at_least?", "at_most?", "is?", "is_not?")),
    "problem": (problem, ("code", "present?")),
    "run": (run, ()),
    "runs": (runs, ("at_least?", "differing?")),
    "first_losses": (first_losses, ("same?",)),
    "tab": (tab, ("tab",)),
    "code_shown": (code_shown, ()),
    "compared": (compared, ("at_least?",)),
}
# What "run" and "runs" may ask of a run.
RUN_FILTERS = (
    "outcome?",
    "accuracy_at_least?",
    "accuracy_below?",
    "gap_at_most?",
    "gap_at_least?",
    "alarm?",
    "fresh?",
    "message_contains?",
    "field?",
    "at_least?",
    "at_most?",
    "is?",
    "is_not?",
    "has_layer?",
)


def _compare(value: object, condition: dict) -> bool:
    if "is" in condition and value != condition["is"]:
        return False
    if "is_not" in condition and value == condition["is_not"]:
        return False
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    for key, holds in (("at_least", lambda a, b: a >= b), ("at_most", lambda a, b: a <= b)):
        if key in condition and (number is None or not holds(number, condition[key])):
            return False
    return True


def _run_matches(summary: RunSummary, condition: dict) -> bool:
    if "outcome" in condition and summary.outcome != condition["outcome"]:
        return False
    if "fresh" in condition and summary.fresh != condition["fresh"]:
        return False
    accuracy = summary.val_accuracy
    if "accuracy_at_least" in condition and not (
        accuracy is not None and accuracy >= condition["accuracy_at_least"]
    ):
        return False
    if "accuracy_below" in condition and not (
        accuracy is not None and accuracy < condition["accuracy_below"]
    ):
        return False
    gap = _gap(summary)
    if "gap_at_most" in condition and not (gap is not None and gap <= condition["gap_at_most"]):
        return False
    if "gap_at_least" in condition and not (gap is not None and gap >= condition["gap_at_least"]):
        return False
    if "alarm" in condition and condition["alarm"] not in summary.alarms:
        return False
    if "message_contains" in condition and condition["message_contains"] not in summary.message:
        return False
    if "has_layer" in condition and condition["has_layer"] not in _kinds(summary.experiment):
        return False
    if "field" in condition and "differing" not in condition:
        return _compare(_setting(summary.experiment, condition["field"]), condition)
    return True


def _gap(summary: RunSummary) -> float | None:
    """Validation loss above training loss: how much the model learnt its training points
    rather than the pattern."""
    if summary.val_loss is None or summary.train_loss is None:
        return None
    if not (math.isfinite(summary.val_loss) and math.isfinite(summary.train_loss)):
        return None
    return summary.val_loss - summary.train_loss


def met(condition: dict, state: WindowState, since: int = 0) -> bool:
    """Whether `state` meets `condition` (checked by `check_condition` when the lesson
    loaded), looking at the runs from index `since` on."""
    test, _fields = KINDS[condition["kind"]]
    return test(state, condition, since)


def check_condition(condition: object) -> None:
    """A ConditionError when `condition` is not one `met` understands."""
    if not isinstance(condition, dict) or not isinstance(condition.get("kind"), str):
        raise ConditionError(_('a condition is an object with a "kind"'))
    kind = condition["kind"]
    if kind not in KINDS:
        raise ConditionError(
            _("no condition {kind}; the kinds: {kinds}").format(
                kind=repr(kind), kinds=", ".join(KINDS)
            )
        )
    fields = KINDS[kind][1] + (RUN_FILTERS if kind in ("run", "runs") else ())
    allowed = {name.rstrip("?") for name in fields}
    for name in condition:
        if name != "kind" and name not in allowed:
            raise ConditionError(
                _("{kind} takes no {name}; it takes {fields}").format(
                    kind=kind, name=repr(name), fields=", ".join(sorted(allowed))
                )
            )
    for name in fields:
        if not name.endswith("?") and name not in condition:
            raise ConditionError(_("{kind} needs {name}").format(kind=kind, name=repr(name)))
    if condition.get("outcome", "completed") not in OUTCOMES:
        raise ConditionError(
            _("{key} is one of {choices}").format(key="outcome", choices=", ".join(OUTCOMES))
        )
    for name in ("field", "differing"):
        if name in condition:
            section = condition[name].partition(".")[0] if isinstance(condition[name], str) else ""
            if section not in ("train", "data"):
                raise ConditionError(
                    _("{key} names a setting as train.<name> or data.<name>").format(key=name)
                )
