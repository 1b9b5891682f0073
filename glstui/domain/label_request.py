"""What a label asks for and what Amazon is told, decided from the order alone (no GLS types).

services/labelling turns these into the GLS request (glstui.gls.client.LabelRequest) and the
outbox entries. Rule decisions read here (order.decision, set by shipping rules): `parcels`
(int, default 1), `weight_kg`, `label_format` and `product`.

Items of a multi-parcel order (Amazon needs at least one item per confirmed package, and a
package added after the order is complete is refused as "already fulfilled"): the first
parcel carries every item except one unit for each further parcel; each further parcel
carries one unit. When there are fewer units than parcels, the parcels without a unit of
their own are not confirmed to Amazon. packageReferenceId = "1", "2", ... per order,
counting every parcel the order ever had and every package Amazon lists for it, so a number
is never reused for a different parcel, also not after a label was deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from glstui.domain.address import (
    AddressSplitError,
    fit_name_lines,
    normalise_postcode,
    split_street,
)
from glstui.domain.clock import to_iso
from glstui.domain.errors import N_, GlstuiError, ValidationError
from glstui.domain.order import Order, OrderItem
from glstui.domain.settings import Settings
from glstui.domain.shipment import Shipment

CARRIER = "GLS"
DEFAULT_PRODUCT = "BusinessParcel"
NAME_MAX = 30
PHONE_MAX = 25


class LabelHold(GlstuiError):
    """The operator must fix the order (address, name) first: it is held with `reason`."""

    @property
    def reason(self) -> str:
        return self.user_message


class LabelRefused(GlstuiError):
    """The order cannot get a label now, but nothing about it needs changing."""


@dataclass(frozen=True)
class DeliveryAddress:
    """The recipient as the label prints it; field names match glstui.gls.client.GlsAddress."""

    name1: str
    name2: str
    name3: str
    street: str
    house_no: str
    house_no_ext: str
    zip_code: str
    city: str
    country_code: str
    phone: str
    email: str
    addressee_type: str  # "b" business, "p" private


def decision_float(value: Any, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else float(default)
    except (TypeError, ValueError):
        return float("nan")


def label_format_of(order: Order, settings: Settings) -> str:
    return str(order.decision.get("label_format") or settings.label_format or "pdf")


def product_of(order: Order) -> str:
    return str(order.decision.get("product") or DEFAULT_PRODUCT)


def file_extension(label_format: str) -> str:
    return "zpl" if label_format.lower().startswith("zpl") else "pdf"


def parcel_count(order: Order) -> int:
    try:
        return max(1, int(order.decision.get("parcels") or 1))
    except (TypeError, ValueError):
        return 1


def clean_phone(raw: str) -> str:
    """The phone number, without separators when too long; "" when it still does not fit."""
    phone = (raw or "").strip()
    if len(phone) > PHONE_MAX:
        phone = re.sub(r"[\s().-]", "", phone)
    return phone if len(phone) <= PHONE_MAX else ""


def _name_lines(name: str, company: str, extra_lines: Iterable[str]) -> tuple[str, str, str]:
    """name1 (the name, else the company) and name2/name3 (company, extra address lines)."""
    name1 = name or company
    if not name1:
        raise LabelHold(N_("The recipient has no name: add the name or the company."))
    if len(name1) > NAME_MAX:
        raise LabelHold(
            N_(
                "The recipient name is longer than {max} characters, which the label cannot "
                "print: shorten it."
            ),
            max=NAME_MAX,
        )
    extra: list[str] = []
    if company and name1 != company:
        extra.append(company)
    extra.extend(e for e in extra_lines if e and e != company)
    try:
        name2_3 = fit_name_lines(extra, slots=2, width=NAME_MAX)
    except AddressSplitError as exc:
        raise LabelHold(exc.msg) from None
    name2_3 += ["", ""]
    return name1, name2_3[0], name2_3[1]


def delivery_address(order: Order) -> DeliveryAddress:
    """Where the label goes; LabelHold (operator must fix) or LabelRefused (no address yet).

    Nothing the buyer typed is dropped: company and extra address lines go to name2/name3."""
    recipient = order.recipient
    if recipient is None or not (recipient.address_lines or recipient.city):
        raise LabelRefused(N_("The order has no delivery address (yet): import it again."))
    country = (recipient.country_code or order.country_code or "").upper()
    try:
        split = split_street(list(recipient.address_lines), country, recipient.company)
    except AddressSplitError as exc:
        raise LabelHold(exc.msg) from None
    try:
        zip_code = normalise_postcode(recipient.postal_code, country)
    except ValidationError as exc:
        raise LabelHold(exc.msg) from None
    company = " ".join(recipient.company.split())
    name1, name2, name3 = _name_lines(" ".join(recipient.name.split()), company, split.extra)
    return DeliveryAddress(
        name1=name1,
        name2=name2,
        name3=name3,
        street=split.street,
        house_no=split.house_no,
        house_no_ext=split.house_no_ext,
        zip_code=zip_code,
        city=" ".join(recipient.city.split()),
        country_code=country,
        phone=clean_phone(recipient.phone),
        email=(recipient.email or "").strip(),
        addressee_type="b" if company else "p",
    )


def split_items(items: list[OrderItem], parcels: int) -> list[list[dict[str, Any]]]:
    """orderItems per parcel (see the module docstring); [] = the parcel carries no item."""
    units = [item.order_item_id for item in items for _n in range(max(0, item.quantity))]
    if not units:
        return [[] for _n in range(parcels)]
    extra = min(parcels - 1, len(units) - 1)
    groups = [units[: len(units) - extra]] + [[u] for u in units[len(units) - extra :]]
    groups += [[] for _n in range(parcels - len(groups))]
    result = []
    for group in groups:
        counts: dict[str, int] = {}
        for item_id in group:
            counts[item_id] = counts.get(item_id, 0) + 1
        result.append([{"orderItemId": k, "quantity": v} for k, v in counts.items()])
    return result


def confirmation_payload(
    order: Order,
    marketplace_id: str,
    package_reference_id: str,
    tracking_number: str,
    product: str,
    ship_date: datetime,
    order_items: list[dict[str, Any]],
) -> dict[str, Any]:
    """The confirmShipment body for one parcel (ordersV0 ConfirmShipmentRequest)."""
    return {
        "marketplaceId": marketplace_id,
        "packageDetail": {
            "packageReferenceId": str(package_reference_id),
            "carrierCode": CARRIER,
            "carrierName": CARRIER,
            "shippingMethod": product,
            "trackingNumber": tracking_number,
            "shipDate": to_iso(ship_date),
            "orderItems": order_items,
        },
    }


def next_package_refs(
    shipments: list[Shipment], count: int, amazon_refs: Iterable[str] = ()
) -> list[str]:
    """The next `count` packageReferenceIds of an order: after every one it ever had here and
    every one Amazon lists for it (a package confirmed by another tool or by hand)."""
    used = 0
    refs = [r for s in shipments for r in s.package_reference_ids] + list(amazon_refs)
    for ref in refs:
        try:
            used = max(used, int(ref))
        except ValueError:
            continue
    return [str(used + n) for n in range(1, count + 1)]
