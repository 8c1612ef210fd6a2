"""File > Open Trained Folder: the folder's experiment opens and Train goes on from its
weights, its epochs and steps counting on; Reset goes back to the seed."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from app.cli import main
from app.reports import EpochReport, RunStarted, StepsReport
from app.run_state import FINISHED

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60_000


def trained_folder(tmp_path: Path) -> Path:
    """Two moons trained 3 epochs by `layerlab train`."""
    data = json.loads((ROOT / "resources" / "examples" / "two_moons.json").read_text())
    data["data"]["samples"] = 300
    data["train"]["epochs"] = 3
    path = tmp_path / "moons.json"
    path.write_text(json.dumps(data))
    folder = tmp_path / "run"
    assert main(["train", str(path), "--out", str(folder)]) == 0
    return folder


def train(window, qtbot) -> list:
    first = len(window.reports)
    with qtbot.waitSignal(
        window.controller.stateChanged, check_params_cb=lambda s: s == FINISHED, timeout=WAIT
    ):
        window.run_panel.train_action.trigger()
    return window.reports[first:]


def test_train_goes_on_from_the_folders_weights_and_reset_starts_afresh(
    open_window, qtbot, tmp_path, monkeypatch
):
    folder = trained_folder(tmp_path)
    last_loss = float((folder / "metrics.csv").read_text().splitlines()[-1].split(",")[2])
    window = open_window()
    # The folder dialog, answered as a user picking the folder.
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    window.menu_actions.open_trained.trigger()
    assert window.document.path == folder / "experiment.json"
    assert "goes on from its trained weights" in window.statusBar().currentMessage()
    reports = train(window, qtbot)
    started = next(r for r in reports if isinstance(r, RunStarted))
    assert (started.first_epoch, started.first_step) == (3, 12)  # 240 points, batch 64
    epochs = [r.epoch for r in reports if isinstance(r, EpochReport)]
    assert epochs[0] == 4
    first_steps = next(r for r in reports if isinstance(r, StepsReport))
    assert first_steps.first_step == 12 and first_steps.losses[0] < 2 * last_loss
    window.run_panel.reset_action.trigger()
    reports = train(window, qtbot)
    started = next(r for r in reports if isinstance(r, RunStarted))
    assert (started.first_epoch, started.first_step) == (0, 0)  # from the seed again


def test_a_folder_without_weights_is_refused_in_a_sentence(open_window, tmp_path):
    window = open_window()
    problems: list[str] = []
    window.files.problem.connect(problems.append)
    (tmp_path / "experiment.json").write_text("{}")
    assert not window.files.open_trained_folder(tmp_path)
    assert problems == [f"{tmp_path} is not a trained folder: it has no model.pt."]
    assert window.controller.weights_folder is None
