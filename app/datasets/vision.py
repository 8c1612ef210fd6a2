"""torchvision image datasets: MNIST, FashionMNIST, KMNIST and CIFAR-10.

Importing this module is cheap and torch-free (the window reads the catalog at start-up);
torch and torchvision are imported only inside the functions that read or fetch data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.datasets import DataConfig

MIN_SUBSET = 100


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
        ),
    )
}


class DataMissing(Exception):
    """The dataset's files are not in the data folder; the message says which and where."""


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
