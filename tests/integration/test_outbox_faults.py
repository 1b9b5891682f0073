"""Tracking confirmations under faults: 429 storms, 503s, timeouts, a revoked grant and a
process killed with SIGKILL. After the faults clear every parcel is confirmed, and the
sandbox's request log and order book prove Amazon never got a second package for one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_labels_world import make_world

from glstui.cli.push import run_push
from glstui.domain.clock import to_iso
from glstui.domain.integration import CONNECTED, NEEDS_REAUTH
from glstui.domain.order import LABELLED, SHIPPED
from glstui.domain.shipment import PENDING, SENT
from glstui.services import labelling, outbox

CONFIRM = "/orders/v0/orders"
HERE = Path(__file__).parent
ROOT = HERE.parents[1]


@pytest.fixture
def small_sandbox(make_sandbox):
    return make_sandbox(seed=5, orders=40, time_scale=60.0)


@pytest.fixture
async def world(small_sandbox, tmp_path):
    w = make_world(small_sandbox, tmp_path / "data")
    w.keys = await w.import_orders()
    assert len(w.keys) >= 6
    return w


async def deliver_until_done(world, rounds: int = 15):
    """What `glstui push` on a timer does: deliver, wait for the backoff, again."""
    result = None
    for _ in range(rounds):
        result = await outbox.deliver_pending(world.ctx, world.report)
        if not result.pending_left and not result.failed_left:
            return result
        world.clock.advance(outbox.BACKOFF_CAP_S)
    return result


def assert_each_parcel_once_at_amazon(world, keys, exactly_once: bool = True):
    """One package per parcel at Amazon, carrying our tracking number; 204s per parcel."""
    counts = world.confirm_204s()
    shipments = {s.order_key: s for s in world.shipments() if s.deleted_at is None}
    for key in keys:
        order = world.order(key)
        shipment = shipments[key]
        sim = world.sandbox.orders[order.order_id]
        assert order.state == SHIPPED, order.order_id
        assert sim.status == "SHIPPED"
        assert [
            (p["packageReferenceId"], p["trackingNumber"], p["carrier"]) for p in sim.packages
        ] == [
            (ref, parcel, "GLS")
            for ref, parcel in zip(
                shipment.package_reference_ids, shipment.parcel_numbers, strict=True
            )
        ]
        for ref in shipment.package_reference_ids:
            n = counts[(order.order_id, ref)]
            assert n == 1 if exactly_once else n >= 1, (order.order_id, ref, n)
    assert {e.state for e in world.outbox()} == {SENT}
    assert set(world.gls_creates().values()) == {1}


@pytest.mark.parametrize("kind", ["429", "503"])
async def test_storms_delay_but_never_double_a_confirmation(world, small_sandbox, kind):
    keys = world.keys[:6]
    storm = small_sandbox.faults.add(kind, count=None, path=CONFIRM)

    run = await labelling.create_labels(world.ctx, keys, world.report)

    assert run.labelled == len(keys)
    assert run.delivery.retry_later == len(keys) and run.delivery.exit_code == 1
    pending = world.outbox()
    assert all(e.state == PENDING and e.attempts == 1 and e.next_attempt_at for e in pending)
    assert any("will retry" in line for line in world.lines())
    assert all(world.order(k).state == LABELLED for k in keys)
    assert storm.fired >= len(keys) and not world.confirm_204s()

    # The storm dies down (a few more fail), then everything goes through once.
    small_sandbox.faults.clear()
    small_sandbox.faults.add(kind, count=10, path=CONFIRM)
    final = await deliver_until_done(world)

    assert final.exit_code == 0 and not small_sandbox.faults.active
    assert_each_parcel_once_at_amazon(world, keys)


async def test_timeouts_resend_the_same_package_never_a_new_one(world, small_sandbox):
    world.ctx.http_timeout = 0.3
    # Amazon processes these but answers too late: the client cannot know they arrived.
    small_sandbox.faults.add("slow", count=3, path=CONFIRM, delay=0.8)

    await labelling.create_labels(world.ctx, world.keys, world.report)
    final = await deliver_until_done(world)

    assert final.exit_code == 0
    assert_each_parcel_once_at_amazon(world, world.keys, exactly_once=False)
    extra = sum(world.confirm_204s().values()) - len(world.keys)
    assert 0 <= extra <= 3


async def test_revoked_grant_waits_for_reconnect_then_sends(world, small_sandbox):
    token = world.ctx.refresh_token(world.shop.id)
    small_sandbox.revoke(token)

    run = await labelling.create_labels(world.ctx, world.keys[:3], world.report)

    assert run.labelled == 3 and run.delivery.sent == 0
    assert all(e.state == PENDING and e.attempts == 0 for e in world.outbox())
    with world.store.read() as view:
        assert view.integrations.get(world.shop.id).status == NEEDS_REAUTH
    assert any("re-connect" in line for line in world.lines())
    assert (await outbox.deliver_pending(world.ctx, world.report)).exit_code == 2

    # The operator re-connects the shop.
    world.ctx.secrets.set(
        f"amazon.refresh_token.{world.shop.id}", small_sandbox.issue_refresh_token()
    )
    with world.store.write() as tx:
        shop = tx.integrations.get(world.shop.id)
        shop.status = CONNECTED
        tx.integrations.put(shop)
    assert (await outbox.deliver_pending(world.ctx, world.report)).sent == 3
    assert_each_parcel_once_at_amazon(world, world.keys[:3])


async def test_amazon_rejection_waits_for_the_operator(world, small_sandbox):
    key = world.keys[0]
    order = world.order(key)
    # The order was cancelled at Amazon after the import: confirmShipment is refused (400).
    small_sandbox.orders[order.order_id].status = "CANCELLED"

    run = await labelling.create_labels(world.ctx, [key], world.report)

    assert run.delivery.failed == 1 and run.delivery.exit_code == 1
    (entry,) = world.outbox()
    assert entry.state == "failed" and "cancelled" in entry.last_error
    with world.store.read() as view:
        assert "cancelled" in outbox.order_tracking(view, key).text
    # Not retried on its own; the operator marks it done (handled in Seller Central).
    world.clock.advance(outbox.BACKOFF_CAP_S)
    assert (await outbox.deliver_pending(world.ctx, world.report)).due == 0
    outbox.mark_done(world.store, entry.id, world.clock)
    assert world.order(key).state == SHIPPED
    assert len(world.confirm_requests()) == 1


# --- a process killed with SIGKILL ---------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import asyncio, json, os, signal, sys
    sys.path.insert(0, {here!r})
    from glstui.domain.clock import FixedClock, from_iso
    from glstui.services import labelling, outbox
    from test_labels_world import open_context

    args = json.loads(sys.argv[1])
    clock = FixedClock(from_iso(args["now"]))
    ctx = open_context(args["data_dir"], args["base_url"], clock, args["tokens"])

    def say(event):
        text = getattr(event, "text", None)
        if text:
            print(text, flush=True)

    if args["mode"] == "before_record":
        real = labelling.record.record_and_claim
        def die(store, labels_dir, asked, *rest):
            if asked:  # GLS answered; the store write that records it never happens
                os.kill(os.getpid(), signal.SIGKILL)
            return real(store, labels_dir, asked, *rest)
        labelling.record.record_and_claim = die

    async def main():
        await labelling.create_labels(ctx, args["keys"], say, deliver=False)
        print("LABELLED", flush=True)
        if args["mode"] == "during_delivery":
            await outbox.deliver_pending(ctx, say)
        await asyncio.sleep(120)  # about to confirm: the parent kills us here

    asyncio.run(main())
    """
).format(here=str(HERE))


