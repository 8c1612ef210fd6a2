"""The decoded image cache: each split of an image dataset as uint8 arrays beside its files.

`<dataset folder>/layerlab-cache/<split>.npz` holds uint8 images (N, C, H, W), int64 labels
and a JSON `meta` string with the cache format and the name, size and mtime_ns of every
source file. A cache whose meta does not match the files now on disk, or that cannot be
read, is rebuilt through torchvision's own class; a cache hit reads numpy only.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from app.datasets.vision import DataMissing, VisionDataset, damaged, missing_message
from models.translation import _

CACHE_FORMAT = 1


def read_split(dataset: VisionDataset, root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """One split's images and labels: from the cache when it matches the files, else decoded
    by torchvision and cached."""
    fingerprint = _fingerprint(dataset, root, split)
    if fingerprint is None:  # a file vanished since load() looked
        raise DataMissing(missing_message(dataset.name, root))
    cache = root / dataset.cache_folder / f"{split}.npz"
    arrays = _read_cache(cache, dataset, fingerprint)
    if arrays is None:
        arrays = _decode(dataset, root, split)
        _write_cache(cache, *arrays, fingerprint)
    return arrays


def _fingerprint(dataset: VisionDataset, root: Path, split: str) -> dict[str, Any] | None:
    """What the cache of this split must match: None when a source file is missing."""
    sources = []
    for file in dataset.train_files if split == "train" else dataset.test_files:
        try:
            stat = (root / dataset.data_folder / file).stat()
        except OSError:
            return None
        sources.append([file, stat.st_size, stat.st_mtime_ns])
    return {"format": CACHE_FORMAT, "dataset": dataset.name, "split": split, "sources": sources}


def _valid(dataset: VisionDataset, images: np.ndarray, labels: np.ndarray) -> bool:
    return (
        images.dtype == np.uint8
        and images.shape[1:] == dataset.input_shape
        and labels.dtype == np.int64
        and labels.shape == images.shape[:1]
        and (labels.size == 0 or 0 <= labels.min() <= labels.max() < len(dataset.class_names))
    )


def _read_cache(
    path: Path, dataset: VisionDataset, fingerprint: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        # The file opened here, not by np.load: np.load leaves its own file open when the
        # archive is truncated, and the leak surfaced as a ResourceWarning later on.
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as cache:
            if json.loads(str(cache["meta"])) != fingerprint:
                return None
            images, labels = cache["images"], cache["labels"]
    except Exception:  # missing, truncated, garbage, wrong keys: whatever it is, rebuild it
        return None
    return (images, labels) if _valid(dataset, images, labels) else None


def _write_cache(
    path: Path, images: np.ndarray, labels: np.ndarray, fingerprint: dict[str, Any]
) -> None:
    """Write the whole cache file or nothing; skip it where the folder is not writable."""
    from models.files import atomic_file

    with contextlib.suppress(OSError), atomic_file(path) as file:
        np.savez(file, images=images, labels=labels, meta=np.array(json.dumps(fingerprint)))


def _decode(dataset: VisionDataset, root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Read one split through torchvision's own class, as (N, C, H, W) uint8 and int64."""
    import torchvision.datasets

    source_class = getattr(torchvision.datasets, dataset.torchvision_class)
    try:
        source = source_class(str(root), train=split == "train", download=False)
        images = np.asarray(source.data)
        labels = np.asarray(source.targets).astype(np.int64)
    except Exception as error:
        # Whatever torchvision's reader raises on a damaged or foreign file (an assert with no
        # message, a pickle naming a missing module, a shape that does not fit): the files.
        raise damaged(dataset, root, _first_line(error)) from error
    if images.ndim not in (3, 4):
        reason = _("images of {count} dimensions").format(count=images.ndim)
        raise damaged(dataset, root, reason)
    # MNIST-like classes give (N, H, W), CIFAR10 gives (N, H, W, C).
    images = images[:, None] if images.ndim == 3 else images.transpose(0, 3, 1, 2)
    images = np.ascontiguousarray(images)
    if not _valid(dataset, images, labels):
        reason = _("{count} images of shape {shape}").format(
            count=len(images), shape=images.shape[1:]
        )
        raise damaged(dataset, root, reason)
    return images, labels


def _first_line(error: BaseException) -> str:
    """The first line of an error's message, or its class name when it has none (a bare
    `assert` in torchvision's idx reader has an empty message)."""
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else type(error).__name__
