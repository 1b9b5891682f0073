"""Create the GLS labels of a run: decide per order, adopt lost answers, then ask GLS.

Per order, before GLS is asked: skip what must not get a label (cancelled, held, already
labelled or shipped, a copy labelled in another shop row, a label request that may already
exist at GLS); hold (state held + reason) an address that cannot be split into street /
house number / addition or has an invalid postcode: the operator fixes it and creates the
label again (glstui.domain.label_request). An order whose earlier request may exist at GLS is
first searched for at GLS (services/labelling/lookup.py): a label found there is adopted,
never made twice. An order Amazon shows as partly shipped is labelled for its unshipped units
only, and only after its packages were read from Amazon (services/labelling/partial.py).
The rest goes to GLS in chunks (services/labelling/pipeline.py).

Rule decisions (order.decision, set by shipping rules) read here: `parcels`, `weight_kg` (per
parcel, default settings.default_weight_kg; GLS takes 0.2-31.9 kg), `label_format` (default
settings.label_format), `product` (the shippingMethod sent to Amazon, default
"BusinessParcel") and `services` (GLS services dict).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from glstui.domain.clock import Clock
from glstui.domain.integration import Integration
from glstui.domain.label_request import LabelHold, LabelRefused, product_of
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, Order
from glstui.domain.settings import Settings
from glstui.gls.client import LabelRequest
from glstui.i18n import _
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Progress, Reporter, ignore
from glstui.services.labelling import guard as label_guard
from glstui.services.labelling import lookup as label_recovery
from glstui.services.labelling import partial as partial_shipments
from glstui.services.labelling import record
from glstui.services.labelling.commit import order_shipments
from glstui.services.labelling.outcomes import (
    DONE,
    FAIL,
    HOLD,
    PROGRESS_SCOPE,
    SKIP,
    UNKNOWN,
    LabelOutcome,
    LabelRun,
    Tally,
    changed_meanwhile,
    pending_text,
)
from glstui.services.labelling.pipeline import CHUNK, CONCURRENCY, Job, LabelMaker, Pipeline
from glstui.services.labelling.request import build_request
from glstui.store import Store

Adopt = dict[
    str, tuple[Order, LabelOutcome, str, list[str]]
]  # key -> order, outcome, shop, parcels


@dataclass
class _Snapshot:
    """What the run reads from the store before it starts."""

    settings: Settings
    orders: dict[str, Order | None]
    shops: dict[str, Integration]
    twins: dict[str, str]  # order key -> why another shop row of it refuses a label
    pending: list[Order]  # new orders whose earlier label request may exist at GLS
    known: dict[str, set[str]]  # order key -> parcels already recorded

    def shop_name(self, order: Order) -> str:
        shop = self.shops.get(order.integration_id)
        return shop.shop_name if shop is not None else ""


@dataclass
class _Early:
    """An order settled before GLS is asked (or, with `adopt`, a label GLS already has)."""

    status: str
    level: str = WARNING
    text: str = ""
    message: str = ""  # the outcome's message when it differs from `text` (a hold reason)
    note: str = ""  # reported before the outcome (GLS could not be asked)
    adopt: list[str] | None = None  # parcel numbers GLS already has for the order


@dataclass
class _Plan:
    jobs: list[Job] = field(default_factory=list)
    holds: dict[str, str] = field(default_factory=dict)
    adopt: Adopt = field(default_factory=dict)


async def label_orders(
    store: Store,
    gls: LabelMaker,
    clock: Clock,
    labels_dir: Path,
    order_keys: Iterable[str],
    report: Reporter = ignore,
    *,
    force: bool = False,
    print_labels: bool = True,
    concurrency: int = CONCURRENCY,
    chunk: int = CHUNK,
    lookup: label_recovery.LabelLookup | None = None,
) -> LabelRun:
    """Create GLS labels for `order_keys` (see the module docstring for the rules).

    `gls` is a glstui.gls.client.GlsClient. An order whose earlier label request may exist
    at GLS is first looked up at GLS with `lookup` (services/labelling/lookup.py): a label
    found there is adopted, never made twice. `force=True` labels such an order when GLS
    shows none or cannot be asked (the operator checked the GLS portal).
    """
    run = LabelRun()
    keys = list(dict.fromkeys(order_keys))
    now = clock.now()
    seen = _snapshot(store, keys)
    verdicts: dict[str, label_recovery.Verdict] = {}
    if lookup is not None and seen.pending:
        verdicts = await label_recovery.gather_verdicts(lookup, seen.pending, seen.known)
    report(Progress(PROGRESS_SCOPE, 0, len(keys)))
    tally = Tally(run, report, len(keys))
    plan = _plan(seen, keys, verdicts, force, now, tally)
    if plan.holds:
        await asyncio.to_thread(record.write_holds, store, plan.holds)
    if plan.adopt:
        await _adopt(store, plan.adopt, verdicts, seen.settings, clock, tally)
    printer = (seen.settings.printer or "") if print_labels else ""
    pipeline = Pipeline(
        store,
        gls,
        clock,
        labels_dir,
        seen.shops,
        tally.finish,
        report,
        force=force,
        printer=printer,
        concurrency=concurrency,
    )
    await pipeline.run(plan.jobs, chunk)
    _report_stop(run, plan.jobs, pipeline, report)
    text = _("Labels: {labelled} created, {held} held, {skipped} skipped, {failed} failed.").format(
        labelled=run.labelled, held=run.held, skipped=run.skipped, failed=run.failed + run.unknown
    )
    report(LogLine(text, INFO if not (run.failed or run.unknown) else WARNING))
    return run


def _snapshot(store: Store, keys: list[str]) -> _Snapshot:
    with store.read() as view:
        orders = {k: view.orders.get(k) for k in keys}
        pending = [
            o for o in orders.values() if o is not None and o.label_pending_at and o.state == NEW
        ]
        return _Snapshot(
            settings=view.settings.get(),
            orders=orders,
            shops={i.id: i for i in view.integrations.all()},
            twins={
                k: text
                for k, o in orders.items()
                if o is not None and (text := label_guard.refusal(view, o))
            },
            pending=pending,
            known={
                o.key: {p for s in order_shipments(view, o) for p in s.parcel_numbers}
                for o in pending
            },
        )


def _plan(
    seen: _Snapshot,
    keys: list[str],
    verdicts: dict[str, label_recovery.Verdict],
    force: bool,
    now: datetime,
    tally: Tally,
) -> _Plan:
    """Settle every order that GLS is not asked for; the rest become jobs."""
    plan = _Plan()
    for key in keys:
        order = seen.orders.get(key)
        if order is None:
            order_id = key.split(":", 1)[-1]
            text = _("Order {order}: not found (deleted?); skipped.").format(order=order_id)
            tally.finish(LabelOutcome(key, order_id, SKIP), WARNING, text)
            continue
        shop = seen.shop_name(order)
        outcome = LabelOutcome(key, order.order_id, SKIP)
        step = _triage(order, verdicts.get(key), seen.twins.get(key), force, seen.settings, now)
        if isinstance(step, LabelRequest):
            plan.jobs.append(Job(order, step, product_of(order), step.units[0][1], outcome))
        elif step.adopt is not None:
            plan.adopt[key] = (order, outcome, shop, step.adopt)
        else:
            if step.status == HOLD:
                plan.holds[key] = step.message
            if step.note:
                tally.report(LogLine(step.note, WARNING, shop))
            outcome.status = step.status
            outcome.message = step.message
            tally.finish(outcome, step.level, step.text, shop)
    return plan


def _by_state(order: Order) -> _Early | None:
    values = {"order": order.order_id, "reason": order.hold_reason}
    if order.state == CANCELLED:
        text = _("Order {order}: cancelled by the buyer; no label.")
        return _Early(SKIP, WARNING, text.format(**values))
    if order.state == HELD:
        return _Early(
            SKIP, WARNING, _("Order {order}: held ({reason}); fix it first.").format(**values)
        )
    if order.state in (LABELLED, SHIPPED):
        text = _("Order {order}: already has a label; skipped.")
        return _Early(SKIP, INFO, text.format(**values))
    return None


def _triage(
    order: Order,
    verdict: label_recovery.Verdict | None,
    twin: str | None,
    force: bool,
    settings: Settings,
    now: datetime,
) -> _Early | LabelRequest:
    """The request GLS gets for `order`, or why it gets none in this run."""
    early = _by_state(order)
    if early is not None:
        return early
    if verdict is not None and verdict.kind == label_recovery.ADOPTED and verdict.parcels:
        return _Early(SKIP, adopt=[p.parcel_no for p in verdict.parcels])
    if order.label_pending_at is not None and not force:
        note = verdict.message if verdict and verdict.kind == label_recovery.CANNOT_TELL else ""
        text = verdict.message if verdict and verdict.kind == label_recovery.NONE_FOUND else ""
        return _Early(UNKNOWN, WARNING, text or pending_text(order), note=note)
    if twin:
        return _Early(SKIP, WARNING, twin)
    if partial_shipments.packages_unknown(order):
        text = _(
            "Order {order}: Amazon shows part of it shipped; glstui needs Amazon's packages of it before it can label the rest. Try again when Amazon answers."  # noqa: E501
        ).format(order=order.order_id)
        return _Early(FAIL, ERROR, text)
    if order.items and not order.unshipped_items():
        text = _("Order {order}: Amazon shows every item shipped; no label.")
        return _Early(SKIP, INFO, text.format(order=order.order_id))
    try:
        return build_request(order, settings, now)
    except LabelHold as exc:
        text = _("Order {order}: held: {reason}").format(order=order.order_id, reason=exc.reason)
        return _Early(HOLD, WARNING, text, message=exc.reason)
    except LabelRefused as exc:
        text = _("Order {order}: {reason}").format(order=order.order_id, reason=exc.user_message)
        return _Early(FAIL, ERROR, text)


async def _adopt(
    store: Store,
    adopt: Adopt,
    verdicts: dict[str, label_recovery.Verdict],
    settings: Settings,
    clock: Clock,
    tally: Tally,
) -> None:
    """Record the labels GLS made whose answers were lost, and tell each order's outcome."""
    found = {k: v for k, v in verdicts.items() if k in adopt}
    adopted = await asyncio.to_thread(record.adopt, store, found, settings, clock.now())
    for key, (order, outcome, shop, parcels) in adopt.items():
        if key in adopted:
            shipment, queued = adopted[key]
            outcome.status = DONE
            outcome.shipment_id = shipment.id
            outcome.parcel_numbers = list(shipment.parcel_numbers)
            outcome.queued_confirmations = queued
            text = label_recovery.adopted_text(order.order_id, parcels)
            tally.finish(outcome, WARNING, text, shop)
        else:
            outcome.message = changed_meanwhile(order.order_id)
            tally.finish(outcome, WARNING, outcome.message, shop)


def _report_stop(run: LabelRun, jobs: list[Job], pipeline: Pipeline, report: Reporter) -> None:
    """A stopped run: the orders never sent fail with the reason, said once."""
    if not pipeline.stop:
        return
    reason = pipeline.stop[0]
    reported = {id(o) for o in run.outcomes}
    unasked = [j for j in jobs if id(j.outcome) not in reported]
    if unasked:
        text = _("GLS refused the login; the remaining orders were not sent.")
        report(LogLine(text if pipeline.stop_was_login else reason, ERROR))
    for job in unasked:
        job.outcome.status = FAIL
        job.outcome.message = reason
        run.outcomes.append(job.outcome)
    run.error = reason
