"""Deliver the tracking confirmations owed to Amazon (the outbox), never losing or doubling one.

How "never lost, never sent twice" holds:
- An outbox entry (one per parcel) is written in the SAME store write as the shipment, so a
  label that is stored always has its confirmation queued (services/labelling.py).
- The payload, including its `packageReferenceId` (a string, stable per parcel), is fixed when
  the entry is written. Sending the same payload again only *edits* that package at Amazon
  (confirmShipment semantics: same order + same packageReferenceId = update), it never adds a
  second package. So delivery is at-least-once and that is safe: if the process dies after
  Amazon answered 204 but before the result was stored, the next run sends the identical
  payload once more and Amazon still has one package.
- Results are stored as they arrive, in small writes of their own: a committer task writes
  what arrived since its last write, at most every COMMIT_INTERVAL_S (0.5 s real). At
  Amazon's real 2/s that is about one result per write; a crash loses at most the results of
  the last half second, which the next run re-sends as edits of the same packages (see
  above). (Writing every single result at once would cost ~60 ms per write with 1,000 orders
  stored, which only matters under the sandbox's compressed time; the bench measures it.)
- 429, 5xx, 401/403 and network errors: attempts + 1 and `next_attempt_at` moves out with
  exponential backoff; the entry stays pending. 400/404 (Amazon says the confirmation itself is
  wrong): the entry becomes failed with Amazon's message and waits for the operator, who can
  `retry` it or `mark_done` it (shipped by hand). A revoked grant leaves the entries pending and
  marks the shop needs_reauth.
- Entries queued while a shop's "update tracking" switch was on are delivered even if the
  switch is turned off later: the decision is taken when the label is made.
- A 2xx other than 204 (an answer glstui cannot read) is no refusal: Amazon may have the
  package. The entry stays pending and is sent again later, which at worst edits that package.
- The request pace is each seller's own confirmShipment bucket (2/s, burst 10). The outbox
  takes turns between sellers: every seller gets a lane of its own workers, so one shop with
  500 labels never keeps another shop's confirmations waiting behind its bucket.
- Right before a request goes out (after the bucket wait, which can take minutes) the entry
  is read again under the store lock: an entry whose label was deleted meanwhile (by another
  process or screen) is dropped, one that a delete in progress holds back, or another process
  sent, is left alone. Amazon is never told a tracking number whose label is gone.

`deliver` runs right after labelling, on every start and from `glstui push` (`run_push`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from glstui.amazon.client import seller_key
from glstui.amazon.errors import AmazonApiError, AmazonError, GrantRevoked
from glstui.domain.clock import Clock
from glstui.domain.errors import GlstuiError
from glstui.domain.integration import NEEDS_REAUTH, Integration
from glstui.domain.order import LABELLED, SHIPPED
from glstui.domain.shipment import FAILED, PENDING, SENT, SKIPPED, OutboxEntry
from glstui.i18n import N_, _
from glstui.services import audit
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Progress, Reporter, ignore

log = logging.getLogger("glstui.outbox")

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0
WORKERS = 10  # requests in flight per seller at most (= its bucket's burst, which sets the pace)
COMMIT_INTERVAL_S = 0.5  # real seconds between result writes, at most (see module doc)
PROGRESS_SCOPE = "outbox"

# Amazon statuses after which resending the same payload later may succeed.
_RETRYABLE_STATUSES = frozenset({401, 403, 408, 409, 425, 429})


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
    shipped_orders: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retry_later + self.failed

    @property
    def exit_code(self) -> int:
        """0 all sent, 1 some failed or pending, 2 nothing could run (glstui push)."""
        if self.due and not self.attempted and not self.dropped:
            return 2
        if self.pending_left or self.failed_left:
            return 1
        return 0


@dataclass
class _Outcome:
    entry_id: str
    kind: str  # "sent" | "retry" | "unclear" | "failed" | "revoked" | "dropped" | "held"
    error: str = ""


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

    @property
    def text(self) -> str:
        if not self.total:
            return ""
        if self.failed:
            return _("refused by Amazon: {error}").format(error=self.last_error)
        if self.pending:
            done = self.sent + self.skipped
            if not done:
                return _("waiting to be sent")  # the words of the details pane
            return _("waiting: {done}/{total} sent").format(done=done, total=self.total)
        if self.skipped and not self.sent:
            return _("marked done by hand")
        return _("sent to Amazon")


# ---------------------------------------------------------------------------------------------
# Store helpers (each one small write)


def _is_due(entry: OutboxEntry, now: datetime) -> bool:
    return entry.state == PENDING and (
        entry.next_attempt_at is None or entry.next_attempt_at <= now
    )


def _mark_shipped_if_done(
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
        elif entry.state == SKIPPED:
            summary.skipped += 1
        elif entry.state == FAILED:
            summary.failed += 1
            summary.last_error = entry.last_error
        else:
            summary.pending += 1
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
        times = [e.next_attempt_at or now for e in view.outbox.all() if e.state == PENDING]
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
        if entry.state == SENT:
            raise OutboxStateError(N_("This confirmation was already sent to Amazon."))
        if entry.state == PENDING:
            entry.next_attempt_at = clock.now()
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
        _mark_shipped_if_done(tx, entry.order_key, siblings, clock.now())
    return entry


# ---------------------------------------------------------------------------------------------
# Delivery


def _amazon_message(exc: BaseException) -> str:
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


def _classify(exc: BaseException) -> str:
    if isinstance(exc, GrantRevoked):
        return "revoked"
    if isinstance(exc, AmazonApiError):
        status = exc.status or 0
        if 200 <= status < 300:  # not a refusal: Amazon may have it, sending again is an edit
            return "unclear"
        if status >= 500 or status in _RETRYABLE_STATUSES:
            return "retry"
        return "failed"
    return "retry"


class _Withdrawn(Exception):
    """Raised right before sending: the entry is no longer what the run planned to send."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "dropped" (label deleted) | "held" (not ours to send now)


