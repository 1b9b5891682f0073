"""The one retry policy of glstui (Amazon and GLS): exponential backoff with full jitter.

Pure arithmetic, so both I/O layers (amazon/, gls/) may share it without importing each other.
Delays are in the service's own seconds and turned into real ones by the TimeScale
(glstui.domain.clock) that also paces the rate limiter, so the sandbox (whose clock runs faster)
and the tests never wait real minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from glstui.domain.clock import Monotonic, Sleep, TimeScale

__all__ = ["RETRY_STATUSES", "Monotonic", "RetryPolicy", "Sleep"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter; delays in service seconds, made real by
    `time_scale` (the Amazon client passes its TimeScale's factor, the one it paces by)."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    time_scale: float = 1.0

    def retryable_status(self, status: int) -> bool:
        return status in RETRY_STATUSES

    def ceiling(self, attempt: int) -> float:
        """The longest wait (real seconds) after failed attempt number `attempt` (1-based)."""
        service = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return TimeScale(self.time_scale).real(service)

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Real seconds to wait after failed attempt number `attempt` (1-based)."""
        return rng.uniform(0, self.ceiling(attempt))
