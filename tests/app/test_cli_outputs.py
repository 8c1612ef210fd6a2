"""The command line's files survive a reader that goes away, and bad output paths are one
sentence before any window opens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from models.checkpoint import load_checkpoint
from tests.app.test_cli import ROOT, small_experiment

RUN_FILES = ["experiment.json", "metrics.csv", "model.pt", "model.py"]


def run_main(
    cwd: Path, *args: str, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`main.py ARGS` in a real process, offscreen, from `cwd`, with `environment` added."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(environment or {})},
    )


def test_a_reader_that_goes_away_does_not_stop_the_run_being_saved(tmp_path, monkeypatch):
    # `main.py train X | head -1`: a real pipe whose reading end is closed
    reading, writing = os.pipe()
    os.close(reading)
    stdout = open(writing, "w", buffering=1)  # noqa: SIM115 - closed below, after main
    monkeypatch.setattr(sys, "stdout", stdout)
    out = tmp_path / "run"
    try:
        code = main(["train", str(small_experiment(tmp_path)), "--out", str(out)])
    finally:
        stdout.close()
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == RUN_FILES
    assert load_checkpoint(out).experiment["train"]["epochs"] == 2


def test_a_second_run_replaces_the_whole_set_and_leaves_no_temporaries(tmp_path, capsys):
    experiment, out = small_experiment(tmp_path), tmp_path / "run"
    assert main(["train", str(experiment), "--epochs", "1", "--out", str(out)]) == 0
    (tmp_path / ".run.new-killed").mkdir()  # what a save killed before its swap leaves
    assert main(["train", str(experiment), "--epochs", "3", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == RUN_FILES
    assert (out / "metrics.csv").read_text().count("\n") == 4  # header and three epochs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["moons.json", "run"]


@pytest.mark.parametrize(
    "where, words",
    [
        ("no/such/dir/s.png", "does not exist"),
        ("shots", "is a folder"),
    ],
)
def test_a_screenshot_into_a_missing_folder_is_one_sentence_and_exit_2(tmp_path, where, words):
    (tmp_path / "shots").mkdir()
    # a real process: before the check, Qt aborted it (SIGABRT) after the error
    result = run_main(tmp_path, "screenshot", where)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("layerlab: ") and words in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not list(Path(tmp_path / "shots").iterdir())


def test_a_screenshot_that_cannot_be_saved_closes_the_window_first_and_exits_2(tmp_path):
    # no image format is called .xyz: the window opens, trains nothing, and the save fails;
    # before, the window's training thread was still running and Qt aborted the process
    result = run_main(tmp_path, "screenshot", "shot.xyz", "--size", "640x480")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1].startswith("layerlab: cannot write the screenshot")
    assert "Traceback" not in result.stderr and "QThread" not in result.stderr
