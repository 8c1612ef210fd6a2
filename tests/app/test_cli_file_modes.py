"""What the command line writes (a run's four files, a screenshot) gets the user's normal
mode under the umask it runs with."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.cli import main
from tests.app.test_cli import ROOT, small_experiment
from tests.file_modes import mode, umask


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_a_trained_runs_files_get_the_users_mode(tmp_path, mask, capsys):
    experiment, out = small_experiment(tmp_path, epochs=1), tmp_path / "run"
    with umask(mask):
        assert main(["train", str(experiment), "--out", str(out)]) == 0
    assert mode(out) == 0o777 & ~mask
    names = sorted(path.name for path in out.iterdir())
    assert names == ["experiment.json", "metrics.csv", "model.pt", "model.py"]
    for name in names:
        assert mode(out / name) == 0o666 & ~mask, name


def test_a_screenshot_gets_the_users_mode(tmp_path):
    out = tmp_path / "shot.png"
    with umask(0o027):  # the child inherits it
        result = subprocess.run(
            [sys.executable, "main.py", "screenshot", str(out), "--size", "640x400"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
    assert result.returncode == 0, result.stderr
    assert mode(out) == 0o640
