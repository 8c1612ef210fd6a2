"""The window's training (controller, worker thread, every plot live) vs a bare PyTorch loop.

    python bench/gui_vs_bare.py [--rounds 3] [--epochs 5]

Same process, interleaved: the bare loop of bench/engine_vs_bare.py in the main thread, then
the window (offscreen, 1280x800, Loss tab on show) training the same two-moons MLP through
Train. Prints samples/s (best of the rounds), the ratio, and the GUI thread's responsiveness:
the p99 delay of a 10 ms QTimer that runs during the window's runs.
Not yet here: the small CNN on 1x28x28 inputs (it needs the vision datasets of issue 5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from engine_vs_bare import MLP, bare_loop  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402

from app.datasets import DataConfig, load  # noqa: E402
from app.experiment import Experiment, TrainConfig  # noqa: E402
from app.gui.application import create_application  # noqa: E402
from app.gui.controller import FINISHED  # noqa: E402
from app.gui.main_window import MainWindow  # noqa: E402
from app.reports import RunFinished, RunStarted  # noqa: E402

PROBE_MS = 10


def window_run(app, window, experiment: Experiment) -> tuple[float, list[float]]:
    """Samples/s of one run through the window, and the probe timer's delays (ms)."""
    window.document.replace(experiment, None)
    marks: dict[str, float] = {}

    def on_report(report) -> None:
        if isinstance(report, RunStarted):
            marks["start"] = time.perf_counter()
        elif isinstance(report, RunFinished):
            marks["end"] = time.perf_counter()

    window.controller.reportReceived.connect(on_report)
    delays: list[float] = []
    clock = QElapsedTimer()
    probe = QTimer()
    probe.setInterval(PROBE_MS)

    def tick() -> None:
        delays.append(max(0.0, clock.nsecsElapsed() / 1e6 - PROBE_MS))
        clock.restart()

    probe.timeout.connect(tick)
    clock.start()
    probe.start()
    loop = QEventLoop()  # as app.exec() would: sleep until events come (no busy polling)
    window.controller.stateChanged.connect(lambda state: state == FINISHED and loop.quit())
    window.run_panel.start()
    if window.controller.state != FINISHED:
        loop.exec()
    probe.stop()
    window.controller.reportReceived.disconnect(on_report)
    samples = experiment.train.epochs * round(experiment.data.samples * 0.8)
    return samples / (marks["end"] - marks["start"]), delays[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    app = create_application(dark=False)
    folder = tempfile.mkdtemp()
    window = MainWindow(QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    loop = QEventLoop()  # as `make run` does: the engine warms up while the user looks around
    window.controller.warmedUp.connect(loop.quit)
    window.controller.warm_up()
    loop.exec()
    data = DataConfig("two_moons", samples=10_000, noise=0.1, val_fraction=0.2, seed=0)
    dataset = load(data)
    x, y = torch.from_numpy(dataset.x_train), torch.from_numpy(dataset.y_train)
    print(
        f"two moons, {len(x)} training points, 2-64-64-2 MLP, Adam, {args.epochs} epochs, cpu, "
        f"torch {torch.__version__}, window 1280x800 offscreen with live plots, "
        f"best of {args.rounds} rounds"
    )
    print(f"{'batch':>6} {'bare samples/s':>15} {'window samples/s':>17} {'ratio':>6}  probe p99")
    for batch in (64, 512):
        train = TrainConfig(batch_size=batch, epochs=args.epochs, histogram_every=10)
        experiment = Experiment(model=MLP, data=data, train=train, title="bench")
        bare, ours, delays = [], [], []
        for _ in range(args.rounds):
            bare.append(bare_loop(x, y, batch, args.epochs, "cpu"))
            speed, probe = window_run(app, window, experiment)
            ours.append(speed)
            delays.extend(probe)
        ratio = max(ours) / max(bare)
        median = statistics.median(o / b for o, b in zip(ours, bare, strict=True))
        p50, p90, p99 = np.percentile(delays, [50, 90, 99]) if delays else [float("nan")] * 3
        print(
            f"{batch:>6} {max(bare):>15,.0f} {max(ours):>17,.0f} {ratio:>5.2f}x  "
            f"{p99:6.1f} ms late (median ratio {median:.2f}x; probe p50 {p50:.1f}, "
            f"p90 {p90:.1f}, max {max(delays):.1f} ms over {len(delays)} ticks)"
        )
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
