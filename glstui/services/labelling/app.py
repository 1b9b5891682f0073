"""The label actions as the TUI and the CLI call them: with the AppContext's clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from glstui.i18n import _
from glstui.services.events import ERROR, WARNING, LogLine, Reporter, ignore
from glstui.services.labelling import lookup as label_recovery
from glstui.services.labelling import partial as partial_shipments
from glstui.services.labelling.create import label_orders
from glstui.services.labelling.delete import DeleteResult, delete_label
from glstui.services.labelling.outcomes import LabelRun
from glstui.services.labelling.recover import ReconcileResult, reconcile
from glstui.services.labelling.reprint import ReprintResult, reprint

if TYPE_CHECKING:
    from glstui.services.context import AppContext
    from glstui.services.outbox import DeliveryResult


async def create_labels(
    ctx: AppContext,
    order_keys: Iterable[str],
    report: Reporter = ignore,
    *,
    force: bool = False,
    deliver: bool = True,
    lookup: label_recovery.LabelLookup | None = None,
) -> LabelRun:
    """Labels for the selected orders, then (when any was made) send the confirmations.

    `lookup` finds labels GLS made whose answer was lost (default: GLS Track & Trace)."""
    from glstui.services import outbox
    from glstui.services.context import MissingCredentials

    keys = list(order_keys)
    async with ctx.http_client() as http:
        try:
            gls = ctx.gls_client(http)
        except MissingCredentials as exc:
            report(LogLine(exc.user_message, ERROR))
            return LabelRun(error=exc.user_message)
        with contextlib.suppress(MissingCredentials):  # without keys: refused per order
            await partial_shipments.read_packages(
                ctx.store, ctx.amazon_client(http), ctx.refresh_token, ctx.clock, keys, report
            )
        run = await label_orders(
            ctx.store,
            gls,
            ctx.clock,
            ctx.labels_dir,
            keys,
            report,
            force=force,
            lookup=lookup or label_recovery.lookup_for(ctx, http),
        )
        if deliver and run.labelled:
            try:
                client = ctx.amazon_client(http)
            except MissingCredentials as exc:
                report(
                    LogLine(
                        _("Tracking codes wait: {error}").format(error=exc.user_message), WARNING
                    )
                )
                return run
            run.delivery = await outbox.deliver(
                ctx.store,
                client,
                ctx.refresh_token,
                ctx.clock,
                report,
                amazon_live=outbox.amazon_is_live(ctx),
                reader=client,
            )
    return run


async def delete_order_label(
    ctx: AppContext, order_key: str, report: Reporter = ignore
) -> DeleteResult:
    from glstui.services.context import MissingCredentials

    async with ctx.http_client() as http:
        try:
            gls = ctx.gls_client(http)
        except MissingCredentials as exc:
            report(LogLine(exc.user_message, ERROR))
            return DeleteResult(message=exc.user_message)
        return await delete_label(
            ctx.store, gls, ctx.clock, order_key, report, labels_dir=ctx.labels_dir
        )


async def reprint_order_label(
    ctx: AppContext, order_key: str, report: Reporter = ignore
) -> ReprintResult:
    return await reprint(ctx.store, order_key, report, labels_dir=ctx.labels_dir)


def reconcile_labels(ctx: AppContext, report: Reporter = ignore) -> ReconcileResult:
    return reconcile(ctx.store, ctx.clock, ctx.labels_dir, report)


async def on_start(ctx: AppContext, report: Reporter = ignore) -> DeliveryResult | None:
    """What the app does at every start: record labels a stopped run left, then send the
    confirmations that are due. Returns the DeliveryResult (None: Amazon keys not set)."""
    from glstui.services import outbox
    from glstui.services.context import MissingCredentials

    await asyncio.to_thread(reconcile_labels, ctx, report)
    try:
        return await outbox.deliver_pending(ctx, report)
    except MissingCredentials as exc:
        report(LogLine(_("Tracking codes wait: {error}").format(error=exc.user_message), WARNING))
        return None
