"""Pace every SP-API operation by its own per-seller token bucket (retries: domain.retry).

The buckets count and wait on a TimeScale (glstui.domain.clock): rates are multiplied by its
factor (and retry delays divided by it, in RetryPolicy), so the sandbox (whose clock runs
faster) and the tests see Amazon's real limits without waiting real minutes.

Requests in flight: Amazon takes a request's token when the request arrives there, somewhere
between our take and its answer, and a full bucket refills nothing. If we counted the token
as gone at our take, a request that waits long on its way (a queue in front of the send, a
slow connection) lets our bucket refill while Amazon's, still full, refills nothing: we then
believe in tokens Amazon never had, and the next burst meets a 429. So a bucket that is told
about answers (`until_answered`) counts each request as gone from the moment it is taken but
settles it in the refilling part only at its answer: what we see is never more than Amazon
has, however late each request arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from glstui.domain.clock import Monotonic, Sleep, TimeScale
from glstui.domain.retry import RETRY_STATUSES, RetryPolicy

__all__ = [
    "RETRY_STATUSES",
    "Monotonic",
    "RateLimiter",
    "RetryPolicy",
    "Sleep",
    "TimeScale",
    "TokenBucket",
]

# Published usage plans (requests per second, burst).
DEFAULT_LIMITS: dict[str, tuple[float, int]] = {
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
}

# Keep this much real time of refill in hand before a take (clock granularity, the moment
# between our count and the server's); paid once per bucket, not per call.
SAFETY_SECONDS = 0.05

# Real seconds a caller waits for an answer before it looks again (an answer normally ends
# the wait; this only guards against an answer never reported).
ANSWER_GUARD_S = 5.0


class TokenBucket:
    """`rate` tokens per (Amazon) second up to `burst`; starts full, like Amazon's.

    With `until_answered`, every `acquire` must be followed by `answered()` (the request got
    an answer or may have reached Amazon) or `withdrawn()` (it never went out).
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        scale: TimeScale | None = None,
        wall: Monotonic = time.time,
        until_answered: bool = False,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.scale = scale or TimeScale()
        self._wall = wall
        self._settled = float(burst)  # the bucket of answered requests (it refills, capped)
        self._in_flight = 0  # taken, not yet answered: already gone from what we may use
        self._until_answered = until_answered
        self._last = self.scale.monotonic()
        self._answer = asyncio.Event()  # set on every answer, cleared by whoever waits
        self._lock = asyncio.Lock()
        self.waited = 0.0  # real seconds spent waiting, for reports

    @property
    def time_scale(self) -> float:
        return self.scale.factor

    @property
    def real_rate(self) -> float:
        return self.scale.service(self.rate)

    def _refill(self) -> None:
        now = self.scale.monotonic()
        gained = (now - self._last) * self.real_rate
        self._settled = min(float(self.burst), self._settled + gained)
        self._last = now

    def _margin(self) -> float:
        return min(self.real_rate * SAFETY_SECONDS, max(self.burst - 1.0, 0.0))

    @property
    def tokens(self) -> float:
        """What may be used now: the settled bucket less the requests still out."""
        self._refill()
        return self._settled - self._in_flight

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                self._refill()
                # A full bucket is as full at Amazon (we never count more than it has); only
                # tokens counted from refill need the margin.
                full = self._settled >= self.burst - 1e-9
                need = 1.0 if full else 1.0 + self._margin()
                if self._settled - self._in_flight >= need - 1e-9:
                    if self._until_answered:
                        self._in_flight += 1
                    else:
                        self._settled -= 1.0
                    return
                if self._in_flight and full:
                    # Full, so nothing refills until an answer settles a request: wait for
                    # that answer instead of sleeping in steps.
                    self._answer.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._answer.wait(), ANSWER_GUARD_S)
                    continue
                delay = max((need - self._settled + self._in_flight) / self.real_rate, 1e-6)
                self.waited += delay
                await self.scale.sleep(delay)

    def answered(self) -> None:
        """A request taken with `until_answered` got its answer (or may have reached Amazon)."""
        if self._in_flight:
            self._refill()
            self._in_flight -= 1
            self._settled -= 1.0
            self._answer.set()

    def withdrawn(self) -> None:
        """A request taken with `until_answered` never went out: its token was not used."""
        if self._in_flight:
            self._in_flight -= 1
            self._answer.set()

    def drain(self) -> None:
        """Amazon said 429: our count was too optimistic, start again from empty."""
        self._refill()
        self._settled = min(self._settled, float(self._in_flight))

    def snapshot(self) -> tuple[float, float]:
        """(tokens now, wall-clock time): what another process needs to go on pacing."""
        return self.tokens, self._wall()

    def resume(self, tokens: float, at: float) -> None:
        """Go on from a snapshot taken at wall time `at`, perhaps by another process that
        used the same seller's bucket at Amazon: never more tokens than that left."""
        self._refill()
        since = max(0.0, self._wall() - at)
        left = max(0.0, tokens)  # a snapshot read from disk is not trusted to be sane
        usable = min(self.tokens, float(self.burst), left + since * self.real_rate)
        self._settled = usable + self._in_flight

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
        scale: TimeScale | None = None,
        wall: Monotonic = time.time,
        until_answered: bool = False,
    ) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self.scale = scale or TimeScale()
        self._wall = wall
        self._until_answered = until_answered  # see TokenBucket: callers then report answers
        self.buckets: dict[BucketKey, TokenBucket] = {}

    @property
    def time_scale(self) -> float:
        return self.scale.factor

    def bucket(self, operation: str, seller: str = "", region: str = "") -> TokenBucket:
        key = (seller, region, operation)
        b = self.buckets.get(key)
        if b is None:
            rate, burst = self.limits.get(operation, (1.0, 5))
            b = TokenBucket(
                rate, burst, scale=self.scale, wall=self._wall, until_answered=self._until_answered
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

    def withdrawn(self, operation: str, seller: str = "", region: str = "") -> None:
        self.bucket(operation, seller, region).withdrawn()

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
