"""Tracking verified at Amazon, not assumed: read each confirmed order back.

A 204 from confirmShipment is not always applied (a carrier code that does not match Seller
Central leaves the order unconfirmed; sellers report silent drops). So after sending, glstui
reads the order back (v2026 getOrder with PACKAGES, the same read services/labelling/partial.py
does before labelling a partly shipped order) and records a confirmation as "verified at
Amazon" only when Amazon lists our package (its packageReferenceId) with our tracking number.

Decisions:
- Amazon's data lags (that is why searchOrders' *Before must be 2 minutes before now), so a
  package not listed at the first read is "not listed yet" (UNLISTED) and read again later
  (2, 4, 8 ... minutes); only when it is still not listed VERIFY_GRACE after it was sent is it
  flagged MISSING: the operator checks the order in Seller Central, or sends it again
  (`retry`, which only edits that package at Amazon).
- One getOrder per order (it lists all its packages), paced by the getOrder bucket of each
  seller (the client's RateLimiter); at most BATCH reads in flight per seller (the burst).
- An order that could not be read stays as it was and is read at the next run.
- Only confirmations sent in the last VERIFY_WINDOW are read back (those sent before glstui
  read back stay "sent to Amazon"), at most MAX_ORDERS per run (the getOrder bucket's burst
  and a minute of its refill); the rest are read at the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from glstui.amazon.client import seller_key
from glstui.amazon.errors import AmazonError
from glstui.domain.clock import Clock
from glstui.domain.integration import Integration
from glstui.domain.shipment import MISSING, SENT, UNCHECKED, UNLISTED, VERIFIED, OutboxEntry
from glstui.i18n import _
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Reporter, ignore
from glstui.services.labelling.partial import OrderReader, package_tracking
from glstui.store import Store

VERIFY_GRACE = timedelta(minutes=15)
RECHECK_BASE = timedelta(minutes=2)
BATCH = 30  # getOrder reads in flight per seller at most (= its bucket's burst)
VERIFY_WINDOW = timedelta(hours=24)
MAX_ORDERS = 60
INCLUDED = ("PACKAGES",)


@dataclass
class VerifyResult:
    verified: int = 0
    unlisted: int = 0  # not listed yet: read again later
    missing: int = 0  # still not listed after the grace time: flagged
    unread: int = 0  # the order could not be read: read again at the next run


def needs_check(entry: OutboxEntry, now: datetime) -> bool:
    return (
        entry.state == SENT
        and entry.verify_state in (UNCHECKED, UNLISTED)
        and entry.sent_at is not None
        and now - entry.sent_at <= VERIFY_WINDOW
        and (entry.verify_next_at is None or entry.verify_next_at <= now)
    )


def next_check(entries: Iterable[OutboxEntry]) -> datetime | None:
    """When the earliest read-back is due (None: none waits)."""
    times = [
        e.verify_next_at
        for e in entries
        if e.state == SENT and e.verify_state in (UNCHECKED, UNLISTED) and e.verify_next_at
    ]
    return min(times) if times else None


def verify_text(entry: OutboxEntry) -> str:
    """What the Orders screen says about the read-back of one confirmation ("" = nothing)."""
    if entry.state != SENT:
        return ""
    if entry.verify_state == VERIFIED:
        return _("verified at Amazon")
    if entry.verify_state == MISSING:
        return _(
            "NOT listed at Amazon although it answered OK: check the order in Seller Central, "
            "or send it again"
        )
    return _("sent, not yet verified at Amazon")


async def verify_sent(
    store: Store,
    reader: OrderReader,
    refresh_token: Callable[[str], str | None],
    clock: Clock,
    report: Reporter = ignore,
) -> VerifyResult:
    """Read back the orders of the sent confirmations due for a check; store what Amazon
    lists (one write). Failures are reported, never raised."""
    now = clock.now()
    with store.read() as view:
        todo = [e for e in view.outbox.all() if needs_check(e, now)]
        shops = {i.id: i for i in view.integrations.all()}
    result = VerifyResult()
    if not todo:
        return result
    orders: dict[tuple[str, str], list[OutboxEntry]] = {}
    for entry in sorted(todo, key=lambda e: (e.sent_at or now, e.id)):
        key = (entry.integration_id, entry.order_id)
        if key in orders or len(orders) < MAX_ORDERS:
            orders.setdefault(key, []).append(entry)
    read = await _read_all(reader, refresh_token, shops, list(orders), report)
    lines = await asyncio.to_thread(_store, store, orders, read, clock.now(), result)
    for text, level, integration_id in lines:
        shop = shops.get(integration_id)
        report(LogLine(text, level, shop.shop_name if shop else ""))
    if result.verified:
        text = _("Amazon lists {n} more tracking code(s) as sent: verified.")
        report(LogLine(text.format(n=result.verified), INFO))
    return result


async def _read_all(
    reader: OrderReader,
    refresh_token: Callable[[str], str | None],
    shops: dict[str, Integration],
    keys: list[tuple[str, str]],
    report: Reporter,
) -> dict[tuple[str, str], dict[str, str]]:
    """(shop id, order id) -> packageReferenceId -> tracking number, of the orders read."""
    gates: dict[str, asyncio.Semaphore] = {}
    read: dict[tuple[str, str], dict[str, str]] = {}
    failed: dict[str, str] = {}

    async def one(key: tuple[str, str]) -> None:
        integration_id, order_id = key
        shop = shops.get(integration_id)
        token = refresh_token(integration_id) if shop is not None else None
        if shop is None or not token:
            return
        gate = gates.setdefault(seller_key(token), asyncio.Semaphore(BATCH))
        async with gate:
            try:
                raw: dict[str, Any] = await reader.get_order(token, shop.region, order_id, INCLUDED)
            except AmazonError as exc:
                failed.setdefault(integration_id, exc.user_message)
                return
        read[key] = package_tracking(raw)

    await asyncio.gather(*(one(k) for k in keys))
    for integration_id, error in sorted(failed.items()):
        shop = shops[integration_id]
        text = _("Shop {shop}: confirmed orders could not be read back from Amazon: {error}")
        report(LogLine(text.format(shop=shop.shop_name, error=error), WARNING, shop.shop_name))
    return read


def _store(
    store: Store,
    orders: dict[tuple[str, str], list[OutboxEntry]],
    read: dict[tuple[str, str], dict[str, str]],
    now: datetime,
    result: VerifyResult,
) -> list[tuple[str, str, str]]:
    lines: list[tuple[str, str, str]] = []
    with store.write() as tx:
        for key, entries in orders.items():
            listed = read.get(key)
            for planned in entries:
                entry = tx.outbox.get(planned.id)
                if entry is None or entry.state != SENT:
                    continue
                if listed is None:
                    result.unread += 1
                    continue
                line = _judge(entry, listed, now, result)
                if line:
                    lines.append((*line, entry.integration_id))
                tx.outbox.put(entry)
    return lines


def _judge(
    entry: OutboxEntry, listed: dict[str, str], now: datetime, result: VerifyResult
) -> tuple[str, str] | None:
    """Set the entry's verify state from what Amazon lists; the line to report, if any."""
    tracking = str((entry.payload.get("packageDetail") or {}).get("trackingNumber") or "")
    values = {"order": entry.order_id, "parcel": entry.package_reference_id, "tracking": tracking}
    entry.verify_checks += 1
    if tracking and listed.get(entry.package_reference_id) == tracking:
        entry.verify_state, entry.verified_at, entry.verify_next_at = VERIFIED, now, None
        result.verified += 1
        return None
    sent_at = entry.sent_at or now
    if now - sent_at >= VERIFY_GRACE:
        entry.verify_state, entry.verify_next_at = MISSING, None
        result.missing += 1
        text = _(
            "Order {order} parcel {parcel}: Amazon answered OK but does not list tracking "
            "number {tracking}: check the order in Seller Central, or send it again."
        )
        return text.format(**values), ERROR
    entry.verify_state = UNLISTED
    delay = RECHECK_BASE * (2 ** max(0, entry.verify_checks - 1))
    entry.verify_next_at = min(now + delay, sent_at + VERIFY_GRACE)
    result.unlisted += 1
    return None
