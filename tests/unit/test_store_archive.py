"""Shipped history moves to monthly archives: the hot file stays small and nothing is lost."""

from datetime import UTC, datetime, timedelta

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.shipment import FAILED, PENDING, SENT
from glstui.store import ARCHIVE_AFTER_DAYS, Store
from glstui.store.sample import make_order, make_outbox, make_shipment

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def shipped(n, days_ago):
    return make_order(n, shipped_at=NOW - timedelta(days=days_ago))


@pytest.fixture
def store(tmp_path):
    return Store.open(tmp_path, FixedClock(NOW), archive=False)


def fill(store):
    """Open orders, recent shipments and old ones across two months, with their rows."""
    orders = (
        [make_order(i) for i in range(0, 10)]  # open
        + [shipped(i, 5) for i in range(10, 20)]  # shipped recently: stay hot
        + [shipped(i, ARCHIVE_AFTER_DAYS - 1) for i in range(20, 25)]  # just inside: stay hot
        + [shipped(i, 40) for i in range(25, 35)]  # 2026-10-18
        + [shipped(i, 70) for i in range(35, 40)]  # 2026-09-18
    )
    with store.write() as tx:
        tx.orders.put_many(orders)
        for i, o in enumerate(orders[10:]):
            shp = make_shipment(o, i)
            tx.shipments.put(shp)
            tx.outbox.put(make_outbox(shp, SENT))
    return orders


def test_only_orders_shipped_more_than_31_days_ago_move(store):
    orders = fill(store)
    assert store.archive_shipped() == 15
    with store.read() as view:
        hot = {o.key for o in view.orders.all()}
        assert hot == {o.key for o in orders[:25]}
        assert view.archive_months() == ["2026-09", "2026-10"]
        october = {o.key for o in view.archived_orders("2026-10")}
        september = {o.key for o in view.archived_orders("2026-09")}
    assert october == {o.key for o in orders[25:35]}
    assert september == {o.key for o in orders[35:40]}


def test_nothing_is_lost_and_archived_orders_keep_every_field(store):
    orders = fill(store)
    store.archive_shipped()
    with Store.open(store.data_dir, store.clock).read() as view:
        found = view.orders.all()
        for month in view.archive_months():
            found += view.archived_orders(month)
    assert sorted(found, key=lambda o: o.key) == sorted(orders, key=lambda o: o.key)


def test_shipments_and_sent_confirmations_go_along(store):
    orders = fill(store)
    store.archive_shipped()
    moved = {o.key for o in orders[25:]}
    with store.read() as view:
        assert not any(s.order_key in moved for s in view.shipments.all())
        assert not any(e.order_key in moved for e in view.outbox.all())
        assert len(view.shipments.all()) == 15
        october = view.archive("2026-10")
        assert {s.order_key for s in october.shipments.all()} == {o.key for o in orders[25:35]}
        assert len(october.outbox.all()) == 10


def test_archiving_is_idempotent(store):
    fill(store)
    assert store.archive_shipped() == 15
    hot_bytes = store.path.read_bytes()
    assert store.archive_shipped() == 0
    assert store.path.read_bytes() == hot_bytes


@pytest.mark.parametrize("state", [PENDING, FAILED])
def test_order_still_owing_amazon_its_tracking_stays_hot(store, state):
    old = shipped(1, 60)
    shp = make_shipment(old, 1)
    with store.write() as tx:
        tx.orders.put(old)
        tx.shipments.put(shp)
        tx.outbox.put(make_outbox(shp, state))
    assert store.archive_shipped() == 0
    with store.write() as tx:
        entry = tx.outbox.all()[0]
        entry.state = SENT
        tx.outbox.put(entry)
    assert store.archive_shipped() == 1


def test_open_archives_by_default_as_time_passes(tmp_path):
    clock = FixedClock(NOW)
    store = Store.open(tmp_path, clock)
    with store.write() as tx:
        tx.orders.put(shipped(1, 10))
    clock.advance(30 * 86400)
    reopened = Store.open(tmp_path, clock)
    with reopened.read() as view:
        assert view.orders.all() == []
        assert [o.key for o in view.archived_orders("2026-11")] == [make_order(1).key]


def test_crash_between_archive_and_hot_write_shows_each_order_once(store, monkeypatch):
    orders = fill(store)
    from glstui.store import storage

    real = storage.AtomicJSONStorage.commit

    def die_on_hot(self):
        if self.kind == "hot":
            raise KeyboardInterrupt("killed")
        real(self)

    monkeypatch.setattr(storage.AtomicJSONStorage, "commit", die_on_hot)
    with pytest.raises(KeyboardInterrupt):
        store.archive_shipped()
    monkeypatch.setattr(storage.AtomicJSONStorage, "commit", real)

    with store.read() as view:  # archives were written, the hot file still has them too
        hot = view.orders.all()
        archived = [o for m in view.archive_months() for o in view.archived_orders(m)]
    assert len(hot) == 40 and archived == []  # hidden while still hot: no double counting
    assert store.archive_shipped() == 15
    with store.read() as view:
        archived = [o for m in view.archive_months() for o in view.archived_orders(m)]
    assert sorted(o.key for o in archived) == sorted(o.key for o in orders[25:])


def test_archived_orders_can_be_changed_in_a_write(store):
    fill(store)
    store.archive_shipped()
    with store.write() as tx:
        month = tx.archive("2026-10")
        for order in month.orders.all():
            order.recipient = None
            month.orders.put(order)
    with store.read() as view:
        assert all(o.recipient is None for o in view.archived_orders("2026-10"))
        assert all(o.recipient is not None for o in view.archived_orders("2026-09"))


def test_bad_month_name_is_refused(store):
    with store.read() as view, pytest.raises(ValueError, match="2026-01"):
        view.archive("../../etc")
