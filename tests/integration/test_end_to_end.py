"""Import -> label -> tracking back to Amazon, against the sandbox over real HTTP.

What the operator must be able to rely on: after labelling, the order is shipped at Amazon
with carrier GLS and the very parcel number GLS printed on the label; each parcel is
confirmed once; with the shop's tracking switch off Amazon hears nothing.
"""

from __future__ import annotations

import stat
from collections import Counter

import pytest
from test_labels_world import check_pdf, make_world

from glstui.domain.order import LABELLED, SHIPPED
from glstui.domain.shipment import SENT
from glstui.services import labelling, outbox


@pytest.fixture
def small_sandbox(make_sandbox):
    return make_sandbox(seed=1, orders=30, time_scale=60.0)


async def test_import_label_and_confirm_ships_the_order_at_amazon(small_sandbox, tmp_path):
    world = make_world(small_sandbox, tmp_path / "data")
    keys = await world.import_orders()
    assert len(keys) >= 5

    run = await labelling.create_labels(world.ctx, keys, world.report)

    assert run.labelled == len(keys) and not run.error
    assert run.delivery.sent == len(keys) and run.delivery.exit_code == 0
    shipments = {s.order_key: s for s in world.shipments()}
    for key in keys:
        order = world.order(key)
        assert order.state == SHIPPED and order.shipped_at is not None
        shipment = shipments[key]
        (parcel,) = shipment.parcel_numbers
        sim = small_sandbox.orders[order.order_id]
        assert sim.status == "SHIPPED"
        (package,) = sim.packages
        assert package["carrier"] == "GLS"
        assert package["trackingNumber"] == parcel
        assert package["packageReferenceId"] == "1"
        assert sum(i["quantity"] for i in package["packageItems"]) == order.item_count
        # The label file is there, private, and opens.
        (path,) = labelling.label_files(shipment)
        assert path.name == f"{order.order_id}-{parcel}.pdf"
        assert path.parent.name == world.clock.now().strftime("%Y-%m-%d")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert check_pdf(path.read_bytes()) == 1
    # Exactly one accepted confirmation per parcel, one label per order at GLS.
    assert set(world.confirm_204s().values()) == {1}
    assert len(world.confirm_204s()) == len(keys)
    assert set(world.gls_creates().values()) == {1}
    assert {e.state for e in world.outbox()} == {SENT}
    # Nothing is pending: a push finds nothing to send.
    again = await outbox.deliver_pending(world.ctx, world.report)
    assert again.due == 0 and again.exit_code == 0
    # No label was left half-made.
    assert not list((world.ctx.labels_dir / "pending").glob("*.json"))


async def test_tracking_switch_off_sends_nothing(small_sandbox, tmp_path):
    world = make_world(small_sandbox, tmp_path / "data", update_tracking=False)
    keys = await world.import_orders()

    run = await labelling.create_labels(world.ctx, keys, world.report)

    assert run.labelled == len(keys)
    assert world.outbox() == []
    assert world.confirm_requests() == []
    assert all(world.order(k).state == LABELLED for k in keys)
    assert all(small_sandbox.orders[world.order(k).order_id].status == "UNSHIPPED" for k in keys)
    assert any("tracking update is off" in line for line in world.lines())
    assert (await outbox.deliver_pending(world.ctx, world.report)).exit_code == 0


async def test_multi_parcel_order_is_confirmed_per_parcel_without_overcounting(
    small_sandbox, tmp_path
):
    world = make_world(small_sandbox, tmp_path / "data")
    small_sandbox.add_orders(1, country="NL")
    keys = await world.import_orders()
    key = max(keys, key=lambda k: world.order(k).item_count)
    order = world.order(key)
    units = order.item_count
    assert units >= 2, "the sandbox seed should give an order of several units"
    parcels = 3 if units >= 3 else 2
    world.set_order(key, decision={**order.decision, "parcels": parcels, "weight_kg": 2.5})

    run = await labelling.create_labels(world.ctx, [key], world.report)

    (outcome,) = run.outcomes
    assert outcome.status == labelling.DONE and len(outcome.parcel_numbers) == parcels
    sim = small_sandbox.orders[order.order_id]
    confirmed = min(parcels, units)
    assert len(sim.packages) == confirmed
    assert sorted(p["packageReferenceId"] for p in sim.packages) == [
        str(n) for n in range(1, confirmed + 1)
    ]
    assert {p["trackingNumber"] for p in sim.packages} <= set(outcome.parcel_numbers)
    shipped = Counter()
    for package in sim.packages:
        for item in package["packageItems"]:
            shipped[item["orderItemId"]] += item["quantity"]
    assert shipped == Counter({i.order_item_id: i.quantity for i in order.items})
    assert sim.status == "SHIPPED" and world.order(key).state == SHIPPED
    # GLS got one label with `parcels` units of 2.5 kg each.
    create = next(
        r for r in small_sandbox.gls.request_log if r.path.lower().endswith("label/create")
    )
    assert [u["weight"] for u in create.body["units"]] == [2.5] * parcels
