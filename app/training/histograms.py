"""Gradient and weight histograms of every layer, counted on the device between reports."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from app.reports import HistogramReport
from app.training.no_dynamo import set_deterministic
from models.numbers import nice_ceiling

HISTOGRAM_BINS = 40


class HistogramRecorder:
    """Counts of every layer's gradients and weights, with edges fixed at the first record so
    the bins of a run stay comparable; gathered on the device until `report`."""

    def __init__(
        self, layer_names: tuple[str, ...], layer_params: Sequence[Sequence[torch.Tensor]]
    ) -> None:
        self.layer_names = layer_names
        self.layer_params = layer_params
        self.grad_edges: np.ndarray | None = None  # (L, B + 1)
        self.weight_edges: np.ndarray | None = None
        self.steps: list[int] = []
        self.rows: list[torch.Tensor] = []

    @property
    def pending(self) -> bool:
        """Whether records wait to be reported."""
        return bool(self.rows)

    def record(self, step: int) -> None:
        """Count the current gradients and weights of every layer, as of `step`."""
        layers = self.layer_params
        if self.grad_edges is None:
            self.grad_edges = _edges(
                [[p.grad for p in ps if p.grad is not None] for ps in layers], 2.0
            )
            self.weight_edges = _edges(layers, 3.0)
        rows = []
        deterministic = torch.are_deterministic_algorithms_enabled()
        set_deterministic(False)  # histc has no deterministic CUDA kernel
        try:
            with torch.no_grad():
                for edges, tensors_of in (
                    (self.grad_edges, lambda p: p.grad),
                    (self.weight_edges, lambda p: p),
                ):
                    for layer, params in enumerate(layers):
                        low, high = float(edges[layer, 0]), float(edges[layer, -1])
                        tensors = [tensors_of(p) for p in params if tensors_of(p) is not None]
                        counts = sum(
                            torch.histc(t.float().clamp(low, high), HISTOGRAM_BINS, low, high)
                            for t in tensors
                        )
                        norm = torch.linalg.vector_norm(
                            torch.stack([torch.linalg.vector_norm(t.float()) for t in tensors])
                        )
                        rows.append(torch.cat([counts, norm.reshape(1)]))
        finally:
            set_deterministic(deterministic)
        self.steps.append(step)
        self.rows.append(torch.stack(rows))

    def report(self) -> HistogramReport:
        """Everything recorded since the last report, copied to the CPU once."""
        data = torch.stack(self.rows).double().cpu().numpy()  # (S, 2L, B + 1)
        layers = len(self.layer_names)
        steps = np.array(self.steps, dtype=np.int64)
        self.rows, self.steps = [], []
        return HistogramReport(
            steps=steps,
            grad_counts=data[:, :layers, :-1],
            grad_norms=data[:, :layers, -1],
            weight_counts=data[:, layers:, :-1],
            weight_norms=data[:, layers:, -1],
            grad_edges=self.grad_edges,
            weight_edges=self.weight_edges,
        )


def _edges(tensors: Sequence[Sequence[torch.Tensor]], margin: float) -> np.ndarray:
    """Bin edges per layer: `margin` times its largest magnitude, rounded up, both signs."""
    edges = []
    for layer in tensors:
        largest = max((float(t.detach().abs().max()) for t in layer), default=0.0)
        bound = nice_ceiling(largest * margin, fallback=1e-3)
        edges.append(np.linspace(-bound, bound, HISTOGRAM_BINS + 1))
    return np.array(edges)
