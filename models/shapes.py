"""Shape inference and diagnostics: what each layer outputs, what it costs, what is wrong.

Pure arithmetic, no torch: it runs on every keystroke (30 layers in well under 10 ms) and
before torch has finished importing. A property test checks every shape and parameter
count it reports against a real forward pass. Each diagnostic names the layer, what it
expected, what it got, and offers fixes as ready-made specs.

Each kind's own rule lives with its catalog entry (models.layers); this module walks the
layers, hands each rule a Site with the checks several kinds share, and checks the whole
model against the task.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.diagnostics import ERROR, WARNING, Diagnostic, Fix, Verdict
from models.layers import AUTO, CATALOG, Shape
from models.spec import LayerSpec, ModelSpec, Task
from models.words import counted

__all__ = [
    "ERROR",
    "WARNING",
    "Diagnostic",
    "Fix",
    "Inference",
    "LayerInfo",
    "Shape",
    "Site",
    "infer",
]


@dataclass(frozen=True)
class LayerInfo:
    """What inference knows about one layer. Shapes are per sample, without the batch."""

    index: int
    layer: LayerSpec
    resolved: LayerSpec | None  # `auto` values filled in; None when the input is unknown
    output_shape: Shape | None
    param_count: int | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Inference:
    """Everything inference found for one spec and task: per layer, and for the whole model."""

    spec: ModelSpec
    task: Task | None
    layers: tuple[LayerInfo, ...]
    model_diagnostics: tuple[Diagnostic, ...]

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        per_layer = tuple(d for info in self.layers for d in info.diagnostics)
        return per_layer + self.model_diagnostics

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == ERROR)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def output_shape(self) -> Shape | None:
        return self.layers[-1].output_shape if self.layers else self.spec.input_shape

    @property
    def total_params(self) -> int:
        return sum(info.param_count or 0 for info in self.layers)

    def resolved_spec(self) -> ModelSpec:
        """The spec with every `auto` filled in; raises ValueError while there are errors."""
        if not self.ok:
            raise ValueError(self.errors[0].message)
        return ModelSpec(self.spec.input_shape, tuple(info.resolved for info in self.layers))


def shape_text(shape: Shape) -> str:
    """`8 x 13 x 13`: a shape as messages write it."""
    return " x ".join(str(d) for d in shape)


def _last_index(spec: ModelSpec, kind: str, before: int) -> int | None:
    for index in range(before - 1, -1, -1):
        if spec.layers[index].kind == kind:
            return index
    return None


@dataclass(frozen=True)
class Site:
    """One layer where the walk meets it, as its kind's shape rule sees it: the layer as
    written, the shape coming in, the whole spec for fixes, and the checks kinds share."""

    index: int
    layer: LayerSpec
    shape: Shape
    spec: ModelSpec

    @property
    def label(self) -> str:
        """`Layer 3 (Linear)`: how every message about this layer begins."""
        return f"Layer {self.index} ({self.layer.kind})"

    @property
    def shape_text(self) -> str:
        return shape_text(self.shape)

    def new_layer(self, kind: str, **params: object) -> LayerSpec:
        """A fresh layer for a fix (the catalog's files cannot import the spec themselves)."""
        return LayerSpec.create(kind, **params)

    def sized(self, name: str, what: str) -> Verdict:
        """Resolve an `auto` size from the incoming channels or features, or flag a written
        size that differs from them (the walk goes on with the actual size)."""
        actual = self.shape[0]
        written = self.layer.get(name)
        resolved = self.layer.with_params(**{name: actual})
        if written in (AUTO, actual):
            return Verdict(resolved)
        fix = Fix(f"Set {name} to {actual}", self.spec.replace(self.index, resolved))
        message = (
            f"{self.label} expects {written} {what}, but the layer before gives {actual}. "
            f"Set {name} to {actual} (or to auto)."
        )
        return Verdict(resolved, (Diagnostic(self.index, "size_mismatch", message, (fix,)),))

    def needs_image(self, other_fix: Fix | None = None) -> Verdict | None:
        """None when the input is an image (channels x height x width), else the problem:
        Flatten too early is offered for removal, then `other_fix`, else the layer itself."""
        if len(self.shape) == 3:
            return None
        fixes = []
        flatten_at = _last_index(self.spec, "Flatten", before=self.index)
        if len(self.shape) == 1 and flatten_at is not None:
            fixes.append(Fix(f"Remove Flatten (layer {flatten_at})", self.spec.remove(flatten_at)))
        if other_fix is not None:
            fixes.append(other_fix)
        if not fixes:
            label = f"Remove {self.layer.kind} (layer {self.index})"
            fixes.append(Fix(label, self.spec.remove(self.index)))
        flat = len(self.shape) == 1
        got = f"{self.shape[0]} flat features" if flat else f"a {self.shape_text} tensor"
        message = f"{self.label} needs an image (channels x height x width), but gets {got}."
        if flatten_at is not None and flat:
            message += f" Flatten (layer {flatten_at}) belongs after the image layers."
        return Verdict(None, (Diagnostic(self.index, "needs_image", message, tuple(fixes)),))

    def window(self, layer: LayerSpec, max_padding: int | None = None) -> tuple[Diagnostic, ...]:
        """The sliding window must fit inside the padded image; fixes shrink the kernel or,
        within `max_padding`, pad the image."""
        kernel, padding = layer.get("kernel_size"), layer.get("padding")
        smallest = min(self.shape[1], self.shape[2])
        if smallest + 2 * padding >= kernel:
            return ()
        largest = smallest + 2 * padding
        fixes = [
            Fix(
                f"Set kernel_size to {largest}",
                self.spec.replace(self.index, layer.with_params(kernel_size=largest)),
            )
        ]
        needed_padding = math.ceil((kernel - smallest) / 2)
        if max_padding is None or needed_padding <= max_padding:
            fixes.append(
                Fix(
                    f"Set padding to {needed_padding}",
                    self.spec.replace(self.index, layer.with_params(padding=needed_padding)),
                )
            )
        message = (
            f"{self.label} has a {kernel}x{kernel} kernel, larger than its "
            f"{self.shape[1]}x{self.shape[2]} input (padding {padding}). "
            "Shrink kernel_size or add padding."
        )
        return (Diagnostic(self.index, "kernel_too_large", message, tuple(fixes)),)


def _check_model(spec: ModelSpec, infos: list[LayerInfo], task: Task | None) -> list[Diagnostic]:
    """Whole-model checks: something to learn, and an output that fits the task."""
    diagnostics = []
    width = task.outputs if task else None
    if not spec.layers:
        layer = LayerSpec.create("Linear", out_features=width or 1)
        fix = Fix(f"Add Linear -> {width or 1}", spec.insert(0, layer))
        return [
            Diagnostic(
                None, "empty", "The model has no layers yet. Add a Linear layer to start.", (fix,)
            )
        ]
    shape = infos[-1].output_shape
    if sum(info.param_count or 0 for info in infos) == 0 and shape is not None:
        message = (
            "The model has nothing to learn: no layer has weights. Add a Linear or Conv2d layer."
        )
        diagnostics.append(Diagnostic(None, "no_parameters", message))
    if task is None or shape is None:
        return diagnostics
    what = counted(width, "class score") if task.is_classification else counted(width, "value")
    if len(shape) > 1:
        end = spec.insert(len(spec.layers), LayerSpec.create("Flatten"))
        end = end.insert(len(end.layers), LayerSpec.create("Linear", out_features=width))
        message = (
            f"The model outputs a {shape_text(shape)} tensor per sample, but "
            f"{task.describe()} needs {what}. Add Flatten and a Linear layer at the end."
        )
        diagnostics.append(
            Diagnostic(
                len(spec.layers) - 1,
                "output_mismatch",
                message,
                (Fix(f"Add Flatten and Linear -> {width}", end),),
            )
        )
    elif shape[0] != width:
        last_linear = _last_index(spec, "Linear", before=len(spec.layers))
        at = last_linear if last_linear is not None else len(spec.layers) - 1
        message = (
            f"The model outputs {counted(shape[0], 'value')} per sample, but {task.describe()} "
            f"needs {what}."
        )
        if last_linear is not None:
            layer = spec.layers[last_linear]
            fixed = spec.replace(last_linear, layer.with_params(out_features=width))
            fix = Fix(f"Set out_features of layer {last_linear} to {width}", fixed)
        else:
            layer = LayerSpec.create("Linear", out_features=width)
            fix = Fix(f"Add Linear -> {width} at the end", spec.insert(len(spec.layers), layer))
        diagnostics.append(Diagnostic(at, "output_mismatch", message + f" {fix.label}.", (fix,)))
    last = spec.layers[-1]
    if task.is_classification and CATALOG[last.kind].squashes:
        at = len(spec.layers) - 1
        message = (
            f"The last layer ({last.kind}) squeezes the class scores; cross-entropy works best on "
            "raw scores (it applies softmax itself). Consider removing it."
        )
        fix = Fix(f"Remove {last.kind} (layer {at})", spec.remove(at))
        diagnostics.append(Diagnostic(at, "squashed_output", message, (fix,), WARNING))
    return diagnostics


def infer(spec: ModelSpec, task: Task | None = None) -> Inference:
    """Walk the layers once: shapes, parameter counts, and every problem with its fixes."""
    infos: list[LayerInfo] = []
    shape: Shape | None = spec.input_shape
    for index, layer in enumerate(spec.layers):
        if shape is None:
            infos.append(LayerInfo(index, layer, None, None, None, ()))
            continue
        kind = CATALOG[layer.kind]
        verdict = kind.check(Site(index, layer, shape, spec))
        resolved = verdict.resolved
        shape = kind.output_shape(resolved, shape) if resolved else None
        count = kind.param_count(resolved) if resolved else None
        infos.append(LayerInfo(index, layer, resolved, shape, count, verdict.diagnostics))
    model_diagnostics = _check_model(spec, infos, task)
    by_layer: dict[int, list[Diagnostic]] = {}
    for diagnostic in model_diagnostics:
        if diagnostic.layer is not None:
            by_layer.setdefault(diagnostic.layer, []).append(diagnostic)
    infos = [
        info
        if info.index not in by_layer
        else LayerInfo(
            info.index,
            info.layer,
            info.resolved,
            info.output_shape,
            info.param_count,
            info.diagnostics + tuple(by_layer[info.index]),
        )
        for info in infos
    ]
    whole = tuple(d for d in model_diagnostics if d.layer is None)
    return Inference(spec, task, tuple(infos), whole)
