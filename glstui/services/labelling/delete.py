"""Delete an order's label at GLS while Amazon has not been told; the order is new again.

The shipment stays (deleted_at) so its packageReferenceIds are never reused; the outbox
entries of the deleted parcels go, the others are sent as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from glstui.domain.clock import Clock
from glstui.domain.order import LABELLED, NEW, SHIPPED
from glstui.domain.shipment import FAILED, PENDING, SENT, SKIPPED
from glstui.gls.errors import GlsError, GlsValidationError
from glstui.i18n import _
from glstui.services import audit
from glstui.services.events import ERROR, WARNING, LogLine, Reporter, ignore
from glstui.services.labelling import paths as label_paths
from glstui.services.labelling.commit import active_shipment
from glstui.services.labelling.files import label_files
from glstui.services.labelling.reprint import labels_dir_of
from glstui.store import Store


class LabelCanceller(Protocol):
    """What deleting needs of GLS (glstui.gls.client.GlsClient; tests pass a double)."""

    async def delete_label(self, unit_no: str) -> None: ...


@dataclass
class DeleteResult:
    deleted: bool = False
    refused: bool = False
    message: str = ""
    parcels_deleted: list[str] = field(default_factory=list)


async def delete_label(
    store: Store,
    gls: LabelCanceller,
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
            labels_dir_of(store, labels_dir), order_id, label_files(shipment)
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
            if _gone_at_gls(exc):
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


def _pause_entries(store: Store, entry_ids: list[str], until: datetime) -> None:
    with store.write() as tx:
        for entry_id in entry_ids:
            entry = tx.outbox.get(entry_id)
            if entry is not None and entry.state == PENDING:
                entry.next_attempt_at = until
                tx.outbox.put(entry)


def _record_delete(
    store: Store, shipment_id: str, deleted: list[str], now: datetime
) -> DeleteResult:
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


def _gone_at_gls(exc: GlsError) -> bool:
    """GLS refused the delete because the parcel is not (or no longer) there. GLS lists 400
    for a refused Label/Delete (no 404): the reason on unitNo says "not found" or "already"."""
    if exc.status == 404:
        return True
    text = exc.user_message.lower()
    return isinstance(exc, GlsValidationError) and ("already" in text or "not found" in text)
