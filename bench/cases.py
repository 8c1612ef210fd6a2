"""What the benches train: their own models and the example experiments as they ship.

A `Case` is an experiment for LayerLab and the same work for bench/bare_loop.py: the
training set it trains on (written as an .npz, images normalised as the engine normalises
them), its hand-written model and the experiment's learning rate and batch size.

The examples are resources/examples/two_moons.json (its own 1,000 points, 800 for training,
batch 64; only the epochs raised so that a run lasts long enough to time) and
resources/examples/mnist_lenet.json (its own subset, batch and epochs) on MNIST-format files
written by tests/vision_files.write_mnist_family: 10,000 training images, the example's
subset, and 1,667 test images, the share of the test set the subset takes from real MNIST.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from measure import write_inputs

from app.datasets import DataConfig, load
from app.experiment import Experiment, TrainConfig
from models.spec import LayerSpec, ModelSpec
from models.words import counted
from tests.vision_files import write_mnist_family

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
MNIST_TRAIN, MNIST_TEST = 10_000, 1_667

MLP = ModelSpec(
    (2,),
    (
        LayerSpec.create("Linear", out_features=64),
        LayerSpec.create("ReLU"),
        LayerSpec.create("Linear", out_features=64),
        LayerSpec.create("ReLU"),
        LayerSpec.create("Linear", out_features=2),
    ),
)

CNN = ModelSpec(
    (1, 28, 28),
    (
        LayerSpec.create("Conv2d", out_channels=8, kernel_size=3, padding=1),
        LayerSpec.create("ReLU"),
        LayerSpec.create("MaxPool2d", kernel_size=2),
        LayerSpec.create("Conv2d", out_channels=16, kernel_size=3, padding=1),
        LayerSpec.create("ReLU"),
        LayerSpec.create("MaxPool2d", kernel_size=2),
        LayerSpec.create("Flatten"),
        LayerSpec.create("Linear", out_features=10),
    ),
)

MOONS_10K = DataConfig("two_moons", samples=10_000, noise=0.1, val_fraction=0.2, seed=0)


@dataclass(frozen=True)
class Case:
    title: str
    experiment: Experiment
    bare_model: str  # bare_loop.py --model
    inputs: Path  # the .npz bare_loop.py trains on
    train_samples: int
    data_root: Path | None = None  # image datasets: the folder with their files

    @property
    def samples(self) -> int:
        """Training samples of one whole run (validation not counted)."""
        return self.train_samples * self.experiment.train.epochs

    def bare_arguments(self) -> dict:
        train = self.experiment.train
        return {
            "model": self.bare_model,
            "batch": train.batch_size,
            "epochs": train.epochs,
            "lr": train.learning_rate,
            "device": train.device,
        }


def write_mnist(folder: Path) -> Path:
    """MNIST-format files in `folder` (its data root), once."""
    if not (folder / "MNIST").is_dir():
        write_mnist_family(folder, train=MNIST_TRAIN, test=MNIST_TEST)
    return folder


def own_mlp(folder: Path, batch: int, epochs: int, device: str = "cpu") -> Case:
    """The benches' MLP 2-64-64-2 on 10,000 two-moons points (8,000 for training)."""
    train = TrainConfig(device=device, batch_size=batch, epochs=epochs, histogram_every=10)
    experiment = Experiment(model=MLP, data=MOONS_10K, train=train, title="bench")
    title = (
        f"bench MLP 2-64-64-2, 8,000 two-moons points, batch {batch}, {counted(epochs, 'epoch')}"
    )
    return _case(title, experiment, "mlp", folder)


def own_cnn(folder: Path, epochs: int) -> Case:
    """The benches' CNN 8c3-16c3-10 on all the written MNIST-format training images."""
    train = TrainConfig(batch_size=64, epochs=epochs, histogram_every=10)
    data = DataConfig("mnist", seed=0)
    experiment = Experiment(model=CNN, data=data, train=train, title="bench")
    title = (
        f"bench CNN 8c3-16c3-10, {MNIST_TRAIN:,} 1x28x28 images, batch 64, "
        f"{counted(epochs, 'epoch')}"
    )
    return _case(title, experiment, "cnn", folder, write_mnist(folder))


def two_moons_example(folder: Path, epochs: int, device: str = "cpu") -> Case:
    shipped = Experiment.load(EXAMPLES / "two_moons.json")
    experiment = _with_train(shipped, epochs=epochs, device=device)
    title = (
        f"example two_moons.json: {shipped.data.samples:,} points, batch "
        f"{shipped.train.batch_size}, {counted(epochs, 'epoch')} "
        f"(the file says {shipped.train.epochs})"
    )
    return _case(title, experiment, "mlp", folder)


def lenet_example(folder: Path, epochs: int | None = None, device: str = "cpu") -> Case:
    shipped = Experiment.load(EXAMPLES / "mnist_lenet.json")
    epochs = epochs or shipped.train.epochs
    experiment = _with_train(shipped, epochs=epochs, device=device)
    own = (
        "as the file says"
        if epochs == shipped.train.epochs
        else f"the file says {shipped.train.epochs}"
    )
    title = (
        f"example mnist_lenet.json: subset {shipped.data.subset:,} of MNIST-format files, batch "
        f"{shipped.train.batch_size}, {counted(epochs, 'epoch')} ({own})"
    )
    return _case(title, experiment, "lenet", folder, write_mnist(folder))


def _with_train(experiment: Experiment, **changes: object) -> Experiment:
    return experiment.with_changes(train=replace(experiment.train, **changes))


def _case(
    title: str, experiment: Experiment, model: str, folder: Path, root: Path | None = None
) -> Case:
    dataset = load(experiment.data, root)
    x = dataset.x_train
    if dataset.normalization is not None:  # uint8 images, normalised as the engine does
        mean, std = (np.asarray(v, np.float32).reshape(1, -1, 1, 1) for v in dataset.normalization)
        x = (x.astype(np.float32) / 255 - mean) / std
    name = f"{model}-{len(list(folder.glob('*.npz')))}.npz"
    inputs = write_inputs(folder / name, x, dataset.y_train)
    return Case(title, experiment, model, inputs, len(x), root)
