"""Storing pages: one page (or the few that queued up) in one write, with the shop's cursor.

One page of up to 100 orders is ONE store write, together with the shop's cursor, so a crash
(or a stop) leaves whole pages and a cursor that matches them, never half a page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from glstui.amazon.client import OrdersPage
from glstui.domain.errors import GlstuiError
from glstui.domain.integration import NEEDS_REAUTH
from glstui.domain.order import Order
from glstui.i18n import N_
from glstui.services import rules as rules_svc
from glstui.services.importing.merge import PageOutcome, merge_order
from glstui.store import WriteTx

T = TypeVar("T")


def store_page(
    tx: WriteTx,
    integration_id: str,
    orders: list[Order],
    now: datetime,
    *,
    resume: dict[str, Any],
    cursor: datetime | None = None,
    new_before: int = 0,
) -> PageOutcome:
    """Upsert one page and record where the import stands, in one write transaction.

    `resume` is saved on the integration (empty once the search is done); `cursor`, given on
    the last page, becomes the shop's cursor but never moves it back (a cron import beside
    the TUI may have moved it further). `new_before` counts new orders of the run's earlier
    pages, so the shop's "new orders" shows the run's total.
    """
    outcome = PageOutcome()
    integ = tx.integrations.get(integration_id)
    if integ is None:
        raise ShopDeleted(integration_id)
    to_put: list[Order] = []
    inputs = rules_svc.RuleInputs.from_view(tx)
    for order in orders:
        stored = merge_order(order, tx.orders.get(order.key), integ, now, outcome, inputs)
        if stored is not None:
            to_put.append(stored)
    if to_put:
        tx.orders.put_many(to_put)
    if cursor is not None:
        current = integ.import_cursor
        integ.import_cursor = cursor if current is None else max(cursor, current)
    integ.import_resume = resume
    integ.last_import_at = now
    integ.last_import_new = new_before + outcome.new
    tx.integrations.put(integ)
    return outcome


@dataclass
class StagedPage:
    """A parsed page with what to record on the shop once it is stored."""

    orders: list[Order]
    resume: dict[str, Any]
    cursor: datetime | None
    more: bool  # more pages follow


def store_pages(
    tx: WriteTx, integration_id: str, pages: list[StagedPage], now: datetime, new_before: int = 0
) -> list[PageOutcome]:
    """Store pages that arrived while the previous write ran, in one write, in order."""
    outcomes: list[PageOutcome] = []
    for page in pages:
        outcome = store_page(
            tx,
            integration_id,
            page.orders,
            now,
            resume=page.resume,
            cursor=page.cursor,
            new_before=new_before,
        )
        new_before += outcome.new
        outcomes.append(outcome)
    return outcomes


# Pages fetched ahead while a write runs; when the store is slower than Amazon, the pages
# that queued up go into one write (still whole pages with their resume point: crash-safe).
# Two, measured: bigger writes raise throughput but hold the GIL longer while the store
# assembles its file, which the operator feels as key presses answered late (p95).
MAX_PAGES_PER_WRITE = 2
_END = object()


class Prefetch:
    """Reads a search's pages in a task of its own, at most `limit` ahead of the writer."""

    def __init__(self, pages: AsyncIterator[OrdersPage], limit: int) -> None:
        self.limit = limit
        self.done = False
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=limit)
        self._task = asyncio.ensure_future(self._run(pages))

    async def _run(self, pages: AsyncIterator[OrdersPage]) -> None:
        try:
            async for page in pages:
                await self._queue.put(page)
        except Exception as exc:  # handed to the writer after the pages before it
            await self._queue.put(exc)
            return
        await self._queue.put(_END)

    async def next_batch(self) -> tuple[list[OrdersPage], Exception | None]:
        """The pages ready now (at least one, or the end / the error that stopped the search)."""
        item = await self._queue.get()
        batch: list[OrdersPage] = []
        while True:
            if item is _END or isinstance(item, Exception):
                self.done = True
                return batch, item if isinstance(item, Exception) else None
            batch.append(item)
            if len(batch) >= self.limit or self._queue.empty():
                return batch, None
            item = self._queue.get_nowait()

    def close(self) -> None:
        self._task.cancel()


class ShopDeleted(GlstuiError):
    """The shop was deleted (by another operator) while its import ran."""

    def __init__(self, integration_id: str) -> None:
        super().__init__(N_("This shop was deleted during the import."))
        self.integration_id = integration_id


class MissingPiiRole(GlstuiError):
    """Amazon sends the shop's orders without name and address: the app lacks the role.

    The import of the shop stops before that page, so its cursor stays and no order without
    an address is stored (nothing to label by mistake, no street-split holds); once the shop
    is re-authorized with the role, the next import reads the same orders again, complete."""


def mark_needs_reauth(tx: WriteTx, integration_id: str) -> None:
    integ = tx.integrations.get(integration_id)
    if integ is not None:
        integ.status = NEEDS_REAUTH
        tx.integrations.put(integ)


async def finish_then_cancel(awaitable: Awaitable[T], then: Callable[[T], None] | None = None) -> T:
    """Await a thread job; if cancelled meanwhile, let the job end (and `then` see its result),
    then raise the cancel again. A thread cannot be stopped halfway, so its result is real."""
    fut = asyncio.ensure_future(awaitable)
    try:
        result = await asyncio.shield(fut)
    except asyncio.CancelledError:
        await asyncio.wait({fut})
        if then is not None and not fut.cancelled() and fut.exception() is None:
            then(fut.result())
        raise
    if then is not None:
        then(result)
    return result
