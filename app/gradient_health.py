"""Gradient health: problems inside the network found from the reports the engine already
sends (gradient norms, activation statistics), each raised once per layer and kind, with one
plain sentence that says what happened and what to try. Torch-free and Qt-free: the window
and the command line raise the same alarms. The sentences are made, in the language of the
moment, when an alarm is raised."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from app.reports import ActivationReport, HistogramReport, RunStarted
from models.translation import _
from models.words import listed

VANISHING = "vanishing"
EXPLODING = "exploding"
NOT_FINITE = "not finite"
DEAD = "dead"
SATURATED = "saturated"


@dataclass(frozen=True)
class Alarm:
    """One problem of one layer, raised at `step`."""

    layer: int  # index of the layer in the model
    layer_class: str  # "Linear", "ReLU"
    kind: str  # VANISHING, EXPLODING, NOT_FINITE, DEAD or SATURATED
    step: int
    headline: str  # a few words: "gradients vanished"
    sentence: str  # the whole story, starting with the headline: what happened, what to try

    @property
    def text(self) -> str:
        """The sentence as the window shows it: "Layer 0 (Linear): gradients vanished ..."."""
        return _("Layer {index} ({name}): {sentence}").format(
            index=self.layer, name=self.layer_class, sentence=self.sentence
        )

    @property
    def cli_line(self) -> str:
        """The command line's own line for it: "alarm: layer 0 (Linear): gradients ..."."""
        return _("alarm: layer {index} ({name}): {sentence}").format(
            index=self.layer, name=self.layer_class, sentence=self.sentence
        )


# Thresholds, measured on the shipped toy examples and on 10-layer models of two moons
# (December 2026): across the examples, the largest and smallest layers' gradient RMS stayed
# within 29x of each other and a layer's RMS grew at most 666x (spirals); 10 Sigmoid layers
# stay 300-500 million times apart all run, 10 ReLU layers start 5,313x apart and close within
# three snapshots under Adam; an SGD run at learning rate 5 grew 1.9 million times, then diverged.
# On one batch of training inputs, the examples' ReLU layers had up to 62% dead units (spirals) and
# still learnt; a deep ReLU stack up to 88%: only a layer almost all dead is a problem.
VANISH_RATIO = 10_000.0  # this many times below the largest layer's RMS (or its own start)
EXPLODE_RATIO = 10_000.0  # this many times above the run's largest RMS at its first snapshot
DEAD_FRACTION = 0.9  # of a ReLU's units with no positive output on the whole probe batch
SATURATED_FRACTION = 0.9  # of a Sigmoid's or Tanh's outputs at its bounds
RUNNING = 3  # snapshots in a row a condition must hold (a fresh model's first ones are noisy)
SQUASHING = ("Sigmoid", "Tanh")