def _recheck(store: Any, entry_id: str, now: datetime) -> None:
    """Under the store lock: raise _Withdrawn unless the entry is still pending, due and of a
    label that is not deleted. An entry of a deleted label is removed (never to be sent).

    A delete in progress holds its entries back (next_attempt_at a day ahead), so it is seen
    here as "not due"; another process that sent or rescheduled the entry, likewise. An
    entry whose label record is missing is kept but not sent: nothing proves the label.
    """
    with store.write() as tx:
        entry = tx.outbox.get(entry_id)
        if entry is None:
            raise _Withdrawn("dropped")
        shipment = tx.shipments.get(entry.shipment_id)
        if not _is_due(entry, now) or shipment is None:
            raise _Withdrawn("held")
        if (
            shipment.deleted_at is not None
            or entry.package_reference_id not in shipment.package_reference_ids
        ):
            tx.outbox.delete(entry.id)
            raise _Withdrawn("dropped")


def _siblings(tx: Any, entry: OutboxEntry) -> list[OutboxEntry]:
    """Every confirmation of the entry's order (via its shipment: no table scan)."""
    shipment = tx.shipments.get(entry.shipment_id)
    if shipment is None:
        return [
            e
            for e in tx.outbox.by_integration(entry.integration_id)
            if e.order_key == entry.order_key
        ]
    found = (tx.outbox.get(f"{shipment.id}:{ref}") for ref in shipment.package_reference_ids)
    return [e for e in found if e is not None]


def _apply(tx: Any, outcomes: list[_Outcome], now: datetime) -> tuple[list[str], list[str]]:
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
            entry.next_attempt_at = None
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
        if _mark_shipped_if_done(tx, key, _siblings(tx, entry), now):
            shipped.append(key)
    return shipped, orphans


