"""GLS labels for orders: create, record, recover after a crash, reprint and delete (façade).

One order, one label (shipment) with one or more parcels. Where each part lives:
- what GLS is asked and Amazon told, from the order alone: glstui/domain/label_request.py;
  in GLS's types: request.py;
- a label run: create.py decides per order, pipeline.py asks GLS chunk by chunk, record.py
  holds the store writes, commit.py records one label from its receipt, files.py keeps the
  label files and receipts; guard.py (one label per Amazon order across shop rows),
  lookup.py (a lost answer: search GLS before labelling again), partial.py (partly shipped
  orders), paths.py (label paths read back are checked);
- recover.py: after a crash; reprint.py and delete.py; app.py: the actions with the AppContext.

Crash safety, in short: before GLS is asked, the order gets `label_pending_at` in a write of
its own (GLS reference = the Amazon order id). GLS's answer is written to label files and a
receipt, fsynced, BEFORE the one store write that records shipment, state `labelled` and the
outbox entries. A crash in between is finished by `reconcile` on the next start; an order
whose answer never came is not labelled again silently. With a printer set, labels are
printed with `lp` after the store write; a print failure is a warning, never a lost label.
"""

from glstui.services.labelling.app import (
    create_labels,
    delete_order_label,
    on_start,
    reconcile_labels,
    reprint_order_label,
)
from glstui.services.labelling.create import label_orders
from glstui.services.labelling.delete import DeleteResult, delete_label
from glstui.services.labelling.files import label_files, receipt_path
from glstui.services.labelling.outcomes import (
    DONE,
    FAIL,
    HOLD,
    SKIP,
    STALE_AFTER_S,
    UNKNOWN,
    LabelOutcome,
    LabelRun,
)
from glstui.services.labelling.pipeline import CONCURRENCY
from glstui.services.labelling.recover import ReconcileResult, forget_pending_label, reconcile
from glstui.services.labelling.reprint import ReprintResult, reprint
from glstui.services.labelling.request import build_request

__all__ = [
    "CONCURRENCY",
    "DONE",
    "FAIL",
    "HOLD",
    "SKIP",
    "STALE_AFTER_S",
    "UNKNOWN",
    "DeleteResult",
    "LabelOutcome",
    "LabelRun",
    "ReconcileResult",
    "ReprintResult",
    "build_request",
    "create_labels",
    "delete_label",
    "delete_order_label",
    "forget_pending_label",
    "label_files",
    "label_orders",
    "on_start",
    "receipt_path",
    "reconcile",
    "reconcile_labels",
    "reprint",
    "reprint_order_label",
]
