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
        self._layout_key = None  # what `_layout` was made for
        self._layout: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None

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
        # Row r < L counts layer r's gradients, row L + r its weights. All of them at once, in
        # one flat vector binned by one bincount: a histc per tensor took 1.2 ms per record
        # for the MLP 2-64-64-2 (12 tensors, about 50 small ops), 7% of its run at batch 512.
        sources = [(row, p.grad) for row, ps in enumerate(layers) for p in ps]
        sources += [(len(layers) + row, p) for row, ps in enumerate(layers) for p in ps]
        present = [(row, t.detach().reshape(-1)) for row, t in sources if t is not None]
        rows = [row for row, _ in present]
        tensors = [tensor for _, tensor in present]
        deterministic = torch.are_deterministic_algorithms_enabled()
        set_deterministic(False)  # a weighted bincount has no deterministic CUDA kernel
        try:
            with torch.no_grad():
                self.rows.append(self._counts(rows, tensors))
        finally:
            set_deterministic(deterministic)
        self.steps.append(step)

    def _counts(self, rows: list[int], tensors: list[torch.Tensor]) -> torch.Tensor:
        """(2L, B + 1): each row's counts over its bins (values outside them in the end
        bins, NaNs in none) and the norm of all its values."""
        device = tensors[0].device
        key = (device, tuple(rows), tuple(len(t) for t in tensors))
        if self._layout_key != key:
            self._layout = self._make_layout(key)
            self._layout_key = key
        element_rows, low, scale = self._layout
        values = torch.cat(tensors).float()
        position = (values - low.index_select(0, element_rows)).mul_(
            scale.index_select(0, element_rows)
        )
        # Clamped into the row's bins; a NaN goes to the spare bin B, dropped below.
        position = position.clamp_(0, HISTOGRAM_BINS - 0.5).nan_to_num_(nan=HISTOGRAM_BINS)
        slots = element_rows * (HISTOGRAM_BINS + 1) + position.long()
        total = 2 * len(self.layer_names)
        counts = torch.bincount(slots, minlength=total * (HISTOGRAM_BINS + 1))
        counts = counts.reshape(total, HISTOGRAM_BINS + 1)[:, :HISTOGRAM_BINS]
        squares = torch.bincount(element_rows, weights=values.square(), minlength=total)
        return torch.cat([counts.float(), squares.sqrt().reshape(-1, 1)], dim=1)

    def _make_layout(self, key) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Each value's row, and each row's lowest edge and bins per unit."""
        device, rows, sizes = key
        edges = np.concatenate([self.grad_edges, self.weight_edges])
        low = torch.tensor(edges[:, 0], dtype=torch.float32, device=device)
        scale = torch.tensor(
            HISTOGRAM_BINS / (edges[:, -1] - edges[:, 0]), dtype=torch.float32, device=device
        )
        # int32: for a model of N weights this holds 2N of them (4 bytes each) while it runs.
        element_rows = torch.repeat_interleave(
            torch.tensor(rows, dtype=torch.int32, device=device),
            torch.tensor(sizes, device=device),
        )
        return element_rows, low, scale

    def report(self) -> HistogramReport:
        """Everything recorded since the last report, copied to the CPU once."""
        # (S, 2L, B + 1); float64 only on the CPU: MPS has none.
        data = torch.stack(self.rows).cpu().double().numpy()
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
