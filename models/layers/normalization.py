"""Normalization layers: BatchNorm1d for features, BatchNorm2d for images."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from models.diagnostics import Diagnostic, Fix, Verdict
from models.layers.kind import LayerKind, Param
from models.layers.params import in_size

if TYPE_CHECKING:
    from models.shapes import Site
    from models.spec import LayerSpec


def _swapped(site: Site, kind: str) -> Fix:
    """The other batch norm in this one's place, with the same settings and `auto` size."""
    layer = site.layer
    other = site.new_layer(
        kind, eps=layer.get("eps"), momentum=layer.get("momentum"), affine=layer.get("affine")
    )
    return Fix(f"Use {kind} instead", site.spec.replace(site.index, other))


def _check_batch_norm_1d(site: Site) -> Verdict:
    """Features (or a channels x length sequence), never an image."""
    if len(site.shape) == 3:
        message = f"{site.label} gets an image ({site.shape_text}); images need BatchNorm2d."
        fix = _swapped(site, "BatchNorm2d")
        return Verdict(None, (Diagnostic(site.index, "wrong_batch_norm", message, (fix,)),))
    return site.sized("num_features", "features")


def _check_batch_norm_2d(site: Site) -> Verdict:
    """An image whose channels fill in `num_features`; flat input is offered BatchNorm1d."""
    flat = len(site.shape) in (1, 2)
    not_an_image = site.needs_image(_swapped(site, "BatchNorm1d") if flat else None)
    if not_an_image is not None:
        return not_an_image
    return site.sized("num_features", "channels")


def _param_count(layer: LayerSpec) -> int:
    return 2 * layer.get("num_features") if layer.get("affine") else 0


def _summary(layer: LayerSpec) -> str:
    return f"{layer.kind} {layer.get('num_features')}"


def _batch_norm(name: str, shape: str, check: Callable[[Site], Verdict]) -> LayerKind:
    return LayerKind(
        name,
        "Normalization",
        f"Normalises each channel of a {shape} input over the batch, then scales and shifts it; "
        "often lets you train faster with a higher learning rate.",
        (
            in_size("num_features", "channels (features)"),
            Param(
                "eps",
                "float",
                1e-5,
                "Small number added to the variance so it never divides by zero.",
                minimum=1e-12,
                maximum=1.0,
            ),
            Param(
                "momentum",
                "float",
                0.1,
                "How fast the running mean and variance follow the batches.",
                minimum=0.0,
                maximum=1.0,
            ),
            Param("affine", "bool", True, "Learn a scale and a shift per channel."),
        ),
        check=check,
        param_count=_param_count,
        summary=_summary,
        positional=("num_features",),
    )


KINDS = (
    _batch_norm("BatchNorm1d", "flat (features)", _check_batch_norm_1d),
    _batch_norm("BatchNorm2d", "image (channels x height x width)", _check_batch_norm_2d),
)
