"""The sandbox's simulated clock: starts at a given (or the real) time and runs
`time_scale` times faster than real time, so Amazon's minutes pass in seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SimClock:
    def __init__(
        self,
        start: datetime | None = None,
        time_scale: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._start = (start or datetime.now(UTC)).astimezone(UTC)
        self._t0 = monotonic()

    def now(self) -> datetime:
        with self._lock:
            elapsed = (self._monotonic() - self._t0) * self.time_scale
            return self._start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        """Jump the simulated time forward (tests: expire a code, let orders arrive)."""
        with self._lock:
            self._start += timedelta(seconds=seconds)

    def set(self, when: datetime) -> None:
        with self._lock:
            self._start = when.astimezone(UTC)
            self._t0 = self._monotonic()

    def real_seconds(self, simulated_seconds: float) -> float:
        return simulated_seconds / self.time_scale
