"""The outbox's delivery run: which shops can be sent for, one lane of workers per seller,
the check right before each request, and the committer that stores results as they arrive."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from glstui.amazon.client import BeforeSend, seller_key
from glstui.domain.clock import Clock
from glstui.domain.integration import NEEDS_REAUTH, Integration
from glstui.domain.shipment import OutboxEntry
from glstui.i18n import _
from glstui.services.events import ERROR, WARNING, LogLine, Progress, Reporter, ignore
from glstui.services.labelling.partial import OrderReader
from glstui.services.outbox.guard import hold_test_tracking
from glstui.services.outbox.outcomes import (
    Outcome,
    Withdrawn,
    amazon_message,
    classify,
    count_left,
    count_outcome,
    mark_reauth,
    recheck,
    write_batch,
)
from glstui.services.outbox.queue import DeliveryResult, is_due
from glstui.services.outbox.verify import verify_sent

log = logging.getLogger("glstui.outbox")

WORKERS = 10  # requests in flight per seller at most (= its bucket's burst, which sets the pace)
COMMIT_INTERVAL_S = 0.5  # real seconds between result writes, at most (see package doc)
PROGRESS_SCOPE = "outbox"


class ShipmentConfirmer(Protocol):
    """What a run needs of the Amazon client (glstui.amazon.client.SpApiClient, a test double)."""

    async def confirm_shipment(
        self,
        refresh_token: str,
        region: str,
        order_id: str,
        body: dict[str, Any],
        *,
        before_send: BeforeSend | None = None,
    ) -> None: ...


async def deliver(
    store: Any,
    client: ShipmentConfirmer,
    refresh_token: Callable[[str], str | None],
    clock: Clock,
    report: Reporter = ignore,
    *,
    order_keys: Iterable[str] | None = None,
    workers: int = WORKERS,
    commit_interval: float = COMMIT_INTERVAL_S,
    amazon_live: bool = True,
    reader: OrderReader | None = None,
) -> DeliveryResult:
    """Send every pending confirmation that is due now; store each result as it arrives.

    `refresh_token(integration_id)` returns the
    shop's refresh token (None = not connected). `workers` is per seller: each seller's lane
    has that many requests in flight at most. `amazon_live` (False only for the sandbox and
    demo endpoints) holds back tracking of GLS test labels (services/outbox/guard.py).
    With a `reader` (the same SpApiClient), the sent confirmations due for it are read back
    from Amazon afterwards (services/outbox/verify.py).
    """
    result = DeliveryResult()
    due, integrations = _due_entries(store, clock.now(), order_keys)
    result.due = len(due)
    if due:
        free = await asyncio.to_thread(
            hold_test_tracking, store, due, integrations, amazon_live, report
        )
        result.held = len(due) - len(free)
        await _send(store, client, refresh_token, clock, report, free, integrations, result,
                    workers, commit_interval)  # fmt: skip
    if reader is not None:
        checked = await verify_sent(store, reader, refresh_token, clock, report)
        result.verified, result.not_listed = checked.verified, checked.missing
    count_left(store, result)
    return result


async def _send(
    store: Any,
    client: ShipmentConfirmer,
    refresh_token: Callable[[str], str | None],
    clock: Clock,
    report: Reporter,
    due: list[OutboxEntry],
    integrations: dict[str, Integration],
    result: DeliveryResult,
    workers: int,
    commit_interval: float,
) -> None:
    tokens = _usable_shops(due, integrations, refresh_token, report)
    todo = [e for e in due if e.integration_id in tokens]
    result.blocked = len(due) - len(todo)
    if todo:
        report(LogLine(_("Sending {n} tracking code(s) to Amazon.").format(n=len(todo))))
        report(Progress(PROGRESS_SCOPE, 0, len(todo)))
    run = _Run(store, client, clock, report, result, integrations, tokens, todo)
    await run.send(workers, commit_interval)
    await run.finish()


def amazon_is_live(ctx: Any) -> bool:
    """The context talks to Amazon's production endpoints (not the sandbox or the demo)."""
    return not ctx.endpoints.is_sandbox


