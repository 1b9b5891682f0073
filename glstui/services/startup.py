"""What glstui does each time it starts, before the operator needs it: tidy up, catch up.

1. Purge buyer data that is past its retention (Amazon's data protection policy), so a
   warehouse that only ever opens the TUI still purges without a cron job.
2. Move orders shipped over a month ago to the monthly archives (keeps the hot file small).
3. Record labels a stopped run left behind, then send the tracking codes that are due: the
   two halves of labelling.on_start, called apart so start-up knows what was recovered and
   asks nothing of Amazon (and needs no Amazon keys) when no confirmation is pending.

Each step runs on its own: a failure is reported as one clear line and the next step still
runs; nothing here raises. Blocking store work runs in threads so the TUI stays responsive.
Quiet when there is nothing to do: no line, no write beyond the purge/archive checks, and
`StartResult.needs_attention` stays False, so the TUI shows no toast on an ordinary start.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from glstui import config
from glstui.i18n import _
from glstui.services import labelling, outbox, retention
from glstui.services.context import AppContext, MissingCredentials
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Reporter, ignore

log = logging.getLogger("glstui.startup")


@dataclass
class StartResult:
    purged: int = 0  # orders whose buyer data was removed
    archived: int = 0  # orders moved to the archives
    recovered: int = 0  # labels a stopped run made, recorded now
    uncertain: int = 0  # orders whose label may exist at GLS (operator must check)
    delivery: outbox.DeliveryResult | None = None  # None: nothing pending or it could not run
    problems: list[str] = field(default_factory=list)  # steps that failed (their messages)

    @property
    def needs_attention(self) -> bool:
        """Something happened the operator should hear about (the TUI shows a toast)."""
        return bool(self.problems or self.recovered or self.uncertain or self.sent or self.refused)

    @property
    def sent(self) -> int:
        return self.delivery.sent if self.delivery is not None else 0

    @property
    def refused(self) -> int:
        return self.delivery.failed if self.delivery is not None else 0


def _message(exc: BaseException) -> str:
    return (
        getattr(exc, "user_message", None)
        or getattr(exc, "message", None)
        or str(exc)
        or type(exc).__name__
    )


async def on_start(ctx: AppContext, report: Reporter = ignore) -> StartResult:
    """Purge, archive, then record leftover labels and deliver due confirmations."""
    result = StartResult()

    def failed(step: str, exc: BaseException) -> None:
        text = _("Start-up: {step} failed: {error}").format(step=step, error=_message(exc))
        log.error("start-up %s failed", step, exc_info=exc)
        result.problems.append(text)
        report(LogLine(text, ERROR))

    # The labels directory as a path only: start-up creates nothing it does not need.
    labels_dir = config.labels_dir(ctx.data_dir, create=False)
    try:
        purge = await asyncio.to_thread(
            retention.purge_pii, ctx.store, ctx.clock, labels_dir=labels_dir
        )
        result.purged = purge.orders
        if purge.orders:
            report(LogLine(retention.summary_text(purge), INFO))
    except Exception as exc:
        failed(_("removing old buyer data"), exc)

    try:
        result.archived = await asyncio.to_thread(ctx.store.archive_shipped)
        if result.archived:
            text = _("{n} orders shipped over a month ago moved to the archive.")
            report(LogLine(text.format(n=result.archived), INFO))
    except Exception as exc:
        failed(_("archiving shipped orders"), exc)

    try:
        found = await asyncio.to_thread(
            labelling.reconcile, ctx.store, ctx.clock, labels_dir, report
        )
        result.recovered, result.uncertain = len(found.recovered), len(found.uncertain)
    except Exception as exc:
        failed(_("recording labels left by a stopped run"), exc)

    try:
        if await asyncio.to_thread(outbox.next_due, ctx.store, ctx.clock) is not None:
            result.delivery = await outbox.deliver_pending(ctx, report)
    except MissingCredentials as exc:
        report(LogLine(_("Tracking codes wait: {error}").format(error=exc), WARNING))
    except Exception as exc:
        failed(_("sending tracking codes"), exc)
    return result
