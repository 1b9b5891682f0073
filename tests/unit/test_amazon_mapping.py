"""Amazon's v2026-01-01 Order -> glstui's Order: the fields the warehouse works with."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glstui.amazon.mapping import order_from_api
from glstui.domain.clock import FixedClock
from glstui.domain.order import CANCELLED, NEW, SHIPPED

SPECS = Path(__file__).resolve().parents[2] / "tests" / "specs" / "amazon"
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

DUTCH_ORDER = {
    "orderId": "402-1234567-7654321",
    "createdTime": "2026-11-26T19:04:11Z",
    "lastUpdatedTime": "2026-11-26T19:34:00Z",
    "programs": ["PRIME", "AMAZON_BUSINESS"],
    "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1805IZSGTT6HS"},
    "buyer": {"buyerEmail": "x1y2z3@marketplace.amazon.nl", "buyerCompanyName": "Smit BV"},
    "recipient": {
        "deliveryAddress": {
            "name": "Sanne 't Hart",
            "companyName": "Installatiebedrijf Smit",
            "addressLine1": "Professor Pieter Willemsstraat 23 B 03",
            "addressLine2": "",
            "addressLine3": "achterom",
            "city": "Utrecht",
            "postalCode": "3511 LX",
            "countryCode": "nl",
            "phone": "+31 6 12345678",
            "addressType": "COMMERCIAL",
        }
    },
    "proceeds": {"grandTotal": {"amount": "42.85", "currencyCode": "EUR"}},
    "fulfillment": {
        "fulfillmentStatus": "PARTIALLY_SHIPPED",
        "fulfilledBy": "MERCHANT",
        "fulfillmentServiceLevel": "NEXT_DAY",
        "shipByWindow": {
            "earliestDateTime": "2026-11-26T19:04:11Z",
            "latestDateTime": "2026-11-27T22:59:59Z",
        },
    },
    "orderItems": [
        {
            "orderItemId": "11112222333344",
            "quantityOrdered": 3,
            "product": {"asin": "B0TEST0001", "sellerSku": "MUG-1", "title": "Mok"},
        },
        {
            "orderItemId": "55556666777788",
            "quantityOrdered": 1,
            "product": {"asin": "B0TEST0002", "sellerSku": "TEA-2", "title": "Thee"},
        },
    ],
}


def test_a_dutch_business_prime_order():
    order = order_from_api(DUTCH_ORDER, "shop1", FixedClock(NOW))
    assert order.key == "shop1:402-1234567-7654321"
    assert order.marketplace_id == "A1805IZSGTT6HS"
    assert order.amazon_status == "PARTIALLY_SHIPPED" and order.state == NEW
    assert order.created_at == datetime(2026, 11, 26, 19, 4, 11, tzinfo=UTC)
    assert order.ship_by == datetime(2026, 11, 27, 22, 59, 59, tzinfo=UTC)
    assert [(i.order_item_id, i.sku, i.quantity, i.asin) for i in order.items] == [
        ("11112222333344", "MUG-1", 3, "B0TEST0001"),
        ("55556666777788", "TEA-2", 1, "B0TEST0002"),
    ]
    assert order.item_count == 4
    r = order.recipient
    assert r is not None
    assert r.name == "Sanne 't Hart" and r.company == "Installatiebedrijf Smit"
    assert r.address_lines == ["Professor Pieter Willemsstraat 23 B 03", "achterom"]
    assert (r.postal_code, r.city, r.country_code) == ("3511 LX", "Utrecht", "NL")
    assert r.email == "x1y2z3@marketplace.amazon.nl" and r.address_type == "COMMERCIAL"
    assert order.country_code == "NL"
    assert order.is_prime and order.is_business and order.service_level == "NEXT_DAY"
    assert (order.order_total, order.currency) == ("42.85", "EUR")
    assert order.imported_at == NOW


def test_an_order_without_optional_datasets():
    raw = {
        "orderId": "403-0000000-0000001",
        "createdTime": "2026-11-27T07:00:00Z",
        "lastUpdatedTime": "2026-11-27T07:00:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "AMEN7PMS3EDWL"},
        "orderItems": [],
    }
    order = order_from_api(raw, "shop1", FixedClock(NOW))
    assert order.recipient is None and order.ship_by is None and order.items == []
    assert order.country_code == "BE"  # from the marketplace when there is no address
    assert not order.is_prime and not order.is_business


@pytest.mark.parametrize(
    ("status", "state"), [("CANCELLED", CANCELLED), ("SHIPPED", SHIPPED), ("UNSHIPPED", NEW)]
)
def test_status_sets_the_initial_state(status, state):
    raw = json.loads(json.dumps(DUTCH_ORDER))
    raw["fulfillment"]["fulfillmentStatus"] = status
    assert order_from_api(raw, "s", FixedClock(NOW)).state == state


def test_the_official_model_example_maps():
    path = SPECS / "orders_2026-01-01.json"
    assert path.exists(), f"Amazon's models are missing at {path} (see tests/specs/amazon/SOURCE)"
    spec = json.loads(path.read_text())
    op = spec["paths"]["/orders/2026-01-01/orders"]["get"]
    example = op["responses"]["200"]["examples"]["application/json"]["orders"][0]
    order = order_from_api(example, "s", FixedClock(NOW))
    assert order.order_id == example["orderId"]
    assert order.items[0].sku == example["orderItems"][0]["product"]["sellerSku"]
    assert order.recipient and order.recipient.city == "Seattle"
    assert order.is_prime and order.is_business
    assert order.amazon_status == "SHIPPED"
