"""The engine on image datasets: uint8 pixels stay uint8 on the device and are normalised per
batch; epochs carry a confusion matrix; predictions are the first validation images' classes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from app.datasets import DataConfig
from app.datasets.vision import VISION_DATASETS
from app.experiment import Experiment, TrainConfig
from app.reports import EpochReport, ImagePredictionReport, RunFinished
from app.training import RunError, Trainer
from models.build import build
from models.spec import LayerSpec, ModelSpec
from tests.vision_files import accept_cifar10_files, write_cifar10, write_mnist_family

CNN = ModelSpec(
    (1, 28, 28),
    (
        LayerSpec.create("Conv2d", out_channels=4, kernel_size=3, padding=1),
        LayerSpec.create("ReLU"),
        LayerSpec.create("MaxPool2d", kernel_size=4),
        LayerSpec.create("Flatten"),
        LayerSpec.create("Linear", out_features=10),
    ),
)


def mnist_experiment(epochs: int = 3, **data) -> Experiment:
    return Experiment(
        model=CNN,
        data=DataConfig(name="mnist", **data),
        train=TrainConfig(epochs=epochs, batch_size=16, learning_rate=0.01),
    )


@pytest.fixture
def mnist_root(tmp_path):
    write_mnist_family(tmp_path, train=200, test=60)
    return tmp_path


def test_images_train_to_well_above_chance_with_a_confusion_matrix(mnist_root):
    trainer = Trainer(mnist_experiment(), data_root=str(mnist_root))
    reports = list(trainer.run())
    assert trainer.x_train.dtype == torch.uint8 and trainer.x_train.shape == (200, 1, 28, 28)
    epochs = [r for r in reports if isinstance(r, EpochReport)]
    last = epochs[-1]
    assert last.val_accuracy > 0.5  # ten classes: chance is 0.1
    assert last.confusion.shape == (10, 10) and last.confusion.sum() == 60
    assert np.trace(last.confusion) == round(last.val_accuracy * 60)
    # rows are the true classes
    assert (
        last.confusion.sum(axis=1).tolist()
        == np.bincount(trainer.dataset.y_val, minlength=10).tolist()
    )
    assert reports[-1].reason == "completed"


def test_each_batch_is_normalised_with_the_dataset_mean_and_std(mnist_root):
    trainer = Trainer(mnist_experiment(), data_root=str(mnist_root))
    trainer.prepare()
    pixels = trainer.x_train[:5]
    (mean,), (std,) = VISION_DATASETS["mnist"].mean, VISION_DATASETS["mnist"].std
    expected = (pixels.double() / 255 - mean) / std
    assert torch.allclose(trainer.placement.inputs(pixels).double(), expected, atol=1e-5)


def test_predictions_are_the_first_validation_images_with_their_guesses(mnist_root):
    trainer = Trainer(mnist_experiment(epochs=1), data_root=str(mnist_root))
    list(trainer.run())
    report = trainer.predict(None, 13)
    assert isinstance(report, ImagePredictionReport)
    assert report.steps_done == 13
    assert report.images.dtype == np.uint8 and report.images.shape == (32, 1, 28, 28)
    assert np.array_equal(report.images, trainer.dataset.x_val[:32])
    assert np.array_equal(report.labels, trainer.dataset.y_val[:32])
    with torch.no_grad():
        expected = trainer.model(trainer.placement.inputs(trainer.x_val[:32])).argmax(1).numpy()
    assert np.array_equal(report.predicted, expected)
    assert report.class_names == VISION_DATASETS["mnist"].class_names


def test_a_subset_trains_on_that_many_images(mnist_root):
    trainer = Trainer(mnist_experiment(epochs=1, subset=100), data_root=str(mnist_root))
    reports = list(trainer.run())
    assert len(trainer.x_train) == 100 and len(trainer.x_val) == 30
    assert isinstance(reports[-1], RunFinished)


def test_missing_files_stop_before_training_with_the_how_to(tmp_path):
    with pytest.raises(RunError) as error:
        Trainer(mnist_experiment(), data_root=str(tmp_path)).prepare()
    message = str(error.value)
    assert str(tmp_path / "MNIST" / "raw") in message and "train-images-idx3-ubyte" in message
    assert "Download" in message


def test_colour_images_train_in_bfloat16(tmp_path, monkeypatch):
    accept_cifar10_files(monkeypatch)
    write_cifar10(tmp_path, train_per_batch=20, test=20)
    model = ModelSpec(
        (3, 32, 32),
        (
            LayerSpec.create("Conv2d", out_channels=4, kernel_size=3),
            LayerSpec.create("ReLU"),
            LayerSpec.create("Flatten"),
            LayerSpec.create("Linear", out_features=10),
        ),
    )
    experiment = Experiment(
        model=model,
        data=DataConfig(name="cifar10"),
        train=TrainConfig(epochs=1, batch_size=20, dtype="bfloat16"),
    )
    trainer = Trainer(experiment, data_root=str(tmp_path))
    reports = list(trainer.run())
    assert trainer.x_train.shape == (100, 3, 32, 32) and trainer.x_train.dtype == torch.uint8
    assert reports[-1].reason == "completed"
    assert np.isfinite([r.train_loss for r in reports if isinstance(r, EpochReport)]).all()


def test_cpu_convolutions_train_channels_last_and_export_ordinary_weights(mnist_root):
    model = ModelSpec(
        (1, 28, 28),
        (
            LayerSpec.create("Conv2d", out_channels=4, kernel_size=3, padding=1),
            LayerSpec.create("ReLU"),
            LayerSpec.create("Conv2d", out_channels=6, kernel_size=3, padding=1),
            LayerSpec.create("MaxPool2d", kernel_size=4),
            LayerSpec.create("Flatten"),
            LayerSpec.create("Linear", out_features=10),
        ),
    )
    experiment = Experiment(
        model=model, data=DataConfig(name="mnist"), train=TrainConfig(epochs=1, batch_size=16)
    )
    trainer = Trainer(experiment, data_root=str(mnist_root))
    list(trainer.run())
    assert trainer.placement.memory_format == torch.channels_last
    second_conv = trainer.model[2].weight  # (6, 4, 3, 3): its layouts differ
    assert second_conv.is_contiguous(memory_format=torch.channels_last)
    assert not second_conv.is_contiguous()
    batch = trainer.placement.inputs(trainer.x_val[:8])
    assert batch.is_contiguous(memory_format=torch.channels_last)
    weights = trainer.state_dict()
    assert all(tensor.is_contiguous() for tensor in weights.values())
    # Ordinary PyTorch code, loading the export, computes what the trained model computes.
    plain = build(model)
    plain.load_state_dict(weights)
    plain.eval()
    trainer.model.eval()
    with torch.no_grad():
        expected = trainer.model(batch)
        ordinary = plain(batch.contiguous())
    assert torch.allclose(ordinary, expected, atol=1e-5)


@pytest.mark.parametrize(
    ("model", "dtype"),
    [
        (CNN, "float64"),
        (CNN, "bfloat16"),
        (
            ModelSpec(
                (1, 28, 28),
                (LayerSpec.create("Flatten"), LayerSpec.create("Linear", out_features=10)),
            ),
            "float32",
        ),
    ],
    ids=["float64", "bfloat16", "no convolution"],
)
def test_other_models_and_dtypes_keep_the_ordinary_layout(mnist_root, model, dtype):
    experiment = Experiment(
        model=model,
        data=DataConfig(name="mnist"),
        train=TrainConfig(epochs=1, batch_size=16, dtype=dtype),
    )
    trainer = Trainer(experiment, data_root=str(mnist_root))
    trainer.prepare()
    assert trainer.placement.memory_format == torch.contiguous_format
    assert trainer.placement.inputs(trainer.x_train[:4]).is_contiguous()
