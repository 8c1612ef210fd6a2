"""What the views inside the network cost the window's training speed.

    python bench/views_cost.py [--rounds 5] [--moons-epochs 300] [--lenet-epochs N]
        [--only moons|lenet] [--max-load 1.0] [--wait 180]

The window (as in bench/gui_vs_bare.py: offscreen, 1280x800, Train clicked, timed until
the bar says "Finished") trains each case with one tab on show, interleaved, over rounds:
- "none": the Loss tab, with the engine's activation snapshots replaced by the first one
  (their forward pass skipped; the window still gets a report of the same size), which is
  the window without the views' engine work;
- "loss": the Loss tab, as shipped (the engine always takes the activation snapshots: the
  dead-ReLU alarms need them);
- then each tab that shows a view inside the network for the case: Gradients (alarms),
  Activations, Hidden units (two-moons), Filters (LeNet).
It prints each variant's samples/s per round and its median ratio to "none", with the spread.
Before every round the 1-minute load average must be at most --max-load, or it exits 3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from cases import lenet_example, two_moons_example  # noqa: E402
from gui_vs_bare import open_bench_window, window_run  # noqa: E402
from measure import Busy, add_load_arguments, quiet_load, refuse  # noqa: E402

from app.gui.application import create_application  # noqa: E402
from app.gui.main_window import MainWindow  # noqa: E402
from app.training.inspection import ActivationRecorder  # noqa: E402

_record = ActivationRecorder.record


def _first_snapshot_only(self: ActivationRecorder, step: int):
    """The "none" variant: the first snapshot again, at this step, without a forward pass."""
    cached = getattr(self, "_bench_cached", None)
    if cached is None:
        cached = self._bench_cached = _record(self, step)
    return replace(cached, step=step)


def variant_run(window: MainWindow, case, variant: str) -> float:
    """One timed window run of `case` for `variant`; samples/s, click to "Finished"."""
    skip = variant == "none"
    ActivationRecorder.record = _first_snapshot_only if skip else _record
    try:
        return window_run(window, case, probe_on=False, tab="loss" if skip else variant)
    finally:
        ActivationRecorder.record = _record


def measure(window: MainWindow, case, variants: tuple[str, ...], args) -> None:
    speeds: dict[str, list[float]] = {v: [] for v in variants}
    loads = []
    for number in range(args.rounds):
        loads.append(quiet_load(args.max_load, args.wait))
        order = variants if number % 2 == 0 else variants[::-1]
        for variant in order:
            speeds[variant].append(variant_run(window, case, variant).speed.samples_per_second)
    print(f"\n{case.title}  (load before each round: {', '.join(f'{x:.2f}' for x in loads)})")
    base = speeds["none"]
    for variant in variants:
        ratios = [s / b for s, b in zip(speeds[variant], base, strict=True)]
        rounds = "  ".join(f"{s:>9,.0f}" for s in speeds[variant])
        print(
            f"  {variant:<12} {rounds}   vs none: median {statistics.median(ratios):.3f}x "
            f"({min(ratios):.3f}-{max(ratios):.3f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moons-epochs", type=int, default=300)
    parser.add_argument("--lenet-epochs", type=int)
    parser.add_argument("--only", choices=("moons", "lenet"), help="time one case only")
    add_load_arguments(parser)
    args = parser.parse_args()
    app = create_application(dark=False)
    temporary = tempfile.TemporaryDirectory()
    folder = Path(temporary.name)
    cases = []
    if args.only != "lenet":
        tabs = ("gradients", "activations", "units")
        cases.append((two_moons_example(folder, args.moons_epochs), tabs))
    if args.only != "moons":
        tabs = ("gradients", "activations", "filters")
        cases.append((lenet_example(folder, args.lenet_epochs), tabs))
    window = open_bench_window(folder)
    print(
        f"the views' cost in the window, cpu, torch {torch.__version__}, 1280x800 offscreen, "
        f"{args.rounds} rounds, variants interleaved; samples/s, click on Train to Finished"
    )
    try:
        for case, tabs in cases:
            measure(window, case, ("none", "loss", *tabs), args)
    except Busy as error:
        refuse(error)
    finally:
        window.document.undo_stack.setClean()
        window.close()
        temporary.cleanup()
    del app


if __name__ == "__main__":
    main()
