"""Which pickup points GLS can deliver to, and when a page means the app lacks the PII role."""

from __future__ import annotations

from datetime import UTC, datetime

from glstui.domain.integration import Integration
from glstui.domain.order import HELD, NEW, Order, Recipient
from glstui.domain.order_kinds import gls_parcelshop_id, not_for_gls, page_lacks_pii
from glstui.services.importer import PageOutcome, merge_order


def _point(name: str, *lines: str, kind: str = "PICKUP_POINT") -> Recipient:
    return Recipient(name=name, address_lines=list(lines), address_type=kind)


def test_only_a_gls_parcelshop_with_one_shop_id_is_deliverable():
    assert gls_parcelshop_id(_point("GLS ParcelShop Primera", "Kerkstraat 8", "2500012345")) == (
        "2500012345"
    )
    assert gls_parcelshop_id(_point("GLS PaketShop Kiosk", "Hauptstr. 17", "ID 2760034567")) == (
        "2760034567"
    )
    # an Amazon locker, a ParcelShop of another carrier, a GLS shop without an id, two ids
    assert gls_parcelshop_id(_point("Amazon Locker - Tulp", "Stationsplein 12")) == ""
    assert gls_parcelshop_id(_point("DHL ParcelShop 1234567", "Markt 1")) == ""
    assert gls_parcelshop_id(_point("GLS ParcelShop Primera", "Kerkstraat 8")) == ""
    assert gls_parcelshop_id(_point("GLS ParcelShop 2500012345", "Postbus 1234567")) == ""
    # a home address that happens to name GLS is no pickup point
    assert gls_parcelshop_id(_point("GLS ParcelShop 2500012345", kind="RESIDENTIAL")) == ""


def test_kinds_glstui_does_not_ship():
    locker = Order("s", "1", recipient=_point("Amazon Locker - Tulp", "Stationsplein 12"))
    shop = Order("s", "2", recipient=_point("GLS ParcelShop X", "Kerkstraat 8", "2500012345"))
    assert not_for_gls(locker) == "pickup_point" and not_for_gls(shop) == ""
    assert not_for_gls(Order("s", "3", programs=["PRIME", "AMAZON_EASY_SHIP"])) == "easy_ship"
    assert not_for_gls(Order("s", "4", programs=["FBM_SHIP_PLUS"])) == "ship_plus"
    assert not_for_gls(Order("s", "5", programs=["PRIME", "AMAZON_BUSINESS"])) == ""


def test_a_page_lacks_pii_only_when_every_waiting_order_has_no_address():
    bare = Order("s", "1", amazon_status="UNSHIPPED", recipient=Recipient(city="Utrecht"))
    full = Order(
        "s", "2", amazon_status="UNSHIPPED", recipient=Recipient("A B", address_lines=["Kade 3"])
    )
    cancelled = Order("s", "3", amazon_status="CANCELLED")
    shippable = ("UNSHIPPED", "PARTIALLY_SHIPPED")
    assert page_lacks_pii([bare, cancelled], shippable)
    assert not page_lacks_pii([bare, full], shippable)
    assert not page_lacks_pii([cancelled], shippable)


def test_a_not_for_gls_hold_goes_when_amazon_changes_the_address():
    shop = Integration(shop_name="s")
    now = datetime(2026, 11, 27, tzinfo=UTC)
    locker = _point("Amazon Locker - Tulp", "Stationsplein 12")
    first = Order("s", "1", amazon_status="UNSHIPPED", recipient=locker)
    held = merge_order(first, None, shop, now, PageOutcome())
    assert held.state == HELD and held.not_for_gls == "pickup_point"

    home = Recipient("A B", address_lines=["Kade 3"], city="Amsterdam", address_type="RESIDENTIAL")
    changed = Order("s", "1", amazon_status="UNSHIPPED", recipient=home)
    again = merge_order(changed, held, shop, now, PageOutcome())
    assert again.state == NEW and again.not_for_gls == "" and again.hold_reason == ""
