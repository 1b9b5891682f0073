"""Create GLS labels for orders, store them with their Amazon confirmations, reprint, delete.

One order, one label (shipment) with one or more parcels. Per order:

1. Skip what must not get a label (cancelled, held, already labelled or shipped, a label
   request that may already exist at GLS); hold (state held + reason) an address that cannot
   be split into street / house number / addition or has an invalid postcode: the operator
   fixes it and creates the label again. Nothing the buyer typed is dropped: company and
   extra address lines go to name2/name3 (glstui.domain.address).
2. Crash safety. Before GLS is asked, the order gets `label_pending_at` in a write of its own
   (the "label pending" intent; GLS reference = the Amazon order id). When GLS answers, the
   label files and a small receipt (parcel numbers, tracking links, file names) are written
   and fsynced under <labels>/pending/ BEFORE the store write. Then ONE store write holds the
   shipment, the order's state `labelled` (intent cleared) and, when the shop's tracking
   switch is on, one outbox entry per parcel. If the process dies in between:
     - receipt present: `reconcile` (run on every start) records the label from the receipt;
       nothing is asked from GLS again, so there is no second label;
     - no receipt (died while GLS was working, or GLS timed out): the order keeps its intent
       and is NOT labelled again silently: `reconcile` warns that a label with that reference
       may exist at GLS. The next `create_labels` first searches GLS for it
       (services/label_recovery.py): a label GLS made is adopted (recorded, no second one,
       also with force); when GLS shows none or cannot be asked the warning stays, and the
       operator chooses `create_labels(..., force=True)` or `forget_pending_label`.
   A GLS answer that certainly made no label (422 field errors, 401, connection refused)
   clears the intent and leaves the order as it was.
3. Labels go to <data_dir>/labels/YYYY-MM-DD/<order>-<parcel number>.pdf|zpl (mode 0600):
   one file per parcel when GLS sends per-parcel labels (pdfA6U, zpl), else the one combined
   file, named after the first parcel. With a printer set they are printed with `lp` after
   the store write; a print failure is a warning (reprint later), never a lost label.

Rule decisions (order.decision, set by shipping rules) this module reads: `parcels` (int,
default 1), `weight_kg` (per parcel, default settings.default_weight_kg; GLS takes
0.2-31.9 kg), `label_format` (default settings.label_format), `product` (the shippingMethod
sent to Amazon, default "BusinessParcel") and `services` (GLS services dict).

An order Amazon shows as partly shipped (another tool confirmed a package) is labelled for its
unshipped units only, and only after its packages were read from Amazon (services/
partial_shipments.py); its packageReferenceIds start after every one Amazon lists.

Items of a multi-parcel order (Amazon needs at least one item per confirmed package, and a
package added after the order is complete is refused as "already fulfilled"): the first
parcel carries every item except one unit for each further parcel; each further parcel
carries one unit. When there are fewer units than parcels, the parcels without a unit of
their own are not confirmed to Amazon (their labels and tracking are stored as usual).
packageReferenceId = "1", "2", ... per order, counting every parcel the order ever had, so a
number is never reused for a different parcel, also not after a label was deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from glstui import config
from glstui.domain.address import normalise_postcode
from glstui.domain.clock import Clock, from_iso, to_iso
from glstui.domain.errors import N_, ValidationError
from glstui.domain.label_request import (
    DEFAULT_PRODUCT,
    LabelHold,
    LabelRefused,
    confirmation_payload,
    decision_float,
    delivery_address,
    file_extension,
    label_format_of,
    next_package_refs,
    parcel_count,
    product_of,
    split_items,
)
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, Order
from glstui.domain.settings import Settings
from glstui.domain.shipment import FAILED, PENDING, SENT, SKIPPED, OutboxEntry, Shipment
from glstui.gls.client import WEIGHT_MAX_KG, WEIGHT_MIN_KG, GlsAddress, LabelRequest, LabelResult
from glstui.gls.errors import GlsAuthError, GlsError, GlsValidationError
from glstui.i18n import _
from glstui.services import (
    audit,
    label_guard,
    label_paths,
    label_recovery,
    partial_shipments,
    printing,
)
from glstui.services.events import ERROR, INFO, WARNING, LogLine, Progress, Reporter, ignore

log = logging.getLogger("glstui.labels")

CHUNK = 8  # orders per intent write / result write
CONCURRENCY = 4  # GLS requests at the same time
STALE_AFTER_S = 120.0  # an intent older than this (and no receipt) is reported by reconcile
PROGRESS_SCOPE = "labels"

# Outcome states
DONE = "labelled"
SKIP = "skipped"
HOLD = "held"
FAIL = "failed"
UNKNOWN = "unknown"  # a label may exist at GLS: the operator must look


@dataclass
class LabelOutcome:
    order_key: str
    order_id: str
    status: str
    message: str = ""
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    shipment_id: str = ""
    parcel_numbers: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    printed: bool = False
    queued_confirmations: int = 0


@dataclass
class LabelRun:
    outcomes: list[LabelOutcome] = field(default_factory=list)
    error: str = ""  # the run could not start or was stopped (GLS login refused, keys missing)
    delivery: Any = None  # glstui.services.outbox.DeliveryResult when confirmations ran

    def _count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def labelled(self) -> int:
        return self._count(DONE)

    @property
    def skipped(self) -> int:
        return self._count(SKIP)

    @property
    def held(self) -> int:
        return self._count(HOLD)

    @property
    def failed(self) -> int:
        return self._count(FAIL)

    @property
    def unknown(self) -> int:
        return self._count(UNKNOWN)

    def by_key(self) -> dict[str, LabelOutcome]:
        return {o.order_key: o for o in self.outcomes}


# ---------------------------------------------------------------------------------------------
# Pure parts: what to ask GLS, what to tell Amazon


def sender_address(settings: Settings) -> GlsAddress | None:
    """The pickup address from the settings; None when not set (GLS uses the account's)."""
    s = settings.sender
    if not (s.name or s.street or s.zip_code or s.city):
        return None
    zip_code = s.zip_code
    with contextlib.suppress(ValidationError):
        zip_code = normalise_postcode(s.zip_code, s.country_code)
    return GlsAddress(
        name1=s.name,
        street=s.street,
        house_no=s.house_no,
        house_no_ext=s.house_no_ext,
        zip_code=zip_code,
        city=s.city,
        country_code=s.country_code,
        phone=s.phone,
        email=s.email,
    )


def build_request(order: Order, settings: Settings, today: datetime) -> LabelRequest:
    """The Label/Create request for `order`; raises LabelHold (operator must fix) or
    LabelRefused (glstui.domain.label_request decides the address)."""
    delivery = delivery_address(order)
    weight = decision_float(order.decision.get("weight_kg"), settings.default_weight_kg)
    if not (WEIGHT_MIN_KG <= weight <= WEIGHT_MAX_KG):
        raise LabelRefused(
            N_("The parcel weight {kg} kg is outside what GLS takes ({lo}-{hi} kg)."),
            kg=weight,
            lo=WEIGHT_MIN_KG,
            hi=WEIGHT_MAX_KG,
        )
    parcels = parcel_count(order)
    return LabelRequest(
        reference=order.order_id,
        delivery=GlsAddress(**dataclasses.asdict(delivery)),
        units=[(f"{order.order_id}-{n}", round(weight, 2)) for n in range(1, parcels + 1)],
        label_type=label_format_of(order, settings),
        pickup=sender_address(settings),
        shipping_date=today.date(),
        services=dict(order.decision.get("services") or {}),
    )


# ---------------------------------------------------------------------------------------------
# Files: labels and receipts


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(text: str) -> str:
    return _SAFE.sub("_", text).strip("._") or "order"


def _fsync_dirs(folders: Iterable[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


def _write_private(path: Path, data: bytes, sync_dir: bool = True) -> None:
    """Write `path` (mode 0600) via a temp file, fsynced, then renamed into place.

    sync_dir=False leaves the directory fsync to the caller (one per chunk of labels).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        _fsync_dirs([path.parent])


def receipt_path(labels_dir: Path, order_key: str) -> Path:
    return Path(labels_dir) / "pending" / f"{_safe(order_key)}.json"


def save_label_files(
    labels_dir: Path, order: Order, result: LabelResult, label_format: str, now: datetime
) -> list[Path]:
    """Write the label file(s) of a GLS answer; returns their paths (first = main file)."""
    ext = file_extension(label_format)
    folder = Path(labels_dir) / now.strftime("%Y-%m-%d")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = _safe(order.order_id)
    paths: list[Path] = []
    if result.units and all(u.label for u in result.units):
        for unit in result.units:
            path = folder / f"{stem}-{_safe(unit.unit_no)}.{ext}"
            _write_private(path, unit.label or b"", sync_dir=False)
            paths.append(path)
    elif result.labels:
        path = folder / f"{stem}-{_safe(result.units[0].unit_no)}.{ext}"
        _write_private(path, result.labels, sync_dir=False)
        paths.append(path)
    return paths


def write_receipt(
    labels_dir: Path,
    order: Order,
    result: LabelResult,
    files: list[Path],
    label_format: str,
    product: str,
    weight_kg: float,
    services: dict[str, Any],
    now: datetime,
) -> Path:
    """The durable record of a GLS answer, written before the store knows the label."""
    data = {
        "order_key": order.key,
        "order_id": order.order_id,
        "created_at": to_iso(now),
        "transaction_id": result.transaction_id,
        "parcel_numbers": [u.unit_no for u in result.units],
        "tracking_links": [u.tracking_link for u in result.units],
        "files": [str(p) for p in files],
        "label_format": label_format,
        "product": product,
        "weight_kg": weight_kg,
        "services": services,
    }
    path = receipt_path(labels_dir, order.key)
    _write_private(path, json.dumps(data, indent=1).encode(), sync_dir=False)
    return path


def read_receipt(labels_dir: Path, order_key: str) -> dict[str, Any] | None:
    """The receipt of a GLS answer; DamagedLabelRecord when its files lie outside labels/."""
    path = receipt_path(labels_dir, order_key)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("parcel_numbers"):
        return None
    files = data.get("files") or []
    label_paths.checked(labels_dir, str(data.get("order_id") or order_key), list(files))
    return data


def label_files(shipment: Shipment) -> list[Path]:
    """The saved label files of a shipment (one per parcel, or the one combined file)."""
    if not shipment.label_path:
        return []
    main = Path(shipment.label_path)
    ext = main.suffix
    stem = _safe(shipment.order_id)
    per_parcel = [main.with_name(f"{stem}-{_safe(n)}{ext}") for n in shipment.parcel_numbers]
    if len(per_parcel) > 1 and all(p.exists() for p in per_parcel):
        return per_parcel
    return [main]


# ---------------------------------------------------------------------------------------------
# Store writes


def _order_shipments(tx: Any, order: Order) -> list[Shipment]:
    return [
        s for s in tx.shipments.by_integration(order.integration_id) if s.order_key == order.key
    ]


def active_shipment(view: Any, order_key: str) -> Shipment | None:
    """The order's current (not deleted) label, or None."""
    integration_id = order_key.split(":", 1)[0]
    found = [
        s
        for s in view.shipments.by_integration(integration_id)
        if s.order_key == order_key and s.deleted_at is None
    ]
    found.sort(key=lambda s: s.created_at.timestamp() if s.created_at else 0.0)
    return found[-1] if found else None


def _commit_label(
    tx: Any, order_key: str, receipt: dict[str, Any], now: datetime
) -> tuple[str, Shipment | None, int]:
    """Record a label from its receipt, once. Returns (status, shipment, confirmations queued).

    status: "stored" | "already" (this label is already recorded) | "gone" (order deleted).
    """
    order = tx.orders.get(order_key)
    if order is None:
        return "gone", None, 0
    parcels = [str(p) for p in receipt["parcel_numbers"]]
    existing = _order_shipments(tx, order)
    for s in existing:
        if s.parcel_numbers == parcels:
            if order.label_pending_at is not None:
                order.label_pending_at = None
                tx.orders.put(order)
            return "already", s, 0
    refs = next_package_refs(existing, len(parcels), order.amazon_package_refs or ())
    created = from_iso(receipt.get("created_at")) or now
    shipment = Shipment(
        id=uuid.uuid4().hex[:12],
        order_key=order.key,
        integration_id=order.integration_id,
        order_id=order.order_id,
        parcel_numbers=parcels,
        tracking_links=[str(t) for t in receipt.get("tracking_links") or []],
        label_path=(receipt.get("files") or [""])[0],
        label_format=str(receipt.get("label_format") or "pdf"),
        product=str(receipt.get("product") or DEFAULT_PRODUCT),
        services=dict(receipt.get("services") or {}),
        weight_kg=float(receipt.get("weight_kg") or 1.0),
        created_at=created,
        package_reference_ids=refs,
    )
    tx.shipments.put(shipment)
    order.state = LABELLED
    order.hold_reason = ""
    order.label_pending_at = None
    tx.orders.put(order)
    audit.record(
        tx,
        audit.LABEL_CREATED,
        f"order {order.order_id}: parcel {', '.join(parcels)}",
        target=order.key,
    )

    queued = 0
    integration = tx.integrations.get(order.integration_id)
    if integration is not None and integration.update_tracking:
        marketplace = order.marketplace_id or (integration.marketplace_ids or [""])[0]
        groups = split_items(order.unshipped_items(), len(parcels))
        for parcel, ref, items in zip(parcels, refs, groups, strict=True):
            if not items:
                continue
            tx.outbox.put(
                OutboxEntry(
                    id=f"{shipment.id}:{ref}",
                    shipment_id=shipment.id,
                    order_key=order.key,
                    integration_id=order.integration_id,
                    order_id=order.order_id,
                    package_reference_id=ref,
                    payload=confirmation_payload(
                        order, marketplace, ref, parcel, shipment.product, created, items
                    ),
                    state=PENDING,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            queued += 1
    return "stored", shipment, queued


# ---------------------------------------------------------------------------------------------
# Creating labels


@dataclass
class _Job:
    order: Order
    request: LabelRequest
    product: str
    weight: float
    outcome: LabelOutcome
    result: LabelResult | None = None
    files: list[Path] = field(default_factory=list)
    certain_failure: bool = False


def _describe_gls_error(exc: GlsError) -> tuple[str, dict[str, list[str]]]:
    if isinstance(exc, GlsValidationError):
        fields = exc.field_problems()
        return exc.user_message, fields
    return exc.user_message, {}


async def label_orders(
    store: Any,
    gls: Any,
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
    at GLS is first looked up at GLS with `lookup` (services/label_recovery.py): a label found
    there is adopted, never made twice. `force=True` labels such an order when GLS shows none
    or cannot be asked (the operator checked the GLS portal).
    """
    run = LabelRun()
    keys = list(dict.fromkeys(order_keys))
    now = clock.now()
    with store.read() as view:
        settings = view.settings.get()
        orders = {k: view.orders.get(k) for k in keys}
        shops = {i.id: i for i in view.integrations.all()}
        twins = {
            k: text
            for k, o in orders.items()
            if o is not None and (text := label_guard.refusal(view, o))
        }
        pending = [
            o for o in orders.values() if o is not None and o.label_pending_at and o.state == NEW
        ]
        known = {
            o.key: {p for s in _order_shipments(view, o) for p in s.parcel_numbers} for o in pending
        }
    verdicts: dict[str, label_recovery.Verdict] = {}
    if lookup is not None and pending:
        verdicts = await label_recovery.gather_verdicts(lookup, pending, known)
    total = len(keys)
    report(Progress(PROGRESS_SCOPE, 0, total))
    done = 0

    def finish(outcome: LabelOutcome, level: str, text: str, shop: str = "") -> None:
        nonlocal done
        run.outcomes.append(outcome)
        outcome.message = outcome.message or text
        report(LogLine(text, level, shop))
        for name, messages in outcome.field_errors.items():
            report(LogLine(f"  {name}: {'; '.join(messages)}", level, shop))
        done += 1
        report(Progress(PROGRESS_SCOPE, done, total))

    jobs: list[_Job] = []
    holds: dict[str, str] = {}
    adopt: dict[str, tuple[Order, LabelOutcome, str, list[str]]] = {}
    for key in keys:
        order = orders.get(key)
        order_id = key.split(":", 1)[-1]
        if order is None:
            finish(
                LabelOutcome(key, order_id, SKIP),
                WARNING,
                _("Order {order}: not found (deleted?); skipped.").format(order=order_id),
            )
            continue
        shop = shops[order.integration_id].shop_name if order.integration_id in shops else ""
        outcome = LabelOutcome(key, order.order_id, SKIP)
        values = {"order": order.order_id, "reason": order.hold_reason}
        if order.state == CANCELLED:
            finish(
                outcome,
                WARNING,
                _("Order {order}: cancelled by the buyer; no label.").format(**values),
                shop,
            )
            continue
        if order.state == HELD:
            finish(
                outcome,
                WARNING,
                _("Order {order}: held ({reason}); fix it first.").format(**values),
                shop,
            )
            continue
        if order.state in (LABELLED, SHIPPED):
            finish(
                outcome,
                INFO,
                _("Order {order}: already has a label; skipped.").format(**values),
                shop,
            )
            continue
        verdict = verdicts.get(key)
        if verdict is not None and verdict.kind == label_recovery.ADOPTED and verdict.parcels:
            adopt[key] = (order, outcome, shop, [p.parcel_no for p in verdict.parcels])
            continue
        if order.label_pending_at is not None and not force:
            outcome.status = UNKNOWN
            if verdict is not None and verdict.kind == label_recovery.CANNOT_TELL:
                report(LogLine(verdict.message, WARNING, shop))
            text = verdict.message if verdict and verdict.kind == label_recovery.NONE_FOUND else ""
            finish(outcome, WARNING, text or _pending_text(order), shop)
            continue
        twin = twins.get(key)
        if twin:
            finish(outcome, WARNING, twin, shop)
            continue
        if partial_shipments.packages_unknown(order):
            outcome.status = FAIL
            text = _(
                "Order {order}: Amazon shows part of it shipped; glstui needs Amazon's packages of it before it can label the rest. Try again when Amazon answers."  # noqa: E501
            ).format(order=order.order_id)
            finish(outcome, ERROR, text, shop)
            continue
        if order.items and not order.unshipped_items():
            finish(
                outcome,
                INFO,
                _("Order {order}: Amazon shows every item shipped; no label.").format(
                    order=order.order_id
                ),
                shop,
            )
            continue
        try:
            request = build_request(order, settings, now)
        except LabelHold as exc:
            holds[key] = exc.reason
            outcome.status = HOLD
            outcome.message = exc.reason
            text = _("Order {order}: held: {reason}").format(
                order=order.order_id, reason=exc.reason
            )
            finish(outcome, WARNING, text, shop)
            continue
        except LabelRefused as exc:
            outcome.status = FAIL
            finish(
                outcome,
                ERROR,
                _("Order {order}: {reason}").format(order=order.order_id, reason=exc.user_message),
                shop,
            )
            continue
        product = product_of(order)
        jobs.append(_Job(order, request, product, request.units[0][1], outcome))

    if holds:
        await asyncio.to_thread(_write_holds, store, holds)
    if adopt:
        found = {k: v for k, v in verdicts.items() if k in adopt}
        adopted = await asyncio.to_thread(_adopt, store, found, adopt, settings, clock.now())
        for key, (order, outcome, shop, parcels) in adopt.items():
            if key in adopted:
                shipment, queued = adopted[key]
                outcome.status = DONE
                outcome.shipment_id = shipment.id
                outcome.parcel_numbers = list(shipment.parcel_numbers)
                outcome.queued_confirmations = queued
                finish(outcome, WARNING, label_recovery.adopted_text(order.order_id, parcels), shop)
            else:
                outcome.message = _(
                    "Order {order}: changed by someone else meanwhile; skipped."
                ).format(order=order.order_id)
                finish(outcome, WARNING, outcome.message, shop)

    semaphore = asyncio.Semaphore(max(1, concurrency))
    stop: list[str] = []
    stop_was_login = False

    async def ask_gls(job: _Job) -> None:
        async with semaphore:
            if stop:
                job.certain_failure = True
                job.outcome.status = FAIL
                job.outcome.message = stop[0]
                return
            try:
                job.result = await gls.create_label(job.request)
            except GlsAuthError as exc:
                nonlocal stop_was_login
                stop_was_login = True
                stop.append(exc.user_message)
                job.certain_failure = True
                job.outcome.status = FAIL
                job.outcome.message = exc.user_message
                return
            except GlsError as exc:
                message, fields = _describe_gls_error(exc)
                job.outcome.field_errors = fields
                job.outcome.message = message
                if exc.outcome_unknown:
                    job.outcome.status = UNKNOWN
                else:
                    job.certain_failure = True
                    job.outcome.status = FAIL
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # unexpected: the label may exist, keep the intent
                log.exception("Label/Create for %s failed unexpectedly", job.order.order_id)
                job.outcome.status = UNKNOWN
                job.outcome.message = type(exc).__name__
                return
            now = clock.now()
            try:
                job.files = await asyncio.to_thread(
                    save_label_files, labels_dir, job.order, job.result, job.request.label_type, now
                )
                await asyncio.to_thread(
                    write_receipt,
                    labels_dir,
                    job.order,
                    job.result,
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

    def report_job(job: _Job, stored: dict[str, tuple[Shipment, int]]) -> None:
        shop = (
            shops[job.order.integration_id].shop_name if job.order.integration_id in shops else ""
        )
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
            finish(outcome, INFO, text, shop)
            integration = shops.get(job.order.integration_id)
            if queued == 0 and integration is not None and not integration.update_tracking:
                text = _("Order {order}: tracking update is off for this shop; Amazon is not told.")
                report(LogLine(text.format(order=oid), INFO, shop))
        elif outcome.status == UNKNOWN or job.result is not None:
            # GLS made a label that is not stored (yet): the intent stays, reconcile tells.
            outcome.status = UNKNOWN
            text = _("Order {order}: {error}").format(order=oid, error=outcome.message)
            finish(outcome, ERROR, text, shop)
            report(LogLine(_pending_text(job.order), WARNING, shop))
        elif outcome.status == SKIP:
            finish(outcome, WARNING, outcome.message, shop)
        else:
            outcome.status = FAIL
            first_line = outcome.message.splitlines()[0] if outcome.message else ""
            text = _("Order {order}: no label: {error}").format(order=oid, error=first_line)
            finish(outcome, ERROR, text, shop)

    # A pipeline of chunks; ONE store write per chunk records the labels of the previous chunk
    # and sets the intent on the next one before GLS is asked for it.
    batches = [jobs[i : i + max(1, chunk)] for i in range(0, len(jobs), max(1, chunk))]
    asked: list[_Job] = []  # GLS answered (or not): to be recorded
    refused: dict[str, str] = {}  # order key -> another shop row of it has a label
    position = 0
    while True:
        upcoming = batches[position] if position < len(batches) and not stop else []
        position += 1
        if not asked and not upcoming:
            break
        try:
            stored, claimed = await asyncio.to_thread(
                _record_and_claim,
                store,
                labels_dir,
                asked,
                [j.order.key for j in upcoming],
                clock.now(),
                force,
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
            stored, claimed = {}, set()
            stop.append(message)
        for job in asked:
            report_job(job, stored)
        if print_labels and settings.printer:
            await _print_outcomes(settings.printer, [j.outcome for j in asked], report)
        for job in upcoming:
            if job.order.key in refused:
                job.outcome.status = SKIP
                job.outcome.message = refused[job.order.key]
            elif job.order.key not in claimed and job.outcome.status != FAIL:
                job.outcome.status = SKIP
                job.outcome.message = _(
                    "Order {order}: changed by someone else meanwhile; skipped."
                ).format(order=job.order.order_id)
            if job.order.key not in claimed:
                report_job(job, {})
        asked = [j for j in upcoming if j.order.key in claimed]
        await asyncio.gather(*(ask_gls(j) for j in asked))

    if stop:
        reported = {id(o) for o in run.outcomes}
        unasked = [j for j in jobs if id(j.outcome) not in reported]
        if unasked:
            text = _("GLS refused the login; the remaining orders were not sent.")
            report(LogLine(text if stop_was_login else stop[0], ERROR))
        for job in unasked:
            job.outcome.status = FAIL
            job.outcome.message = stop[0]
            run.outcomes.append(job.outcome)
        run.error = stop[0]

    labelled = run.labelled
    text = _("Labels: {labelled} created, {held} held, {skipped} skipped, {failed} failed.").format(
        labelled=labelled, held=run.held, skipped=run.skipped, failed=run.failed + run.unknown
    )
    report(LogLine(text, INFO if not (run.failed or run.unknown) else WARNING))
    return run


async def _print_outcomes(printer: str, outcomes: list[LabelOutcome], report: Reporter) -> None:
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


def _pending_text(order: Order) -> str:
    since = to_iso(order.label_pending_at) or ""
    return _(
        "Order {order}: a label with reference {order} may already exist at GLS (requested {since}, no answer stored). Check the GLS portal, then create it again with 'create anyway' or clear the warning."  # noqa: E501
    ).format(order=order.order_id, since=since)


def _adopt(
    store: Any,
    verdicts: dict[str, label_recovery.Verdict],
    adopt: dict[str, tuple[Order, LabelOutcome, str, list[str]]],
    settings: Settings,
    now: datetime,
) -> dict[str, tuple[Shipment, int]]:
    """ONE write: record the labels GLS made whose answers were lost (orders still pending)."""
    stored: dict[str, tuple[Shipment, int]] = {}
    with store.write() as tx:
        for key, verdict in verdicts.items():
            order = tx.orders.get(key)
            if order is None or order.state != NEW or order.label_pending_at is None:
                continue
            receipt = label_recovery.adopted_receipt(order, verdict.parcels or [], settings, now)
            _status, shipment, queued = _commit_label(tx, key, receipt, now)
            if shipment is not None:
                stored[key] = (shipment, queued)
    return stored


def _write_holds(store: Any, holds: dict[str, str]) -> None:
    with store.write() as tx:
        for key, reason in holds.items():
            order = tx.orders.get(key)
            if order is None or order.state != NEW:
                continue
            order.state = HELD
            order.hold_reason = reason
            tx.orders.put(order)


def _record_and_claim(
    store: Any,
    labels_dir: Path,
    asked: list[_Job],
    claim_keys: list[str],
    now: datetime,
    force: bool,
    refused: dict[str, str] | None = None,
) -> tuple[dict[str, tuple[Shipment, int]], set[str]]:
    """ONE write: the labels GLS made for `asked` (shipment, labelled, outbox), the intents of
    certain failures cleared, and the intent set on `claim_keys` (orders still new and with
    no active label in another shop row of the same Amazon order: those go to `refused`)."""
    stored: dict[str, tuple[Shipment, int]] = {}
    claimed: set[str] = set()
    receipts: list[Path] = []
    made = [j for j in asked if j.result is not None and j.outcome.status != UNKNOWN]
    # The label files and receipts must be durable before the store says "labelled".
    _fsync_dirs({p.parent for j in made for p in j.files} | {receipt_path(labels_dir, "x").parent})
    with store.write() as tx:
        for job in asked:
            key = job.order.key
            if job in made:
                try:
                    receipt = read_receipt(labels_dir, key)
                except label_paths.DamagedLabelRecord as exc:
                    job.outcome.message = exc.user_message
                    continue
                if receipt is None:
                    continue
                _status, shipment, queued = _commit_label(tx, key, receipt, now)
                if shipment is not None:
                    stored[key] = (shipment, queued)
                    receipts.append(receipt_path(labels_dir, key))
            elif job.certain_failure:
                order = tx.orders.get(key)
                if order is not None and order.label_pending_at is not None:
                    order.label_pending_at = None
                    tx.orders.put(order)
        for key in claim_keys:
            order = tx.orders.get(key)
            if order is None or order.state != NEW:
                continue
            if order.label_pending_at is not None and not force:
                continue
            twin = label_guard.refusal(tx, order)
            if twin:
                if refused is not None:
                    refused[key] = twin
                continue
            order.label_pending_at = now
            tx.orders.put(order)
            claimed.add(key)
    for path in receipts:
        with contextlib.suppress(OSError):
            path.unlink()
    return stored, claimed


# ---------------------------------------------------------------------------------------------
# After a crash


@dataclass
class ReconcileResult:
    recovered: list[str] = field(default_factory=list)  # order keys recorded from receipts
    uncertain: list[str] = field(default_factory=list)  # order keys: a label may exist at GLS


def reconcile(
    store: Any,
    clock: Clock,
    labels_dir: Path,
    report: Reporter = ignore,
    *,
    min_age_s: float = STALE_AFTER_S,
) -> ReconcileResult:
    """Finish what a stopped run left: record labels from receipts, warn about the rest.

    Run on every start (before delivering confirmations). Intents younger than `min_age_s`
    may belong to a run still going on in another process and are left alone unless a
    receipt exists (recording from a receipt is idempotent).
    """
    result = ReconcileResult()
    now = clock.now()
    with store.read() as view:
        pending = [o for o in view.orders.all() if o.label_pending_at is not None]
    if not pending:
        return result
    done: list[Path] = []
    with store.write() as tx:
        for stale in pending:
            order = tx.orders.get(stale.key)
            if order is None or order.label_pending_at is None:
                continue
            try:
                receipt = read_receipt(labels_dir, order.key)
            except label_paths.DamagedLabelRecord as exc:
                report(LogLine(exc.user_message, ERROR))
                result.uncertain.append(order.key)
                continue
            if receipt is not None:
                _status, shipment, _queued = _commit_label(tx, order.key, receipt, now)
                if shipment is not None:
                    result.recovered.append(order.key)
                    done.append(receipt_path(labels_dir, order.key))
                    text = _(
                        "Order {order}: the label made before glstui stopped is recorded (parcel {parcels})."  # noqa: E501
                    ).format(order=order.order_id, parcels=", ".join(shipment.parcel_numbers))
                    report(LogLine(text, WARNING))
                continue
            if order.state != NEW:
                order.label_pending_at = None
                tx.orders.put(order)
                continue
            if (now - order.label_pending_at) < timedelta(seconds=min_age_s):
                continue
            result.uncertain.append(order.key)
    for path in done:
        with contextlib.suppress(OSError):
            path.unlink()
    for key in result.uncertain:
        order = next(o for o in pending if o.key == key)
        report(LogLine(_pending_text(order), WARNING))
    return result


def forget_pending_label(store: Any, order_key: str) -> bool:
    """The operator checked GLS: no label exists for this order; it may be labelled again."""
    with store.write() as tx:
        order = tx.orders.get(order_key)
        if order is None or order.label_pending_at is None:
            return False
        order.label_pending_at = None
        tx.orders.put(order)
    return True


# ---------------------------------------------------------------------------------------------
# Reprint and delete


@dataclass
class ReprintResult:
    files: list[Path] = field(default_factory=list)
    printed: bool = False
    message: str = ""


def _labels_dir_of(store: Any, labels_dir: Path | None) -> Path:
    return Path(labels_dir) if labels_dir is not None else config.labels_dir(store.data_dir, False)


async def reprint(
    store: Any,
    order_key: str,
    report: Reporter = ignore,
    *,
    printer: str | None = None,
    labels_dir: Path | None = None,
) -> ReprintResult:
    """Send the order's saved label again to the printer, or tell where the file is.

    Only a file inside the labels dir is printed (see glstui.services.label_paths)."""
    with store.read() as view:
        shipment = active_shipment(view, order_key)
        settings = view.settings.get()
    order_id = order_key.split(":", 1)[-1]
    if shipment is None:
        text = _("Order {order} has no label to print.").format(order=order_id)
        report(LogLine(text, WARNING))
        return ReprintResult(message=text)
    try:
        files = label_paths.checked(
            _labels_dir_of(store, labels_dir), order_id, label_files(shipment)
        )
    except label_paths.DamagedLabelRecord as exc:
        report(LogLine(exc.user_message, ERROR))
        return ReprintResult(message=exc.user_message)
    if not files:
        text = _(
            "Order {order}: glstui has no label file of it (GLS's answer was lost, or the file was removed with the buyer's data): print it from the GLS portal, or delete the label and create a new one."  # noqa: E501
        ).format(order=order_id)
        report(LogLine(text, WARNING))
        return ReprintResult(message=text)
    missing = [p for p in files if not p.exists()]
    if missing:
        text = _("The label file of order {order} is missing: {path}").format(
            order=order_id, path=missing[0]
        )
        report(LogLine(text, ERROR))
        return ReprintResult(files=files, message=text)
    target = settings.printer if printer is None else printer
    if not target:
        text = _("No printer is set; the label of order {order} is at {path}").format(
            order=order_id, path=", ".join(str(p) for p in files)
        )
        report(LogLine(text))
        return ReprintResult(files=files, message=text)
    ok = True
    messages = []
    for path in files:
        printed = await printing.print_file(target, path)
        ok = ok and printed.ok
        messages.append(printed.message)
        report(LogLine(printed.message, INFO if printed.ok else WARNING))
    return ReprintResult(files=files, printed=ok, message="; ".join(messages))


@dataclass
class DeleteResult:
    deleted: bool = False
    refused: bool = False
    message: str = ""
    parcels_deleted: list[str] = field(default_factory=list)


async def delete_label(
    store: Any,
    gls: Any,
    clock: Clock,
    order_key: str,
    report: Reporter = ignore,
    *,
    labels_dir: Path | None = None,
) -> DeleteResult:
    """Delete the order's label at GLS while Amazon has not been told; order back to new.

    Refused once any confirmation of it was sent (or marked done by hand): Amazon then shows
    the tracking code, and a deleted parcel there would mislead the buyer. Refused as well,
    before GLS is asked, when the stored label path lies outside the labels dir.
    """
    order_id = order_key.split(":", 1)[-1]
    with store.read() as view:
        order = view.orders.get(order_key)
        shipment = active_shipment(view, order_key)
        entries = [
            e
            for e in view.outbox.by_integration(order_key.split(":", 1)[0])
            if e.order_key == order_key
        ]
    if order is None or shipment is None:
        text = _("Order {order} has no label to delete.").format(order=order_id)
        report(LogLine(text, WARNING))
        return DeleteResult(message=text)
    try:
        files = label_paths.checked(
            _labels_dir_of(store, labels_dir), order_id, label_files(shipment)
        )
    except label_paths.DamagedLabelRecord as exc:
        report(LogLine(exc.user_message, ERROR))
        return DeleteResult(refused=True, message=exc.user_message)
    mine = [e for e in entries if e.shipment_id == shipment.id]
    if order.state == SHIPPED or any(e.state in (SENT, SKIPPED) for e in mine):
        text = _(
            "Order {order}: the tracking code was already sent to Amazon, so this label can no longer be deleted here. Cancel the parcel with GLS and correct the order in Seller Central."  # noqa: E501
        ).format(order=order_id)
        report(LogLine(text, ERROR))
        return DeleteResult(refused=True, message=text)

    # Hold the confirmations back while GLS deletes (a delivery running now skips them).
    hold_until = clock.now() + timedelta(days=1)
    await asyncio.to_thread(_pause_entries, store, [e.id for e in mine], hold_until)

    deleted: list[str] = []
    error = ""
    for unit_no in shipment.parcel_numbers:
        try:
            await gls.delete_label(unit_no)
        except GlsError as exc:
            if exc.status == 404 or (
                isinstance(exc, GlsValidationError) and "already" in exc.user_message.lower()
            ):
                deleted.append(unit_no)  # gone at GLS already
                continue
            error = exc.user_message
            break
        deleted.append(unit_no)

    result = await asyncio.to_thread(_record_delete, store, shipment.id, deleted, clock.now())
    possibly_sent = [e for e in mine if e.attempts > 0 and e.state == PENDING]
    if result.refused:
        report(LogLine(result.message, ERROR))
        return result
    if error:
        text = _("Order {order}: GLS did not delete the label: {error}").format(
            order=order_id, error=error
        )
        report(LogLine(text, ERROR))
        result.message = text
        return result
    result.deleted = True
    result.message = _("Order {order}: label deleted at GLS; the order is new again.").format(
        order=order_id
    )
    report(LogLine(result.message))
    if possibly_sent:
        report(
            LogLine(
                _(
                    "Order {order}: an earlier attempt to send its tracking code got no clear answer; check the order in Seller Central."  # noqa: E501
                ).format(order=order_id),
                WARNING,
            )
        )
    for path in files:
        with contextlib.suppress(OSError):
            path.unlink()
    return result


def _pause_entries(store: Any, entry_ids: list[str], until: datetime) -> None:
    with store.write() as tx:
        for entry_id in entry_ids:
            entry = tx.outbox.get(entry_id)
            if entry is not None and entry.state == PENDING:
                entry.next_attempt_at = until
                tx.outbox.put(entry)


def _record_delete(store: Any, shipment_id: str, deleted: list[str], now: datetime) -> DeleteResult:
    result = DeleteResult(parcels_deleted=list(deleted))
    with store.write() as tx:
        shipment = tx.shipments.get(shipment_id)
        if shipment is None:
            return result
        entries = [
            e
            for e in tx.outbox.by_integration(shipment.integration_id)
            if e.shipment_id == shipment_id
        ]
        if any(e.state in (SENT, SKIPPED) for e in entries) and deleted:
            result.refused = True
            result.message = _(
                "Order {order}: its tracking code reached Amazon while the label was being deleted; correct the order in Seller Central."  # noqa: E501
            ).format(order=shipment.order_id)
        by_parcel = dict(zip(shipment.parcel_numbers, shipment.package_reference_ids, strict=False))
        gone_refs = {by_parcel.get(p) for p in deleted}
        for entry in entries:
            if entry.package_reference_id in gone_refs and entry.state in (PENDING, FAILED):
                tx.outbox.delete(entry.id)  # a deleted parcel is never confirmed
            elif entry.state == PENDING:  # the parcels kept go back to normal
                entry.next_attempt_at = now
                tx.outbox.put(entry)
        if deleted:
            audit.record(
                tx,
                audit.LABEL_DELETED,
                f"order {shipment.order_id}: parcel {', '.join(deleted)} deleted at GLS",
                target=shipment.order_key,
            )
        if deleted and all(p in deleted for p in shipment.parcel_numbers):
            # The shipment stays (deleted_at) so its packageReferenceIds are never reused.
            shipment.deleted_at = now
            tx.shipments.put(shipment)
            order = tx.orders.get(shipment.order_key)
            if order is not None and order.state == LABELLED:
                order.state = NEW
                order.shipped_at = None
                tx.orders.put(order)
    return result


# ---------------------------------------------------------------------------------------------
# With the AppContext (TUI and CLI)


async def create_labels(
    ctx: Any,
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
                ctx.store, client, ctx.refresh_token, ctx.clock, report
            )
    return run


async def delete_order_label(ctx: Any, order_key: str, report: Reporter = ignore) -> DeleteResult:
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


async def reprint_order_label(ctx: Any, order_key: str, report: Reporter = ignore) -> ReprintResult:
    return await reprint(ctx.store, order_key, report, labels_dir=ctx.labels_dir)


def reconcile_labels(ctx: Any, report: Reporter = ignore) -> ReconcileResult:
    return reconcile(ctx.store, ctx.clock, ctx.labels_dir, report)


async def on_start(ctx: Any, report: Reporter = ignore) -> Any:
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
