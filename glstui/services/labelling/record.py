"""The store writes of a label run: holds, adopted labels, and per chunk "record and claim".

Crash safety: an order gets `label_pending_at` (the "label pending" intent) in a write before
GLS is asked for it. One write per chunk records the labels GLS made for the previous chunk
(from their fsynced receipts), clears the intent of certain failures and sets the intent on
the next chunk; a copy of the order in another shop row with a label is refused there, under
the store's cross-process lock (services/labelling/guard.py).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from glstui.domain.order import HELD, NEW
from glstui.domain.settings import Settings
from glstui.domain.shipment import Shipment
from glstui.services.labelling import guard as label_guard
from glstui.services.labelling import lookup as label_recovery
from glstui.services.labelling import paths as label_paths
from glstui.services.labelling.commit import commit_label
from glstui.services.labelling.files import fsync_dirs, read_receipt, receipt_path
from glstui.services.labelling.outcomes import UNKNOWN
from glstui.store import Store, WriteTx

if TYPE_CHECKING:
    from glstui.services.labelling.pipeline import Job

Stored = dict[str, tuple[Shipment, int]]  # order key -> (shipment, confirmations queued)


def adopt(
    store: Store,
    verdicts: dict[str, label_recovery.Verdict],
    settings: Settings,
    now: datetime,
) -> Stored:
    """ONE write: record the labels GLS made whose answers were lost (orders still pending)."""
    stored: Stored = {}
    with store.write() as tx:
        for key, verdict in verdicts.items():
            order = tx.orders.get(key)
            if order is None or order.state != NEW or order.label_pending_at is None:
                continue
            receipt = label_recovery.adopted_receipt(order, verdict.parcels or [], settings, now)
            _status, shipment, queued = commit_label(tx, key, receipt, now)
            if shipment is not None:
                stored[key] = (shipment, queued)
    return stored


def write_holds(store: Store, holds: dict[str, str]) -> None:
    with store.write() as tx:
        for key, reason in holds.items():
            order = tx.orders.get(key)
            if order is None or order.state != NEW:
                continue
            order.state = HELD
            order.hold_reason = reason
            tx.orders.put(order)


def record_and_claim(
    store: Store,
    labels_dir: Path,
    asked: list[Job],
    claim_keys: list[str],
    now: datetime,
    force: bool,
    refused: dict[str, str] | None = None,
) -> tuple[Stored, set[str]]:
    """ONE write: the labels GLS made for `asked` (shipment, labelled, outbox), the intents of
    certain failures cleared, and the intent set on `claim_keys` (orders still new and with
    no active label in another shop row of the same Amazon order: those go to `refused`)."""
    made = [j for j in asked if j.result is not None and j.outcome.status != UNKNOWN]
    # The label files and receipts must be durable before the store says "labelled".
    fsync_dirs({p.parent for j in made for p in j.files} | {receipt_path(labels_dir, "x").parent})
    with store.write() as tx:
        stored, receipts = _record(tx, labels_dir, asked, made, now)
        claimed = _claim(tx, claim_keys, now, force, refused)
    for path in receipts:
        with contextlib.suppress(OSError):
            path.unlink()
    return stored, claimed


def _record(
    tx: WriteTx, labels_dir: Path, asked: list[Job], made: list[Job], now: datetime
) -> tuple[Stored, list[Path]]:
    """The labels of `made` recorded from their receipts; certain failures lose their intent."""
    stored: Stored = {}
    receipts: list[Path] = []
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
            _status, shipment, queued = commit_label(tx, key, receipt, now)
            if shipment is not None:
                stored[key] = (shipment, queued)
                receipts.append(receipt_path(labels_dir, key))
        elif job.certain_failure:
            order = tx.orders.get(key)
            if order is not None and order.label_pending_at is not None:
                order.label_pending_at = None
                tx.orders.put(order)
    return stored, receipts


def _claim(
    tx: WriteTx, claim_keys: list[str], now: datetime, force: bool, refused: dict[str, str] | None
) -> set[str]:
    """Set the intent on the orders of `claim_keys` that may be labelled now."""
    claimed: set[str] = set()
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
    return claimed
