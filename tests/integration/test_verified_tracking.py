"""Tracking that reaches Amazon for real (issue 16): GLS test labels are held back from a live
Amazon shop, and a confirmation counts as "verified at Amazon" only once Amazon lists it.

A live Amazon account is the sandbox reached through endpoints not marked as the sandbox's
(what production endpoints are); the sandbox drops a share of confirmations silently
(`sandbox.amazon.drop_confirmations`), answering 204 all the same.
"""

from __future__ import annotations

import dataclasses

import pytest
from test_labels_world import make_world

from glstui.domain.shipment import GLS_LIVE, GLS_TEST, MISSING, PENDING, SENT, UNLISTED, VERIFIED
from glstui.services import labelling, outbox


@pytest.fixture
def small_sandbox(make_sandbox):
    return make_sandbox(seed=5, orders=40, time_scale=60.0, arrivals_per_hour=0)


async def _labelled_world(sandbox, path, n=4, gls_path="/Test/V1/api/"):
    world = make_world(sandbox, path)
    world.ctx.gls_base_url_override = f"{sandbox.base_url}{gls_path}"
    keys = (await world.import_orders())[:n]
    run = await labelling.create_labels(world.ctx, keys, world.report, deliver=False)
    assert run.labelled == n
    return world, keys


def _live_amazon(world) -> None:
    world.ctx.endpoints = dataclasses.replace(world.ctx.endpoints, is_sandbox=False)


def _summaries(world):
    with world.store.read() as view:
        return outbox.tracking_by_order(view)


# --- GLS test labels and a live Amazon shop ------------------------------------------------


async def test_test_labels_are_not_confirmed_to_a_live_amazon_shop(small_sandbox, tmp_path):
    world, keys = await _labelled_world(small_sandbox, tmp_path / "data")
    assert {s.gls_environment for s in world.shipments()} == {GLS_TEST}
    _live_amazon(world)

    result = await outbox.deliver_pending(world.ctx, world.report)

    entries = world.outbox()
    assert result.sent == 0 and result.held == len(entries) >= len(keys)
    assert world.confirm_requests() == []  # Amazon was told nothing
    assert all(e.state == PENDING and "GLS test label" in e.held_reason for e in entries)
    assert all("GLS test label" in s.text for s in _summaries(world).values())
    assert any("held back" in line for line in world.lines())
    assert outbox.next_due(world.store, world.clock) is None  # not retried in a loop

    # the shop's explicit override lets them go
    released = outbox.allow_test_tracking(world.store, world.shop.id, True, world.clock)
    assert released == len(entries)
    result = await outbox.deliver_pending(world.ctx, world.report)
    assert result.sent == len(entries) and result.held == 0
    assert all(e.state == SENT and not e.held_reason for e in world.outbox())


async def test_live_labels_and_the_sandbox_amazon_are_not_held(small_sandbox, tmp_path):
    live, _keys = await _labelled_world(small_sandbox, tmp_path / "live", 2, "/V1/api/")
    assert {s.gls_environment for s in live.shipments()} == {GLS_LIVE}
    _live_amazon(live)
    result = await outbox.deliver_pending(live.ctx, live.report)
    assert result.held == 0 and result.sent == len(live.outbox())

    # the sandbox (and the demo) is no live Amazon account: test tracking flows there
    demo, _keys = await _labelled_world(small_sandbox, tmp_path / "demo", 2)
    result = await outbox.deliver_pending(demo.ctx, demo.report)
    assert result.held == 0 and result.sent == len(demo.outbox())


# --- read back: verified at Amazon, or flagged ----------------------------------------------


async def test_a_confirmation_amazon_dropped_is_flagged_not_shown_as_done(small_sandbox, tmp_path):
    world, _keys = await _labelled_world(small_sandbox, tmp_path / "data", 8)
    small_sandbox.amazon.drop_confirmations(0.4)

    result = await outbox.deliver_pending(world.ctx, world.report)
    entries = world.outbox()
    assert result.sent == len(entries)  # Amazon answered 204 to every one
    listed = {
        (o.order_id, p["packageReferenceId"], p["trackingNumber"])
        for o in small_sandbox.orders.values()
        for p in o.packages
    }

    def at_amazon(e) -> bool:
        tracking = e.payload["packageDetail"]["trackingNumber"]
        return (e.order_id, e.package_reference_id, tracking) in listed

    kept = [e for e in entries if at_amazon(e)]
    dropped = [e for e in entries if not at_amazon(e)]
    assert kept and dropped and small_sandbox.amazon.dropped_confirmations == len(dropped)
    assert result.verified == len(kept)
    assert all(e.verify_state == VERIFIED for e in kept)
    assert all(e.verify_state == UNLISTED for e in dropped)  # Amazon's data may lag: wait
    summaries = _summaries(world)
    whole = {e.order_key for e in kept} - {e.order_key for e in dropped}
    assert whole and all(summaries[k].checked_text == "verified at Amazon" for k in whole)
    assert summaries[dropped[0].order_key].checked_text == "sent, not yet verified at Amazon"
    assert outbox.verify_text(dropped[0]) == "sent, not yet verified at Amazon"

    # still not listed a quarter of an hour later: flagged, with what to do
    world.clock.advance(16 * 60)
    result = await outbox.deliver_pending(world.ctx, world.report)
    assert result.not_listed == len(dropped)
    flagged = [e for e in world.outbox() if e.verify_state == MISSING]
    assert sorted(e.id for e in flagged) == sorted(e.id for e in dropped)
    assert _summaries(world)[dropped[0].order_key].text.startswith("NOT listed at Amazon")
    assert any("does not list tracking number" in line for line in world.lines("error"))

    # sending it again is allowed (an edit of the same package at Amazon)
    small_sandbox.amazon.drop_confirmations(0.0)
    outbox.retry(world.store, dropped[0].id, world.clock)
    result = await outbox.deliver_pending(world.ctx, world.report)
    again = next(e for e in world.outbox() if e.id == dropped[0].id)
    assert result.sent == 1 and again.verify_state == VERIFIED
