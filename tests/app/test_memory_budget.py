"""A run that cannot fit in memory is refused before anything big is built, with both
figures in one sentence; evaluation chunks fit a memory share; running out of memory during
a run is a sentence with the last finite weights kept, not a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from app.cli import main
from app.datasets import DataConfig, Dataset, data_input_shape, data_task
from app.experiment import Experiment, TrainConfig
from app.run_plan import EVAL_CHUNK_BYTES, eval_chunk
from app.training import RunError, Trainer
from app.training.memory import estimate, is_out_of_memory
from models.shapes import infer
from models.spec import LayerSpec, ModelSpec

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"

# Two inputs, then two layers of a million: a million squared weights, about 4 TB in float32.
HUGE_MODEL = ModelSpec(
    (2,),
    (
        LayerSpec.create("Linear", out_features=1_000_000),
        LayerSpec.create("Linear", out_features=1_000_000),
        LayerSpec.create("Linear", out_features=2),
    ),
)
REFUSAL = re.compile(
    r"^This run needs about [\d.]+ TB \(weights, gradients and Adam's state [\d.]+ TB; "
    r"a batch's activations [\d.]+ [MG]B[^)]*\), but this machine has [\d.]+ [MGT]B free; "
    r"use fewer or smaller layers or a smaller batch\.$"
)


def huge_experiment() -> Experiment:
    return Experiment(data=DataConfig(samples=64), model=HUGE_MODEL)


def test_a_model_too_big_for_memory_is_refused_before_anything_is_built():
    trainer = Trainer(huge_experiment())
    with pytest.raises(RunError) as refused:
        trainer.prepare()
    assert REFUSAL.match(str(refused.value)), str(refused.value)
    assert trainer.model is None  # refused from arithmetic: no weights were allocated


def test_the_command_line_refuses_it_in_one_line_with_exit_status_2(tmp_path, capsys):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(huge_experiment().to_dict()))
    assert main(["train", str(path), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert REFUSAL.match(err.removeprefix("layerlab: ")), err
    assert not (tmp_path / "run").exists()


def _shaped_dataset(experiment: Experiment) -> Dataset:
    """A dataset of the example's real sizes, without the memory (broadcast zeros)."""
    shape = data_input_shape(experiment.data)
    task = data_task(experiment.data)
    images = len(shape) == 3
    train_n, val_n = (60_000, 10_000) if images else (experiment.data.samples, 1)
    dtype = np.uint8 if images else np.float32

    def x(n: int) -> np.ndarray:
        return np.broadcast_to(np.zeros((1, *shape), dtype), (n, *shape))

    labels = np.int64 if task.is_classification else np.float32
    return Dataset(
        x(train_n),
        np.zeros(train_n, labels),
        x(val_n),
        np.zeros(val_n, labels),
        task,
        normalization=((0.5,) * shape[0], (0.5,) * shape[0]) if images else None,
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_shipped_example_needs_far_less_than_a_gigabyte(path):
    experiment = Experiment.load(path)
    dataset = _shaped_dataset(experiment)
    need = estimate(infer(experiment.model, dataset.task), dataset, experiment.train)
    assert 0 < need.total < 1e9, need


def test_evaluation_chunks_shrink_for_wide_models_and_keep_at_least_one_sample():
    train = TrainConfig()
    narrow = infer(Experiment().model)
    wide = infer(HUGE_MODEL)
    assert eval_chunk(narrow, train) >= 8192  # small models evaluate in big chunks, as before
    # A million-wide layer: its input and output, 4 MB a sample, bound the chunk.
    assert eval_chunk(wide, train) == EVAL_CHUNK_BYTES // (4 * 2_000_000)
    widest = ModelSpec((100_000,), (LayerSpec.create("Linear", out_features=1_000_000),))
    assert eval_chunk(infer(widest), TrainConfig(dtype="float64")) == EVAL_CHUNK_BYTES // (
        8 * 1_100_000
    )
    giant = ModelSpec((3, 4096, 4096), (LayerSpec.create("Conv2d", out_channels=64),))
    assert eval_chunk(infer(giant), train) == 1


def test_the_cpu_allocators_refusal_counts_as_out_of_memory():
    with pytest.raises(RuntimeError) as refused:
        torch.empty(2**62, dtype=torch.uint8)  # the allocator refuses at once: nothing is used
    assert is_out_of_memory(refused.value)
    assert is_out_of_memory(MemoryError())
    assert not is_out_of_memory(RuntimeError("mat1 and mat2 shapes cannot be multiplied"))


def test_running_out_of_memory_mid_run_is_a_sentence_and_keeps_finite_weights():
    experiment = Experiment(
        data=DataConfig(samples=256), train=TrainConfig(batch_size=32, epochs=3)
    )
    trainer = Trainer(experiment, threads=1)
    trainer.prepare()
    start = trainer.state_dict()
    calls = []

    def loss_that_asks_too_much(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        calls.append(None)
        if len(calls) == 6:  # the sixth step asks the allocator for 4 EB, which it refuses
            torch.empty(2**62, dtype=torch.uint8)
        return F.cross_entropy(output, target)

    trainer.loss_fn = loss_that_asks_too_much
    with pytest.raises(RunError) as stopped:
        list(trainer.run())
    message = str(stopped.value)
    assert message.startswith("The run ran out of memory at step 6 (epoch 1)"), message
    assert message.endswith("The weights after step 4 are kept."), message
    assert "\n" not in message
    kept = trainer.state_dict()
    assert all(torch.isfinite(value).all() for value in kept.values())
    assert any(not torch.equal(kept[name], start[name]) for name in start)
