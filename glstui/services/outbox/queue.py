"""The outbox's queue: the confirmations owed to Amazon, what a delivery run did
(DeliveryResult), what the orders screen shows of them (TrackingSummary), and the operator's
retry / mark-done, each one small store write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from glstui.domain.clock import Clock
from glstui.domain.errors import GlstuiError
from glstui.domain.order import LABELLED, SHIPPED
from glstui.domain.shipment import (
    FAILED,
    MISSING,
    PENDING,
    SENT,
    SKIPPED,
    UNCHECKED,
    VERIFIED,
    OutboxEntry,
)
from glstui.i18n import N_, _
from glstui.services import audit
from glstui.services.outbox.verify import next_check

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0


def backoff_seconds(attempts: int) -> float:
    """Delay before attempt `attempts + 1`: 30 s, 60 s, 2 min, ... capped at one hour."""
    return min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** max(0, attempts - 1)))


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class DeliveryResult:
    due: int = 0  # entries that were due when the run started
    sent: int = 0
    retry_later: int = 0  # tried, still pending (429, 5xx, network)
    failed: int = 0  # Amazon refused (400): waits for the operator
    blocked: int = 0  # not tried: no keys, no refresh token, shop needs re-connecting
    dropped: int = 0  # not sent: the label was deleted while the run waited to send it
    pending_left: int = 0  # pending entries after the run (also those not due yet)
    failed_left: int = 0  # failed entries after the run
    held: int = 0  # not sent: GLS test labels for a live Amazon shop (outbox/guard.py)
    verified: int = 0  # read back: Amazon lists our package with our tracking number
    not_listed: int = 0  # read back: still not listed at Amazon after the grace time
    shipped_orders: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retry_later + self.failed

    @property
    def exit_code(self) -> int:
        """0 all sent, 1 some failed, pending or not listed at Amazon after a 204, 2 nothing
        could run (glstui push)."""
        if self.due and not self.attempted and not self.dropped and not self.held:
            return 2
        if self.pending_left or self.failed_left or self.not_listed:
            return 1
        return 0


@dataclass
class TrackingSummary:
    """What the orders screen shows about an order's confirmations."""

    total: int = 0
    sent: int = 0
    skipped: int = 0
    pending: int = 0
    failed: int = 0
    last_error: str = ""
    next_attempt_at: datetime | None = None
    entries: list[OutboxEntry] = field(default_factory=list)
    held_reason: str = ""  # a pending entry is held back (outbox/guard.py), and why
    verified: int = 0  # sent ones Amazon lists with our tracking number
    missing: int = 0  # sent ones Amazon still does not list (flag them)

    @property
    def text(self) -> str:
        """The Orders screen's tracking column: the worst news first."""
        if not self.total:
            return ""
        if self.failed:
            return _("refused by Amazon: {error}").format(error=self.last_error)
        if self.missing:
            return _("NOT listed at Amazon: check Seller Central or send again")
        if self.held_reason:
            return self.held_reason
        if self.pending:
            done = self.sent + self.skipped
            if not done:
                return _("waiting to be sent")  # the words of the details pane
            return _("waiting: {done}/{total} sent").format(done=done, total=self.total)
        if self.skipped and not self.sent:
            return _("marked done by hand")
        return _("sent to Amazon")

    @property
    def checked_text(self) -> str:
        """`text`, with what Amazon's read-back says once all is sent (outbox/verify.py):
        "verified at Amazon" when Amazon lists every sent parcel with our tracking number."""
        text = self.text
        if text != _("sent to Amazon"):
            return text
        if self.verified == self.sent:
            return _("verified at Amazon")
        return _("sent, not yet verified at Amazon")


# ---------------------------------------------------------------------------------------------
# Store helpers (each one small write)


def is_due(entry: OutboxEntry, now: datetime) -> bool:
    return entry.state == PENDING and (
        entry.next_attempt_at is None or entry.next_attempt_at <= now
    )


def mark_shipped_if_done(
    tx: Any, order_key: str, entries: Iterable[OutboxEntry], now: datetime
) -> bool:
    """Set the order shipped when every confirmation of it is sent or skipped."""
    entries = list(entries)
    if not entries or any(e.state not in (SENT, SKIPPED) for e in entries):
        return False
    order = tx.orders.get(order_key)
    if order is None or order.state != LABELLED:
        return False
    order.state = SHIPPED
    order.shipped_at = now
    tx.orders.put(order)
    return True


