"""After a crash: record the labels a stopped run left receipts of, warn about the rest.

If the process died between GLS's answer and the store write:
- receipt present: `reconcile` (run on every start) records the label from the receipt;
  nothing is asked from GLS again, so there is no second label;
- no receipt (died while GLS was working, or GLS timed out): the order keeps its intent and
  is NOT labelled again silently: `reconcile` warns that a label with that reference may
  exist at GLS. The next label run first searches GLS for it (services/labelling/lookup.py);
  when GLS shows none the operator creates it anyway or calls `forget_pending_label`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from glstui.domain.clock import Clock
from glstui.domain.order import NEW
from glstui.i18n import _
from glstui.services.events import ERROR, WARNING, LogLine, Reporter, ignore
from glstui.services.labelling import paths as label_paths
from glstui.services.labelling.commit import commit_label
from glstui.services.labelling.files import read_receipt, receipt_path
from glstui.services.labelling.outcomes import STALE_AFTER_S, pending_text
from glstui.store import Store


@dataclass
class ReconcileResult:
    recovered: list[str] = field(default_factory=list)  # order keys recorded from receipts
    uncertain: list[str] = field(default_factory=list)  # order keys: a label may exist at GLS


def reconcile(
    store: Store,
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
        pending = view.orders.with_field("label_pending_at")  # no decoding of the backlog
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
                _status, shipment, _queued = commit_label(tx, order.key, receipt, now)
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
        report(LogLine(pending_text(order), WARNING))
    return result


def forget_pending_label(store: Store, order_key: str) -> bool:
    """The operator checked GLS: no label exists for this order; it may be labelled again."""
    with store.write() as tx:
        order = tx.orders.get(order_key)
        if order is None or order.label_pending_at is None:
            return False
        order.label_pending_at = None
        tx.orders.put(order)
    return True
