"""Pace every SP-API operation by its own per-seller token bucket (retries: domain.retry).

The buckets run on an injectable monotonic clock and sleep, and take a `time_scale`: rates
are multiplied by it (and retry delays divided by it, in RetryPolicy), so the sandbox (whose
clock runs faster) and the tests see Amazon's real limits without waiting real minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from glstui.domain.retry import RETRY_STATUSES, Monotonic, RetryPolicy, Sleep

__all__ = ["RETRY_STATUSES", "Monotonic", "RateLimiter", "RetryPolicy", "Sleep", "TokenBucket"]

# Published usage plans (requests per second, burst).
DEFAULT_LIMITS: dict[str, tuple[float, int]] = {
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
}

# The server's bucket starts counting when our first request reaches it, a little after we
# took our token; keep this much real time in hand so network jitter never costs a 429.
# It is paid once per bucket, not per call.
SAFETY_SECONDS = 0.05

# Real seconds a caller waits for the held first request's answer before it looks again
# (the answer normally ends the wait; this only guards against an answer never reported).
HOLD_GUARD_S = 5.0


class TokenBucket:
    """`rate` tokens per (Amazon) second up to `burst`; starts full, like Amazon's."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        time_scale: float = 1.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall: Monotonic = time.time,
        hold_first: bool = False,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.time_scale = time_scale
        self._monotonic = monotonic
        self._sleep = sleep
        self._wall = wall
        self._tokens = float(burst)
        self._last = monotonic()
        # Amazon's bucket starts when our first request arrives there, which under load can
        # be long after we took its token: from that take until its answer, count no refill.
        self._hold_first = hold_first
        self._holding = False
        self._answer: asyncio.Event | None = None  # set when the held request is answered
        self._lock = asyncio.Lock()
        self.waited = 0.0  # real seconds spent waiting, for reports

    @property
    def real_rate(self) -> float:
        return self.rate * self.time_scale

    def _refill(self) -> None:
        now = self._monotonic()
        if self._holding:
            self._last = now
            return
        self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.real_rate)
        self._last = now

    def _margin(self) -> float:
        return min(self.real_rate * SAFETY_SECONDS, max(self.burst - 1.0, 0.0))

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    async def acquire(self) -> None:
        async with self._lock:
            need = 1.0 + self._margin()
            while True:
                self._refill()
                if self._tokens >= need - 1e-9:
                    self._tokens -= 1.0
                    if self._hold_first:
                        self._hold_first, self._holding = False, True
                        self._answer = asyncio.Event()
                    return
                if self._holding and self._answer is not None:
                    # No refill counts until the held request's answer: wait for that answer
                    # (a timeout only as a guard) instead of sleeping in tiny steps.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._answer.wait(), HOLD_GUARD_S)
                    continue
                delay = max((need - self._tokens) / self.real_rate, 1e-6)
                self.waited += delay
                await self._sleep(delay)

    def drain(self) -> None:
        """Amazon said 429: our count was too optimistic, start again from empty."""
        self._refill()
        self._tokens = min(self._tokens, 0.0)

    def answered(self) -> None:
        """A request of this bucket got its answer (or failed): refill counts again."""
        if self._holding:
            self._holding = False
            self._last = self._monotonic()
            if self._answer is not None:
                self._answer.set()

    def snapshot(self) -> tuple[float, float]:
        """(tokens now, wall-clock time): what another process needs to go on pacing."""
        return self.tokens, self._wall()

    def resume(self, tokens: float, at: float) -> None:
        """Go on from a snapshot taken at wall time `at`, perhaps by another process that
        used the same seller's bucket at Amazon: never more tokens than that left."""
        self._refill()
        since = max(0.0, self._wall() - at)
        left = max(0.0, tokens)  # a snapshot read from disk is not trusted to be sane
        self._tokens = min(self._tokens, float(self.burst), left + since * self.real_rate)

    def set_rate(self, rate: float) -> None:
        if rate > 0 and abs(rate - self.rate) > 1e-12:
            self._refill()
            self.rate = rate


BucketKey = tuple[str, str, str]  # (selling partner, region, operation)


class RateLimiter:
    """One bucket per (selling partner, region, operation), made on first use.

    Amazon's usage plans are per selling partner and application, so each shop paces on
    its own buckets: one shop's empty bucket never delays another shop's call.
    """

    def __init__(
        self,
        limits: dict[str, tuple[float, int]] | None = None,
        *,
        time_scale: float = 1.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall: Monotonic = time.time,
        hold_first: bool = False,
    ) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self.time_scale = time_scale
        self._monotonic = monotonic
        self._sleep = sleep
        self._wall = wall
        self._hold_first = hold_first  # see TokenBucket: callers then report `answered`
        self.buckets: dict[BucketKey, TokenBucket] = {}

    def bucket(self, operation: str, seller: str = "", region: str = "") -> TokenBucket:
        key = (seller, region, operation)
        b = self.buckets.get(key)
        if b is None:
            rate, burst = self.limits.get(operation, (1.0, 5))
            b = TokenBucket(
                rate,
                burst,
                time_scale=self.time_scale,
                monotonic=self._monotonic,
                sleep=self._sleep,
                wall=self._wall,
                hold_first=self._hold_first,
            )
            self.buckets[key] = b
        return b

    async def acquire(self, operation: str, seller: str = "", region: str = "") -> None:
        await self.bucket(operation, seller, region).acquire()

    def observe(
        self, operation: str, rate_limit_header: str | None, seller: str = "", region: str = ""
    ) -> None:
        """Follow Amazon's x-amzn-RateLimit-Limit (this seller's rate) when it is sent."""
        if not rate_limit_header:
            return
        try:
            rate = float(rate_limit_header)
        except ValueError:
            return
        self.bucket(operation, seller, region).set_rate(rate)

    def answered(self, operation: str, seller: str = "", region: str = "") -> None:
        self.bucket(operation, seller, region).answered()

    def throttled(self, operation: str, seller: str = "", region: str = "") -> None:
        self.bucket(operation, seller, region).drain()

    def state(self, seller: str, region: str) -> dict[str, tuple[float, float]]:
        """The seller's buckets as snapshots, by operation (for the next process)."""
        return {
            op: b.snapshot() for (s, r, op), b in self.buckets.items() if (s, r) == (seller, region)
        }

    def resume(self, seller: str, region: str, state: dict[str, tuple[float, float]]) -> None:
        """Start the seller's buckets from the snapshots another process left."""
        for operation, (tokens, at) in state.items():
            self.bucket(operation, seller, region).resume(tokens, at)
