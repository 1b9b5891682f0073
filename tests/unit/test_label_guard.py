"""An Amazon order never gets a second active GLS label, whatever shop row it comes from.

The same seller connected twice gives two shop rows that import the same orders; marking the
copies, or two processes labelling at once, must still make one label. The refused copy says
which shop has the label.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import LABELLED, NEW, Order, OrderItem, Recipient
from glstui.gls.client import LabelResult, LabelUnit
from glstui.services import labelling
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
ORDER_ID = "403-1234567-7654321"
SELLER = "A3PNJAV4CVI5V1"


class _Gls:
    """GLS that makes one label per request, a little slowly (so runs can overlap)."""

    def __init__(self) -> None:
        self.created: list[str] = []

    async def create_label(self, request) -> LabelResult:
        await asyncio.sleep(0.05)
        self.created.append(request.reference)
        unit_no = f"5657001{len(self.created):07d}"
        return LabelResult(
            units=[LabelUnit("u1", unit_no, f"https://gls.example/{unit_no}")],
            labels=b"%PDF-1.4 label",
        )


def _order(shop_id: str, order_id: str = ORDER_ID) -> Order:
    return Order(
        integration_id=shop_id,
        order_id=order_id,
        marketplace_id="A1805IZSGTT6HS",
        items=[OrderItem("i1", "MUG-1", "Mug", 1)],
        recipient=Recipient(
            name="Jan Jansen",
            address_lines=["Kerkstraat 12"],
            city="Utrecht",
            postal_code="3511AB",
            country_code="NL",
        ),
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Store:
    """Two shop rows of one seller account, each with its copy of the same Amazon order."""
    store = Store.open(tmp_path / "data", clock)
    with store.write() as tx:
        for shop_id, name in (("shopA", "Amazon NL"), ("shopB", "Amazon NL (2)")):
            tx.integrations.put(
                Integration(
                    shop_name=name,
                    id=shop_id,
                    status=CONNECTED,
                    selling_partner_id=SELLER,
                    update_tracking=False,
                )
            )
            tx.orders.put(_order(shop_id))
    return store


def _state(store: Store, key: str) -> Order:
    with store.read() as view:
        return view.orders.get(key)


async def test_both_copies_marked_in_one_run_make_one_label(store, clock, tmp_path):
    gls = _Gls()
    keys = [f"shopA:{ORDER_ID}", f"shopB:{ORDER_ID}"]

    run = await labelling.label_orders(store, gls, clock, tmp_path / "labels", keys)

    assert gls.created == [ORDER_ID]
    first, second = (run.by_key()[k] for k in keys)
    assert first.status == labelling.DONE
    assert second.status == labelling.SKIP
    assert "'Amazon NL'" in second.message and "no second label" in second.message
    assert _state(store, keys[1]).state == NEW and _state(store, keys[1]).label_pending_at is None


async def test_the_other_copy_is_refused_later_naming_the_shop_and_parcel(store, clock, tmp_path):
    gls = _Gls()
    await labelling.label_orders(store, gls, clock, tmp_path / "labels", [f"shopA:{ORDER_ID}"])

    run = await labelling.label_orders(
        store, gls, clock, tmp_path / "labels", [f"shopB:{ORDER_ID}"]
    )

    (outcome,) = run.outcomes
    assert outcome.status == labelling.SKIP and len(gls.created) == 1
    assert "shop 'Amazon NL' already has an active GLS label" in outcome.message
    assert "56570010000001" in outcome.message


async def test_two_processes_labelling_the_copies_at_once_make_one_label(store, clock, tmp_path):
    """Each run has its own Store on the same data dir (as two processes do): the store lock
    lets only the first claim the order; the other is refused, not labelled."""
    other = Store.open(tmp_path / "data", clock)
    gls = _Gls()
    labels = tmp_path / "labels"

    runs = await asyncio.gather(
        labelling.label_orders(store, gls, clock, labels, [f"shopA:{ORDER_ID}"]),
        labelling.label_orders(other, gls, clock, labels, [f"shopB:{ORDER_ID}"]),
    )

    assert gls.created == [ORDER_ID]
    outcomes = [run.outcomes[0] for run in runs]
    assert sorted(o.status for o in outcomes) == sorted([labelling.DONE, labelling.SKIP])
    (refused,) = [o for o in outcomes if o.status == labelling.SKIP]
    assert "no second label" in refused.message
    states = {k: _state(store, k).state for k in (f"shopA:{ORDER_ID}", f"shopB:{ORDER_ID}")}
    assert sorted(states.values()) == sorted([LABELLED, NEW])


def _label_in_process(data_dir, labels, key, go, results) -> None:
    """One operator's process: wait for the start, label `key`, report what happened."""
    clock = FixedClock(NOW)
    store = Store.open(data_dir, clock)
    gls = _Gls()
    go.wait(30)
    run = asyncio.run(labelling.label_orders(store, gls, clock, labels, [key]))
    (outcome,) = run.outcomes
    results.put((key, outcome.status, outcome.message, len(gls.created)))


