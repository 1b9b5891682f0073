"""The import service against a scripted Amazon: merging, cancellations, cursor, resume, stop.

The sandbox tests (tests/integration/test_import*.py) run the same service over real HTTP;
these pin the rules an operator relies on, one case at a time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from glstui.amazon.client import OrdersPage
from glstui.amazon.errors import AmazonApiError, GrantRevoked
from glstui.domain.clock import FixedClock, to_iso
from glstui.domain.integration import CONNECTED, NEEDS_REAUTH, Integration
from glstui.domain.order import CANCELLED, LABELLED, NEW, SHIPPED
from glstui.services.events import ERROR, WARNING, LogLine, Progress
from glstui.services.importer import Importer, apply_shipping_rules
from glstui.services.importing.window import LATE_DATA_OVERLAP
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def raw_order(
    n: int,
    status: str = "UNSHIPPED",
    updated: datetime | None = None,
    city: str = "Utrecht",
    qty: int = 1,
) -> dict[str, Any]:
    created = NOW - timedelta(days=2, minutes=-n)
    return {
        "orderId": f"402-{n:07d}-0000001",
        "createdTime": to_iso(created),
        "lastUpdatedTime": to_iso(updated or created),
        "salesChannel": {"marketplaceId": "A1805IZSGTT6HS"},
        "fulfillment": {
            "fulfillmentStatus": status,
            "fulfilledBy": "MERCHANT",
            "shipByWindow": {"latestDateTime": to_iso(created + timedelta(days=2))},
        },
        "recipient": None
        if status == "CANCELLED"
        else {
            "deliveryAddress": {
                "name": "Jan Jansen",
                "addressLine1": "Stationsplein 1",
                "city": city,
                "postalCode": "3511AB",
                "countryCode": "NL",
            }
        },
        "orderItems": [
            {
                "orderItemId": f"{n:08d}000001",
                "quantityOrdered": qty,
                "product": {"asin": "B000000001", "sellerSku": "SKU-1", "title": "Bottle"},
            }
        ],
    }


@dataclass
class ScriptedAmazon:
    """Serves pages of raw orders like SpApiClient.search_orders; records the calls."""

    pages: list[list[dict[str, Any]]] = field(default_factory=list)
    fail: BaseException | None = None
    fail_after_pages: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)
    gate: asyncio.Event | None = None  # when set, waits before every page after the first
    bound: datetime | None = None

    async def search_orders(self, refresh_token, region, marketplace_ids, **kw):
        self.calls.append({"refresh_token": refresh_token, **kw})
        token = kw.get("pagination_token") or "0"
        start = int(token) if token.isdigit() else 0
        if self.fail is not None and start >= self.fail_after_pages:
            raise self.fail
        for i in range(start, len(self.pages)):
            if self.fail is not None and i >= self.fail_after_pages:
                raise self.fail
            if self.gate is not None and i > start:
                await self.gate.wait()
            last = i == len(self.pages) - 1
            yield OrdersPage(
                orders=self.pages[i],
                next_token=None if last else str(i + 1),
                last_updated_before=self.bound if last else None,
            )
        if not self.pages:
            yield OrdersPage(orders=[], last_updated_before=self.bound)


class Secrets(dict):
    def get(self, name, default=None):
        return super().get(name, default)


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path, clock):
    return Store.open(tmp_path / "data", clock)


def add_shop(store, name="Amazon A3PNJAV4CVI5V1", **kw) -> Integration:
    integ = Integration(shop_name=name, status=CONNECTED, marketplace_ids=["A1805IZSGTT6HS"], **kw)
    with store.write() as tx:
        tx.integrations.put(integ)
    return integ


def secrets_for(*shops: Integration) -> Secrets:
    return Secrets({f"amazon.refresh_token.{s.id}": f"Atzr|token-{s.id}" for s in shops})


async def run(store, clock, amazon, shops, events=None, secrets=None):
    report = events.append if events is not None else (lambda e: None)
    importer = Importer(
        store,
        secrets if secrets is not None else secrets_for(*shops),
        amazon,
        clock,
        report,
        user="operator",
    )
    return await importer.run_shops([s.id for s in shops])


def orders(store):
    with store.read() as view:
        return {o.order_id: o for o in view.orders.all()}


def shop(store, integ):
    with store.read() as view:
        return view.integrations.get(integ.id)


async def test_first_import_stores_every_page_and_records_the_run(store, clock):
    integ = add_shop(store)
    bound = NOW - timedelta(minutes=2)
    amazon = ScriptedAmazon(
        pages=[[raw_order(i) for i in range(100)], [raw_order(i) for i in range(100, 130)]],
        bound=bound,
    )
    events: list = []
    result = await run(store, clock, amazon, [integ], events)

    stored = orders(store)
    assert len(stored) == 130
    assert {o.state for o in stored.values()} == {NEW}
    call = amazon.calls[0]
    assert call["created_after"] == NOW - timedelta(days=7)
    assert call["last_updated_after"] is None
    assert call["fulfillment_statuses"] == ("UNSHIPPED", "PARTIALLY_SHIPPED", "CANCELLED")
    assert call["included_data"] == ("RECIPIENT", "FULFILLMENT")
    saved = shop(store, integ)
    assert saved.import_cursor == bound
    assert saved.import_resume == {}
    assert saved.last_import_new == 130
    assert saved.last_import_at == NOW
    [shop_result] = result.shops
    assert (shop_result.pages, shop_result.new, shop_result.error) == (2, 130, "")
    with store.read() as view:
        [recorded] = view.runs.all()
    assert recorded.user == "operator" and recorded.shops[0].new == 130
    assert not recorded.stopped
    assert Progress("", 1, 1) in events


async def test_lines_name_order_country_and_items_but_never_the_buyer(store, clock):
    integ = add_shop(store)
    amazon = ScriptedAmazon(pages=[[raw_order(1, qty=3)]])
    events: list = []
    await run(store, clock, amazon, [integ], events)
    text = "\n".join(e.text for e in events if isinstance(e, LogLine))
    assert "402-0000001-0000001 (NL, 3 items)" in text
    for pii in ("Jan Jansen", "Stationsplein", "3511AB", "Utrecht"):
        assert pii not in text


async def test_next_import_asks_for_updates_since_the_cursor(store, clock):
    integ = add_shop(store)
    first_bound = NOW - timedelta(minutes=2)
    await run(store, clock, ScriptedAmazon(pages=[[raw_order(1)]], bound=first_bound), [integ])
    clock.advance(3600)
    amazon = ScriptedAmazon(pages=[[raw_order(2, updated=NOW + timedelta(minutes=30))]])
    await run(store, clock, amazon, [integ])
    assert amazon.calls[0]["last_updated_after"] == first_bound - LATE_DATA_OVERLAP
    assert amazon.calls[0]["created_after"] is None
    # No bound in the answer: the newest lastUpdatedTime seen becomes the cursor.
    assert shop(store, integ).import_cursor == NOW + timedelta(minutes=30)
    assert set(orders(store)) == {"402-0000001-0000001", "402-0000002-0000001"}


async def test_first_import_window_follows_the_setting(store, clock):
    from glstui.domain.settings import Settings

    with store.write() as tx:
        tx.settings.put(Settings(first_import_days=3))
    integ = add_shop(store)
    amazon = ScriptedAmazon(pages=[[]])
    await run(store, clock, amazon, [integ])
    assert amazon.calls[0]["created_after"] == NOW - timedelta(days=3)


async def test_same_orders_twice_are_not_doubled_and_change_nothing(store, clock):
    integ = add_shop(store)
    pages = [[raw_order(i) for i in range(5)]]
    await run(store, clock, ScriptedAmazon(pages=pages), [integ])
    before = orders(store)
    clock.advance(60)
    result = await run(store, clock, ScriptedAmazon(pages=pages), [integ])
    assert orders(store) == before
    assert (result.shops[0].new, result.shops[0].updated) == (0, 0)


async def test_update_refreshes_amazon_fields_and_keeps_our_state(store, clock):
    integ = add_shop(store)
    await run(store, clock, ScriptedAmazon(pages=[[raw_order(1), raw_order(2)]]), [integ])
    with store.write() as tx:
        labelled = tx.orders.get(f"{integ.id}:402-0000001-0000001")
        labelled.state = LABELLED
        labelled.decision = {"product": "BusinessParcel"}
        tx.orders.put(labelled)
    later = NOW + timedelta(hours=1)
    changed = [
        raw_order(1, updated=later, city="Amersfoort"),
        raw_order(2, updated=later, qty=2),
    ]
    result = await run(store, clock, ScriptedAmazon(pages=[changed]), [integ])
    stored = orders(store)
    assert stored["402-0000001-0000001"].state == LABELLED
    assert stored["402-0000001-0000001"].decision == {"product": "BusinessParcel"}
    assert stored["402-0000001-0000001"].recipient.city == "Amersfoort"
    assert stored["402-0000002-0000001"].item_count == 2
    assert stored["402-0000001-0000001"].imported_at == NOW
    assert result.shops[0].updated == 2


async def test_cancelled_before_labelling_is_marked_and_reported_loudly(store, clock):
    integ = add_shop(store)
    await run(store, clock, ScriptedAmazon(pages=[[raw_order(1), raw_order(2)]]), [integ])
    events: list = []
    later = NOW + timedelta(hours=1)
    amazon = ScriptedAmazon(pages=[[raw_order(1, status="CANCELLED", updated=later)]])
    result = await run(store, clock, amazon, [integ], events)
    order = orders(store)["402-0000001-0000001"]
    assert order.state == CANCELLED
    assert order.recipient is not None  # the address is kept until the purge
    loud = [e for e in events if isinstance(e, LogLine) and e.level in (WARNING, ERROR)]
    assert any("402-0000001-0000001" in e.text and "do not ship" in e.text for e in loud)
    assert result.shops[0].cancelled == 1
    assert orders(store)["402-0000002-0000001"].state == NEW


async def test_cancelled_after_labelling_tells_the_operator_to_delete_the_label(store, clock):
    integ = add_shop(store)
    await run(store, clock, ScriptedAmazon(pages=[[raw_order(1)]]), [integ])
    with store.write() as tx:
        order = tx.orders.get(f"{integ.id}:402-0000001-0000001")
        order.state = LABELLED
        tx.orders.put(order)
    events: list = []
    later = NOW + timedelta(hours=1)
    amazon = ScriptedAmazon(pages=[[raw_order(1, status="CANCELLED", updated=later)]])
    await run(store, clock, amazon, [integ], events)
    order = orders(store)["402-0000001-0000001"]
    assert order.state == LABELLED
    assert order.amazon_status == "CANCELLED"
    assert "delete the GLS label" in order.hold_reason
    errors = [e.text for e in events if isinstance(e, LogLine) and e.level == ERROR]
    assert any("402-0000001-0000001" in t and "delete the label" in t for t in errors)


async def test_shipped_order_keeps_its_state(store, clock):
    integ = add_shop(store)
    await run(store, clock, ScriptedAmazon(pages=[[raw_order(1)]]), [integ])
    with store.write() as tx:
        order = tx.orders.get(f"{integ.id}:402-0000001-0000001")
        order.state = SHIPPED
        tx.orders.put(order)
    later = NOW + timedelta(hours=1)
    await run(store, clock, ScriptedAmazon(pages=[[raw_order(1, updated=later)]]), [integ])
    assert orders(store)["402-0000001-0000001"].state == SHIPPED


async def test_cancelled_orders_never_seen_are_not_imported(store, clock):
    integ = add_shop(store)
    amazon = ScriptedAmazon(pages=[[raw_order(1, status="CANCELLED"), raw_order(2)]])
    result = await run(store, clock, amazon, [integ])
    assert set(orders(store)) == {"402-0000002-0000001"}
    assert result.shops[0].new == 1


async def test_revoked_shop_is_flagged_while_the_others_import(store, clock):
    good = add_shop(store, "Good shop")
    revoked = add_shop(store, "Revoked shop")

    class PerShop:
        def __init__(self):
            self.ok = ScriptedAmazon(pages=[[raw_order(1)]])

        def search_orders(self, refresh_token, *a, **kw):
            if refresh_token.endswith(revoked.id):
                return ScriptedAmazon(fail=GrantRevoked()).search_orders(refresh_token, *a, **kw)
            return self.ok.search_orders(refresh_token, *a, **kw)

    events: list = []
    result = await run(store, clock, PerShop(), [good, revoked], events)
    assert shop(store, revoked).status == NEEDS_REAUTH
    assert shop(store, good).status == CONNECTED
    assert len(orders(store)) == 1
    failed = {s.shop_name: s.error for s in result.shops}
    assert "re-connect this shop" in failed["Revoked shop"]
    assert failed["Good shop"] == ""
    assert result.failed
    assert any(
        "Revoked shop" in e.text and e.level == ERROR for e in events if isinstance(e, LogLine)
    )


async def test_amazon_error_on_page_two_keeps_page_one_and_resumes_there(store, clock):
    integ = add_shop(store)
    pages = [[raw_order(i) for i in range(3)], [raw_order(i) for i in range(3, 6)]]
    error = AmazonApiError(503, "ServiceUnavailable", "try later")
    result = await run(
        store, clock, ScriptedAmazon(pages=pages, fail=error, fail_after_pages=1), [integ]
    )
    assert len(orders(store)) == 3
    assert "try later" in result.shops[0].error
    saved = shop(store, integ)
    assert saved.import_cursor is None  # the search has not finished
    assert saved.import_resume["token"] == "1"

    amazon = ScriptedAmazon(pages=pages)
    await run(store, clock, amazon, [integ])
    assert amazon.calls[0]["pagination_token"] == "1"
    assert amazon.calls[0]["created_after"] == NOW - timedelta(days=7)
    assert len(orders(store)) == 6
    assert shop(store, integ).import_resume == {}


async def test_stale_resume_token_starts_the_search_again(store, clock):
    integ = add_shop(store)
    pages = [[raw_order(1)], [raw_order(2)]]
    await run(
        store, clock, ScriptedAmazon(pages=pages, fail=GrantRevoked(), fail_after_pages=1), [integ]
    )
    with store.write() as tx:  # the operator re-connected the shop
        fixed = tx.integrations.get(integ.id)
        fixed.status = CONNECTED
        tx.integrations.put(fixed)
    clock.advance(25 * 3600)
    amazon = ScriptedAmazon(pages=pages)
    await run(store, clock, amazon, [integ])
    assert amazon.calls[0]["pagination_token"] is None


async def test_refused_resume_token_falls_back_to_a_new_search(store, clock):
    integ = add_shop(store)
    with store.write() as tx:
        saved = tx.integrations.get(integ.id)
        saved.import_resume = {
            "token": "bad",
            "created_after": to_iso(NOW - timedelta(days=7)),
            "saved_at": to_iso(NOW),
        }
        tx.integrations.put(saved)

    class Refuses(ScriptedAmazon):
        def search_orders(self, refresh_token, region, mids, **kw):
            if kw.get("pagination_token") == "bad":
                self.calls.append(kw)
                return ScriptedAmazon(
                    fail=AmazonApiError(400, "InvalidInput", "bad token")
                ).search_orders(refresh_token, region, mids, **kw)
            return super().search_orders(refresh_token, region, mids, **kw)

    amazon = Refuses(pages=[[raw_order(1)]])
    result = await run(store, clock, amazon, [integ])
    assert result.shops[0].error == ""
    assert len(orders(store)) == 1
    assert amazon.calls[-1]["pagination_token"] is None


async def test_stop_keeps_stored_pages_and_records_a_stopped_run(store, clock):
    integ = add_shop(store)
    gate = asyncio.Event()
    pages = [[raw_order(i) for i in range(10)], [raw_order(i) for i in range(10, 20)]]
    amazon = ScriptedAmazon(pages=pages, gate=gate)
    events: list = []
    task = asyncio.create_task(run(store, clock, amazon, [integ], events))
    while not any(isinstance(e, Progress) and e.scope == integ.id and e.done for e in events):
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(orders(store)) == 10
    with store.read() as view:
        [recorded] = view.runs.all()
    assert recorded.stopped and recorded.shops[0].new == 10


async def test_shops_that_cannot_run_are_reported_with_why(store, clock):
    inactive = add_shop(store, "Inactive", active=False)
    draft = Integration(shop_name="Draft")
    with store.write() as tx:
        tx.integrations.put(draft)
    no_token = add_shop(store, "No token")
    result = await run(
        store, clock, ScriptedAmazon(), [inactive, draft, no_token], secrets=Secrets()
    )
    errors = {s.shop_name: s.error for s in result.shops}
    assert "not active" in errors["Inactive"]
    assert "connect" in errors["Draft"]
    assert "refresh token" in errors["No token"]


def test_rules_off_give_the_default_decision_and_keep_a_hold_made_elsewhere():
    from glstui.domain.order import Order

    order = Order("shop", "1", state="held", hold_reason="x", decision={"a": 1})
    decision = apply_shipping_rules(order, Integration(shop_name="s"))
    assert not decision.skip and not decision.hold
    assert decision.parcels == 1
    assert (order.state, order.hold_reason) == ("held", "x")
