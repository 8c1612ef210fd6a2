"""How colours look to a viewer with red-green colour blindness, and how far apart a set of
colours lies: what keeps the presentation look's series colours apart for every viewer.

About one man in twelve sees red and green poorly, so in a projected class someone usually
does; deuteranopia (no green cones) is the commonest full form. numpy only: no Qt, so the
checks run anywhere and colours stay #RRGGBB strings as in widgets.theme.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np

# Okabe & Ito (2008), "Color Universal Design": eight colours told apart with any common
# colour vision. The order is the one LayerLab's class colours use (widgets.theme); black,
# the eighth, is left to the plot foreground.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
OKABE_ITO_BLACK = "#000000"

# Machado, Oliveira & Fernandes (2009), deuteranomaly at severity 1.0 (deuteranopia): applied
# to linear RGB. Each row sums to 1, so greys (equal channels) are left as they are.
_DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)

# Linear sRGB to CIE XYZ, and the D65 white point: the reference of sRGB.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def simulate_deuteranopia(hex_color: str) -> str:
    """The #RRGGBB colour that `hex_color` looks like to a viewer with deuteranopia."""
    linear = _to_linear(_rgb(hex_color))
    seen = np.clip(_DEUTERANOPIA @ linear, 0.0, 1.0)  # out-of-gamut results clip to the cube
    return _hex(_to_srgb(seen))


def delta_e(first: str, second: str) -> float:
    """CIE76 colour difference: the distance of two colours in CIE Lab (2.3 is just visible)."""
    return float(np.linalg.norm(_lab(first) - _lab(second)))


def min_distance(colors: Iterable[str]) -> float:
    """The smallest CIE76 difference between any two of `colors` (inf for fewer than two)."""
    labs = [_lab(color) for color in colors]
    return min(
        (float(np.linalg.norm(a - b)) for a, b in itertools.combinations(labs, 2)),
        default=float("inf"),
    )


def _rgb(hex_color: str) -> np.ndarray:
    """Channels 0 to 1 of a #RRGGBB string."""
    text = hex_color.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"not a #RRGGBB colour: {hex_color!r}")
    return np.array([int(text[i : i + 2], 16) for i in (0, 2, 4)], dtype=np.float64) / 255


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{round(float(c) * 255):02X}" for c in np.clip(rgb, 0.0, 1.0))


def _to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB's transfer curve undone: light in proportion to the numbers."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _to_srgb(linear: np.ndarray) -> np.ndarray:
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def _lab(hex_color: str) -> np.ndarray:
    """CIE L*a*b* (D65) of a #RRGGBB colour."""
    xyz = _RGB_TO_XYZ @ _to_linear(_rgb(hex_color)) / _WHITE_D65
    epsilon, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > epsilon, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])
