"""A save into a folder that holds other files, killed between any two of its renames,
still leaves one complete run: the old one, or the new one finished by the next load."""

from __future__ import annotations

import os

import pytest
import torch

from models.checkpoint import MODEL_FILE, load_checkpoint, save_checkpoint
from models.files import JOURNAL
from models.spec import LayerSpec, ModelSpec

SPEC = ModelSpec((3,), (LayerSpec.create("Linear", out_features=2),))
FILES = 4  # model.pt, experiment.json, model.py, metrics.csv


def weights(seed: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return {"0.weight": torch.randn(2, 3, generator=generator), "0.bias": torch.zeros(2)}


def save(folder, seed: int) -> None:
    experiment = {"model": SPEC.to_dict(), "title": f"run {seed}"}
    save_checkpoint(folder, weights(seed), experiment, f"# run {seed}\n", {"metrics.csv": b""})


def killed_save(folder, seed: int, renames_before_kill: int) -> None:
    """Save in a forked child that dies (no clean-up of any kind) at its n-th rename."""
    pid = os.fork()
    if pid == 0:  # the child: os._exit skips every finally and handler, as SIGKILL does
        real_replace, count = os.replace, [0]

        def replace(source, destination):
            if count[0] == renames_before_kill:
                os._exit(0)
            count[0] += 1
            real_replace(source, destination)

        os.replace = replace
        try:
            save(folder, seed)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


@pytest.mark.parametrize("renames_before_kill", range(FILES + 2))
def test_a_save_killed_at_each_rename_leaves_one_complete_run(tmp_path, renames_before_kill):
    (tmp_path / "notes.txt").write_text("mine")  # a shared folder: files go in one by one
    save(tmp_path, seed=1)
    killed_save(tmp_path, seed=2, renames_before_kill=renames_before_kill)
    checkpoint = load_checkpoint(tmp_path)  # finishes a save the journal says was under way
    kept = checkpoint.model.state_dict()["0.weight"]
    # The first rename puts the journal in place: before it the old run stands, after it
    # the new one (all its files were written and synced before).
    expected = 1 if renames_before_kill == 0 else 2
    assert torch.equal(kept, weights(expected)["0.weight"])
    assert checkpoint.experiment["title"] == f"run {expected}"
    assert (tmp_path / "model.py").read_text() == f"# run {expected}\n"
    assert not (tmp_path / JOURNAL).exists()
    assert (tmp_path / "notes.txt").read_text() == "mine"
    save(tmp_path, seed=3)  # and the next save cleans whatever the killed one left
    hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert hidden == []
    assert torch.equal(
        load_checkpoint(tmp_path / MODEL_FILE).model[0].weight, weights(3)["0.weight"]
    )
