"""Shape inference and diagnostics: what each layer outputs, what it costs, what is wrong.

Pure arithmetic, no torch: it runs on every keystroke (30 layers in well under 10 ms) and
before torch has finished importing. A property test checks every shape and parameter
count it reports against a real forward pass. Each diagnostic names the layer, what it
expected, what it got, and offers fixes as ready-made specs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from models.layers import AUTO
from models.spec import LayerSpec, ModelSpec, Task
from models.words import counted

Shape = tuple[int, ...]

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


@dataclass
class _Step:
    resolved: LayerSpec | None
    diagnostics: list[Diagnostic]


def _shape_text(shape: Shape) -> str:
    return " x ".join(str(d) for d in shape)


def _sized(layer: LayerSpec, name: str, actual: int, index: int, spec: ModelSpec, what: str):
    """Resolve an `auto` size, or flag a written size that differs from the actual input."""
    written = layer.get(name)
    resolved = layer.with_params(**{name: actual})
    if written in (AUTO, actual):
        return resolved, []
    fix = Fix(f"Set {name} to {actual}", spec.replace(index, resolved))
    message = (
        f"Layer {index} ({layer.kind}) expects {written} {what}, but the layer before gives "
        f"{actual}. Set {name} to {actual} (or to auto)."
    )
    return resolved, [Diagnostic(index, "size_mismatch", message, (fix,))]


def _check_linear(index: int, layer: LayerSpec, shape: Shape, spec: ModelSpec) -> _Step:
    if len(shape) > 1:
        message = (
            f"Layer {index} (Linear) needs flat features, but gets a {_shape_text(shape)} "
            f"tensor. Insert Flatten before layer {index}."
        )
        fix = Fix(
            f"Insert Flatten before layer {index}", spec.insert(index, LayerSpec.create("Flatten"))
        )
        return _Step(None, [Diagnostic(index, "needs_flatten", message, (fix,))])
    return _Step(*_sized(layer, "in_features", shape[0], index, spec, "input features"))


def _needs_image(index: int, layer: LayerSpec, shape: Shape, spec: ModelSpec) -> _Step:
    """Conv2d, pooling and BatchNorm2d need channels x height x width."""
    if len(shape) == 3:
        return _Step(layer, [])
    fixes = []
    flatten_at = _last_index(spec, "Flatten", before=index)
    if len(shape) == 1 and flatten_at is not None:
        fixes.append(Fix(f"Remove Flatten (layer {flatten_at})", spec.remove(flatten_at)))
    if layer.kind == "BatchNorm2d" and len(shape) in (1, 2):
        batch_norm = LayerSpec.create(
            "BatchNorm1d",
            eps=layer.get("eps"),
            momentum=layer.get("momentum"),
            affine=layer.get("affine"),
        )
        fixes.append(Fix("Use BatchNorm1d instead", spec.replace(index, batch_norm)))
    if not fixes:
        fixes.append(Fix(f"Remove {layer.kind} (layer {index})", spec.remove(index)))
    got = f"{shape[0]} flat features" if len(shape) == 1 else f"a {_shape_text(shape)} tensor"
    message = (
        f"Layer {index} ({layer.kind}) needs an image (channels x height x width), but gets {got}."
    )
    if flatten_at is not None and len(shape) == 1:
        message += f" Flatten (layer {flatten_at}) belongs after the image layers."
    return _Step(None, [Diagnostic(index, "needs_image", message, tuple(fixes))])


def _check_window(index: int, layer: LayerSpec, shape: Shape, spec: ModelSpec) -> list[Diagnostic]:
    """The sliding window of a convolution or pooling must fit inside the padded image."""
    kernel, padding = layer.get("kernel_size"), layer.get("padding")
    smallest = min(shape[1], shape[2])
    if smallest + 2 * padding >= kernel:
        return []
    fixes = [
        Fix(
            f"Set kernel_size to {smallest + 2 * padding}",
            spec.replace(index, layer.with_params(kernel_size=smallest + 2 * padding)),
        )
    ]
    needed_padding = math.ceil((kernel - smallest) / 2)
    if needed_padding <= kernel // 2 or layer.kind == "Conv2d":
        fixes.append(
            Fix(
                f"Set padding to {needed_padding}",
                spec.replace(index, layer.with_params(padding=needed_padding)),
            )
        )
    message = (
        f"Layer {index} ({layer.kind}) has a {kernel}x{kernel} kernel, larger than its "
        f"{shape[1]}x{shape[2]} input (padding {padding}). Shrink kernel_size or add padding."
    )
    return [Diagnostic(index, "kernel_too_large", message, tuple(fixes))]


def _check_conv(index: int, layer: LayerSpec, shape: Shape, spec: ModelSpec) -> _Step:
    step = _needs_image(index, layer, shape, spec)
    if step.resolved is None:
        return step
    resolved, diagnostics = _sized(layer, "in_channels", shape[0], index, spec, "input channels")
    window = _check_window(index, resolved, shape, spec)
    return _Step(None if window else resolved, diagnostics + window)


def _check_pool(index: int, layer: LayerSpec, shape: Shape, spec: ModelSpec) -> _Step:
    step = _needs_image(index, layer, shape, spec)
    if step.resolved is None:
        return step
    kernel, padding = layer.get("kernel_size"), layer.get("padding")
    if padding > kernel // 2:
        fixed = layer.with_params(padding=kernel // 2)
        message = (
            f"Layer {index} ({layer.kind}) pads by {padding}, but padding can be at most half "
            f"the kernel size ({kernel // 2} for a {kernel}x{kernel} kernel)."
        )
        fix = Fix(f"Set padding to {kernel // 2}", spec.replace(index, fixed))
        return _Step(None, [Diagnostic(index, "padding_too_large", message, (fix,))])
    window = _check_window(index, layer, shape, spec)
    return _Step(None if window else layer, window)


def _check_batch_norm_1d(index: int, layer: LayerSpec, shape: Shape, spec: ModelSpec) -> _Step:
    if len(shape) == 3:
        batch_norm = LayerSpec.create(
            "BatchNorm2d",
            eps=layer.get("eps"),
            momentum=layer.get("momentum"),
            affine=layer.get("affine"),
        )
        message = (
            f"Layer {index} (BatchNorm1d) gets an image ({_shape_text(shape)}); images need "
            "BatchNorm2d."
        )
        fix = Fix("Use BatchNorm2d instead", spec.replace(index, batch_norm))
        return _Step(None, [Diagnostic(index, "wrong_batch_norm", message, (fix,))])
    return _Step(*_sized(layer, "num_features", shape[0], index, spec, "features"))


def _check_batch_norm_2d(index: int, layer: LayerSpec, shape: Shape, spec: ModelSpec) -> _Step:
    step = _needs_image(index, layer, shape, spec)
    if step.resolved is None:
        return step
    return _Step(*_sized(layer, "num_features", shape[0], index, spec, "channels"))


def _any_shape(index: int, layer: LayerSpec, shape: Shape, spec: ModelSpec) -> _Step:
    return _Step(layer, [])


_CHECKS: dict[str, Callable[[int, LayerSpec, Shape, ModelSpec], _Step]] = {
    "Linear": _check_linear,
    "Conv2d": _check_conv,
    "MaxPool2d": _check_pool,
    "AvgPool2d": _check_pool,
    "BatchNorm1d": _check_batch_norm_1d,
    "BatchNorm2d": _check_batch_norm_2d,
}


def _window_out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def output_shape(layer: LayerSpec, shape: Shape) -> Shape:
    """The per-sample output shape of a resolved layer that passed its checks."""
    p = layer.params
    match layer.kind:
        case "Linear":
            return (p["out_features"],)
        case "Flatten":
            return (math.prod(shape),)
        case "Conv2d" | "MaxPool2d" | "AvgPool2d":
            stride = p["kernel_size"] if p["stride"] == AUTO else p["stride"]
            channels = p["out_channels"] if layer.kind == "Conv2d" else shape[0]
            height, width = (
                _window_out(s, p["kernel_size"], stride, p["padding"]) for s in shape[1:]
            )
            return (channels, height, width)
    return shape


def param_count(layer: LayerSpec) -> int:
    """Trainable parameters of a resolved layer (buffers such as running means excluded)."""
    p = layer.params
    match layer.kind:
        case "Linear":
            return p["in_features"] * p["out_features"] + (p["out_features"] if p["bias"] else 0)
        case "Conv2d":
            weights = p["out_channels"] * p["in_channels"] * p["kernel_size"] ** 2
            return weights + (p["out_channels"] if p["bias"] else 0)
        case "BatchNorm1d" | "BatchNorm2d":
            return 2 * p["num_features"] if p["affine"] else 0
    return 0


def _last_index(spec: ModelSpec, kind: str, before: int) -> int | None:
    for index in range(before - 1, -1, -1):
        if spec.layers[index].kind == kind:
            return index
    return None


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
            f"The model outputs a {_shape_text(shape)} tensor per sample, but "
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
    if task.is_classification and last.kind in ("ReLU", "Sigmoid", "Tanh", "GELU", "LeakyReLU"):
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
        step = _CHECKS.get(layer.kind, _any_shape)(index, layer, shape, spec)
        resolved = step.resolved
        shape = output_shape(resolved, shape) if resolved else None
        count = param_count(resolved) if resolved else None
        infos.append(LayerInfo(index, layer, resolved, shape, count, tuple(step.diagnostics)))
    model_diagnostics = _check_model(spec, infos, task)
    by_layer = {}
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
