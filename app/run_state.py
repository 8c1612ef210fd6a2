"""The states a run in the window goes through, named once for the controller and the views."""

from __future__ import annotations

IDLE, RUNNING, PAUSED, FINISHED = "idle", "running", "paused", "finished"
