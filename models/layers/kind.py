"""The catalog's value types: a layer kind with its parameters and its behaviour.

A LayerKind holds everything that differs from one kind to the next: the form's parameters
and help, the shape rule that judges its input, its output shape, its parameter count, its
one-line summary and how its code line is written. Adding a layer is one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.diagnostics import Verdict

if TYPE_CHECKING:
    from models.shapes import Site
    from models.spec import LayerSpec

Shape = tuple[int, ...]
"""The shape of one sample, without the batch dimension."""


@dataclass(frozen=True)
class Param:
    """One constructor argument of a layer, with what the form needs to edit it."""

    name: str
    type: str  # "int", "float", "bool" or "choice"
    default: object
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    allows_auto: bool = False
    key: bool = False  # written in the code line even at its default


def any_input(site: Site) -> Verdict:
    """The shape rule of a layer that runs on any shape and has no size to fill in."""
    return Verdict(site.layer)


def same_shape(layer: LayerSpec, shape: Shape) -> Shape:
    """The output shape of a layer that keeps its input's shape."""
    return shape


def no_parameters(layer: LayerSpec) -> int:
    """The parameter count of a layer with nothing to learn."""
    return 0


def kind_name(layer: LayerSpec) -> str:
    """The summary of a layer whose settings are not worth a word: its kind."""
    return layer.kind


@dataclass(frozen=True)
class LayerKind:
    """A layer type of the catalog: its `torch.nn` class, its parameters and its behaviour.

    `check` sees the layer as written where the walk meets it and fills in its `auto`
    values; `output_shape` and `param_count` then take the resolved layer; `summary` takes
    either (an unresolved size reads `auto`).
    """

    name: str
    category: str
    help: str
    params: tuple[Param, ...] = ()
    # Judges the input shape (models.shapes.Site) and resolves `auto`; runs before the rest.
    check: Callable[[Site], Verdict] = any_input
    output_shape: Callable[[LayerSpec, Shape], Shape] = same_shape
    # Trainable parameters only: buffers such as running means are not counted.
    param_count: Callable[[LayerSpec], int] = no_parameters
    # One line such as `Linear 784 -> 128`, for the layer list and messages.
    summary: Callable[[LayerSpec], str] = kind_name
    # Written positionally in generated code, as people write them: nn.Linear(784, 128).
    positional: tuple[str, ...] = ()
    # Squeezes the class scores when it is the last layer (cross-entropy wants raw scores).
    squashes: bool = False

    @property
    def torch_class(self) -> str:
        return f"torch.nn.{self.name}"

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)
