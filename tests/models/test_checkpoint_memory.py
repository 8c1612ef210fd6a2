"""A checkpoint is compared with experiment.json before any model is built from it."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from models.build import build, state_dict_shapes
from models.checkpoint import EXPERIMENT_FILE, MODEL_FILE, CheckpointError, load_checkpoint
from models.spec import LayerSpec, ModelSpec

L = LayerSpec.create
ROOT = Path(__file__).resolve().parents[2]

# A plain `import torch` maps about 3.2 GB of address space here (its CUDA libraries) and a
# tiny CLI run fits in 4 GB (measured); 6 GB leaves margin and is far below 4 TB.
ADDRESS_SPACE_LIMIT = 6 << 30


def huge_spec() -> ModelSpec:
    """A 1,000,000 x 1,000,000 Linear: 4 TB of float32 weights, if anyone built it."""
    wide = L("Linear", out_features=1_000_000)
    return ModelSpec((2,), (wide, wide))


def small_spec() -> ModelSpec:
    return ModelSpec((2,), (L("Linear", out_features=3), L("BatchNorm1d"), L("ReLU")))


def huge_beside_small(folder: Path) -> Path:
    """A 2 kB model.pt of a small network beside an experiment.json asking for 4 TB."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(build(small_spec()).state_dict(), folder / MODEL_FILE)
    experiment = {"version": 1, "model": huge_spec().to_dict()}
    (folder / EXPERIMENT_FILE).write_text(json.dumps(experiment))
    return folder


def test_expected_shapes_match_a_built_model_without_building_it():
    spec = ModelSpec(
        (1, 12, 12),
        (
            L("Conv2d", out_channels=6, kernel_size=3, padding=1),
            L("BatchNorm2d"),
            L("ReLU"),
            L("Flatten"),
            L("Linear", out_features=4),
        ),
    )
    built = {key: tuple(t.shape) for key, t in build(spec).state_dict().items()}
    assert state_dict_shapes(spec) == built
    assert state_dict_shapes(huge_spec()) == {
        "0.weight": (1_000_000, 2),
        "0.bias": (1_000_000,),
        "1.weight": (1_000_000, 1_000_000),
        "1.bias": (1_000_000,),
    }


def test_a_huge_experiment_beside_a_small_model_pt_is_refused_as_another_architecture(tmp_path):
    folder = huge_beside_small(tmp_path / "run")
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(folder)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("model.pt is for another architecture than experiment.json")
    assert "0.weight is 3x2 in the file but 1000000x2 in the model" in message


def test_the_refusal_allocates_nothing_big_under_an_address_space_limit(tmp_path):
    """Under a 6 GB limit, building the 4 TB model would fail; the refusal must come first."""
    folder = huge_beside_small(tmp_path / "run")
    code = (
        "import sys\n"
        "from models.checkpoint import CheckpointError, load_checkpoint\n"
        "try:\n"
        "    load_checkpoint(sys.argv[1])\n"
        "except CheckpointError as error:\n"
        "    print(error, file=sys.stderr)\n"
        "    raise SystemExit(2)\n"
    )
    limit = (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT)
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, limit),
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "another architecture" in lines[0], done.stderr
