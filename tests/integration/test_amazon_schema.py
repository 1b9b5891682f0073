"""The client's requests and the sandbox's answers, checked against Amazon's own models
(specs/amazon/*.json, Swagger 2.0) so the sandbox cannot drift from the real API.

Object definitions are made strict (no unknown properties) for the sandbox's answers, so a
misspelt field in the sandbox fails here instead of passing silently.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker

from glstui.domain.clock import from_iso

SPECS = Path(__file__).resolve().parents[2] / "../shared/specs/amazon"
V2026 = "orders_2026-01-01.json"
V0 = "ordersV0.json"
SEARCH = "/orders/2026-01-01/orders"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

pytestmark = pytest.mark.skipif(
    not (SPECS / V2026).exists(), reason=f"Amazon models not found at {SPECS}"
)

formats = FormatChecker()


@formats.checks("date-time")
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(RFC3339.match(value))


@cache
def spec(name: str) -> dict[str, Any]:
    return json.loads((SPECS / name).read_text())


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


def validator(name: str, definition: str, strict: bool = True) -> Draft4Validator:
    defs = spec(name)["definitions"]
    schema = {"definitions": _strict(defs) if strict else copy.deepcopy(defs)}
    schema["$ref"] = f"#/definitions/{definition}"
    return Draft4Validator(schema, format_checker=formats)


def check(name: str, definition: str, instance: Any, strict: bool = True) -> None:
    errors = sorted(validator(name, definition, strict).iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def check_query(path: str, method: str, name: str, query: dict[str, str]) -> None:
    """Every query parameter is one the operation defines, with a valid value."""
    params = {p["name"]: p for p in spec(name)["paths"][path][method]["parameters"]}
    for key, value in query.items():
        assert key in params, f"{key} is not a parameter of {path}"
        p = params[key]
        assert p["in"] == "query"
        if p["type"] == "array":
            values = value.split(",")
            assert len(values) <= p.get("maxItems", 10**6)
            if "enum" in p["items"]:
                assert set(values) <= set(p["items"]["enum"]), key
        elif p["type"] == "integer":
            assert value.isdigit()
        elif p.get("format") == "date-time":
            assert RFC3339.match(value) and from_iso(value)


ALL = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES")


def _ship_something(sandbox):
    order = next(o for o in sandbox.orders.values() if o.status == "UNSHIPPED")
    return order, {
        "marketplaceId": order.marketplace_id,
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "GLS",
            "carrierName": "GLS",
            "shippingMethod": "BusinessParcel",
            "trackingNumber": "05811234567",
            "shipDate": "2026-11-27T10:00:00Z",
            "orderItems": [{"orderItemId": i.order_item_id, "quantity": i.quantity}
                           for i in order.items],
        },
    }  # fmt: skip


async def test_search_and_get_order_match_the_model(sandbox, http, amazon_client, refresh_token):
    order, body = _ship_something(sandbox)
    await amazon_client.confirm_shipment(refresh_token, "EU", order.order_id, body)
    check(V0, "ConfirmShipmentRequest", sandbox.requests("/orders/v0/")[0].json)

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
