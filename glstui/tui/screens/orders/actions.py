"""The Orders screen's actions: create labels (c), reprint (p), delete a label (D), retry (r)
or mark done (m) a refused confirmation, create a label anyway (F), clear 'label at GLS?'.

Each runs as one async worker (group ACTIONS, never two at once) under the app's delivery
lock and streams its report lines into the log pane, which takes the place of the details
pane while it runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from textual import work

from glstui.domain.errors import GlstuiError
from glstui.domain.order import LABELLED, SHIPPED
from glstui.domain.shipment import FAILED, PENDING
from glstui.i18n import N_, _, plural
from glstui.services import labelling, outbox
from glstui.services.context import MissingCredentials
from glstui.services.events import ERROR, INFO, WARNING
from glstui.tui import errors
from glstui.tui.screens.orders.view import OrdersView
from glstui.tui.widgets.confirm import ConfirmModal
from glstui.tui.widgets.log_pane import LogPane

ACTIONS = "orders-action"  # worker group: one label / tracking action at a time


class OrderActions(OrdersView):
    """The labelling and tracking actions on the highlighted or marked orders."""

    def _order_id(self, key: str) -> str:
        return self.svc.order_id(key)

    def _can_start(self) -> bool:
        if self.busy:
            self.say(_("Wait: {what} is still running.").format(what=self.busy), WARNING, False)
            return False
        return True

    def _start(self, what: str) -> None:
        self.busy = what
        self.progress = ""
        self._show_log(True)
        self._show_counts()

    def _finish(self) -> None:
        self.busy = ""
        self.progress = ""
        log = self.query_one(LogPane)
        log.flush()
        self.call_after_refresh(log.scroll_end, animate=False)
        self.load()

    async def _exclusive(self) -> asyncio.Lock:
        """The app's delivery lock: no tracking delivery runs beside a label action."""
        lock: asyncio.Lock | None = getattr(self.app, "outbox_lock", None)
        if lock is None:
            lock = asyncio.Lock()
        if lock.locked():
            self.log_line(_("Waiting for the tracking codes being sent right now..."))
        return lock

    # c: create labels

    def action_create_labels(self) -> None:
        keys = self.selected_keys
        if not keys:
            key = self.current_key()
            keys = [key] if key else []
        if not keys or not self._can_start():
            return
        self._start(_("creating labels"))
        self.log_line(
            plural(
                len(keys),
                N_("Creating a label for {n} order..."),
                N_("Creating labels for {n} orders..."),
            )
        )
        self.run_labels(keys, force=False)

    @work(exclusive=True, group=ACTIONS)
    async def run_labels(self, keys: list[str], force: bool = False) -> None:
        with self._action():
            lock = await self._exclusive()
            async with lock:
                run = await labelling.create_labels(
                    self.ctx, keys, self.report, force=force, deliver=True
                )
            self.last_run = run
            self._after_labels(run)

    def _after_labels(self, run: labelling.LabelRun) -> None:
        done = {o.order_key for o in run.outcomes if o.status in (labelling.DONE, labelling.SKIP)}
        done |= {o.order_key for o in run.outcomes if o.status == labelling.HOLD}
        self.marked -= done
        if run.error and not run.outcomes:
            self.say(run.error, ERROR, log=False)  # the run's report logged it
            return
        lines = [
            _("Labelled {n}").format(n=run.labelled)
            + (" · " + _("held {n} (reasons in the log)").format(n=run.held) if run.held else "")
            + (
                " · " + _("failed {n}").format(n=run.failed + run.unknown)
                if run.failed + run.unknown
                else ""
            )
        ]
        if run.skipped:
            lines.append(
                _("skipped {n} (already labelled, held or cancelled)").format(n=run.skipped)
            )
        delivery = run.delivery
        if delivery is not None:
            if delivery.sent:
                lines.append(
                    plural(
                        delivery.sent,
                        N_("{n} tracking code sent to Amazon"),
                        N_("{n} tracking codes sent to Amazon"),
                    )
                )
            if delivery.failed:
                lines.append(_("{n} refused by Amazon: n goes to them").format(n=delivery.failed))
            waiting = delivery.retry_later + delivery.blocked
            if waiting:
                lines.append(_("{n} tracking code(s) wait (see the log)").format(n=waiting))
        if run.unknown:
            lines.append(
                _("{n} may already have a label at GLS: check, then F").format(n=run.unknown)
            )
        bad = run.failed or run.unknown or (delivery is not None and delivery.failed)
        level = ERROR if bad else WARNING if (run.held or run.error) else INFO
        self.say(" · ".join(lines), level)

    @contextmanager
    def _action(self) -> Iterator[None]:
        """The body of one action's worker: an error goes to the log and the status line,
        and the screen is never left busy (the counts line says what runs)."""
        try:
            yield
        except MissingCredentials as exc:
            self.say(str(exc), ERROR)
        except GlstuiError as exc:
            self.say(errors.operator_message(exc, None), ERROR)
        finally:
            self._finish()

    # p: reprint

    def action_reprint(self) -> None:
        key = self.current_key()
        if key is None or not self._can_start():
            return
        self._start(_("printing"))
        self.run_reprint(key)

    @work(exclusive=True, group=ACTIONS)
    async def run_reprint(self, key: str) -> None:
        with self._action():
            result = await labelling.reprint_order_label(self.ctx, key, self.report)
            if result.printed:
                text = _("Label of order {order} sent to the printer.").format(
                    order=self._order_id(key)
                )
                self.say(text)
            elif result.files:
                self.say(result.message)
            else:
                self.say(result.message, WARNING)

    # D / ctrl+d: delete the label at GLS

    def action_delete_label(self) -> None:
        key = self.current_key()
        if key is None or not self._can_start():
            return
        order_id = self._order_id(key)
        row = self.query_svc.by_key(key) if self.query_svc else None
        summary = self.tracking.get(key)
        if row is None or row.state not in (LABELLED, SHIPPED):
            text = _("Order {order} has no label to delete.").format(order=order_id)
            self.say(text, WARNING, log=False)
            return
        if row.state == SHIPPED or (summary and (summary.sent or summary.skipped)):
            # Amazon shows the tracking code already: the service refuses and says why.
            self._start(_("deleting the label"))
            self.run_delete(key)
            return

        def answered(yes: bool | None) -> None:
            if yes and self._can_start():
                self._start(_("deleting the label"))
                self.log_line(
                    _("Deleting the label of order {order} at GLS...").format(order=order_id)
                )
                self.run_delete(key)

        self.app.push_screen(
            ConfirmModal(
                _("Delete the GLS label of order {order}?").format(order=order_id),
                yes=_("Delete label"),
                detail=_(
                    "GLS cancels the parcel and the order is new again; its tracking code is "
                    "not sent to Amazon. Throw the printed label away."
                ),
                danger=True,
            ),
            answered,
        )

    @work(exclusive=True, group=ACTIONS)
    async def run_delete(self, key: str) -> None:
        with self._action():
            lock = await self._exclusive()
            async with lock:
                result = await labelling.delete_order_label(self.ctx, key, self.report)
            if result.deleted:
                self.say(result.message)
            elif result.refused:
                self.say(_("Label not deleted: {why}").format(why=result.message), ERROR)
            else:
                self.say(result.message, WARNING)

    # r: retry a refused confirmation;  m: mark it done by hand

    def action_retry(self) -> None:
        key = self.current_key()
        if key is None or not self._can_start():
            return
        if self.refused_as_cancelled(key):  # also from the command palette
            self.say(
                _(
                    "Order {order} is cancelled on Amazon: sending its tracking code again is "
                    "refused again. D deletes the GLS label."
                ).format(order=self._order_id(key)),
                WARNING,
                log=False,
            )
            return
        self._start(_("sending the tracking code"))
        self.log_line(
            _("Sending the tracking code of order {order} again...").format(
                order=self._order_id(key)
            )
        )
        self.run_retry(key)

    @work(exclusive=True, group=ACTIONS)
    async def run_retry(self, key: str) -> None:
        order_id = self._order_id(key)
        with self._action():
            lock = await self._exclusive()
            async with lock:
                queued = await asyncio.to_thread(
                    outbox.retry_order, self.ctx.store, key, self.ctx.clock
                )
                if not queued:
                    text = _("Order {order} has no tracking code waiting.").format(order=order_id)
                    self.say(text, WARNING)
                    return
                result = await outbox.deliver_pending(self.ctx, self.report, order_keys=[key])
            if result.failed:
                error = self.svc.tracking(key).last_error
                self.say(
                    _("Order {order}: Amazon refused it again: {error}").format(
                        order=order_id, error=error
                    ),
                    ERROR,
                )
            elif result.sent:
                self.say(_("Order {order}: tracking code sent to Amazon.").format(order=order_id))
            else:
                self.say(
                    _("Order {order}: not sent yet; it is tried again automatically.").format(
                        order=order_id
                    ),
                    WARNING,
                )

    def action_mark_done(self) -> None:
        key = self.current_key()
        if key is None or not self._can_start():
            return
        summary = self.tracking.get(key)
        ids = [e.id for e in summary.entries if e.state in (PENDING, FAILED)] if summary else []
        if not ids:
            return
        order_id = self._order_id(key)

        def answered(yes: bool | None) -> None:
            if yes and self._can_start():
                self._start(_("marking done"))
                self.run_mark_done(key, ids)

        self.app.push_screen(
            ConfirmModal(
                _("Mark the tracking code of order {order} as done by hand?").format(
                    order=order_id
                ),
                yes=_("Done by hand"),
                detail=_(
                    "Only when you confirmed the shipment in Seller Central yourself: glstui "
                    "stops sending this tracking code and the order counts as shipped."
                ),
                danger=True,
            ),
            answered,
        )

    @work(exclusive=True, group=ACTIONS)
    async def run_mark_done(self, key: str, entry_ids: list[str]) -> None:
        order_id = self._order_id(key)

        def mark() -> None:
            for entry_id in entry_ids:
                outbox.mark_done(self.ctx.store, entry_id, self.ctx.clock)

        with self._action():
            lock = await self._exclusive()
            async with lock:
                await asyncio.to_thread(mark)
            text = _("Order {order}: marked done by hand; glstui no longer sends it.").format(
                order=order_id
            )
            self.say(text)

    # F: a label may already exist at GLS

    def action_force(self) -> None:
        key = self.current_key()
        if key is None or key not in self.pending_labels or not self._can_start():
            return
        order_id = self._order_id(key)

        def answered(yes: bool | None) -> None:
            if yes and self._can_start():
                self._start(_("creating labels"))
                self.log_line(
                    _("Creating the label of order {order} anyway...").format(order=order_id)
                )
                self.run_labels([key], force=True)

        self.app.push_screen(
            ConfirmModal(
                _("Create a label for order {order} anyway?").format(order=order_id),
                yes=_("Create anyway"),
                detail=_(
                    "glstui asked GLS for this label and got no answer, so a label with "
                    "reference {order} may already exist. If it does, this makes a SECOND "
                    "label and parcel for the same order. Look for {order} in the GLS portal "
                    "first; delete it there, or print that one instead."
                ).format(order=order_id),
                danger=True,
            ),
            answered,
        )

    def action_forget_pending(self) -> None:
        key = self.current_key()
        if key is None or key not in self.pending_labels or not self._can_start():
            return
        order_id = self._order_id(key)

        def answered(yes: bool | None) -> None:
            if yes:
                labelling.forget_pending_label(self.ctx.store, key)
                self.log_line(
                    _("Order {order}: warning cleared; c creates its label.").format(order=order_id)
                )
                self.load()

        self.app.push_screen(
            ConfirmModal(
                _("GLS has no label for order {order}: clear the warning?").format(order=order_id),
                detail=_(
                    "Only when the GLS portal shows no label with reference {order}; then c "
                    "creates its label as usual."
                ).format(order=order_id),
                danger=True,
            ),
            answered,
        )
