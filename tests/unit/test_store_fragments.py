"""A commit re-serialises only the changed documents; the file must still be exactly right.

Many commits with mixed changes (new, changed, deleted rows, settings, audit entries, a
rolled-back write, writes by a second store on the same directory): after each one, the
in-memory view, a freshly opened store and stock TinyDB reading the file all agree, and the
file is plain compact JSON.
"""

import json
import random
from datetime import UTC, datetime

import pytest
from tinydb import TinyDB

from glstui.domain.clock import FixedClock
from glstui.domain.integration import Integration
from glstui.domain.serial import to_dict
from glstui.domain.settings import Settings
from glstui.services import audit
from glstui.store import Store
from glstui.store.sample import make_order, make_shipment

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


class Model:
    """What the store should hold."""

    def __init__(self):
        self.orders = {}
        self.shipments = {}
        self.integrations = {}
        self.settings = Settings()
        self.audit_actions = []


def contents(store):
    with store.read() as view:
        return (
            {o.key: o for o in view.orders.all()},
            {s.id: s for s in view.shipments.all()},
            {i.id: i for i in view.integrations.all()},
            view.settings.get(),
        )


def assert_holds(store, model):
    orders, shipments, integrations, settings = contents(store)
    assert orders == model.orders
    assert shipments == model.shipments
    assert integrations == model.integrations
    assert settings == model.settings


def assert_file_right(store, model):
    raw = store.path.read_bytes()
    data = json.loads(raw)
    assert raw == json.dumps(data, separators=(",", ":")).encode()  # plain compact JSON
    fresh = Store.open(store.data_dir, store.clock, archive=False)
    assert_holds(fresh, model)
    with TinyDB(store.path, access_mode="r") as db:  # stock TinyDB reads the same documents
        by_key = {f"{d['integration_id']}:{d['order_id']}": d for d in db.table("orders").all()}
        assert by_key == {k: to_dict(o) for k, o in model.orders.items()}
        assert {d["id"]: d for d in db.table("shipments").all()} == {
            k: to_dict(s) for k, s in model.shipments.items()
        }
        actions = [d["action"] for d in db.table("audit").all()]
        assert actions == model.audit_actions


def changed(order, rng):
    order.state = rng.choice(["new", "held", "labelled"])
    order.hold_reason = rng.choice(["", "adres klopt niet", "Straße ß é ü " * rng.randint(1, 4)])
    return order


def test_many_mixed_commits_keep_file_memory_and_fresh_open_identical(tmp_path):
    rng = random.Random(11)
    clock = FixedClock(NOW)
    store = Store.open(tmp_path, clock)
    other = Store.open(tmp_path, clock)  # a second operator on the same data dir
    model = Model()
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(100))
    model.orders = {o.key: o for o in (make_order(i) for i in range(100))}
    next_n = 100

    for step in range(30):
        writer = other if step % 7 == 3 else store
        if step % 9 == 5:  # a failing write changes nothing
            with pytest.raises(RuntimeError), writer.write() as tx:
                tx.orders.put(make_order(99_999))
                tx.orders.delete(next(iter(model.orders)))
                raise RuntimeError("printer on fire")
        with writer.write() as tx:
            new = [make_order(next_n + i) for i in range(rng.randint(0, 12))]
            next_n += len(new)
            tx.orders.put_many(new)
            model.orders.update((o.key, o) for o in new)
            keys = rng.sample(sorted(model.orders), k=min(15, len(model.orders)))
            for key in keys[:10]:
                order = changed(tx.orders.get(key), rng)
                tx.orders.put(order)
                model.orders[key] = order
            for key in keys[10:]:
                assert tx.orders.delete(key)
                del model.orders[key]
            if step % 3 == 0:
                order = rng.choice(list(model.orders.values()))
                shipment = make_shipment(order, step)
                tx.shipments.put(shipment)
                model.shipments[shipment.id] = shipment
            if step % 4 == 1:
                model.settings = Settings(printer=f"zebra-{step}")
                tx.settings.put(model.settings)
            if step % 5 == 2:
                integ = Integration(shop_name=f"Shop {step}", id=f"shop{step % 2}")
                tx.integrations.put(integ)
                model.integrations[integ.id] = integ
            if step % 6 == 0:
                audit.record(tx, "orders.changed", f"step {step}", user="anna", clock=clock)
                model.audit_actions.append("orders.changed")
            if step % 10 == 9:  # a document changed twice in one write, then deleted
                key = rng.choice(sorted(model.orders))
                tx.orders.put(changed(tx.orders.get(key), rng))
                tx.orders.delete(key)
                del model.orders[key]
        assert_holds(store if step % 2 else other, model)  # each sees the other's writes
        if step % 5 == 4:
            assert_file_right(store, model)
    assert_file_right(store, model)


def test_a_document_changed_by_another_process_is_not_overwritten_by_an_old_copy(tmp_path):
    clock = FixedClock(NOW)
    mine = Store.open(tmp_path, clock)
    with mine.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(50))
    other = Store.open(tmp_path, clock)
    with other.write() as tx:
        order = tx.orders.get(make_order(7).key)
        order.state = "held"
        order.hold_reason = "changed elsewhere"
        tx.orders.put(order)
    with mine.write() as tx:  # mine still holds the old text of order 7 from its last commit
        tx.orders.put(make_order(50))
    with Store.open(tmp_path, clock).read() as view:
        seen = view.orders.get(make_order(7).key)
        assert (seen.state, seen.hold_reason) == ("held", "changed elsewhere")
        assert len(view.orders.all()) == 51


def test_a_file_written_by_stock_tinydb_is_read_and_extended(tmp_path):
    with TinyDB(tmp_path / "glstui.json") as db:  # pretty-printed, with its own doc ids
        db.table("orders").insert_multiple(to_dict(make_order(i)) for i in range(5))
        db.table("orders").remove(doc_ids=[2])
    store = Store.open(tmp_path, FixedClock(NOW))
    with store.write() as tx:
        tx.orders.put(make_order(10))
        order = tx.orders.get(make_order(3).key)
        order.state = "held"
        tx.orders.put(order)
    with TinyDB(tmp_path / "glstui.json", access_mode="r") as db:
        rows = {d.doc_id: d for d in db.table("orders").all()}
    assert sorted(rows) == [1, 3, 4, 5, 6]  # kept ids; the new one after the highest
    assert rows[6]["order_id"] == make_order(10).order_id
    assert rows[4]["state"] == "held"
