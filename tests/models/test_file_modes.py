"""Files LayerLab writes get the user's normal mode under any umask: 0o666 and 0o777 less
the umask (0644 and 0755 under 022), never mkstemp's private 0600."""

from __future__ import annotations

import pytest
import torch

from models.checkpoint import save_checkpoint
from models.files import write_atomic
from models.spec import LayerSpec, ModelSpec
from tests.file_modes import UMASKS, mode, umask

SPEC = ModelSpec((2,), (LayerSpec.create("Linear", out_features=2),))


def _weights() -> dict[str, torch.Tensor]:
    return {"0.weight": torch.zeros(2, 2), "0.bias": torch.zeros(2)}


@pytest.mark.parametrize("mask", UMASKS)
def test_a_single_file_gets_the_users_mode(tmp_path, mask):
    with umask(mask):
        write_atomic(tmp_path / "experiment.json", b"{}")
    assert mode(tmp_path / "experiment.json") == 0o666 & ~mask


@pytest.mark.parametrize("mask", UMASKS)
def test_a_checkpoint_set_and_its_new_folder_get_the_users_modes(tmp_path, mask):
    folder = tmp_path / "run"
    with umask(mask):
        save_checkpoint(folder, _weights(), {"model": SPEC.to_dict()}, "# code\n", {"m.csv": b""})
    assert mode(folder) == 0o777 & ~mask
    for path in folder.iterdir():
        assert mode(path) == 0o666 & ~mask, path.name


@pytest.mark.parametrize("mask", UMASKS)
def test_a_set_renamed_into_a_shared_folder_gets_the_users_mode(tmp_path, mask):
    (tmp_path / "notes.txt").write_text("mine")  # a folder with other files: one by one
    with umask(mask):
        save_checkpoint(tmp_path, _weights(), {"model": SPEC.to_dict()}, "# code\n")
    for name in ("model.pt", "experiment.json", "model.py"):
        assert mode(tmp_path / name) == 0o666 & ~mask, name
