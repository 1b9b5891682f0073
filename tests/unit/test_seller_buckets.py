"""Each selling partner paces on its own buckets (issue 15): Amazon's plans are per seller."""

from __future__ import annotations

import asyncio

from glstui.amazon.client import seller_key
from glstui.amazon.ratelimit import RateLimiter, TimeScale


class FakeClock:
    """A monotonic clock that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.by_task: list[tuple[str, float]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        task = asyncio.current_task()
        self.by_task.append((task.get_name() if task else "", seconds))
        self.now += seconds


def test_shop_b_is_not_delayed_by_shop_a_empty_bucket():
    clock = FakeClock()
    limiter = RateLimiter(
        {"searchOrders": (0.0056, 20)}, scale=TimeScale(1.0, clock.monotonic, clock.sleep)
    )
    a, b = seller_key("Atzr|shop-a"), seller_key("Atzr|shop-b")

    async def run() -> None:
        for _ in range(19):  # A uses its burst down to its last token
            await limiter.acquire("searchOrders", a, "eu")
        assert clock.slept == []
        await limiter.acquire("searchOrders", b, "eu")  # B: at once
        assert clock.slept == []
        await limiter.acquire("searchOrders", a, "eu")  # A's last token, then empty
        await limiter.acquire("searchOrders", a, "eu")  # A: waits for its own refill
        assert clock.slept and sum(clock.slept) > 100

    asyncio.run(run())


def test_a_429_drains_only_that_seller_and_rate_header_is_per_seller():
    clock = FakeClock()
    limiter = RateLimiter(scale=TimeScale(1.0, clock.monotonic, clock.sleep))
    limiter.throttled("confirmShipment", "A", "eu")
    limiter.observe("confirmShipment", "0.5", "A", "eu")
    assert limiter.bucket("confirmShipment", "A", "eu").tokens == 0
    assert limiter.bucket("confirmShipment", "B", "eu").tokens == 10
    assert limiter.bucket("confirmShipment", "B", "eu").rate == 2.0
    assert limiter.bucket("confirmShipment", "A", "eu").rate == 0.5
    # the same seller in another region has its own plan
    assert limiter.bucket("confirmShipment", "A", "fe").tokens == 10


def test_seller_key_differs_per_refresh_token_and_is_not_the_secret():
    assert seller_key("Atzr|one") != seller_key("Atzr|two")
    assert "Atzr" not in seller_key("Atzr|one")


def test_a_shop_in_a_429_storm_does_not_slow_another_shop():
    import httpx

    from glstui.amazon.client import AppCredentials, SpApiClient
    from glstui.amazon.endpoints import Endpoints
    from glstui.domain.clock import FixedClock
    from tests.integration.conftest import SANDBOX_START

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            refresh = dict(httpx.QueryParams(request.content.decode()))["refresh_token"]
            return httpx.Response(200, json={"access_token": "Atza|" + refresh, "expires_in": 3600})
        if request.headers["x-amz-access-token"].endswith("storm"):
            return httpx.Response(429, json={"errors": [{"code": "QuotaExceeded"}]})
        return httpx.Response(200, json={"orders": [], "pagination": {}})

    clock = FakeClock()

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = SpApiClient(
                http,
                Endpoints.sandbox("http://amazon.test"),
                AppCredentials("app", "cid", "secret"),
                FixedClock(SANDBOX_START),
                monotonic=clock.monotonic,
                sleep=clock.sleep,
            )

            async def search(token: str) -> int:
                pages = 0
                for _ in range(15):
                    async for _page in client.search_orders(
                        token, "EU", ["A1PA6795UKMFR9"], created_after=SANDBOX_START
                    ):
                        pages += 1
                return pages

            storm, calm = await asyncio.gather(
                asyncio.create_task(search("Atzr|storm"), name="storm"),
                asyncio.create_task(search("Atzr|calm"), name="calm"),
                return_exceptions=True,
            )
            assert isinstance(storm, Exception)  # the storm shop gives up
            assert calm == 15  # the calm shop got every page...
            # ...without once waiting for the storm shop's drained bucket
            assert [s for name, s in clock.by_task if name == "calm"] == []
            assert [s for name, s in clock.by_task if name == "storm"]

    asyncio.run(run())