def test_two_real_processes_labelling_the_copies_make_one_label(store, tmp_path):
    ctx = multiprocessing.get_context("spawn")
    go, results = ctx.Event(), ctx.Queue()
    keys = [f"shopA:{ORDER_ID}", f"shopB:{ORDER_ID}"]
    workers = [
        ctx.Process(
            target=_label_in_process,
            args=(tmp_path / "data", tmp_path / "labels", key, go, results),
        )
        for key in keys
    ]
    for w in workers:
        w.start()
    go.set()
    got = sorted(results.get(timeout=120) for _w in workers)
    for w in workers:
        w.join(60)
        assert w.exitcode == 0

    assert sum(created for *_rest, created in got) == 1
    assert sorted(status for _k, status, *_rest in got) == sorted([labelling.DONE, labelling.SKIP])
    ((refused_key, _s, message, _c),) = [g for g in got if g[1] == labelling.SKIP]
    winner = "Amazon NL (2)" if refused_key == keys[0] else "Amazon NL"
    assert f"shop '{winner}'" in message and "no second label" in message
    with store.read() as view:
        assert len([s for s in view.shipments.all() if s.deleted_at is None]) == 1


async def test_a_deleted_label_no_longer_blocks_the_other_copy(store, clock, tmp_path):
    gls = _Gls()
    labels = tmp_path / "labels"
    await labelling.label_orders(store, gls, clock, labels, [f"shopA:{ORDER_ID}"])
    with store.write() as tx:
        (shipment,) = tx.shipments.all()
        shipment.deleted_at = NOW
        tx.shipments.put(shipment)

    run = await labelling.label_orders(store, gls, clock, labels, [f"shopB:{ORDER_ID}"])

    assert run.labelled == 1 and len(gls.created) == 2


async def test_another_seller_with_the_same_order_id_is_not_blocked(store, clock, tmp_path):
    with store.write() as tx:
        tx.integrations.put(
            Integration(
                shop_name="Other seller", id="shopC", status=CONNECTED, selling_partner_id="AOTHER"
            )
        )
        tx.orders.put(_order("shopC"))
    gls = _Gls()
    labels = tmp_path / "labels"

    run = await labelling.label_orders(
        store, gls, clock, labels, [f"shopA:{ORDER_ID}", f"shopC:{ORDER_ID}"]
    )

    assert run.labelled == 2


class _NoSecrets:
    def get(self, name: str) -> None:
        return None


async def test_a_shop_deleted_with_its_orders_kept_still_counts_for_its_labels(
    store, clock, tmp_path
):
    """Delete a shop keeping its orders, connect the seller again (shopB here), import: the
    labelled order's new copy must not get a second GLS label (seen in a tmux shift)."""
    from glstui.services import integrations

    gls = _Gls()
    labels = tmp_path / "labels"
    await labelling.label_orders(store, gls, clock, labels, [f"shopA:{ORDER_ID}"])
    integrations.delete(store, _NoSecrets(), "shopA", keep_orders=True)

    run = await labelling.label_orders(store, gls, clock, labels, [f"shopB:{ORDER_ID}"])

    (outcome,) = run.outcomes
    assert outcome.status == labelling.SKIP and len(gls.created) == 1
    assert "'Amazon NL (deleted shop)' already has an active GLS label" in outcome.message
