"""Orders v0 confirmShipment in the sandbox: Amazon's validation of the package (carrier code,
tracking number, ship date, items and quantities left to ship), the package it records on the
order, and the fault that answers a carried-out confirmation with an unreadable 200."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from glstui.domain.clock import from_iso, to_iso
from glstui.sandbox.amazon.responses import Response, invalid
from glstui.sandbox.amazon.state import SimState
from glstui.sandbox.data import SimOrder

SHIP_PLUS = "FBM_SHIP_PLUS"

# A part of Amazon's carrier code list (Seller Central help G641 / amzn-base.xsd CarrierCode).
CARRIER_CODES = frozenset(
    {
        "GLS",
        "DHL",
        "DHL eCommerce",
        "DHL Home Delivery",
        "DPD",
        "UPS",
        "UPS Mail Innovations",
        "FedEx",
        "FedEx SmartPost",
        "TNT",
        "PostNL",
        "Hermes",
        "Hermes Logistik Gruppe",
        "Royal Mail",
        "Parcelforce",
        "Yodel",
        "DX",
        "La Poste",
        "Colissimo",
        "Chronopost",
        "Deutsche Post",
        "Bpost",
        "Correos",
        "Correos Express",
        "SEUR",
        "NACEX",
        "MRW",
        "Poste Italiane",
        "BRT",
        "SDA",
        "GEL Express",
        "InPost",
        "Mondial Relay",
        "Asendia",
        "Amazon Shipping",
        "USPS",
        "Canada Post",
        "Japan Post",
        "Yamato Transport",
        "Sagawa Express",
        "Trans-o-Flex",
        "GO!",
        "Other",
    }
)


class ShipmentsMixin(SimState):
    _garbled = 0  # confirmations still to answer with an unreadable 200 (garble_confirmations)
    _drop_share = 0.0  # share of confirmations answered 204 and not applied (drop_confirmations)
    dropped_confirmations = 0

    def drop_confirmations(self, share: float) -> None:
        """Fault: `share` (0..1) of confirmShipment requests are answered 204 and silently not
        applied, as sellers report of the real Amazon. Which ones is fixed by the seed, order
        and package, so a test can tell; sending the same package again is dropped again."""
        if not 0 <= share <= 1:
            raise ValueError("share must be between 0 and 1")
        with self.lock:
            self._drop_share = share

    def _drops(self, order_id: str, ref: str) -> bool:
        if self._drop_share <= 0:
            return False
        digest = hashlib.sha256(f"{self.seed}:{order_id}:{ref}".encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32 < self._drop_share

    def garble_confirmations(self, count: int = 1) -> None:
        """Fault: the next `count` confirmShipment requests are carried out, then answered 200
        with a truncated JSON body (0 ends it). Amazon has the package; the client cannot
        know it.

        (The "malformed_json" fault of `Sandbox.faults` answers the same way without carrying
        the request out.)
        """
        with self.lock:
            self._garbled = count

    def _confirm_shipment(
        self, seller: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> Response:
        order_id = path.split("/")[4]
        req = _request(body)
        detail = req["packageDetail"]
        ref, carrier, shipped_at = _package_detail(detail)
        items = detail["orderItems"]
        if not isinstance(items, list) or not items:
            raise invalid("invalid type [packageDetail.orderItems].")
        order = self._order_of(seller, order_id)
        _check_order(order, req["marketplaceId"])
        existing = next((p for p in order.packages if p["packageReferenceId"] == ref), None)
        package_items = [_package_item(order, it, ref, existing) for it in items]
        if self._drops(order_id, ref):
            self.dropped_confirmations += 1
            return Response(204)
        now = self.clock.now().replace(microsecond=0)
        package: dict[str, Any] = {
            "packageReferenceId": ref,
            "createdTime": (existing or {}).get("createdTime") or to_iso(now),
            "packageStatus": {"status": "SHIPPED"},
            "carrier": detail.get("carrierName") if carrier == "Other" else carrier,
            "shipTime": to_iso(shipped_at),
            "trackingNumber": detail["trackingNumber"],
            "packageItems": package_items,
        }
        if detail.get("shippingMethod"):
            package["shippingService"] = str(detail["shippingMethod"])
        if existing is not None:
            order.packages[order.packages.index(existing)] = package
        else:
            order.packages.append(package)
        order.status = "UNSHIPPED"
        order.recompute_status()
        order.last_updated = now
        if self._garbled > 0:
            self._garbled -= 1
            return Response(200, b'{"payload": {"status": "ACC')
        return Response(204)


def _request(body: bytes) -> dict[str, Any]:
    try:
        req = json.loads(body or b"null")
    except ValueError:
        raise invalid("Invalid Input", "The request body is not valid JSON.") from None
    if not isinstance(req, dict):
        raise invalid("Invalid Input", "The request body must be a JSON object.")
    for name in ("marketplaceId", "packageDetail"):
        if name not in req:
            raise invalid(f"Missing required field [{name}].")
    if not isinstance(req["packageDetail"], dict):
        raise invalid("invalid type [packageDetail].")
    return req


def _package_detail(detail: dict[str, Any]) -> tuple[str, str, datetime | None]:
    """The package reference, carrier code and ship date, as Amazon checks them."""
    for name in (
        "packageReferenceId",
        "carrierCode",
        "trackingNumber",
        "shipDate",
        "orderItems",
    ):
        if name not in detail or detail[name] in (None, ""):
            raise invalid(f"Missing required field [packageDetail.{name}].")
    ref = detail["packageReferenceId"]
    if not isinstance(ref, str):
        raise invalid("invalid type [packageDetail.packageReferenceId].")
    if not ref.isdigit() or int(ref) < 1:
        raise invalid("packageReferenceId must be a positive integer sent as a string.")
    for name in ("carrierCode", "trackingNumber", "shipDate"):
        if not isinstance(detail[name], str):
            raise invalid(f"invalid type [packageDetail.{name}].")
    carrier = detail["carrierCode"]
    if carrier not in CARRIER_CODES:
        raise invalid(
            f"The carrierCode {carrier} is not valid. Use a carrier code from Amazon's list, "
            "or Other together with carrierName."
        )
    if carrier == "Other" and not detail.get("carrierName"):
        raise invalid("carrierName is required when carrierCode is Other.")
    ship_date = detail["shipDate"]
    try:
        if "T" not in ship_date:
            raise ValueError
        shipped_at = from_iso(ship_date)
    except ValueError:
        raise invalid("invalid date-time [packageDetail.shipDate].") from None
    return ref, carrier, shipped_at


def _check_order(order: SimOrder, marketplace_id: object) -> None:
    """Refuse orders Amazon does not take a shipment confirmation for.

    Ship+ (FBM_SHIP_PLUS) orders go out with Amazon's own shipping: Amazon answers 400 to
    tracking from another carrier, so glstui holds them and the sandbox refuses them alike."""
    if marketplace_id != order.marketplace_id:
        raise invalid("The marketplaceId does not match the order's marketplace.")
    if order.fulfilled_by != "MERCHANT":
        raise invalid("The order is fulfilled by Amazon and cannot be confirmed.")
    if order.status == "CANCELLED":
        raise invalid("The order has been cancelled and cannot be shipped.")
    if order.status in ("PENDING", "PENDING_AVAILABILITY"):
        raise invalid("The order is pending and cannot be shipped yet.")
    if SHIP_PLUS in order.programs:
        raise invalid(
            "The order is a Ship+ order (FBM_SHIP_PLUS): its shipment cannot be confirmed "
            "with tracking from another carrier."
        )


def _package_item(
    order: SimOrder, it: object, ref: str, existing: dict[str, Any] | None
) -> dict[str, Any]:
    """One item of the package, checked against the quantity of it not yet shipped."""
    if not isinstance(it, dict) or "orderItemId" not in it or "quantity" not in it:
        raise invalid("Missing required field [orderItems.orderItemId / quantity].")
    known = {i.order_item_id: i for i in order.items}
    oid, qty = it["orderItemId"], it["quantity"]
    if not isinstance(oid, str) or oid not in known:
        raise invalid(
            "OrderItemId is invalid, please obtain the value through the getOrderItems "
            f"API. [{oid}]"
        )
    if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
        raise invalid(f"invalid quantity for orderItemId {oid}.")
    left = known[oid].quantity - order.shipped_quantity(oid, except_ref=ref)
    if qty > left:
        if existing is None and left == 0 and order.status == "SHIPPED":
            raise invalid("PackageToUpdateNotFound: the order is already fulfilled.")
        raise invalid(
            f"The quantity {qty} for orderItemId {oid} is more than the {left} not yet shipped."
        )
    return {"orderItemId": oid, "quantity": qty}
