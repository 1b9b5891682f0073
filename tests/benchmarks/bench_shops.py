"""Many shops at once (issue 15): does each seller get its own pace, with no 429?

S sellers on one sandbox (which keeps one bucket per seller, as Amazon does) are imported
through ONE SpApiClient at once. Simulated time is divided by the floor of the busiest seller:
its pages beyond the burst at 1/rate, or else the measured unthrottled work (limits off).
Run: python tests/benchmarks/bench_shops.py [--quick]; exits 1 when a target fails.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx

from glstui.amazon.client import AppCredentials, SpApiClient
from glstui.amazon.endpoints import Endpoints
from glstui.amazon.ratelimit import DEFAULT_LIMITS
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox

TIME_SCALE = 1000.0
START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
CREDS = AppCredentials(DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
MIDS = ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
RATE, BURST = DEFAULT_LIMITS["searchOrders"]
TARGET = 1.1


async def import_all(shops: int, orders: int, enforce: bool) -> dict[str, float]:
    sellers = {f"A{n:012d}BENCH": f"Bench shop {n}" for n in range(shops)}
    sb = Sandbox(
        orders=orders,
        time_scale=TIME_SCALE,
        start=START,
        arrivals_per_hour=0,
        sellers=sellers,
        enforce_rate_limits=enforce,
    )
    with sb:
        async with httpx.AsyncClient(timeout=30) as http:
            client = SpApiClient(
                http,
                Endpoints.sandbox(sb.base_url),
                CREDS,
                sb.clock,
                time_scale=TIME_SCALE,
                limits=None if enforce else {"searchOrders": (1e9, 10**6)},
            )
            tokens = [sb.issue_refresh_token(s) for s in sellers]
            for t in tokens:
                await client.check_refresh_token(t)  # LWA outside the measured part
            pages: list[int] = []

            async def one(token: str) -> None:
                n = 0
                async for _page in client.search_orders(
                    token,
                    "EU",
                    MIDS,
                    created_after=START - timedelta(days=30),
                    fulfillment_statuses=(),
                    fulfilled_by=(),
                ):
                    n += 1
                pages.append(n)

            t0 = time.perf_counter()
            await asyncio.gather(*(one(t) for t in tokens))
            real = time.perf_counter() - t0
        return {"sim": real * TIME_SCALE, "pages": max(pages), "throttled": sb.throttled}


CONFIRM_RATE, CONFIRM_BURST = DEFAULT_LIMITS["confirmShipment"]


def _body(order) -> dict:
    return {
        "marketplaceId": order.marketplace_id,
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "GLS",
            "carrierName": "GLS",
            "shippingMethod": "BusinessParcel",
            "trackingNumber": "05811234567",
            "shipDate": "2026-11-27T10:00:00Z",
            "orderItems": [
                {"orderItemId": i.order_item_id, "quantity": i.quantity} for i in order.items
            ],
        },
    }


async def confirm_all(shops: int, labels: int, enforce: bool) -> dict[str, float]:
    sellers = {f"A{n:012d}BENCH": f"Bench shop {n}" for n in range(shops)}
    sb = Sandbox(
        orders=labels * 6,  # enough UNSHIPPED merchant orders for every seller
        time_scale=TIME_SCALE,
        start=START,
        arrivals_per_hour=0,
        sellers=sellers,
        enforce_rate_limits=enforce,
    )
    with sb:
        async with httpx.AsyncClient(timeout=30) as http:
            client = SpApiClient(
                http,
                Endpoints.sandbox(sb.base_url),
                CREDS,
                sb.clock,
                time_scale=TIME_SCALE,
                limits=None if enforce else {"confirmShipment": (1e9, 10**6)},
            )
            work = []
            for seller in sellers:
                token = sb.issue_refresh_token(seller)
                await client.check_refresh_token(token)
                open_ = [
                    o
                    for o in sb.orders_of(seller).values()
                    if o.status == "UNSHIPPED" and o.fulfilled_by == "MERCHANT"
                ][:labels]
                assert len(open_) == labels, (seller, len(open_))
                work.append((token, open_))

            async def one(token: str, orders: list) -> None:
                for o in orders:
                    await client.confirm_shipment(token, "EU", o.order_id, _body(o))

            t0 = time.perf_counter()
            await asyncio.gather(*(one(t, os_) for t, os_ in work))
            real = time.perf_counter() - t0
        return {"sim": real * TIME_SCALE, "throttled": sb.throttled}


async def confirm_row(shops: int, labels: int) -> bool:
    free = await confirm_all(shops, labels, enforce=False)
    paced = await confirm_all(shops, labels, enforce=True)
    floor = max(free["sim"], max(labels - CONFIRM_BURST, 0) / CONFIRM_RATE)
    ratio = paced["sim"] / floor if floor else 0.0
    ok = ratio <= TARGET and paced["throttled"] == 0
    print(
        f"confirm {shops} shops x {labels}: simulated {paced['sim']:.1f} s, "
        f"floor {floor:.1f} s, ratio {ratio:.2f}, {paced['throttled']:.0f} x 429"
        f"{'' if ok else '  FAIL'}"
    )
    return ok


async def import_row(shops: int, orders: int) -> bool:
    free = await import_all(shops, orders, enforce=False)
    paced = await import_all(shops, orders, enforce=True)
    floor = max(free["sim"], max(paced["pages"] - BURST, 0) / RATE)
    ratio = paced["sim"] / floor if floor else 0.0
    ok = ratio <= TARGET and paced["throttled"] == 0
    print(
        f"import {shops} shops x {orders} orders: simulated {paced['sim']:.1f} s, "
        f"floor {floor:.1f} s, ratio {ratio:.2f}, {paced['throttled']:.0f} x 429"
        f"{'' if ok else '  FAIL'}"
    )
    return ok


async def main(quick: bool) -> int:
    sizes = [1, 5] if quick else [1, 5, 20]
    counts = [300] if quick else [300, 1000]
    ok = True
    for orders in counts:
        for shops in sizes:
            ok = await import_row(shops, orders) and ok
    for shops in sizes:
        ok = await confirm_row(shops, 30) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main("--quick" in sys.argv)))
