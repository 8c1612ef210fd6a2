"""What differed between runs, as short labels for a comparison's legend: "lr 0.1" against
"lr 0.01", "Adam" against "SGD", "ReLU" against "Sigmoid".

Qt-free. Each experiment's settings are flattened to (setting, text) pairs in the order a
reader cares about (the model, then the optimizer and its numbers, then the data); a label
names the first few settings whose texts are not the same for every run.

The labels are in the language of the moment; the settings' own names that are PyTorch's
("lr", "Adam", "float32", "cuda:0") read the same in every language.
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
from models.translation import N_, _, ngettext

MAX_DIFFERENCES = 3  # a legend entry stays one short line; "…" says there was more
MODEL = "model"
# Each loss as a label names it; a loss not here is named from its label.
LOSS_TEXTS = {
    "auto": N_("Auto loss"),
    "cross_entropy": N_("Cross-entropy loss"),
    "mse": N_("MSE loss"),
    "l1": N_("L1 loss"),
    "huber": N_("Huber loss"),
}


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
        labels.append(_joined(parts) or fallback[index])
    return labels


def _joined(parts: list[str]) -> str:
    """The first MAX_DIFFERENCES parts, one after the other, "…" after them if there are more."""
    label = _(", ").join(parts[:MAX_DIFFERENCES])  # the separator of models.words.listed
    if len(parts) > MAX_DIFFERENCES:
        # Translators: a run's label that has more differences than it shows.
        label = _("{differences}, …").format(differences=label)
    return label


def setting_texts(experiment: Experiment) -> dict[str, str]:
    """Every setting that changes what a run learns, as the text a label shows, in order
    (the model aside: how models differ depends on the others, see _model_texts)."""
    train = experiment.train
    optimizer = OPTIMIZERS[train.optimizer]
    texts = {
        "optimizer": _(optimizer.label),
        # Translators: "lr" is PyTorch's name of the learning rate (optim.SGD(lr=0.1)).
        "learning_rate": _("lr {value:g}").format(value=train.learning_rate),
        "batch_size": _("batch {size}").format(size=train.batch_size),
        "dtype": DTYPES[train.dtype].name,
        "weight_decay": _("weight decay {value:g}").format(value=train.weight_decay),
        "loss": _loss_text(train.loss),
        "epochs": ngettext("{count:,} epoch", "{count:,} epochs", train.epochs).format(
            count=train.epochs
        ),
        "seed": _("seed {seed}").format(seed=train.seed),
    }
    if optimizer.uses_momentum:
        texts["momentum"] = _("momentum {value:g}").format(value=train.momentum)
    if optimizer.uses_nesterov:
        texts["nesterov"] = "Nesterov" if train.nesterov else _("no Nesterov")
    texts.update(_data_texts(experiment))
    texts["device"] = train.device
    texts["deterministic"] = _("deterministic") if train.deterministic else _("not deterministic")
    return texts


def _loss_text(name: str) -> str:
    """The loss as a label names it: "Auto loss", "MSE loss"."""
    if name in LOSS_TEXTS:
        return _(LOSS_TEXTS[name])
    return _("{loss} loss").format(loss=LOSSES[name].label.split(" (")[0])


def _data_texts(experiment: Experiment) -> dict[str, str]:
    data = experiment.data
    used = used_fields(data)
    texts = {"data": _dataset_title(data.name)}
    if "samples" in used:
        texts["samples"] = ngettext("{count:,} sample", "{count:,} samples", data.samples).format(
            count=data.samples
        )
    if "noise" in used:
        texts["noise"] = _("noise {value:g}").format(value=data.noise)
    if "classes" in used:
        texts["classes"] = _("{count} classes").format(count=data.classes)
    if "val_fraction" in used:
        # Translators: the share of the data kept for validation: "val 20%".
        texts["val_fraction"] = _("val {fraction:.0%}").format(fraction=data.val_fraction)
    if "subset" in used:
        subset = data.subset
        texts["subset"] = _("{count:,} images").format(count=subset) if subset else _("all images")
    if "path" in used:
        texts["path"] = Path(data.path).name or _("no file")
    if "target" in used:
        target = data.target
        texts["target"] = _("target {column}").format(column=target) if target else _("last column")
    for name, value in data.params:
        texts[f"params.{name}"] = f"{name.replace('_', ' ')} {value:g}"
    if "seed" in used:
        texts["data_seed"] = _("data seed {seed}").format(seed=data.seed)
    return texts


def _dataset_title(name: str) -> str:
    """The dataset's title as the Data tab shows it ("Two moons"), else its name."""
    from app.datasets.tables import TABLE_DATASETS
    from app.datasets.toy import TOY_DATASETS
    from app.datasets.vision import VISION_DATASETS

    for table in (TOY_DATASETS, TABLE_DATASETS, VISION_DATASETS):
        if name in table:
            return table[name].title  # in the current language
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
    return "+".join(dict.fromkeys(kinds)) or _("no activation")


def _layer_count(model: ModelSpec) -> str:
    count = len(model.layers)
    return ngettext("{count:,} layer", "{count:,} layers", count).format(count=count)


def _param_text(model: ModelSpec) -> str:
    """The model's parameter count by shape inference, "? params" while it has errors."""
    inference = infer(model)
    if not inference.ok:
        return _("? params")
    count = inference.total_params
    return ngettext("{count:,} param", "{count:,} params", count).format(count=count)


def _first_different_layer(model: ModelSpec, models: list[ModelSpec]) -> str:
    """The summary of this model's first layer that is not the same in every model."""
    for index, layer in enumerate(model.layers):
        if any(index >= len(other.layers) or other.layers[index] != layer for other in models):
            return layer.summary()
    return _("input {shape}").format(shape="x".join(map(str, model.input_shape)))
