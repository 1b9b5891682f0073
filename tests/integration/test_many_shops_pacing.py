"""Many shops on one Amazon client against the sandbox (issue 15): no 429, however late the
requests of a burst reach Amazon; no bucket token spent on a call refused for its token."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import timedelta

from glstui.sandbox import Sandbox

CONFIRM = re.compile(r"^/orders/v0/orders/([^/]+)/shipmentConfirmation$")
SEARCH = "/orders/2026-01-01/orders"
ALL_EU = ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]


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


def _unshipped(sb: Sandbox, seller: str, n: int) -> list:
    orders = [
        o
        for o in sb.orders_of(seller).values()
        if o.status == "UNSHIPPED" and o.fulfilled_by == "MERCHANT"
    ][:n]
    assert len(orders) == n
    return orders


async def test_twenty_shops_confirm_without_a_429_when_a_burst_arrives_late(
    make_sandbox, make_client
):
    """Each of 20 shops takes its burst of 10 confirmations at once; the first goes out, the
    other 9 wait on their way (as behind the outbox's one checking thread) longer than a
    refill. Amazon's bucket, full while they wait, refills nothing: once they land it holds
    1 token. The next 10 of every shop must be paced from that 1. Before, the client had
    counted the refill as its own, sent 10 at once, and the sandbox answered 429s."""
    sellers = {f"A{n:012d}PACE": f"Shop {n}" for n in range(20)}
    # confirmShipment 2/s, burst 10; at 2x a full refill takes 2.5 real seconds
    sb = make_sandbox(orders=120, time_scale=2.0, arrivals_per_hour=0, sellers=sellers)
    client = make_client(sb)
    tokens = {s: sb.issue_refresh_token(s) for s in sellers}
    for token in tokens.values():  # LWA first, as a delivery run has it
        await client.check_refresh_token(token)
    orders = {s: _unshipped(sb, s, 20) for s in sellers}
    on_their_way = asyncio.Event()

    async def held() -> None:
        await on_their_way.wait()

    def confirm(seller: str, order, before_send=None) -> asyncio.Task:
        return asyncio.create_task(
            client.confirm_shipment(
                tokens[seller], "EU", order.order_id, _body(order), before_send=before_send
            )
        )

    firsts = [confirm(s, orders[s][0]) for s in sellers]
    late = [confirm(s, o, held) for s in sellers for o in orders[s][1:10]]
    await asyncio.gather(*firsts)
    await asyncio.sleep(3.0)  # longer than a full refill at 2x: Amazon's buckets stay full
    on_their_way.set()
    await asyncio.gather(*late)
    await asyncio.gather(*(confirm(s, o) for s in sellers for o in orders[s][10:20]))

    assert sb.throttled == 0 and client.throttled == {}
    accepted = Counter(
        m.group(1) for r in sb.request_log if (m := CONFIRM.match(r.path)) and r.status == 204
    )
    assert len(accepted) == 400 and set(accepted.values()) == {1}


async def test_a_call_refused_for_its_access_token_costs_no_token_of_the_bucket(
    make_sandbox, make_client
):
    """Amazon knows the seller only from a token it accepts: the 403 for a retired access
    token is charged to no seller's bucket, so its retry with a fresh token costs one token,
    not two (before, the client counted both and paced the rest of the run by it)."""
    sb = make_sandbox(time_scale=1.0)  # getOrder 0.5/s, burst 30: no refill worth counting
    client = make_client(sb)
    token = sb.issue_refresh_token()
    sb.faults.add("expired_access_token")
    await client.get_order(token, "EU", next(iter(sb.orders)))
    assert [r.status for r in sb.requests(SEARCH + "/")] == [403, 200]
    bucket = next(iter(client.limiter.buckets.values()))
    assert 29 <= bucket.tokens < 29.5


async def test_thirty_shops_searching_at_once_share_a_bounded_pool_kept_alive(make_sandbox):
    """30 shops paging through their orders at once hold at most MAX_CONNECTIONS connections
    to Amazon, and keep them: no connection is closed and opened again between pages (before,
    the client kept 5 of its 10 alive, so the others were reopened for nearly every call)."""
    from glstui.amazon.client import MAX_CONNECTIONS, SpApiClient, default_http_client
    from glstui.amazon.endpoints import Endpoints
    from tests.integration.conftest import DEMO_CREDENTIALS

    sellers = {f"A{n:012d}POOL": f"Shop {n}" for n in range(30)}
    sb = make_sandbox(orders=200, time_scale=1000.0, arrivals_per_hour=0, sellers=sellers)
    async with default_http_client() as http:
        client = SpApiClient(
            http, Endpoints.sandbox(sb.base_url), DEMO_CREDENTIALS, sb.clock, sb.time_scale
        )

        async def shop(seller: str) -> int:
            token = sb.issue_refresh_token(seller)
            start = sb.clock.now() - timedelta(days=30)
            pages = client.search_orders(
                token, "EU", ALL_EU, created_after=start, fulfillment_statuses=(), fulfilled_by=()
            )
            return sum([len(p.orders) async for p in pages])

        counts = await asyncio.gather(*(shop(s) for s in sellers))
    assert counts == [200] * 30
    assert [r.status for r in sb.requests(SEARCH)].count(200) == 30 * 2
    assert sb.peak_connections <= MAX_CONNECTIONS
    assert sb.connections_opened <= MAX_CONNECTIONS
