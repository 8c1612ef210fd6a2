"""HistogramColumns: a run's histogram snapshots as heatmap columns, in bounded memory.

Plain numpy, no Qt: the gradient-histogram view keeps one store per kind (gradients,
weights) and draws its columns.
"""

from __future__ import annotations

import numpy as np

MAX_COLUMNS = 2000  # heatmap columns kept; beyond this, adjacent columns merge pairwise


class HistogramColumns:
    """Snapshots of one kind (gradients or weights) as heatmap columns with bounded memory.

    Each column sums the counts (and norms) of `span` consecutive snapshots. When MAX_COLUMNS
    are full, adjacent columns merge pairwise and `span` doubles: every column then covers the
    same number of snapshots, so the image's x axis stays linear in steps and the whole run,
    step 0 included, stays visible.
    """

    def __init__(self, layers: int, bins: int) -> None:
        self.n = 0
        self.span = 1
        self.counts = np.zeros((64, layers, bins))
        self.norms = np.zeros((64, layers))
        self.snapshots = np.zeros(64, dtype=np.int64)  # snapshots summed into each column
        self.first = np.zeros(64, dtype=np.int64)  # first and last step each column covers
        self.last = np.zeros(64, dtype=np.int64)

    def add(self, step: int, counts: np.ndarray, norms: np.ndarray) -> None:
        """Add one snapshot: `counts` (layers, bins) and `norms` (layers,) at `step`."""
        n = self.n
        if n and self.snapshots[n - 1] < self.span:
            column = n - 1
        else:
            if n == MAX_COLUMNS:
                self._merge()
            elif n == len(self.snapshots):
                self._grow()
            column = self.n
            self.n += 1
            self.counts[column] = 0
            self.norms[column] = 0
            self.snapshots[column] = 0
            self.first[column] = step
        self.counts[column] += counts
        self.norms[column] += norms
        self.snapshots[column] += 1
        self.last[column] = step

    def mean_counts(self, layer: int) -> np.ndarray:
        """(columns, bins): each column's counts for `layer`, per snapshot."""
        n = self.n
        return self.counts[:n, layer] / self.snapshots[:n, None]

    def mean_norms(self) -> np.ndarray:
        """(columns, layers): each column's gradient or weight norms, per snapshot."""
        n = self.n
        return self.norms[:n] / self.snapshots[:n, None]

    def centres(self) -> np.ndarray:
        """(columns,): the step in the middle of each column."""
        n = self.n
        return (self.first[:n] + self.last[:n]) / 2

    def _grow(self) -> None:
        size = min(2 * len(self.snapshots), MAX_COLUMNS)
        for name in ("counts", "norms", "snapshots", "first", "last"):
            old = getattr(self, name)
            new = np.zeros((size, *old.shape[1:]), dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def _merge(self) -> None:
        half = self.n // 2  # MAX_COLUMNS is even and every column is full here
        for name in ("counts", "norms", "snapshots"):
            array = getattr(self, name)
            array[:half] = array[0 : self.n : 2] + array[1 : self.n : 2]
        self.first[:half] = self.first[0 : self.n : 2]
        self.last[:half] = self.last[1 : self.n : 2]
        self.n = half
        self.span *= 2
