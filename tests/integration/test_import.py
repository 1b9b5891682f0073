"""The import against the sandbox over real HTTP: what an operator sees in the store after
first, incremental and repeated imports, cancellations, a revoked shop and a stop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest

from glstui.amazon.client import AppCredentials, SpApiClient
from glstui.amazon.endpoints import Endpoints
from glstui.domain.integration import CONNECTED, NEEDS_REAUTH, Integration
from glstui.domain.order import CANCELLED, NEW
from glstui.sandbox import (
    DEMO_APP_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELLER_ID,
    Sandbox,
)
from glstui.secrets import Secrets
from glstui.services.events import ERROR, WARNING, LogLine, Progress
from glstui.services.importer import Importer
from glstui.services.importing.window import LATE_DATA_OVERLAP
from glstui.store import Store


def client_for(sandbox: Sandbox, http) -> SpApiClient:
    credentials = AppCredentials(DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    endpoints = Endpoints.sandbox(sandbox.base_url)
    return SpApiClient(http, endpoints, credentials, sandbox.clock, sandbox.time_scale)


MARKETPLACES = ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
OTHER_SELLER = "A2GLSDEMOSHOP7"
IMPORTED = ("UNSHIPPED", "PARTIALLY_SHIPPED")


@dataclass
class World:
    sandbox: Sandbox
    store: Store
    secrets: Secrets
    http: object

    def add_shop(self, seller_id: str = DEMO_SELLER_ID, name: str = "") -> Integration:
        integ = Integration(
            shop_name=name or f"Amazon {seller_id}",
            status=CONNECTED,
            marketplace_ids=MARKETPLACES,
            selling_partner_id=seller_id,
        )
        with self.store.write() as tx:
            tx.integrations.put(integ)
        token = self.sandbox.issue_refresh_token(seller_id)
        self.secrets.set(f"amazon.refresh_token.{integ.id}", token)
        return integ

    async def run(self, *shops: Integration, events: list | None = None, task_hook=None):
        report = events.append if events is not None else (lambda e: None)
        client = client_for(self.sandbox, self.http)
        importer = Importer(self.store, self.secrets, client, self.sandbox.clock, report)
        return await importer.run_shops([s.id for s in shops])

    def stored(self) -> dict[str, object]:
        with self.store.read() as view:
            return {o.order_id: o for o in view.orders.all()}

    def shop(self, integ: Integration) -> Integration:
        with self.store.read() as view:
            return view.integrations.get(integ.id)

    def expected(self, seller_id: str = DEMO_SELLER_ID) -> set[str]:
        """Merchant orders Amazon would give a first import now (created in the last 7 days)."""
        since = self.sandbox.clock.now() - timedelta(days=7)
        return {
            o.order_id
            for o in self.sandbox.orders_of(seller_id).values()
            if o.status in IMPORTED and o.fulfilled_by == "MERCHANT" and o.created >= since
        }


@pytest.fixture
def world(make_sandbox, http, tmp_path) -> World:
    sandbox = make_sandbox(seed=1, orders=600, time_scale=60.0, arrivals_per_hour=0)
    store = Store.open(tmp_path / "data", sandbox.clock)
    return World(sandbox, store, Secrets.in_memory(), http)


def lines(events: list) -> list[LogLine]:
    return [e for e in events if isinstance(e, LogLine)]


async def test_first_import_stores_the_open_merchant_orders_page_by_page(world):
    integ = world.add_shop()
    events: list = []
    run = await world.run(integ, events=events)

    stored = world.stored()
    assert set(stored) == world.expected()
    assert len(stored) > 200  # three pages of 100
    assert {o.state for o in stored.values()} == {NEW}
    [result] = run.shops
    assert result.pages == 3 and result.new == len(stored) and result.error == ""
    saved = world.shop(integ)
    assert saved.import_cursor is not None and saved.import_resume == {}
    assert saved.last_import_new == len(stored)
    searches = world.sandbox.requests("/orders/2026-01-01/orders", "GET")
    assert searches[0].query["fulfilledBy"] == "MERCHANT"
    assert searches[0].query["includedData"] == "RECIPIENT,FULFILLMENT"
    assert "createdAfter" in searches[0].query
    # No buyer data in what the operator (and the log file) reads.
    text = "\n".join(line.text for line in lines(events))
    for order in world.sandbox.orders.values():
        assert order.address.get("name", "@@") not in text
        assert order.address.get("addressLine1", "@@") not in text
    with world.store.read() as view:
        [recorded] = view.runs.all()
    assert recorded.shops[0].new == len(stored) and recorded.finished_at is not None


async def test_incremental_import_brings_only_what_changed_and_repeating_changes_nothing(world):
    integ = world.add_shop()
    await world.run(integ)
    first = world.stored()
    cursor = world.shop(integ).import_cursor

    world.sandbox.clock.advance(600)
    arrived = {o.order_id for o in world.sandbox.add_orders(4, status="UNSHIPPED")}
    run = await world.run(integ)
    second = world.stored()
    assert set(second) == set(first) | arrived
    assert run.shops[0].new == 4
    query = world.sandbox.requests("/orders/2026-01-01/orders", "GET")[-1].query
    since = cursor - LATE_DATA_OVERLAP
    assert query["lastUpdatedAfter"] == since.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "createdAfter" not in query

    again = await world.run(integ)
    assert world.stored() == second
    assert (again.shops[0].new, again.shops[0].updated, again.shops[0].cancelled) == (0, 0, 0)


async def test_an_order_cancelled_on_amazon_is_marked_and_shouted(world):
    integ = world.add_shop()
    await world.run(integ)
    victim = sorted(world.stored())[0]
    sim = world.sandbox.orders[victim]
    with world.sandbox.amazon.lock:
        sim.status = "CANCELLED"
        sim.last_updated = world.sandbox.clock.now().replace(microsecond=0)
    world.sandbox.clock.advance(60)
    events: list = []
    run = await world.run(integ, events=events)
    assert world.stored()[victim].state == CANCELLED
    assert run.shops[0].cancelled == 1
    loud = [e for e in lines(events) if e.level in (WARNING, ERROR) and victim in e.text]
    assert loud and "do not ship" in loud[0].text


async def test_a_revoked_shop_is_flagged_while_the_other_shop_imports(world):
    good = world.add_shop(DEMO_SELLER_ID, "Demo Shop NL")
    revoked = world.add_shop(OTHER_SELLER, "Demo Shop Benelux")
    world.sandbox.revoke(seller_id=OTHER_SELLER)
    events: list = []
    run = await world.run(good, revoked, events=events)

    assert world.shop(revoked).status == NEEDS_REAUTH
    assert world.shop(good).status == CONNECTED
    assert set(world.stored()) == world.expected(DEMO_SELLER_ID)
    errors = {s.shop_name: s.error for s in run.shops}
    assert "re-connect this shop" in errors["Demo Shop Benelux"]
    assert errors["Demo Shop NL"] == ""
    assert any(
        e.level == ERROR and "Demo Shop Benelux" in e.text and "re-connect" in e.text
        for e in lines(events)
    )


async def test_stop_during_the_import_keeps_the_stored_pages_and_continues_later(world):
    integ = world.add_shop()
    task: asyncio.Task | None = None
    stored_when_stopped: list[int] = []

    def report(event):
        mine = isinstance(event, Progress) and event.scope == integ.id and event.done
        if mine and task and not task.cancelling():
            stored_when_stopped.append(event.done)
            task.cancel()  # the operator presses x while page 2 is on its way

    client = client_for(world.sandbox, world.http)
    importer = Importer(world.store, world.secrets, client, world.sandbox.clock, report)
    task = asyncio.create_task(importer.run_shops([integ.id]))
    with pytest.raises(asyncio.CancelledError):
        await task

    assert stored_when_stopped == [100]  # orders seen on page 1 (cancelled ones not kept)
    first_page = world.stored()
    assert 90 <= len(first_page) <= 100
    saved = world.shop(integ)
    assert saved.import_cursor is None and saved.import_resume.get("token")
    with world.store.read() as view:
        [recorded] = view.runs.all()
    assert recorded.stopped and recorded.shops[0].new == len(first_page)

    run = await world.run(integ)  # the next import continues with page 2
    assert set(world.stored()) == world.expected()
    assert run.shops[0].pages == 2
    assert "paginationToken" in world.sandbox.requests("/orders/2026-01-01/orders")[-2].query
