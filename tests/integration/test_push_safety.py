"""What a running push tells Amazon when things change under it (issue 18).

- A label deleted (by another process or screen) after the push planned its confirmations is
  never confirmed: Amazon would show the buyer a tracking number whose parcel is gone.
- A 2xx from confirmShipment whose body glstui cannot read is no refusal: the confirmation
  stays pending and the next push sends it again (an edit of the same package at worst).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from test_labels_world import make_world

from glstui.amazon.ratelimit import RetryPolicy
from glstui.domain.order import NEW, SHIPPED
from glstui.domain.shipment import PENDING, SENT
from glstui.services import labelling, outbox
from glstui.services.labelling.commit import active_shipment

CONFIRM = "/orders/v0/orders"


@pytest.fixture
def small_sandbox(make_sandbox):
    return make_sandbox(seed=5, orders=40, time_scale=60.0)


@pytest.fixture
async def world(small_sandbox, tmp_path):
    w = make_world(small_sandbox, tmp_path / "data")
    w.keys = (await w.import_orders())[:4]
    assert len(w.keys) == 4
    run = await labelling.create_labels(w.ctx, w.keys, w.report, deliver=False)
    assert run.labelled == 4
    return w


class FirstSendWaits:
    """The real Amazon client, except that the first confirmation runs `meanwhile` before it
    goes on, and every other one waits for that: what another process does between the
    moment push plans its sends and the moment they go out."""

    def __init__(self, real, meanwhile: Callable[[], Awaitable[None]]) -> None:
        self.real = real
        self.meanwhile = meanwhile
        self.started = False
        self.done = asyncio.Event()

    async def confirm_shipment(self, *args, **kw):
        if not self.started:
            self.started = True
            await self.meanwhile()
            self.done.set()
        await self.done.wait()
        await self.real.confirm_shipment(*args, **kw)

    async def get_order(self, *args, **kw):
        return await self.real.get_order(*args, **kw)


def _meanwhile(world, monkeypatch, meanwhile) -> None:
    real = world.ctx.amazon_client
    monkeypatch.setattr(
        world.ctx, "amazon_client", lambda http: FirstSendWaits(real(http), meanwhile)
    )


def _tracking_numbers(world, key: str) -> list[str]:
    with world.store.read() as view:
        return list(active_shipment(view, key).parcel_numbers)


def _told_amazon(world) -> list[str]:
    return [r.json["packageDetail"]["trackingNumber"] for r in world.confirm_requests()]


def _assert_others_confirmed_once(world, keys) -> None:
    for key in keys:
        order = world.order(key)
        sim = world.sandbox.orders[order.order_id]
        assert order.state == SHIPPED, key
        assert sorted(p["trackingNumber"] for p in sim.packages) == sorted(
            _tracking_numbers(world, key)
        )


# --- push vs label delete -------------------------------------------------------------------


async def test_a_label_deleted_after_push_planned_it_is_never_confirmed(world, monkeypatch):
    victim, others = world.keys[-1], world.keys[:-1]
    dead = _tracking_numbers(world, victim)

    async def delete_the_label() -> None:
        deleted = await labelling.delete_order_label(world.ctx, victim)
        assert deleted.deleted

    _meanwhile(world, monkeypatch, delete_the_label)
    result = await outbox.deliver_pending(world.ctx, world.report)

    assert not set(dead) & set(_told_amazon(world))
    assert world.sandbox.orders[world.order(victim).order_id].packages == []
    assert world.order(victim).state == NEW
    assert result.dropped == len(dead) and result.exit_code == 0
    assert any("label was deleted meanwhile" in line for line in world.lines("warning"))
    _assert_others_confirmed_once(world, others)


async def test_a_delete_in_progress_holds_its_confirmations_back(world, small_sandbox, monkeypatch):
    """The delete has held the entries back and is waiting for GLS when the sends go out."""
    victim, others = world.keys[-1], world.keys[:-1]
    dead = _tracking_numbers(world, victim)
    small_sandbox.gls.slow_next(0.5)  # GLS takes its time to delete
    deleting: list[asyncio.Task] = []

    async def start_deleting() -> None:
        deleting.append(asyncio.create_task(labelling.delete_order_label(world.ctx, victim)))
        now = world.clock.now()
        while not any(
            e.order_key == victim and (e.next_attempt_at or now) > now for e in world.outbox()
        ):
            await asyncio.sleep(0.01)

    _meanwhile(world, monkeypatch, start_deleting)
    await outbox.deliver_pending(world.ctx, world.report)
    deleted = await deleting[0]

    assert deleted.deleted and not deleted.refused, deleted.message
    assert not set(dead) & set(_told_amazon(world))
    assert world.sandbox.orders[world.order(victim).order_id].packages == []
    assert world.order(victim).state == NEW
    assert [e for e in world.outbox() if e.order_key == victim] == []
    _assert_others_confirmed_once(world, others)


# --- an answer that cannot be read ---------------------------------------------------------


def _garble_carried_out(world, parcels: int) -> None:
    # Amazon takes the confirmation, then its answer is cut off; every retry likewise.
    world.sandbox.amazon.garble_confirmations(parcels * RetryPolicy().max_attempts)


def _garble_not_carried_out(world, parcels: int) -> None:
    world.sandbox.faults.add("malformed_json", count=None, path=CONFIRM)


@pytest.mark.parametrize("garble", [_garble_carried_out, _garble_not_carried_out])
async def test_an_unreadable_2xx_stays_pending_and_the_next_push_sends_it(world, garble):
    parcels = len(world.outbox())
    garble(world, parcels)

    first = await outbox.deliver_pending(world.ctx, world.report)

    assert first.failed == 0 and first.retry_later == parcels
    assert first.failed_left == 0 and first.pending_left == parcels and first.exit_code == 1
    entries = world.outbox()
    assert {e.state for e in entries} == {PENDING}
    assert all("could not read" in e.last_error for e in entries)
    warnings = world.lines("warning")
    assert sum("it stays waiting and is sent again" in line for line in warnings) == parcels
    assert all(world.order(k).state != SHIPPED for k in world.keys)

    # Amazon answers properly again: the next push sends them.
    world.sandbox.amazon.garble_confirmations(0)
    world.sandbox.faults.clear()
    world.clock.advance(outbox.BACKOFF_CAP_S)
    second = await outbox.deliver_pending(world.ctx, world.report)

    assert second.sent == parcels and second.exit_code == 0
    assert {e.state for e in world.outbox()} == {SENT}
    assert set(world.confirm_204s().values()) == {1}
    _assert_others_confirmed_once(world, world.keys)  # one package per parcel at Amazon
