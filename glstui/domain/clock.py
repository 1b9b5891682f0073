"""The one clock of glstui: injectable so tests and snapshots are deterministic; and the one
TimeScale that says how fast a service's seconds run against ours (pacing and backoff)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, snapshots)."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


@dataclass(frozen=True)
class TimeScale:
    """How many of the service's seconds (Amazon's, GLS's) pass per real second, with the
    monotonic clock and the sleep that count and wait in real seconds.

    1 for the real services; the sandbox runs its clock `factor` times faster. Everything that
    paces (token buckets: rates x factor) or backs off (retry delays / factor) on either side
    reads it from one TimeScale, so the client and the sandbox can never count seconds apart.
    """

    factor: float = 1.0
    monotonic: Monotonic = time.monotonic
    sleep: Sleep = asyncio.sleep

    def __post_init__(self) -> None:
        if self.factor <= 0:
            raise ValueError("time_scale must be positive")

    def real(self, service_seconds: float) -> float:
        """Real seconds in which `service_seconds` of the service pass."""
        return service_seconds / self.factor

    def service(self, real_seconds: float) -> float:
        """The service's seconds that pass in `real_seconds`."""
        return real_seconds * self.factor


def to_iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with a trailing Z, the form Amazon and the store use."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
