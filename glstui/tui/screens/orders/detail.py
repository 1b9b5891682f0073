"""The Orders detail pane's text: label, tracking, items, address, decision and hold reason.

Shown on screen, never logged (it holds the buyer's address). Hold reasons are stored in the
language of the operator who imported the order and shown in the language of the one reading.
"""

from __future__ import annotations

import re
import string
from typing import Any

from rich.text import Text

from glstui.domain.order import CANCELLED, LABELLED, SHIPPED, Order
from glstui.domain.rules import HELD_BY_RULE, TOO_HEAVY
from glstui.domain.shipment import MISSING
from glstui.i18n import N_, _, catalog
from glstui.services.orders_query import (
    CONFIRMATION_BY_HAND,
    CONFIRMATION_REFUSED,
    CONFIRMATION_SENT,
    LabelInfo,
    confirmation_state,
)
from glstui.services.outbox import verify_text
from glstui.tui.screens.orders.cells import LOUD, WARN, state_text, when

#: Hold reasons our code stores, in the language of the operator at the time. Shown in the
#: language of the operator now (a Dutch colleague may have imported the order).
KNOWN_REASONS = (
    N_("Cancelled on Amazon: do not ship."),
    N_("Cancelled on Amazon after labelling: delete the GLS label."),
    N_("Cancelled on Amazon after shipping: check with GLS."),
    N_("The recipient has no name: add the name or the company."),
    N_(
        "The recipient name is longer than {max} characters, which the label cannot print: "
        "shorten it."
    ),
    HELD_BY_RULE,
    TOO_HEAVY,
)
#: Amazon's order statuses in the words Seller Central uses (others are shown as Amazon sent
#: them).
AMAZON_STATUSES = {
    "PENDING": N_("pending"),
    "UNSHIPPED": N_("unshipped"),
    "PARTIALLY_SHIPPED": N_("partially shipped"),
    "SHIPPED": N_("shipped"),
    "CANCELED": N_("cancelled"),
    "CANCELLED": N_("cancelled"),
    "UNFULFILLABLE": N_("unfulfillable"),
}
SERVICE_NAMES = {
    "saturdayService": N_("Saturday"),
    "shopDeliveryService": N_("ParcelShop"),
    "addresseeOnlyService": N_("addressee only"),
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts))


def reason_text(stored: str) -> str:
    """A stored hold reason in the operator's language, when it is one our code makes."""
    text = stored.strip()
    dutch = catalog("nl")
    for template in KNOWN_REASONS:
        for version in (template, dutch.get(template, "")):
            if not version:
                continue
            found = _pattern(version).fullmatch(text)
            if found:
                return _(template).format(**found.groupdict())
    return stored


