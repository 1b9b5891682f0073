"""The outbox takes turns between sellers (issue 15): a shop with a long queue of confirmations
does not keep another shop's few waiting until it is through.

Shop A's 50 confirmations are all older than shop B's 5, so a first-come-first-served outbox
sends all of A's before any of B's (with Amazon's pace that is 25 s of B waiting for nothing,
as B has a bucket of its own). Not timed: the order of the sends is what is checked.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import LABELLED, Order, OrderItem
from glstui.domain.shipment import SENT, OutboxEntry, Shipment
from glstui.services import outbox
from glstui.store import Store

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
TOKENS = {"shopA": "Atzr|seller-a", "shopB": "Atzr|seller-b"}


class RecordingAmazon:
    """Answers every confirmShipment with 204 and remembers whose it was, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []  # refresh token of each request, in the order sent
        self.orders: list[str] = []  # order id of each request, likewise

    async def confirm_shipment(self, refresh_token, region, order_id, body, *, before_send=None):
        if before_send is not None:
            await before_send()
        self.sent.append(refresh_token)
        self.orders.append(order_id)
        await asyncio.sleep(0)


@pytest.fixture
def clock():
    return FixedClock(START + timedelta(hours=2))


@pytest.fixture
def store(tmp_path, clock):
    return Store.open(tmp_path / "data", clock)


def _seed_shop(store: Store, shop_id: str, labels: int, created_at: datetime) -> None:
    shop = Integration(shop_name=f"Amazon {shop_id}", id=shop_id, status=CONNECTED, region="EU")
    orders, shipments, entries = [], [], []
    for n in range(labels):
        order = Order(
            integration_id=shop_id,
            order_id=f"028-{shop_id[-1]}000000-{n:07d}",
            marketplace_id="A1PA6795UKMFR9",
            items=[OrderItem("item1", "SKU1", "Mug", 1)],
            state=LABELLED,
        )
        shipment = Shipment(
            id=f"{shop_id}-s{n}",
            order_key=order.key,
            integration_id=shop_id,
            order_id=order.order_id,
            parcel_numbers=[f"9{n:010d}"],
            package_reference_ids=["1"],
            created_at=created_at,
        )
        entry = OutboxEntry(
            id=f"{shipment.id}:1",
            shipment_id=shipment.id,
            order_key=order.key,
            integration_id=shop_id,
            order_id=order.order_id,
            package_reference_id="1",
            payload={
                "marketplaceId": "A1PA6795UKMFR9",
                "packageDetail": {
                    "packageReferenceId": "1",
                    "carrierCode": "GLS",
                    "trackingNumber": f"9{n:010d}",
                    "shipDate": "2026-11-27T08:00:00Z",
                    "orderItems": [{"orderItemId": "item1", "quantity": 1}],
                },
            },
            created_at=created_at + timedelta(seconds=n),
        )
        orders.append(order)
        shipments.append(shipment)
        entries.append(entry)
    with store.write() as tx:
        tx.integrations.put(shop)
        for order, shipment in zip(orders, shipments, strict=True):
            tx.orders.put(order)
            tx.shipments.put(shipment)
        tx.outbox.put_many(entries)


def _two_shops(store: Store) -> None:
    _seed_shop(store, "shopA", 50, START)  # labelled first: all older than B's
    _seed_shop(store, "shopB", 5, START + timedelta(hours=1))


@pytest.mark.parametrize("workers", [outbox.WORKERS, 1])
async def test_the_outbox_alternates_between_shops(store, clock, workers):
    _two_shops(store)
    amazon = RecordingAmazon()

    result = await outbox.deliver(store, amazon, TOKENS.get, clock, workers=workers)

    assert result.sent == 55 and result.exit_code == 0
    turns = "".join("B" if token == TOKENS["shopB"] else "A" for token in amazon.sent)
    # B takes its turns from the start instead of after A's 50: one send each, in turn.
    assert turns == "AB" * 5 + "A" * 45
    with store.read() as view:
        assert {e.state for e in view.outbox.all()} == {SENT}


async def test_two_shops_of_one_seller_share_a_lane(store, clock):
    """Two shops connected with the same seller's grant draw on one bucket at Amazon, so they
    share one lane, oldest first: only different sellers take turns."""
    _two_shops(store)
    amazon = RecordingAmazon()
    one_seller = {"shopA": "Atzr|one-seller", "shopB": "Atzr|one-seller"}

    result = await outbox.deliver(store, amazon, one_seller.get, clock, workers=1)

    assert result.sent == 55
    shops = ["B" if order_id.startswith("028-B") else "A" for order_id in amazon.orders]
    assert shops == ["A"] * 50 + ["B"] * 5