def run_child(world, tmp_path, keys, mode, kill_after: str | None):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    args = {
        "now": to_iso(world.clock.now()),
        "data_dir": str(world.ctx.data_dir),
        "base_url": world.sandbox.base_url,
        "tokens": {world.shop.id: world.ctx.refresh_token(world.shop.id)},
        "keys": keys,
        "mode": mode,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(script), json.dumps(args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if kill_after and kill_after in line:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, seen, proc.stderr.read())
    return seen


async def test_killed_between_label_and_confirmation(world, tmp_path):
    keys = world.keys[:5]
    run_child(world, tmp_path, keys, "after_label", kill_after="LABELLED")
    assert all(world.order(k).state == LABELLED for k in keys)
    assert world.confirm_requests() == []

    # The next start: record what the killed run left, then deliver.
    final = await labelling.on_start(world.ctx, world.report)

    assert final.sent == len(keys) and final.exit_code == 0
    assert_each_parcel_once_at_amazon(world, keys)


async def test_killed_after_gls_answered_before_the_store_write(world, tmp_path):
    keys = world.keys[:3]
    seen = run_child(world, tmp_path, keys, "before_record", kill_after=None)
    assert "LABELLED" not in seen
    assert world.shipments() == []
    assert all(world.order(k).label_pending_at is not None for k in keys)
    assert sum(world.gls_creates().values()) == 3

    found = labelling.reconcile_labels(world.ctx, world.report)

    assert sorted(found.recovered) == sorted(keys) and found.uncertain == []
    assert all(world.order(k).state == LABELLED for k in keys)
    # Asking for the labels again does not ask GLS again.
    again = await labelling.create_labels(world.ctx, keys, world.report)
    assert again.labelled == 0 and again.skipped == 3
    final = await deliver_until_done(world)
    assert final.exit_code == 0
    assert_each_parcel_once_at_amazon(world, keys)


async def test_killed_while_confirming_never_makes_a_second_package(world, small_sandbox, tmp_path):
    keys = world.keys[:6]
    # Amazon is slow, so the kill lands while confirmations are in flight.
    small_sandbox.faults.add("slow", count=None, path=CONFIRM, delay=0.15)
    run_child(world, tmp_path, keys, "during_delivery", kill_after="tracking code sent")
    small_sandbox.faults.clear()

    final = await deliver_until_done(world)

    assert final.exit_code == 0
    # At-least-once: a confirmation Amazon took just before the kill may be sent again, as
    # an edit of the same package (same packageReferenceId), never as a new package.
    assert_each_parcel_once_at_amazon(world, keys, exactly_once=False)
    assert all(n <= 2 for n in world.confirm_204s().values())


# --- glstui push ---------------------------------------------------------------------------


def test_push_exit_codes(small_sandbox, tmp_path, capsys):
    import asyncio

    world = make_world(small_sandbox, tmp_path / "data")
    keys = asyncio.run(world.import_orders())[:3]
    asyncio.run(labelling.create_labels(world.ctx, keys, world.report, deliver=False))
    token = world.ctx.refresh_token(world.shop.id)

    small_sandbox.revoke(token)  # nothing can be sent: 2
    assert run_push(world.ctx) == 2
    assert "re-connect" in capsys.readouterr().err

    world.ctx.secrets.set(
        f"amazon.refresh_token.{world.shop.id}", small_sandbox.issue_refresh_token()
    )
    with world.store.write() as tx:
        shop = tx.integrations.get(world.shop.id)
        shop.status = CONNECTED
        tx.integrations.put(shop)
    # One order was cancelled at Amazon meanwhile: sent 2, refused 1 -> 1.
    small_sandbox.orders[world.order(keys[0]).order_id].status = "CANCELLED"
    assert run_push(world.ctx) == 1
    out = capsys.readouterr()
    assert "Sent 2, retry later 0, refused 1" in out.out and "cancelled" in out.err

    # The operator handled it in Seller Central: all done -> 0.
    (failed,) = [e for e in world.outbox() if e.state == "failed"]
    outbox.mark_done(world.store, failed.id, world.clock)
    assert run_push(world.ctx) == 0
    assert "Nothing to send" in capsys.readouterr().out

    world.ctx.secrets.delete("amazon.lwa_client_secret")
    with world.store.write() as tx:
        entry = tx.outbox.get(failed.id)
        entry.state = PENDING
        tx.outbox.put(entry)
    assert run_push(world.ctx) == 2  # no app keys
    assert "app credentials" in capsys.readouterr().err
