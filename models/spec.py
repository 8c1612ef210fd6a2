"""LayerSpec and ModelSpec: immutable descriptions of a network, with a JSON round trip.

Positions are 0-based, as in `model[2]` and the state_dict key `2.weight`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from models.layers import AUTO, CATALOG, LayerKind, Param

SCHEMA_VERSION = 1
MAX_INPUT_DIM = 100_000


class SpecError(ValueError):
    """A spec that cannot be: the message names the layer and the field."""


@dataclass(frozen=True)
class Task:
    """What the data asks of the model: K-class classification or regression."""

    kind: str  # "classification" or "regression"
    outputs: int  # number of classes, or of regression targets

    def __post_init__(self) -> None:
        if self.kind not in ("classification", "regression"):
            raise ValueError(f"unknown task kind {self.kind!r}")

    @property
    def is_classification(self) -> bool:
        return self.kind == "classification"

    def describe(self) -> str:
        if self.is_classification:
            return f"classification into {self.outputs} classes"
        return "regression" if self.outputs == 1 else f"regression of {self.outputs} values"


def check_param(param: Param, value: object) -> object:
    """Return the value if the parameter accepts it, else raise SpecError naming the field."""
    if value == AUTO and isinstance(value, str):
        if param.allows_auto:
            return AUTO
        raise SpecError(f"{param.name} cannot be 'auto'")
    if param.type == "bool":
        if not isinstance(value, bool):
            raise SpecError(f"{param.name} must be true or false, got {value!r}")
        return value
    if param.type == "choice":
        if value not in param.choices:
            options = ", ".join(repr(c) for c in param.choices)
            raise SpecError(f"{param.name} must be one of {options}, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"{param.name} must be a number, got {value!r}")
    if param.type == "int":
        if isinstance(value, float) and not value.is_integer():
            raise SpecError(f"{param.name} must be a whole number, got {value!r}")
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise SpecError(f"{param.name} must be a finite number, got {value!r}")
    low, high = param.minimum, param.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise SpecError(f"{param.name} must be between {_num(low)} and {_num(high)}, got {value}")
    return value


def _num(value: float | None) -> str:
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else str(value)


def kind_of(name: str) -> LayerKind:
    try:
        return CATALOG[name]
    except KeyError:
        known = ", ".join(CATALOG)
        raise SpecError(f"unknown layer kind {name!r} (known: {known})") from None


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its kind and every parameter value (defaults filled in), in catalog order."""

    kind: str
    values: tuple[tuple[str, object], ...]

    @classmethod
    def create(cls, kind: str, **params: object) -> LayerSpec:
        layer_kind = kind_of(kind)
        unknown = set(params) - set(layer_kind.param_names)
        if unknown:
            names = ", ".join(sorted(unknown))
            allowed = ", ".join(layer_kind.param_names) or "none"
            raise SpecError(f"unknown parameter {names} (allowed: {allowed})")
        values = tuple(
            (p.name, check_param(p, params.get(p.name, p.default))) for p in layer_kind.params
        )
        return cls(kind, values)

    @property
    def params(self) -> dict[str, object]:
        return dict(self.values)

    def get(self, name: str) -> Any:
        for key, value in self.values:
            if key == name:
                return value
        raise KeyError(f"{self.kind} has no parameter {name!r}")

    def with_params(self, **changes: object) -> LayerSpec:
        return LayerSpec.create(self.kind, **{**self.params, **changes})

    def summary(self) -> str:
        """One line such as `Linear 784 -> 128` or `Conv2d 1 -> 6, 5x5, pad 2`."""
        return kind_of(self.kind).summary(self)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "params": self.params}

    @classmethod
    def from_dict(cls, data: object) -> LayerSpec:
        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            raise SpecError("must be an object with a 'kind' string")
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise SpecError("'params' must be an object")
        return cls.create(data["kind"], **params)


def check_input_shape(shape: object) -> tuple[int, ...]:
    if (
        not isinstance(shape, list | tuple)
        or not 1 <= len(shape) <= 3
        or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape)
        or not all(1 <= d <= MAX_INPUT_DIM for d in shape)
    ):
        raise SpecError(
            "input_shape must be 1 to 3 sizes between 1 and "
            f"{MAX_INPUT_DIM}, such as [2] or [1, 28, 28]; got {shape!r}"
        )
    return tuple(shape)


@dataclass(frozen=True)
class ModelSpec:
    """A network: the shape of one input sample (no batch dimension) and the layers in order."""

    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_shape", check_input_shape(self.input_shape))
        object.__setattr__(self, "layers", tuple(self.layers))

    def insert(self, index: int, layer: LayerSpec) -> ModelSpec:
        layers = list(self.layers)
        layers.insert(index, layer)
        return ModelSpec(self.input_shape, tuple(layers))

    def remove(self, index: int) -> ModelSpec:
        layers = list(self.layers)
        del layers[index]  # list semantics: negative indices count from the end
        return ModelSpec(self.input_shape, tuple(layers))

    def replace(self, index: int, layer: LayerSpec) -> ModelSpec:
        layers = list(self.layers)
        layers[index] = layer
        return ModelSpec(self.input_shape, tuple(layers))

    def move(self, source: int, destination: int) -> ModelSpec:
        """Move the layer at `source` so that it ends up at index `destination`."""
        layers = list(self.layers)
        layers.insert(destination, layers.pop(source))
        return ModelSpec(self.input_shape, tuple(layers))

    def with_input_shape(self, shape: tuple[int, ...]) -> ModelSpec:
        return ModelSpec(tuple(shape), self.layers)

    def to_dict(self) -> dict[str, object]:
        return {
            "version": SCHEMA_VERSION,
            "input_shape": list(self.input_shape),
            "layers": [layer.to_dict() for layer in self.layers],
        }

    @classmethod
    def from_dict(cls, data: object) -> ModelSpec:
        if not isinstance(data, dict):
            raise SpecError("the model must be a JSON object")
        version = data.get("version", SCHEMA_VERSION)
        if isinstance(version, bool) or version != SCHEMA_VERSION:
            raise SpecError(
                f"model schema version {version!r} is not supported (this LayerLab reads "
                f"version {SCHEMA_VERSION})"
            )
        input_shape = check_input_shape(data.get("input_shape"))
        raw_layers = data.get("layers", [])
        if not isinstance(raw_layers, list):
            raise SpecError("'layers' must be a list")
        layers = []
        for index, raw in enumerate(raw_layers):
            kind = raw.get("kind") if isinstance(raw, dict) else None
            try:
                layers.append(LayerSpec.from_dict(raw))
            except SpecError as error:
                label = f" ({kind})" if isinstance(kind, str) else ""
                raise SpecError(f"layer {index}{label}: {error}") from None
        return cls(input_shape, tuple(layers))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise SpecError(f"not valid JSON: {error.msg} at line {error.lineno}") from None
        return cls.from_dict(data)
