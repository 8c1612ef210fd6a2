"""The experiment being edited: its undo history, its file, and what inference says about it.

The window's edit verbs (add, delete, move a layer; change the data or training) are here as
pure experiment edits with their undo texts, so they read and test without any widget.
"""

from __future__ import annotations

import dataclasses
import zlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.datasets import DataConfig, data_input_shape, data_task
from app.experiment import Experiment, TrainConfig
from models.layers import ACTIVATION_KINDS
from models.shapes import Inference, infer
from models.spec import LayerSpec, ModelSpec, Task
from models.translation import N_, _

# The settings an undo text names ("Change learning rate", "Change noise of the data"), as
# the English has always read: the field's name with spaces. Code names (dtype, nesterov) and
# a toy dataset's own parameters are left as they are.
FIELD_NAMES = {
    "device": N_("device"),
    "optimizer": N_("optimizer"),
    "learning_rate": N_("learning rate"),
    "momentum": N_("momentum"),
    "weight_decay": N_("weight decay"),
    # Translators: the loss function, a training setting (in "Change loss").
    "loss": N_("loss"),
    "batch_size": N_("batch size"),
    "epochs": N_("epochs"),
    # Translators: the random seed, a training or data setting (in "Change seed").
    "seed": N_("seed"),
    "deterministic": N_("deterministic"),
    # Translators: how many steps between histograms (in "Change histogram every").
    "histogram_every": N_("histogram every"),
    # Translators: the dataset chosen (in "Change name of the data").
    "name": N_("name"),
    # Translators: how many samples the data has (in "Change samples of the data").
    "samples": N_("samples"),
    "noise": N_("noise"),
    # Translators: how many classes the data has (in "Change classes of the data").
    "classes": N_("classes"),
    # Translators: the share of the data kept for validation.
    "val_fraction": N_("val fraction"),
    # Translators: how many training images are used (in "Change subset of the data").
    "subset": N_("subset"),
    # Translators: a data file's path (in "Change path of the data").
    "path": N_("path"),
    # Translators: a data file's target column (in "Change target of the data").
    "target": N_("target"),
}


def field_name(field: str) -> str:
    """A changed setting as an undo text names it, in the current language."""
    return _(FIELD_NAMES[field]) if field in FIELD_NAMES else field.replace("_", " ")


def _first_changed_field(before: object, after: object) -> str:
    """The name of the first field where two dataclasses differ ("" when none does)."""
    for field in dataclasses.fields(before):
        if getattr(before, field.name) != getattr(after, field.name):
            return field.name
    return ""


def _first_changed_data_field(before: DataConfig, after: DataConfig) -> str:
    """As _first_changed_field, but a toy dataset's own parameter by its name ("squares")."""
    field = _first_changed_field(before, after)
    if field != "params":
        return field
    old, new = dict(before.params), dict(after.params)
    return next((name for name in sorted({*old, *new}) if old.get(name) != new.get(name)), field)


def _merge_key(section: str, field: str, value: object) -> str:
    """Typing a number is one undo step however many keys it takes; a choice is one step."""
    typed = isinstance(value, int | float) and not isinstance(value, bool)
    return f"{section} {field}" if typed else ""


class _Change(QUndoCommand):
    """One edit: the whole experiment before and after. Edits with the same merge key that
    follow each other (typing in one spin box) become one undo step."""

    def __init__(self, document: ExperimentDocument, after: Experiment, text: str, key: str):
        super().__init__(text)
        self.document = document
        self.before = document.experiment
        self.after = after
        self.key = key

    def id(self) -> int:
        if not self.key:
            return -1
        return zlib.crc32(self.key.encode()) & 0x7FFFFFFF

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Change) or other.key != self.key:
            return False
        self.after = other.after
        self.setObsolete(self.after == self.before)
        return True

    def redo(self) -> None:
        self.document._show(self.after)

    def undo(self) -> None:
        self.document._show(self.before)