async def deliver_pending(
    ctx: Any, report: Reporter = ignore, *, order_keys: Iterable[str] | None = None
) -> DeliveryResult:
    """`deliver` with the AppContext's store, secrets, clock and Amazon client.

    Raises glstui.services.context.MissingCredentials when the Amazon app keys are not set.
    """
    async with ctx.http_client() as http:
        client = ctx.amazon_client(http)
        return await deliver(
            ctx.store,
            client,
            ctx.refresh_token,
            ctx.clock,
            report,
            order_keys=order_keys,
            amazon_live=amazon_is_live(ctx),
            reader=client,
        )


def _due_entries(
    store: Any, now: datetime, order_keys: Iterable[str] | None
) -> tuple[list[OutboxEntry], dict[str, Integration]]:
    """The entries due now (of `order_keys` only, if given), oldest first, and the shops."""
    wanted = set(order_keys) if order_keys is not None else None
    with store.read() as view:
        due = [
            e
            for e in view.outbox.all()
            if is_due(e, now) and (wanted is None or e.order_key in wanted)
        ]
        integrations: dict[str, Integration] = {i.id: i for i in view.integrations.all()}
    due.sort(key=lambda e: (e.created_at or now, e.id))
    return due, integrations


def _usable_shops(
    due: list[OutboxEntry],
    integrations: dict[str, Integration],
    refresh_token: Callable[[str], str | None],
    report: Reporter,
) -> dict[str, str]:
    """The refresh token of every shop that can be tried; the others are reported."""
    tokens: dict[str, str] = {}
    for integration_id in sorted({e.integration_id for e in due}):
        waiting = sum(1 for e in due if e.integration_id == integration_id)
        token = _shop_token(integrations.get(integration_id), waiting, refresh_token, report)
        if token:
            tokens[integration_id] = token
    return tokens


def _shop_token(
    integration: Integration | None,
    waiting: int,
    refresh_token: Callable[[str], str | None],
    report: Reporter,
) -> str | None:
    if integration is None:
        text = _("{n} tracking code(s) belong to a deleted shop; they wait.")
        report(LogLine(text.format(n=waiting), WARNING))
        return None
    shop = integration.shop_name
    if integration.status == NEEDS_REAUTH:
        text = _("Shop {shop} must be re-connected to send {n} tracking code(s).")
        report(LogLine(text.format(shop=shop, n=waiting), WARNING, shop))
        return None
    try:
        token = refresh_token(integration.id)
    except Exception as exc:  # a locked or broken keyring: say so, try other shops
        error = getattr(exc, "user_message", None) or type(exc).__name__
        text = _("Cannot read the keys of shop {shop}: {error}")
        report(LogLine(text.format(shop=shop, error=error), ERROR, shop))
        return None
    if not token:
        text = _("Shop {shop} is not connected to Amazon: connect it to send {n} code(s).")
        report(LogLine(text.format(shop=shop, n=waiting), WARNING, shop))
        return None
    return token


