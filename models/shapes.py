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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from models.diagnostics import ERROR, WARNING, Diagnostic, Fix, Verdict
from models.layers import AUTO, CATALOG, Shape
from models.spec import LayerSpec, ModelSpec, Task
from models.translation import _, ngettext

__all__ = [
    "ERROR",
    "WARNING",
    "Diagnostic",
    "Fix",
    "MAX_LAYERS",
    "Inference",
    "LayerInfo",
    "Shape",
    "Site",
    "infer",
]

# A teaching app's models have tens of layers; past this the list and every check would crawl
# (the layer list once took 38 s for 40,000 rows), so a longer model is one error instead.
MAX_LAYERS = 1000


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

    @cached_property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every layer's problems in order, then the whole model's; gathered once, as each
        gathering walks every layer."""
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


def then(sentence: str, more: str) -> str:
    """Two sentences of a message, one after the other."""
    # Translators: two sentences of a message, one after the other (a space between them).
    return _("{sentence} {more}").format(sentence=sentence, more=more)


def _last_index(spec: ModelSpec, kind: str, before: int) -> int | None:
    for index in range(before - 1, -1, -1):
        if spec.layers[index].kind == kind:
            return index
    return None


@dataclass(frozen=True)
class Site:
    """One layer where the walk meets it, as its kind's shape rule sees it: the layer as
    written, the shape coming in, the whole spec for fixes, the layers walked before it, and
    the checks kinds share."""

    index: int
    layer: LayerSpec
    shape: Shape
    spec: ModelSpec
    # The walk so far (the walk's own list, not a copy: a copy per layer made it quadratic).
    walked: Sequence[LayerInfo] = field(default=(), compare=False, repr=False)

    @property
    def label(self) -> str:
        """`Layer 3 (Linear)`: how every message about this layer begins."""
        return _("Layer {index} ({kind})").format(index=self.index, kind=self.layer.kind)

    @property
    def shape_text(self) -> str:
        return shape_text(self.shape)

    def new_layer(self, kind: str, **params: object) -> LayerSpec:
        """A fresh layer for a fix (the catalog's files cannot import the spec themselves)."""
        return LayerSpec.create(kind, **params)

    def sized(self, name: str, what: str) -> Verdict:
        """Resolve an `auto` size from the incoming channels or features, or flag a written
        size that differs from them (the layer keeps the size written). `what` names the
        size ("input features"), marked N_() by the kind's rule."""
        what = _(what)
        actual = self.shape[0]
        limit = CATALOG[self.layer.kind].param(name).maximum
        if limit is not None and actual > limit:
            # Resolving would make a layer the catalog forbids (LayerSpec raises): a problem.
            return Verdict(None, (self._too_large(name, what, actual, int(limit)),))
        written = self.layer.get(name)
        resolved = self.layer.with_params(**{name: actual})
        if written in (AUTO, actual):
            return Verdict(resolved)
        fixes = tuple(
            Fix(
                _("Set {name} to {value}").format(name=name, value=value),
                self.spec.replace(self.index, layer),
            )
            for value, layer in ((actual, resolved), (AUTO, self.layer.with_params(**{name: AUTO})))
        )
        # Translators: {what}: "input features", "input channels", "features" or "channels".
        message = _(
            "{layer} expects {written} {what}, but the layer above gives {actual}. "
            "Set {name} to {actual} or to auto."
        ).format(layer=self.label, written=written, what=what, actual=actual, name=name)
        # The layer stays as written (its row shows the size the user typed, and its count
        # what that layer would hold); the walk goes on, as its output does not depend on it.
        return Verdict(self.layer, (Diagnostic(self.index, "size_mismatch", message, fixes),))

    def _input_of(self, index: int) -> Shape | None:
        """The shape that came into an earlier layer, as the walk found it."""
        return self.spec.input_shape if index == 0 else self.walked[index - 1].output_shape

    def _too_large(self, name: str, what: str, actual: int, limit: int) -> Diagnostic:
        """More channels or features than `name` may hold: pool before Flatten, or use fewer
        filters in the convolution that made them, where that is where they came from."""
        fixes: list[Fix] = []
        advice = None
        flatten_at = _last_index(self.spec, "Flatten", before=self.index)
        image = self._input_of(flatten_at) if flatten_at is not None else None
        if flatten_at is not None and image is not None and len(image) == 3:
            channels, height, width = image
            pooled = _pool_fix(self.spec, flatten_at, image, limit)
            if pooled is not None:
                fixes.append(pooled)
            advice = _("To fit, add MaxPool2d before Flatten (layer {flatten}).").format(
                flatten=flatten_at
            )
            conv_at = _last_index(self.spec, "Conv2d", before=flatten_at)
            conv = self.spec.layers[conv_at] if conv_at is not None else None
            fitting = limit // (height * width)
            # Only Conv2d changes the channel count, so the last one made these channels.
            if conv is not None and conv.get("out_channels") == channels and fitting >= 1:
                fixed = self.spec.replace(conv_at, conv.with_params(out_channels=fitting))
                label = _("Set out_channels of layer {index} to {value}").format(
                    index=conv_at, value=fitting
                )
                fixes.append(Fix(label, fixed))
                advice = _(
                    "To fit, add MaxPool2d before Flatten (layer {flatten}) or give layer "
                    "{conv} fewer out_channels."
                ).format(flatten=flatten_at, conv=conv_at)
        # Translators: {what} as in "{layer} expects {written} {what}, ...".
        message = _("{layer} gets {actual:,} {what}, but {name} can be at most {limit:,}.").format(
            layer=self.label, actual=actual, what=what, name=name, limit=limit
        )
        if advice:
            message = then(message, advice)
        return Diagnostic(self.index, "too_large", message, tuple(fixes))

    def needs_image(self, other_fix: Fix | None = None) -> Verdict | None:
        """None when the input is an image (channels x height x width), else the problem:
        Flatten too early is offered for removal, then `other_fix`, else the layer itself."""
        if len(self.shape) == 3:
            return None
        fixes = []
        flatten_at = _last_index(self.spec, "Flatten", before=self.index)
        if len(self.shape) == 1 and flatten_at is not None:
            label = _("Remove Flatten (layer {index})").format(index=flatten_at)
            fixes.append(Fix(label, self.spec.remove(flatten_at)))
        if other_fix is not None:
            fixes.append(other_fix)
        if not fixes:
            label = _("Remove {kind} (layer {index})").format(
                kind=self.layer.kind, index=self.index
            )
            fixes.append(Fix(label, self.spec.remove(self.index)))
        flat = len(self.shape) == 1
        if flat:
            message = _(
                "{layer} needs an image (channels x height x width), but gets {count} flat "
                "features."
            ).format(layer=self.label, count=self.shape[0])
        else:
            message = _(
                "{layer} needs an image (channels x height x width), but gets a {shape} tensor."
            ).format(layer=self.label, shape=self.shape_text)
        if flatten_at is not None and flat:
            more = _("Flatten (layer {index}) belongs after the image layers.")
            message = then(message, more.format(index=flatten_at))
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
                _("Set kernel_size to {value}").format(value=largest),
                self.spec.replace(self.index, layer.with_params(kernel_size=largest)),
            )
        ]
        needed_padding = math.ceil((kernel - smallest) / 2)
        if max_padding is None or needed_padding <= max_padding:
            fixes.append(
                Fix(
                    _("Set padding to {padding}").format(padding=needed_padding),
                    self.spec.replace(self.index, layer.with_params(padding=needed_padding)),
                )
            )
        message = _(
            "{layer} has a {kernel}x{kernel} kernel, larger than its {height}x{width} input "
            "(padding {padding}). Shrink kernel_size or add padding."
        ).format(
            layer=self.label,
            kernel=kernel,
            height=self.shape[1],
            width=self.shape[2],
            padding=padding,
        )
        return (Diagnostic(self.index, "kernel_too_large", message, tuple(fixes)),)


