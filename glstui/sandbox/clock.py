"""The sandbox's simulated clock: starts at a given (or the real) time and runs `time_scale`
times faster than real time, so Amazon's minutes pass in seconds. Its TimeScale is the one the
sandbox's token buckets refill by (and the client paces by the same number)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from glstui.domain.clock import TimeScale


class SimClock:
    def __init__(
        self,
        start: datetime | None = None,
        time_scale: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scale = TimeScale(time_scale, monotonic)
        self._lock = threading.Lock()
        self._start = (start or datetime.now(UTC)).astimezone(UTC)
        self._t0 = monotonic()

    @property
    def time_scale(self) -> float:
        return self.scale.factor

    def now(self) -> datetime:
        with self._lock:
            elapsed = self.scale.service(self.scale.monotonic() - self._t0)
            return self._start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        """Jump the simulated time forward (tests: expire a code, let orders arrive)."""
        with self._lock:
            self._start += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        with self._lock:
            self._start = when.astimezone(UTC)
            self._t0 = self.scale.monotonic()
