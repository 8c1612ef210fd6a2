"""Runs too big for memory end with one sentence and exit status 1 or 2, never a crash.

Each run is the real command line in a child process under an address-space limit
(RLIMIT_AS), so that "too big" is a few GB here instead of whatever the machine has.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TWO_MOONS = ROOT / "resources" / "examples" / "two_moons.json"

# A plain `import torch` maps about 3.2 GB of address space here (its CUDA libraries) and a
# tiny one-epoch CLI run fits in 4 GB (measured); 6 GB leaves margin for the interpreter.
ADDRESS_SPACE_LIMIT = 6 << 30


def linear(width: int) -> dict:
    return {"kind": "Linear", "params": {"out_features": width}}


# float32 on 2 inputs: "weights" lists what the weights alone take.
OVERSIZED = {
    # 2 -> 1e6 -> 1e6: 4 TB of weights, far past any machine
    "4 TB of weights": [linear(1_000_000), linear(1_000_000), linear(2)],
    # 2 -> 1e6 -> 2000: 8 GB of weights, past the limit
    "8 GB of weights": [linear(1_000_000), linear(2000), linear(2)],
    # 2 -> 1e6 -> 400: 1.6 GB of weights fit, but not with gradients and Adam's two states
    "1.6 GB of weights, 6.4 GB to train": [linear(1_000_000), linear(400), linear(2)],
}


def run_limited(args: list[str]) -> subprocess.CompletedProcess[str]:
    """The command line in a child process that may map at most ADDRESS_SPACE_LIMIT bytes."""
    limit = (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT)
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, limit),
    )


def experiment_file(tmp_path: Path, layers: list[dict]) -> Path:
    data = json.loads(TWO_MOONS.read_text())
    data["data"]["samples"] = 200
    data["model"]["layers"] = layers
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    return path


def test_a_tiny_run_fits_under_the_limit(tmp_path):
    """The limit leaves room for a real run: the refusals below are about size, not the limit."""
    experiment = experiment_file(tmp_path, [linear(16), {"kind": "ReLU"}, linear(2)])
    done = run_limited(["train", str(experiment), "--out", str(tmp_path / "run"), "--epochs", "1"])
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run" / "model.pt").is_file()


@pytest.mark.parametrize("layers", OVERSIZED.values(), ids=OVERSIZED.keys())
def test_a_run_too_big_for_memory_gives_one_sentence(tmp_path, layers):
    experiment = experiment_file(tmp_path, layers)
    done = run_limited(["train", str(experiment), "--out", str(tmp_path / "run"), "--epochs", "1"])
    # a negative status is a signal (a crash, or the kernel's OOM killer)
    assert done.returncode in (1, 2), (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Killed" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("layerlab: "), done.stderr
    # either the estimate's refusal before the run or a clean out-of-memory sentence
    assert "needs about" in lines[0] or "memory" in lines[0], lines[0]
