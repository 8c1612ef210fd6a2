"""Property: what infer() says about any stack is what torch does with it.

For random stacks drawn from the whole catalog, either inference reports an error, or the
built model runs a real batch and every layer's output shape and parameter count equal the
inferred ones. infer() never raises, its fixes are valid specs, and errors that torch itself
would hit are not false alarms.
"""

from __future__ import annotations

from collections import Counter

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.build import ModelError, build, make_layer
from models.codegen import generate
from models.layers import AUTO, CATALOG, Param
from models.shapes import infer
from models.spec import LayerSpec, ModelSpec, Task

SETTINGS = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Errors at which torch itself fails on the layer as written; the others (needs_flatten,
# needs_image, no_parameters) protect against shapes torch would silently misread.
TORCH_FAILS_ON = {"size_mismatch", "kernel_too_large", "padding_too_large", "wrong_batch_norm"}
LAYER_CODES = TORCH_FAILS_ON | {"needs_flatten", "needs_image", "too_large"}
SIZE_FIELDS = ("in_features", "in_channels", "num_features")

small = st.integers(1, 12)


def values(param: Param) -> st.SearchStrategy:
    """Values the form would accept, kept small so that the stacks run in a blink: a few
    steps above the minimum for whole numbers, the whole range for the rest."""
    if param.type == "bool":
        return st.booleans()
    if param.type == "choice":
        return st.sampled_from(param.choices)
    low, high = param.minimum, param.maximum
    if param.type == "float":
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    low = int(low or 0)
    if param.allows_auto and param.name in SIZE_FIELDS:
        return st.one_of(st.just(AUTO), small)
    drawn = st.integers(low, min(low + 4, int(high)) if high is not None else low + 4)
    return st.one_of(st.just(AUTO), drawn) if param.allows_auto else drawn


# Every catalog kind is drawn, with every parameter the form offers: a new kind is tested
# by its entry alone.
LAYERS = {
    name: st.fixed_dictionaries({param.name: values(param) for param in kind.params})
    for name, kind in CATALOG.items()
}


def _runs_on(kind: str, shape: tuple[int, ...]) -> bool:
    """Whether the kind at its defaults takes this input and keeps its rank."""
    info = infer(ModelSpec(shape, (LayerSpec.create(kind),))).layers[0]
    return info.output_shape is not None and len(info.output_shape) == len(shape)


# The kinds that belong in the image half and in the flat half of a CNN.
IMAGE_KINDS = sorted(kind for kind in CATALOG if _runs_on(kind, (2, 8, 8)))
FLAT_KINDS = sorted(kind for kind in CATALOG if _runs_on(kind, (8,)))


@st.composite
def layer_specs(draw, kinds: tuple[str, ...] = tuple(sorted(LAYERS))) -> LayerSpec:
    kind = draw(st.sampled_from(kinds))
    return LayerSpec.create(kind, **draw(LAYERS[kind]))


input_shapes = st.one_of(
    st.tuples(small),
    st.tuples(small, st.integers(1, 16)),
    st.tuples(small, st.integers(1, 16), st.integers(1, 16)),
)

# The length is drawn first so that long stacks are as common as short ones.
stacks = st.integers(0, 8).flatmap(lambda n: st.lists(layer_specs(), min_size=n, max_size=n))
raw_specs = st.builds(ModelSpec, input_shapes, stacks.map(tuple))


def repair(spec: ModelSpec) -> ModelSpec:
    """Click the first offered fix until the spec is fine, as a user would; else drop layers."""
    for _ in range(12):
        inference = infer(spec)
        if inference.ok:
            break
        error = inference.errors[0]
        if error.fixes:
            spec = error.fixes[0].spec
        elif error.layer is not None:
            spec = spec.remove(error.layer)
        else:  # no_parameters
            spec = spec.insert(len(spec.layers), LayerSpec.create("Linear", out_features=3))
    return spec


@st.composite
def image_then_flat_specs(draw) -> ModelSpec:
    """The usual shape of a CNN: image layers, Flatten, dense layers; random sizes."""
    image = draw(st.lists(layer_specs(tuple(IMAGE_KINDS)), min_size=1, max_size=5))
    flat = draw(st.lists(layer_specs(tuple(FLAT_KINDS)), min_size=0, max_size=3))
    shape = draw(st.tuples(small, st.integers(1, 16), st.integers(1, 16)))
    return ModelSpec(shape, (*image, LayerSpec.create("Flatten"), *flat)[:8])


# Raw stacks are mostly wrong somewhere; repaired ones mostly build, so both sides are tested.
model_specs = st.one_of(
    raw_specs, raw_specs.map(repair), image_then_flat_specs(), image_then_flat_specs().map(repair)
)

tasks = st.one_of(
    st.none(),
    st.builds(Task, st.just("classification"), st.integers(1, 5)),
    st.builds(Task, st.just("regression"), st.integers(1, 3)),
)


def check_against_torch(spec: ModelSpec) -> str:
    """Check one spec; return what happened, for the tally."""
    inference = infer(spec)
    assert len(inference.layers) == len(spec.layers)
    assert [info.index for info in inference.layers] == list(range(len(spec.layers)))
    assert [info.layer for info in inference.layers] == list(spec.layers)
    if not inference.ok:
        first = inference.errors[0]
        try:
            build(spec)
        except ModelError as error:
            assert str(error) == first.message
        else:
            raise AssertionError(f"build() ignored the error: {first.message}")
        if first.code in TORCH_FAILS_ON:
            assert_torch_fails_too(spec, inference, first.layer)
        return "error"

    model = build(spec).eval()
    assert len(model) == len(spec.layers)
    x = torch.randn(2, *spec.input_shape)
    y = x
    with torch.no_grad():
        for module, info in zip(model, inference.layers, strict=True):
            y = module(y)
            assert tuple(y.shape) == (2, *info.output_shape), (info.layer.summary(), y.shape)
            assert info.param_count == sum(p.numel() for p in module.parameters()), info.layer
        assert torch.equal(model(x), y)
    assert inference.total_params == sum(p.numel() for p in model.parameters())
    resolved = inference.resolved_spec()
    for layer in resolved.layers:
        for name in SIZE_FIELDS:
            if name in layer.params:
                assert layer.get(name) != AUTO
    if spec.layers:
        assert "auto" not in generate(spec)
    return "built"


def assert_torch_fails_too(spec: ModelSpec, inference, index: int) -> None:
    """Run the layers before `index` (all fine) and then layer `index` as written."""
    x = torch.randn(2, *spec.input_shape)
    with torch.no_grad():
        for info in inference.layers[:index]:
            x = make_layer(info.resolved).eval()(x)
        layer = spec.layers[index]
        autos = {n: x.shape[1] for n in SIZE_FIELDS if layer.params.get(n) == AUTO}
        module = make_layer(layer.with_params(**autos)).eval()
        try:
            module(x)
        except (RuntimeError, ValueError):
            return
    raise AssertionError(f"torch ran layer {index} ({layer.summary()}) on {tuple(x.shape)}")


def test_inference_agrees_with_a_real_forward_pass():
    outcomes: Counter[str] = Counter()

    @SETTINGS
    @given(spec=model_specs)
    def check(spec: ModelSpec) -> None:
        outcomes[check_against_torch(spec)] += 1

    check()
    # the property is only worth something if many stacks really ran
    assert outcomes["built"] >= 30, outcomes
    assert outcomes["error"] >= 30, outcomes


# Wide convolutions flattened past the catalog's size limits: inferred only, never built
# (a real forward pass of 4096 x 64 x 64 features has no place in a fast test).
wide_specs = st.builds(
    lambda shape, channels, tail: ModelSpec(
        shape,
        (LayerSpec.create("Conv2d", out_channels=channels), LayerSpec.create("Flatten"), *tail),
    ),
    st.tuples(st.integers(1, 8), st.integers(16, 64), st.integers(16, 64)),
    st.integers(1, 4096),
    st.lists(
        st.sampled_from(("Linear", "BatchNorm1d", "ReLU")).map(LayerSpec.create),
        min_size=1,
        max_size=3,
    ),
)


@SETTINGS
@given(spec=model_specs, task=tasks)
def test_infer_never_raises_and_every_fix_is_a_valid_spec(spec, task):
    assert_infer_never_raises(spec, task)


@SETTINGS
@given(spec=wide_specs, task=tasks)
def test_infer_never_raises_past_the_size_limits(spec, task):
    assert_infer_never_raises(spec, task)


def assert_infer_never_raises(spec: ModelSpec, task: Task | None) -> None:
    """infer() answers with diagnostics, never an exception, and every fix is a valid spec."""
    inference = infer(spec, task)
    plain = infer(spec)
    # the task changes diagnostics, never shapes
    assert [i.output_shape for i in inference.layers] == [i.output_shape for i in plain.layers]
    assert inference.ok == (not inference.errors)
    for diagnostic in inference.diagnostics:
        assert diagnostic.severity in ("error", "warning")
        if diagnostic.code in LAYER_CODES:
            kind = spec.layers[diagnostic.layer].kind
            assert diagnostic.message.startswith(f"Layer {diagnostic.layer} ({kind})")
            assert diagnostic in inference.layers[diagnostic.layer].diagnostics
        for fix in diagnostic.fixes:
            assert fix.spec != spec, fix.label
            assert fix.spec.input_shape == spec.input_shape
            infer(fix.spec, task)


@SETTINGS
@given(spec=model_specs)
def test_json_round_trip_of_any_spec(spec):
    assert ModelSpec.from_json(spec.to_json()) == spec
