"""The Orders details say, per Amazon parcel, what Amazon's read-back found: verified, or NOT
listed (loud) when Amazon answered 204 but does not list our tracking number."""

from __future__ import annotations

from test_verified_tracking import _labelled_world

from glstui.domain.shipment import MISSING, VERIFIED
from glstui.services import outbox
from glstui.services.orders_query import OrdersQuery
from glstui.tui.screens.orders.detail import detail_text


async def test_details_show_verified_and_not_listed_parcels(make_sandbox, tmp_path):
    sandbox = make_sandbox(seed=5, orders=40, time_scale=60.0, arrivals_per_hour=0)
    world, _keys = await _labelled_world(sandbox, tmp_path / "data", 8)
    sandbox.amazon.drop_confirmations(0.4)
    await outbox.deliver_pending(world.ctx, world.report)
    world.clock.advance(16 * 60)
    await outbox.deliver_pending(world.ctx, world.report)

    entries = world.outbox()
    kept = next(e for e in entries if e.verify_state == VERIFIED)
    dropped = next(e for e in entries if e.verify_state == MISSING)
    query = OrdersQuery(world.store, world.clock)
    for entry, words in ((kept, "verified at Amazon"), (dropped, "NOT listed at Amazon")):
        order = world.order(entry.order_key)
        shown = detail_text(order, "Amazon NL", query.label_info(order, world.ctx.data_dir))
        line = next(
            line
            for line in shown.plain.splitlines()
            if line.startswith(f"Amazon parcel {entry.package_reference_id}:")
        )
        assert words in line, line