class _Run:
    """One delivery run: the lanes, the workers that send, the committer that stores."""

    def __init__(
        self,
        store: Any,
        client: ShipmentConfirmer,
        clock: Clock,
        report: Reporter,
        result: DeliveryResult,
        integrations: dict[str, Integration],
        tokens: dict[str, str],
        todo: list[OutboxEntry],
    ) -> None:
        self.store, self.client, self.clock, self.report = store, client, clock, report
        self.result, self.integrations, self.tokens = result, integrations, tokens
        self.total = len(todo)
        self.by_id = {e.id: e for e in todo}
        # One lane per seller (and region), as Amazon keeps one bucket per seller: each lane
        # has its own workers, so the sellers take turns as their buckets allow.
        self.lanes: dict[tuple[str, str], deque[OutboxEntry]] = {}
        for entry in todo:
            region = integrations[entry.integration_id].region
            lane_key = (seller_key(tokens[entry.integration_id]), region)
            self.lanes.setdefault(lane_key, deque()).append(entry)
        self.results: asyncio.Queue[Outcome | None] = asyncio.Queue()
        self.revoked: set[str] = set()
        self.done = 0
        # The checks before sending run on one thread: they queue for the store lock anyway,
        # and one thread keeps them (and so the sends) in the order the turns come.
        self.checker = ThreadPoolExecutor(1, thread_name_prefix="glstui-outbox-check")

    async def send(self, workers: int, commit_interval: float) -> None:
        # Started in turns (the first worker of every lane, then the second, ...), so that
        # with nothing to wait for the sends alternate between sellers too.
        tasks = [
            self._worker(lane)
            for n in range(max(1, workers))
            for lane in self.lanes.values()
            if n < len(lane)
        ]
        commit_task = asyncio.create_task(self._committer(commit_interval))
        try:
            await asyncio.gather(*tasks)
        finally:
            self.checker.shutdown(wait=False)
            await self.results.put(None)
            await commit_task

    async def finish(self) -> None:
        """Mark the revoked shops, say which orders are shipped, count what is left."""
        if self.revoked:
            await asyncio.to_thread(mark_reauth, self.store, self.revoked)
            for integration_id in sorted(self.revoked):
                shop = self.integrations[integration_id].shop_name
                text = _(
                    "Amazon withdrew the access of shop {shop}: re-connect it; its codes wait."
                )
                self.report(LogLine(text.format(shop=shop), ERROR, shop))
        for key in self.result.shipped_orders:
            order_id = key.split(":", 1)[-1]
            self.report(LogLine(_("Order {order} is shipped.").format(order=order_id)))

    async def _worker(self, lane: deque[OutboxEntry]) -> None:
        while lane:
            entry = lane.popleft()
            if entry.integration_id in self.revoked:
                await self.results.put(Outcome(entry.id, "revoked"))
                continue
            await self.results.put(await self._send_one(entry))

    async def _send_one(self, entry: OutboxEntry) -> Outcome:
        async def still_to_send(entry_id: str = entry.id) -> None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(
                self.checker, recheck, self.store, entry_id, self.clock.now()
            )

        try:
            await self.client.confirm_shipment(
                self.tokens[entry.integration_id],
                self.integrations[entry.integration_id].region,
                entry.order_id,
                entry.payload,
                before_send=still_to_send,
            )
        except asyncio.CancelledError:
            raise
        except Withdrawn as exc:
            return Outcome(entry.id, exc.kind)
        except Exception as exc:
            kind = classify(exc)
            if kind == "revoked":
                self.revoked.add(entry.integration_id)
            message = amazon_message(exc)
            log.info(
                "confirmShipment %s parcel %s: %s",
                entry.order_id,
                entry.package_reference_id,
                message,
            )
            return Outcome(entry.id, kind, message)
        return Outcome(entry.id, "sent")

    async def _collect(self, deadline: float) -> tuple[list[Outcome], bool]:
        """Results that arrive until `deadline` (monotonic); True when the workers are done."""
        batch: list[Outcome] = []
        while True:
            try:
                remaining = deadline - time.monotonic()
                if remaining > 0 or not batch:
                    item = await asyncio.wait_for(self.results.get(), max(remaining, 0) or None)
                else:
                    item = self.results.get_nowait()
            except (TimeoutError, asyncio.QueueEmpty):
                return batch, False
            if item is None:
                return batch, True
            batch.append(item)

    async def _committer(self, commit_interval: float) -> None:
        # Each write rewrites the store file: at most one per interval, so a fast run (the
        # sandbox's compressed time) is not slowed down by its own bookkeeping.
        last_write = -commit_interval
        finished = False
        while not finished:
            batch, finished = await self._collect(last_write + commit_interval)
            if not batch:
                continue
            stamp = self.clock.now()
            last_write = time.monotonic()
            shipped, orphans = await asyncio.to_thread(write_batch, self.store, batch, stamp)
            self.result.shipped_orders.extend(shipped)
            for outcome in batch:
                self._report_outcome(outcome, outcome.entry_id in orphans)
                self.done += 1
            self.report(Progress(PROGRESS_SCOPE, self.done, self.total))

    def _report_outcome(self, outcome: Outcome, orphan: bool) -> None:
        kind = "orphan" if orphan and outcome.kind == "sent" else outcome.kind
        line = count_outcome(self.result, kind)
        if line is None:
            return
        text, level = line
        entry = self.by_id.get(outcome.entry_id)
        integration = self.integrations.get(entry.integration_id) if entry else None
        shop = integration.shop_name if integration else ""
        values = {
            "order": entry.order_id if entry else outcome.entry_id,
            "parcel": entry.package_reference_id if entry else "",
            "error": outcome.error,
        }
        self.report(LogLine(text.format(**values), level, shop))
