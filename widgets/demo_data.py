"""Made-up data for the views' demos and tests: histogram reports, toy points and predictions,
confusion counts, and digit-like or colour images. Plain numpy and report values, no Qt
widgets, so the demos (`python -m widgets.x`) and tests share one source of sample data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from app.reports import HistogramReport, PredictionReport, RunStarted
from widgets.prediction_map import PlotData

# The start of a made-up classification run on the CPU: the histogram demo's as it is, and
# the base that widgets.demo_run's loss-plot run and the tests vary with dataclasses.replace.
FAKE_RUN = RunStarted(
    device="cpu",
    dtype="float32",
    task_kind="classification",
    param_count=6300,
    train_samples=800,
    val_samples=200,
    steps_per_epoch=25,
    epochs=200,
    layer_names=("0 Linear", "2 Linear", "4 Linear"),
    threads=1,
)


# Gradient histograms (`python -m widgets.gradient_histograms`).


def fake_report(
    first_step: int, snapshots: int, every: int, rng: np.random.Generator
) -> HistogramReport:
    """A made-up HistogramReport for three layers: gradients fade, weights spread out."""
    bins, sizes = 40, (2000, 4000, 300)
    grad_edges = np.array([np.linspace(-b, b, bins + 1) for b in (0.02, 0.1, 0.2)])
    weight_edges = np.array([np.linspace(-b, b, bins + 1) for b in (1.0, 0.5, 0.5)])
    steps = first_step + every * np.arange(snapshots)
    grad_counts, weight_counts = [], []
    grad_norms, weight_norms = [], []
    for step in steps:
        fade = math.exp(-step / 1500)
        g_rows, w_rows, g_norm, w_norm = [], [], [], []
        for layer, size in enumerate(sizes):
            scale = (0.004, 0.03, 0.08)[layer] * (0.15 + fade) * (1 + 0.2 * rng.standard_normal())
            grads = rng.normal(0, abs(scale), size)
            weights = rng.normal(0, (0.15, 0.08, 0.1)[layer] * (1 + step / 3000), size)
            for values, edges, rows, norm in (
                (grads, grad_edges, g_rows, g_norm),
                (weights, weight_edges, w_rows, w_norm),
            ):
                clipped = np.clip(values, edges[layer, 0], edges[layer, -1])
                rows.append(np.histogram(clipped, edges[layer])[0])
                norm.append(float(np.linalg.norm(values)))
        grad_counts.append(g_rows)
        weight_counts.append(w_rows)
        grad_norms.append(g_norm)
        weight_norms.append(w_norm)
    return HistogramReport(
        steps=steps,
        grad_counts=np.array(grad_counts, dtype=np.float64),
        grad_norms=np.array(grad_norms),
        weight_counts=np.array(weight_counts, dtype=np.float64),
        weight_norms=np.array(weight_norms),
        grad_edges=grad_edges,
        weight_edges=weight_edges,
    )


# Decision boundary (`python -m widgets.decision_boundary [regression]`).


def demo_plot_data(kind: str = "classification", seed: int = 0) -> PlotData:
    """Two moons (or a noisy sine), 300 training and 80 validation points."""
    rng = np.random.default_rng(seed)
    n = 380
    if kind == "classification":
        labels = np.arange(n) % 2
        angle = rng.uniform(0, np.pi, n)
        x = np.where(
            labels[:, None] == 0,
            np.c_[np.cos(angle), np.sin(angle)],
            np.c_[1 - np.cos(angle), 0.5 - np.sin(angle)],
        )
        x = x + rng.normal(0, 0.12, x.shape)
        return PlotData(x[:300], labels[:300], x[300:], labels[300:], kind, 2)
    x = rng.uniform(-3, 3, (n, 1))
    y = np.sin(x[:, 0]) + rng.normal(0, 0.15, n)
    return PlotData(x[:300], y[:300], x[300:], y[300:], kind, 0)


def demo_prediction(
    data: PlotData, bounds: tuple[float, float, float, float], t: float, steps: int
) -> PredictionReport:
    """A rotating linear boundary (classification) or a sine fit that improves (regression)."""
    x_min, x_max, y_min, y_max = bounds
    xs = np.linspace(x_min, x_max, 80)
    if data.task_kind == "classification":
        ys = np.linspace(y_min, y_max, 80)
        gx, gy = np.meshgrid(xs, ys)
        score = 3.0 * ((gx - 0.5) * np.cos(t) + (gy - 0.25) * np.sin(t))
        p1 = 1.0 / (1.0 + np.exp(-score))
        return PredictionReport(steps, xs, ys, np.stack([1 - p1, p1], axis=-1))
    fit = 1.0 - np.exp(-t / 3.0)
    return PredictionReport(steps, xs, None, fit * np.sin(xs) + (1 - fit) * 0.3 * xs)


# Confusion matrix (`python -m widgets.confusion_matrix [dark]`).


def demo_matrix(
    class_names: Sequence[str], per_class: int = 1000, accuracy: float = 0.9, seed: int = 0
) -> np.ndarray:
    """Counts of a plausible classifier: mostly right, its mistakes bunched on a few classes
    (neighbours in the list, as Shirt / T-shirt / Pullover / Coat are in Fashion-MNIST)."""
    rng = np.random.default_rng(seed)
    k = len(class_names)
    counts = np.zeros((k, k), dtype=np.int64)
    for row in range(k):
        right = rng.uniform(accuracy - 0.08, min(0.995, accuracy + 0.08))
        weights = rng.random(k) ** 4  # a few classes take most of the mistakes
        weights[row] = 0.0
        weights[(row + 2) % k] += 0.8
        mistakes = rng.multinomial(int(per_class * (1 - right)), weights / weights.sum())
        counts[row] = mistakes
        counts[row, row] = per_class - mistakes.sum()
    return counts


# Images (`python -m widgets.image_grid [dark] [rgb]`, the dataset panel's demo).

_SEGMENTS = {  # seven-segment digits: top, top-left, top-right, middle, bottom-left, ...
    0: "abcefg",
    1: "cf",
    2: "acdeg",
    3: "acdfg",
    4: "bcdf",
    5: "abdfg",
    6: "abdefg",
    7: "acf",
    8: "abcdefg",
    9: "abcdfg",
}


def demo_digits(labels: np.ndarray, seed: int = 0, size: int = 28) -> np.ndarray:
    """Digit-like grey uint8 images (N, 1, size, size): seven-segment strokes, jittered,
    slanted and blurred so no two look the same."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    out = np.zeros((len(labels), 1, size, size), np.uint8)
    for k, label in enumerate(np.asarray(labels).astype(int) % 10):
        slant = rng.uniform(-0.15, 0.25)
        x = xx - rng.uniform(-0.05, 0.05) + slant * (yy - 0.5)
        y = yy - rng.uniform(-0.04, 0.04)
        left, right, top, mid, bottom = 0.32, 0.68, 0.18, 0.5, 0.82
        width = rng.uniform(0.05, 0.08)
        segments = {
            "a": (left, top, right, top),
            "b": (left, top, left, mid),
            "c": (right, top, right, mid),
            "d": (left, mid, right, mid),
            "e": (left, mid, left, bottom),
            "f": (right, mid, right, bottom),
            "g": (left, bottom, right, bottom),
        }
        image = np.zeros((size, size), np.float32)
        for name in _SEGMENTS[int(label)]:
            x0, y0, x1, y1 = segments[name]
            # Distance of each pixel to the segment, turned into a soft stroke.
            dx, dy = x1 - x0, y1 - y0
            t = np.clip(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0, 1)
            distance = np.hypot(x - (x0 + t * dx), y - (y0 + t * dy))
            image = np.maximum(image, np.clip(1.5 - distance / width, 0, 1))
        out[k, 0] = np.clip(image * 255 + rng.normal(0, 8, image.shape), 0, 255).astype(np.uint8)
    return out


def demo_colour_images(labels: np.ndarray, seed: int = 0, size: int = 32) -> np.ndarray:
    """CIFAR-like RGB uint8 images (N, 3, size, size): a coloured blob on a sky or grass."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    out = np.zeros((len(labels), 3, size, size), np.uint8)
    for k, label in enumerate(np.asarray(labels).astype(int)):
        sky = np.array([0.45, 0.65, 0.9]) if label % 2 else np.array([0.35, 0.6, 0.3])
        hue = np.array([(label * 0.37) % 1, (label * 0.61) % 1, (label * 0.13) % 1])
        cx, cy, r = rng.uniform(0.3, 0.7), rng.uniform(0.35, 0.65), rng.uniform(0.15, 0.3)
        blob = (((xx - cx) ** 2 + (yy - cy) ** 2) < r * r)[None]
        image = np.where(blob, hue[:, None, None], sky[:, None, None] * (0.7 + 0.3 * yy))
        noise = rng.normal(0, 0.04, image.shape)
        out[k] = np.clip((image + noise) * 255, 0, 255).astype(np.uint8)
    return out
