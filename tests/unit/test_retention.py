"""Buyer data is purged `pii_retention_days` (max 30) after an order is done, and only then."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from glstui.cli.purge import run_purge
from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import CANCELLED, LABELLED, NEW, SHIPPED, Order, OrderItem, Recipient
from glstui.domain.settings import Settings
from glstui.domain.shipment import PENDING, SENT, OutboxEntry, Shipment
from glstui.secrets import Secrets
from glstui.services import retention
from glstui.services.context import AppContext
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
PERSONAL = ("name", "company", "address_lines", "city", "phone", "email")


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def recipient(n: int) -> Recipient:
    return Recipient(
        name=f"Jan de Vries {n}",
        company=f"Bakkerij {n} BV",
        address_lines=[f"Kerkstraat {n}", "2e verdieping"],
        city="Utrecht",
        postal_code="3511 AB",
        country_code="NL",
        state_or_region="Utrecht",
        phone=f"+31 6 1234 {n:04d}",
        email=f"buyer{n}@marketplace.amazon.nl",
        address_type="Residential",
    )


def order(n: int, shop: str = "shop1", **kw: object) -> Order:
    fields: dict[str, object] = {
        "created_at": ago(60),
        "imported_at": ago(60),
        "last_updated_at": ago(59),
        "items": [OrderItem(order_item_id=f"it{n}", sku=f"SKU-{n}", title="Mug", quantity=1)],
        "recipient": recipient(n),
        "country_code": "NL",
        **kw,
    }
    return Order(integration_id=shop, order_id=f"305-{n:07d}-1111111", **fields)  # type: ignore[arg-type]


def shipment(o: Order, created: datetime, label: Path | None = None) -> Shipment:
    return Shipment(
        id=f"s{o.order_id}",
        order_key=o.key,
        integration_id=o.integration_id,
        order_id=o.order_id,
        parcel_numbers=[f"9{o.order_id[-3:]}"],
        label_path=str(label) if label else "",
        created_at=created,
    )


def make(tmp_path: Path) -> tuple[Store, FixedClock]:
    clock = FixedClock(NOW)
    store = Store.open(tmp_path / "data", clock)
    with store.write() as tx:
        tx.integrations.put_many(
            [
                Integration(shop_name="Amazon NL", id="shop1", status=CONNECTED),
                Integration(
                    shop_name="No tracking", id="shop2", status=CONNECTED, update_tracking=False
                ),
            ]
        )
    return store, clock


def test_purge_removes_exactly_the_personal_fields_after_the_period(tmp_path: Path) -> None:
    store, clock = make(tmp_path)
    shipped_31 = order(1, state=SHIPPED, shipped_at=ago(31))
    shipped_29 = order(2, state=SHIPPED, shipped_at=ago(29))
    waiting = order(3, state=NEW)  # old but never shipped: still needs its address
    cancelled = order(4, state=CANCELLED, last_updated_at=ago(40))
    no_tracking = order(5, "shop2", state=LABELLED)  # Amazon is never told: label date counts
    owed = order(6, state=LABELLED)  # confirmation still pending: not done
    ships = [shipment(no_tracking, ago(40)), shipment(owed, ago(40))]
    with store.write() as tx:
        tx.orders.put_many([shipped_31, shipped_29, waiting, cancelled, no_tracking, owed])
        tx.shipments.put_many(ships)
        tx.outbox.put(
            OutboxEntry(
                id="e1",
                shipment_id=ships[1].id,
                order_key=owed.key,
                integration_id="shop1",
                order_id=owed.order_id,
                package_reference_id="1",
                state=PENDING,
            )
        )

    result = retention.purge_pii(store, clock)
    assert (result.hot, result.archived, result.days) == (3, 0, 30)

    with store.read() as view:
        after = {o.order_id: o for o in view.orders.all()}
    for before in (shipped_31, cancelled, no_tracking):
        got = after[before.order_id]
        r = got.recipient
        assert r is not None
        assert all(not getattr(r, f) for f in PERSONAL), r
        assert (r.country_code, r.postal_code, r.state_or_region, r.address_type) == (
            "NL",
            "35",
            "Utrecht",
            "Residential",
        )
        assert got.pii_purged_at == NOW
        # everything else is exactly as it was: ids, items, dates, state, country
        same = {f.name for f in dataclasses.fields(Order)} - {"recipient", "pii_purged_at"}
        assert {f: getattr(got, f) for f in same} == {f: getattr(before, f) for f in same}
    for kept in (shipped_29, waiting, owed):
        assert after[kept.order_id].recipient == kept.recipient
        assert after[kept.order_id].pii_purged_at is None


def test_purge_is_idempotent_and_never_keeps_more_than_30_days(tmp_path: Path) -> None:
    store, clock = make(tmp_path)
    with store.write() as tx:
        tx.orders.put(order(1, state=SHIPPED, shipped_at=ago(31)))
        tx.settings.put(Settings(pii_retention_days=365))  # the cap wins
    assert retention.purge_pii(store, clock).hot == 1
    assert retention.purge_pii(store, clock).hot == 0
    assert retention.retention_days(None, Settings(pii_retention_days=365)) == 30
    assert retention.retention_days(7) == 7


def test_a_shorter_setting_purges_sooner(tmp_path: Path) -> None:
    store, clock = make(tmp_path)
    with store.write() as tx:
        tx.orders.put(order(1, state=SHIPPED, shipped_at=ago(8)))
        tx.settings.put(Settings(pii_retention_days=7))
    assert retention.purge_pii(store, clock).hot == 1


def test_archived_orders_and_their_label_files_are_purged(tmp_path: Path) -> None:
    store, clock = make(tmp_path)
    labels = tmp_path / "data" / "labels"
    (labels / "2026-09-01").mkdir(parents=True)
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"%PDF not ours")
    old = [order(n, state=SHIPPED, shipped_at=ago(80 + n)) for n in range(3)]
    ships = []
    for o in old[:2]:
        label = labels / "2026-09-01" / f"{o.order_id}-1.pdf"
        label.write_bytes(b"%PDF Jan de Vries, Kerkstraat")
        ships.append(shipment(o, ago(85), label))
    ships.append(shipment(old[2], ago(85), outside))  # outside the label dir: never deleted
    with store.write() as tx:
        tx.orders.put_many(old)
        tx.shipments.put_many(ships)
        for s in ships:
            tx.outbox.put(
                OutboxEntry(
                    id=f"{s.id}:1",
                    shipment_id=s.id,
                    order_key=s.order_key,
                    integration_id="shop1",
                    order_id=s.order_id,
                    package_reference_id="1",
                    state=SENT,
                    sent_at=ago(84),
                )
            )
    assert store.archive_shipped() == 3

    result = retention.purge_pii(store, clock, labels_dir=labels)
    assert (result.hot, result.archived, result.label_files) == (0, 3, 2)
    assert not list(labels.rglob("*.pdf"))
    assert outside.exists()
    with store.read() as view:
        for month in view.archive_months():
            arch = view.archive(month)
            for o in arch.orders.all():
                assert o.recipient is not None and not o.recipient.name and o.pii_purged_at
                assert o.items and o.order_id.startswith("305-")
            assert all(
                not s.label_path or s.label_path == str(outside) for s in arch.shipments.all()
            )

    again = retention.purge_pii(store, clock, labels_dir=labels)
    assert (again.orders, again.months_checked) == (0, 0)  # unchanged months are not read


def test_run_purge_prints_what_it_did(tmp_path: Path) -> None:
    store, clock = make(tmp_path)
    with store.write() as tx:
        tx.orders.put(order(1, state=SHIPPED, shipped_at=ago(45)))
    ctx = AppContext(
        data_dir=tmp_path / "data",
        store=store,
        secrets=Secrets.in_memory(),
        clock=clock,
        endpoints=None,  # type: ignore[arg-type]
    )
    out = io.StringIO()
    assert run_purge(ctx, out=out) == 0
    assert out.getvalue().strip() == (
        "Buyer data removed from 1 orders done more than 30 days ago (0 label files deleted)."
    )


def test_a_reimport_does_not_bring_purged_data_back(tmp_path: Path) -> None:
    from glstui.services.importer import PageOutcome, merge_order

    store, clock = make(tmp_path)
    with store.write() as tx:
        tx.orders.put(order(1, state=SHIPPED, shipped_at=ago(45)))
    retention.purge_pii(store, clock)
    with store.read() as view:
        purged = view.orders.all()[0]
        integ = view.integrations.get("shop1")
    fresh = order(1)
    merged = merge_order(fresh, purged, integ, NOW, PageOutcome())
    assert merged is None or merged.recipient is None or not merged.recipient.name


def test_a_cache_that_cannot_be_replaced_leaves_no_temp_file(tmp_path: Path) -> None:
    """The purge still runs; no `.purged-months.json.*.tmp` piles up in cache/ each night."""
    store, clock = make(tmp_path)
    with store.write() as tx:
        tx.orders.put(order(1, state=SHIPPED, shipped_at=ago(80)))
    assert store.archive_shipped() == 1
    cache = tmp_path / "data" / "cache"
    (cache / retention.PURGED_MONTHS_FILE).mkdir(parents=True)  # a rename over it fails

    result = retention.purge_pii(store, clock)

    assert result.archived == 1
    assert [p.name for p in cache.iterdir()] == [retention.PURGED_MONTHS_FILE]
