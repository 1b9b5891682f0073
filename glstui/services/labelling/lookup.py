"""A label request whose answer was lost: ask GLS before labelling again, adopt what it made.

An order keeps its "label pending" intent when GLS's answer to Label/Create never came (a
timeout, a crash while GLS was working). Creating the label again then made a second GLS
label whenever the first one did exist (11 of 23 such orders in a test). So before such an
order is labelled again, glstui searches GLS for parcels with the order's reference (the
Amazon order id, sent with every request) that are not already recorded for the order:
- found: that label is adopted: the shipment is recorded with GLS's parcel numbers and
  tracking links and the tracking confirmation is queued as usual; no second label. GLS's
  answer held the label file, so glstui has none: the operator prints it from the GLS portal,
  or deletes it in glstui and creates a new one;
- none found: the order stays "may exist" unless the operator creates it anyway (GLS may not
  list a parcel the moment it is made), and the warning says GLS was checked;
- the search failed: as before, the warning stays and says why.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from glstui.domain.clock import to_iso
from glstui.domain.order import Order
from glstui.domain.settings import Settings
from glstui.gls.errors import GlsError
from glstui.gls.tracking import FoundParcel, GlsTracking
from glstui.i18n import _

ADOPTED = "adopted"
NONE_FOUND = "none"
CANNOT_TELL = "cannot_tell"
SEARCH_MARGIN = timedelta(days=1)  # parcels made this long before the intent still count


class LabelLookup(Protocol):
    async def find_by_reference(
        self, reference: str, since: datetime | None = None
    ) -> list[FoundParcel]: ...


class TrackingSource(Protocol):
    def gls_tracking(self, http: httpx.AsyncClient) -> GlsTracking | None: ...


@dataclass
class Verdict:
    kind: str
    message: str = ""
    parcels: list[FoundParcel] | None = None


async def check(lookup: LabelLookup, order: Order, known_parcels: set[str]) -> Verdict:
    """What GLS has for `order` (whose intent is set) beyond the parcels already recorded."""
    since = order.label_pending_at - SEARCH_MARGIN if order.label_pending_at else None
    try:
        found = await lookup.find_by_reference(order.order_id, since)
    except GlsError as exc:
        text = _("Order {order}: GLS could not be asked whether the label exists: {error}")
        return Verdict(CANNOT_TELL, text.format(order=order.order_id, error=exc.user_message))
    fresh = [p for p in found if p.parcel_no not in known_parcels]
    if not fresh:
        text = _(
            "Order {order}: GLS lists no label with reference {order} yet (requested {since}); GLS may not show a new label at once. Create it anyway or clear the warning."  # noqa: E501
        ).format(order=order.order_id, since=to_iso(order.label_pending_at) or "")
        return Verdict(NONE_FOUND, text)
    return Verdict(ADOPTED, parcels=fresh)


def adopted_receipt(
    order: Order, parcels: list[FoundParcel], settings: Settings, now: datetime
) -> dict[str, Any]:
    """The record of a label GLS made but whose answer was lost (no label file)."""
    decision = order.decision
    return {
        "order_key": order.key,
        "order_id": order.order_id,
        "created_at": to_iso(order.label_pending_at or now),
        "transaction_id": "",
        "parcel_numbers": [p.parcel_no for p in parcels],
        "tracking_links": [p.tracking_link for p in parcels],
        "files": [],
        "label_format": str(decision.get("label_format") or settings.label_format or "pdf"),
        "product": str(decision.get("product") or "BusinessParcel"),
        "weight_kg": float(decision.get("weight_kg") or settings.default_weight_kg or 1.0),
        "services": dict(decision.get("services") or {}),
        # found by GLS Track & Trace of the environment the settings name (lookup_for)
        "gls_environment": settings.gls_environment,
    }


def adopted_text(order_id: str, parcels: list[str]) -> str:
    return _(
        "Order {order}: GLS already had a label for it (parcel {parcels}; its answer was lost). glstui recorded that label instead of making a second one. glstui has no file of it: print it from the GLS portal, or delete it here and create a new one."  # noqa: E501
    ).format(order=order_id, parcels=", ".join(parcels))


def lookup_for(ctx: TrackingSource, http: httpx.AsyncClient) -> LabelLookup | None:
    """The GLS label search of the context (None without GLS keys: the warning stays)."""
    return ctx.gls_tracking(http)


async def gather_verdicts(
    lookup: LabelLookup, orders: list[Order], known: dict[str, set[str]]
) -> dict[str, Verdict]:
    results = await asyncio.gather(*(check(lookup, o, known.get(o.key, set())) for o in orders))
    return {o.key: v for o, v in zip(orders, results, strict=True)}
