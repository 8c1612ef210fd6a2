"""How the benches measure: the machine's load, the bare loop as its own process, the tables.

On these shared 2-core machines a loop with torch's default two threads collapses when
anything else is busy, so every round first waits for the 1-minute load average to drop to
`--max-load` and refuses to report when it does not (`Busy`). The bare loop
(bench/bare_loop.py) runs in a fresh interpreter each time, never in the bench's process,
where LayerLab's imports, threads and earlier runs would slow it. A case's table gives each
round's load and both sides' samples/s, then the median ratio, its spread (min-max) and
each side's intra-op thread count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BARE_LOOP = Path(__file__).with_name("bare_loop.py")
EXIT_BUSY = 3


class Busy(RuntimeError):
    """The machine stayed busier than the threshold: numbers taken now would not be honest."""


@dataclass(frozen=True)
class Speed:
    samples_per_second: float
    threads: int


@dataclass(frozen=True)
class BareRun:
    """One bare-loop process: its loop's speed and the whole process's wall time."""

    speed: Speed
    process_seconds: float
    samples: int


@dataclass(frozen=True)
class Round:
    load: float  # the 1-minute load average just before the round
    bare: Speed
    ours: Speed
    extra: tuple[str, ...] = ()  # further columns, already formatted


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=int, default=5, help="rounds per case (default 5)")
    parser.add_argument(
        "--max-load",
        type=float,
        default=1.0,
        help="refuse a round when the 1-minute load average is above this (default 1.0)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=180.0,
        help="seconds to wait for the load to drop before refusing (default 180)",
    )


def quiet_load(max_load: float, wait_s: float) -> float:
    """The 1-minute load average once it is at most `max_load`; Busy after `wait_s` seconds.
    The kernel updates it every 5 seconds, so it is read that often."""
    deadline = time.monotonic() + wait_s
    while True:
        load = os.getloadavg()[0]
        if load <= max_load:
            return load
        if time.monotonic() >= deadline:
            raise Busy(
                f"the 1-minute load average is {load:.2f}, above --max-load {max_load:g}, "
                f"after waiting {wait_s:g} s: the machine is busy, so no numbers are reported"
            )
        time.sleep(5)


def refuse(error: Busy) -> None:
    print(f"refused: {error}", flush=True)
    raise SystemExit(EXIT_BUSY)


def write_inputs(path: Path, x: np.ndarray, y: np.ndarray) -> Path:
    """The training set as bare_loop.py reads it: x float32, y int64."""
    np.savez(path, x=np.ascontiguousarray(x, dtype=np.float32), y=y.astype(np.int64))
    return path


def run_bare(
    inputs: Path, model: str, batch: int, epochs: int, lr: float, device: str = "cpu"
) -> BareRun:
    """bare_loop.py in a fresh interpreter, with an environment as the user's (no thread
    settings of ours); its JSON line, and the process's wall time."""
    command = [sys.executable, str(BARE_LOOP), str(inputs), "--model", model]
    command += ["--batch", str(batch), "--epochs", str(epochs), "--lr", str(lr)]
    command += ["--device", device]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"bare_loop.py failed ({done.returncode}): {done.stderr.strip()}")
    line = json.loads(done.stdout.strip().splitlines()[-1])
    speed = Speed(line["samples_per_second"], line["threads"])
    return BareRun(speed, seconds, line["samples"])


def print_case(title: str, ours: str, rounds: list[Round], extra: tuple[str, ...] = ()) -> None:
    """One case: a line per round, then the median ratio, its spread and the thread counts."""
    print(f"\n{title}")
    header = f"{'round':>5} {'load':>5} {'bare samples/s':>15} {ours + ' samples/s':>22} "
    print(header + f"{'ratio':>6}" + "".join(f"  {column}" for column in extra))
    ratios = []
    for number, item in enumerate(rounds, 1):
        ratio = item.ours.samples_per_second / item.bare.samples_per_second
        ratios.append(ratio)
        line = (
            f"{number:>5} {item.load:>5.2f} {item.bare.samples_per_second:>15,.0f} "
            f"{item.ours.samples_per_second:>22,.0f} {ratio:>5.2f}x"
        )
        print(line + "".join(f"  {value}" for value in item.extra))
    bare_threads = sorted({item.bare.threads for item in rounds})
    our_threads = sorted({item.ours.threads for item in rounds})
    print(
        f"  {ours} / bare: median {statistics.median(ratios):.2f}x, "
        f"spread {min(ratios):.2f}-{max(ratios):.2f}x over {len(rounds)} rounds; "
        f"intra-op threads: bare {_listed(bare_threads)}, {ours} {_listed(our_threads)}",
        flush=True,
    )


def _listed(numbers: list[int]) -> str:
    return "/".join(str(number) for number in numbers)
