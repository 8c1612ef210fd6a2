"""LayerSpec and ModelSpec: immutable descriptions of a network, with a JSON round trip.

Positions are 0-based, as in `model[2]` and the state_dict key `2.weight`.
"""

from __future__ import annotations

import difflib
import json
import math
import reprlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from models.layers import AUTO, CATALOG, LayerKind, Param
from models.translation import _

SCHEMA_VERSION = 1
MAX_INPUT_DIM = 100_000

# The fields a model and a layer may have in a file (what to_dict writes).
MODEL_FIELDS = ("version", "input_shape", "layers")
LAYER_FIELDS = ("kind", "params")

# Values quoted in messages are cut to a few dozen characters and a few levels: a message is
# one short line whatever a file holds (a 10,000-character name, a list nested 900 deep).
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxlong = _SHORT.maxother = 40
_SHORT.maxlevel = 3
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4


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
            return _("classification into {count} classes").format(count=self.outputs)
        if self.outputs == 1:
            return _("regression")
        return _("regression of {count} values").format(count=self.outputs)


def shown(value: object) -> str:
    """A value as a short one-line repr for a message: control characters escaped, long
    values cut in the middle, so no file can make a message span lines or pages."""
    try:
        return _SHORT.repr(value)
    except ValueError:  # an int past Python's 4300-digit str() limit (JSON cannot hold one)
        return _("a number thousands of digits long")


def named(name: object) -> str:
    """A name as written when it is a short plain identifier, else quoted by shown()."""
    if isinstance(name, str) and name.isascii() and name.isidentifier() and len(name) <= 40:
        return name
    return shown(name)


def unknown_field(name: object, known: Iterable[str], where: str = "") -> str:
    """The sentence refusing a field nobody reads, with the closest known name: a typo in a
    file must not silently train with the defaults."""
    known = list(known)
    close = difflib.get_close_matches(name, known, n=1) if isinstance(name, str) else []
    fields = {"field": shown(name), "where": where, "known": ", ".join(known)}
    if close:
        fields["close"] = repr(close[0])
        if where:
            # Translators: {where} is "layer 2 (Linear)" or "step 3"; field names stay in English.
            return _("unknown field {field} in {where}; did you mean {close}?").format(**fields)
        return _("unknown field {field}; did you mean {close}?").format(**fields)
    if where:
        return _("unknown field {field} in {where} (known: {known})").format(**fields)
    return _("unknown field {field} (known: {known})").format(**fields)


def first_unknown(data: dict, known: Iterable[str]) -> object | None:
    """The first key of `data`, in file order, that is not a known field (None if none)."""
    allowed = set(known)
    return next((key for key in data if key not in allowed), None)


