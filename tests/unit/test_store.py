"""The store as the app and an operator meet it: what is saved, what survives, what is refused."""

import json
import os
import stat
from datetime import UTC, datetime

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import Integration
from glstui.domain.run import ImportRun, ShopRunResult
from glstui.domain.settings import SenderAddress, Settings
from glstui.store import Store, StoreCorrupt, StoreTooNew, migrations
from glstui.store.sample import make_order, make_outbox, make_shipment

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path, clock):
    return Store.open(tmp_path / "data", clock)


def reopen(store):
    return Store.open(store.data_dir, store.clock)


def test_every_table_round_trips_through_a_fresh_store(store):
    integ = Integration(shop_name="Amazon NL", id="shop1", marketplace_ids=["A1805IZSGTT6HS"])
    order = make_order(1)
    shipment = make_shipment(order, 1)
    entry = make_outbox(shipment)
    run = ImportRun(id="run1", user="anna", started_at=NOW, shops=[ShopRunResult("shop1", "NL")])
    settings = Settings(sender=SenderAddress(name="Warehouse BV", city="Utrecht"))
    with store.write() as tx:
        tx.integrations.put(integ)
        tx.orders.put(order)
        tx.shipments.put(shipment)
        tx.outbox.put(entry)
        tx.runs.put(run)
        tx.settings.put(settings)

    with reopen(store).read() as view:
        assert view.integrations.get("shop1") == integ
        assert view.orders.get(order.key) == order
        assert view.shipments.get(shipment.id) == shipment
        assert view.outbox.get(entry.id) == entry
        assert view.runs.get("run1") == run
        assert view.settings.get() == settings


def test_settings_default_when_never_saved(store):
    with store.read() as view:
        assert view.settings.get() == Settings()


def test_objects_returned_are_copies_until_put(store):
    order = make_order(1)
    with store.write() as tx:
        tx.orders.put(order)
    order.state = "held"  # the caller's object is not the stored one
    with store.read() as view:
        got = view.orders.get(order.key)
        got.decision["product"] = "changed"
        got.items[0].quantity = 99
    with store.read() as view:
        again = view.orders.get(order.key)
    assert again.state == "new"
    assert again.decision["product"] == "BusinessParcel"
    assert again.items[0].quantity != 99


def test_put_many_upserts_by_key_and_keeps_the_rest(store):
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(300))
    changed = [make_order(i) for i in range(100, 200)] + [make_order(i) for i in range(300, 350)]
    for o in changed:
        o.state = "labelled"
    with store.write() as tx:
        tx.orders.put_many(changed)
    with reopen(store).read() as view:
        orders = {o.key: o for o in view.orders.all()}
    assert len(orders) == 350
    assert sum(o.state == "labelled" for o in orders.values()) == 150
    assert orders[make_order(5).key].state == "new"


def test_delete_find_and_by_integration(store):
    with store.write() as tx:
        tx.orders.put_many(make_order(i, integration_id="a") for i in range(10))
        tx.orders.put_many(make_order(i, integration_id="b") for i in range(10, 15))
        assert tx.orders.delete(make_order(3, integration_id="a").key) is True
        assert tx.orders.delete("a:missing") is False
        assert tx.orders.get(make_order(3, integration_id="a").key) is None
    with store.read() as view:
        assert len(view.orders.by_integration("a")) == 9
        assert len(view.orders.by_integration("b")) == 5
        assert len(view.orders.find(lambda o: o.item_count >= 3)) >= 1
        assert all(o.item_count >= 3 for o in view.orders.find(lambda o: o.item_count >= 3))
        assert len(view.orders) == 14


def test_reads_inside_a_write_see_its_own_changes(store):
    with store.write() as tx:
        tx.orders.put(make_order(1))
        assert [o.key for o in tx.orders.all()] == [make_order(1).key]
        with store.read() as view:
            assert view.orders.get(make_order(1).key) is not None


def test_read_view_cannot_write_settings(store):
    with store.read() as view, pytest.raises(TypeError, match="read-only"):
        view.settings.put(Settings())


