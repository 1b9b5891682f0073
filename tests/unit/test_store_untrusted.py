"""A data file is not trusted: odd files and damaged records are refused, named, left as is."""

import json
import os
from datetime import UTC, datetime

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import Integration
from glstui.store import Store, StoreCorrupt, StoreError, migrations
from glstui.store.errors import StoreRecordDamaged
from glstui.store.sample import make_order

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FixedClock(NOW)


def _current(tables: dict) -> bytes:
    """A file of the current schema version (so opening it migrates nothing)."""
    meta = {"1": {"schema_version": migrations.SCHEMA_VERSION, "kind": "hot"}}
    return json.dumps({"meta": meta, **tables}).encode()


def _refused_untouched(tmp_path, clock, raw: bytes) -> StoreError:
    path = tmp_path / "glstui.json"
    path.write_bytes(raw)
    with pytest.raises(StoreCorrupt) as info, Store.open(tmp_path, clock).read() as view:
        view.settings.get()
        view.integrations.all()
    assert str(path) in str(info.value)
    assert path.read_bytes() == raw
    return info.value


def test_deeply_nested_json_is_refused_with_the_file_named(tmp_path, clock):
    raw = b'{"orders": {"1": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}}"
    err = _refused_untouched(tmp_path, clock, raw)
    assert "nested" in str(err)


def test_duplicate_keys_are_refused_instead_of_dropping_a_table(tmp_path, clock):
    raw = (
        b'{"integrations": {"1": {"id": "a", "shop_name": "A"}}, "integrations": {}, "orders": {}}'
    )
    err = _refused_untouched(tmp_path, clock, raw)
    assert "integrations" in str(err)


@pytest.mark.parametrize(
    "settings",
    [{"first_import_days": "seven"}, {"sku_weights": ["MUG", 1]}, {"sender": "Warehouse"}],
)
def test_wrong_typed_settings_are_a_damaged_record(tmp_path, clock, settings):
    raw = _current({"settings": {"1": settings}})
    err = _refused_untouched(tmp_path, clock, raw)
    assert isinstance(err, StoreRecordDamaged)
    assert "settings" in str(err)


@pytest.mark.parametrize(
    "resume",
    [["page", 2], {"created_after": 5}, {"newest": "yesterday"}, {"token": ["x"]}],
)
def test_wrong_typed_import_resume_is_a_damaged_record(tmp_path, clock, resume):
    integ = {"id": "shop1", "shop_name": "NL", "import_resume": resume}
    raw = _current({"integrations": {"1": integ}})
    err = _refused_untouched(tmp_path, clock, raw)
    assert isinstance(err, StoreRecordDamaged)
    assert err.record == "shop1"


@pytest.mark.parametrize(
    "damage",
    [
        {"items": "three mugs"},
        {"items": [{"sku": 5}]},
        {"created_at": "yesterday"},
        {"created_at": 12},
        {"order_id": 5},
    ],
)
def test_one_malformed_order_is_reported_with_file_and_key(tmp_path, clock, damage):
    store = Store.open(tmp_path, clock)
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(3))
    data = json.loads(store.path.read_text())
    doc = data["orders"]["2"]
    doc.update(damage)
    raw = json.dumps(data).encode()
    store.path.write_bytes(raw)
    with pytest.raises(StoreRecordDamaged) as info, store.read() as view:
        view.orders.all()
    assert info.value.path == store.path
    assert info.value.table == "orders"
    assert str(store.path) in str(info.value)
    assert "orders" in str(info.value)
    assert store.path.read_bytes() == raw


def test_a_fifo_in_place_of_the_store_is_refused_not_waited_on(tmp_path, clock):
    os.mkfifo(tmp_path / "glstui.json")
    with pytest.raises(StoreCorrupt, match="not a regular file"):
        Store.open(tmp_path, clock)


def test_a_symlinked_store_is_written_through_to_its_target(tmp_path, clock):
    real = tmp_path / "elsewhere"
    real.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    (data / "glstui.json").symlink_to(real / "shared.json")
    store = Store.open(data, clock)
    with store.write() as tx:
        tx.integrations.put(Integration(shop_name="NL", id="shop1"))
    assert (data / "glstui.json").is_symlink()
    assert "shop1" in (real / "shared.json").read_text()
    with Store.open(data, clock).read() as view:
        assert view.integrations.get("shop1").shop_name == "NL"


@pytest.mark.parametrize("shipped_at", ["last tuesday", 12, ["2026-01-01"]])
def test_a_damaged_shipped_date_is_refused_at_open_not_a_crash(tmp_path, clock, shipped_at):
    store = Store.open(tmp_path, clock)
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(2))
    data = json.loads(store.path.read_text())
    data["orders"]["2"]["shipped_at"] = shipped_at
    raw = json.dumps(data).encode()
    store.path.write_bytes(raw)
    with pytest.raises(StoreRecordDamaged) as info:
        Store.open(tmp_path, clock)  # moving shipped orders to the archive reads the date
    assert info.value.table == "orders"
    assert store.path.read_bytes() == raw


def test_the_orders_list_reports_a_damaged_order_instead_of_crashing(tmp_path, clock):
    from glstui.services.orders_query import OrdersQuery

    store = Store.open(tmp_path, clock)
    with store.write() as tx:
        tx.orders.put_many(make_order(i) for i in range(3))
    data = json.loads(store.path.read_text())
    data["orders"]["2"]["created_at"] = 12
    data["orders"]["2"]["items"] = "three mugs"
    store.path.write_bytes(json.dumps(data).encode())
    with pytest.raises(StoreRecordDamaged) as info:
        OrdersQuery(store, clock).load()
    assert str(store.path) in str(info.value) and info.value.table == "orders"
