"""The client's requests and the sandbox's answers, checked against Amazon's own models
(tests/specs/amazon/*.json, Swagger 2.0; amazon_models.py) so neither can drift from the real API.

Object definitions are made strict (no unknown properties), so a misspelt field in the sandbox
or in glstui's confirmShipment body fails here instead of passing silently. Every request the
client sends in the integration tests is checked too (conftest.py, at each test's teardown).
"""

from __future__ import annotations

from datetime import timedelta

from amazon_models import V0, V2026, check, check_query, errors_of
from test_labels_world import make_world

from glstui.domain import label_request
from glstui.domain.order import Order, OrderItem
from glstui.services import labelling, outbox

SEARCH = "/orders/2026-01-01/orders"
ALL = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES")


def _ship_something(sandbox):
    """An unshipped order at Amazon, and glstui's own confirmShipment body for it (1 parcel)."""
    sim = next(o for o in sandbox.orders.values() if o.status == "UNSHIPPED")
    items = [OrderItem(i.order_item_id, i.sku, i.title, i.quantity) for i in sim.items]
    order = Order("shop", sim.order_id, sim.marketplace_id, items=items)
    (parcel,) = label_request.split_items(order.items, 1)
    body = label_request.confirmation_payload(
        order,
        sim.marketplace_id,
        "1",
        "56570010000001",
        "BusinessParcel",
        sandbox.clock.now(),
        parcel,
    )
    return sim, body


async def test_glstuis_confirmation_payloads_are_confirm_shipment_requests(make_sandbox, tmp_path):
    """The bodies glstui stores for the outbox (label_request.confirmation_payload, one per parcel,
    also for a split order) are ConfirmShipmentRequests, and Amazon takes each of them."""
    sandbox = make_sandbox(seed=5, orders=40, time_scale=60.0, arrivals_per_hour=0)
    world = make_world(sandbox, tmp_path / "data")
    keys = (await world.import_orders())[:4]
    run = await labelling.create_labels(world.ctx, keys, world.report, deliver=False)
    assert run.labelled == len(keys) == 4
    entries = world.outbox()
    assert len(entries) >= len(keys)
    for entry in entries:
        check(V0, "ConfirmShipmentRequest", entry.payload)

    # a parcel per unit of an order with several: each parcel's body is a request of its own
    order = max(world.orders().values(), key=lambda o: sum(i.quantity for i in o.items))
    units = sum(i.quantity for i in order.items)
    assert units >= 2
    for n, parcel in enumerate(label_request.split_items(order.items, units), start=1):
        body = label_request.confirmation_payload(
            order, order.marketplace_id, str(n), f"5657001{n:07d}", "BusinessParcel",
            world.clock.now(), parcel,
        )  # fmt: skip
        check(V0, "ConfirmShipmentRequest", body)

    # the check has teeth: a number where Amazon wants a string is refused
    detail = entries[0].payload["packageDetail"] | {"packageReferenceId": 1}
    wrong = entries[0].payload | {"packageDetail": detail}
    assert errors_of(V0, "ConfirmShipmentRequest", wrong)

    result = await outbox.deliver_pending(world.ctx, world.report)
    assert result.sent == len(entries)  # Amazon answered 204 to every one of them


async def test_search_and_get_order_match_the_model(sandbox, http, amazon_client, refresh_token):
    order, body = _ship_something(sandbox)
    await amazon_client.confirm_shipment(refresh_token, "EU", order.order_id, body)
    assert sandbox.requests("/orders/v0/")[0].status == 204

    since = sandbox.clock.now() - timedelta(days=30)
    pages = [
        p
        async for p in amazon_client.search_orders(
            refresh_token,
            "EU",
            ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"],
            created_after=since,
            created_before=sandbox.clock.now(),
            fulfillment_statuses=(),
            fulfilled_by=(),
            included_data=ALL,
        )
    ]
    statuses = {o["fulfillment"]["fulfillmentStatus"] for p in pages for o in p.orders}
    assert {"UNSHIPPED", "SHIPPED", "CANCELLED"} <= statuses
    assert any(o.get("packages") for p in pages for o in p.orders)
    for call in sandbox.requests(SEARCH):
        check_query(SEARCH, "get", V2026, call.query)

    # the raw answers, exactly as sent
    access = next(iter(sandbox.amazon._access))
    headers = {"x-amz-access-token": access}
    query = dict(sandbox.requests(SEARCH)[0].query)
    resp = await http.get(sandbox.base_url + SEARCH, params=query, headers=headers)
    check(V2026, "SearchOrdersResponse", resp.json())
    assert resp.headers["x-amzn-ratelimit-limit"] and resp.headers["x-amzn-requestid"]

    raw = await amazon_client.get_order(refresh_token, "EU", order.order_id, included_data=ALL)
    check(V2026, "Order", raw)
    resp = await http.get(
        f"{sandbox.base_url}{SEARCH}/{order.order_id}",
        params={"includedData": ",".join(ALL)},
        headers=headers,
    )
    check(V2026, "GetOrderResponse", resp.json())
    for call in sandbox.requests(SEARCH + "/"):
        check_query(SEARCH + "/{orderId}", "get", V2026, call.query)


async def test_the_default_import_request_matches_the_model(sandbox, amazon_client, refresh_token):
    since = sandbox.clock.now() - timedelta(days=3)
    async for page in amazon_client.search_orders(
        refresh_token, "EU", ["A1805IZSGTT6HS"], last_updated_after=since
    ):
        for raw in page.orders:
            check(V2026, "Order", raw)
    for call in sandbox.requests(SEARCH):
        check_query(SEARCH, "get", V2026, call.query)


async def test_error_bodies_match_the_models(sandbox, http, refresh_token, amazon_client):
    await amazon_client.check_refresh_token(refresh_token)
    access = next(iter(sandbox.amazon._access))
    headers = {"x-amz-access-token": access}
    base = sandbox.base_url
    answers = [
        await http.get(base + SEARCH, params={"createdAfter": "bad"}, headers=headers),  # 400
        await http.get(f"{base}{SEARCH}/000-0000000-0000000", headers=headers),  # 404
        await http.get(base + SEARCH, headers={"x-amz-access-token": "Atza|nope"}),  # 403
    ]
    sandbox.faults.add("429")
    answers.append(await http.get(f"{base}{SEARCH}/x", headers=headers))
    sandbox.faults.add("503")
    answers.append(await http.get(f"{base}{SEARCH}/x", headers=headers))
    assert [r.status_code for r in answers] == [400, 404, 403, 429, 503]
    for r in answers:
        check(V2026, "ErrorList", r.json())

    order, body = _ship_something(sandbox)
    body["packageDetail"]["carrierCode"] = "Nope"
    r = await http.post(
        f"{base}/orders/v0/orders/{order.order_id}/shipmentConfirmation", json=body, headers=headers
    )
    assert r.status_code == 400
    check(V0, "ConfirmShipmentErrorResponse", r.json())
    ok = await http.post(
        f"{base}/orders/v0/orders/{order.order_id}/shipmentConfirmation",
        json=_ship_something(sandbox)[1],
        headers=headers,
    )
    assert ok.status_code == 204 and ok.content == b""
    assert ok.headers["x-amzn-ratelimit-limit"] == "2"
