"""Control: the thread-safe pause, resume, step, stop, learning-rate and pace requests of a
running engine."""

from __future__ import annotations

import math
import threading
import time


class Control:
    """Thread-safe pause / resume / step / stop, learning-rate changes and a pace for a
    running engine.

    Another thread calls the verbs. The engine reads `needs_attention`, one plain attribute,
    once per batch: only when it is set does it look at the rest. It blocks in `wait_turn`
    while paused and in `wait_paced` between paced steps; every verb wakes both at once.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._paused = False
        self._stopped = False
        self._granted_steps = 0
        self._learning_rate: float | None = None
        self._pace: float | None = None
        self._look = False  # a paused run is asked to report again (the views changed)
        # True while anything asks the engine to look: pause, stop, a new learning rate, a
        # pace. One attribute read per batch, so an untouched run pays nothing more.
        self.needs_attention = False

    def pause(self) -> None:
        """Hold the run before its next batch."""
        with self._condition:
            self._paused = True
            self._changed()

    def resume(self) -> None:
        """Let a paused run go on."""
        with self._condition:
            self._paused = False
            self._look = False
            self._changed()

    def look(self) -> None:
        """A paused run: report once more (`Paused`) and stay paused, so the views inside the
        network can be computed for what the window now asks (another layer, another image).
        A running engine reports a few times a second anyway: nothing to do."""
        with self._condition:
            if self._paused:
                self._look = True
                self._changed()

    def take_look(self) -> bool:
        """Whether `look` was asked since the last call; once."""
        with self._condition:
            asked, self._look = self._look, False
            return asked

    def step(self) -> None:
        """Run exactly one more batch (at once, whatever the pace), then stay paused."""
        with self._condition:
            self._paused = True
            self._granted_steps += 1
            self._changed()

    def stop(self) -> None:
        """End the run before its next batch, paused or not."""
        with self._condition:
            self._stopped = True
            self._changed()

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate before the next batch."""
        with self._condition:
            self._learning_rate = learning_rate
            self._changed()

    def set_pace(self, steps_per_second: float | None) -> None:
        """At most this many steps a second, from the next batch on; None: full speed."""
        if steps_per_second is not None and not (
            math.isfinite(steps_per_second) and steps_per_second > 0
        ):
            raise ValueError(
                f"a pace must be a positive number of steps a second, not {steps_per_second}"
            )
        with self._condition:
            self._pace = steps_per_second
            self._changed()

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def pace(self) -> float | None:
        """The most steps a second the run may take; None at full speed."""
        return self._pace

    @property
    def must_wait(self) -> bool:
        """True when the next batch would block: paused with no step granted."""
        return self._paused and not self._granted_steps and not self._stopped

    def wait_turn(self) -> bool:
        """Block while paused; take a granted step if any. False means stop. A `look` ends
        the wait too, taking no step: the caller checks `take_look` and waits again."""
        with self._condition:
            while self._paused and not self._granted_steps and not self._stopped:
                if self._look:
                    return True
                self._condition.wait()
            if self._stopped:
                return False
            if self._paused:
                self._granted_steps -= 1
            return True

    def wait_paced(self, last_step: float) -> None:
        """Paced: wait until 1 / pace seconds after `last_step` (a `time.perf_counter()`), the
        pace read afresh at every change. Pause, step and stop end the wait at once, and so
        does full speed (pace None)."""
        with self._condition:
            while self._pace is not None and not (self._paused or self._stopped):
                remaining = last_step + 1 / self._pace - time.perf_counter()
                if remaining <= 0:
                    return
                self._condition.wait(remaining)

    def take_learning_rate(self) -> float | None:
        """The learning rate set since the last call, once; None when unchanged."""
        if self._learning_rate is None:
            return None
        with self._condition:
            value, self._learning_rate = self._learning_rate, None
            self._changed()
            return value

    def _changed(self) -> None:
        """After any change, with the lock held: say whether the engine must look, and wake
        it wherever it waits."""
        self.needs_attention = (
            self._paused
            or self._stopped
            or self._learning_rate is not None
            or self._pace is not None
        )
        self._condition.notify_all()