async def deliver(
    store: Any,
    client: Any,
    refresh_token: Callable[[str], str | None],
    clock: Clock,
    report: Reporter = ignore,
    *,
    order_keys: Iterable[str] | None = None,
    workers: int = WORKERS,
    commit_interval: float = COMMIT_INTERVAL_S,
) -> DeliveryResult:
    """Send every pending confirmation that is due now; store each result as it arrives.

    `client` is a glstui.amazon.client.SpApiClient; `refresh_token(integration_id)` returns the
    shop's refresh token (None = not connected). `workers` is per seller: each seller's lane
    has that many requests in flight at most.
    """
    result = DeliveryResult()
    now = clock.now()
    wanted = set(order_keys) if order_keys is not None else None
    with store.read() as view:
        due = [
            e
            for e in view.outbox.all()
            if _is_due(e, now) and (wanted is None or e.order_key in wanted)
        ]
        integrations: dict[str, Integration] = {i.id: i for i in view.integrations.all()}
    due.sort(key=lambda e: (e.created_at or now, e.id))
    result.due = len(due)
    if not due:
        _count_left(store, result)
        return result

    # Which shops can be tried at all.
    tokens: dict[str, str] = {}
    blocked: set[str] = set()
    for integration_id in sorted({e.integration_id for e in due}):
        integration = integrations.get(integration_id)
        waiting = sum(1 for e in due if e.integration_id == integration_id)
        if integration is None:
            text = _("{n} tracking code(s) belong to a deleted shop; they wait.")
            report(LogLine(text.format(n=waiting), WARNING))
            blocked.add(integration_id)
            continue
        shop = integration.shop_name
        if integration.status == NEEDS_REAUTH:
            text = _("Shop {shop} must be re-connected to send {n} tracking code(s).")
            report(LogLine(text.format(shop=shop, n=waiting), WARNING, shop))
            blocked.add(integration_id)
            continue
        try:
            token = refresh_token(integration_id)
        except Exception as exc:  # a locked or broken keyring: say so, try other shops
            error = getattr(exc, "user_message", None) or type(exc).__name__
            text = _("Cannot read the keys of shop {shop}: {error}")
            report(LogLine(text.format(shop=shop, error=error), ERROR, shop))
            blocked.add(integration_id)
            continue
        if not token:
            text = _("Shop {shop} is not connected to Amazon: connect it to send {n} code(s).")
            report(LogLine(text.format(shop=shop, n=waiting), WARNING, shop))
            blocked.add(integration_id)
            continue
        tokens[integration_id] = token

    todo = [e for e in due if e.integration_id not in blocked]
    result.blocked = len(due) - len(todo)
    total = len(todo)
    if todo:
        report(LogLine(_("Sending {n} tracking code(s) to Amazon.").format(n=total)))
        report(Progress(PROGRESS_SCOPE, 0, total))

    # One lane per seller (and region), as Amazon keeps one bucket per seller: each lane has
    # its own workers, so the sellers take turns as their buckets allow.
    lanes: dict[tuple[str, str], deque[OutboxEntry]] = {}
    for entry in todo:
        region = integrations[entry.integration_id].region
        lane_key = (seller_key(tokens[entry.integration_id]), region)
        lanes.setdefault(lane_key, deque()).append(entry)
    results: asyncio.Queue[_Outcome | None] = asyncio.Queue()
    revoked: set[str] = set()
    done = 0

    def shop_of(entry: OutboxEntry) -> str:
        integration = integrations.get(entry.integration_id)
        return integration.shop_name if integration else ""

    async def worker(lane: deque[OutboxEntry]) -> None:
        while lane:
            entry = lane.popleft()
            if entry.integration_id in revoked:
                await results.put(_Outcome(entry.id, "revoked"))
                continue
            integration = integrations[entry.integration_id]

            async def still_to_send(entry_id: str = entry.id) -> None:
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(checker, _recheck, store, entry_id, clock.now())

            try:
                await client.confirm_shipment(
                    tokens[entry.integration_id],
                    integration.region,
                    entry.order_id,
                    entry.payload,
                    before_send=still_to_send,
                )
            except asyncio.CancelledError:
                raise
            except _Withdrawn as exc:
                await results.put(_Outcome(entry.id, exc.kind))
                continue
            except Exception as exc:
                kind = _classify(exc)
                if kind == "revoked":
                    revoked.add(entry.integration_id)
                message = _amazon_message(exc)
                log.info(
                    "confirmShipment %s parcel %s: %s",
                    entry.order_id,
                    entry.package_reference_id,
                    message,
                )
                await results.put(_Outcome(entry.id, kind, message))
                continue
            await results.put(_Outcome(entry.id, "sent"))

    async def collect(deadline: float) -> tuple[list[_Outcome], bool]:
        """Results that arrive until `deadline` (monotonic); True when the workers are done."""
        batch: list[_Outcome] = []
        while True:
            try:
                remaining = deadline - time.monotonic()
                if remaining > 0 or not batch:
                    item = await asyncio.wait_for(results.get(), max(remaining, 0) or None)
                else:
                    item = results.get_nowait()
            except (TimeoutError, asyncio.QueueEmpty):
                return batch, False
            if item is None:
                return batch, True
            batch.append(item)

    async def committer() -> None:
        # Each write rewrites the store file: at most one per interval, so a fast run (the
        # sandbox's compressed time) is not slowed down by its own bookkeeping.
        nonlocal done
        last_write = -commit_interval
        finished = False
        while not finished:
            batch, finished = await collect(last_write + commit_interval)
            if not batch:
                continue
            stamp = clock.now()
            last_write = time.monotonic()
            shipped, orphans = await asyncio.to_thread(_write_batch, store, batch, stamp)
            result.shipped_orders.extend(shipped)
            for outcome in batch:
                entry = by_id.get(outcome.entry_id)
                order = entry.order_id if entry else outcome.entry_id
                parcel = entry.package_reference_id if entry else ""
                shop = shop_of(entry) if entry else ""
                values = {"order": order, "parcel": parcel, "error": outcome.error}
                if outcome.kind == "sent" and outcome.entry_id in orphans:
                    result.sent += 1
                    text = _(
                        "Order {order} parcel {parcel}: the tracking code reached Amazon while its label was being deleted; correct the order in Seller Central."  # noqa: E501
                    )
                    report(LogLine(text.format(**values), ERROR, shop))
                elif outcome.kind == "sent":
                    result.sent += 1
                    text = _("Order {order} parcel {parcel}: tracking code sent to Amazon.")
                    report(LogLine(text.format(**values), INFO, shop))
                elif outcome.kind == "unclear":
                    result.retry_later += 1
                    text = _(
                        "Order {order} parcel {parcel}: {error}, so it may or may not have arrived; it stays waiting and is sent again (that only updates the same parcel)."  # noqa: E501
                    )
                    report(LogLine(text.format(**values), WARNING, shop))
                elif outcome.kind == "dropped":
                    result.dropped += 1
                    text = _(
                        "Order {order} parcel {parcel}: its label was deleted meanwhile; its tracking code is not sent."  # noqa: E501
                    )
                    report(LogLine(text.format(**values), WARNING, shop))
                elif outcome.kind == "held":
                    result.blocked += 1
                    text = _(
                        "Order {order} parcel {parcel}: not sent now; it changed meanwhile (a label delete holds it back, or another glstui sent it)."  # noqa: E501
                    )
                    report(LogLine(text.format(**values), INFO, shop))
                elif outcome.kind == "retry":
                    result.retry_later += 1
                    text = _("Order {order} parcel {parcel}: not sent ({error}); will retry.")
                    report(LogLine(text.format(**values), WARNING, shop))
                elif outcome.kind == "failed":
                    result.failed += 1
                    text = _("Order {order} parcel {parcel}: Amazon refused it: {error}")
                    report(LogLine(text.format(**values), ERROR, shop))
                else:
                    result.blocked += 1
                done += 1
            report(Progress(PROGRESS_SCOPE, done, total))

    by_id = {e.id: e for e in todo}
    # The checks before sending run on one thread: they queue for the store lock anyway, and
    # one thread keeps them (and so the sends) in the order the turns come.
    checker = ThreadPoolExecutor(1, thread_name_prefix="glstui-outbox-check")
    # Started in turns (the first worker of every lane, then the second, ...), so that
    # with nothing to wait for the sends alternate between sellers too.
    tasks = [
        worker(lane) for n in range(max(1, workers)) for lane in lanes.values() if n < len(lane)
    ]
    commit_task = asyncio.create_task(committer())
    try:
        await asyncio.gather(*tasks)
    finally:
        checker.shutdown(wait=False)
        await results.put(None)
        await commit_task

    if revoked:
        await asyncio.to_thread(_mark_reauth, store, revoked)
        for integration_id in sorted(revoked):
            shop = integrations[integration_id].shop_name
            text = _("Amazon withdrew the access of shop {shop}: re-connect it; its codes wait.")
            report(LogLine(text.format(shop=shop), ERROR, shop))
    for key in result.shipped_orders:
        order_id = key.split(":", 1)[-1]
        report(LogLine(_("Order {order} is shipped.").format(order=order_id)))
    _count_left(store, result)
    return result


