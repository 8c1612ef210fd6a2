"""The code panel: train.py of the experiment as it is edited, the selected layer's line
marked, Copy, and Export Training Script from the window."""

from __future__ import annotations

import runpy
from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.datasets import DataConfig
from app.experiment import Experiment
from app.gui.files import DEFAULT_EXAMPLE
from models.spec import LayerSpec


def code_text(window) -> str:
    return window.code_view.text.toPlainText()


def marked_lines(window) -> list[str]:
    return [s.cursor.block().text().strip() for s in window.code_view.text.extraSelections()]


def test_the_code_panel_opens_beside_the_settings_and_follows_every_edit(open_window, qtbot):
    window = open_window()
    assert window.code_dock.isHidden()  # closed at the first start: asked for, it opens
    window.menu_actions.code.trigger()
    qtbot.waitUntil(lambda: window.code_dock.isVisible())
    assert window.data_dock.isVisible()  # below the tabs, not behind them
    source = code_text(window)
    assert "nn.Linear(2, 64)" in source and "def main()" in source
    assert window.code_view.caption.text().startswith("train.py")
    layers = len(window.document.experiment.model.layers)
    window.stack.select(layers - 1)
    window.add_layer("Sigmoid")  # below the selected layer: the new last one
    assert "nn.Sigmoid()" in code_text(window)
    assert marked_lines(window)[0].startswith("nn.Sigmoid()")
    window.stack.select(0)
    assert marked_lines(window)[0].startswith("nn.Linear(2, 64)")
    window.document.undo_stack.undo()
    assert "nn.Sigmoid()" not in code_text(window)
    window.document.change_data(DataConfig(name="sine"))  # one input, not two: an error
    assert not window.code_view.copy_button.isEnabled()
    assert "Fix the model first" in window.code_view.problem.text()
    window.document.undo_stack.undo()
    assert window.code_view.copy_button.isEnabled() and window.code_view.problem.isHidden()


def test_copy_puts_the_whole_script_on_the_clipboard(open_window, qtbot):
    window = open_window()
    window.show_code()
    qtbot.mouseClick(window.code_view.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied == code_text(window)
    compile(copied, "train.py", "exec")


def test_the_window_exports_the_script_it_shows(open_window, tmp_path):
    window = open_window(Experiment.load(DEFAULT_EXAMPLE))
    window.show_code()
    window.exports.export_script_to(tmp_path / "script")
    folder = tmp_path / "script"
    assert sorted(p.name for p in folder.iterdir()) == ["data.npz", "experiment.json", "train.py"]
    assert "train.py" in window.statusBar().currentMessage()
    assert (folder / "train.py").read_text() == code_text(window)
    namespace = runpy.run_path(str(folder / "train.py"))
    model = namespace["build_model"]()
    kinds = [type(module).__name__ for module in model]
    assert kinds == [layer.kind for layer in window.document.experiment.model.layers]
    x_train, y_train, x_val, y_val = namespace["load_data"]()
    experiment = window.document.experiment
    assert len(x_train) + len(x_val) == experiment.data.samples
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64


def test_a_model_with_an_error_exports_nothing_and_says_why(open_window, tmp_path):
    window = open_window()
    problems: list[str] = []
    window.exports.problem.connect(problems.append)
    model = window.document.experiment.model
    conv = (LayerSpec.create("Conv2d", out_channels=4, kernel_size=3),)  # on 2 numbers
    window.document.edit_model(replace(model, layers=conv + model.layers), "Add Conv2d")
    window.exports.export_script_to(tmp_path / "script")
    assert len(problems) == 1 and problems[0].startswith("Fix the model first")
    assert not (tmp_path / "script").exists()


def test_strings_keywords_and_comments_are_coloured_apart(open_window, qtbot):
    window = open_window()
    window.show_code()
    document = window.code_view.text.document()

    def colour_at(line_start: str, snippet: str) -> str:
        block = document.begin()
        while block.isValid() and not block.text().startswith(line_start):
            block = block.next()
        assert block.isValid(), line_start
        column = block.text().index(snippet)
        for span in block.layout().formats():
            if span.start <= column < span.start + span.length:
                return span.format.foreground().color().name()
        return "plain"

    string = colour_at("DEVICE = ", '"cpu"')
    assert string == colour_at("    with np.load(", '"data.npz"')  # after "(" and "/" too
    assert string != colour_at("import torch", "import") != "plain"
    assert colour_at("DEVICE = ", "# cpu") not in (string, "plain")
