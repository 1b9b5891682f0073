"""GLS Label/Create requests: their types, GLS's field rules (checked before sending) and
the JSON body, apart from the HTTP client (client.py) that sends them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from glstui.domain.errors import N_, Msg
from glstui.domain.gls_limits import (
    ADDRESS_LIMITS,
    ADDRESS_REQUIRED,
    EXPRESS,
    LABEL_TYPES,
    REFERENCE_MAX,
    UNIT_ID_MAX,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
)

SHIPPING_SYSTEM = "glstui"

BOOL_SERVICES = (
    "addresseeOnlyService",
    "saturdayService",
    "economyParcel",
    "letterBoxParcel",
    "shopDeliveryService",
    "shopDeliveryPlusService",
    "shopReturnService",
    "ageCheckService",
)
STR_SERVICES = ("expressService", "shopDeliveryParcelShopId", "expressConfirmSMS")


@dataclass
class GlsAddress:
    """One address as GLS takes it (deliveryAddress or pickupAddress)."""

    name1: str
    street: str
    zip_code: str
    city: str
    country_code: str
    name2: str = ""
    name3: str = ""
    house_no: str = ""
    house_no_ext: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    addressee_type: str = ""  # delivery only: "b" business, "p" private

    def to_api(self, delivery: bool) -> dict[str, str]:
        body = {
            "name1": self.name1,
            "name2": self.name2,
            "name3": self.name3,
            "street": self.street,
            "houseNo": self.house_no,
            "houseNoExt": self.house_no_ext,
            "zipCode": self.zip_code,
            "city": self.city,
            "countryCode": (self.country_code or "").upper(),
            "contact": self.contact,
            "phone": self.phone,
            "email": self.email,
        }
        if delivery:
            body["addresseeType"] = self.addressee_type
        return {k: v for k, v in body.items() if v}


@dataclass
class LabelRequest:
    """Everything Label/Create needs for one shipment (one or more parcels)."""

    reference: str  # the Amazon order id (GLS: at most 20 characters)
    delivery: GlsAddress
    units: list[tuple[str, float]]  # (unit id, weight in kg) per parcel
    label_type: str = "pdf"
    pickup: GlsAddress | None = None  # the sender; GLS uses the account's address if None
    shipping_date: date | None = None
    services: dict[str, Any] = field(default_factory=dict)
    tracking_link_type: str = "u"
    # GLS e-mails the recipient (delivery.email) about the delivery (notificationEmail)
    notify_recipient: bool = False


TEST_ONLY_SERVICES = ("ageCheckService",)  # in GLS's test spec, not (yet) in production's


def environment_errors(req: LabelRequest, environment: str) -> dict[str, list[str | Msg]]:
    """Services GLS's production spec does not list, refused before a live Label/Create."""
    if environment != "live":
        return {}
    return {
        f"services.{key}": [Msg(N_("is offered by GLS's test environment only, not by GLS live"))]
        for key in TEST_ONLY_SERVICES
        if req.services.get(key)
    }


