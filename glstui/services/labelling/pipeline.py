"""Ask GLS for the labels of a run, chunk by chunk: claim, ask, keep the answer, record, tell.

A pipeline of chunks: ONE store write per chunk records the labels of the previous chunk and
sets the intent on the next one before GLS is asked for it (services/labelling/record.py).
GLS is asked a few orders at a time. When GLS answers, the label files and the receipt are
written before the store write. A GLS answer that certainly made no label (422 field errors,
401, connection refused) clears the intent; any other failure keeps it (the label may exist).
A refused login stops the run: the orders not sent yet fail with GLS's reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from glstui.domain.clock import Clock
from glstui.domain.integration import Integration
from glstui.domain.order import Order
from glstui.gls.client import LabelRequest, LabelResult
from glstui.gls.errors import GlsAuthError, GlsError, GlsValidationError
from glstui.i18n import _
from glstui.services import printing
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Reporter
from glstui.services.labelling import record
from glstui.services.labelling.files import label_files, save_label_files, write_receipt
from glstui.services.labelling.outcomes import (
    DONE,
    FAIL,
    SKIP,
    UNKNOWN,
    LabelOutcome,
    changed_meanwhile,
    pending_text,
)
from glstui.store import Store

log = logging.getLogger("glstui.labels")

CHUNK = 8  # orders per intent write / result write
CONCURRENCY = 4  # GLS requests at the same time


class LabelMaker(Protocol):
    """What a run needs of GLS (glstui.gls.client.GlsClient; tests pass a double)."""

    async def create_label(self, req: LabelRequest) -> LabelResult: ...


Finish = Callable[[LabelOutcome, str, str, str], None]  # outcome, level, text, shop


@dataclass
class Job:
    order: Order
    request: LabelRequest
    product: str
    weight: float
    outcome: LabelOutcome
    result: LabelResult | None = None
    files: list[Path] = field(default_factory=list)
    certain_failure: bool = False


def describe_gls_error(exc: GlsError) -> tuple[str, dict[str, list[str]]]:
    if isinstance(exc, GlsValidationError):
        fields = exc.field_problems()
        return exc.user_message, fields
    return exc.user_message, {}


async def print_outcomes(printer: str, outcomes: list[LabelOutcome], report: Reporter) -> None:
    for outcome in outcomes:
        if outcome.status != DONE:
            continue
        outcome.printed = bool(outcome.files)
        for path in outcome.files:
            printed = await printing.print_file(printer, path)
            if not printed.ok:
                outcome.printed = False
                text = _("Order {order}: {error}").format(
                    order=outcome.order_id, error=printed.message
                )
                report(LogLine(text, WARNING))


class Pipeline:
    """One run's way through GLS; `stop` holds the reason once the run must not go on."""

    def __init__(
        self,
        store: Store,
        gls: LabelMaker,
        clock: Clock,
        labels_dir: Path,
        shops: dict[str, Integration],
        finish: Finish,
        report: Reporter,
        *,
        force: bool,
        printer: str,
        concurrency: int,
    ) -> None:
        self.store = store
        self.gls = gls
        self.clock = clock
        self.labels_dir = labels_dir
        self.shops = shops
        self.finish = finish
        self.report = report
        self.force = force
        self.printer = printer  # "" = do not print
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.stop: list[str] = []
        self.stop_was_login = False

    async def run(self, jobs: list[Job], chunk: int) -> None:
        size = max(1, chunk)
        batches = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        asked: list[Job] = []  # GLS answered (or not): to be recorded
        refused: dict[str, str] = {}  # order key -> another shop row of it has a label
        position = 0
        while True:
            upcoming = batches[position] if position < len(batches) and not self.stop else []
            position += 1
            if not asked and not upcoming:
                break
            stored, claimed = await self._store_chunk(asked, upcoming, refused)
            for job in asked:
                self._report(job, stored)
            if self.printer:
                await print_outcomes(self.printer, [j.outcome for j in asked], self.report)
            self._settle_unclaimed(upcoming, claimed, refused)
            asked = [j for j in upcoming if j.order.key in claimed]
            await asyncio.gather(*(self._ask(j) for j in asked))

    async def _store_chunk(
        self, asked: list[Job], upcoming: list[Job], refused: dict[str, str]
    ) -> tuple[record.Stored, set[str]]:
        try:
            return await asyncio.to_thread(
                record.record_and_claim,
                self.store,
                self.labels_dir,
                asked,
                [j.order.key for j in upcoming],
                self.clock.now(),
                self.force,
                refused,
            )
        except Exception as exc:
            log.exception("storing labels failed")
            message = getattr(exc, "user_message", None) or str(exc)
            for job in asked:
                if job.result is not None:
                    job.outcome.status = UNKNOWN
                    job.outcome.message = _(
                        "Label made at GLS; storing it failed ({error}). It is recorded at the next start."  # noqa: E501
                    ).format(error=message)
            for job in upcoming:
                job.outcome.status = FAIL
                job.outcome.message = message
            self.stop.append(message)
            return {}, set()

    def _settle_unclaimed(
        self, upcoming: list[Job], claimed: set[str], refused: dict[str, str]
    ) -> None:
        for job in upcoming:
            if job.order.key in refused:
                job.outcome.status = SKIP
                job.outcome.message = refused[job.order.key]
            elif job.order.key not in claimed and job.outcome.status != FAIL:
                job.outcome.status = SKIP
                job.outcome.message = changed_meanwhile(job.order.order_id)
            if job.order.key not in claimed:
                self._report(job, {})

    async def _ask(self, job: Job) -> None:
        async with self.semaphore:
            if self.stop:
                job.certain_failure = True
                job.outcome.status = FAIL
                job.outcome.message = self.stop[0]
                return
            result = await self._create(job)
            if result is not None:
                await self._save(job, result)

    async def _create(self, job: Job) -> LabelResult | None:
        """GLS's answer; None with the outcome set when there is none."""
        try:
            job.result = await self.gls.create_label(job.request)
        except GlsAuthError as exc:
            self.stop_was_login = True
            self.stop.append(exc.user_message)
            job.certain_failure = True
            job.outcome.status = FAIL
            job.outcome.message = exc.user_message
        except GlsError as exc:
            message, fields = describe_gls_error(exc)
            job.outcome.field_errors = fields
            job.outcome.message = message
            if exc.outcome_unknown:
                job.outcome.status = UNKNOWN
            else:
                job.certain_failure = True
                job.outcome.status = FAIL
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # unexpected: the label may exist, keep the intent
            log.exception("Label/Create for %s failed unexpectedly", job.order.order_id)
            job.outcome.status = UNKNOWN
            job.outcome.message = type(exc).__name__
        return job.result

    async def _save(self, job: Job, result: LabelResult) -> None:
        """The label files and the receipt, durable before the store is told."""
        now = self.clock.now()
        try:
            job.files = await asyncio.to_thread(
                save_label_files, self.labels_dir, job.order, result, job.request.label_type, now
            )
            await asyncio.to_thread(
                write_receipt,
                self.labels_dir,
                job.order,
                result,
                job.files,
                job.request.label_type,
                job.product,
                job.weight,
                job.request.services,
                now,
            )
        except OSError as exc:
            # GLS made the label but we cannot keep it: the intent stays (label may exist).
            job.outcome.status = UNKNOWN
            job.outcome.message = _(
                "The label was made at GLS but could not be saved: {error}"
            ).format(error=exc.strerror or exc)

    def _report(self, job: Job, stored: record.Stored) -> None:
        integration = self.shops.get(job.order.integration_id)
        shop = integration.shop_name if integration is not None else ""
        outcome = job.outcome
        oid = job.order.order_id
        if job.result is not None and job.order.key in stored:
            shipment, queued = stored[job.order.key]
            outcome.status = DONE
            outcome.shipment_id = shipment.id
            outcome.parcel_numbers = list(shipment.parcel_numbers)
            outcome.files = [Path(p) for p in label_files(shipment)]
            outcome.queued_confirmations = queued
            text = _("Order {order}: label created, parcel {parcels}.").format(
                order=oid, parcels=", ".join(shipment.parcel_numbers)
            )
            self.finish(outcome, INFO, text, shop)
            if queued == 0 and integration is not None and not integration.update_tracking:
                text = _("Order {order}: tracking update is off for this shop; Amazon is not told.")
                self.report(LogLine(text.format(order=oid), INFO, shop))
        elif outcome.status == UNKNOWN or job.result is not None:
            # GLS made a label that is not stored (yet): the intent stays, reconcile tells.
            outcome.status = UNKNOWN
            text = _("Order {order}: {error}").format(order=oid, error=outcome.message)
            self.finish(outcome, ERROR, text, shop)
            self.report(LogLine(pending_text(job.order), WARNING, shop))
        elif outcome.status == SKIP:
            self.finish(outcome, WARNING, outcome.message, shop)
        else:
            outcome.status = FAIL
            first_line = outcome.message.splitlines()[0] if outcome.message else ""
            text = _("Order {order}: no label: {error}").format(order=oid, error=first_line)
            self.finish(outcome, ERROR, text, shop)
