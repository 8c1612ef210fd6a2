"""Fuzz: mutated experiment files give an Experiment or one sentence, never another exception,
through Experiment.from_json, Experiment.load and the command line's train."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from app import cli
from app.experiment import Experiment, ExperimentError
from tests.fuzz.hostile_json import TOY_EXAMPLES, mutated_experiment

# Bounded and derandomized: the same inputs on every run, in a few seconds on 2 slow cores.
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _one_line(message: str) -> bool:
    """What the user reads: one short, non-empty line a terminal prints as it is (no control
    characters or lone surrogates from the file: they would garble or crash the output)."""
    return (
        bool(message.strip())
        and len(message) <= 500
        and all(ch.isprintable() and not 0xD800 <= ord(ch) < 0xE000 for ch in message)
    )


def _check_parsed(text: str) -> None:
    """from_json gives an Experiment that saves and reads back the same, or one sentence."""
    try:
        experiment = Experiment.from_json(text)
    except ExperimentError as error:
        assert _one_line(str(error)), repr(str(error))
        return
    # What opened must save: the window writes to_json and reads it back the same.
    assert Experiment.from_json(experiment.to_json()) == experiment


@FUZZ
@given(mutated_experiment())
def test_mutated_json_gives_an_experiment_or_one_sentence(text):
    _check_parsed(text)


@FUZZ
@given(mutated_experiment())
def test_mutated_file_loads_or_gives_one_sentence_naming_it(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.json"
        # surrogatepass: a lone surrogate lands in the file as the bytes a bad editor writes
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            Experiment.load(path)
        except ExperimentError as error:
            message = str(error)
            assert _one_line(message), repr(message)
            assert message.startswith("hostile.json: ") or "hostile.json" in message


def test_raw_text_classes_that_python_cannot_read_give_one_sentence():
    """The reader's own limits, each alone: digits, depth, non-finite numbers, bad bytes."""
    for text in (
        '{"format": "layerlab-experiment", "version": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"version": NaN}',
        '{"version": 1, "train": {"learning_rate": Infinity}}',
        '{"version": 1, "title": "\ud800"}',
        "\ufeff{}",
        "",
        "\x00",
    ):
        _check_parsed(text)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(mutated_experiment(TOY_EXAMPLES))
def test_mutated_file_through_the_command_line_exits_cleanly(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.json"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = cli.main(["train", str(path), "--epochs", "1", "--out", f"{folder}/run"])
            except SystemExit as exit_:  # argparse's own exit path
                status = exit_.code
        stderr = err.getvalue()
        assert status in (0, 1, 2), (status, stderr)
        assert "Traceback" not in stderr
        if status == 2:
            assert stderr.startswith("layerlab: ") and stderr.count("\n") == 1, stderr