def _summarise(entries: Iterable[OutboxEntry]) -> TrackingSummary:
    summary = TrackingSummary()
    for entry in sorted(entries, key=lambda e: (_stamp(e.created_at), e.id)):
        summary.entries.append(entry)
        summary.total += 1
        if entry.state == SENT:
            summary.sent += 1
            summary.verified += entry.verify_state == VERIFIED
            summary.missing += entry.verify_state == MISSING
        elif entry.state == SKIPPED:
            summary.skipped += 1
        elif entry.state == FAILED:
            summary.failed += 1
            summary.last_error = entry.last_error
        else:
            summary.pending += 1
            summary.held_reason = summary.held_reason or entry.held_reason
            if entry.last_error and not summary.last_error:
                summary.last_error = entry.last_error
            if entry.next_attempt_at and (
                summary.next_attempt_at is None or entry.next_attempt_at < summary.next_attempt_at
            ):
                summary.next_attempt_at = entry.next_attempt_at
    return summary


def _stamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


def order_tracking(view: Any, order_key: str) -> TrackingSummary:
    """Confirmations of one order (from a `store.read()` view or a write tx)."""
    integration_id = order_key.split(":", 1)[0]
    return _summarise(
        e for e in view.outbox.by_integration(integration_id) if e.order_key == order_key
    )


def tracking_by_order(view: Any) -> dict[str, TrackingSummary]:
    """Every order's confirmation summary in one pass (for the orders table)."""
    grouped: dict[str, list[OutboxEntry]] = {}
    for entry in view.outbox.all():
        grouped.setdefault(entry.order_key, []).append(entry)
    return {key: _summarise(entries) for key, entries in grouped.items()}


def next_due(store: Any, clock: Clock) -> datetime | None:
    """When the earliest pending confirmation is due (None = nothing pending).

    The TUI uses this to schedule the next `deliver` while it runs.
    """
    now = clock.now()
    with store.read() as view:
        entries = view.outbox.all()
    times = [e.next_attempt_at or now for e in entries if e.state == PENDING and not e.held_reason]
    check = next_check(entries)
    if check is not None:
        times.append(check)
    return min(times) if times else None


class OutboxEntryNotFound(GlstuiError, LookupError):
    def __init__(self, entry_id: str) -> None:
        super().__init__(N_("This confirmation no longer exists."), id=entry_id)
        self.entry_id = entry_id


class OutboxStateError(GlstuiError, ValueError):
    """A confirmation cannot be changed in its state; the `N_` template says why."""


def retry(store: Any, entry_id: str, clock: Clock) -> OutboxEntry:
    """Send a failed (or waiting) confirmation again at the next delivery, as it is."""
    with store.write() as tx:
        entry = tx.outbox.get(entry_id)
        if entry is None:
            raise OutboxEntryNotFound(entry_id)
        if entry.state == SENT and entry.verify_state != MISSING:
            raise OutboxStateError(N_("This confirmation was already sent to Amazon."))
        if entry.state == PENDING:
            entry.next_attempt_at = clock.now()
        elif entry.state == SENT:  # Amazon does not list it: send it again (an edit at worst)
            entry.state, entry.verify_state = PENDING, UNCHECKED
            entry.next_attempt_at, entry.verify_checks = clock.now(), 0
        else:
            entry.state = PENDING
            entry.next_attempt_at = clock.now()
        tx.outbox.put(entry)
    return entry


def retry_order(store: Any, order_key: str, clock: Clock) -> int:
    """Queue the failed and waiting confirmations of an order now; returns how many."""
    count = 0
    with store.write() as tx:
        for entry in tx.outbox.all():
            if entry.order_key == order_key and entry.state in (PENDING, FAILED):
                entry.state = PENDING
                entry.next_attempt_at = clock.now()
                tx.outbox.put(entry)
                count += 1
    return count


def mark_done(store: Any, entry_id: str, clock: Clock) -> OutboxEntry:
    """The operator confirmed this parcel in Seller Central by hand: stop sending it."""
    with store.write() as tx:
        entry = tx.outbox.get(entry_id)
        if entry is None:
            raise OutboxEntryNotFound(entry_id)
        if entry.state == SENT:
            raise OutboxStateError(N_("This confirmation was already sent to Amazon."))
        entry.state = SKIPPED
        entry.next_attempt_at = None
        tx.outbox.put(entry)
        audit.record(
            tx,
            audit.CONFIRMATION_SKIPPED,
            f"order {entry.order_id} parcel {entry.package_reference_id}: marked done by hand",
            target=entry.order_key,
            clock=clock,
        )
        siblings = [e for e in tx.outbox.all() if e.order_key == entry.order_key]
        mark_shipped_if_done(tx, entry.order_key, siblings, clock.now())
    return entry
