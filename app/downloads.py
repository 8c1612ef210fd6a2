"""Downloading an image dataset, in a thread of the window's process.

Not in the engine process: a download is network and disk work, and the engine stays free
to train. torchvision (and with it torch) loads in the window's process only when a user
downloads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.results import CANCELLED, DONE, FAILED, DownloadProgress, DownloadResult
from models.translation import _

PROGRESS_INTERVAL = 0.1  # seconds between download progress reports


@dataclass(frozen=True)
class DownloadRequest:
    """An image dataset to fetch into `data_root`, with its cancel flag and network timeout."""

    dataset: str
    data_root: str
    cancel: threading.Event
    timeout: float


def fetch(request: DownloadRequest, progress: Callable[[DownloadProgress], None]) -> DownloadResult:
    """Download the dataset, calling `progress` at most every PROGRESS_INTERVAL seconds;
    whatever happens, the result says it in one sentence."""
    from app.datasets.vision import DownloadCancelled, DownloadError, download

    name, last = request.dataset, 0.0

    def report(done: int, total: int | None) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL or done == total:
            last = now
            progress(DownloadProgress(name, done, total))

    try:
        download(
            name,
            Path(request.data_root),
            progress=report,
            cancelled=request.cancel.is_set,
            timeout=request.timeout,
        )
    except DownloadCancelled:
        return DownloadResult(name, CANCELLED)
    except DownloadError as error:
        return DownloadResult(name, FAILED, str(error))
    except Exception as error:  # noqa: BLE001 - the window must hear back, whatever happened
        reason = _("The download failed ({kind}: {error}).").format(
            kind=type(error).__name__, error=error
        )
        return DownloadResult(name, FAILED, reason)
    return DownloadResult(name, DONE)
