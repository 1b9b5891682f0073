"""Import Amazon orders of the selected shops into the store, page by page.

Why it is shaped like this:
- one page of up to 100 orders is ONE store write, together with the shop's cursor, so a crash
  (or a stop) leaves whole pages and a cursor that matches them, never half a page;
- orders are keyed by shop + Amazon order id, so a page seen twice updates, never doubles;
  our own state (labelled, shipped, decision) is never overwritten by Amazon's data;
- a cancellation on Amazon of an order we still hold is shouted: it must not be shipped;
- one shop failing (revoked consent, Amazon errors) never stops the other shops;
- progress goes to a `report` callback (LogLine/Progress) that the TUI and the headless
  command render; lines carry order id, country and item count only, never buyer data.
"""

from __future__ import annotations

import asyncio
import dataclasses
import getpass
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from glstui.amazon.errors import AmazonApiError, AmazonError, GrantRevoked
from glstui.amazon.mapping import order_from_api
from glstui.domain.clock import Clock, from_iso, to_iso
from glstui.domain.errors import GlstuiError
from glstui.domain.integration import NEEDS_REAUTH, Integration
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, Order
from glstui.domain.order_kinds import page_lacks_pii
from glstui.domain.rules import Decision
from glstui.domain.run import ImportRun, ShopRunResult
from glstui.i18n import N_, _
from glstui.secrets import SecretsError
from glstui.services import audit, order_kinds
from glstui.services import rules as rules_svc
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Progress, Reporter, ignore
from glstui.services.integrations import refresh_token_name
from glstui.store import StoreError

log = logging.getLogger("glstui.import")

T = TypeVar("T")

# What we ask Amazon for (names checked against specs/amazon/orders_2026-01-01.json).
FULFILLMENT_STATUSES = ("UNSHIPPED", "PARTIALLY_SHIPPED", "CANCELLED")
INCLUDED_DATA = ("RECIPIENT", "FULFILLMENT")
AMAZON_CANCELLED = "CANCELLED"
SHIPPABLE = ("UNSHIPPED", "PARTIALLY_SHIPPED")  # Amazon sends these with the buyer's address


# ---------------------------------------------------------------------------------------------
# Shipping rules: the single place where a rule decision is applied to an imported order.


def apply_shipping_rules(
    order: Order, integration: Integration, inputs: rules_svc.RuleInputs | None = None
) -> Decision:
    """Decide product, services, parcels, weight and hold for an order waiting for a label.

    The shop's rules when 'Activate shipping rules' is on, else the default decision
    (glstui.services.rules.apply_rules). `inputs` (SKU weights, default weight, label format)
    is read once per page by store_page. A new order whose decision says skip is not stored.
    """
    inputs = inputs or rules_svc.RuleInputs()
    return rules_svc.apply_rules(
        integration,
        order,
        inputs.weights,
        inputs.default_weight,
        label_format=inputs.label_format,
    )


# ---------------------------------------------------------------------------------------------
# Merging a page into what is stored.

# The fields Amazon's copy of an order updates; every other field (state, decision, label
# bookkeeping, purge dates) is ours and never overwritten by an import.
_AMAZON_FIELDS = (
    "marketplace_id",
    "amazon_status",
    "created_at",
    "last_updated_at",
    "ship_by",
    "items",
    "recipient",
    "country_code",
    "service_level",
    "is_prime",
    "is_business",
    "programs",
    "order_total",
    "currency",
)


