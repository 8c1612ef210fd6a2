"""What the fork server loads once for every engine process: torch and its lazy parts.

The fork server (app.engine_link) imports this module when it starts. It imports torch and
trains a tiny run (`app.training.warm_up`), so every engine forked from it starts warm: an
engine's first run otherwise loads those parts itself, 1.5-2.8 s measured here. The warm-up
runs on one intra-op thread: no OpenMP pool exists yet to be copied, half-alive, into the
forked engines (each makes its own when a run sets its threads).
"""

from __future__ import annotations

import contextlib

import torch

from app.training import warm_up

torch.set_num_threads(1)
# Only an optimisation, and an exception here would end the fork server itself.
with contextlib.suppress(Exception):
    warm_up()
