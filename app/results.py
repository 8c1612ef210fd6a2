"""What the training thread's other jobs send back: exports, downloads, sample images, devices.

Frozen values, so they may cross from the worker to the GUI thread; each says plainly whether
the job worked (no empty string meaning success). The engine's own reports are app.reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.datasets import DataConfig
from models.translation import _

DONE, CANCELLED, FAILED = "done", "cancelled", "failed"


@dataclass(frozen=True)
class ExportResult:
    """Export Weights: the folder, the files of other formats written beside the weights
    (model.onnx), and one sentence when something could not be written."""

    folder: str
    error: str | None = None
    formats: tuple[str, ...] = ()  # file names

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class DownloadProgress:
    dataset: str
    done: int  # bytes so far
    total: int | None  # bytes in all, when the server says


@dataclass(frozen=True)
class DownloadResult:
    """How a download ended: DONE, CANCELLED or FAILED (then `message` says why)."""

    dataset: str
    outcome: str
    message: str = ""


@dataclass(frozen=True)
class SampleImages:
    """The first training images of an image dataset, as the Data panel shows them; `error`
    is one sentence when they could not be read (then the arrays are empty)."""

    config: DataConfig
    data_root: str
    images: np.ndarray  # (N, C, H, W) uint8
    labels: np.ndarray  # (N,)
    class_names: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True)
class DeviceReport:
    """The devices torch can use here, the CPU first, what each cannot compute, and what it
    computes only slowly (a half precision it emulates: it runs, but slower than float32)."""

    devices: tuple[tuple[str, str], ...]  # (id, label)
    problems: tuple[tuple[str, str, str], ...] = ()  # (device, dtype, one sentence)
    slow: tuple[tuple[str, str, str], ...] = ()  # (device, dtype, one sentence)

    @classmethod
    def cpu_only(cls, error: BaseException) -> DeviceReport:
        """What is left when torch fails to load or to look for devices: the CPU, saying why."""
        label = _("CPU (PyTorch failed to load: {error})").format(error=error)
        return cls((("cpu", label),))

    def problem(self, device: str, dtype: str) -> str | None:
        """Why `device` cannot compute in `dtype`, or None."""
        return _said(self.problems, device, dtype)

    def slowness(self, device: str, dtype: str) -> str | None:
        """Why `dtype` runs slowly on `device` (it still runs), or None."""
        return _said(self.slow, device, dtype)


def _said(entries: tuple[tuple[str, str, str], ...], device: str, dtype: str) -> str | None:
    for entry_device, entry_dtype, sentence in entries:
        if (entry_device, entry_dtype) == (device, dtype):
            return sentence
    return None
