"""The GLS Label/Create request of an order: its address and parcels (domain) in GLS's types."""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import datetime

from glstui.domain.address import normalise_postcode
from glstui.domain.errors import N_, ValidationError
from glstui.domain.label_request import (
    LabelRefused,
    decision_float,
    delivery_address,
    label_format_of,
    parcel_count,
)
from glstui.domain.order import Order
from glstui.domain.settings import Settings
from glstui.gls.client import WEIGHT_MAX_KG, WEIGHT_MIN_KG, GlsAddress, LabelRequest


def sender_address(settings: Settings) -> GlsAddress | None:
    """The pickup address from the settings; None when not set (GLS uses the account's)."""
    s = settings.sender
    if not (s.name or s.street or s.zip_code or s.city):
        return None
    zip_code = s.zip_code
    with contextlib.suppress(ValidationError):
        zip_code = normalise_postcode(s.zip_code, s.country_code)
    return GlsAddress(
        name1=s.name,
        street=s.street,
        house_no=s.house_no,
        house_no_ext=s.house_no_ext,
        zip_code=zip_code,
        city=s.city,
        country_code=s.country_code,
        phone=s.phone,
        email=s.email,
    )


def build_request(order: Order, settings: Settings, today: datetime) -> LabelRequest:
    """The Label/Create request for `order`; raises LabelHold (operator must fix) or
    LabelRefused (glstui.domain.label_request decides the address).

    The buyer's e-mail (Amazon's relay address, from the BUYER data) goes to GLS only when
    the settings ask for GLS's delivery notifications (off by default); GLS then e-mails the
    buyer. Without the setting GLS gets no e-mail address of the buyer at all."""
    delivery = delivery_address(order)
    notify = settings.gls_buyer_notifications and bool(delivery.email)
    if not notify:
        delivery = dataclasses.replace(delivery, email="")
    weight = decision_float(order.decision.get("weight_kg"), settings.default_weight_kg)
    if not (WEIGHT_MIN_KG <= weight <= WEIGHT_MAX_KG):
        raise LabelRefused(
            N_("The parcel weight {kg} kg is outside what GLS takes ({lo}-{hi} kg)."),
            kg=weight,
            lo=WEIGHT_MIN_KG,
            hi=WEIGHT_MAX_KG,
        )
    parcels = parcel_count(order)
    return LabelRequest(
        reference=order.order_id,
        delivery=GlsAddress(**dataclasses.asdict(delivery)),
        units=[(f"{order.order_id}-{n}", round(weight, 2)) for n in range(1, parcels + 1)],
        label_type=label_format_of(order, settings),
        pickup=sender_address(settings),
        shipping_date=today.date(),
        services=dict(order.decision.get("services") or {}),
        notify_recipient=notify,
    )
