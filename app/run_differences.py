"""What differed between runs, as short labels for a comparison's legend: "lr 0.1" against
"lr 0.01", "Adam" against "SGD", "ReLU" against "Sigmoid".

Qt-free. Each experiment's settings are flattened to (setting, text) pairs in the order a
reader cares about (the model, then the optimizer and its numbers, then the data); a label
names the first few settings whose texts are not the same for every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.datasets import used_fields
from app.experiment import Experiment
from app.options import DTYPES, LOSSES, OPTIMIZERS
from models.layers import ACTIVATION_KINDS
from models.shapes import infer
from models.spec import ModelSpec
from models.words import counted

MAX_DIFFERENCES = 3  # a legend entry stays one short line; "…" says there was more
MODEL = "model"


def difference_labels(experiments: Sequence[Experiment], fallback: Sequence[str]) -> list[str]:
    """For each experiment, what sets it apart from the others ("lr 0.1, batch 32"); the
    fallback (the runs' names) where nothing does, as for runs of the same settings."""
    settings = [setting_texts(experiment) for experiment in experiments]
    keys = list(dict.fromkeys(key for texts in settings for key in texts))
    differing = [key for key in keys if len({texts.get(key, "") for texts in settings}) > 1]
    models = _model_texts([experiment.model for experiment in experiments])
    if models:
        differing.insert(0, MODEL)
    labels = []
    for index, texts in enumerate(settings):
        texts = {**texts, MODEL: models[index]} if models else texts
        parts = [texts[key] for key in differing if texts.get(key)]
        label = ", ".join(parts[:MAX_DIFFERENCES]) + (", …" if len(parts) > MAX_DIFFERENCES else "")
        labels.append(label or fallback[index])
    return labels


def setting_texts(experiment: Experiment) -> dict[str, str]:
    """Every setting that changes what a run learns, as the text a label shows, in order
    (the model aside: how models differ depends on the others, see _model_texts)."""
    train = experiment.train
    optimizer = OPTIMIZERS[train.optimizer]
    texts = {
        "optimizer": optimizer.label,
        "learning_rate": f"lr {train.learning_rate:g}",
        "batch_size": f"batch {train.batch_size}",
        "dtype": DTYPES[train.dtype].name,
        "weight_decay": f"weight decay {train.weight_decay:g}",
        "loss": LOSSES[train.loss].label.split(" (")[0] + " loss",  # "Auto loss", "MSE loss"
        "epochs": counted(train.epochs, "epoch"),
        "seed": f"seed {train.seed}",
    }
    if optimizer.uses_momentum:
        texts["momentum"] = f"momentum {train.momentum:g}"
    if optimizer.uses_nesterov:
        texts["nesterov"] = "Nesterov" if train.nesterov else "no Nesterov"
    texts.update(_data_texts(experiment))
    texts["device"] = train.device
    texts["deterministic"] = "deterministic" if train.deterministic else "not deterministic"
    return texts


def _data_texts(experiment: Experiment) -> dict[str, str]:
    data = experiment.data
    used = used_fields(data)
    texts = {"data": _dataset_title(data.name)}
    if "samples" in used:
        texts["samples"] = counted(data.samples, "sample")
    if "noise" in used:
        texts["noise"] = f"noise {data.noise:g}"
    if "classes" in used:
        texts["classes"] = f"{data.classes} classes"
    if "val_fraction" in used:
        texts["val_fraction"] = f"val {data.val_fraction:.0%}"
    if "subset" in used:
        texts["subset"] = f"{data.subset:,} images" if data.subset else "all images"
    if "path" in used:
        texts["path"] = Path(data.path).name or "no file"
    if "target" in used:
        texts["target"] = f"target {data.target}" if data.target else "last column"
    for name, value in data.params:
        texts[f"params.{name}"] = f"{name.replace('_', ' ')} {value:g}"
    if "seed" in used:
        texts["data_seed"] = f"data seed {data.seed}"
    return texts


def _dataset_title(name: str) -> str:
    """The dataset's title as the Data tab shows it ("Two moons"), else its name."""
    from app.datasets.tables import TABLE_DATASETS
    from app.datasets.toy import TOY_DATASETS
    from app.datasets.vision import VISION_DATASETS

    for table in (TOY_DATASETS, TABLE_DATASETS, VISION_DATASETS):
        if name in table:
            return table[name].title
    return name.replace("_", " ")


def _model_texts(models: list[ModelSpec]) -> list[str]:
    """How each model differs from the others, by the first of: its activations, its layer
    count, its parameter count, its first layer that differs; [] when all are the same."""
    if len(set(models)) <= 1:
        return []
    for describe in (_activations, _layer_count, _param_text):
        texts = [describe(model) for model in models]
        if len(set(texts)) > 1:
            return texts
    return [_first_different_layer(model, models) for model in models]


def _activations(model: ModelSpec) -> str:
    """The activation kinds in the order they first come: "ReLU", "Tanh+Sigmoid"."""
    kinds = [layer.kind for layer in model.layers if layer.kind in ACTIVATION_KINDS]
    return "+".join(dict.fromkeys(kinds)) or "no activation"


def _layer_count(model: ModelSpec) -> str:
    return counted(len(model.layers), "layer")


def _param_text(model: ModelSpec) -> str:
    """The model's parameter count by shape inference, "? params" while it has errors."""
    inference = infer(model)
    return counted(inference.total_params, "param") if inference.ok else "? params"


def _first_different_layer(model: ModelSpec, models: list[ModelSpec]) -> str:
    """The summary of this model's first layer that is not the same in every model."""
    for index, layer in enumerate(model.layers):
        if any(index >= len(other.layers) or other.layers[index] != layer for other in models):
            return layer.summary()
    return f"input {'x'.join(map(str, model.input_shape))}"
