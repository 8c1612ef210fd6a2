"""Hostile input gives one sentence before any work is done, never a traceback or lost work."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from app.cli import main
from app.datasets import DataConfig
from app.datasets.vision import DataMissing, load
from app.experiment import Experiment, ExperimentError, TrainConfig, model_source
from app.training import RunError, Trainer
from models.codegen import generate
from models.spec import LayerSpec, ModelSpec, Task
from tests.vision_files import accept_cifar10_files, write_cifar10, write_mnist_family


def _batch_norm_experiment(kind: str, input_shape: tuple[int, ...], batch_size: int) -> Experiment:
    """A toy-data model with one batch norm layer (a Linear first when the input is flat)."""
    layers = [LayerSpec.create(kind)]
    if len(input_shape) == 1:
        layers.insert(0, LayerSpec.create("Linear", out_features=8))
    layers += [LayerSpec.create("Flatten"), LayerSpec.create("Linear", out_features=2)]
    return Experiment(
        model=ModelSpec(input_shape, tuple(layers)),
        data=DataConfig(samples=40),
        train=TrainConfig(batch_size=batch_size, epochs=1),
    )


# 1. Batch norm with one value per channel in a batch -----------------------------------------


def test_batch_norm_with_batch_size_one_is_refused_before_training():
    trainer = Trainer(_batch_norm_experiment("BatchNorm1d", (2,), batch_size=1))
    with pytest.raises(RunError) as caught:
        trainer.prepare()
    message = str(caught.value)
    assert "Layer 1 (BatchNorm1d)" in message and "batch size to 2 or more" in message
    assert message.count(".") == 1 and "\n" not in message
    assert trainer.model is None  # nothing was built to train


def test_batch_norm_with_batch_size_one_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "norm.json"
    path.write_text(_batch_norm_experiment("BatchNorm1d", (2,), batch_size=1).to_json())
    code = main(["train", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "BatchNorm1d" in err and "batch size" in err, err
    assert not (tmp_path / "out").exists()


def test_batch_norm_with_batch_size_two_still_trains():
    trainer = Trainer(_batch_norm_experiment("BatchNorm1d", (2,), batch_size=2))
    reports = list(trainer.run())
    assert reports[-1].reason == "completed"


# 2. Image files of random bytes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "file", ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"]
)
@pytest.mark.parametrize("size", [3, 100, 5000])
def test_an_mnist_file_of_random_bytes_is_the_damaged_files_sentence(tmp_path, file, size):
    write_mnist_family(tmp_path, train=5, test=5)
    (tmp_path / "MNIST" / "raw" / file).write_bytes(np.random.default_rng(size).bytes(size))
    with pytest.raises(DataMissing) as caught:
        load(DataConfig(name="mnist"), tmp_path)
    message = str(caught.value)
    assert "could not be read" in message and "damaged" in message
    assert "download them again" in message and "\n" not in message


def test_a_foreign_cifar_batch_is_the_damaged_files_sentence(tmp_path, monkeypatch):
    accept_cifar10_files(monkeypatch)
    write_cifar10(tmp_path, train_per_batch=2, test=2)
    # A pickle naming a module that is not here: unpickling it raises ModuleNotFoundError.
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(b"cno_such_module\nx\n.")
    with pytest.raises(DataMissing, match="could not be read .* damaged"):
        load(DataConfig(name="cifar10"), tmp_path)


# 3. Text that cannot be saved -----------------------------------------------------------------


@pytest.mark.parametrize("key", ["title", "description"])
def test_a_lone_surrogate_is_refused_when_the_experiment_is_read(tmp_path, key):
    data = Experiment().to_dict()
    data[key] = "before \ud800 after"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(data))  # ASCII: json writes the surrogate as \ud800
    with pytest.raises(ExperimentError) as caught:
        Experiment.load(path)
    message = str(caught.value)
    assert message.startswith(f"surrogate.json: {key} ") and "\n" not in message


def test_a_lone_surrogate_exits_2_before_training(tmp_path, capsys):
    data = Experiment().to_dict()
    data["title"] = "\udcff"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(data))
    code = main(["train", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "title" in err, err
    assert not (tmp_path / "out").exists()


# 4. Generated source always compiles ---------------------------------------------------------

HOSTILE_TITLES = [
    '"""',
    'a """ b',
    '""""',
    'ends in a quote"',
    "\\",
    "ends in a backslash \\",
    "\\N{oops} and \\x and \\u12",
    "nul \x00 inside",
    "carriage\rreturn",
    "crlf\r\nline",
    "form\x0cfeed \x0b vtab \x1b escape \x7f delete",
    "line\nbreaks\nand\ttabs",
    "unicode \u2028 separator \u0085 next line",
    "lone \ud800 surrogate",
    "",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_generated_source_compiles_and_keeps_the_title(title):
    spec = ModelSpec((2,), (LayerSpec.create("Linear", in_features=2, out_features=2),))
    source = generate(spec, title=title, task=Task("classification", 2))
    source.encode("utf-8")  # model.py is written as UTF-8: every character must encode
    code = compile(source, "model.py", "exec")
    docstring = code.co_consts[0]
    assert isinstance(docstring, str) and docstring.startswith(title)


def test_model_source_of_a_hostile_title_compiles():
    experiment = Experiment(title='x """ \x00 \r \\')
    compile(model_source(experiment, Task("classification", 2)), "model.py", "exec")


# 5. What is not a regular file, or too large --------------------------------------------------


def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "experiment.json"
    os.mkfifo(fifo)  # with no writer, opening it to read would wait forever
    with pytest.raises(ExperimentError, match=r"experiment.json is not a regular file"):
        Experiment.load(fifo)


def test_a_device_is_refused_before_reading():
    with pytest.raises(ExperimentError, match=r"^/dev/zero is not a regular file"):
        Experiment.load("/dev/zero")


def test_a_folder_is_not_a_regular_file(tmp_path):
    with pytest.raises(ExperimentError, match="is not a regular file"):
        Experiment.load(tmp_path)


def test_a_huge_file_is_refused_by_its_size(tmp_path):
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as file:
        file.truncate(11 * 1024 * 1024)  # sparse: nothing is written to disk
    with pytest.raises(ExperimentError) as caught:
        Experiment.load(huge)
    message = str(caught.value)
    assert "huge.json" in message and "10 MB" in message and "\n" not in message


def test_a_fifo_on_the_command_line_exits_2(tmp_path, capsys):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code = main(["train", str(fifo), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "not a regular file" in err, err


def test_an_ordinary_file_still_loads(tmp_path):
    path = tmp_path / "plain.json"
    path.write_text(Experiment(title="Plain").to_json())
    assert Experiment.load(path).title == "Plain"


def test_a_file_that_is_not_utf8_is_named_with_the_byte_where_it_breaks(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"title": "caf\xe9"}')
    with pytest.raises(ExperimentError) as caught:
        Experiment.load(path)
    assert str(caught.value) == "latin.json is not UTF-8 text (byte 14); save it as UTF-8"
