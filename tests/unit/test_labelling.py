"""Label rules without a network: what GLS is asked, what Amazon is told, when to hold."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.label_request import (
    LabelHold,
    LabelRefused,
    confirmation_payload,
    next_package_refs,
    split_items,
)
from glstui.domain.order import HELD, LABELLED, NEW, Order, OrderItem, Recipient
from glstui.domain.settings import SenderAddress, Settings
from glstui.domain.shipment import Shipment
from glstui.services import labelling
from glstui.services.labelling import build_request
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SETTINGS = Settings(
    sender=SenderAddress(
        name="Warehouse BV",
        street="Industrieweg",
        house_no="12",
        zip_code="3542 ad",
        city="Utrecht",
    ),
    default_weight_kg=1.5,
)


def _order(**recipient) -> Order:
    base = {
        "name": "Jan Jansen",
        "address_lines": ["Kerkstraat 12"],
        "city": "Utrecht",
        "postal_code": "3511 ab",
        "country_code": "NL",
    }
    base.update(recipient)
    return Order(
        integration_id="shop1",
        order_id="403-1234567-1234567",
        marketplace_id="A1805IZSGTT6HS",
        items=[OrderItem("i1", "SKU1", "Mug", 2), OrderItem("i2", "SKU2", "Plate", 1)],
        recipient=Recipient(**base),
    )


def test_private_recipient():
    req = build_request(_order(phone="0612345678"), SETTINGS, NOW)
    d = req.delivery
    assert (d.name1, d.name2, d.name3) == ("Jan Jansen", "", "")
    assert (d.street, d.house_no, d.zip_code, d.country_code) == (
        "Kerkstraat",
        "12",
        "3511AB",
        "NL",
    )
    assert d.addressee_type == "p" and d.phone == "0612345678"
    assert req.reference == "403-1234567-1234567"
    assert req.units == [("403-1234567-1234567-1", 1.5)]
    assert req.label_type == "pdf" and req.shipping_date == NOW.date()
    assert req.pickup.name1 == "Warehouse BV" and req.pickup.zip_code == "3542AD"


def test_company_goes_to_name2_and_nothing_is_dropped():
    order = _order(company="Jansen BV", address_lines=["Kerkstraat 12-2", "achterom"])
    d = build_request(order, SETTINGS, NOW).delivery
    assert d.name1 == "Jan Jansen" and d.addressee_type == "b"
    assert "Jansen BV" in d.name2 and "achterom" in d.name2 + d.name3
    assert (d.house_no, d.house_no_ext) == ("12", "-2")


def test_company_only_is_name1():
    d = build_request(_order(name="", company="Jansen BV"), SETTINGS, NOW).delivery
    assert d.name1 == "Jansen BV" and d.name2 == "" and d.addressee_type == "b"


@pytest.mark.parametrize(
    ("recipient", "words"),
    [
        ({"address_lines": ["Kerkstraat"]}, "house number"),
        ({"postal_code": "12345"}, "postcode"),
        ({"name": "", "company": ""}, "name"),
        ({"name": "Johannes Wilhelmus van der Berg-Smits"}, "longer than 30"),
    ],
)
def test_what_the_operator_must_fix_holds_the_order(recipient, words):
    with pytest.raises(LabelHold) as err:
        build_request(_order(**recipient), SETTINGS, NOW)
    assert words in err.value.reason.lower()


def test_weight_outside_gls_limits_is_refused():
    order = _order()
    order.decision = {"weight_kg": 40}
    with pytest.raises(LabelRefused):
        build_request(order, SETTINGS, NOW)


def test_decision_sets_parcels_weight_format_services():
    order = _order()
    order.decision = {
        "parcels": 3,
        "weight_kg": 4.25,
        "label_format": "zpl",
        "services": {"saturdayService": True},
    }
    req = build_request(order, SETTINGS, NOW)
    assert [u for u, _ in req.units] == [f"{order.order_id}-{n}" for n in (1, 2, 3)]
    assert {w for _, w in req.units} == {4.25}
    assert req.label_type == "zpl" and req.services == {"saturdayService": True}


def test_no_address_is_refused_not_held():
    order = _order()
    order.recipient = None
    with pytest.raises(LabelRefused):
        build_request(order, SETTINGS, NOW)


def _units(groups):
    return [sum(i["quantity"] for i in g) for g in groups]


def test_items_one_parcel_carries_everything():
    items = [OrderItem("a", "A", "A", 2), OrderItem("b", "B", "B", 1)]
    assert split_items(items, 1) == [
        [{"orderItemId": "a", "quantity": 2}, {"orderItemId": "b", "quantity": 1}]
    ]


def test_items_are_dealt_so_amazon_never_counts_more_than_ordered():
    items = [OrderItem("a", "A", "A", 2), OrderItem("b", "B", "B", 1)]
    groups = split_items(items, 2)
    assert groups == [[{"orderItemId": "a", "quantity": 2}], [{"orderItemId": "b", "quantity": 1}]]
    assert _units(split_items(items, 3)) == [1, 1, 1]
    # More parcels than units: the extra parcel carries no item (and is not confirmed).
    assert _units(split_items([OrderItem("a", "A", "A", 1)], 2)) == [1, 0]
    for parcels in range(1, 6):
        groups = split_items(items, parcels)
        assert len(groups) == parcels and sum(_units(groups)) == 3


def test_confirmation_payload_shape():
    payload = confirmation_payload(
        _order(),
        "A1805IZSGTT6HS",
        "2",
        "56570010000001",
        "BusinessParcel",
        NOW,
        [{"orderItemId": "i1", "quantity": 1}],
    )
    detail = payload["packageDetail"]
    assert payload["marketplaceId"] == "A1805IZSGTT6HS"
    assert detail["packageReferenceId"] == "2" and isinstance(detail["packageReferenceId"], str)
    assert (detail["carrierCode"], detail["carrierName"]) == ("GLS", "GLS")
    assert detail["trackingNumber"] == "56570010000001"
    assert detail["shipDate"] == "2026-11-27T08:00:00Z"
    assert detail["shippingMethod"] == "BusinessParcel"


def test_package_reference_ids_are_never_reused():
    old = Shipment("s1", "k", "shop1", "o", ["p1", "p2"], package_reference_ids=["1", "2"])
    deleted = Shipment("s2", "k", "shop1", "o", ["p3"], package_reference_ids=["3"], deleted_at=NOW)
    assert next_package_refs([], 2) == ["1", "2"]
    assert next_package_refs([old, deleted], 1) == ["4"]


# --- with a store: held orders, receipts ----------------------------------------------------


class NoGls:
    async def create_label(self, request):  # pragma: no cover - must not be called
        raise AssertionError("GLS must not be asked")


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "data", FixedClock(NOW))
    with store.write() as tx:
        tx.settings.put(SETTINGS)
        tx.integrations.put(Integration(shop_name="Shop", id="shop1", status=CONNECTED))
    return store


async def test_held_orders_are_written_in_one_go(store, tmp_path):
    bad = _order(address_lines=["Kerkstraat"])
    with store.write() as tx:
        tx.orders.put(bad)
    events = []
    run = await labelling.label_orders(
        store, NoGls(), FixedClock(NOW), tmp_path / "labels", [bad.key], events.append
    )
    assert run.held == 1
    with store.read() as view:
        order = view.orders.get(bad.key)
    assert order.state == HELD and "house number" in order.hold_reason
    # A held order is skipped next time, with the reason.
    run = await labelling.label_orders(
        store, NoGls(), FixedClock(NOW), tmp_path / "labels", [bad.key], events.append
    )
    assert run.skipped == 1 and "house number" in run.outcomes[0].message


def test_reconcile_records_a_receipt_once_and_forget_clears_the_rest(store, tmp_path):
    labels = tmp_path / "labels"
    done, unknown = _order(), _order()
    unknown.order_id = "404-0000000-0000000"
    for order in (done, unknown):
        order.label_pending_at = NOW
    with store.write() as tx:
        tx.orders.put_many([done, unknown])
    receipt = labelling.receipt_path(labels, done.key)
    receipt.parent.mkdir(parents=True)
    receipt.write_text(
        json.dumps(
            {
                "order_key": done.key,
                "parcel_numbers": ["56570010000042"],
                "files": [],
                "created_at": "2026-11-27T08:00:00Z",
                "label_format": "pdf",
            }
        )
    )
    clock = FixedClock(NOW)
    clock.advance(labelling.STALE_AFTER_S)
    events = []
    result = labelling.reconcile(store, clock, labels, events.append)
    assert result.recovered == [done.key] and result.uncertain == [unknown.key]
    assert not receipt.exists()
    with store.read() as view:
        assert view.orders.get(done.key).state == LABELLED
        (entry,) = view.outbox.all()
        assert entry.payload["packageDetail"]["trackingNumber"] == "56570010000042"
        assert view.orders.get(unknown.key).state == NEW
    assert len(events) == 2
    assert labelling.forget_pending_label(store, unknown.key)
    assert labelling.reconcile(store, clock, labels).uncertain == []


def test_young_intents_are_left_to_the_run_that_set_them(store, tmp_path):
    order = _order()
    order.label_pending_at = NOW
    with store.write() as tx:
        tx.orders.put(order)
    assert labelling.reconcile(store, FixedClock(NOW), tmp_path / "labels").uncertain == []
