"""What the model predicts now, for the window's views: class probabilities over a grid, a
fitted curve, or the guesses for the first validation images."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from app.datasets import Dataset
from app.reports import ImagePredictionReport, PredictionReport
from app.training.placement import Placement

PREDICTION_GRID = 80  # cells per side of the decision-boundary grid
PREDICTION_IMAGES = 32  # validation images in the predictions grid


def predict_grid(
    model: nn.Module,
    placement: Placement,
    dataset: Dataset,
    bounds: tuple[float, float, float, float] | None,
    steps_done: int,
    resolution: int = PREDICTION_GRID,
) -> PredictionReport | None:
    """Class probabilities on a grid for two inputs, the fitted curve for one-input
    regression, over `bounds` (x_min, x_max, y_min, y_max); None for other data."""
    if bounds is None:
        return None
    task, inputs = dataset.task, dataset.input_shape
    x_min, x_max, y_min, y_max = bounds
    xs = np.linspace(x_min, x_max, resolution)
    if inputs == (2,) and task.is_classification:
        ys = np.linspace(y_min, y_max, resolution)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    elif inputs == (1,) and not task.is_classification:
        ys, grid = None, xs.reshape(-1, 1)
    else:
        return None
    with evaluating(model), torch.no_grad():
        x = torch.from_numpy(grid).to(placement.device, placement.dtype)
        out = placement.forward(model, x).float()
        if task.is_classification:
            values = out.softmax(1).cpu().numpy().reshape(resolution, resolution, -1)
        else:
            values = out[:, 0].cpu().numpy()
    return PredictionReport(steps_done, xs, ys, values)


def predict_images(
    model: nn.Module,
    placement: Placement,
    dataset: Dataset,
    x_val: torch.Tensor,
    steps_done: int,
) -> ImagePredictionReport | None:
    """The model's classes for the first validation images (`x_val`: on the device)."""
    count = min(PREDICTION_IMAGES, len(x_val))
    if count == 0:
        return None
    with evaluating(model), torch.no_grad():
        predicted = placement.forward(model, placement.inputs(x_val[:count])).argmax(1)
    return ImagePredictionReport(
        steps_done,
        dataset.x_val[:count].copy(),
        dataset.y_val[:count].copy(),
        predicted.cpu().numpy(),
        dataset.class_names,
    )


@contextmanager
def evaluating(model: nn.Module) -> Iterator[None]:
    """The model in eval mode (dropout off, batch norm's running statistics), then as it was."""
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)
