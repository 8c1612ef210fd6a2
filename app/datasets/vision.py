"""torchvision image datasets: MNIST, FashionMNIST, KMNIST and CIFAR-10, and how to get them.

Importing this module is cheap and torch-free (the window reads the catalog at start-up);
torch and torchvision are imported only inside the functions that read or fetch data.

Files live where torchvision's own classes read them (`root/MNIST/raw/...`,
`root/cifar-10-batches-py/...`). The first load decodes each split through torchvision and
caches it beside the files (app.datasets.image_cache); downloads are LayerLab's own
(app.datasets.fetching).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.datasets import DataConfig, Dataset, Described
from models.spec import Task
from models.translation import N_, _
from models.words import listed

MIN_SUBSET = 100
CACHE_FOLDER = "layerlab-cache"


@dataclass(frozen=True)
class VisionDataset(Described):
    """One torchvision dataset and what the window says about it."""

    name: str
    english_title: str  # marked N_(): `title` is it in the current language
    english_description: str  # marked N_(): `description` is it translated
    torchvision_class: str  # the class in torchvision.datasets
    input_shape: tuple[int, int, int]  # (C, H, W)
    class_names: tuple[str, ...]
    train_size: int
    test_size: int
    mean: tuple[float, ...]  # per channel, of pixel values scaled to 0..1
    std: tuple[float, ...]
    download_megabytes: float
    _keywords: KW_ONLY
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
            N_("MNIST handwritten digits"),
            N_(
                "70,000 grey 28x28 images of the digits 0-9, written by people. The classic first "
                "image task: a small CNN reaches 99%."
            ),
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
            N_("Fashion-MNIST clothes"),
            N_(
                "70,000 grey 28x28 images of 10 kinds of clothing. Harder than digits: shirts, "
                "pullovers and coats look alike."
            ),
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
            N_("Kuzushiji-MNIST characters"),
            N_(
                "70,000 grey 28x28 images of 10 cursive Japanese hiragana characters. Looks like "
                "MNIST, learns like something harder."
            ),
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
            N_("CIFAR-10 photos"),
            N_(
                "60,000 small 32x32 colour photos of 10 things: planes, cars, birds, cats, deer, "
                "dogs, frogs, horses, ships and trucks. Needs a CNN and patience."
            ),
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
        return _("unknown dataset {name}").format(name=repr(config.name))
    if config.params:
        return _("{dataset} has no parameter {name} (its own: none)").format(
            dataset=config.name, name=repr(config.params[0][0])
        )
    if config.subset and not MIN_SUBSET <= config.subset <= dataset.train_size:
        return _("subset must be 0 (all images) or between {low} and {high:,}, got {value}").format(
            low=MIN_SUBSET, high=dataset.train_size, value=config.subset
        )
    return None


# How the window's sentence says to download: its Download button.
PRESS_DOWNLOAD = N_("press Download")


def missing_message(name: str, root: Path, fetch: str | None = PRESS_DOWNLOAD) -> str:
    """How to get the files by hand or by download: which files go into which folder.

    `fetch` says how to download them where the sentence is read (the window's button, the
    command line's --download), in the current language (the default is translated here);
    None leaves the download out (it just failed)."""
    dataset = _entry(name)
    root = _absolute(root)
    if fetch == PRESS_DOWNLOAD:
        fetch = _(PRESS_DOWNLOAD)
    fields = {
        "title": dataset.title,
        "folder": root / dataset.data_folder,
        "files": listed(dataset.files),
        "archives": listed(dataset.archives),
        "archive_folder": root / dataset.archive_folder,
        "fetch": fetch,
        "size": dataset.download_megabytes,
    }
    beside = dataset.archive_folder == dataset.data_folder
    if fetch is None:
        if beside:
            text = _(
                "The {title} files are not in {folder}. Put {files} there (the .gz files as "
                "downloaded work too)."
            )
        else:
            text = _(
                "The {title} files are not in {folder}. Put {files} there, or {archives} as "
                "downloaded in {archive_folder}."
            )
    elif beside:
        text = _(
            "The {title} files are not in {folder}. Put {files} there (the .gz files as "
            "downloaded work too); or {fetch} to fetch them ({size:g} MB)."
        )
    else:
        text = _(
            "The {title} files are not in {folder}. Put {files} there, or {archives} as "
            "downloaded in {archive_folder}; or {fetch} to fetch them ({size:g} MB)."
        )
    return text.format(**fields)


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
        from app.datasets.fetching import unpack_archives

        unpack_archives(dataset, root)
    from app.datasets.image_cache import read_split

    x_train, y_train = read_split(dataset, root, "train")
    x_val, y_val = read_split(dataset, root, "test")
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
    from app.datasets.fetching import FetchFailed, fetch_archives

    dataset = _entry(name)
    root = _absolute(root)
    if _sources_present(dataset, root):
        return
    try:
        fetch_archives(dataset, root, progress=progress, cancelled=cancelled, timeout=timeout)
    except FetchFailed as failure:
        raise DownloadError(
            _("Could not download {title}: {reason}. {how}").format(
                title=dataset.title, reason=failure, how=missing_message(name, root, fetch=None)
            )
        ) from None


def damaged(dataset: VisionDataset, root: Path, reason: str) -> DataMissing:
    """The error for files that are there but cannot be read: why, and what to do."""
    folder = root / dataset.data_folder
    return DataMissing(
        _(
            "The {title} files in {folder} could not be read ({reason}); they may be "
            "incomplete or damaged. Delete them and download them again, or put fresh copies "
            "there."
        ).format(title=dataset.title, folder=folder, reason=reason)
    )


# Helpers -----------------------------------------------------------------------------------


def _entry(name: str) -> VisionDataset:
    dataset = VISION_DATASETS.get(name)
    if dataset is None:
        raise ValueError(_("unknown image dataset {name}").format(name=repr(name)))
    return dataset


def _absolute(root: Path | str) -> Path:
    return Path(root).expanduser().absolute()


def _sources_present(dataset: VisionDataset, root: Path) -> bool:
    return all((root / dataset.data_folder / file).is_file() for file in dataset.files)
