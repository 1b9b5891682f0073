"""Big stores: orders live in shard files, so a commit writes what changed and a command that
needs no order reads none (issues 15 and 18)."""

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import Integration
from glstui.domain.serial import to_dict
from glstui.store import Store, StoreCorrupt, StoreRecordDamaged, migrations
from glstui.store import storage as storage_mod
from glstui.store.sample import make_order, make_outbox, make_shipment

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FixedClock(NOW)


def _shards(data_dir):
    shard_dir = data_dir / "shards"
    return {p.name: p.stat().st_ino for p in shard_dir.glob("*.json")} if shard_dir.is_dir() else {}


def _big_store(data_dir, clock, n=3000):
    store = Store.open(data_dir, clock)
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(n))
        tx.integrations.put(Integration("Shop NL", id="shop1"))
        shipped = make_order(n, shipped_at=NOW - timedelta(days=2))
        tx.orders.put(shipped)
        shipment = make_shipment(shipped, 1)
        tx.shipments.put(shipment)
        tx.outbox.put(make_outbox(shipment))
    return store


def test_toggling_a_shop_writes_a_small_file_and_no_order(tmp_path, clock):
    store = _big_store(tmp_path, clock)
    before = _shards(tmp_path)
    with store.write() as tx:
        shop = tx.integrations.get("shop1")
        shop.shop_name = "Shop NL renamed"
        tx.integrations.put(shop)
    assert _shards(tmp_path) == before and before
    assert store.path.stat().st_size < 50_000  # 3,000 orders are ~3 MB
    with Store.open(tmp_path, clock).read() as view:
        assert view.integrations.get("shop1").shop_name == "Shop NL renamed"
        assert len(view.orders.all()) == 3001


def test_a_page_of_new_orders_rewrites_only_the_last_shard(tmp_path, clock):
    store = _big_store(tmp_path, clock, n=5000)
    before = _shards(tmp_path)
    with store.write() as tx:
        tx.orders.put_many(make_order(10_000 + i) for i in range(100))
    after = _shards(tmp_path)
    new = set(after) - set(before)
    assert len(new) == 1  # one shard file written, the others kept as they were
    assert len(set(before) - set(after)) <= 1  # and only its old version goes (after .bak's)
    with Store.open(tmp_path, clock).read() as view:
        assert len(view.orders) == 5101


def test_push_integrations_and_outbox_read_no_order(tmp_path, clock):
    _big_store(tmp_path, clock)
    store = Store.open(tmp_path, clock)  # includes the scan for orders to archive
    with store.read() as view:
        assert [i.shop_name for i in view.integrations.all()] == ["Shop NL"]
        assert len(view.outbox.all()) == 1
        view.settings.get()
        assert len(view.orders) == 3001  # counted from the manifest
    assert store.shard_reads == 0


def test_an_old_single_file_store_is_split_on_first_open(tmp_path, clock):
    store = _big_store(tmp_path / "new", clock, n=2500)
    with store.read() as view:
        orders = {d["order_id"]: d for d in view.orders.docs()}
    old = {
        "meta": {"1": {"schema_version": 1, "kind": "hot"}},
        "integrations": {"1": to_dict(Integration("Shop NL", id="shop1"))},
        "orders": {str(n + 1): doc for n, doc in enumerate(orders.values())},
    }
    raw = json.dumps(old).encode()
    data = tmp_path / "old"
    data.mkdir()
    (data / "glstui.json").write_bytes(raw)

    class Killed(BaseException):
        pass

    real_commit = storage_mod.AtomicJSONStorage.commit

    def killed(self):
        raise Killed  # the power goes after the shards were written, before the hot file

    storage_mod.AtomicJSONStorage.commit = killed
    try:
        with pytest.raises(Killed):
            Store.open(data, clock)
    finally:
        storage_mod.AtomicJSONStorage.commit = real_commit
    assert (data / "glstui.json").read_bytes() == raw  # still the old store, whole
    orphans = _shards(data)
    assert orphans

    reopened = Store.open(data, clock)
    on_disk = json.loads((data / "glstui.json").read_bytes())
    assert "orders" not in on_disk
    assert on_disk["meta"]["1"]["schema_version"] == migrations.SCHEMA_VERSION
    assert (data / "glstui.json.bak").read_bytes() == raw
    assert not set(orphans) & set(_shards(data))  # the killed attempt's files are gone
    with reopened.read() as view:
        assert {d["order_id"]: d for d in view.orders.docs()} == orders


def test_a_commit_of_another_process_rereads_only_its_shard(tmp_path, clock):
    _big_store(tmp_path, clock)
    mine, other = Store.open(tmp_path, clock), Store.open(tmp_path, clock)
    with mine.read() as view:
        key = view.orders.keys()[10]
    reads = mine.shard_reads
    with other.write() as tx:
        order = tx.orders.get(key)
        order.hold_reason = "damaged box"
        tx.orders.put(order)
    with mine.read() as view:
        assert view.orders.get(key).hold_reason == "damaged box"
        assert len(view.orders.all()) == 3001
    assert mine.shard_reads == reads + 1