def read_json(text: str) -> object:
    """Parse JSON text, refusing what Python's reader cannot take in one sentence: a syntax
    error, nesting deeper than the recursion limit, an integer of over 4300 digits."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        # Translators: {error} is Python's English ("Expecting value"); follows "FILE is".
        message = _("not valid JSON: {error} at line {line}")
        raise SpecError(message.format(error=error.msg, line=error.lineno)) from None
    except RecursionError:
        raise SpecError(_("not valid JSON here: lists or objects nested too deeply")) from None
    except ValueError:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise SpecError(_("not valid JSON here: a number with more than 4300 digits")) from None


def check_param(param: Param, value: object) -> object:
    """Return the value if the parameter accepts it, else raise SpecError naming the field."""
    name = param.name
    if value == AUTO and isinstance(value, str):
        if param.allows_auto:
            return AUTO
        raise SpecError(_("{name} cannot be 'auto'").format(name=name))
    if param.type == "bool":
        if not isinstance(value, bool):
            message = _("{name} must be true or false, got {value}")
            raise SpecError(message.format(name=name, value=shown(value)))
        return value
    if param.type == "choice":
        if value not in param.choices:
            options = ", ".join(repr(c) for c in param.choices)
            message = _("{name} must be one of {options}, got {value}")
            raise SpecError(message.format(name=name, options=options, value=shown(value)))
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        message = _("{name} must be a number, got {value}")
        raise SpecError(message.format(name=name, value=shown(value)))
    if param.type == "int":
        if isinstance(value, float) and not value.is_integer():
            message = _("{name} must be a whole number, got {value}")
            raise SpecError(message.format(name=name, value=shown(value)))
        value = int(value)
    elif isinstance(value, float) and not math.isfinite(value):
        message = _("{name} must be a finite number, got {value}")
        raise SpecError(message.format(name=name, value=shown(value)))
    # The range is checked before float(): Python compares an int of any size with a float
    # exactly, while float() of a 400-digit integer raises OverflowError.
    low, high = param.minimum, param.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        message = _("{name} must be between {low} and {high}, got {value}")
        raise SpecError(
            message.format(name=name, low=_num(low), high=_num(high), value=shown(value))
        )
    if param.type != "int":
        if abs(value) > sys.float_info.max:  # only an unbounded parameter gets here
            message = _("{name} is too large a number, got {value}")
            raise SpecError(message.format(name=name, value=shown(value)))
        value = float(value)
    return value


def _num(value: float | None) -> str:
    if value is None:
        # Translators: a range with no bound on this side: "between 0 and any".
        return _("any")
    return str(int(value)) if float(value).is_integer() else str(value)


def kind_of(name: str) -> LayerKind:
    try:
        return CATALOG[name]
    except KeyError:
        known = ", ".join(CATALOG)
        message = _("unknown layer kind {kind} (known: {known})")
        raise SpecError(message.format(kind=shown(name), known=known)) from None


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
            names = ", ".join(named(name) for name in sorted(unknown))
            close = difflib.get_close_matches(min(unknown), layer_kind.param_names, n=1)
            if len(unknown) == 1 and close:
                message = _("unknown parameter {names}; did you mean {close}?")
                raise SpecError(message.format(names=names, close=repr(close[0])))
            # Translators: what a layer with no parameters allows: "(allowed: none)".
            allowed = ", ".join(layer_kind.param_names) or _("none")
            message = _("unknown parameter {names} (allowed: {allowed})")
            raise SpecError(message.format(names=names, allowed=allowed))
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
            raise SpecError(_("must be an object with a 'kind' string"))
        # Unknown fields beside `kind` and `params` are refused by ModelSpec.from_dict, which
        # knows the layer's place.
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise SpecError(_("'params' must be an object"))
        return cls.create(data["kind"], **params)


def check_input_shape(shape: object) -> tuple[int, ...]:
    if (
        not isinstance(shape, list | tuple)
        or not 1 <= len(shape) <= 3
        or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape)
        or not all(1 <= d <= MAX_INPUT_DIM for d in shape)
    ):
        message = _(
            "input_shape must be 1 to 3 sizes between 1 and {most}, such as [2] or [1, 28, 28]; "
            "got {value}"
        )
        raise SpecError(message.format(most=MAX_INPUT_DIM, value=shown(shape)))
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
            raise SpecError(_("the model must be a JSON object"))
        version = data.get("version", SCHEMA_VERSION)
        if isinstance(version, bool) or version != SCHEMA_VERSION:
            message = _(
                "model schema version {version} is not supported (this LayerLab reads "
                "version {supported})"
            )
            raise SpecError(message.format(version=shown(version), supported=SCHEMA_VERSION))
        # After the version: a newer schema's new fields are a version problem, not typos.
        unknown = first_unknown(data, MODEL_FIELDS)
        if unknown is not None:
            raise SpecError(unknown_field(unknown, MODEL_FIELDS))
        input_shape = check_input_shape(data.get("input_shape"))
        raw_layers = data.get("layers", [])
        if not isinstance(raw_layers, list):
            raise SpecError(_("'layers' must be a list"))
        layers = []
        for index, raw in enumerate(raw_layers):
            kind = raw.get("kind") if isinstance(raw, dict) else None
            if isinstance(kind, str):
                where = _("layer {index} ({kind})").format(index=index, kind=named(kind))
            else:
                where = _("layer {index}").format(index=index)
            unknown = first_unknown(raw, LAYER_FIELDS) if isinstance(raw, dict) else None
            if unknown is not None:
                raise SpecError(unknown_field(unknown, LAYER_FIELDS, where))
            try:
                layers.append(LayerSpec.from_dict(raw))
            except SpecError as error:
                # Translators: {where} is "layer 2 (Linear)"; {error} what is wrong in it.
                message = _("{where}: {error}").format(where=where, error=error)
                raise SpecError(message) from None
        return cls(input_shape, tuple(layers))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        return cls.from_dict(read_json(text))