class GradientHealth:
    """Watches a run's reports and raises each layer's alarms once. `start` with the run's
    RunStarted (a continued run keeps what was raised); `add` every report; read `alarms`."""

    def __init__(self) -> None:
        self.modules: tuple[str, ...] = ()
        self._layers: list[int] = []  # the model index of each histogram layer
        self.alarms: list[Alarm] = []
        self._raised: set[tuple[int, str]] = set()
        self._streaks: dict[tuple[int, str], int] = {}
        self._early: np.ndarray | None = None  # each layer's gradient RMS at the first snapshot

    def start(self, started: RunStarted) -> None:
        """A run starts: a fresh one forgets the alarms and the early gradients."""
        if not started.continues:
            self.alarms, self._raised, self._streaks, self._early = [], set(), {}, None
        self.modules = started.modules
        self._layers = [int(name.split()[0]) for name in started.layer_names]

    def add(self, report: object) -> list[Alarm]:
        """The alarms `report` raises for the first time (none for other kinds of report)."""
        if isinstance(report, HistogramReport):
            found = []
            for i, step in enumerate(report.steps):
                found += self._gradients(int(step), report.grad_norms[i], report.grad_counts[i])
            return found
        if isinstance(report, ActivationReport):
            return self._activations(report)
        return []

    # -- the checks ---------------------------------------------------------------------------

    def _gradients(self, step: int, norms: np.ndarray, counts: np.ndarray) -> list[Alarm]:
        found = []
        finite = np.isfinite(norms)
        for i in np.flatnonzero(~finite):
            found += self._hold(self._layers[i], NOT_FINITE, True, step, _not_finite())
        if not finite.all():
            return found
        rms = norms / np.sqrt(np.maximum(counts.sum(axis=1), 1.0))
        if self._early is None:
            self._early = rms.copy()
        early, largest = self._early, float(rms.max())
        top = int(rms.argmax())
        # The largest layer's gradients kept their size: a layer far below it (or far below
        # its own start while the largest did not shrink) has stopped learning. A run that
        # converges shrinks every layer together, and raises nothing.
        largest_kept = largest * 100 >= early[top]
        for i, value in enumerate(rms):
            layer = self._layers[i]
            below_others = value * VANISH_RATIO <= largest
            below_start = largest_kept and value * VANISH_RATIO <= early[i]
            if below_others or below_start:
                reference = largest if below_others else float(early[i])
                ratio = reference / value if value > 0 else math.inf
                found += self._hold(
                    layer,
                    VANISHING,
                    True,
                    step,
                    self._vanished(layer, ratio, self._layers[top], below_others),
                )
            else:
                self._hold(layer, VANISHING, False, step, "")
            start = float(early.max())
            grew = start > 0 and value >= EXPLODE_RATIO * start
            found += self._hold(
                layer, EXPLODING, grew, step, _exploded(value / start if grew else 0)
            )
        return found

    def _activations(self, report: ActivationReport) -> list[Alarm]:
        found = []
        for layer, (dead, saturated) in enumerate(zip(report.dead, report.saturated, strict=True)):
            if np.isfinite(dead):
                found += self._hold(
                    layer, DEAD, dead >= DEAD_FRACTION, report.step, _dead(float(dead))
                )
            if np.isfinite(saturated):
                name = self._module(layer)
                found += self._hold(
                    layer,
                    SATURATED,
                    saturated >= SATURATED_FRACTION,
                    report.step,
                    _saturated(float(saturated), name),
                )
        return found

    def _hold(self, layer: int, kind: str, holds: bool, step: int, sentence: str) -> list[Alarm]:
        """Count the snapshots in a row a condition holds; raise it once it held RUNNING
        times (NaN at once), and never again this run."""
        key = (layer, kind)
        streak = self._streaks[key] = self._streaks.get(key, 0) + 1 if holds else 0
        needed = 1 if kind == NOT_FINITE else RUNNING
        if streak < needed or key in self._raised:
            return []
        self._raised.add(key)
        headline = _headline(sentence)
        alarm = Alarm(layer, self._module(layer), kind, step, headline, sentence)
        self.alarms.append(alarm)
        return [alarm]

    def _module(self, layer: int) -> str:
        return self.modules[layer] if 0 <= layer < len(self.modules) else _("layer")

    def _vanished(self, layer: int, ratio: float, top: int, below_others: bool) -> str:
        squashing = [m for m in self.modules[layer + 1 :] if m in SQUASHING]
        if math.isinf(ratio):
            start = _("gradients vanished: they are all 0")
        elif below_others:
            start = _(
                "gradients vanished: they are {times} smaller than those of layer {index} ({name})"
            ).format(times=_times(ratio), index=top, name=self._module(top))
        else:
            start = _("gradients vanished: they are {times} smaller than at first").format(
                times=_times(ratio)
            )
        if squashing:
            kinds = listed(tuple(sorted(set(squashing))))
            # Translators: {start}: a "gradients vanished: ..." text; {kinds}: "Sigmoid and Tanh".
            return _(
                "{start}, because the {count} {kinds} layers between it and the output squash "
                "them on the way back. Try ReLU, or fewer layers."
            ).format(start=start, count=len(squashing), kinds=kinds)
        # Translators: {start} is one of the "gradients vanished: ..." texts.
        return _(
            "{start}: this layer has almost stopped learning. Try fewer layers, BatchNorm, "
            "or a higher learning rate."
        ).format(start=start)


def _headline(sentence: str) -> str:
    """The few words before the sentence's first colon (a Chinese one too): "gradients
    vanished"."""
    return re.split("[:\uff1a]", sentence, maxsplit=1)[0]


def _times(ratio: float) -> str:
    """A big ratio in words: "12,000x", "about 400 million times"."""
    if ratio < 1e6:
        rounded = float(f"{ratio:.2g}")
        # Translators: a ratio: "12,000x" (12,000 times).
        return _("{ratio}x").format(ratio=f"{rounded:,.0f}")
    if ratio >= 1e12:
        return _("about {count:.0f} trillion times").format(count=ratio / 1e12)
    if ratio >= 1e9:
        return _("about {count:.0f} billion times").format(count=ratio / 1e9)
    if ratio >= 1e6:
        return _("about {count:.0f} million times").format(count=ratio / 1e6)
    return _("{ratio}x").format(ratio=f"{ratio:.0f}")


def _not_finite() -> str:
    return _(
        "gradients are not finite (NaN or infinity): the next update ruins the weights. "
        "Lower the learning rate, or look for huge values in the data."
    )


def _exploded(ratio: float) -> str:
    return _(
        "gradients exploded: they are {times} larger than the largest at the start of "
        "the run. Lower the learning rate, or add BatchNorm."
    ).format(times=_times(ratio))


def _dead(fraction: float) -> str:
    return _(
        "units died: {fraction:.0%} of its units output 0 for every input of the batch, so no "
        "gradient flows back through them. Try a lower learning rate or LeakyReLU."
    ).format(fraction=fraction)


def _saturated(fraction: float, name: str) -> str:
    ends = _("0 or 1") if name == "Sigmoid" else _("-1 or 1")
    # Translators: {ends} is "0 or 1" or "-1 or 1", the bounds of Sigmoid or Tanh.
    return _(
        "outputs saturated: {fraction:.0%} of its outputs sit near {ends}, where its gradient "
        "is almost 0. Try ReLU, or BatchNorm before it."
    ).format(fraction=fraction, ends=ends)
