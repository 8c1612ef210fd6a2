"""torchvision image datasets: MNIST, FashionMNIST, KMNIST and CIFAR-10.

Importing this module is cheap and torch-free (the window reads the catalog at start-up);
torch and torchvision are imported only inside the functions that read or fetch data.

Files live where torchvision's own classes read them (`root/MNIST/raw/...`,
`root/cifar-10-batches-py/...`). The first load decodes each split through torchvision and
caches it beside the files as `<dataset folder>/layerlab-cache/<split>.npz`: uint8 images
(N, C, H, W), int64 labels and a JSON `meta` string holding the cache format and the name,
size and mtime_ns of every source file. A cache whose meta does not match the files now on
disk, or that cannot be read, is rebuilt; a cache hit reads numpy only, never torchvision.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.datasets import DataConfig, Dataset
from models.spec import Task

MIN_SUBSET = 100
CACHE_FORMAT = 1
CACHE_FOLDER = "layerlab-cache"
SPLITS = ("train", "test")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class VisionDataset:
    """One torchvision dataset and what the window says about it."""

    name: str
    title: str
    description: str
    torchvision_class: str  # the class in torchvision.datasets
    input_shape: tuple[int, int, int]  # (C, H, W)
    class_names: tuple[str, ...]
    train_size: int
    test_size: int
    mean: tuple[float, ...]  # per channel, of pixel values scaled to 0..1
    std: tuple[float, ...]
    download_megabytes: float
    _: KW_ONLY
    data_folder: str  # where torchvision reads the files, relative to the data root
    train_files: tuple[str, ...]  # the files in data_folder that the training split reads
    test_files: tuple[str, ...]
    archive_folder: str  # where downloaded archives go, relative to the data root
    archives: tuple[str, ...]  # the files as downloaded: one per file (name.gz) or one for all

    @property
    def files(self) -> tuple[str, ...]:
        """Every file in data_folder that load() needs, each once."""
        return tuple(dict.fromkeys(self.train_files + self.test_files))

    @property
    def cache_folder(self) -> str:
        """Where the decoded splits are cached, relative to the data root."""
        return f"{Path(self.data_folder).parts[0]}/{CACHE_FOLDER}"

    def archive_for(self, file: str) -> str:
        """The downloaded archive that holds `file`."""
        return f"{file}.gz" if f"{file}.gz" in self.archives else self.archives[0]


def _idx_files(class_name: str) -> dict[str, Any]:
    """Where torchvision's MNIST-like classes keep their four idx files."""
    train = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    test = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    return {
        "data_folder": f"{class_name}/raw",
        "train_files": train,
        "test_files": test,
        "archive_folder": f"{class_name}/raw",
        "archives": tuple(f"{name}.gz" for name in train + test),
    }


_DIGITS = tuple(str(digit) for digit in range(10))

VISION_DATASETS: dict[str, VisionDataset] = {
    dataset.name: dataset
    for dataset in (
        VisionDataset(
            "mnist",
            "MNIST handwritten digits",
            "70,000 grey 28x28 images of the digits 0-9, written by people. The classic first "
            "image task: a small CNN reaches 99%.",
            "MNIST",
            (1, 28, 28),
            _DIGITS,
            60_000,
            10_000,
            (0.1307,),
            (0.3081,),
            11.6,
            **_idx_files("MNIST"),
        ),
        VisionDataset(
            "fashion_mnist",
            "Fashion-MNIST clothes",
            "70,000 grey 28x28 images of 10 kinds of clothing. Harder than digits: shirts, "
            "pullovers and coats look alike.",
            "FashionMNIST",
            (1, 28, 28),
            (
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ),
            60_000,
            10_000,
            (0.2860,),
            (0.3530,),
            30.9,
            **_idx_files("FashionMNIST"),
        ),
        VisionDataset(
            "kmnist",
            "Kuzushiji-MNIST characters",
            "70,000 grey 28x28 images of 10 cursive Japanese hiragana characters. Looks like "
            "MNIST, learns like something harder.",
            "KMNIST",
            (1, 28, 28),
            ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
            60_000,
            10_000,
            (0.1918,),
            (0.3483,),
            20.3,
            **_idx_files("KMNIST"),
        ),
        VisionDataset(
            "cifar10",
            "CIFAR-10 photos",
            "60,000 small 32x32 colour photos of 10 things: planes, cars, birds, cats, deer, "
            "dogs, frogs, horses, ships and trucks. Needs a CNN and patience.",
            "CIFAR10",
            (3, 32, 32),
            (
                "airplane",
                "automobile",
                "bird",
                "cat",
                "deer",
                "dog",
                "frog",
                "horse",
                "ship",
                "truck",
            ),
            50_000,
            10_000,
            (0.4914, 0.4822, 0.4465),
            (0.2470, 0.2435, 0.2616),
            170.5,
            data_folder="cifar-10-batches-py",
            train_files=tuple(f"data_batch_{number}" for number in range(1, 6)) + ("batches.meta",),
            test_files=("test_batch", "batches.meta"),
            archive_folder="",
            archives=("cifar-10-python.tar.gz",),
        ),
    )
}


