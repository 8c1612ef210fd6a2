"""The hand-written PyTorch loop the benches compare LayerLab with, run as its own process.

    python bench/bare_loop.py INPUTS.npz --model mlp --batch 64 --epochs 5 --lr 0.01

It is what a careful user writes in a script of their own: it imports only torch and numpy
(not LayerLab), keeps torch's default intra-op thread count, preloads the whole training set
as tensors on the device, draws each epoch's batches from a `randperm`, clears gradients with
`zero_grad(set_to_none=True)` and steps the default Adam. INPUTS.npz holds `x` (float32,
images already normalised) and `y` (int64 class labels), written by the bench.

Only the training loop is timed (from the first batch to the end of the last, the device
synchronised at both ends); the process's start-up is the caller's to time. It prints one
JSON line: samples_per_second, threads (torch.get_num_threads()), seconds, samples.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def mlp() -> nn.Module:
    """The two-moons MLP 2-64-64-2."""
    return nn.Sequential(
        nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2)
    )


def lenet() -> nn.Module:
    """The LeNet of resources/examples/mnist_lenet.json, on 1x28x28 images."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def small_cnn() -> nn.Module:
    """The benches' own CNN 8c3-16c3-10 on 1x28x28 images."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(784, 10),
    )


MODELS = {"mlp": mlp, "lenet": lenet, "cnn": small_cnn}


def train(
    x: torch.Tensor, y: torch.Tensor, model: nn.Module, batch: int, epochs: int, lr: float
) -> float:
    """Seconds for `epochs` passes of the loop over (x, y), all on x's device."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    device = x.device
    _sync(device)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x), device=device)
        for first in range(0, len(x), batch):
            index = order[first : first + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
    _sync(device)
    return time.perf_counter() - start


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", help="an .npz with x (float32) and y (int64)")
    parser.add_argument("--model", choices=sorted(MODELS), required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    with np.load(args.inputs) as arrays:
        x = torch.from_numpy(arrays["x"]).to(args.device)
        y = torch.from_numpy(arrays["y"]).to(args.device)
    model = MODELS[args.model]().to(args.device)
    seconds = train(x, y, model, args.batch, args.epochs, args.lr)
    samples = args.epochs * len(x)
    line = {
        "samples_per_second": samples / seconds,
        "threads": torch.get_num_threads(),
        "seconds": seconds,
        "samples": samples,
    }
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