def test_a_failed_transaction_leaves_the_orders_as_they_were(tmp_path, clock):
    store = _big_store(tmp_path, clock)
    with store.read() as view:
        key = view.orders.keys()[5]
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.orders.delete(key)
        tx.orders.put_many(make_order(20_000 + i) for i in range(50))
        len(tx.orders.all())  # applied to the tables, then the block fails
        raise RuntimeError("boom")
    with store.read() as view:
        assert key in view.orders
        assert len(view.orders) == 3001


def test_orders_shipped_long_ago_still_move_to_the_archive(tmp_path, clock):
    store = _big_store(tmp_path, clock)
    with store.write() as tx:
        tx.orders.put(make_order(50_000, shipped_at=NOW - timedelta(days=40)))
    reopened = Store.open(tmp_path, clock)
    with reopened.read() as view:
        assert len(view.orders) == 3001
        month = f"{NOW - timedelta(days=40):%Y-%m}"
        assert [o.order_id for o in view.archived_orders(month)] == [make_order(50_000).order_id]


@pytest.mark.parametrize("damage", [b"{", b'{"1": {"a": 1}, "1": {"a": 2}}', None])
def test_a_damaged_or_missing_shard_is_refused_with_its_file_and_left_alone(
    tmp_path, clock, damage
):
    _big_store(tmp_path, clock)
    shard = sorted((tmp_path / "shards").glob("orders-1.*.json"))[0]
    if damage is None:
        shard.unlink()
    else:
        shard.write_bytes(damage)
    store = Store.open(tmp_path, clock)
    hot = store.path.read_bytes()
    with pytest.raises(StoreCorrupt) as info, store.read() as view:
        view.orders.all()
    assert ("shards" in str(info.value)) and store.path.read_bytes() == hot
    if damage is not None:
        assert shard.read_bytes() == damage and str(shard) in str(info.value)


def test_a_symlinked_store_keeps_its_shards_beside_the_real_file(tmp_path, clock):
    real = tmp_path / "shared"
    real.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    (data / "glstui.json").symlink_to(real / "glstui.json")
    _big_store(data, clock)
    assert (data / "glstui.json").is_symlink()
    assert _shards(real) and not (data / "shards").exists()
    assert all(os.stat(p).st_mode & 0o077 == 0 for p in (real / "shards").iterdir())


def test_a_damaged_order_in_a_shard_is_reported_with_that_file(tmp_path, clock):
    from glstui.services.orders_query import OrdersQuery

    _big_store(tmp_path, clock)
    shard = sorted((tmp_path / "shards").glob("orders-2.*.json"))[0]
    docs = json.loads(shard.read_bytes())
    doc = next(iter(docs.values()))
    doc["items"] = "three mugs"
    raw = json.dumps(docs, indent=1).encode()  # as an editor would save it
    shard.write_bytes(raw)
    with pytest.raises(StoreRecordDamaged) as info:
        OrdersQuery(Store.open(tmp_path, clock), clock).load()
    assert info.value.path == shard and str(shard) in info.value.message
    assert info.value.record == doc["order_id"]
    assert shard.read_bytes() == raw


def test_labels_left_pending_are_found_without_reading_the_backlog(tmp_path, clock):
    store = _big_store(tmp_path, clock)
    with store.read() as view:
        key = view.orders.keys()[2500]
    with store.write() as tx:
        order = tx.orders.get(key)
        order.label_pending_at = NOW
        tx.orders.put(order)
    fresh = Store.open(tmp_path, clock)
    with fresh.read() as view:
        assert [o.key for o in view.orders.with_field("label_pending_at")] == [key]
        assert fresh.shard_reads == 1  # only the shard holding that order
        assert len(view.orders.with_field("hold_reason")) == 0  # not summarised: all read
    shards = json.loads(store.path.read_bytes())["shards"]["orders"]
    assert fresh.shard_reads == len(shards) > 1


@pytest.mark.parametrize(
    "entry",
    [{"file": "../../outside.json", "count": 1}, {"count": 3}, {"file": "orders-9.ab.json"}],
)
def test_a_hand_edited_shard_list_is_refused_untouched(tmp_path, clock, entry):
    _big_store(tmp_path, clock)
    data = json.loads((tmp_path / "glstui.json").read_bytes())
    data["shards"]["orders"]["1"] = entry
    raw = json.dumps(data).encode()
    (tmp_path / "glstui.json").write_bytes(raw)
    with pytest.raises(StoreCorrupt) as info:
        Store.open(tmp_path, clock)
    assert str(tmp_path / "glstui.json") in str(info.value) and "shard" in str(info.value)
    assert (tmp_path / "glstui.json").read_bytes() == raw


def test_reconcile_before_a_push_reads_no_order_file_when_no_label_is_pending(tmp_path, clock):
    """`glstui push` starts with the crash recovery of labels; on a 50,000-order backlog it
    decoded every order (16 s, 322 MB). With nothing pending it now reads no order file."""
    from glstui.services.labelling import reconcile

    _big_store(tmp_path, clock)
    fresh = Store.open(tmp_path, clock)
    result = reconcile(fresh, clock, tmp_path / "labels")
    assert fresh.shard_reads == 0
    assert result.recovered == [] and result.uncertain == []
