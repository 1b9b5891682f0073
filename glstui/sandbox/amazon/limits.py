"""Amazon's per-operation token buckets in the sandbox (one per seller and operation, refilled
faster by the time scale): an empty bucket answers 429 QuotaExceeded."""

from __future__ import annotations

from glstui.domain.clock import TimeScale
from glstui.sandbox.amazon.responses import MSG_QUOTA, ApiError
from glstui.sandbox.amazon.state import SimState


class Bucket:
    """Refills by the sandbox clock's TimeScale (its factor and its monotonic clock)."""

    def __init__(self, rate: float, burst: int, scale: TimeScale) -> None:
        self.rate, self.burst, self.tokens = rate, burst, float(burst)
        self._scale = scale
        self.last = scale.monotonic()

    def take(self) -> bool:
        now = self._scale.monotonic()
        gained = self._scale.service(now - self.last) * self.rate
        self.tokens = min(float(self.burst), self.tokens + gained)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class LimitsMixin(SimState):
    def _take(self, seller: str, operation: str) -> None:
        if not self.enforce_rate_limits:
            return
        key = (seller, operation)
        bucket = self._buckets.get(key)
        if bucket is None:
            rate, burst = self.rate_limits.get(operation, (1.0, 5))
            bucket = self._buckets[key] = Bucket(rate, burst, self.clock.scale)
        if not bucket.take():
            self.throttled += 1
            raise ApiError(429, "QuotaExceeded", MSG_QUOTA)

    def rate_header(self, operation: str) -> dict[str, str]:
        """The x-amzn-RateLimit-Limit header Amazon sends with the answers of `operation`."""
        if operation not in self.rate_limits:
            return {}
        return {"x-amzn-RateLimit-Limit": f"{self.rate_limits[operation][0]:g}"}
