"""Orders another tool already shipped in part: glstui labels the rest and keeps Amazon's package.

A seeded sandbox with a share of PARTIALLY_SHIPPED orders (Amazon lists package "1" with its
tracking number and each item's quantityFulfilled). Import, label and push them: Amazon's
earlier packages keep their tracking numbers, and the new package holds exactly the units
that were not shipped yet, under a packageReferenceId Amazon did not list.
"""

from __future__ import annotations

import copy

import pytest
from test_labels_world import make_world

from glstui.domain.order import SHIPPED
from glstui.services import labelling


@pytest.fixture
def partial_sandbox(make_sandbox):
    sb = make_sandbox(seed=5, orders=60, time_scale=60.0)
    sb.amazon.set_partial_share(0.3)
    return sb


async def test_partly_shipped_orders_get_a_label_for_the_rest_only(partial_sandbox, tmp_path):
    world = make_world(partial_sandbox, tmp_path / "data")
    keys = await world.import_orders()
    sims = partial_sandbox.orders
    partial = [k for k in keys if sims[k.split(":", 1)[1]].status == "PARTIALLY_SHIPPED"]
    assert len(partial) >= 2
    before = {k: copy.deepcopy(sims[k.split(":", 1)[1]].packages) for k in partial}
    unshipped = {
        k: {
            i.order_item_id: i.quantity - sims[k.split(":", 1)[1]].shipped_quantity(i.order_item_id)
            for i in sims[k.split(":", 1)[1]].items
        }
        for k in partial
    }

    run = await labelling.create_labels(world.ctx, partial, world.report)

    assert run.labelled == len(partial)
    assert run.delivery is not None and run.delivery.sent == len(partial)
    for key in partial:
        sim = sims[key.split(":", 1)[1]]
        earlier = before[key]
        # Amazon's earlier packages are untouched: same reference, same tracking number.
        assert sim.packages[: len(earlier)] == earlier
        (new,) = sim.packages[len(earlier) :]
        assert new["packageReferenceId"] not in {p["packageReferenceId"] for p in earlier}
        assert new["trackingNumber"] == run.by_key()[key].parcel_numbers[0]
        wanted = {item: qty for item, qty in unshipped[key].items() if qty > 0}
        assert {pi["orderItemId"]: pi["quantity"] for pi in new["packageItems"]} == wanted
        assert sim.status == "SHIPPED"
        assert world.order(key).state == SHIPPED


async def test_an_order_amazon_shows_fully_shipped_meanwhile_gets_no_label(
    partial_sandbox, tmp_path
):
    world = make_world(partial_sandbox, tmp_path / "data")
    keys = await world.import_orders()
    sims = partial_sandbox.orders
    key = next(k for k in keys if sims[k.split(":", 1)[1]].status == "PARTIALLY_SHIPPED")
    sim = sims[key.split(":", 1)[1]]
    # The rest is shipped by another tool after glstui imported the order.
    with partial_sandbox.amazon.lock:
        book = partial_sandbox.amazon.book(sim.seller_id)
        rest = [(i, i.quantity - sim.shipped_quantity(i.order_item_id)) for i in sim.items]
        book._ship(sim, partial_sandbox.clock.now(), carrier="DHL", units=[r for r in rest if r[1]])
    creates = len(partial_sandbox.gls.request_log)

    run = await labelling.create_labels(world.ctx, [key], world.report)

    (outcome,) = run.outcomes
    assert outcome.status == labelling.SKIP and "every item shipped" in outcome.message
    assert len(partial_sandbox.gls.request_log) == creates


async def test_without_amazons_packages_a_partly_shipped_order_is_not_labelled(
    partial_sandbox, tmp_path
):
    world = make_world(partial_sandbox, tmp_path / "data")
    keys = await world.import_orders()
    sims = partial_sandbox.orders
    key = next(k for k in keys if sims[k.split(":", 1)[1]].status == "PARTIALLY_SHIPPED")
    order_id = key.split(":", 1)[1]
    partial_sandbox.faults.add("500", count=None, path=f"/orders/2026-01-01/orders/{order_id}")
    creates = len(partial_sandbox.gls.request_log)

    run = await labelling.create_labels(world.ctx, [key], world.report)

    (outcome,) = run.outcomes
    assert outcome.status == labelling.FAIL
    assert "needs Amazon's packages" in outcome.message
    assert len(partial_sandbox.gls.request_log) == creates
    assert [p["packageReferenceId"] for p in sims[order_id].packages] == ["1"]
