"""The engine vs the hand-written loop a user would write, each in its own process.

    python bench/engine_vs_bare.py [--device cpu] [--rounds 5] [--epochs 5]
        [--moons-epochs 300] [--lenet-epochs N] [--max-load 1.0] [--wait 180]

What is measured, per case and round, interleaved (the order flips every round):
- bare: bench/bare_loop.py in a fresh interpreter (torch and numpy only, torch's default
  threads, preloaded tensors, randperm batches, zero_grad(set_to_none=True), default Adam),
  its training loop timed by itself;
- engine: `Trainer.run()` in this process with everything on (histograms every 10 steps,
  validation each epoch, reports every 75 ms, every report consumed), `prepare()` untimed;
- for the two-moons example also the CLI (`main.py train`), timed as a whole process from
  launch to exit, against the bare loop's whole process (start-up included on both sides).
Cases: the bench's MLP on 8,000 points at batch 64 and 512, the two-moons example at its own
size and batch, LeNet from the MNIST example on MNIST-format files (see bench/cases.py).
Before every round the 1-minute load average must be at most --max-load (it waits up to
--wait seconds); otherwise it prints why and exits with status 3, reporting nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from cases import Case, lenet_example, own_mlp, two_moons_example  # noqa: E402
from measure import (  # noqa: E402
    Busy,
    Round,
    Speed,
    add_load_arguments,
    print_case,
    quiet_load,
    refuse,
    run_bare,
)

from app.training import Trainer  # noqa: E402


def engine(case: Case) -> Speed:
    """Samples per second through Trainer.run, every report consumed; and its thread count."""
    root = str(case.data_root) if case.data_root else None
    trainer = Trainer(case.experiment, data_root=root)
    trainer.prepare()
    start = time.perf_counter()
    for _ in trainer.run():
        pass
    return Speed(case.samples / (time.perf_counter() - start), trainer.threads)


def cli(case: Case, out: Path, threads: int) -> Speed:
    """Samples per second of `main.py train` as a whole process, launch to exit."""
    experiment = out / "experiment.json"
    experiment.write_text(case.experiment.to_json())
    command = [sys.executable, str(ROOT / "main.py"), "train", str(experiment)]
    command += ["--out", str(out / "run")]
    if case.data_root:
        command += ["--data-root", str(case.data_root)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return Speed(case.samples / (time.perf_counter() - start), threads)


def measure(case: Case, args, folder: Path, with_cli: bool) -> None:
    rounds, cli_rounds = [], []
    for number in range(args.rounds):
        load = quiet_load(args.max_load, args.wait)
        bare_first = number % 2 == 0
        if bare_first:
            bare = run_bare(case.inputs, **case.bare_arguments())
        ours = engine(case)
        if not bare_first:
            bare = run_bare(case.inputs, **case.bare_arguments())
        rounds.append(Round(load, bare.speed, ours))
        if with_cli:  # both sides whole processes, start-up included
            whole = Speed(bare.samples / bare.process_seconds, bare.speed.threads)
            cli_rounds.append(Round(load, whole, cli(case, folder, ours.threads)))
    print_case(case.title, "engine", rounds)
    if with_cli:
        print_case(
            f"{case.title}: whole processes, launch to exit (the CLI's threads: the engine's)",
            "CLI",
            cli_rounds,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of the bench's MLP")
    parser.add_argument(
        "--moons-epochs", type=int, default=300, help="epochs of the two-moons example"
    )
    parser.add_argument(
        "--lenet-epochs", type=int, help="epochs of the LeNet example (default: its own)"
    )
    add_load_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(
            f"engine vs bare loop, device {args.device}, torch {torch.__version__}, "
            f"{args.rounds} rounds per case, interleaved; --max-load {args.max_load:g}"
        )
        cases = [
            (own_mlp(folder, 64, args.epochs, args.device), False),
            (own_mlp(folder, 512, args.epochs, args.device), False),
            (two_moons_example(folder, args.moons_epochs, args.device), True),
            (lenet_example(folder, args.lenet_epochs, args.device), False),
        ]
        try:
            for case, with_cli in cases:
                measure(case, args, folder, with_cli)
        except Busy as error:
            refuse(error)


if __name__ == "__main__":
    main()
