"""The store's fast encoder writes exactly the documents `serial.to_dict` would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

from glstui.domain.audit import AuditEntry
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import HELD
from glstui.domain.run import ImportRun, ShopRunResult
from glstui.domain.serial import to_dict
from glstui.services.importing.merge import apply_shipping_rules
from glstui.store.encode import encode
from glstui.store.sample import make_order, make_outbox, make_shipment

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_orders_shipments_and_outbox_encode_as_serial_does() -> None:
    integ = Integration("Shop", id="shop1", status=CONNECTED, marketplace_ids=["A1"])
    for n in range(60):
        order = make_order(n, shipped_at=NOW - timedelta(days=n) if n % 3 else None)
        apply_shipping_rules(order, integ)  # a decision dict with nested services
        if n % 5 == 0:
            order.state, order.hold_reason = HELD, "street split"
        shipment = make_shipment(order, n)
        for obj in (order, shipment, make_outbox(shipment)):
            assert encode(obj) == to_dict(obj)


def test_shops_runs_and_audit_entries_encode_as_serial_does() -> None:
    integ = Integration(
        "Shop",
        id="shop1",
        status=CONNECTED,
        marketplace_ids=["A1", "A2"],
        import_cursor=NOW,
        import_resume={"token": "abc", "saved_at": "2026-11-27T08:00:00Z"},
    )
    run = ImportRun(id="r1", user="ops", started_at=NOW, shops=[ShopRunResult("shop1", "Shop")])
    for obj in (integ, run, AuditEntry(id="a1", at=NOW, user="u", action="x", detail="d")):
        assert encode(obj) == to_dict(obj)


class Colour(StrEnum):
    RED = "red"


@dataclass
class Inner:
    when: datetime | None = None


@dataclass
class Odd:
    """Values of the kinds `to_dict` treats alike by isinstance: subclasses and tuples."""

    colour: str = Colour.RED
    pair: tuple[int, ...] = (1, 2)
    inner: list[Inner] = field(default_factory=list)
    by_name: dict[str, Inner] = field(default_factory=dict)
    offset: datetime = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))


def test_subclasses_tuples_and_nested_dataclasses_encode_as_serial_does() -> None:
    odd = Odd(inner=[Inner(NOW), Inner()], by_name={"a": Inner(NOW)})
    assert encode(odd) == to_dict(odd)
    assert encode(Odd) == to_dict(Odd)  # a class is not an instance
