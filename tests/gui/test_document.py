"""The document: every change is one undoable step, and undo returns exactly what was there."""

from __future__ import annotations

from dataclasses import replace

from app.datasets import DataConfig
from app.experiment import Experiment
from app.gui.document import ExperimentDocument
from models.spec import LayerSpec


def test_undo_back_to_the_start_gives_exactly_the_original(qtbot):
    original = Experiment()
    document = ExperimentDocument(original)
    spec = original.model
    document.edit_model(spec.insert(1, LayerSpec.create("Dropout")), "add")
    document.edit_model(document.experiment.model.move(0, 2), "move")
    document.edit_train(replace(original.train, epochs=99), "epochs")
    assert document.modified and document.undo_stack.count() == 3
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    assert document.experiment == original and not document.modified
    while document.undo_stack.canRedo():
        document.undo_stack.redo()
    assert document.experiment.train.epochs == 99
    assert [layer.kind for layer in document.experiment.model.layers][2] == "Linear"


def test_edits_with_one_merge_key_in_a_row_are_one_step(qtbot):
    document = ExperimentDocument(Experiment())
    first = document.experiment
    for epochs in (3, 30, 300):
        document.edit_train(replace(first.train, epochs=epochs), "epochs", "train epochs")
    document.edit_train(replace(document.experiment.train, seed=7), "seed", "train seed")
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    assert document.experiment.train.epochs == 300
    document.undo_stack.undo()
    assert document.experiment == first


def test_typing_back_to_the_old_value_leaves_no_step(qtbot):
    document = ExperimentDocument(Experiment())
    first = document.experiment
    document.edit_train(replace(first.train, epochs=5), "epochs", "train epochs")
    document.edit_train(first.train, "epochs", "train epochs")
    assert document.undo_stack.count() == 0 and not document.modified


def test_an_edit_that_changes_nothing_is_not_recorded(qtbot):
    document = ExperimentDocument(Experiment())
    document.edit(document.experiment, "nothing")
    assert document.undo_stack.count() == 0


def test_the_model_input_follows_the_data_and_the_task_shows_the_mismatch(qtbot):
    document = ExperimentDocument(Experiment())
    assert document.inference.ok
    document.edit_data(DataConfig("sine"), "data")
    assert document.experiment.model.input_shape == (1,)
    assert document.task.kind == "regression"
    codes = [d.code for d in document.inference.errors]
    assert codes == ["output_mismatch"]
    fix = document.inference.errors[0].fixes[0]
    document.edit_model(fix.spec, fix.label)
    assert document.inference.ok
    document.edit_data(DataConfig("blobs", classes=5), "data")
    assert document.inference.errors[0].fixes[0].label.endswith("to 5")


def test_signals_follow_changes_saving_and_replacing(qtbot, tmp_path):
    document = ExperimentDocument(Experiment())
    with (
        qtbot.waitSignal(document.modifiedChanged) as modified,
        qtbot.waitSignal(document.changed) as changed,
    ):
        document.edit_train(replace(document.experiment.train, seed=3), "seed")
    assert modified.args == [True] and changed.args[0].train.seed == 3
    with qtbot.waitSignal(document.modifiedChanged) as modified:
        document.mark_saved(tmp_path / "a.json")
    assert modified.args == [False] and document.path == tmp_path / "a.json"
    with qtbot.waitSignal(document.pathChanged):
        document.replace(Experiment(title="other"), None)
    assert document.undo_stack.count() == 0 and document.path is None
    assert document.experiment.title == "other"


def kinds(document: ExperimentDocument) -> list[str]:
    return [layer.kind for layer in document.model.layers]


def test_the_layer_verbs_say_what_they_did_and_where_the_selection_goes(qtbot):
    document = ExperimentDocument(Experiment())
    start = kinds(document)
    assert document.add_layer("Dropout", selected=1) == 2
    assert document.add_layer("ReLU", selected=None) == len(start) + 1
    assert document.undo_stack.undoText() == "Add ReLU"
    assert document.duplicate_layer(0) == 1
    assert kinds(document)[:2] == [start[0], start[0]]
    assert document.move_layer(2, 0) == 0 and document.undo_stack.undoText() == "Move ReLU"
    assert document.delete_layer(0) == 0 and document.undo_stack.undoText() == "Delete ReLU"
    assert document.undo_stack.count() == 5
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    assert kinds(document) == start


def test_deleting_the_last_layer_leaves_nothing_to_select(qtbot):
    document = ExperimentDocument(Experiment())
    while len(document.model.layers) > 1:
        document.delete_layer(0)
    assert document.delete_layer(0) is None and document.model.layers == ()


def test_typing_into_one_field_is_one_step_and_a_choice_is_one_step_each(qtbot):
    document = ExperimentDocument(Experiment())
    first = document.experiment
    layer = first.model.layers[0]
    for width in (3, 32, 320):
        document.set_layer(0, layer.with_params(out_features=width), "out_features")
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Set out_features of layer 0"
    for noise in (0.2, 0.25):
        document.change_data(replace(document.experiment.data, noise=noise))
    assert document.undo_stack.undoText() == "Change noise of the data"
    for optimizer in ("sgd", "adam"):
        document.change_train(replace(document.experiment.train, optimizer=optimizer))
    assert document.undo_stack.undoText() == "Change optimizer"
    assert document.undo_stack.count() == 4  # layer, noise, and two optimizer choices
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    assert document.experiment == first


def test_replacing_the_experiment_says_so(qtbot):
    document = ExperimentDocument(Experiment())
    with qtbot.waitSignal(document.replaced):
        document.replace(Experiment(title="other"), None)


def test_typing_a_toy_datasets_own_parameter_is_one_step_named_for_it(qtbot):
    data = DataConfig("checkerboard").with_params(squares=4)
    document = ExperimentDocument(Experiment().with_changes(data=data))
    for squares in (5, 6, 7):
        document.change_data(document.experiment.data.with_params(squares=squares))
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Change squares of the data"
    document.undo_stack.undo()
    assert document.experiment.data.param("squares", 0) == 4
