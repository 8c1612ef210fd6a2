"""Normalization layers: BatchNorm1d for features, BatchNorm2d for images."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from models.diagnostics import Diagnostic, Fix, Verdict
from models.layers.kind import LayerKind, Param
from models.layers.params import in_size
from models.translation import N_, _

if TYPE_CHECKING:
    from models.shapes import Site
    from models.spec import LayerSpec


def _swapped(site: Site, kind: str) -> Fix:
    """The other batch norm in this one's place, with the same settings and `auto` size."""
    layer = site.layer
    other = site.new_layer(
        kind, eps=layer.get("eps"), momentum=layer.get("momentum"), affine=layer.get("affine")
    )
    return Fix(_("Use {kind} instead").format(kind=kind), site.spec.replace(site.index, other))


def _check_batch_norm_1d(site: Site) -> Verdict:
    """Features (or a channels x length sequence), never an image."""
    if len(site.shape) == 3:
        message = _("{layer} gets an image ({shape}); images need BatchNorm2d.").format(
            layer=site.label, shape=site.shape_text
        )
        fix = _swapped(site, "BatchNorm2d")
        return Verdict(None, (Diagnostic(site.index, "wrong_batch_norm", message, (fix,)),))
    return site.sized("num_features", N_("features"))


def _check_batch_norm_2d(site: Site) -> Verdict:
    """An image whose channels fill in `num_features`; flat input is offered BatchNorm1d."""
    flat = len(site.shape) in (1, 2)
    not_an_image = site.needs_image(_swapped(site, "BatchNorm1d") if flat else None)
    if not_an_image is not None:
        return not_an_image
    return site.sized("num_features", N_("channels"))


def _param_count(layer: LayerSpec) -> int:
    return 2 * layer.get("num_features") if layer.get("affine") else 0


def _summary(layer: LayerSpec) -> str:
    return f"{layer.kind} {layer.get('num_features')}"


def _batch_norm(name: str, help: str, check: Callable[[Site], Verdict]) -> LayerKind:
    """A batch norm kind; `help` is its whole sentence, marked N_() by the caller."""
    return LayerKind(
        name,
        N_("Normalization"),
        help,
        (
            in_size(
                "num_features",
                N_(
                    "Number of channels (features) coming in; 'auto' takes it from the layer "
                    "before."
                ),
            ),
            Param(
                "eps",
                "float",
                1e-5,
                N_("Small number added to the variance so it never divides by zero."),
                minimum=1e-12,
                maximum=1.0,
            ),
            Param(
                "momentum",
                "float",
                0.1,
                N_("How fast the running mean and variance follow the batches."),
                minimum=0.0,
                maximum=1.0,
            ),
            Param("affine", "bool", True, N_("Learn a scale and a shift per channel.")),
        ),
        check=check,
        param_count=_param_count,
        summary=_summary,
        positional=("num_features",),
    )


KINDS = (
    _batch_norm(
        "BatchNorm1d",
        N_(
            "Normalises each channel of a flat (features) input over the batch, then scales and "
            "shifts it; often lets you train faster with a higher learning rate."
        ),
        _check_batch_norm_1d,
    ),
    _batch_norm(
        "BatchNorm2d",
        N_(
            "Normalises each channel of an image (channels x height x width) input over the "
            "batch, then scales and shifts it; often lets you train faster with a higher "
            "learning rate."
        ),
        _check_batch_norm_2d,
    ),
)
