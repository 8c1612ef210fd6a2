"""The numbers behind the decision-boundary view: the points it draws, the rectangle the model
predicts over, each grid cell's colour and where the 0.5 line runs. Numpy, and QColor to read
colours; no widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from app.datasets import Dataset
from widgets.theme import Theme

MAX_POINTS = 3000  # more points only slow every repaint; a fair sample shows the shape
PAD_FRACTION = 0.1  # the grid reaches 10% beyond the data on each side
# How far a sure cell goes from the background toward its class colour; less on the dark
# background, where the bright class colours would drown the points.
TINT_STRENGTH = 0.55
TINT_STRENGTH_DARK = 0.4


@dataclass(frozen=True)
class PlotData:
    """The points to draw: inputs (N, 2) or (N, 1), labels (N,) class indices or targets."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task_kind: str  # "classification" or "regression"
    classes: int = 0  # class count; 0 for regression

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> PlotData:
        """The arrays of a loaded Dataset."""
        task = dataset.task
        return cls(
            dataset.x_train,
            dataset.y_train,
            dataset.x_val,
            dataset.y_val,
            task.kind,
            task.outputs if task.is_classification else 0,
        )


def as_2d(x: np.ndarray) -> np.ndarray:
    """Inputs as float64 (N, inputs), one input (N,) becoming (N, 1)."""
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), -1) if x.ndim != 2 else x


def grid_bounds_for(x: np.ndarray) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the inputs `x` (N, 2) or (N, 1), padded by 10% of the
    range on each side; for one input the y bounds are 0.0. (-1, 1, -1, 1) when there is no
    finite point."""
    x = as_2d(x)
    bounds: list[float] = []
    for column in range(2):
        if column >= x.shape[1]:
            bounds += [0.0, 0.0]
            continue
        values = x[:, column][np.isfinite(x[:, column])]
        if values.size == 0:
            bounds += [-1.0, 1.0]
            continue
        low, high = float(values.min()), float(values.max())
        pad = (high - low) * PAD_FRACTION if high > low else 1.0
        bounds += [low - pad, high + pad]
    return bounds[0], bounds[1], bounds[2], bounds[3]


def prediction_colors(
    probabilities: np.ndarray, colors: list[str], background: str, strength: float = TINT_STRENGTH
) -> np.ndarray:
    """(H, W, 3) uint8: each cell in its most probable class's colour, blended toward
    `background` by how sure the model is (1/K, a uniform guess, gives the background)."""
    p = np.nan_to_num(np.asarray(probabilities, dtype=np.float32), nan=0.0)
    if p.shape[-1] == 1:  # one sigmoid output: the probability of class 1
        p = np.concatenate([1.0 - p, p], axis=-1)
    k = p.shape[-1]
    winner = p.argmax(axis=-1)
    sure = np.clip((p.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0) * strength
    palette = np.array([QColor(colors[i % len(colors)]).getRgb()[:3] for i in range(k)], "f4")
    back = np.array(QColor(background).getRgb()[:3], dtype=np.float32)
    rgb = back + (palette[winner] - back) * sure[..., None]
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def tint_strength(theme: Theme) -> float:
    """How far a sure cell goes toward its class colour in this theme."""
    return TINT_STRENGTH_DARK if theme.dark else TINT_STRENGTH


def curve_color(theme: Theme) -> str:
    """The colour of a regression's fitted curve."""
    return theme.class_colors[5]  # vermillion: stands apart from the blue points


def boundary_segments(grid: np.ndarray, level: float = 0.5) -> np.ndarray:
    """(2S, 2) end points of the S segments along which `grid` (H, W) crosses `level`, in
    image pixel coordinates (cell (i, j)'s centre at x = j + 0.5, y = i + 0.5).

    Marching squares in numpy: pyqtgraph's IsocurveItem does it in Python loops, 7 ms for an
    80x80 grid, time the training thread would wait for the GIL."""
    f = np.asarray(grid, dtype=np.float64) - level
    if f.ndim != 2 or min(f.shape) < 2:
        return np.empty((0, 2))
    a, b, c, d = f[:-1, :-1], f[:-1, 1:], f[1:, 1:], f[1:, :-1]  # clockwise from top left
    i, j = np.mgrid[0 : a.shape[0], 0 : a.shape[1]] + 0.5
    above = [corner > 0 for corner in (a, b, c, d)]

    def crossing(v0: np.ndarray, v1: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nan_to_num(v0 / (v0 - v1))

    # Where each edge crosses the level: top (a-b), right (b-c), bottom (d-c), left (a-d).
    points = [
        np.stack([j + crossing(a, b), i], -1),
        np.stack([j + 1, i + crossing(b, c)], -1),
        np.stack([j + crossing(d, c), i + 1], -1),
        np.stack([j, i + crossing(a, d)], -1),
    ]
    cuts = [above[0] != above[1], above[1] != above[2], above[3] != above[2], above[0] != above[3]]
    count = sum(cut.astype(int) for cut in cuts)
    # A saddle (all four edges cut) joins the corners whose side the cell's centre is on.
    joined = (a + b + c + d > 0) == above[0]
    pairs = [
        ((0, 1), (count == 2) | ((count == 4) & joined)),
        ((2, 3), (count == 2) | ((count == 4) & joined)),
        ((0, 3), (count == 2) | ((count == 4) & ~joined)),
        ((1, 2), (count == 2) | ((count == 4) & ~joined)),
        ((0, 2), count == 2),
        ((1, 3), count == 2),
    ]
    segments = []
    for (e0, e1), allowed in pairs:
        mask = allowed & cuts[e0] & cuts[e1]
        segments.append(np.stack([points[e0][mask], points[e1][mask]], 1))
    return np.concatenate(segments).reshape(-1, 2)


def pixel_rect(xs: np.ndarray, ys: np.ndarray) -> QRectF:
    """The rectangle that puts pixel (i, j)'s centre on grid point (xs[j], ys[i])."""
    dx = (xs[-1] - xs[0]) / (len(xs) - 1)
    dy = (ys[-1] - ys[0]) / (len(ys) - 1)
    return QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))
