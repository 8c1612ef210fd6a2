"""Cached uint8 images vs torchvision's standard pipeline: the same CNN and batches, one process.

    python bench/vision_vs_torchvision.py [--rounds 3] [--batches 300] [--data-root DIR]

The fast path is what the engine does: `app.datasets.vision.load` (uint8 (N, 1, 28, 28) from
the cache beside the files), `randperm` batches, each batch scaled on the device with one
precomputed scale and shift (`addcmul`). The standard pipeline is the tutorial one:
`torchvision.datasets.MNIST` with `Compose([ToTensor(), Normalize(mean, std)])` and a shuffling
`DataLoader` with 0 and with 2 worker processes (worker start-up counted, as in every epoch).
All three train the same small CNN (Adam 1e-3, fused as in the engine, cross-entropy, batch 64,
CPU, torch's default thread count) for the same number of batches, interleaved in rounds.

Data: a synthetic MNIST of the real size (60,000 + 10,000 images, written in the real idx
format by tests/vision_files.py), or a real one from `--data-root DIR` (DIR/MNIST/raw; the
files are copied to a temporary folder, so the cache there is never touched). Prints the
one-off load costs, samples/s (best of the rounds) and fast / standard (best and median).
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402
from torchvision import transforms  # noqa: E402

from app.datasets import DataConfig, vision  # noqa: E402
from tests.vision_files import write_mnist_family  # noqa: E402

BATCH = 64
MNIST = vision.VISION_DATASETS["mnist"]
Batches = Callable[[int], Iterator[tuple[torch.Tensor, torch.Tensor]]]


def make_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )


def train(batches: Batches, count: int) -> float:
    """Samples per second of `count` training steps on the batches `batches(seed)` yields."""
    torch.manual_seed(0)
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    done = 0
    start = time.perf_counter()
    for x, y in batches(0):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        done += len(x)
        if done >= count * BATCH:
            break
    return done / (time.perf_counter() - start)


def fast_batches(images: torch.Tensor, labels: torch.Tensor) -> Batches:
    """randperm batches of stored uint8 images, scaled like the engine: x * scale + shift."""
    mean, std = (torch.tensor(v, dtype=torch.float64) for v in (MNIST.mean, MNIST.std))
    scale, shift = (t.reshape(1, -1, 1, 1).float() for t in (1 / (255 * std), -mean / std))

    def batches(seed: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        generator = torch.Generator().manual_seed(seed)
        while True:
            order = torch.randperm(len(images), generator=generator)
            for first in range(0, len(images), BATCH):
                index = order[first : first + BATCH]
                yield torch.addcmul(shift, images[index].float(), scale), labels[index]

    return batches


def loader_batches(source: torch.utils.data.Dataset, workers: int) -> Batches:
    """A shuffling DataLoader over `source`, as the tutorials write it."""

    def batches(seed: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        generator = torch.Generator().manual_seed(seed)
        while True:
            loader = DataLoader(
                source, batch_size=BATCH, shuffle=True, num_workers=workers, generator=generator
            )
            yield from loader

    return batches


def prepare_root(folder: Path, data_root: Path | None) -> str:
    """Put MNIST's four idx files in folder/MNIST/raw; returns what data it is."""
    if data_root is None:
        write_mnist_family(folder, train=MNIST.train_size, test=MNIST.test_size)
        return "synthetic MNIST (noise + a label square, real idx files and sizes)"
    source, target = data_root / MNIST.data_folder, folder / MNIST.data_folder
    target.mkdir(parents=True)
    for name in MNIST.files:
        if (source / name).is_file():
            shutil.copyfile(source / name, target / name)
        elif (source / f"{name}.gz").is_file():
            with gzip.open(source / f"{name}.gz") as packed, open(target / name, "wb") as out:
                shutil.copyfileobj(packed, out)
        else:
            raise SystemExit(f"{source} holds neither {name} nor {name}.gz")
    return f"MNIST from {data_root}"


def timed(function: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=300, help="training steps per pipeline")
    parser.add_argument("--data-root", type=Path, help="a folder holding MNIST/raw/...")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="layerlab-bench-") as temporary:
        root = Path(temporary)
        what = prepare_root(root, args.data_root)
        config = DataConfig("mnist")
        first, first_s = timed(lambda: vision.load(config, root))
        _, cached_s = timed(lambda: vision.load(config, root))
        normalize = transforms.Normalize(MNIST.mean, MNIST.std)
        pipeline = transforms.Compose([transforms.ToTensor(), normalize])
        standard, standard_s = timed(
            lambda: torchvision.datasets.MNIST(str(root), train=True, transform=pipeline)
        )
        images = torch.from_numpy(first.x_train)
        labels = torch.from_numpy(first.y_train)
        pipelines = {
            "fast: cached uint8, randperm": fast_batches(images, labels),
            "torchvision + DataLoader, 0 workers": loader_batches(standard, 0),
            "torchvision + DataLoader, 2 workers": loader_batches(standard, 2),
        }
        print(
            f"{what}: {len(images):,} training images; CNN conv16-pool-conv32-pool-linear, "
            f"Adam 1e-3, batch {BATCH}, {args.batches} batches per pipeline, CPU with "
            f"{torch.get_num_threads()} threads, torch {torch.__version__}, torchvision "
            f"{torchvision.__version__}, best of {args.rounds} rounds, load average "
            f"{os.getloadavg()[0]:.1f} at the start (other processes skew the ratios)"
        )
        print(
            f"one-off: first load (decode + cache write) {first_s:.2f} s, cached load "
            f"{cached_s:.2f} s; torchvision.datasets.MNIST() {standard_s:.2f} s"
        )
        train(pipelines["fast: cached uint8, randperm"], 10)  # warm up torch's kernels
        speeds: dict[str, list[float]] = {name: [] for name in pipelines}
        for _ in range(args.rounds):
            for name, batches in pipelines.items():
                speeds[name].append(train(batches, args.batches))
    fast = speeds["fast: cached uint8, randperm"]
    print(f"{'pipeline':<36} {'samples/s':>10} {'fast / this':>12}")
    for name, speed in speeds.items():
        ratio = max(fast) / max(speed)
        median = statistics.median(f / s for f, s in zip(fast, speed, strict=True))
        print(f"{name:<36} {max(speed):>10,.0f} {ratio:>11.2f}x   (median ratio {median:.2f}x)")


if __name__ == "__main__":
    main()
