"""Real order kinds (issue 16): Easy Ship, Ship+, pickup points, and an app without the PII role.

A seeded sandbox shop with a share of such orders; import them and try to label everything
that waits: glstui shows each "not for GLS" order with the reason, never asks GLS or Amazon
for it, and labels a GLS ParcelShop pickup point with ParcelShop delivery to that shop.
"""

from __future__ import annotations

import pytest
from test_labels_world import make_world

from glstui.domain.order import HELD, NEW
from glstui.services import labelling


@pytest.fixture
def kinds_sandbox(make_sandbox):
    return make_sandbox(seed=6, orders=120, time_scale=60.0, kinds_share=0.3)


def _waiting(world):
    return {k: o for k, o in world.orders().items() if o.state in (NEW, HELD)}


def _sim(sandbox, key):
    return sandbox.orders[key.split(":", 1)[1]]


async def test_amazon_shipped_programs_and_lockers_are_held_not_for_gls(kinds_sandbox, tmp_path):
    world = make_world(kinds_sandbox, tmp_path / "data")
    await world.import_orders()
    waiting = _waiting(world)
    by_kind: dict[str, list[str]] = {}
    for key in waiting:
        sim = _sim(kinds_sandbox, key)
        if "AMAZON_EASY_SHIP" in sim.programs:
            by_kind.setdefault("easy_ship", []).append(key)
        elif "FBM_SHIP_PLUS" in sim.programs:
            by_kind.setdefault("ship_plus", []).append(key)
        elif sim.address.get("name", "").startswith("Amazon Locker"):
            by_kind.setdefault("locker", []).append(key)
        elif sim.address.get("addressType") == "PICKUP_POINT":
            by_kind.setdefault("parcelshop", []).append(key)
    assert set(by_kind) == {"easy_ship", "ship_plus", "locker", "parcelshop"}
    not_for_gls = by_kind["easy_ship"] + by_kind["ship_plus"] + by_kind["locker"]
    for key in not_for_gls:
        order = waiting[key]
        assert order.state == HELD and order.hold_reason.startswith("Not for GLS:")
    assert all("Easy Ship" in waiting[k].hold_reason for k in by_kind["easy_ship"])
    assert all("Ship+" in waiting[k].hold_reason for k in by_kind["ship_plus"])
    assert all("pickup point" in waiting[k].hold_reason for k in by_kind["locker"])
    warned = " ".join(world.lines("warning"))
    assert all(k.split(":", 1)[1] in warned for k in not_for_gls)

    run = await labelling.create_labels(world.ctx, list(waiting), world.report)

    refs = set(world.gls_creates())
    confirmed = {order_id for order_id, _ref in world.confirm_204s()}
    for key in not_for_gls:
        order_id = key.split(":", 1)[1]
        assert order_id not in refs and order_id not in confirmed
        assert run.by_key()[key].status == labelling.SKIP
    for key in by_kind["parcelshop"]:
        order_id = key.split(":", 1)[1]
        assert world.order(key).state != HELD and order_id in refs
    shop_ids = {
        r.body["reference"]: r.body.get("services", {}).get("shopDeliveryParcelShopId")
        for r in kinds_sandbox.gls.request_log
        if r.path.lower().endswith("label/create") and r.status == 200
    }
    for key in by_kind["parcelshop"]:
        line = _sim(kinds_sandbox, key).address["addressLine2"]
        assert shop_ids[key.split(":", 1)[1]] == line.rsplit(" ", 1)[1]


async def test_without_the_pii_role_the_shop_stops_with_what_to_do(kinds_sandbox, tmp_path):
    kinds_sandbox.amazon.set_pii_role(False)
    world = make_world(kinds_sandbox, tmp_path / "data")

    keys = await world.import_orders()

    assert keys == [] and _waiting(world) == {}  # nothing stored without an address
    errors = " ".join(world.lines("error"))
    assert "Direct-to-Consumer Delivery (Restricted)" in errors
    assert "re-authorize this shop" in errors
    assert "street" not in errors.lower() and "house number" not in errors.lower()

    # The role granted and the shop re-authorized: the same orders come in, complete.
    kinds_sandbox.amazon.set_pii_role(True)
    keys = await world.import_orders()
    assert keys and all(world.order(k).recipient.address_lines for k in keys)


def test_the_sandbox_kinds_and_a_missing_role_match_amazons_model(kinds_sandbox):
    from test_amazon_schema import ALL, V2026, check

    special = [
        o
        for o in kinds_sandbox.orders.values()
        if o.address.get("addressType") == "PICKUP_POINT"
        or {"AMAZON_EASY_SHIP", "FBM_SHIP_PLUS"} & set(o.programs)
    ]
    assert special
    for sim in special[:10]:
        check(V2026, "Order", sim.to_api(set(ALL)))
        bare = sim.to_api(set(ALL), pii_role=False)
        check(V2026, "Order", bare)
        address = bare["recipient"]["deliveryAddress"]
        assert not {"name", "addressLine1", "postalCode", "phone"} & set(address)
