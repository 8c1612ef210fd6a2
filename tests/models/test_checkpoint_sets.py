"""A checkpoint folder holds one complete run at every instant; files get the user's mode;
hostile model.pt and experiment.json files give one sentence."""

from __future__ import annotations

import os
import resource
import stat
from pathlib import Path

import pytest
import torch

from models.build import build
from models.checkpoint import (
    EXPERIMENT_FILE,
    MODEL_FILE,
    SOURCE_FILE,
    load_checkpoint,
    save_checkpoint,
)
from models.files import write_atomic
from models.spec import LayerSpec, ModelSpec
from tests.models.checkpoint_helpers import one_line_error

L = LayerSpec.create


def mlp_spec(hidden: int) -> ModelSpec:
    return ModelSpec((2,), (L("Linear", out_features=hidden), L("ReLU"), L("Linear")))


def weights(spec: ModelSpec, seed: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return build(spec).state_dict()


def experiment(spec: ModelSpec, notes: str = "") -> dict:
    return {"version": 1, "name": "moons", "notes": notes, "model": spec.to_dict()}


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def user_mode(kind: int) -> int:
    """What the user's umask gives a new file (0o666) or folder (0o777)."""
    umask = os.umask(0)
    os.umask(umask)
    return kind & ~umask


@pytest.fixture
def limited_file_size():
    """Writes past 64 KB fail with EFBIG, as a full disk fails (Python ignores SIGXFSZ)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_a_save_failing_half_way_leaves_the_previous_run_loadable(tmp_path, limited_file_size):
    old, new = mlp_spec(4), mlp_spec(8)
    save_checkpoint(tmp_path / "run", weights(old, 0), experiment(old), "# old\n")
    before = snapshot(tmp_path / "run")
    # model.pt (small) is written, then the big experiment.json hits the limit
    with pytest.raises(OSError):
        save_checkpoint(tmp_path / "run", weights(new, 1), experiment(new, "x" * 100_000), "# new")
    assert snapshot(tmp_path / "run") == before
    loaded = load_checkpoint(tmp_path / "run")
    assert loaded.spec == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temporaries left


def test_a_new_set_replaces_every_file_of_the_old_one(tmp_path):
    old, new = mlp_spec(4), mlp_spec(8)
    folder = tmp_path / "run"
    save_checkpoint(folder, weights(old, 0), experiment(old), "# old\n", {"metrics.csv": b"a\n"})
    save_checkpoint(folder, weights(new, 1), experiment(new), None, {"metrics.csv": b"b\n"})
    # model.py of the old run does not stay beside the new weights
    assert sorted(p.name for p in folder.iterdir()) == [EXPERIMENT_FILE, "metrics.csv", MODEL_FILE]
    assert (folder / "metrics.csv").read_bytes() == b"b\n"
    assert load_checkpoint(folder / MODEL_FILE).spec == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_stale_temporaries_of_a_killed_save_are_removed_by_the_next_save(tmp_path):
    spec = mlp_spec(4)
    folder = tmp_path / "run"
    save_checkpoint(folder, weights(spec, 0), experiment(spec))
    # what a save killed at any point leaves: a half-written set beside the folder, a set
    # moved aside, and a half-written single file inside it
    for stale in (tmp_path / ".run.new-abc123", tmp_path / ".run.old-def456"):
        stale.mkdir()
        (stale / MODEL_FILE).write_bytes(b"half")
    (folder / f".{MODEL_FILE}.k1x2.tmp").write_bytes(b"half")
    (tmp_path / "other.txt").write_text("not ours")
    save_checkpoint(folder, weights(spec, 1), experiment(spec))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.txt", "run"]
    assert sorted(p.name for p in folder.iterdir()) == [EXPERIMENT_FILE, MODEL_FILE]


def test_a_folder_holding_other_files_keeps_them(tmp_path):
    spec = mlp_spec(4)
    (tmp_path / "notes.txt").write_text("my notes")
    save_checkpoint(tmp_path, weights(spec, 0), experiment(spec), "# code\n")
    save_checkpoint(tmp_path, weights(spec, 1), experiment(spec), "# code\n")
    assert (tmp_path / "notes.txt").read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [EXPERIMENT_FILE, MODEL_FILE, SOURCE_FILE, "notes.txt"]
    )
    assert load_checkpoint(tmp_path).spec == spec
    assert stat.S_IMODE((tmp_path / MODEL_FILE).stat().st_mode) == user_mode(0o666)


def test_saved_files_and_folders_get_the_users_normal_mode(tmp_path):
    spec = mlp_spec(4)
    folder = tmp_path / "run"
    save_checkpoint(folder, weights(spec, 0), experiment(spec), "# code\n", {"metrics.csv": b""})
    write_atomic(tmp_path / "single.json", b"{}")
    for path in [*folder.iterdir(), tmp_path / "single.json"]:
        assert stat.S_IMODE(path.stat().st_mode) == user_mode(0o666), path.name
    assert stat.S_IMODE(folder.stat().st_mode) == user_mode(0o777)


def test_a_second_save_keeps_the_folders_own_mode(tmp_path):
    spec = mlp_spec(4)
    folder = tmp_path / "run"
    save_checkpoint(folder, weights(spec, 0), experiment(spec))
    folder.chmod(0o750)
    save_checkpoint(folder, weights(spec, 1), experiment(spec))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750


# --- hostile files --------------------------------------------------------------------------


def test_a_folder_named_experiment_json_gives_one_sentence(tmp_path):
    spec = mlp_spec(4)
    torch.save(weights(spec, 0), tmp_path / MODEL_FILE)
    (tmp_path / EXPERIMENT_FILE).mkdir()
    assert EXPERIMENT_FILE in one_line_error(tmp_path)


def test_a_folder_named_model_pt_gives_one_sentence(tmp_path):
    spec = mlp_spec(4)
    save_checkpoint(tmp_path, weights(spec, 0), experiment(spec))
    (tmp_path / MODEL_FILE).unlink()
    (tmp_path / MODEL_FILE).mkdir()
    assert MODEL_FILE in one_line_error(tmp_path)


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch's: CSR is beta, qint8 deprecated
@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda t: t.to_sparse(), id="sparse-coo"),
        pytest.param(lambda t: t.to_sparse_csr() if t.dim() == 2 else t, id="sparse-csr"),
        pytest.param(lambda t: torch.quantize_per_tensor(t, 0.1, 0, torch.qint8), id="quantized"),
        pytest.param(lambda t: t.to(torch.complex64), id="complex"),
        pytest.param(lambda t: t.to("meta"), id="meta"),
    ],
)
def test_tensors_of_another_kind_in_model_pt_give_one_sentence(tmp_path, convert):
    spec = mlp_spec(4)
    save_checkpoint(tmp_path, weights(spec, 0), experiment(spec))
    state = {key: convert(value) for key, value in weights(spec, 1).items()}
    torch.save(state, tmp_path / MODEL_FILE)
    assert MODEL_FILE in one_line_error(tmp_path)
