"""Manual check of the accelerator paths, for a machine with a CUDA GPU (never run by CI).

    python bench/cuda_check.py

Trains every example on cuda in each dtype, runs a diverging experiment on cuda (the kept
weights must be finite), and checks that deterministic runs repeat on the GPU. Prints one
line per check; exits 1 if any check fails.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from app.experiment import Experiment  # noqa: E402
from app.reports import EpochReport, HistogramReport, RunFinished  # noqa: E402
from app.training import Control, RunError, Trainer, available_devices  # noqa: E402


def train(experiment: Experiment) -> tuple[Trainer, list]:
    trainer = Trainer(experiment)
    return trainer, list(trainer.run(Control()))


def main() -> int:
    if not torch.cuda.is_available():
        print("no CUDA GPU here")
        return 1
    print(f"torch {torch.__version__}, devices: {available_devices()}")
    failures = 0
    examples = sorted((ROOT / "resources" / "examples").glob("*.json"))
    for path in examples:
        base = Experiment.load(path)
        for dtype in ("float32", "float64", "bfloat16", "float16"):
            experiment = base.with_changes(train=replace(base.train, device="cuda", dtype=dtype))
            try:
                trainer, reports = train(experiment)
            except RunError as error:
                print(f"{path.stem:16} {dtype:9} refused: {error}")
                continue
            finished = reports[-1]
            last = [r for r in reports if isinstance(r, EpochReport)][-1]
            histograms = sum(isinstance(r, HistogramReport) for r in reports)
            finite = all(torch.isfinite(v).all() for v in trainer.state_dict().values())
            metric = (
                f"val accuracy {last.val_accuracy:.3f}"
                if last.val_accuracy is not None
                else f"val RMSE {last.val_rmse:.3f} R2 {last.val_r2:.3f}"
            )
            ok = finished.reason == "completed" and finite and histograms > 0
            failures += not ok
            print(
                f"{path.stem:16} {dtype:9} {finished.reason:9} {metric}  "
                f"{finished.elapsed:5.1f} s  histogram reports {histograms}  "
                f"{'ok' if ok else 'FAILED'}"
            )
    base = Experiment.load(ROOT / "resources" / "examples" / "line_regression.json")
    diverging = base.with_changes(train=replace(base.train, device="cuda", learning_rate=100.0))
    trainer, reports = train(diverging)
    finished: RunFinished = reports[-1]
    finite = all(torch.isfinite(v).all() for v in trainer.state_dict().values())
    ok = finished.reason == "diverged" and finite
    failures += not ok
    print(f"diverging on cuda: {finished.message}  kept weights finite: {finite}")
    moons = Experiment.load(ROOT / "resources" / "examples" / "two_moons.json")
    repeatable = moons.with_changes(
        train=replace(moons.train, device="cuda", deterministic=True, epochs=3)
    )
    first, _ = train(repeatable)
    second, _ = train(repeatable)
    same = all(
        torch.equal(a, b)
        for a, b in zip(first.state_dict().values(), second.state_dict().values(), strict=True)
    )
    failures += not same
    print(f"deterministic cuda runs give identical weights: {same}")
    print("all checks passed" if not failures else f"{failures} checks FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
