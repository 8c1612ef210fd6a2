"""An honest "Finished": a run that completed while its loss grew by orders of magnitude says
so, in the window's RunFinished and on the command line."""

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from app.cli import main
from app.experiment import Experiment, TrainConfig
from app.reports import EpochReport, StepsReport
from app.training import Trainer
from app.training.messages import growth_warning

ROOT = Path(__file__).resolve().parents[2]
TWO_MOONS = ROOT / "resources" / "examples" / "two_moons.json"


def two_moons(**train) -> Experiment:
    example = Experiment.from_json(TWO_MOONS.read_text())
    return example.with_changes(train=replace(example.train, **train))


def run(trainer: Trainer) -> list:
    return list(trainer.run())


def test_adam_at_learning_rate_50_explodes_without_nan_and_the_run_says_so():
    reports = run(Trainer(two_moons(learning_rate=50.0, epochs=5)))
    losses = np.concatenate([r.losses for r in reports if isinstance(r, StepsReport)])
    finished = reports[-1]
    # It really explodes, and never to NaN: the run completes with a score ...
    assert np.isfinite(losses).all() and losses.max() > 1e4 * losses[0]
    assert finished.reason == "completed" and finished.message.startswith("Finished 5 epochs")
    # ... and the warning says how far the loss grew and what to change.
    found = re.fullmatch(
        r"The loss grew from (\S+) to (\S+) during the run: "
        r"the learning rate 50 is likely too high; try 5\.",
        finished.warning,
    )
    assert found, finished.warning
    start, peak = (float(v) for v in found.groups())
    assert start == float(f"{losses[0]:.2g}") and peak >= 100 * start
    worst_epoch = max(e.train_loss for e in reports if isinstance(e, EpochReport))
    assert peak == float(f"{worst_epoch:.2g}")


def test_the_two_moons_example_and_its_continuation_finish_without_a_warning():
    trainer = Trainer(two_moons())
    first = run(trainer)
    assert first[-1].reason == "completed" and first[-1].warning == ""
    # Trained on, its epochs score from almost 0 to a little more: noise, not a warning.
    trainer.continue_with(two_moons())
    second = run(trainer)
    assert second[0].first_step > 0 and second[-1].warning == ""
    # Continued at learning rate 50, it explodes, measured from the untrained model's loss.
    trainer.continue_with(two_moons(learning_rate=50.0, epochs=3))
    third = run(trainer)
    assert third[-1].reason == "completed"
    assert third[-1].warning.startswith("The loss grew from ")


def test_a_trained_models_small_swinging_loss_is_not_a_loss_running_away():
    train = TrainConfig()
    epochs = [EpochReport(1, 10, 3e-6, None), EpochReport(2, 20, 0.06, None)]
    assert growth_warning(0.69, 1e-6, epochs, train) == ""  # 0.69: the untrained model's loss
    epochs = [EpochReport(1, 10, 0.5, None), EpochReport(2, 20, 90.0, None)]
    assert growth_warning(0.7, 0.7, epochs, train) == (
        "The loss grew from 0.7 to 90 during the run: the learning rate 0.01 may be too high, "
        "or the inputs too large."
    )
    # Low first, then back above the untrained loss: it grew from its lowest.
    epochs = [EpochReport(1, 10, 0.001, None), EpochReport(2, 20, 0.9, None)]
    assert growth_warning(0.7, 0.7, epochs, train).startswith("The loss grew from 0.001 to 0.9 ")


def test_the_command_line_prints_the_warning_and_exits_0(tmp_path, capsys):
    data = json.loads(TWO_MOONS.read_text())
    data["train"].update(learning_rate=50.0, epochs=3)
    path = tmp_path / "moons.json"
    path.write_text(json.dumps(data))
    assert main(["train", str(path), "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr()
    assert "Finished 3 epochs" in printed.out
    warnings = [line for line in printed.err.splitlines() if line.startswith("layerlab: warning:")]
    assert len(warnings) == 1 and "the learning rate 50 is likely too high; try 5." in warnings[0]
