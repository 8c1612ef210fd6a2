"""Training without torch._dynamo: the same updates as torch's own calls, and no 2-3 s
import of torch._dynamo before the first step (app.training.no_dynamo)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from torch import nn

from app.training.no_dynamo import clear_gradients, plain_step, skip_dynamo_guards

RUN_A_TRAINER = """
import sys
from app.datasets import DataConfig
from app.experiment import Experiment
from app.training import Trainer
trainer = Trainer(Experiment(data=DataConfig(samples=200)))
reports = list(trainer.run())
trainer.predict((-1.0, 1.0, -1.0, 1.0), trainer.steps_done, resolution=8)
print(type(reports[-1]).__name__, reports[-1].reason, "torch._dynamo" in sys.modules)
"""


def test_a_whole_run_never_imports_torch_dynamo():
    done = subprocess.run(
        [sys.executable, "-c", RUN_A_TRAINER], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["RunFinished", "completed", "False"]


def _trained(optimizer_class, plain: bool, **options) -> list[torch.Tensor]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    skip_dynamo_guards()
    optimizer = optimizer_class(model.parameters(), **options)
    step = plain_step(optimizer) if plain else optimizer.step
    x, y = torch.randn(16, 3), torch.randint(0, 2, (16,))
    for _ in range(5):
        if plain:
            clear_gradients(optimizer)
        else:
            optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()
        step()
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize(
    "optimizer_class, options",
    [
        (torch.optim.Adam, {"lr": 0.01, "fused": True}),
        (torch.optim.Adam, {"lr": 0.01}),
        (torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}),
        (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
        (torch.optim.RMSprop, {"lr": 0.01}),
        (torch.optim.Adagrad, {"lr": 0.1}),
    ],
)
def test_the_plain_update_equals_torchs_own_step_bit_for_bit(optimizer_class, options):
    """Every optimizer the Training panel offers (app.options.OPTIMIZERS)."""
    theirs = _trained(optimizer_class, plain=False, **options)
    ours = _trained(optimizer_class, plain=True, **options)
    assert all(torch.equal(a, b) for a, b in zip(theirs, ours, strict=True))
