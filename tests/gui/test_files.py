"""File > New, Save As and the exports, driven as a user drives them: New starts empty, an
untitled experiment is named after its file, and every exported file gets the user's mode."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QFileDialog

from app.datasets import data_input_shape
from app.experiment import Experiment
from app.gui.files import DEFAULT_EXAMPLE
from app.run_state import FINISHED
from tests.file_modes import mode, umask
from tests.gui.test_main_window import choose_file_in_next_dialog


@pytest.fixture
def window(open_window):
    return open_window()


def test_new_starts_an_empty_model_whose_input_is_the_datas(window):
    window.menu_actions.new.trigger()
    document = window.document
    assert document.model.layers == ()
    assert document.model.input_shape == data_input_shape(document.experiment.data)
    assert not document.modified
    assert document.path is None
    assert window.stack.tree.topLevelItemCount() == 0
    assert [error.message for error in document.inference.errors] == [
        "The model has no layers yet. Add a layer to train."
    ]
    window.menu_actions.code.trigger()  # the code panel says why it has no code
    assert "Add a layer to train" in window.code_view.problem.text()
    assert not window.code_view.copy_button.isEnabled()


def test_an_empty_model_saves_and_opens_again(window, tmp_path):
    window.menu_actions.new.trigger()
    path = tmp_path / "empty.json"
    choose_file_in_next_dialog(path)
    assert window.files.save_as()
    assert window.files.open_file(path)
    assert window.document.model.layers == ()
    assert not window.document.modified


def test_save_as_names_an_untitled_experiment_after_its_file(window, tmp_path):
    window.menu_actions.new.trigger()
    path = tmp_path / "my_moons.json"
    choose_file_in_next_dialog(path)
    assert window.files.save_as()
    saved = json.loads(path.read_text())
    assert saved["title"] == "my moons"
    assert "classes" not in saved["data"]  # two moons has no classes to set
    assert window.document.experiment.title == "my moons"
    assert not window.document.modified


def test_save_as_keeps_a_title_the_user_has(window, tmp_path):
    title = Experiment.load(DEFAULT_EXAMPLE).title
    path = tmp_path / "copy_of_moons.json"
    choose_file_in_next_dialog(path)
    assert window.files.save_as()
    assert json.loads(path.read_text())["title"] == title


def test_every_export_gets_the_users_mode(window, qtbot, tmp_path):
    """Save, Export Weights (a set, by the worker), Export Plot and Export Metrics."""
    experiment = window.document.experiment
    window.document.edit_data(replace(experiment.data, samples=300), "small")
    window.document.edit_train(replace(window.document.experiment.train, epochs=2), "epochs")
    with qtbot.waitSignal(
        window.controller.stateChanged, check_params_cb=lambda s: s == FINISHED, timeout=60_000
    ):
        window.run_panel.train_action.trigger()
    with umask(0o027):
        assert window.files.write(tmp_path / "experiment.json")
        with qtbot.waitSignal(window.controller.exported, timeout=60_000):
            window.exports.export_weights_to(tmp_path / "export")
        choose_file_in_next_dialog(tmp_path / "plot.png")
        window.menu_actions.export_plot.trigger()
        choose_file_in_next_dialog(tmp_path / "metrics.csv")
        window.menu_actions.export_metrics.trigger()
    files = ["experiment.json", "plot.png", "metrics.csv"]
    files += [f"export/{name}" for name in ("model.pt", "experiment.json", "model.py")]
    for name in files:
        assert mode(tmp_path / name) == 0o640, name
    assert mode(tmp_path / "export") == 0o750


@pytest.mark.parametrize(
    ("action", "written"),
    [("export_torchscript", "model.torchscript.pt"), ("export_onnx", "model.onnx")],
)
def test_export_model_as_writes_the_format_beside_the_weights(
    window, qtbot, tmp_path, monkeypatch, action, written
):
    experiment = window.document.experiment
    window.document.edit_data(replace(experiment.data, samples=300), "small")
    window.document.edit_train(replace(window.document.experiment.train, epochs=2), "epochs")
    trigger = getattr(window.menu_actions, action)
    assert not trigger.isEnabled()  # no weights yet
    with qtbot.waitSignal(
        window.controller.stateChanged, check_params_cb=lambda s: s == FINISHED, timeout=60_000
    ):
        window.run_panel.train_action.trigger()
    assert trigger.isEnabled()
    folder = tmp_path / "export"
    folder.mkdir()
    asked = []  # the folder dialog, answered as a user picking `folder`
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", lambda *args: asked.append(args) or str(folder)
    )
    with umask(0o027), qtbot.waitSignal(window.controller.exported, timeout=120_000) as done:
        trigger.trigger()
    assert len(asked) == 1
    result = done.args[0]
    assert result.ok and result.folder == str(folder) and result.formats == (written,)
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(["model.pt", "experiment.json", "model.py", written])
    assert mode(folder / written) == 0o640
    assert window.statusBar().currentMessage() == (
        f"Wrote model.pt, experiment.json, model.py and {written} to {folder}"
    )
