"""The engine: trains an Experiment and yields reports, fast and reproducibly.

One thread owns every torch call of a run (docs/architecture.md, Threads: torch keeps one
OpenMP pool per calling thread). The loop is as tight as a hand-written one: tensors
preloaded on the device, `randperm` batches, `zero_grad(set_to_none=True)`, fused
optimizers where torch has them. Reports carry numpy arrays only. Pause, step and stop
arrive through a Control.

The package, one job per module: `trainer` (checks, builds and runs an experiment), `loop`
(the training loop over a `prepared` run), `checks` (what cannot run, in one sentence),
`placement` (device, dtype, memory format), `memory` (the memory a run needs, allocation
failures; threads, layout and evaluation chunks are app.run_plan's),
`histograms`, `evaluation`, `prediction`, `messages`, `devices`, `no_dynamo` (torch's
optimizers without their 2-3 s import of torch._dynamo).
"""

from __future__ import annotations

from app.control import Control
from app.training.checks import RunError
from app.training.devices import available_devices, device_problem, dtype_problem, probe_devices
from app.training.trainer import Trainer, warm_up

__all__ = [
    "Control",
    "RunError",
    "Trainer",
    "available_devices",
    "device_problem",
    "dtype_problem",
    "probe_devices",
    "warm_up",
]
