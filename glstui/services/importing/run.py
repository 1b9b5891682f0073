"""The import run: the shops of one import, each searched page by page, side by side.

One shop failing (revoked consent, Amazon errors) never stops the other shops; progress goes
to a `report` callback (LogLine/Progress) that the TUI and the headless command render; lines
carry order id, country and item count only, never buyer data.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from glstui.amazon.client import OrdersPage, SpApiClient
from glstui.amazon.errors import AmazonApiError, AmazonError, GrantRevoked
from glstui.amazon.mapping import order_from_api
from glstui.domain.clock import Clock
from glstui.domain.integration import Integration
from glstui.domain.order_kinds import page_lacks_pii
from glstui.domain.run import ImportRun, ShopRunResult
from glstui.i18n import _
from glstui.secrets import SecretsError
from glstui.services import audit
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Progress, Reporter, ignore
from glstui.services.importing.gc_pause import full_collections_paused
from glstui.services.importing.merge import PageOutcome
from glstui.services.importing.pages import (
    MAX_PAGES_PER_WRITE,
    MissingPiiRole,
    Prefetch,
    ShopDeleted,
    StagedPage,
    finish_then_cancel,
    mark_needs_reauth,
    store_pages,
)
from glstui.services.importing.sources import (
    FULFILLMENT_STATUSES,
    INCLUDED_DATA,
    SHIPPABLE,
    OrderSearch,
    SecretReader,
    ShopTask,
    current_user,
)
from glstui.services.importing.texts import (
    counts_text,
    local_iso,
    missing_pii_text,
    not_importable_reason,
    result_counts,
    summary_text,
)
from glstui.services.importing.window import SearchWindow, final_cursor, search_window
from glstui.services.integrations import refresh_token_name
from glstui.store import Store, StoreError, WriteTx

if TYPE_CHECKING:
    from glstui.services.context import AppContext

log = logging.getLogger("glstui.import")

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------
# The import run.


class Importer:
    """Runs one import over a set of shops. Build one per run.

    `client` is a glstui.amazon.client.SpApiClient (anything with its `search_orders`);
    `secrets` has `.get(name)`; `store` is a glstui.store.Store.
    """

    def __init__(
        self,
        store: Store,
        secrets: SecretReader,
        client: OrderSearch,
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

    async def _write(self, fn: Callable[[WriteTx], T], then: Callable[[T], None]) -> T:
        """Run `fn(tx)` in one store write off the event loop, then `then(result)`.

        A stop (CancelledError) that arrives while the write runs lets the write finish and
        `then` see its result, so the counts match what was stored; then the stop goes on.
        """

        def job() -> T:
            with self.store.write() as tx:
                return fn(tx)

        async with self._write_lock:
            result = await finish_then_cancel(asyncio.to_thread(job), then)
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
        No full garbage collection runs meanwhile (see gc_pause: key presses waited for them).
        """
        with full_collections_paused():
            return await self._run_shops(integration_ids)

    async def _run_shops(self, integration_ids: list[str]) -> ImportRun:
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
            await finish_then_cancel(asyncio.to_thread(self._record_run))
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
            await self._write(lambda tx: mark_needs_reauth(tx, integ.id), lambda _r: None)
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
                    shop=shop, counts=counts_text(*result_counts(result))
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
            included_data=await asyncio.to_thread(self._included_data),
            pagination_token=window.token,
        )
        prefetch = Prefetch(pages, MAX_PAGES_PER_WRITE)
        try:
            while not prefetch.done:
                batch, failure = await prefetch.next_batch()
                await asyncio.sleep(0)  # a stop asked meanwhile lands here, before the write
                # Mapping a batch of orders takes tens of milliseconds: off the event
                # loop, so the screen keeps answering keys during an import.
                staged = await asyncio.to_thread(self._stage_all, integ, window, batch)
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

    def _stage_all(
        self, integ: Integration, window: SearchWindow, batch: list[OrdersPage]
    ) -> list[StagedPage]:
        return [self._stage(integ, window, page) for page in batch]

    def _stage(self, integ: Integration, window: SearchWindow, page: OrdersPage) -> StagedPage:
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

    def _included_data(self) -> tuple[str, ...]:
        """BUYER (the buyer's Amazon relay e-mail) only when the operator asked for GLS's
        delivery notifications: otherwise glstui does not fetch what it would not use."""
        with self.store.read() as view:
            wanted = view.settings.get().gls_buyer_notifications
        return (*INCLUDED_DATA, "BUYER") if wanted else INCLUDED_DATA


_LEVELS = {INFO: logging.INFO, WARNING: logging.WARNING, ERROR: logging.ERROR}


async def import_shops(
    ctx: AppContext,
    integration_ids: list[str],
    report: Reporter = ignore,
    *,
    user: str | None = None,
    on_client: Callable[[SpApiClient], None] | None = None,
) -> ImportRun:
    """Import the given shops with the context's store, keys and Amazon endpoints.

    `on_client` sees the Amazon client before its first call (seller_turns: the buckets go on
    from the state the last run left). Raises glstui.services.context.MissingCredentials when
    the Amazon app keys are not set.
    """
    async with ctx.http_client() as http:
        client = ctx.amazon_client(http)
        if on_client is not None:
            on_client(client)
        importer = Importer(ctx.store, ctx.secrets, client, ctx.clock, report, user=user)
        return await importer.run_shops(integration_ids)
