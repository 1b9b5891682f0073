"""What became of each confirmation a delivery run tried: how an Amazon error is classified
and worded, the check right before sending, the store write of a batch of results, and the
operator's log line for each one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from glstui.amazon.errors import AmazonApiError, AmazonError, GrantRevoked
from glstui.domain.integration import NEEDS_REAUTH
from glstui.domain.shipment import (
    FAILED,
    PENDING,
    SENT,
    UNCHECKED,
    OutboxEntry,
    outbox_entry_id,
)
from glstui.i18n import N_, _
from glstui.services import audit
from glstui.services.events import ERROR, INFO, WARNING
from glstui.services.outbox.queue import (
    DeliveryResult,
    backoff_seconds,
    is_due,
    mark_shipped_if_done,
)

# Amazon statuses after which resending the same payload later may succeed.
RETRYABLE_STATUSES = frozenset({401, 403, 408, 409, 425, 429})


@dataclass
class Outcome:
    entry_id: str
    kind: str  # "sent" | "retry" | "unclear" | "failed" | "revoked" | "dropped" | "held"
    error: str = ""


# What each kind of outcome counts as in DeliveryResult, and the operator's line about it.
# A "sent" whose entry was deleted meanwhile (its label deleted) is an "orphan".
OUTCOME_LINES: dict[str, tuple[str, str, str]] = {
    "orphan": (
        "sent",
        N_(
            "Order {order} parcel {parcel}: the tracking code reached Amazon while its label was being deleted; correct the order in Seller Central."  # noqa: E501
        ),
        ERROR,
    ),
    "sent": ("sent", N_("Order {order} parcel {parcel}: tracking code sent to Amazon."), INFO),
    "unclear": (
        "retry_later",
        N_(
            "Order {order} parcel {parcel}: {error}, so it may or may not have arrived; it stays waiting and is sent again (that only updates the same parcel)."  # noqa: E501
        ),
        WARNING,
    ),
    "dropped": (
        "dropped",
        N_(
            "Order {order} parcel {parcel}: its label was deleted meanwhile; its tracking code is not sent."  # noqa: E501
        ),
        WARNING,
    ),
    "held": (
        "blocked",
        N_(
            "Order {order} parcel {parcel}: not sent now; it changed meanwhile (a label delete holds it back, or another glstui sent it)."  # noqa: E501
        ),
        INFO,
    ),
    "retry": (
        "retry_later",
        N_("Order {order} parcel {parcel}: not sent ({error}); will retry."),
        WARNING,
    ),
    "failed": ("failed", N_("Order {order} parcel {parcel}: Amazon refused it: {error}"), ERROR),
}


def count_outcome(result: DeliveryResult, kind: str) -> tuple[str, str] | None:
    """Count one outcome in `result`; returns its line template (translated) and level, or
    None for an outcome that gets no line of its own (revoked: one line per shop follows)."""
    counter, template, level = OUTCOME_LINES.get(kind, ("blocked", "", ""))
    setattr(result, counter, getattr(result, counter) + 1)
    return (_(template), level) if template else None


def amazon_message(exc: BaseException) -> str:
    if isinstance(exc, AmazonApiError) and 200 <= (exc.status or 0) < 300:
        text = _("Amazon answered {status} with a reply glstui could not read")
        return text.format(status=exc.status)
    if isinstance(exc, AmazonApiError):
        text = exc.message or getattr(exc, "user_message", "") or str(exc)
        code = f"{exc.code}: " if exc.code else ""
        return f"{exc.status} {code}{text}".strip()
    if isinstance(exc, AmazonError):
        return exc.user_message
    if isinstance(exc, httpx.TimeoutException):
        return _("Amazon did not answer in time")
    if isinstance(exc, httpx.HTTPError):
        return _("Network error: {error}").format(error=type(exc).__name__)
    return getattr(exc, "user_message", "") or type(exc).__name__


def classify(exc: BaseException) -> str:
    if isinstance(exc, GrantRevoked):
        return "revoked"
    if isinstance(exc, AmazonApiError):
        status = exc.status or 0
        if 200 <= status < 300:  # not a refusal: Amazon may have it, sending again is an edit
            return "unclear"
        if status >= 500 or status in RETRYABLE_STATUSES:
            return "retry"
        return "failed"
    return "retry"


class Withdrawn(Exception):
    """Raised right before sending: the entry is no longer what the run planned to send."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "dropped" (label deleted) | "held" (not ours to send now)