class ExperimentDocument(QObject):
    """Holds the current Experiment. Every change goes through the undo stack and ends in
    `changed`; `modifiedChanged` follows the stack's clean state; `pathChanged` the file."""

    changed = Signal(object)  # Experiment
    modifiedChanged = Signal(bool)
    pathChanged = Signal(object)  # Path | None
    replaced = Signal()  # a new or opened experiment, with a fresh history

    def __init__(self, experiment: Experiment, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._experiment = experiment
        self._inference: Inference | None = None
        self.path: Path | None = None
        self._fit_input_to_data()

    @property
    def experiment(self) -> Experiment:
        return self._experiment

    @property
    def model(self) -> ModelSpec:
        return self._experiment.model

    @property
    def task(self) -> Task:
        return data_task(self._experiment.data)

    @property
    def inference(self) -> Inference:
        if self._inference is None:
            self._inference = infer(self._experiment.model, self.task)
        return self._inference

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def edit(self, experiment: Experiment, text: str, merge_key: str = "") -> None:
        """Apply a change as one undoable step (nothing happens if nothing changes)."""
        if experiment != self._experiment:
            self.undo_stack.push(_Change(self, experiment, text, merge_key))

    def edit_model(self, spec: ModelSpec, text: str, merge_key: str = "") -> None:
        self.edit(self._experiment.with_changes(model=spec), text, merge_key)

    def edit_data(self, config: DataConfig, text: str, merge_key: str = "") -> None:
        """The model's input shape follows the data; the output width is left to the user,
        who sees the mismatch as a diagnostic with its fix."""
        shape = data_input_shape(config)  # None: a file that cannot be read keeps the model's
        model = self._experiment.model
        model = model if shape is None else model.with_input_shape(shape)
        self.edit(self._experiment.with_changes(data=config, model=model), text, merge_key)

    def edit_train(self, config: TrainConfig, text: str, merge_key: str = "") -> None:
        self.edit(self._experiment.with_changes(train=config), text, merge_key)

    # -- the window's verbs: each is one undo step, and returns the layer to select ---------

    def add_layer(self, kind: str, selected: int | None) -> int:
        """A new layer below the selected one, or at the end."""
        position = len(self.model.layers) if selected is None else selected + 1
        return self.insert_layer(position, kind)

    def insert_layer(self, position: int, kind: str) -> int:
        spec = self.model.insert(position, LayerSpec.create(kind))
        self.edit_model(spec, self.tr("Add %s") % kind)
        return position

    def delete_layer(self, index: int) -> int | None:
        """Remove a layer; the one now in its place is selected (None when none are left)."""
        kind = self.model.layers[index].kind
        self.edit_model(self.model.remove(index), self.tr("Delete %s") % kind)
        count = len(self.model.layers)
        return min(index, count - 1) if count else None

    def duplicate_layer(self, index: int) -> int:
        """A copy of the layer, inserted below it."""
        layer = self.model.layers[index]
        self.edit_model(self.model.insert(index + 1, layer), self.tr("Duplicate %s") % layer.kind)
        return index + 1

    def move_layer(self, source: int, destination: int) -> int:
        kind = self.model.layers[source].kind
        self.edit_model(self.model.move(source, destination), self.tr("Move %s") % kind)
        return destination

    def change_activations(self, kind: str) -> int:
        """Every activation layer becomes a `kind` (one undo step); returns how many changed.
        Ten Sigmoids against ten ReLUs is a lesson: one edit, not twenty."""
        layers = self.model.layers
        changed = [
            index
            for index, layer in enumerate(layers)
            if layer.kind in ACTIVATION_KINDS and layer.kind != kind
        ]
        spec = self.model
        for index in changed:
            spec = spec.replace(index, LayerSpec.create(kind))
        if changed:
            self.edit_model(spec, self.tr("Change activations to %s") % kind)
        return len(changed)

    def set_layer(self, index: int, layer: LayerSpec, field: str) -> None:
        """One parameter of one layer edited in the inspector (typing merges into one step)."""
        text = self.tr("Set {field} of layer {index}").format(field=field, index=index)
        self.edit_model(self.model.replace(index, layer), text, f"layer {index} {field}")

    def change_data(self, config: DataConfig) -> None:
        """The Data panel's new config, named by the first field that changed."""
        field = _first_changed_data_field(self._experiment.data, config)
        value = getattr(config, field, dict(config.params).get(field))
        text = self.tr("Change %s of the data") % field_name(field)
        self.edit_data(config, text, _merge_key("data", field, value))

    def change_train(self, config: TrainConfig) -> None:
        """The Training panel's new config, named by the first field that changed."""
        field = _first_changed_field(self._experiment.train, config)
        text = self.tr("Change %s") % field_name(field)
        self.edit_train(config, text, _merge_key("train", field, getattr(config, field, None)))

    # -- whole experiments ------------------------------------------------------------------

    def replace(self, experiment: Experiment, path: Path | None) -> None:
        """A new or opened experiment: a fresh history, saved as it is."""
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.path = path
        self._show(experiment)
        self.pathChanged.emit(path)
        self.modifiedChanged.emit(False)
        self._fit_input_to_data()
        self.replaced.emit()

    def _fit_input_to_data(self) -> None:
        """In the window the model's input follows the data. A file where they disagree
        (edited by hand) gets the data's shape as one undoable step: marked modified, so
        the change is seen and saved, and Undo shows the file as it was."""
        config = self._experiment.data
        shape = data_input_shape(config)
        if shape is not None and self._experiment.model.input_shape != shape:
            self.edit_data(config, self.tr("Fit the model's input to the data"))

    def mark_saved(self, path: Path) -> None:
        self.path = path
        self.undo_stack.setClean()
        self.pathChanged.emit(path)

    def _on_clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    def _show(self, experiment: Experiment) -> None:
        self._experiment = experiment
        self._inference = None
        self.changed.emit(experiment)