def _pool_fix(spec: ModelSpec, at: int, image: Shape, limit: int) -> Fix | None:
    """MaxPool2d before layer `at` with the smallest window that brings the flattened `image`
    within `limit`; None when no window the catalog allows is enough."""
    channels, height, width = image
    largest = min(height, width, int(CATALOG["MaxPool2d"].param("kernel_size").maximum or 1))
    for size in range(2, largest + 1):
        if channels * (height // size) * (width // size) <= limit:
            pool = LayerSpec.create("MaxPool2d", kernel_size=size)
            label = _("Insert MaxPool2d {size}x{size} before layer {index}")
            return Fix(label.format(size=size, index=at), spec.insert(at, pool))
    return None


def _too_many_layers(spec: ModelSpec) -> Diagnostic:
    """The whole model is past MAX_LAYERS: one sentence, and the first MAX_LAYERS kept."""
    count = len(spec.layers)
    message = ngettext(
        "The model has {count:,} layer; LayerLab trains at most {most:,}.",
        "The model has {count:,} layers; LayerLab trains at most {most:,}.",
        count,
    ).format(count=count, most=MAX_LAYERS)
    kept = ModelSpec(spec.input_shape, spec.layers[:MAX_LAYERS])
    label = ngettext(
        "Keep the first {count:,} layer", "Keep the first {count:,} layers", MAX_LAYERS
    ).format(count=MAX_LAYERS)
    return Diagnostic(None, "too_many_layers", message, (Fix(label, kept),))


def _linear_of(width: int) -> LayerSpec | None:
    """A Linear layer with `width` outputs, or None when that width is outside its range."""
    param = CATALOG["Linear"].param("out_features")
    fits = (param.minimum or 1) <= width <= (param.maximum or width)
    return LayerSpec.create("Linear", out_features=width) if fits else None


def _stacked_linears(spec: ModelSpec) -> list[Diagnostic]:
    """A warning on each Linear that follows another with no activation between them: the
    two are one linear map (W2 (W1 x + b1) + b2), which students take for a deeper model.
    Dropout, BatchNorm and Flatten between them change nothing about that."""
    found = []
    previous: int | None = None  # the last Linear with no activation after it
    for index, layer in enumerate(spec.layers):
        if CATALOG[layer.kind].category == "Activation":
            previous = None
        elif layer.kind == "Linear":
            if previous is not None:
                message = _(
                    "Layer {index} (Linear) follows layer {previous} (Linear) with no "
                    "activation between them: together they are one linear map, no more "
                    "powerful than a single Linear. Add a ReLU between them."
                ).format(index=index, previous=previous)
                fix = Fix(
                    _("Insert ReLU before layer {index}").format(index=index),
                    spec.insert(index, LayerSpec.create("ReLU")),
                )
                found.append(Diagnostic(index, "stacked_linear", message, (fix,), WARNING))
            previous = index
    return found


def _check_model(spec: ModelSpec, infos: list[LayerInfo], task: Task | None) -> list[Diagnostic]:
    """Whole-model checks: something to learn, and an output that fits the task."""
    diagnostics = []
    width = task.outputs if task else None
    # A Linear layer of the task's width, when the catalog allows one (a Task does not check).
    linear = _linear_of(width if width is not None else 1)
    if not spec.layers:
        label = _("Add Linear -> {width}").format(width=width or 1)
        fixes = (Fix(label, spec.insert(0, linear)),) if linear else ()
        message = _("The model has no layers yet. Add a layer to train.")
        return [Diagnostic(None, "empty", message, fixes)]
    diagnostics.extend(_stacked_linears(spec))
    shape = infos[-1].output_shape
    if sum(info.param_count or 0 for info in infos) == 0 and shape is not None:
        message = _(
            "The model has nothing to learn: no layer has weights. Add a Linear or Conv2d layer."
        )
        diagnostics.append(Diagnostic(None, "no_parameters", message))
    if task is None or shape is None:
        return diagnostics
    if task.is_classification:
        what = ngettext("{count:,} class score", "{count:,} class scores", width)
    else:
        what = ngettext("{count:,} value", "{count:,} values", width)
    what = what.format(count=width)
    if len(shape) > 1:
        fixes = ()
        if linear is not None:
            end = spec.insert(len(spec.layers), LayerSpec.create("Flatten"))
            end = end.insert(len(end.layers), linear)
            fixes = (Fix(_("Add Flatten and Linear -> {width}").format(width=width), end),)
        # Translators: {task}: "classification into 3 classes"; {what}: "3 class scores".
        message = _(
            "The model outputs a {shape} tensor per sample, but {task} needs {what}. "
            "Add Flatten and a Linear layer at the end."
        ).format(shape=shape_text(shape), task=task.describe(), what=what)
        diagnostics.append(Diagnostic(len(spec.layers) - 1, "output_mismatch", message, fixes))
    elif shape[0] != width:
        last_linear = _last_index(spec, "Linear", before=len(spec.layers))
        at = last_linear if last_linear is not None else len(spec.layers) - 1
        outputs = ngettext("{count:,} value", "{count:,} values", shape[0]).format(count=shape[0])
        # Translators: {outputs} is "2 values"; {task} and {what} as in the message above.
        message = _("The model outputs {outputs} per sample, but {task} needs {what}.").format(
            outputs=outputs, task=task.describe(), what=what
        )
        if linear is None:
            fixes = ()
        elif last_linear is not None:
            layer = spec.layers[last_linear]
            fixed = spec.replace(last_linear, layer.with_params(out_features=width))
            label = _("Set out_features of layer {index} to {value}").format(
                index=last_linear, value=width
            )
            fixes = (Fix(label, fixed),)
        else:
            end = spec.insert(len(spec.layers), linear)
            fixes = (Fix(_("Add Linear -> {width} at the end").format(width=width), end),)
        for fix in fixes:
            # Translators: a fix's label ("Set out_features of layer 2 to 3") as a sentence.
            message = then(message, _("{fix}.").format(fix=fix.label))
        diagnostics.append(Diagnostic(at, "output_mismatch", message, fixes))
    last = spec.layers[-1]
    if task.is_classification and CATALOG[last.kind].squashes:
        at = len(spec.layers) - 1
        message = _(
            "The last layer ({kind}) squeezes the class scores; cross-entropy works best on "
            "raw scores (it applies softmax itself). Consider removing it."
        ).format(kind=last.kind)
        label = _("Remove {kind} (layer {index})").format(kind=last.kind, index=at)
        fix = Fix(label, spec.remove(at))
        diagnostics.append(Diagnostic(at, "squashed_output", message, (fix,), WARNING))
    return diagnostics


def infer(spec: ModelSpec, task: Task | None = None) -> Inference:
    """Walk the layers once: shapes, parameter counts, and every problem with its fixes."""
    if len(spec.layers) > MAX_LAYERS:
        # Rows for the list, and no checks: past the limit nothing else is worth the time.
        unknown = tuple(
            LayerInfo(i, layer, None, None, None, ()) for i, layer in enumerate(spec.layers)
        )
        return Inference(spec, task, unknown, (_too_many_layers(spec),))
    infos: list[LayerInfo] = []
    shape: Shape | None = spec.input_shape
    for index, layer in enumerate(spec.layers):
        if shape is None:
            infos.append(LayerInfo(index, layer, None, None, None, ()))
            continue
        kind = CATALOG[layer.kind]
        verdict = kind.check(Site(index, layer, shape, spec, infos))
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