def recheck(store: Any, entry_id: str, now: datetime) -> None:
    """Under the store lock: raise Withdrawn unless the entry is still pending, due and of a
    label that is not deleted. An entry of a deleted label is removed (never to be sent).

    A delete in progress holds its entries back (next_attempt_at a day ahead), so it is seen
    here as "not due"; another process that sent or rescheduled the entry, likewise. An
    entry whose label record is missing is kept but not sent: nothing proves the label.
    """
    with store.write() as tx:
        entry = tx.outbox.get(entry_id)
        if entry is None:
            raise Withdrawn("dropped")
        shipment = tx.shipments.get(entry.shipment_id)
        if not is_due(entry, now) or shipment is None:
            raise Withdrawn("held")
        if (
            shipment.deleted_at is not None
            or entry.package_reference_id not in shipment.package_reference_ids
        ):
            tx.outbox.delete(entry.id)
            raise Withdrawn("dropped")


def siblings(tx: Any, entry: OutboxEntry) -> list[OutboxEntry]:
    """Every confirmation of the entry's order (via its shipment: no table scan)."""
    shipment = tx.shipments.get(entry.shipment_id)
    if shipment is None:
        return [
            e
            for e in tx.outbox.by_integration(entry.integration_id)
            if e.order_key == entry.order_key
        ]
    found = (
        tx.outbox.get(outbox_entry_id(shipment.id, ref)) for ref in shipment.package_reference_ids
    )
    return [e for e in found if e is not None]


def apply_outcomes(tx: Any, outcomes: list[Outcome], now: datetime) -> tuple[list[str], list[str]]:
    """Store a batch of results; returns the orders that became shipped, and the entries
    that reached Amazon although their label was deleted while the request was on its way."""
    touched: dict[str, OutboxEntry] = {}
    orphans: list[str] = []
    user = audit.current_user()
    for outcome in outcomes:
        entry = tx.outbox.get(outcome.entry_id)
        if entry is None:
            if outcome.kind == "sent":
                orphans.append(outcome.entry_id)
            continue  # the label was deleted meanwhile
        if outcome.kind == "sent":
            entry.state = SENT
            entry.sent_at = now
            entry.attempts += 1
            entry.last_error = ""
            entry.held_reason = ""
            entry.next_attempt_at = None
            entry.verify_state, entry.verify_next_at = UNCHECKED, None  # read back next
            touched[entry.order_key] = entry
            tracking = (entry.payload.get("packageDetail") or {}).get("trackingNumber", "")
            audit.record(
                tx,
                audit.CONFIRMATION_SENT,
                f"order {entry.order_id} parcel {entry.package_reference_id}: {tracking}",
                target=entry.order_key,
                user=user,
            )
        elif outcome.kind == "failed":
            entry.state = FAILED
            entry.attempts += 1
            entry.last_error = outcome.error
            entry.next_attempt_at = None
        elif outcome.kind in ("retry", "unclear"):
            entry.attempts += 1
            entry.last_error = outcome.error
            entry.next_attempt_at = now + timedelta(seconds=backoff_seconds(entry.attempts))
        else:  # revoked, dropped, held: nothing was sent, the entry is as it was (or gone)
            continue
        tx.outbox.put(entry)
    shipped: list[str] = []
    for key, entry in touched.items():
        if mark_shipped_if_done(tx, key, siblings(tx, entry), now):
            shipped.append(key)
    return shipped, orphans


def write_batch(store: Any, batch: list[Outcome], now: datetime) -> tuple[list[str], list[str]]:
    with store.write() as tx:
        return apply_outcomes(tx, batch, now)


def mark_reauth(store: Any, integration_ids: set[str]) -> None:
    with store.write() as tx:
        for integration_id in integration_ids:
            integration = tx.integrations.get(integration_id)
            if integration is not None and integration.status != NEEDS_REAUTH:
                integration.status = NEEDS_REAUTH
                tx.integrations.put(integration)


def count_left(store: Any, result: DeliveryResult) -> None:
    with store.read() as view:
        entries = view.outbox.all()
    result.pending_left = sum(1 for e in entries if e.state == PENDING)
    result.failed_left = sum(1 for e in entries if e.state == FAILED)
