"""The tracking outbox: what happens to a confirmation for each answer Amazon can give."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from glstui.amazon.errors import AmazonApiError, AmazonUnavailable, GrantRevoked
from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, NEEDS_REAUTH, Integration
from glstui.domain.order import LABELLED, SHIPPED, Order, OrderItem
from glstui.domain.shipment import FAILED, PENDING, SENT, SKIPPED, OutboxEntry, Shipment
from glstui.services import outbox
from glstui.services.events import LogLine
from glstui.store import Store

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


class ScriptedAmazon:
    """Answers confirmShipment from a script: None = 204, an exception = that error."""

    def __init__(self, answers=None):
        self.answers = list(answers or [])
        self.calls: list[tuple[str, str, dict]] = []

    async def confirm_shipment(self, refresh_token, region, order_id, body, *, before_send=None):
        if before_send is not None:  # as the client: right before the request goes out
            await before_send()
        self.calls.append((refresh_token, order_id, body))
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            raise answer


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def store(tmp_path, clock):
    return Store.open(tmp_path / "data", clock)


def _seed(store, parcels=2, shop_status=CONNECTED):
    shop = Integration(shop_name="Amazon DE", id="shop1", status=shop_status, region="EU")
    order = Order(
        integration_id="shop1",
        order_id="028-0000001-0000001",
        marketplace_id="A1PA6795UKMFR9",
        items=[OrderItem("item1", "SKU1", "Mug", 2)],
        state=LABELLED,
    )
    shipment = Shipment(
        id="s1",
        order_key=order.key,
        integration_id="shop1",
        order_id=order.order_id,
        parcel_numbers=[f"1234567890{n}" for n in range(parcels)],
        package_reference_ids=[str(n + 1) for n in range(parcels)],
    )
    entries = [
        OutboxEntry(
            id=f"s1:{n + 1}",
            shipment_id="s1",
            order_key=order.key,
            integration_id="shop1",
            order_id=order.order_id,
            package_reference_id=str(n + 1),
            payload={
                "marketplaceId": "A1PA6795UKMFR9",
                "packageDetail": {
                    "packageReferenceId": str(n + 1),
                    "carrierCode": "GLS",
                    "trackingNumber": f"1234567890{n}",
                    "shipDate": "2026-11-27T08:00:00Z",
                    "orderItems": [{"orderItemId": "item1", "quantity": 1}],
                },
            },
            created_at=START,
        )
        for n in range(parcels)
    ]
    with store.write() as tx:
        tx.integrations.put(shop)
        tx.orders.put(order)
        tx.shipments.put(shipment)
        tx.outbox.put_many(entries)
    return order


def _tokens(integration_id):
    return {"shop1": "Atzr|refresh"}.get(integration_id)


async def _deliver(store, client, clock, lines=None, tokens=_tokens):
    def report(event):
        if lines is not None and isinstance(event, LogLine):
            lines.append(event)

    return await outbox.deliver(store, client, tokens, clock, report)


def _entries(store):
    with store.read() as view:
        return {e.id: e for e in view.outbox.all()}


def _order(store, key):
    with store.read() as view:
        return view.orders.get(key)


async def test_all_parcels_accepted_ships_the_order(store, clock):
    order = _seed(store)
    client = ScriptedAmazon()
    result = await _deliver(store, client, clock)
    assert result.sent == 2 and result.exit_code == 0
    assert {e.state for e in _entries(store).values()} == {SENT}
    shipped = _order(store, order.key)
    assert shipped.state == SHIPPED and shipped.shipped_at == START
    # The payload goes out exactly as stored, packageReferenceId as a string.
    assert [c[2]["packageDetail"]["packageReferenceId"] for c in client.calls] == ["1", "2"]
    # Nothing is sent twice.
    again = await _deliver(store, client, clock)
    assert again.due == 0 and len(client.calls) == 2


async def test_order_stays_labelled_until_every_parcel_is_sent(store, clock):
    order = _seed(store)
    throttled = AmazonApiError(429, "QuotaExceeded", "You exceeded your quota")
    result = await _deliver(store, ScriptedAmazon([None, throttled]), clock)
    assert result.sent == 1 and result.retry_later == 1 and result.exit_code == 1
    assert _order(store, order.key).state == LABELLED


@pytest.mark.parametrize(
    "error",
    [
        AmazonApiError(429, "QuotaExceeded", "You exceeded your quota"),
        AmazonApiError(503, "ServiceUnavailable", "Try later"),
        AmazonUnavailable("Could not reach Amazon"),
    ],
)
async def test_transient_errors_back_off_and_keep_the_entry(store, clock, error):
    _seed(store, parcels=1)
    lines: list[LogLine] = []
    await _deliver(store, ScriptedAmazon([error]), clock, lines)
    entry = _entries(store)["s1:1"]
    assert entry.state == PENDING and entry.attempts == 1
    assert (entry.next_attempt_at - START).total_seconds() == outbox.BACKOFF_BASE_S
    assert any("will retry" in line.text for line in lines)

    # Not due yet: nothing is sent.
    client = ScriptedAmazon([error])
    assert (await _deliver(store, client, clock)).due == 0 and not client.calls
    # Fails again: the delay doubles.
    clock.advance(outbox.BACKOFF_BASE_S)
    await _deliver(store, client, clock)
    entry = _entries(store)["s1:1"]
    assert entry.attempts == 2
    assert (entry.next_attempt_at - clock.now()).total_seconds() == 2 * outbox.BACKOFF_BASE_S
    # Then Amazon answers: sent once.
    clock.advance(2 * outbox.BACKOFF_BASE_S)
    ok = ScriptedAmazon()
    assert (await _deliver(store, ok, clock)).sent == 1
    assert _entries(store)["s1:1"].state == SENT and len(ok.calls) == 1


def test_backoff_grows_and_is_capped():
    delays = [outbox.backoff_seconds(n) for n in range(1, 12)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == outbox.BACKOFF_CAP_S
    assert delays == sorted(delays)


async def test_rejected_confirmation_waits_for_the_operator(store, clock):
    order = _seed(store, parcels=1)
    rejected = AmazonApiError(400, "InvalidInput", "OrderItemId is invalid")
    lines: list[LogLine] = []
    result = await _deliver(store, ScriptedAmazon([rejected]), clock, lines)
    assert result.failed == 1 and result.exit_code == 1
    entry = _entries(store)["s1:1"]
    assert entry.state == FAILED and "OrderItemId is invalid" in entry.last_error
    assert any(line.level == "error" and "OrderItemId is invalid" in line.text for line in lines)
    with store.read() as view:
        summary = outbox.order_tracking(view, order.key)
    assert summary.failed == 1 and "OrderItemId is invalid" in summary.text

    # It is not retried on its own.
    client = ScriptedAmazon()
    clock.advance(7200)
    assert (await _deliver(store, client, clock)).due == 0 and not client.calls

    # The operator retries: it goes out again and the order ships.
    outbox.retry(store, "s1:1", clock)
    assert (await _deliver(store, client, clock)).sent == 1
    assert _order(store, order.key).state == SHIPPED


async def test_mark_done_by_hand_ships_the_order(store, clock):
    order = _seed(store, parcels=1)
    rejected = AmazonApiError(400, "InvalidInput", "Ship+ order")
    await _deliver(store, ScriptedAmazon([rejected]), clock)
    outbox.mark_done(store, "s1:1", clock)
    assert _entries(store)["s1:1"].state == SKIPPED
    assert _order(store, order.key).state == SHIPPED
    with pytest.raises(outbox.OutboxEntryNotFound):
        outbox.mark_done(store, "nope", clock)


async def test_sent_confirmation_cannot_be_retried_or_skipped(store, clock):
    _seed(store, parcels=1)
    await _deliver(store, ScriptedAmazon(), clock)
    with pytest.raises(outbox.OutboxStateError):
        outbox.retry(store, "s1:1", clock)
    with pytest.raises(outbox.OutboxStateError):
        outbox.mark_done(store, "s1:1", clock)


async def test_revoked_grant_keeps_entries_and_flags_the_shop(store, clock):
    _seed(store, parcels=3)
    lines: list[LogLine] = []
    client = ScriptedAmazon([GrantRevoked()])
    result = await outbox.deliver(store, client, _tokens, clock, lines.append, workers=1)
    assert result.sent == 0 and result.blocked == 3 and result.exit_code == 2
    assert len(client.calls) == 1  # the other parcels of that shop are not tried
    assert all(e.state == PENDING and e.attempts == 0 for e in _entries(store).values())
    with store.read() as view:
        assert view.integrations.get("shop1").status == NEEDS_REAUTH
    assert any("re-connect" in e.text for e in lines if isinstance(e, LogLine))

    # Until the shop is re-connected nothing is tried.
    client = ScriptedAmazon()
    result = await _deliver(store, client, clock)
    assert result.blocked == 3 and not client.calls and result.exit_code == 2


async def test_shop_without_refresh_token_waits(store, clock):
    _seed(store, parcels=1)
    lines: list[LogLine] = []
    client = ScriptedAmazon()
    result = await _deliver(store, client, clock, lines, tokens=lambda _id: None)
    assert result.blocked == 1 and result.exit_code == 2 and not client.calls
    assert _entries(store)["s1:1"].state == PENDING
    assert any("not connected" in line.text for line in lines)


async def test_deliver_only_the_chosen_orders(store, clock):
    _seed(store, parcels=1)
    client = ScriptedAmazon()
    result = await outbox.deliver(store, client, _tokens, clock, order_keys=["other:1"])
    assert result.due == 0 and not client.calls
    assert result.pending_left == 1 and result.exit_code == 1


async def test_a_label_deleted_meanwhile_is_not_resurrected(store, clock):
    _seed(store, parcels=1)

    class DeletingAmazon(ScriptedAmazon):
        async def confirm_shipment(self, *args, **kw):
            with store.write() as tx:
                tx.outbox.delete("s1:1")
            await super().confirm_shipment(*args, **kw)

    await _deliver(store, DeletingAmazon(), clock)
    assert _entries(store) == {}


async def test_next_due(store, clock):
    assert outbox.next_due(store, clock) is None
    _seed(store, parcels=1)
    assert outbox.next_due(store, clock) == START
    await _deliver(store, ScriptedAmazon([AmazonApiError(503, "X", "down")]), clock)
    assert (outbox.next_due(store, clock) - START).total_seconds() == outbox.BACKOFF_BASE_S
