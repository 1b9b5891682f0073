"""Turn an Orders v2026-01-01 `Order` object into glstui's domain Order.

Field names follow orders_2026-01-01.json: recipient.deliveryAddress, fulfillment
{fulfillmentStatus, fulfillmentServiceLevel, shipByWindow}, programs (PRIME,
AMAZON_BUSINESS, AMAZON_EASY_SHIP, FBM_SHIP_PLUS, ...: all kept), addressType,
orderItems[{orderItemId, quantityOrdered, product{asin, sellerSku, title},
fulfillment{quantityFulfilled}}], packages[{packageReferenceId}] (PACKAGES data; without it the
order's package references stay unknown, None), associatedOrders (replacement / exchange).
"""

from __future__ import annotations

from typing import Any

from glstui.amazon.regions import MARKETPLACES_BY_ID
from glstui.domain.clock import Clock, from_iso
from glstui.domain.order import CANCELLED, NEW, SHIPPED, Order, OrderItem, Recipient


def _s(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def recipient_from_api(raw: dict[str, Any]) -> Recipient | None:
    address = _dict(_dict(raw.get("recipient")).get("deliveryAddress"))
    if not address:
        return None
    lines = [_s(address.get(k)) for k in ("addressLine1", "addressLine2", "addressLine3")]
    return Recipient(
        name=_s(address.get("name")),
        company=_s(address.get("companyName")),
        address_lines=[line for line in lines if line],
        city=_s(address.get("city")),
        postal_code=_s(address.get("postalCode")),
        country_code=_s(address.get("countryCode")).upper(),
        state_or_region=_s(address.get("stateOrRegion")),
        phone=_s(address.get("phone")),
        email=_s(_dict(raw.get("buyer")).get("buyerEmail")),
        address_type=_s(address.get("addressType")),
    )


def order_from_api(raw: dict[str, Any], integration_id: str, clock: Clock) -> Order:
    fulfillment = _dict(raw.get("fulfillment"))
    sales = _dict(raw.get("salesChannel"))
    programs = {_s(p).upper() for p in raw.get("programs") or []} - {""}
    status = _s(fulfillment.get("fulfillmentStatus"))
    items = []
    for item in raw.get("orderItems") or []:
        product = _dict(item.get("product"))
        shipped = _int(_dict(item.get("fulfillment")).get("quantityFulfilled"))
        items.append(
            OrderItem(
                order_item_id=_s(item.get("orderItemId")),
                sku=_s(product.get("sellerSku")),
                title=_s(product.get("title")),
                quantity=int(item.get("quantityOrdered") or 0),
                asin=_s(product.get("asin")),
                quantity_shipped=shipped,
            )
        )
    recipient = recipient_from_api(raw)
    marketplace_id = _s(sales.get("marketplaceId"))
    country = recipient.country_code if recipient and recipient.country_code else ""
    if not country and marketplace_id in MARKETPLACES_BY_ID:
        country = MARKETPLACES_BY_ID[marketplace_id].country_code
    total = _dict(_dict(raw.get("proceeds")).get("grandTotal"))
    original = _original(raw)
    if status == "CANCELLED":
        state = CANCELLED
    elif status == "SHIPPED":
        state = SHIPPED
    else:
        state = NEW
    return Order(
        integration_id=integration_id,
        order_id=_s(raw.get("orderId")),
        marketplace_id=marketplace_id,
        amazon_status=status,
        created_at=from_iso(raw.get("createdTime")),
        last_updated_at=from_iso(raw.get("lastUpdatedTime")),
        ship_by=from_iso(_dict(fulfillment.get("shipByWindow")).get("latestDateTime")),
        items=items,
        recipient=recipient,
        country_code=country,
        service_level=_s(fulfillment.get("fulfillmentServiceLevel")),
        is_prime="PRIME" in programs,
        is_business="AMAZON_BUSINESS" in programs,
        programs=sorted(programs),
        order_total=_s(total.get("amount")),
        currency=_s(total.get("currencyCode")),
        state=state,
        imported_at=clock.now(),
        amazon_package_refs=package_refs(raw),
        original_order_id=original[0],
        association=original[1],
    )


def _original(raw: dict[str, Any]) -> tuple[str, str]:
    """(original order id, association type) of a replacement or exchange (associatedOrders);
    ("", "") for any other order."""
    for assoc in raw.get("associatedOrders") or []:
        kind = _s(_dict(assoc).get("associationType")).upper()
        if kind in ("REPLACEMENT_ORIGINAL_ID", "EXCHANGE_ORIGINAL_ID"):
            return _s(_dict(assoc).get("orderId")), kind
    return "", ""


def package_refs(raw: dict[str, Any]) -> list[str] | None:
    """The packageReferenceIds Amazon lists for the order; None when PACKAGES was not sent."""
    packages = raw.get("packages")
    if not isinstance(packages, list):
        return None
    return [_s(p.get("packageReferenceId")) for p in packages if isinstance(p, dict)]


def _int(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0
