"""Token buckets and the retry policy, on a fake clock (no real waiting)."""

from __future__ import annotations

import asyncio
import random

import pytest

from glstui.amazon.ratelimit import RateLimiter, RetryPolicy, TimeScale, TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def scale(self, factor: float = 1.0) -> TimeScale:
        return TimeScale(factor, self.monotonic, self.sleep)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_default_limiter_paces_search_orders_at_amazons_usage_plan():
    """A fresh limiter lets Amazon's burst of 20 searches through, then one per ~178 s."""
    t = FakeTime()
    limiter = RateLimiter(scale=t.scale())
    start = t.now
    for _ in range(20):
        await limiter.acquire("searchOrders")
    assert t.now - start < 200  # the burst goes (almost) at once
    before = t.now
    await limiter.acquire("searchOrders")
    assert t.now - before == pytest.approx(1 / 0.0056, rel=0.05)


async def test_burst_then_one_call_per_interval():
    t = FakeTime()
    bucket = TokenBucket(0.5, 30, scale=t.scale())
    start = t.now
    for _ in range(30):
        await bucket.acquire()
    assert t.now - start < 3  # the burst (less a small safety margin) goes at once
    before = t.now
    for _ in range(10):
        await bucket.acquire()
    assert t.now - before == pytest.approx(10 / 0.5, abs=0.2)


async def test_time_scale_multiplies_the_rate():
    t = FakeTime()
    bucket = TokenBucket(0.0056, 20, scale=t.scale(1000))
    for _ in range(20):
        await bucket.acquire()
    before = t.now
    for _ in range(5):
        await bucket.acquire()
    assert t.now - before == pytest.approx(5 / 5.6, rel=0.05)


async def test_rate_follows_the_amazon_header():
    t = FakeTime()
    limiter = RateLimiter(scale=t.scale())
    limiter.observe("getOrder", "2.0")
    limiter.observe("getOrder", "garbage")  # ignored
    limiter.observe("getOrder", None)
    assert limiter.bucket("getOrder").rate == 2.0
    assert limiter.bucket("getOrder").burst == 30


async def test_a_429_empties_the_bucket():
    t = FakeTime()
    limiter = RateLimiter(scale=t.scale())
    await limiter.acquire("confirmShipment")
    limiter.throttled("confirmShipment")
    before = t.now
    await limiter.acquire("confirmShipment")
    assert t.now - before >= 0.5  # a full interval at 2 per second


def test_backoff_is_capped_jittered_and_scaled():
    policy = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=8.0, time_scale=10.0)
    rng = random.Random(7)
    for attempt in range(1, 10):
        ceiling = min(8.0, 2 ** (attempt - 1)) / 10.0
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # full jitter spreads over the whole range
    assert {policy.retryable_status(s) for s in (429, 500, 502, 503, 504)} == {True}
    assert not any(policy.retryable_status(s) for s in (400, 401, 403, 404))


async def test_a_caller_waits_for_the_held_first_answer_instead_of_spinning():
    """While the first request of a full bucket is out (nothing refills), the next caller
    waits for its answer: before, it slept in tiny steps, burning the CPU the answer needed."""
    t = FakeTime()

    async def yielding_sleep(seconds: float) -> None:
        await t.sleep(seconds)
        await asyncio.sleep(0)

    scale = TimeScale(1.0, t.monotonic, yielding_sleep)
    bucket = TokenBucket(2.0, 1, scale=scale, until_answered=True)
    await bucket.acquire()  # the first request goes out; its answer has not come
    second = asyncio.create_task(bucket.acquire())
    for _ in range(50):
        await asyncio.sleep(0)
    assert not second.done() and t.slept == []
    bucket.answered()
    await asyncio.wait_for(second, 1.0)
    assert t.slept == [pytest.approx(0.5)]  # then paced from the answer, at 2/s


async def test_requests_that_arrive_late_leave_no_tokens_amazon_never_had():
    """A burst of 10 whose first answer comes at once but whose other 9 wait on their way
    (a queue before the send) for longer than a refill: Amazon's bucket, full meanwhile,
    refilled nothing, so after those 9 land it holds 1 token. The next burst must be paced
    from that 1; before, the client had refilled to 10 and sent all 10 (9 x 429 at Amazon)."""
    t = FakeTime()
    bucket = TokenBucket(2.0, 10, scale=t.scale(), until_answered=True)
    for _ in range(10):
        await bucket.acquire()
    bucket.answered()  # the first arrives and is answered at once
    t.now += 10.0  # the other 9 are still on their way; Amazon's full bucket gains nothing
    for _ in range(9):
        bucket.answered()
    assert bucket.tokens == pytest.approx(1.0)
    start = t.now
    for _ in range(10):
        await bucket.acquire()
        bucket.answered()
    assert t.now - start == pytest.approx(9 / 2.0, abs=0.1)  # 1 at once, then 2 per second


async def test_a_request_never_sent_gives_its_token_back():
    t = FakeTime()
    bucket = TokenBucket(2.0, 10, scale=t.scale(), until_answered=True)
    await bucket.acquire()
    assert bucket.tokens == pytest.approx(9.0)
    bucket.withdrawn()
    assert bucket.tokens == pytest.approx(10.0)


async def test_backoff_and_pacing_read_one_time_scale():
    """The client's buckets, its retry waits and its token cache all run on its TimeScale."""
    from datetime import UTC, datetime

    import httpx

    from glstui.amazon.client import AppCredentials, SpApiClient
    from glstui.amazon.endpoints import Endpoints
    from glstui.domain.clock import FixedClock

    t = FakeTime()
    async with httpx.AsyncClient() as http:
        client = SpApiClient(
            http,
            Endpoints.sandbox("http://amazon.test"),
            AppCredentials("app", "cid", "secret"),
            FixedClock(datetime(2026, 11, 27, 8, 0, tzinfo=UTC)),
            time_scale=60.0,
            monotonic=t.monotonic,
            sleep=t.sleep,
        )
    bucket = client.limiter.bucket("confirmShipment", "A", "EU")
    assert bucket.scale is client.scale and client.scale.factor == 60.0
    assert bucket.real_rate == pytest.approx(2.0 * 60)
    assert client.retry.ceiling(1) == pytest.approx(1.0 / 60)
    assert client.lwa.time_scale == 60.0