class DataMissing(Exception):
    """The dataset's files are not in the data folder; the message says which and where."""


class DownloadError(Exception):
    """A download failed; the message says why in one sentence, then how to get the files."""


class DownloadCancelled(Exception):
    """The user cancelled a download; nothing partial was left behind."""


def default_data_root() -> Path:
    """Where image datasets live unless the user picks another folder."""
    return Path.home() / "layerlab-data"


def check_config(config: DataConfig) -> str | None:
    """One sentence saying what is wrong with an image-dataset config, or None."""
    dataset = VISION_DATASETS.get(config.name)
    if dataset is None:
        return f"unknown dataset {config.name!r}"
    if config.subset and not MIN_SUBSET <= config.subset <= dataset.train_size:
        return (
            f"subset must be 0 (all images) or between {MIN_SUBSET} and "
            f"{dataset.train_size:,}, got {config.subset}"
        )
    return None


def missing_message(name: str, root: Path) -> str:
    """How to get the files by hand or by download: which files go into which folder."""
    dataset = _entry(name)
    root = _absolute(root)
    folder = root / dataset.data_folder
    text = f"The {dataset.title} files are not in {folder}. Put {_listed(dataset.files)} there"
    if dataset.archive_folder == dataset.data_folder:
        text += " (the .gz files as downloaded work too)"
    else:
        archives = _listed(dataset.archives)
        text += f", or {archives} as downloaded in {root / dataset.archive_folder}"
    return (
        f"{text}; or press Download in the window, or add --download on the command line, to "
        f"fetch them ({dataset.download_megabytes:g} MB)."
    )


def is_present(name: str, root: Path) -> bool:
    """Whether load() can find the files (or their archives as downloaded), without torch."""
    dataset = _entry(name)
    root = _absolute(root)
    return all(
        (root / dataset.data_folder / file).is_file()
        or (root / dataset.archive_folder / dataset.archive_for(file)).is_file()
        for file in dataset.files
    )


def subset_sizes(train_size: int, test_size: int, subset: int) -> tuple[int, int]:
    """How many training and test images a subset uses: `subset` of the training images
    (all for 0) and the same share of the test images, at least one."""
    if not subset:
        return train_size, test_size
    n_train = min(subset, train_size)
    return n_train, min(test_size, max(1, round(test_size * n_train / train_size)))


def load(config: DataConfig, root: Path) -> Dataset:
    """The official training set for training and the official test set for validation, as
    uint8 (N, C, H, W) images, optionally a seeded random subset. Raises DataMissing."""
    dataset = _entry(config.name)
    root = _absolute(root)
    if not _sources_present(dataset, root):
        if not is_present(dataset.name, root):
            raise DataMissing(missing_message(dataset.name, root))
        _unpack_archives(dataset, root)
    x_train, y_train = _split(dataset, root, "train")
    x_val, y_val = _split(dataset, root, "test")
    if config.subset:
        rng = np.random.default_rng(config.seed)
        n_train, n_val = subset_sizes(len(x_train), len(x_val), config.subset)
        train_rows = np.sort(rng.choice(len(x_train), n_train, replace=False))
        val_rows = np.sort(rng.choice(len(x_val), n_val, replace=False))
        x_train, y_train = x_train[train_rows], y_train[train_rows]
        x_val, y_val = x_val[val_rows], y_val[val_rows]
    return Dataset(
        x_train,
        y_train,
        x_val,
        y_val,
        Task("classification", len(dataset.class_names)),
        dataset.class_names,
        normalization=(dataset.mean, dataset.std),
    )


