"""What every engine loads once: torch and its lazy parts.

The fork server (app.engine_link) imports this module when it starts, so every engine
forked from it starts warm; an engine started without one imports it at its "warm_up"
request. It imports torch (1.5-2.9 s here) and trains a tiny run (`app.training.warm_up`,
0.02 s once torch._dynamo is kept out: app.training.no_dynamo). The warm-up runs on one
intra-op thread: no OpenMP pool exists yet to be copied, half-alive, into the forked
engines (each makes its own when a run sets its threads).
"""

from __future__ import annotations

import contextlib

import torch

from app.training import warm_up

torch.set_num_threads(1)
# Only an optimisation, and an exception here would end the fork server itself.
with contextlib.suppress(Exception):
    warm_up()
