"""Control: the thread-safe pause, resume, step and stop flags of a running engine."""

from __future__ import annotations

import threading


class Control:
    """Thread-safe pause / resume / step / stop and learning-rate changes for a running engine.

    Another thread calls the verbs; the engine checks `must_wait` and `stopped` once per batch
    and blocks in `wait_turn` while paused, so a stop or step reaches it at once.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._paused = False
        self._stopped = False
        self._granted_steps = 0
        self._learning_rate: float | None = None

    def pause(self) -> None:
        """Hold the run before its next batch."""
        with self._condition:
            self._paused = True

    def resume(self) -> None:
        """Let a paused run go on."""
        with self._condition:
            self._paused = False
            self._condition.notify_all()

    def step(self) -> None:
        """Run exactly one more batch, then stay paused."""
        with self._condition:
            self._paused = True
            self._granted_steps += 1
            self._condition.notify_all()

    def stop(self) -> None:
        """End the run before its next batch, paused or not."""
        with self._condition:
            self._stopped = True
            self._condition.notify_all()

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate before the next batch."""
        with self._condition:
            self._learning_rate = learning_rate

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def must_wait(self) -> bool:
        """True when the next batch would block: paused with no step granted."""
        return self._paused and not self._granted_steps and not self._stopped

    def wait_turn(self) -> bool:
        """Block while paused; take a granted step if any. False means stop."""
        with self._condition:
            while self._paused and not self._granted_steps and not self._stopped:
                self._condition.wait()
            if self._stopped:
                return False
            if self._paused:
                self._granted_steps -= 1
            return True

    def take_learning_rate(self) -> float | None:
        """The learning rate set since the last call, once; None when unchanged."""
        if self._learning_rate is None:
            return None
        with self._condition:
            value, self._learning_rate = self._learning_rate, None
            return value
