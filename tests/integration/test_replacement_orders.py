"""Replacement orders (issue 16, real order kinds): Amazon's associatedOrders name the original
order. glstui labels and confirms a replacement like any order, and the Orders details say what
it replaces, so nobody takes it for a double or holds it back."""

from __future__ import annotations

from test_labels_world import make_world

from glstui.domain.order import LABELLED, NEW, SHIPPED
from glstui.services import labelling
from glstui.tui.screens.orders.detail import detail_text


async def test_a_replacement_is_labelled_and_confirmed_and_says_what_it_replaces(
    make_sandbox, tmp_path
):
    sandbox = make_sandbox(seed=6, orders=120, time_scale=60.0, kinds_share=0.3)
    sims = {o.order_id: o for o in sandbox.orders.values() if o.associated}
    assert sims, "the sandbox seeds replacements with kinds_share"
    world = make_world(sandbox, tmp_path / "data")
    await world.import_orders()
    replacements = {k: o for k, o in world.orders().items() if o.order_id in sims}
    waiting = [k for k, o in replacements.items() if o.state == NEW]
    assert waiting, "replacements wait for a label like any order"
    for order in replacements.values():
        original = sims[order.order_id].associated[0]["orderId"]
        assert (order.original_order_id, order.association) == (
            original,
            "REPLACEMENT_ORIGINAL_ID",
        )

    run = await labelling.create_labels(world.ctx, waiting, world.report)

    assert run.labelled == len(waiting)
    confirmed = {order_id for order_id, _ref in world.confirm_204s()}
    for key in waiting:
        order = world.order(key)
        assert order.state in (LABELLED, SHIPPED) and order.order_id in confirmed
    key = waiting[0]
    order = world.order(key)
    shown = detail_text(order, "Amazon NL").plain
    assert f"Replacement for order {order.original_order_id}: label and ship it as usual." in shown
