"""Engine vs a bare PyTorch loop: the same MLP, data and epochs, interleaved in one process.

    python bench/engine_vs_bare.py [--device cpu] [--rounds 3] [--epochs 5]

The bare loop is what a careful person writes by hand: tensors preloaded, `randperm`
batches, `zero_grad(set_to_none=True)`, the default Adam, torch's default thread count.
The engine runs with everything on: histograms every 10 steps, validation each epoch,
reports every 75 ms. Prints samples/s (best of the rounds) and engine / bare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from app.datasets import DataConfig, load  # noqa: E402
from app.experiment import Experiment, TrainConfig  # noqa: E402
from app.training import Trainer  # noqa: E402
from models.spec import LayerSpec, ModelSpec  # noqa: E402

MLP = ModelSpec(
    (2,),
    (
        LayerSpec.create("Linear", out_features=64),
        LayerSpec.create("ReLU"),
        LayerSpec.create("Linear", out_features=64),
        LayerSpec.create("ReLU"),
        LayerSpec.create("Linear", out_features=2),
    ),
)


def bare_mlp() -> nn.Module:
    return nn.Sequential(
        nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2)
    )


def bare_loop(
    x: torch.Tensor, y: torch.Tensor, batch: int, epochs: int, device: str, make=bare_mlp
) -> float:
    """Samples per second of a tight hand-written loop over `make()`'s model."""
    torch.manual_seed(0)
    model = make()
    model.to(device)
    x, y = x.to(device), y.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(0)
    _sync(device)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator).to(device)
        for first in range(0, len(x), batch):
            index = order[first : first + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
    _sync(device)
    return epochs * len(x) / (time.perf_counter() - start)


def engine(experiment: Experiment, dataset) -> tuple[float, int]:
    """Samples per second through Trainer.run, every report consumed; and its thread count."""
    trainer = Trainer(experiment, dataset=dataset)
    trainer.prepare()
    start = time.perf_counter()
    for _ in trainer.run():
        pass
    elapsed = time.perf_counter() - start
    return experiment.train.epochs * len(dataset.x_train) / elapsed, trainer.threads


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    dataset = load(DataConfig("two_moons", samples=10_000, noise=0.1, val_fraction=0.2, seed=0))
    x = torch.from_numpy(dataset.x_train)
    y = torch.from_numpy(dataset.y_train)
    print(
        f"two moons, {len(x)} training points, 2-64-64-2 MLP, Adam, {args.epochs} epochs, "
        f"device {args.device}, torch {torch.__version__}, best of {args.rounds} rounds"
    )
    print(
        f"{'batch':>6} {'bare samples/s':>15} {'engine samples/s':>17} {'threads':>8} {'ratio':>6}"
    )
    for batch in (64, 512):
        train = TrainConfig(
            device=args.device, batch_size=batch, epochs=args.epochs, histogram_every=10
        )
        experiment = Experiment(model=MLP, data=DataConfig(samples=10_000), train=train)
        bare, ours, threads = [], [], 0
        for _ in range(args.rounds):
            bare.append(bare_loop(x, y, batch, args.epochs, args.device))
            speed, threads = engine(experiment, dataset)
            ours.append(speed)
        ratio = max(ours) / max(bare)
        median = statistics.median(o / b for o, b in zip(ours, bare, strict=True))
        print(
            f"{batch:>6} {max(bare):>15,.0f} {max(ours):>17,.0f} {threads:>8} {ratio:>5.2f}x"
            f"   (median ratio {median:.2f}x)"
        )


if __name__ == "__main__":
    main()