@dataclass
class PageOutcome:
    """What one page did to the store, with the lines to report (no buyer data in them)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    held: int = 0
    skipped_cancelled: int = 0
    skipped_by_rule: int = 0
    lines: list[LogLine] = field(default_factory=list)


def describe(order: Order) -> str:
    """Order id, country and item count: all a log line may say about an order."""
    n = order.item_count
    text = _("{order} ({country}, 1 item)") if n == 1 else _("{order} ({country}, {n} items)")
    return text.format(order=order.order_id, country=order.country_code or "??", n=n)


def merge_order(
    incoming: Order,
    existing: Order | None,
    integration: Integration,
    now: datetime,
    outcome: PageOutcome,
    inputs: rules_svc.RuleInputs | None = None,
) -> Order | None:
    """Return the order to store (None = store nothing) and count what happened."""
    shop = integration.shop_name
    cancelled = incoming.amazon_status == AMAZON_CANCELLED
    if existing is None:
        if cancelled:
            # Cancelled before we ever saw it: nothing to ship, nothing to import.
            outcome.skipped_cancelled += 1
            return None
        incoming.imported_at = now
        decision = apply_shipping_rules(incoming, integration, inputs)
        if decision.skip:
            outcome.skipped_by_rule += 1
            outcome.lines.append(
                LogLine(
                    _("Order {order} skipped by shipping rule '{rule}'.").format(
                        order=incoming.order_id, rule=decision.rule_name
                    ),
                    INFO,
                    shop,
                )
            )
            return None
        order_kinds.apply(incoming, lambda o: apply_shipping_rules(o, integration, inputs))
        outcome.new += 1
        if incoming.state == HELD:
            outcome.held += 1
        outcome.lines.append(
            LogLine(_("New order {order}").format(order=describe(incoming)), INFO, shop)
        )
        if incoming.not_for_gls:
            text = _("Order {order}: {reason}").format(
                order=incoming.order_id, reason=incoming.hold_reason
            )
            outcome.lines.append(LogLine(text, WARNING, shop))
        return incoming

    if not any(getattr(existing, n) != getattr(incoming, n) for n in _AMAZON_FIELDS):
        outcome.unchanged += 1
        return None

    merged = dataclasses.replace(existing)
    for name in _AMAZON_FIELDS:
        value = getattr(incoming, name)
        if name == "recipient" and (value is None or existing.pii_purged_at is not None):
            continue  # cancelled orders come without an address; purged data stays purged
        setattr(merged, name, value)

    if cancelled and existing.amazon_status != AMAZON_CANCELLED:
        return _cancel(merged, existing, shop, outcome)

    if merged.state in (NEW, HELD):
        apply_shipping_rules(merged, integration, inputs)
        order_kinds.apply(merged, lambda o: apply_shipping_rules(o, integration, inputs))
        if merged.state == HELD and existing.state != HELD:
            outcome.held += 1
    outcome.updated += 1
    outcome.lines.append(
        LogLine(_("Updated order {order}").format(order=describe(merged)), INFO, shop)
    )
    return merged


def _cancel(merged: Order, existing: Order, shop: str, outcome: PageOutcome) -> Order:
    """An order we hold was cancelled on Amazon: say so loudly, by our state of it."""
    outcome.cancelled += 1
    oid = existing.order_id
    if existing.state in (NEW, HELD):
        merged.state = CANCELLED
        merged.hold_reason = _("Cancelled on Amazon: do not ship.")
        text = _("Order {order} was CANCELLED on Amazon: do not ship it.").format(order=oid)
        outcome.lines.append(LogLine(text, WARNING, shop))
    elif existing.state == LABELLED:
        merged.hold_reason = _("Cancelled on Amazon after labelling: delete the GLS label.")
        text = _(
            "Order {order} was CANCELLED on Amazon but already has a GLS label: "
            "delete the label and do not ship the parcel."
        ).format(order=oid)
        outcome.lines.append(LogLine(text, ERROR, shop))
    else:  # shipped (or already cancelled here)
        if existing.state == SHIPPED:
            merged.hold_reason = _("Cancelled on Amazon after shipping: check with GLS.")
        text = _(
            "Order {order} was CANCELLED on Amazon after it was shipped: check the parcel with GLS."
        ).format(order=oid)
        outcome.lines.append(LogLine(text, ERROR, shop))
    return merged


@dataclass
class SearchWindow:
    """The filters of one searchOrders run of a shop, and where to resume it.

    Saved on the integration (`import_resume`) with every page but the last, so an import
    that is stopped, crashes or is killed continues with the next page's token instead of
    starting over (a 50-page backlog costs Amazon's searchOrders budget about 90 minutes).
    """

    created_after: datetime | None = None
    last_updated_after: datetime | None = None
    token: str | None = None
    newest: datetime | None = None  # newest lastUpdatedTime seen in this search so far
    saved_at: datetime | None = None

    def to_resume(self) -> dict[str, Any]:
        return {
            "created_after": to_iso(self.created_after),
            "last_updated_after": to_iso(self.last_updated_after),
            "token": self.token,
            "newest": to_iso(self.newest),
            "saved_at": to_iso(self.saved_at),
        }

    @classmethod
    def from_resume(cls, data: dict[str, Any]) -> SearchWindow:
        return cls(
            created_after=from_iso(data.get("created_after")),
            last_updated_after=from_iso(data.get("last_updated_after")),
            token=data.get("token") or None,
            newest=from_iso(data.get("newest")),
            saved_at=from_iso(data.get("saved_at")),
        )


RESUME_MAX_AGE = timedelta(hours=23)  # Amazon's pagination tokens expire after 24 h


def search_window(integ: Integration, now: datetime, first_import_days: int) -> SearchWindow:
    """Where this shop's import starts: an interrupted search, the cursor, or N days back."""
    if integ.import_resume:
        window = SearchWindow.from_resume(integ.import_resume)
        fresh = window.saved_at is not None and now - window.saved_at < RESUME_MAX_AGE
        if window.token and fresh and (window.created_after or window.last_updated_after):
            return window
    if integ.import_cursor is not None:
        return SearchWindow(last_updated_after=integ.import_cursor)
    return SearchWindow(created_after=now - timedelta(days=first_import_days))


def final_cursor(window: SearchWindow, page: Any) -> datetime | None:
    """The cursor once a search's last page is stored: Amazon's upper bound of the search
    (lastUpdatedBefore/createdBefore) when it gives one, else the newest lastUpdatedTime seen;
    without either it stays where the search started."""
    bound = getattr(page, "last_updated_before", None) or getattr(page, "created_before", None)
    if isinstance(bound, str):
        bound = from_iso(bound)
    return bound or window.newest or window.last_updated_after


def store_page(
    tx: Any,
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
    tx: Any, integration_id: str, pages: list[StagedPage], now: datetime, new_before: int = 0
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

    def __init__(self, pages: Any, limit: int) -> None:
        self.limit = limit
        self.done = False
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=limit)
        self._task = asyncio.ensure_future(self._run(pages))

    async def _run(self, pages: Any) -> None:
        try:
            async for page in pages:
                await self._queue.put(page)
        except Exception as exc:  # handed to the writer after the pages before it
            await self._queue.put(exc)
            return
        await self._queue.put(_END)

    async def next_batch(self) -> tuple[list[Any], Exception | None]:
        """The pages ready now (at least one, or the end / the error that stopped the search)."""
        item = await self._queue.get()
        batch: list[Any] = []
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


def missing_pii_text(shop: str) -> str:
    return _(
        "{shop}: Amazon sends this shop's orders without the buyer's name and address: the Amazon app lacks the Direct-to-Consumer Delivery (Restricted) role. Ask for that role in your developer profile (Seller Central, Develop Apps), then re-authorize this shop (Shops, key c). Until then glstui imports and labels nothing for this shop."  # noqa: E501
    ).format(shop=shop)


def _mark_needs_reauth(tx: Any, integration_id: str) -> None:
    integ = tx.integrations.get(integration_id)
    if integ is not None:
        integ.status = NEEDS_REAUTH
        tx.integrations.put(integ)


def not_importable_reason(integ: Integration) -> str:
    """Why a shop cannot be imported now, in the operator's words ("" = it can)."""
    if integ.status == NEEDS_REAUTH:
        return _("Amazon consent expired or was revoked: re-connect this shop.")
    if not integ.connected:
        return _("Not connected to Amazon yet: connect this shop first.")
    if not integ.active:
        return _("Shop is not active: switch 'Shop is active' on to import it.")
    return ""


def counts_text(
    new: int,
    updated: int = 0,
    cancelled: int = 0,
    unchanged: int = 0,
    skipped_cancelled: int = 0,
    skipped_by_rule: int = 0,
) -> str:
    """ "117 new, 0 updated, 0 cancelled, 6 cancelled before import": every order Amazon
    sent is in one of the parts, so they add up to the orders seen."""
    parts = [
        _("{n} new").format(n=new),
        _("{n} updated").format(n=updated),
        _("{n} cancelled").format(n=cancelled),
    ]
    if unchanged:
        parts.append(_("{n} unchanged").format(n=unchanged))
    if skipped_cancelled:
        parts.append(_("{n} cancelled before import (not imported)").format(n=skipped_cancelled))
    if skipped_by_rule:
        parts.append(_("{n} skipped by a shipping rule").format(n=skipped_by_rule))
    return ", ".join(parts)


def _result_counts(s: Any) -> tuple[int, int, int, int, int, int]:
    return (
        s.new,
        s.updated,
        s.cancelled,
        s.unchanged,
        s.skipped_cancelled,
        s.skipped_by_rule,
    )


def summary_text(run: ImportRun) -> str:
    totals = [sum(c) for c in zip(*(_result_counts(s) for s in run.shops), strict=True)]
    totals = totals or [0] * 6
    seen = sum(totals)
    if run.stopped:
        text = _("Import stopped: {seen} orders from Amazon: {counts}.")
    else:
        text = _("Import finished: {seen} orders from Amazon: {counts}.")
    text = text.format(seen=seen, counts=counts_text(*totals))
    failed = [s.shop_name for s in run.shops if s.error]
    if failed:
        text += " " + _("Failed: {shops}.").format(shops=", ".join(failed))
    return text


# ---------------------------------------------------------------------------------------------
# The import run.


@dataclass
class ShopTask:
    """An integration to import, with the refresh token read before the run starts."""

    integration: Integration
    refresh_token: str


class Importer:
    """Runs one import over a set of shops. Build one per run.

    `client` is a glstui.amazon.client.SpApiClient (anything with its `search_orders`);
    `secrets` has `.get(name)`; `store` is a glstui.store.Store.
    """

    def __init__(
        self,
        store: Any,
        secrets: Any,
        client: Any,
        clock: Clock,
        report: Reporter = ignore,
        *,
        user: str | None = None,
    ) -> None:
        self.store = store
        self.secrets = secrets
        self.client = client
        self.clock = clock
        self.report = report
        self._write_lock = asyncio.Lock()
        self.run = ImportRun(id=uuid.uuid4().hex[:12], user=user or current_user())

    def _say(self, text: str, level: str = INFO, shop: str = "") -> None:
        self._emit(LogLine(text, level, shop))

    def _emit(self, line: LogLine) -> None:
        log.log(_LEVELS.get(line.level, logging.INFO), "%s", line.text)
        self.report(line)

    async def _write(self, fn: Callable[[Any], T], then: Callable[[T], None]) -> T:
        """Run `fn(tx)` in one store write off the event loop, then `then(result)`.

        A stop (CancelledError) that arrives while the write runs lets the write finish and
        `then` see its result, so the counts match what was stored; then the stop goes on.
        """

        def job() -> T:
            with self.store.write() as tx:
                return fn(tx)

        async with self._write_lock:
            result = await _finish_then_cancel(asyncio.to_thread(job), then)
        return result

    # -- planning ---------------------------------------------------------------------------

    def plan(self, integration_ids: list[str]) -> tuple[list[ShopTask], list[ShopRunResult]]:
        """Split the chosen shops into those that can run and those that cannot (with why)."""
        with self.store.read() as view:
            chosen = [view.integrations.get(i) for i in integration_ids]
        tasks: list[ShopTask] = []
        refused: list[ShopRunResult] = []
        for iid, integ in zip(integration_ids, chosen, strict=True):
            if integ is None:
                refused.append(ShopRunResult(iid, iid, error=_("This shop no longer exists.")))
                continue
            reason = not_importable_reason(integ)
            token = None
            if not reason:
                try:
                    token = self.secrets.get(refresh_token_name(integ.id))
                except SecretsError as exc:
                    token, reason = None, exc.user_message
                if not token and not reason:
                    reason = _("No Amazon refresh token is stored: re-connect this shop.")
            if reason:
                refused.append(ShopRunResult(integ.id, integ.shop_name, error=reason))
            else:
                tasks.append(ShopTask(integ, token or ""))
        return tasks, refused

    # -- the run ----------------------------------------------------------------------------

    async def run_shops(self, integration_ids: list[str]) -> ImportRun:
        """Import the given shops (by id), all at once; returns the recorded ImportRun.

        When cancelled, the run is recorded as stopped and CancelledError is raised again.
        """
        run = self.run
        run.started_at = self.clock.now()
        tasks, refused = await asyncio.to_thread(self.plan, integration_ids)
        for result in refused:
            self._say(
                _("{shop}: not imported: {why}").format(shop=result.shop_name, why=result.error),
                ERROR,
                result.shop_name,
            )
        results = {
            t.integration.id: ShopRunResult(t.integration.id, t.integration.shop_name)
            for t in tasks
        }
        run.shops = [*refused, *results.values()]
        total = len(tasks)
        done = 0
        self.report(Progress("", 0, total))
        if not tasks:
            self._say(_("No shop can be imported."), WARNING)

        async def one(task: ShopTask) -> None:
            nonlocal done
            await self._import_shop(task, results[task.integration.id])
            done += 1
            self.report(Progress("", done, total))

        try:
            await asyncio.gather(*(one(t) for t in tasks))
        except asyncio.CancelledError:
            run.stopped = True
            run.finished_at = self.clock.now()
            await _finish_then_cancel(asyncio.to_thread(self._record_run))
            self._say(summary_text(run), WARNING)
            self._say(_("Import stopped: the pages stored so far are kept."), WARNING)
            raise
        run.finished_at = self.clock.now()
        await asyncio.to_thread(self._record_run)
        self._say(summary_text(run), ERROR if run.failed else INFO)
        return run

    def _record_run(self) -> None:
        run = self.run
        with self.store.write() as tx:
            tx.runs.put(run)
            # The audit log keeps runs that changed something or failed, so a cron import
            # every few minutes does not fill it with empty runs.
            if (
                run.stopped
                or run.failed
                or any(s.new or s.updated or s.cancelled for s in run.shops)
            ):
                audit.record(
                    tx, audit.IMPORT_RUN, summary_text(run), user=run.user, clock=self.clock
                )

    async def _import_shop(self, task: ShopTask, result: ShopRunResult) -> None:
        integ = task.integration
        shop = integ.shop_name
        try:
            await self._import_pages(task, result)
        except GrantRevoked:
            result.error = _("Amazon consent was revoked or expired: re-connect this shop.")
            self._say(f"{shop}: {result.error}", ERROR, shop)
            await self._write(lambda tx: _mark_needs_reauth(tx, integ.id), lambda _r: None)
        except AmazonError as exc:
            result.error = getattr(exc, "user_message", "") or str(exc)
            self._say(
                _("{shop}: import failed: {why}").format(shop=shop, why=result.error), ERROR, shop
            )
        except StoreError as exc:  # busy (another process holds the lock) or cannot write
            result.error = exc.message
            self._say(
                _("{shop}: import failed: {why}").format(shop=shop, why=result.error), ERROR, shop
            )
        except MissingPiiRole:
            result.error = missing_pii_text(shop)
            self._say(result.error, ERROR, shop)
        except ShopDeleted:
            result.error = _("This shop was deleted during the import.")
            self._say(f"{shop}: {result.error}", ERROR, shop)
        except Exception as exc:  # one shop's failure must not stop the others
            log.exception("import of shop %s failed", integ.id)
            result.error = _("unexpected error ({kind}); see the log file").format(
                kind=type(exc).__name__
            )
            self._say(
                _("{shop}: import failed: {why}").format(shop=shop, why=result.error), ERROR, shop
            )
        else:
            self._say(
                _("{shop}: done: {counts}.").format(
                    shop=shop, counts=counts_text(*_result_counts(result))
                ),
                INFO,
                shop,
            )

    async def _import_pages(self, task: ShopTask, result: ShopRunResult) -> None:
        integ = task.integration
        shop = integ.shop_name
        days = await asyncio.to_thread(self._first_import_days)
        window = search_window(integ, self.clock.now(), days)
        self.report(Progress(integ.id, 0, None))
        try:
            await self._search(task, window, result)
        except AmazonApiError as exc:
            if not window.token or result.pages or exc.status != 400:
                raise
            # Amazon refused the saved page token (expired?): search again from the cursor.
            self._say(
                _("{shop}: could not continue the interrupted import; starting it again.").format(
                    shop=shop
                ),
                WARNING,
                shop,
            )
            integ.import_resume = {}
            await self._search(task, search_window(integ, self.clock.now(), days), result)

    async def _search(self, task: ShopTask, window: SearchWindow, result: ShopRunResult) -> None:
        integ = task.integration
        shop = integ.shop_name
        if window.token:
            text = _("{shop}: continuing the interrupted import.")
        elif window.created_after is not None:
            text = _("{shop}: first import: orders created since {when}.")
        else:
            text = _("{shop}: orders updated since {when}.")
        when = local_iso(window.created_after or window.last_updated_after)
        self._say(text.format(shop=shop, when=when), INFO, shop)

        seen = 0

        def account(outcomes: list[PageOutcome], staged: list[StagedPage]) -> None:
            nonlocal seen
            for outcome, page in zip(outcomes, staged, strict=True):
                result.pages += 1
                result.new += outcome.new
                result.updated += outcome.updated
                result.cancelled += outcome.cancelled
                result.held += outcome.held
                result.unchanged += outcome.unchanged
                result.skipped_cancelled += outcome.skipped_cancelled
                result.skipped_by_rule += outcome.skipped_by_rule
                seen += len(page.orders)
                for line in outcome.lines:
                    self._emit(line)
                self._say(
                    _("{shop}: page {page}: {n} orders: {counts}.").format(
                        shop=shop,
                        page=result.pages,
                        n=len(page.orders),
                        counts=counts_text(
                            outcome.new,
                            outcome.updated,
                            outcome.cancelled,
                            outcome.unchanged,
                            outcome.skipped_cancelled,
                            outcome.skipped_by_rule,
                        ),
                    ),
                    INFO,
                    shop,
                )

        pages = self.client.search_orders(
            task.refresh_token,
            integ.region,
            integ.marketplace_ids,
            created_after=window.created_after,
            last_updated_after=window.last_updated_after,
            fulfillment_statuses=FULFILLMENT_STATUSES,
            included_data=INCLUDED_DATA,
            pagination_token=window.token,
        )
        prefetch = Prefetch(pages, MAX_PAGES_PER_WRITE)
        try:
            while not prefetch.done:
                batch, failure = await prefetch.next_batch()
                await asyncio.sleep(0)  # a stop asked meanwhile lands here, before the write
                # Mapping a batch of orders takes tens of milliseconds: off the event
                # loop, so the screen keeps answering keys during an import.
                staged = await asyncio.to_thread(
                    lambda batch=batch: [self._stage(integ, window, p) for p in batch]
                )
                blind = [page_lacks_pii(p.orders, SHIPPABLE) for p in staged]
                if any(blind):  # store the pages before it, then stop this shop
                    staged = staged[: blind.index(True)]
                    failure, prefetch.done = MissingPiiRole(), True
                if staged:
                    await self._write(
                        partial(
                            store_pages,
                            integration_id=integ.id,
                            pages=staged,
                            now=self.clock.now(),
                            new_before=result.new,
                        ),
                        partial(account, staged=staged),
                    )
                    last = staged[-1]
                    if last.cursor is not None:
                        integ.import_cursor = last.cursor
                    integ.import_resume = last.resume
                    self.report(Progress(integ.id, seen, None if last.more else seen))
                if failure is not None:
                    raise failure
        finally:
            prefetch.close()
        self.report(Progress(integ.id, seen, seen))

    def _stage(self, integ: Integration, window: SearchWindow, page: Any) -> StagedPage:
        """Parse a page and work out the resume point / cursor stored with it."""
        orders = [order_from_api(raw, integ.id, self.clock) for raw in page.orders]
        window.newest = max(
            [d for d in (window.newest, *(o.last_updated_at for o in orders)) if d],
            default=None,
        )
        if page.next_token:
            window.token, window.saved_at = page.next_token, self.clock.now()
            return StagedPage(orders, window.to_resume(), None, True)
        return StagedPage(orders, {}, final_cursor(window, page), False)

    def _first_import_days(self) -> int:
        with self.store.read() as view:
            return view.settings.get().first_import_days


def local_iso(value: datetime | None) -> str:
    """A time for a log line: local time, to the minute."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "?"


def current_user() -> str:
    """The OS user running the import, recorded with the run."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


_LEVELS = {INFO: logging.INFO, WARNING: logging.WARNING, ERROR: logging.ERROR}


async def _finish_then_cancel(
    awaitable: Awaitable[T], then: Callable[[T], None] | None = None
) -> T:
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


async def import_shops(
    ctx: Any, integration_ids: list[str], report: Reporter = ignore, *, user: str | None = None
) -> ImportRun:
    """Import the given shops with the context's store, keys and Amazon endpoints.

    Raises glstui.services.context.MissingCredentials when the Amazon app keys are not set.
    """
    async with ctx.http_client() as http:
        client = ctx.amazon_client(http)
        importer = Importer(ctx.store, ctx.secrets, client, ctx.clock, report, user=user)
        return await importer.run_shops(integration_ids)