def _write_batch(store: Any, batch: list[_Outcome], now: datetime) -> tuple[list[str], list[str]]:
    with store.write() as tx:
        return _apply(tx, batch, now)


def _mark_reauth(store: Any, integration_ids: set[str]) -> None:
    with store.write() as tx:
        for integration_id in integration_ids:
            integration = tx.integrations.get(integration_id)
            if integration is not None and integration.status != NEEDS_REAUTH:
                integration.status = NEEDS_REAUTH
                tx.integrations.put(integration)


def _count_left(store: Any, result: DeliveryResult) -> None:
    with store.read() as view:
        entries = view.outbox.all()
    result.pending_left = sum(1 for e in entries if e.state == PENDING)
    result.failed_left = sum(1 for e in entries if e.state == FAILED)


async def deliver_pending(
    ctx: Any, report: Reporter = ignore, *, order_keys: Iterable[str] | None = None
) -> DeliveryResult:
    """`deliver` with the AppContext's store, secrets, clock and Amazon client.

    Raises glstui.services.context.MissingCredentials when the Amazon app keys are not set.
    """
    async with ctx.http_client() as http:
        client = ctx.amazon_client(http)
        return await deliver(
            ctx.store, client, ctx.refresh_token, ctx.clock, report, order_keys=order_keys
        )


