"""The read-back of sent confirmations (services/outbox/verify.py) with a scripted Amazon:
which confirmations are read, how many per run, and what an unreadable order leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from glstui.amazon.errors import AmazonUnavailable
from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.shipment import SENT, UNCHECKED, VERIFIED, OutboxEntry
from glstui.services.outbox import verify
from glstui.store import Store

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


class ScriptedReader:
    """getOrder answering with every package it was told about; `fail` raises instead."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[str] = []

    async def get_order(self, refresh_token, region, order_id, included_data=()):
        self.calls.append(order_id)
        if self.fail:
            raise AmazonUnavailable()
        n = order_id.rsplit("-", 1)[1]
        return {"packages": [{"packageReferenceId": "1", "trackingNumber": f"T{n}"}]}


@pytest.fixture
def clock():
    return FixedClock(START)


def _store(tmp_path, clock, orders: int, sent_at: datetime) -> Store:
    store = Store.open(tmp_path / "data", clock)
    with store.write() as tx:
        tx.integrations.put(Integration(shop_name="NL", id="shop1", status=CONNECTED))
        for n in range(orders):
            oid = f"028-0000001-{n:07d}"
            tx.outbox.put(
                OutboxEntry(
                    id=f"s{n}:1",
                    shipment_id=f"s{n}",
                    order_key=f"shop1:{oid}",
                    integration_id="shop1",
                    order_id=oid,
                    package_reference_id="1",
                    payload={"packageDetail": {"trackingNumber": f"T{n:07d}"}},
                    state=SENT,
                    sent_at=sent_at,
                )
            )
    return store


def _states(store: Store) -> list[str]:
    with store.read() as view:
        return [e.verify_state for e in view.outbox.all()]


async def test_one_run_reads_back_at_most_max_orders_and_the_next_run_the_rest(tmp_path, clock):
    store = _store(tmp_path, clock, verify.MAX_ORDERS + 5, START)
    reader = ScriptedReader()
    first = await verify.verify_sent(store, reader, lambda _i: "token", clock)
    assert first.verified == verify.MAX_ORDERS and len(reader.calls) == verify.MAX_ORDERS
    second = await verify.verify_sent(store, reader, lambda _i: "token", clock)
    assert second.verified == 5
    assert set(_states(store)) == {VERIFIED}


async def test_confirmations_sent_long_ago_are_not_read_back(tmp_path, clock):
    store = _store(tmp_path, clock, 3, START - verify.VERIFY_WINDOW - timedelta(minutes=1))
    reader = ScriptedReader()
    result = await verify.verify_sent(store, reader, lambda _i: "token", clock)
    assert reader.calls == [] and result.verified == 0
    assert set(_states(store)) == {UNCHECKED}


async def test_an_order_amazon_cannot_give_stays_unchecked_and_is_said(tmp_path, clock):
    store = _store(tmp_path, clock, 2, START)
    lines: list = []
    result = await verify.verify_sent(
        store, ScriptedReader(fail=True), lambda _i: "t", clock, lines.append
    )
    assert result.unread == 2 and set(_states(store)) == {UNCHECKED}
    assert len(lines) == 1 and "could not be read back" in lines[0].text
