"""Fuzz: a saver SIGKILLed at random points always leaves one complete run in its folder."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import torch

from models.build import build
from models.checkpoint import load_checkpoint, save_checkpoint
from models.spec import LayerSpec, ModelSpec

KILLS = 30
ROOT = Path(__file__).resolve().parents[2]

# A zygote: it imports torch once (about a second) and forks one saver per "go" line, so 30
# kills cost 30 forks, not 30 interpreters. Each saver prints its pid, then a line before and
# after every save, alternating two architectures; the zygote reaps it and says "reaped".
# os.write, not print: nothing buffered in the zygote is written twice by its children.
_ZYGOTE = r"""
import os, sys
from models.checkpoint import save_checkpoint
from tests.fuzz.test_fuzz_killed_saves import EXPERIMENTS, STATES

folder = sys.argv[1]
os.write(1, b"ready\n")
for command in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            os.write(1, f"pid {os.getpid()}\n".encode())
            count = 0
            while True:
                name = "ab"[count % 2]
                os.write(1, f"saving {name}\n".encode())
                save_checkpoint(folder, STATES[name], EXPERIMENTS[name], source="# model\n")
                os.write(1, f"saved {name}\n".encode())
                count += 1
        except BaseException as error:
            os.write(1, f"error {error!r}\n".encode())
        os._exit(1)
    os.waitpid(pid, 0)
    os.write(1, b"reaped\n")
"""

L = LayerSpec.create
# Hidden layers of a few hundred units: each save then spends long enough writing its files
# (hundreds of kB) for the kills that wait for its staging folder to land inside the write.
SPECS = {
    "a": ModelSpec(
        (3,),
        (
            L("Linear", out_features=200),
            L("ReLU"),
            L("Linear", out_features=200),
            L("ReLU"),
            L("Linear", out_features=2),
        ),
    ),
    "b": ModelSpec(
        (3,),
        (
            L("Linear", out_features=300),
            L("Tanh"),
            L("Linear", out_features=100),
            L("Tanh"),
            L("Linear", out_features=2),
        ),
    ),
}
EXPERIMENTS = {name: {"title": name, "model": spec.to_dict()} for name, spec in SPECS.items()}


def _state(spec: ModelSpec, seed: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return build(spec).state_dict()


STATES = {"a": _state(SPECS["a"], 1), "b": _state(SPECS["b"], 2)}


def _check_folder(folder: Path) -> str:
    """The run the folder holds, after checking its weights are that run's, whole."""
    checkpoint = load_checkpoint(folder)
    name = checkpoint.experiment["title"]
    assert checkpoint.experiment == EXPERIMENTS[name]
    loaded = checkpoint.model.state_dict()
    assert loaded.keys() == STATES[name].keys()
    assert all(torch.equal(loaded[key], value) for key, value in STATES[name].items())
    assert (folder / "model.py").read_text() == "# model\n"
    return name


def _wait_for_staging(parent: Path, extra_looks: int, most: int = 200_000) -> bool:
    """Look at `parent` until a save's staging folder shows (at most `most` looks), then
    `extra_looks` more times; whether one showed."""
    for _ in range(most):
        if any(name.startswith(".run.new-") for name in os.listdir(parent)):
            for _ in range(extra_looks):
                os.listdir(parent)
            return True
    return False


def test_a_saver_killed_at_random_points_leaves_one_complete_run(tmp_path):
    folder = tmp_path / "run"
    rng = random.Random(16)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    zygote = subprocess.Popen(
        [sys.executable, "-c", _ZYGOTE, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=environment,
        bufsize=0,
    )
    lines = iter(zygote.stdout.readline, b"")
    completed, kill_points, staged_kills = 0, [], 0
    try:
        assert next(lines) == b"ready\n"
        for _ in range(KILLS):
            zygote.stdin.write(b"go\n")
            pid_line = next(lines).decode()
            assert pid_line.startswith("pid "), pid_line
            # Kill after a random number of the saver's lines (0: before its first save
            # starts; odd: during a save's first moments; even: just after one finished).
            wanted = rng.randrange(0, 7)
            for _ in range(wanted):
                line = next(lines).decode()
                assert not line.startswith("error"), line
                completed += line.startswith("saved")
            if rng.random() < 0.5:
                # Wait (on the file system, not the clock) for a save's staging folder, then
                # kill after a random number of further looks: inside the write of the set.
                staged_kills += _wait_for_staging(tmp_path, rng.randrange(0, 40))
            os.kill(int(pid_line.split()[1]), signal.SIGKILL)
            for line in lines:  # what the saver wrote before it died, then the zygote's word
                assert not line.startswith(b"error"), line
                completed += line.startswith(b"saved")
                if line == b"reaped\n":
                    break
            kill_points.append(wanted)
            if folder.exists():
                _check_folder(folder)
            else:
                assert completed == 0, "a completed save left no folder"
        zygote.stdin.close()
        assert zygote.wait(timeout=60) == 0
    finally:
        if zygote.poll() is None:
            zygote.kill()
            zygote.wait()
    assert len(kill_points) == KILLS and completed > 0 and staged_kills > 0
    # The next save removes what killed saves left beside the folder.
    save_checkpoint(folder, STATES["a"], EXPERIMENTS["a"], source="# model\n")
    assert _check_folder(folder) == "a"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run"]
