"""What a problem found before training looks like: a Diagnostic, its one-click Fixes, and
the Verdict a layer kind's shape rule gives.

A bottom module with no runtime imports, so the catalog's shape rules (models.layers) and the
walk that runs them (models.shapes) can both use these values without an import circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.spec import LayerSpec, ModelSpec

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Fix:
    """A one-click repair: its label and the whole spec after applying it."""

    label: str
    spec: ModelSpec


@dataclass(frozen=True)
class Diagnostic:
    """A problem found before training; `layer` is None when it concerns the whole model."""

    layer: int | None
    code: str
    message: str
    fixes: tuple[Fix, ...] = ()
    severity: str = ERROR


@dataclass(frozen=True)
class Verdict:
    """A shape rule's answer for one layer: the layer with `auto` filled in (None when the
    walk cannot know its output, so later shapes are unknown too) and the problems found."""

    resolved: LayerSpec | None
    diagnostics: tuple[Diagnostic, ...] = ()