def validate_request(req: LabelRequest, customer_no: str = "") -> dict[str, list[str | Msg]]:
    """GLS's field rules, checked before the call: field path -> problems (empty if fine)."""
    errors: dict[str, list[str | Msg]] = {}

    def add(path: str, template: str, **params: object) -> None:
        errors.setdefault(path, []).append(Msg(template, **params))

    if not req.reference:
        add("reference", N_("is required (the order id)"))
    elif len(req.reference) > REFERENCE_MAX:
        add(
            "reference",
            N_("at most {max} characters (now {now})"),
            max=REFERENCE_MAX,
            now=len(req.reference),
        )
    if req.label_type not in LABEL_TYPES:
        add("labelType", N_("must be one of {choices}"), choices=", ".join(LABEL_TYPES))
    if req.tracking_link_type not in ("u", "s"):
        add("trackingLinkType", N_("must be u or s"))
    if customer_no and not (7 <= len(customer_no) <= 8):
        add("customerNo", N_("must be 7 or 8 characters"))
    if not req.units:
        add("units", N_("at least one parcel is needed"))
    seen: set[str] = set()
    for i, (unit_id, weight) in enumerate(req.units):
        if not unit_id or len(str(unit_id)) > UNIT_ID_MAX:
            add(f"units[{i}].unitId", N_("is required, at most {max} characters"), max=UNIT_ID_MAX)
        elif unit_id in seen:
            add(f"units[{i}].unitId", N_("is used twice in this shipment"))
        seen.add(unit_id)
        try:
            kg = float(weight)
        except (TypeError, ValueError):
            kg = float("nan")
        if not (WEIGHT_MIN_KG <= kg <= WEIGHT_MAX_KG):
            add(
                f"units[{i}].weight",
                N_("must be between {low} and {high} kg (now {now})"),
                low=WEIGHT_MIN_KG,
                high=WEIGHT_MAX_KG,
                now=weight,
            )
    _check_address(req.delivery, "addresses.deliveryAddress", True, add)
    if req.pickup is not None:
        _check_address(req.pickup, "addresses.pickupAddress", False, add)
    for key, value in req.services.items():
        path = f"services.{key}"
        if key in BOOL_SERVICES:
            if not isinstance(value, bool):
                add(path, N_("must be true or false"))
        elif key == "expressService":
            if value not in EXPRESS:
                add(path, N_("must be one of {choices}"), choices=", ".join(EXPRESS))
        elif key in STR_SERVICES:
            if not isinstance(value, str):
                add(path, N_("must be text"))
        else:
            add(path, N_("is not a GLS service"))
    return errors


def _check_address(addr: GlsAddress, prefix: str, delivery: bool, add) -> None:
    body = addr.to_api(delivery)
    for name in ADDRESS_REQUIRED:
        if not body.get(name):
            add(f"{prefix}.{name}", N_("is required"))
    for name, limit in ADDRESS_LIMITS.items():
        value = body.get(name, "")
        if len(value) > limit:
            add(
                f"{prefix}.{name}",
                N_("at most {max} characters (now {now})"),
                max=limit,
                now=len(value),
            )
    cc = body.get("countryCode", "")
    if cc and not (len(cc) == 2 and cc.isascii() and cc.isalpha()):
        add(f"{prefix}.countryCode", N_("must be a two-letter country code such as NL"))
    if delivery and addr.addressee_type not in ("", "b", "p"):
        add(f"{prefix}.addresseeType", N_("must be b (business) or p (private)"))


def label_body(req: LabelRequest, customer_no: str = "") -> dict[str, Any]:
    """The Label/Create JSON body without the credentials."""
    body: dict[str, Any] = {
        "shippingSystemName": SHIPPING_SYSTEM,
        "shiptype": "p",
        "reference": req.reference,
        "trackingLinkType": req.tracking_link_type,
        "labelType": req.label_type,
        "units": [
            {"unitId": str(unit_id), "weight": round(float(kg), 2)} for unit_id, kg in req.units
        ],
        "addresses": {"deliveryAddress": req.delivery.to_api(True)},
    }
    if customer_no:
        body["customerNo"] = customer_no
    if req.pickup is not None:
        body["addresses"]["pickupAddress"] = req.pickup.to_api(False)
    if req.shipping_date is not None:
        day = req.shipping_date.date() if isinstance(req.shipping_date, datetime) else None
        body["shippingDate"] = (day or req.shipping_date).isoformat()
    services = {k: v for k, v in req.services.items() if v is not None}
    if services:
        body["services"] = services
    if req.notify_recipient and req.delivery.email:
        body["notificationEmail"] = notification_email(req.pickup)
    return body


NOTIFY_SENDER_MAX = 30  # notificationEmail.senderName (GLS's spec)


def notification_email(sender: GlsAddress | None) -> dict[str, Any]:
    """GLS's notificationEmail: send the recipient GLS's delivery e-mails, signed with the
    sender's name and reply address when the settings have them."""
    note: dict[str, Any] = {"sendMail": True}
    if sender is not None and sender.name1:
        note["senderName"] = sender.name1[:NOTIFY_SENDER_MAX]
    if sender is not None and sender.email:
        note["senderReplyAddress"] = sender.email
    return note
