"""How soon the window starts and trains: launch to window, and Train to the first loss drawn.

    python bench/start_latency.py [--rounds 5] [--max-load 1.0] [--wait 180]

Each round launches a fresh process per case that opens the window as `make run` does
(app.cli's start: the fork server first, then the QApplication and the window, the device
probe and the warm-up sent) and clicks Train on the two-moons example:
- "at once": in the first turn of the event loop after the window is shown, while torch
  still loads in the engine;
- "after 2 s": two seconds after the window is shown, as a user who looks first.
It prints, per round: launch to the window shown, launch to Train clicked, Train to the
run's RunStarted and first losses received in the GUI thread and to the first loss drawn on
the Loss plot, launch to that first loss, and the progress bar's text just after the click;
then the medians and spreads. The launch time is taken by this process
just before it starts the child.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = (("at once", 0), ("after 2 s", 2000))


def child(launched: float, delay_ms: int) -> None:
    """The measured process: everything here happens as in a user's `make run`."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from app.engine_link import start_fork_server

    start_fork_server()
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QToolButton

    from app.gui.application import create_application, open_window

    app = create_application(dark=False)
    folder = tempfile.TemporaryDirectory()
    settings = QSettings(str(Path(folder.name) / "s.ini"), QSettings.Format.IniFormat)
    window = open_window(settings)  # shows it, then sends the device probe and the warm-up
    marks: dict[str, object] = {}
    plot = window.run_panel.loss_plot
    draw = plot._draw

    def drawn() -> None:
        draw()
        if "first_loss" not in marks and len(window.controller.history.steps()):
            marks["first_loss"] = time.time()
            QTimer.singleShot(0, app.quit)

    plot._draw = drawn

    def received(report: object) -> None:
        name = type(report).__name__
        if name in ("RunStarted", "StepsReport") and name not in marks:
            marks[name] = time.time()

    window.controller.reportReceived.connect(received)

    def shown() -> None:
        marks["window"] = time.time()
        QTimer.singleShot(delay_ms, click)

    def click() -> None:
        marks["click"] = time.time()
        QTest.mouseClick(window.findChild(QToolButton, "trainButton"), Qt.MouseButton.LeftButton)
        marks["bar"] = window.run_panel.controls.progress.toolTip()

    QTimer.singleShot(0, shown)
    app.exec()
    window.document.undo_stack.setClean()
    window.close()
    print(
        json.dumps(
            {
                "window": marks["window"] - launched,
                "click": marks["click"] - launched,
                "first_loss": marks["first_loss"] - launched,
                "started": marks["RunStarted"] - launched,
                "first_report": marks["StepsReport"] - launched,
                "bar": marks["bar"],
            }
        ),
        flush=True,
    )


def measure(delay_ms: int) -> dict:
    launched = time.time()
    command = [sys.executable, __file__, "--child", str(launched), str(delay_ms)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"the window process failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from measure import Busy, add_load_arguments, quiet_load, refuse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_load_arguments(parser)
    args = parser.parse_args()
    print(
        f"start latency: a fresh window process per round and case, the two-moons example, "
        f"offscreen; {args.rounds} rounds; --max-load {args.max_load:g}"
    )
    try:
        for title, delay_ms in CASES:
            print(f"\nTrain clicked {title}")
            print(
                f"{'round':>5} {'load':>5} {'window':>8} {'click':>8} {'->started':>10} "
                f"{'->1st loss':>11} {'->drawn':>8} {'launch->drawn':>14}  bar just after the click"
            )
            window, to_loss, launch_to_loss = [], [], []
            for number in range(1, args.rounds + 1):
                load = quiet_load(args.max_load, args.wait)
                marks = measure(delay_ms)
                window.append(marks["window"])
                to_loss.append(marks["first_loss"] - marks["click"])
                launch_to_loss.append(marks["first_loss"])
                started = (marks["started"] - marks["click"]) * 1000
                first = (marks["first_report"] - marks["click"]) * 1000
                print(
                    f"{number:>5} {load:>5.2f} {marks['window']:>7.2f}s {marks['click']:>7.2f}s "
                    f"{started:>8.0f}ms {first:>9.0f}ms {to_loss[-1] * 1000:>6.0f}ms "
                    f"{marks['first_loss']:>13.2f}s  {marks['bar']}"
                )
            for name, values, scale, unit in (
                ("launch to window", window, 1, "s"),
                ("Train to first loss drawn", to_loss, 1000, "ms"),
                ("launch to first loss drawn", launch_to_loss, 1, "s"),
            ):
                print(
                    f"  {name}: median {statistics.median(values) * scale:.2f} {unit}, "
                    f"spread {min(values) * scale:.2f}-{max(values) * scale:.2f} {unit}"
                )
    except Busy as error:
        refuse(error)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(float(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