def test_data_file_is_private_to_the_user(store):
    with store.write() as tx:
        tx.orders.put(make_order(1))
    for path in (store.path, store.path.with_name("glstui.json.bak")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_exception_in_a_write_changes_nothing_on_disk_or_in_memory(store):
    with store.write() as tx:
        tx.orders.put(make_order(1))
    before = store.path.read_bytes()
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.orders.put(make_order(2))
        tx.orders.delete(make_order(1).key)
        tx.settings.put(Settings(printer="zebra"))
        raise RuntimeError("label printer on fire")
    assert store.path.read_bytes() == before
    with store.read() as view:
        assert [o.key for o in view.orders.all()] == [make_order(1).key]
        assert view.settings.get().printer == ""


def test_a_write_that_changes_nothing_does_not_rewrite_the_file(store):
    with store.write() as tx:
        tx.orders.put(make_order(1))
    inode = store.path.stat().st_ino
    with store.write() as tx:
        tx.orders.get(make_order(1).key)
    assert store.path.stat().st_ino == inode


def test_a_page_is_one_write(store, monkeypatch):
    from glstui.store import storage

    writes = []
    real = storage.atomic_write
    monkeypatch.setattr(storage, "atomic_write", lambda *a, **k: writes.append(1) or real(*a, **k))
    with store.write() as tx:
        for i in range(100):
            tx.orders.put(make_order(i))
        tx.integrations.put(Integration(shop_name="NL", id="shop1"))
    assert len(writes) == 1


def test_change_by_another_process_is_seen_and_unchanged_file_is_not_reparsed(tmp_path, clock):
    mine = Store.open(tmp_path, clock)
    other = Store.open(tmp_path, clock)
    with mine.read() as view:
        assert view.orders.all() == []
    parsed = mine.parse_count
    for _ in range(3):
        with mine.read() as view:
            view.orders.all()
    with mine.write() as tx:
        tx.orders.put(make_order(1))
    with mine.read() as view:
        assert len(view.orders.all()) == 1
    assert mine.parse_count == parsed  # own commits and unchanged files are not parsed again

    with other.write() as tx:  # a second operator on the same data dir
        tx.orders.put(make_order(2))
    with mine.read() as view:
        assert {o.key for o in view.orders.all()} == {make_order(1).key, make_order(2).key}
    assert mine.parse_count == parsed + 1
    with mine.write() as tx:  # and a write builds on the other's data (nothing lost)
        tx.orders.put(make_order(3))
    with other.read() as view:
        assert len(view.orders.all()) == 3


def test_leftover_temp_files_of_a_killed_writer_are_removed_at_open(store):
    leftover = store.path.parent / ".glstui.json.abc123.tmp"
    leftover.write_text('{"half": ')
    archive_dir = store.data_dir / "archive"
    archive_dir.mkdir()
    arch_leftover = archive_dir / ".orders-2026-01.json.x1.tmp"
    arch_leftover.write_text("{")
    reopen(store)
    assert not leftover.exists()
    assert not arch_leftover.exists()


CORRUPT = {
    "truncated": lambda good: good[: len(good) // 2],
    "garbage": lambda good: b"\x00\x17garbage\xff not json at all",
    "wrong top-level type": lambda good: b"[1, 2, 3]",
    "table of non-documents": lambda good: b'{"orders": {"1": 5}}',
    "empty": lambda good: b"",
}


@pytest.mark.parametrize("damage", list(CORRUPT))
def test_unreadable_file_is_refused_named_and_left_untouched(store, damage):
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(20))
    bad = CORRUPT[damage](store.path.read_bytes())
    store.path.write_bytes(bad)

    with pytest.raises(StoreCorrupt) as info:
        reopen(store)
    message = str(info.value)
    assert str(store.path) in message
    assert "glstui.json.bak" in message  # where the previous version is
    assert "untouched" in message
    assert info.value.path == store.path
    # a long-lived store refuses too, and a write attempt does not overwrite the file
    with pytest.raises(StoreCorrupt), store.read():
        pass
    with pytest.raises(StoreCorrupt), store.write() as tx:
        tx.orders.put(make_order(99))
    assert store.path.read_bytes() == bad


def test_backup_is_the_previous_version_and_restores(store):
    with store.write() as tx:
        tx.orders.put(make_order(1))
    with store.write() as tx:
        tx.orders.put(make_order(2))
    store.path.write_bytes(b"{broken")
    with pytest.raises(StoreCorrupt):
        reopen(store)
    os.replace(store.path.with_name("glstui.json.bak"), store.path)
    with reopen(store).read() as view:
        assert [o.key for o in view.orders.all()] == [make_order(1).key]


def test_corrupt_file_without_backup_says_how_to_start_empty(tmp_path, clock):
    (tmp_path / "glstui.json").write_bytes(b"{")
    with pytest.raises(StoreCorrupt, match="no backup copy"):
        Store.open(tmp_path, clock)


def test_older_file_is_migrated_and_saved(tmp_path, clock, monkeypatch):
    def v1_to_v2(data):
        for doc in data.get("orders", {}).values():
            doc["service_level"] = doc.pop("legacy_level", "")

    monkeypatch.setitem(migrations.MIGRATIONS, 1, v1_to_v2)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    old = {
        "meta": {"1": {"schema_version": 1, "kind": "hot"}},
        "orders": {"1": {"integration_id": "s", "order_id": "o1", "legacy_level": "Expedited"}},
    }
    (tmp_path / "glstui.json").write_text(json.dumps(old))

    store = Store.open(tmp_path, clock)
    with store.read() as view:
        assert view.orders.get("s:o1").service_level == "Expedited"
    on_disk = json.loads((tmp_path / "glstui.json").read_text())
    assert on_disk["meta"]["1"]["schema_version"] == 2
    assert json.loads((tmp_path / "glstui.json.bak").read_text()) == old


def test_plain_tinydb_file_without_meta_is_adopted(tmp_path, clock):
    (tmp_path / "glstui.json").write_text(
        json.dumps({"integrations": {"1": {"id": "x", "shop_name": "Old shop"}}})
    )
    with Store.open(tmp_path, clock).read() as view:
        assert view.integrations.get("x").shop_name == "Old shop"
    version = json.loads((tmp_path / "glstui.json").read_text())["meta"]["1"]["schema_version"]
    assert version == migrations.SCHEMA_VERSION


def test_file_from_a_newer_glstui_is_refused_untouched(tmp_path, clock):
    newer = json.dumps({"meta": {"1": {"schema_version": 99}}}).encode()
    (tmp_path / "glstui.json").write_bytes(newer)
    with pytest.raises(StoreTooNew, match="upgrade glstui"):
        Store.open(tmp_path, clock)
    assert (tmp_path / "glstui.json").read_bytes() == newer


def test_nested_writes_join_into_one_commit(store):
    with store.write() as outer:
        outer.orders.put(make_order(1))
        with store.write() as inner:
            inner.orders.put(make_order(2))
    with reopen(store).read() as view:
        assert len(view.orders.all()) == 2