def _kg(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def decision_text(decision: dict[str, Any]) -> Text:
    """What labelling will do, in words: rule, product, services, parcels and weight; SKUs
    without a weight as a warning (their weight is a guess)."""
    text = Text(no_wrap=False)
    rule = decision.get("rule_name") or ""
    parts = [
        _("rule '{rule}'").format(rule=rule) if rule else _("no rule matched (default)"),
    ]
    if decision.get("skip"):
        parts.append(_("not imported (skip)"))
    if decision.get("product"):
        parts.append(str(decision["product"]))
    services = decision.get("services") or {}
    words = []
    for key, value in services.items():
        if key == "expressService":
            words.append(_("express {time}").format(time=value))
        elif key == "shopDeliveryParcelShopId":
            words.append(_("ParcelShop id") + f" {value}")
        elif key in SERVICE_NAMES:
            words.append(_(SERVICE_NAMES[key]))
    if words:
        parts.append(" + ".join(words))
    parcels = int(decision.get("parcels") or 1)
    per = _kg(decision.get("weight_kg", ""))
    total = _kg(decision.get("total_weight_kg", ""))
    if parcels == 1:
        parts.append(_("1 parcel, {kg} kg").format(kg=per))
    else:
        parts.append(
            _("{n} parcels of {kg} kg ({total} kg in all)").format(n=parcels, kg=per, total=total)
        )
    text.append(_("Decision: ") + ", ".join(parts) + "\n", style="dim")
    unknown = decision.get("unknown_skus") or []
    if unknown:
        text.append(
            _(
                "No weight known for {skus}: the default weight was used (add it under SKU "
                "weights)."
            ).format(skus=", ".join(unknown))
            + "\n",
            style="yellow",
        )
    return text


def label_text(info: LabelInfo, order_id: str, cancelled: bool = False) -> Text:
    """Parcels, label files, tracking links and each confirmation of one order."""
    text = Text(no_wrap=False)
    if info.pending_since is not None and info.shipment is None:
        text.append(
            _(
                "A label with reference {order} may already exist at GLS (asked {since}, no "
                "answer). Check the GLS portal; F creates it anyway."
            ).format(order=order_id, since=when(info.pending_since))
            + "\n",
            style=WARN,
        )
    shipment = info.shipment
    if shipment is not None:
        text.append(_("Label: "), style="bold")
        text.append(
            _("parcel {parcels}, {made}").format(
                parcels=", ".join(shipment.parcel_numbers), made=when(shipment.created_at)
            )
            + "\n"
        )
        for path in info.files:
            text.append(f"  {path}\n", style="dim")
        for link in shipment.tracking_links:
            text.append(f"  {link}\n", style="dim")
    summary = info.tracking
    if summary is not None and summary.total:
        for entry in summary.entries:
            text.append(_("Amazon parcel {ref}: ").format(ref=entry.package_reference_id))
            state = confirmation_state(entry)
            if state == CONFIRMATION_SENT:
                text.append(_("sent {at}").format(at=when(entry.sent_at)), style="dim")
                checked = verify_text(entry)  # what Amazon's read-back says
                missing = entry.verify_state == MISSING
                text.append(f" · {checked}", style="bold red" if missing else "dim")
            elif state == CONFIRMATION_BY_HAND:
                text.append(_("marked done by hand"), style="dim")
            elif state == CONFIRMATION_REFUSED:
                text.append(_("REFUSED: {error}").format(error=entry.last_error), style="bold red")
                hint = (
                    _("Amazon says the order is cancelled: do not ship it; D deletes the label")
                    if cancelled
                    else _("r sends it again, m marks it done by hand")
                )
                text.append("\n  " + hint, style="dim")
            else:
                text.append(_("waiting to be sent"), style="bold")
                if entry.last_error:
                    error = entry.last_error.strip()
                    if not error.endswith((".", "!", "?")):
                        error += "."
                    text.append(
                        "  "
                        + _("Last try: {error} Next try {at}.").format(
                            error=error, at=when(entry.next_attempt_at)
                        ),
                        style="dim",
                    )
            text.append("\n")
    elif shipment is not None:
        text.append(
            _("Tracking update is off for this shop: Amazon is not told.") + "\n", style="dim"
        )
    return text


def detail_text(
    order: Order, shop: str, info: LabelInfo | None = None, cancelled: bool = False
) -> Text:
    """Label, tracking, items, address, decision and hold reason of one order (shown, never
    logged); `cancelled`: Amazon refused its tracking code because the order is cancelled."""
    text = Text(no_wrap=False)
    text.append(f"{order.order_id}", style="bold")
    text.append(f"  {shop}  ")
    text.append_text(state_text(order))
    stale = order.state in (LABELLED, SHIPPED) and order.amazon_status in (
        "UNSHIPPED",
        "PARTIALLY_SHIPPED",
    )  # Amazon's status at the import: we labelled (and told Amazon) since then
    if order.amazon_status and not stale:
        status = AMAZON_STATUSES.get(order.amazon_status)
        text.append(f"  Amazon: {_(status) if status else order.amazon_status}", style="dim")
    text.append("\n")
    if order.original_order_id:
        template = (
            _("Exchange for order {original}: label and ship it as usual.")
            if order.association == "EXCHANGE_ORIGINAL_ID"
            else _("Replacement for order {original}: label and ship it as usual.")
        )
        text.append(template.format(original=order.original_order_id) + "\n", style="bold")
    if order.hold_reason:
        loud = order.state == CANCELLED or order.amazon_status == "CANCELLED"
        text.append(f"{reason_text(order.hold_reason)}\n", style=LOUD if loud else "bold")
    if info is not None:
        text.append_text(label_text(info, order.order_id, cancelled))
    text.append(
        _("Ordered {created}  ship by {ship_by}").format(
            created=when(order.created_at) or "?", ship_by=when(order.ship_by) or "?"
        )
    )
    flags = [f for f, on_ in (("Prime", order.is_prime), (_("Business"), order.is_business)) if on_]
    if order.service_level:
        flags.insert(0, order.service_level)
    if flags:
        text.append("  " + ", ".join(flags), style="dim")
    text.append("\n")
    recipient = order.recipient
    if recipient is not None:
        who = ", ".join(p for p in (recipient.name, recipient.company) if p)
        place = " ".join(p for p in (recipient.postal_code, recipient.city) if p)
        parts = [who, *recipient.address_lines, place, recipient.country_code]
        text.append(_("Ship to: ") + " · ".join(p for p in parts if p) + "\n")
    elif order.pii_purged_at:
        text.append(_("Address removed (kept 30 days after shipping).") + "\n", style="dim")
    for item in order.items:
        text.append(f"{item.quantity} × {item.sku}  {item.title}\n")
    decision = order.decision or {}
    if decision:
        text.append_text(decision_text(decision))
    return text
