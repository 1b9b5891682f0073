"""Statistics: what an operator reads on the Statistieken screen, counted right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, Order
from glstui.domain.shipment import FAILED, PENDING, SENT, OutboxEntry, Shipment
from glstui.sandbox.history import generate_history
from glstui.services import stats, stats_cache
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def order(n: int, shop: str = "shop1", imported: datetime | None = None, **kw: object) -> Order:
    imported = imported or ago(1)
    return Order(
        integration_id=shop,
        order_id=f"302-{n:07d}-0000000",
        created_at=imported - timedelta(hours=1),
        imported_at=imported,
        ship_by=imported + timedelta(days=2),
        **kw,  # type: ignore[arg-type]
    )


def shipment(o: Order, created: datetime, sid: str = "", **kw: object) -> Shipment:
    return Shipment(
        id=sid or f"s-{o.order_id}",
        order_key=o.key,
        integration_id=o.integration_id,
        order_id=o.order_id,
        parcel_numbers=["1"],
        created_at=created,
        **kw,  # type: ignore[arg-type]
    )


def entry(s: Shipment, ref: str, state: str, sent: datetime | None = None) -> OutboxEntry:
    return OutboxEntry(
        id=f"{s.id}:{ref}",
        shipment_id=s.id,
        order_key=s.order_key,
        integration_id=s.integration_id,
        order_id=s.order_id,
        package_reference_id=ref,
        state=state,
        sent_at=sent,
    )


SHOPS = [
    Integration(shop_name="Amazon NL", id="shop1", status=CONNECTED, authorized_at=ago(100)),
    Integration(shop_name="amazon de", id="shop2", status=CONNECTED, authorized_at=ago(350)),
    Integration(shop_name="Amazon FR", id="shop3", status=CONNECTED, authorized_at=ago(370)),
]


def build(orders: list[Order], shipments=(), outbox=(), shops=SHOPS) -> stats.StatsReport:
    builder = stats.StatsBuilder(NOW)
    for s in shipments:
        builder.add_shipment(s)
    for e in outbox:
        builder.add_outbox(e)
    for o in orders:
        builder.add_order(o)
    return builder.finish(shops)


def test_imported_labelled_confirmed_per_day_and_period() -> None:
    today = order(1, imported=ago(hours=2), state=SHIPPED)
    yesterday = order(2, imported=ago(1, 2), state=LABELLED)
    last_month = order(3, imported=ago(20), state=SHIPPED)
    long_ago = order(4, imported=ago(95), state=SHIPPED)
    two_parcels = shipment(today, ago(hours=1))
    relabel = [
        shipment(yesterday, ago(1), sid="old", deleted_at=ago(1)),  # deleted: never counted
        shipment(yesterday, ago(hours=20), sid="new"),
    ]
    month = shipment(last_month, ago(19))
    outbox = [
        entry(two_parcels, "1", SENT, ago(hours=1)),
        entry(two_parcels, "2", SENT, ago(hours=0.5)),  # same order: confirmed once
        entry(month, "1", SENT, ago(19)),
        entry(relabel[1], "1", PENDING),
    ]
    report = build([today, yesterday, last_month, long_ago], [two_parcels, *relabel, month], outbox)
    week, month30, quarter = (report.period(d).total for d in stats.PERIODS)
    assert (week.imported, week.labelled, week.confirmed) == (2, 2, 1)
    assert (month30.imported, month30.labelled, month30.confirmed) == (3, 3, 2)
    assert (quarter.imported, quarter.labelled, quarter.confirmed) == (3, 3, 2)
    assert week.imported_per_day == [0, 0, 0, 0, 0, 1, 1]  # oldest first, today last
    assert week.labelled_per_day == [0, 0, 0, 0, 0, 1, 1]
    assert week.confirmed_per_day == [0, 0, 0, 0, 0, 0, 1]
    assert len(quarter.imported_per_day) == 90
    assert month30.imported_per_day[-21] == 1
    assert week.pending == 1 and week.failed == 0
    assert report.period(7).first_day == (NOW - timedelta(days=6)).date()


def test_median_time_from_import_to_label() -> None:
    orders = [order(i, imported=ago(3)) for i in range(3)]
    ships = [
        shipment(o, ago(3) + timedelta(hours=h)) for o, h in zip(orders, (1, 5, 30), strict=True)
    ]
    total = build(orders, ships).period(7).total
    assert total.median_label_hours == 5.0
    assert build(orders).period(7).total.median_label_hours is None


def test_per_shop_rows_are_sorted_by_name_and_add_up_to_the_total() -> None:
    orders = [order(1, "shop1"), order(2, "shop2"), order(3, "shop2"), order(4, "gone")]
    period = build(orders).period(30)
    names = [row.shop_name for row in period.shops]
    assert names == ["amazon de", "Amazon FR", "Amazon NL", "(deleted shop gone)"]
    assert [row.imported for row in period.shops] == [2, 0, 1, 1]
    assert period.total.imported == 4
    assert period.total.integration_id == stats.TOTAL_ID


def test_orders_past_their_latest_ship_date() -> None:
    late_new = order(1, imported=ago(5), state=NEW)
    late_held = order(2, imported=ago(5), state=HELD)
    late_shipped = order(3, imported=ago(5), state=SHIPPED)
    late_cancelled = order(4, imported=ago(5), state=CANCELLED)
    on_time = order(5, imported=ago(hours=3), state=NEW)
    labelled_owed = order(6, imported=ago(4), state=LABELLED)
    labelled_done = order(7, imported=ago(4), state=LABELLED)  # tracking off: nothing owed
    owed = shipment(labelled_owed, ago(3))
    report = build(
        [late_new, late_held, late_shipped, late_cancelled, on_time, labelled_owed, labelled_done],
        [owed, shipment(labelled_done, ago(3))],
        [entry(owed, "1", FAILED)],
    )
    assert report.past_ship_by == 3
    assert report.failed == 1
    assert report.oldest_past_ship_by == ago(5) + timedelta(days=2)
    assert report.has_warnings
    assert all(report.period(d).total.past_ship_by == 3 for d in stats.PERIODS)


def test_reconsent_due_within_30_days() -> None:
    report = build([])
    assert [(r.shop_name, r.days_left) for r in report.reconsent_due] == [
        ("Amazon FR", -5),
        ("amazon de", 15),
    ]
    rows = {row.shop_name: row.reconsent_days_left for row in report.period(7).shops}
    assert rows == {"amazon de": 15, "Amazon FR": -5, "Amazon NL": 265}


def test_no_data_gives_zero_rows_not_errors() -> None:
    report = build([], shops=[])
    week = report.period(7)
    assert week.shops == []
    assert week.total.imported_per_day == [0] * 7
    assert not report.has_warnings


# --- from the store: hot file and monthly archives ------------------------------------------


@pytest.fixture
def history(tmp_path: Path) -> tuple[Store, FixedClock]:
    clock = FixedClock(NOW)
    store = Store.open(tmp_path / "data", clock)
    generate_history(store, clock, orders=1500, days=150, seed=3, chunk=500)
    return store, clock


def _everything_in_memory(store: Store, clock: FixedClock) -> stats.StatsReport:
    """The slow, obvious way: every object of every file into one builder."""
    builder = stats.StatsBuilder(clock.now())
    with store.read() as view:
        parts = [view] + [view.archive(m) for m in view.archive_months()]
        for part in parts:
            for s in part.shipments.all():
                builder.add_shipment(s)
            for e in part.outbox.all():
                builder.add_outbox(e)
        for part in parts:
            for o in part.orders.all():
                builder.add_order(o)
        shops = view.integrations.all()
    return builder.finish(shops)


def test_streaming_the_archives_gives_the_same_numbers(history) -> None:
    store, clock = history
    with store.read() as view:
        assert len(view.archive_months()) >= 3  # the history really is archived
    streamed = stats.compute(store, clock)
    expected = _everything_in_memory(store, clock)
    for days in stats.PERIODS:
        assert streamed.period(days) == expected.period(days)
    assert streamed.reconsent_due == expected.reconsent_due
    quarter = streamed.period(90).total
    assert quarter.imported > 800 and 0 < quarter.confirmed < quarter.labelled <= quarter.imported


def test_the_archive_cache_is_used_and_refreshed(history, monkeypatch) -> None:
    store, clock = history
    first = stats.compute(store, clock)
    cached = list((store.data_dir / stats.CACHE_DIR).glob("stats-*.json"))
    assert cached
    for path in cached:  # counts and shop ids only, no order data
        text = path.read_text()
        assert "302-" not in text and "Buyer" not in text and "Oudegracht" not in text

    counted: list[object] = []
    real = stats.count_file
    for module in (stats, stats_cache):  # the hot file, the archive months
        monkeypatch.setattr(
            module, "count_file", lambda part, now: counted.append(part) or real(part, now)
        )
    assert stats.compute(store, clock) == first
    assert len(counted) == 1  # only the hot file; every archive month came from the cache

    month = max(p.stem.removeprefix("stats-") for p in cached)
    with store.write() as tx:  # another process changes an archive month
        arch = tx.archive(month)
        victim = arch.orders.all()[0]
        arch.orders.delete(victim.key)
    counted.clear()
    after = stats.compute(store, clock)
    assert len(counted) == 2  # hot file + the changed month
    assert after == stats.compute(store, clock, cache=False)


def test_generate_history_is_deterministic(tmp_path: Path) -> None:
    reports = []
    for name in ("a", "b"):
        clock = FixedClock(NOW)
        store = Store.open(tmp_path / name, clock)
        generate_history(store, clock, orders=300, days=40, seed=11)
        reports.append(stats.compute(store, clock))
    assert reports[0] == reports[1]


def test_months_back_covers_the_90_days() -> None:
    assert stats.months_back(NOW) == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert stats.months_back(datetime(2026, 2, 1, tzinfo=UTC)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
