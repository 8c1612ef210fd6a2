"""The window's training (controller, worker thread, every plot live) vs a bare PyTorch loop.

    python bench/gui_vs_bare.py [--rounds 3]

Same process, interleaved: the bare loop of bench/engine_vs_bare.py in the main thread, then
the window (offscreen, 1280x800, Loss tab on show) training the same model on the same data
through Train, after the engine's warm-up, as `make run` does. Two cases: the two-moons MLP
(batch 64 and 512) and a small CNN on 1x28x28 images (10,000 MNIST-format pattern images
written to a temporary folder; the bare loop gets them as normalised float tensors, NCHW as
torch makes them; the engine trains CPU convolutions channels_last, one of its own speed-ups,
so the CNN also gets a reference line against a bare loop that does the same).
Prints samples/s (best of the rounds), the ratio, and the GUI thread's responsiveness: the
delays of a 10 ms QTimer during a further window run per round (the probe itself slows a
run, so the timed runs go without it).
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
from torch import nn  # noqa: E402

from app.datasets import DataConfig, load  # noqa: E402
from app.experiment import Experiment, TrainConfig  # noqa: E402
from app.gui.application import create_application  # noqa: E402
from app.gui.main_window import MainWindow  # noqa: E402
from app.reports import RunFinished, RunStarted  # noqa: E402
from app.run_state import FINISHED  # noqa: E402
from models.spec import LayerSpec, ModelSpec  # noqa: E402
from tests.vision_files import write_mnist_family  # noqa: E402

CNN = ModelSpec(
    (1, 28, 28),
    (
        LayerSpec.create("Conv2d", out_channels=8, kernel_size=3, padding=1),
        LayerSpec.create("ReLU"),
        LayerSpec.create("MaxPool2d", kernel_size=2),
        LayerSpec.create("Conv2d", out_channels=16, kernel_size=3, padding=1),
        LayerSpec.create("ReLU"),
        LayerSpec.create("MaxPool2d", kernel_size=2),
        LayerSpec.create("Flatten"),
        LayerSpec.create("Linear", out_features=10),
    ),
)


def bare_cnn() -> nn.Module:
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


PROBE_MS = 10


def window_run(app, window, experiment: Experiment, probe_on: bool = True):
    """Samples/s of one run through the window, and the probe timer's delays (ms)."""
    window.document.replace(experiment, None)
    marks: dict[str, float] = {}

    def on_report(report) -> None:
        if isinstance(report, RunStarted):
            marks["start"] = time.perf_counter()
            marks["samples"] = report.train_samples * report.epochs
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
    if probe_on:
        probe.start()
    loop = QEventLoop()  # as app.exec() would: sleep until events come (no busy polling)
    window.controller.stateChanged.connect(lambda state: state == FINISHED and loop.quit())
    window.run_panel.start()
    if window.controller.state != FINISHED:
        loop.exec()
    probe.stop()
    window.controller.reportReceived.disconnect(on_report)
    return marks["samples"] / (marks["end"] - marks["start"]), delays[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = create_application(dark=False)
    temporary = tempfile.TemporaryDirectory()  # 12,000 images and their cache
    folder = Path(temporary.name)
    window = MainWindow(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    loop = QEventLoop()  # as `make run` does: the engine warms up while the user looks around
    window.controller.warmedUp.connect(loop.quit)
    window.controller.warm_up()
    loop.exec()
    window.set_data_root(str(folder))
    write_mnist_family(folder, train=10_000, test=2_000)

    moons = DataConfig("two_moons", samples=10_000, noise=0.1, val_fraction=0.2, seed=0)
    images = DataConfig("mnist", seed=0)
    # (title, model, data, bare-loop inputs, bare model, batch, epochs): each run about 2 s,
    # long enough that the probe sees a run, not just its first frames.
    cases = [
        ("two-moons MLP 2-64-64-2", MLP, moons, bare_loop_inputs(moons), None, 64, 10),
        ("two-moons MLP 2-64-64-2", MLP, moons, bare_loop_inputs(moons), None, 512, 40),
        (
            "CNN 8c3-16c3-10 on 1x28x28",
            CNN,
            images,
            bare_loop_inputs(images, folder),
            bare_cnn,
            64,
            1,
        ),
    ]
    print(
        f"Adam, cpu, torch {torch.__version__}, window 1280x800 "
        f"offscreen with live plots, best of {args.rounds} rounds"
    )
    print(
        f"{'model':<28} {'batch':>5} {'epochs':>6} {'bare samples/s':>15} {'window samples/s':>17} "
        f"{'ratio':>6}  probe delay p50 / p90 / p99 / max"
    )
    for title, model, data, (x, y), make, batch, epochs in cases:
        train = TrainConfig(batch_size=batch, epochs=epochs, histogram_every=10)
        experiment = Experiment(model=model, data=data, train=train, title="bench")
        bare, ours, delays, bare_nhwc = [], [], [], []
        for _ in range(args.rounds):
            bare.append(bare_loop(x, y, batch, epochs, "cpu", **({"make": make} if make else {})))
            if make:
                nhwc = lambda make=make: make().to(memory_format=torch.channels_last)  # noqa: E731
                bare_nhwc.append(bare_loop(x, y, batch, epochs, "cpu", make=nhwc))
            ours.append(window_run(app, window, experiment, probe_on=False)[0])
            # The probe is an instrument that wakes the GUI 100 times a second, which costs a
            # two-thread run about 4%: speed is timed without it, responsiveness with it.
            delays.extend(window_run(app, window, experiment)[1])
        ratio = max(ours) / max(bare)
        median = statistics.median(o / b for o, b in zip(ours, bare, strict=True))
        p50, p90, p99 = np.percentile(delays, [50, 90, 99]) if delays else [float("nan")] * 3
        print(
            f"{title:<28} {batch:>5} {epochs:>6} {max(bare):>15,.0f} {max(ours):>17,.0f} "
            f"{ratio:>5.2f}x  "
            f"{p50:.1f} / {p90:.1f} / {p99:.1f} / {max(delays):.1f} ms over {len(delays)} ticks"
            f"  (median ratio {median:.2f}x)"
        )
        if bare_nhwc:
            print(
                f"{'  reference: bare loop, channels_last':<42} {max(bare_nhwc):>15,.0f} "
                f"{max(ours):>17,.0f} {max(ours) / max(bare_nhwc):>5.2f}x  (median ratio "
                f"{statistics.median(o / b for o, b in zip(ours, bare_nhwc, strict=True)):.2f}x)"
            )
    window.document.undo_stack.setClean()
    window.close()
    temporary.cleanup()


def bare_loop_inputs(data: DataConfig, root: Path | None = None):
    """The training inputs as the bare loop takes them: float tensors, images normalised."""
    dataset = load(data, root)
    x = torch.from_numpy(dataset.x_train)
    if dataset.normalization is not None:
        mean, std = (torch.tensor(v).reshape(1, -1, 1, 1) for v in dataset.normalization)
        x = (x.float() / 255 - mean) / std
    return x, torch.from_numpy(dataset.y_train)


if __name__ == "__main__":
    main()
