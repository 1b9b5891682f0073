"""Late data (issue 16): Amazon lists an order in searchOrders some time after its
lastUpdatedTime. An import that starts exactly where the last one ended misses such an order
for good; glstui starts each lastUpdatedAfter search LATE_DATA_OVERLAP before its cursor, and
the orders seen twice are merged by order id, never doubled.

The sandbox's switch: `sandbox.amazon.delay_visibility(share, by)`.
"""

from __future__ import annotations

from datetime import timedelta

from test_import import World, world  # noqa: F401 (fixture)

from glstui.services.importing.window import LATE_DATA_OVERLAP


async def test_an_order_amazon_lists_late_is_imported_once(world: World) -> None:  # noqa: F811
    integ = world.add_shop()
    await world.run(integ)
    before = world.stored()

    # Orders updated now are listed by searchOrders only 3 minutes later.
    world.sandbox.amazon.delay_visibility(1.0, timedelta(minutes=3))
    late = {o.order_id for o in world.sandbox.add_orders(3, status="UNSHIPPED")}
    world.sandbox.clock.advance(5)
    run = await world.run(integ)  # Amazon does not list them yet: the cursor passes them
    assert run.shops[0].new == 0
    cursor = world.shop(integ).import_cursor
    assert all(world.sandbox.orders[o].last_updated < cursor for o in late)

    world.sandbox.clock.advance(4 * 60)  # now Amazon lists them
    run = await world.run(integ)
    query = world.sandbox.requests("/orders/2026-01-01/orders", "GET")[-1].query
    assert query["lastUpdatedAfter"] == (cursor - LATE_DATA_OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
    stored = world.stored()
    assert set(stored) == set(before) | late  # the late ones are there, once each
    assert run.shops[0].new == len(late)
    assert world.shop(integ).import_cursor >= cursor  # the overlap never moves it back

    again = await world.run(integ)  # the overlap re-reads them: unchanged, not new
    assert world.stored() == stored
    assert (again.shops[0].new, again.shops[0].updated) == (0, 0)
