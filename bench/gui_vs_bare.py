"""Training in the window (controller, worker thread, every plot live) vs the hand-written
loop a user would write, each in its own process.

    python bench/gui_vs_bare.py [--rounds 5] [--moons-epochs 300] [--lenet-epochs N]
        [--only mlp64|mlp512|cnn|moons|lenet] [--presentation] [--max-load 1.0] [--wait 180]

What is measured, per case and round, interleaved (the order flips every round):
- bare: bench/bare_loop.py in a fresh interpreter (torch and numpy only, torch's default
  threads, preloaded tensors, randperm batches, zero_grad(set_to_none=True), default Adam),
  its training loop timed by itself;
- window: the real window in this process (offscreen, 1280x800, the Loss tab on show, the
  engine warmed up first as `make run` does), the experiment opened, the run started by a
  click on Train and timed until the progress bar says "Finished": samples/s over that whole
  time, start-up checks included; "own clock" is the same run from its RunStarted to its
  RunFinished report;
- responsiveness: a further window run per round with a 10 ms QTimer in the GUI thread, whose
  delays give p99 and max (the probe wakes the GUI 100 times a second and slows a run by about
  4%, so the timed runs go without it). That run trains the case's epochs times the whole
  number that makes it last at least 5 s: the bench's MLP at batch 512 trains its 40 epochs in
  0.7-1.0 s, 64-88 ticks, whose "p99" was their worst tick, the click's; max still shows it.
With --presentation the window is in presentation mode (150% text, curves 3 px and more,
the projector layout), as a teacher trains in front of a class.
Cases: the bench's MLP on 8,000 points at batch 64 and 512, its small CNN on 10,000 images,
the two-moons example at its own size and batch, LeNet from the MNIST example on
MNIST-format files (see bench/cases.py). Before every round the 1-minute load average must be
at most --max-load (it waits up to --wait seconds); otherwise it prints why and exits with
status 3, reporting nothing more.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from cases import Case, lenet_example, own_cnn, own_mlp, two_moons_example  # noqa: E402
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
from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QToolButton  # noqa: E402

from app.gui.application import create_application  # noqa: E402
from app.gui.main_window import MainWindow  # noqa: E402
from app.reports import RunFinished, RunStarted  # noqa: E402
from app.run_state import FINISHED  # noqa: E402

PROBE_MS = 10
PROBE_SECONDS = 5.0  # the probe's run lasts at least this: 500 ticks or more
CASE_NAMES = ("mlp64", "mlp512", "cnn", "moons", "lenet")
FINISHED_TEXT = "Finished"  # the start of the progress bar's text once a run completed


@dataclass(frozen=True)
class WindowRun:
    speed: Speed  # click on Train to "Finished"
    own_clock: float  # samples/s from RunStarted to RunFinished
    delays: tuple[float, ...]  # the probe's lateness (ms), empty without it


def window_run(window: MainWindow, case: Case, probe_on: bool, tab: str = "loss") -> WindowRun:
    """One run of `case` in the window, with the plot tab `tab` on show: opened, Train
    clicked, timed until "Finished"."""
    window.document.replace(case.experiment, None)  # a fresh run from the seed, not Continue
    window.run_panel.show_tab(tab)
    bar = window.run_panel.controls.progress
    marks: dict[str, float] = {}
    loop = QEventLoop()  # as app.exec() would: sleep until events come (no busy polling)

    def check_finished(*_: object) -> None:
        # Connected after the window's own slots, so the bar already shows this report; it
        # may still say "Finished" from the run before until this one has started.
        if "end" not in marks and "started" in marks and bar.format().startswith(FINISHED_TEXT):
            marks["end"] = time.perf_counter()

    def on_state(state: str) -> None:
        # The worker ends after the bar says "Finished": wait for it (untimed), since Train
        # does nothing while the controller still runs.
        check_finished()
        if state == FINISHED and "clicked" in marks:
            marks["ended"] = time.perf_counter()
            loop.quit()

    def on_report(report: object) -> None:
        if isinstance(report, RunStarted):
            if report.continues:
                raise RuntimeError("Train continued the last run instead of starting afresh")
            marks["started"] = time.perf_counter()
            marks["threads"] = report.threads
        elif isinstance(report, RunFinished):
            marks["own_end"] = time.perf_counter()
        check_finished()

    window.controller.reportReceived.connect(on_report)
    window.controller.stateChanged.connect(on_state)
    delays: list[float] = []
    clock = QElapsedTimer()
    probe = QTimer()
    probe.setInterval(PROBE_MS)

    def tick() -> None:
        delays.append(max(0.0, clock.nsecsElapsed() / 1e6 - PROBE_MS))
        clock.restart()

    probe.timeout.connect(tick)
    button = window.findChild(QToolButton, "trainButton")
    clock.start()
    if probe_on:
        probe.start()
    start = time.perf_counter()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    marks["clicked"] = start
    if "ended" not in marks:
        loop.exec()
    probe.stop()
    window.controller.reportReceived.disconnect(on_report)
    window.controller.stateChanged.disconnect(on_state)
    if "end" not in marks:  # refused, failed or diverged
        raise RuntimeError(f"the run did not finish: the bar says {bar.format()!r}")
    speed = Speed(case.samples / (marks["end"] - start), int(marks["threads"]))
    own = case.samples / (marks["own_end"] - marks["started"])
    return WindowRun(speed, own, tuple(delays[1:]))


def lasting(case: Case, run: WindowRun, seconds: float) -> Case:
    """`case` with its epochs multiplied so that it lasts about `seconds` or more, at the
    speed of `run`."""
    took = case.samples / run.speed.samples_per_second
    train = case.experiment.train
    longer = replace(train, epochs=train.epochs * max(1, math.ceil(seconds / took)))
    return replace(case, experiment=case.experiment.with_changes(train=longer))


def open_bench_window(folder: Path) -> MainWindow:
    """The window the benches time: 1280x800, its settings and data in `folder`, the engine
    warmed up first, as `make run` does while the user looks around."""
    window = MainWindow(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    window.set_data_root(str(folder))
    loop = QEventLoop()
    window.controller.warmedUp.connect(loop.quit)
    window.controller.warm_up()
    loop.exec()
    return window


def measure(window: MainWindow, case: Case, args) -> None:
    rounds = []
    for number in range(args.rounds):
        load = quiet_load(args.max_load, args.wait)
        bare_first = number % 2 == 0
        if bare_first:
            bare = run_bare(case.inputs, **case.bare_arguments())
        timed = window_run(window, case, probe_on=False)
        if not bare_first:
            bare = run_bare(case.inputs, **case.bare_arguments())
        delays = window_run(window, lasting(case, timed, PROBE_SECONDS), probe_on=True).delays
        p99 = np.percentile(delays, 99) if delays else float("nan")
        extra = (
            f"{timed.own_clock:>15,.0f}",
            f"{p99:>5.1f} ms",
            f"{max(delays, default=0):>5.1f} ms",
        )
        rounds.append(Round(load, bare.speed, timed.speed, extra))
    print_case(case.title, "window", rounds, ("      own clock", "probe p99", "max"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--moons-epochs", type=int, default=300, help="epochs of the two-moons example"
    )
    parser.add_argument(
        "--lenet-epochs", type=int, help="epochs of the LeNet example (default: its own)"
    )
    parser.add_argument("--only", choices=CASE_NAMES, help="time one case only")
    parser.add_argument(
        "--presentation", action="store_true", help="the window in presentation mode"
    )
    add_load_arguments(parser)
    args = parser.parse_args()
    app = create_application(dark=False)
    temporary = tempfile.TemporaryDirectory()  # the images, their cache, the bare inputs
    folder = Path(temporary.name)
    makers = {
        "mlp64": lambda: own_mlp(folder, 64, 10),
        "mlp512": lambda: own_mlp(folder, 512, 40),
        "cnn": lambda: own_cnn(folder, 1),
        "moons": lambda: two_moons_example(folder, args.moons_epochs),
        "lenet": lambda: lenet_example(folder, args.lenet_epochs),
    }
    cases = [make() for name, make in makers.items() if args.only in (None, name)]
    window = open_bench_window(folder)
    if args.presentation:
        window.presentation.set_enabled(True)
    look = "presentation mode, " if args.presentation else ""
    print(
        f"window vs bare loop, cpu, torch {torch.__version__}, window 1280x800 offscreen, {look}"
        f"Loss tab, {args.rounds} rounds per case, interleaved; --max-load {args.max_load:g}; "
        f"probe: a {PROBE_MS} ms timer during a further window run per round, "
        f"of {PROBE_SECONDS:g} s or more"
    )
    try:
        for case in cases:
            measure(window, case, args)
    except Busy as error:
        refuse(error)
    finally:
        window.document.undo_stack.setClean()
        window.close()
        temporary.cleanup()
    del app


if __name__ == "__main__":
    main()