# ---------------------------------------------------------------------------------------------
# glstui push


def _print_event(event: Any) -> None:
    if isinstance(event, LogLine):
        prefix = {WARNING: "warning: ", ERROR: "error: "}.get(event.level, "")
        shop = f"[{event.shop}] " if event.shop else ""
        stream = sys.stderr if event.level == ERROR else sys.stdout
        print(f"{prefix}{shop}{event.text}", file=stream, flush=True)


def run_push(ctx: Any) -> int:
    """`glstui push`: send pending confirmations. 0 all sent, 1 some left, 2 nothing could run.

    First records labels a stopped run left behind (labelling.reconcile), so their
    confirmations go out too.
    """
    from glstui.services.context import MissingCredentials
    from glstui.services.labelling import reconcile_labels

    reconcile_labels(ctx, _print_event)
    try:
        result = asyncio.run(deliver_pending(ctx, _print_event))
    except MissingCredentials as exc:
        print(f"glstui push: {exc.user_message}", file=sys.stderr)
        return 2
    if not result.due and not result.pending_left and not result.failed_left:
        print(_("Nothing to send: every tracking code is with Amazon."))
        return 0
    text = _("Sent {sent}, retry later {retry}, refused {failed}, not tried {blocked}.")
    print(
        text.format(
            sent=result.sent,
            retry=result.retry_later,
            failed=result.failed,
            blocked=result.blocked,
        )
    )
    if result.dropped:
        text = _("{n} tracking code(s) not sent: their label was deleted meanwhile.")
        print(text.format(n=result.dropped))
    if result.pending_left or result.failed_left:
        text = _("Waiting now: {pending} to send, {failed} refused by Amazon.")
        print(text.format(pending=result.pending_left, failed=result.failed_left))
    return result.exit_code