def download(
    name: str,
    root: Path,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    timeout: float = 20.0,
) -> None:
    """Fetch the dataset from torchvision's mirrors into the folders its class reads.

    Every network wait ends after `timeout` seconds. `progress(done, total)` counts bytes over
    all files (total None when a server does not say); `cancelled()` is asked between chunks.
    Raises DownloadError or DownloadCancelled, and leaves no partial file either way.
    """
    import http.client
    import tarfile
    import zlib

    dataset = _entry(name)
    root = _absolute(root)
    if _sources_present(dataset, root):
        return
    needed = [fetch for fetch in _fetches(dataset, root) if not fetch.done()]
    try:
        to_download = []
        for fetch in needed:
            if fetch.path.is_file() and _md5(fetch.path) == fetch.md5:
                _unpack(fetch.path, fetch.unpack_to)  # already downloaded earlier
            else:
                to_download.append(fetch)
        dead_hosts: dict[str, Exception] = {}
        planned = []
        for fetch in to_download:
            _stop_if(cancelled)
            planned.append((fetch, *_probe(fetch.urls, timeout, dead_hosts)))
        lengths = [length for _, _, length in planned]
        total = None if None in lengths else sum(lengths)
        done = 0

        def received(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress(done, total)

        received(0)
        for fetch, url, _ in planned:
            _fetch(url, fetch.path, fetch.md5, timeout, received, cancelled)
            try:
                _stop_if(cancelled)  # unpacking CIFAR-10 takes seconds: not after a Cancel
                _unpack(fetch.path, fetch.unpack_to)
            finally:
                fetch.path.unlink()
    except _NetworkError as error:
        reason = _network_reason(error, timeout)
    except _Damaged as error:
        reason = f"{error} arrived damaged (its checksum does not match)"
    except (OSError, RuntimeError, EOFError, http.client.HTTPException, tarfile.TarError) as error:
        reason = f"the files could not be saved in {root} ({error})"
    except zlib.error as error:
        reason = f"the files could not be unpacked ({error})"
    else:
        return
    raise DownloadError(
        f"Could not download {dataset.title}: {reason}. {missing_message(name, root)}"
    )


# Reading -----------------------------------------------------------------------------------


def _entry(name: str) -> VisionDataset:
    dataset = VISION_DATASETS.get(name)
    if dataset is None:
        raise ValueError(f"unknown image dataset {name!r}")
    return dataset


def _absolute(root: Path | str) -> Path:
    return Path(root).expanduser().absolute()


def _listed(names: tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _sources_present(dataset: VisionDataset, root: Path) -> bool:
    return all((root / dataset.data_folder / file).is_file() for file in dataset.files)


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


def _split(dataset: VisionDataset, root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
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
        with np.load(path, allow_pickle=False) as cache:
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
    import pickle

    import torchvision.datasets

    source_class = getattr(torchvision.datasets, dataset.torchvision_class)
    try:
        source = source_class(str(root), train=split == "train", download=False)
        images = np.asarray(source.data)
        labels = np.asarray(source.targets).astype(np.int64)
    except (
        OSError,
        RuntimeError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AssertionError,
        EOFError,
        pickle.UnpicklingError,
    ) as error:
        raise _damaged(dataset, root, str(error).splitlines()[0] or type(error).__name__) from error
    # MNIST-like classes give (N, H, W), CIFAR10 gives (N, H, W, C).
    images = images[:, None] if images.ndim == 3 else images.transpose(0, 3, 1, 2)
    images = np.ascontiguousarray(images)
    if not _valid(dataset, images, labels):
        raise _damaged(dataset, root, f"{len(images)} images of shape {images.shape[1:]}")
    return images, labels


def _damaged(dataset: VisionDataset, root: Path, reason: str) -> DataMissing:
    folder = root / dataset.data_folder
    return DataMissing(
        f"The {dataset.title} files in {folder} could not be read ({reason}); they may be "
        f"incomplete or damaged. Delete them and download them again, or put fresh copies there."
    )


def _unpack_archives(dataset: VisionDataset, root: Path) -> None:
    """Unpack archives that a user put in place as downloaded, after checking their md5s."""
    for fetch in _fetches(dataset, root):
        if fetch.done() or not fetch.path.is_file():
            continue
        if _md5(fetch.path) != fetch.md5:
            raise _damaged(dataset, root, f"{fetch.path.name} does not match its checksum")
        try:
            _unpack(fetch.path, fetch.unpack_to)
        except (OSError, EOFError, RuntimeError) as error:
            raise _damaged(dataset, root, f"{fetch.path.name}: {error}") from error


# Fetching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fetch:
    """One archive to download: from any of `urls`, checked against `md5`, unpacked into
    `unpack_to`, where it provides `provides`."""

    urls: tuple[str, ...]
    path: Path
    md5: str
    unpack_to: Path
    provides: tuple[Path, ...]

    def done(self) -> bool:
        return all(path.is_file() for path in self.provides)


class _NetworkError(Exception):
    def __init__(self, url: str, error: BaseException) -> None:
        super().__init__(url, error)
        self.url = url
        self.error = error


class _Damaged(Exception):
    """A downloaded file whose md5 is not the one torchvision knows."""


def _fetches(dataset: VisionDataset, root: Path) -> list[_Fetch]:
    """The archives and mirrors torchvision's class lists, read when called (tests point them
    at a local server by setting the class attributes)."""
    import torchvision.datasets

    source_class = getattr(torchvision.datasets, dataset.torchvision_class)
    folder = root / dataset.data_folder
    if issubclass(source_class, torchvision.datasets.MNIST):
        return [
            _Fetch(
                tuple(f"{mirror}{filename}" for mirror in source_class.mirrors),
                root / dataset.archive_folder / filename,
                md5,
                folder,
                (folder / os.path.splitext(filename)[0],),
            )
            for filename, md5 in source_class.resources
        ]
    return [
        _Fetch(
            (source_class.url,),
            root / dataset.archive_folder / source_class.filename,
            source_class.tgz_md5,
            root,
            tuple(folder / file for file in dataset.files),
        )
    ]


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _request(url: str, method: str = "GET") -> Any:
    import urllib.request

    from torchvision.datasets.utils import USER_AGENT

    return urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})


def _stop_if(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise DownloadCancelled


def _probe(
    urls: tuple[str, ...], timeout: float, dead_hosts: dict[str, Exception]
) -> tuple[str, int | None]:
    """The first mirror that has the file, and its size. A mirror that does not answer is
    not asked again for the other files, so a dead network costs one timeout per mirror."""
    import http.client
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    failure: _NetworkError | None = None
    for url in urls:
        host = urlsplit(url).netloc
        if host in dead_hosts:
            failure = _NetworkError(url, dead_hosts[host])
            continue
        try:
            with urllib.request.urlopen(_request(url, "HEAD"), timeout=timeout) as response:
                length = response.headers.get("Content-Length", "")
                return url, int(length) if length.isdigit() else None
        except urllib.error.HTTPError as error:
            if error.code in (405, 501):  # a server that will not say the size
                return url, None
            failure = _NetworkError(url, error)
        except (OSError, http.client.HTTPException) as error:
            dead_hosts[host] = error
            failure = _NetworkError(url, error)
    assert failure is not None
    raise failure


def _fetch(
    url: str,
    path: Path,
    md5: str,
    timeout: float,
    received: Callable[[int], None],
    cancelled: Callable[[], bool] | None,
) -> None:
    """Stream `url` into `path`.part, check its md5, then rename it to `path`."""
    import http.client
    import urllib.request

    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.part")
    digest = hashlib.md5(usedforsecurity=False)
    try:
        try:
            response = urllib.request.urlopen(_request(url), timeout=timeout)
        except (OSError, http.client.HTTPException) as error:
            raise _NetworkError(url, error) from error
        with response, open(part, "wb") as file:
            while True:
                _stop_if(cancelled)
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as error:
                    raise _NetworkError(url, error) from error
                if not chunk:
                    break
                file.write(chunk)
                digest.update(chunk)
                received(len(chunk))
        if digest.hexdigest() != md5:
            raise _Damaged(path.name)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def _unpack(archive: Path, destination: Path) -> None:
    """Extract with torchvision's helper into a temporary folder, then move each file into
    place, so a failure leaves no half-written file where load() would read it."""
    from torchvision.datasets.utils import extract_archive

    destination.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=destination, prefix=".layerlab-unpack-"))
    try:
        extract_archive(str(archive), str(temporary))
        for source in sorted(path for path in temporary.rglob("*") if path.is_file()):
            target = destination / source.relative_to(temporary)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _network_reason(failure: _NetworkError, timeout: float) -> str:
    import urllib.error
    from urllib.parse import urlsplit

    error = failure.error
    if isinstance(error, urllib.error.HTTPError):
        return f"the server answered {error.code} {error.reason} for {failure.url}"
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError):
        return f"the server did not answer within {timeout:g} s (are you offline?)"
    host = urlsplit(failure.url).hostname or failure.url
    detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return f"{host} could not be reached ({detail}; are you offline?)"
