"""Record a label from its receipt in one store write: shipment, order labelled, outbox.

The receipt (services/labelling/files.py) is the durable record of what GLS answered; recording
it twice records it once. When the shop's tracking switch is on, one outbox entry per parcel
that carries items is queued (glstui.domain.label_request.split_items).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from glstui.domain.clock import from_iso
from glstui.domain.label_request import (
    DEFAULT_PRODUCT,
    confirmation_payload,
    next_package_refs,
    split_items,
)
from glstui.domain.order import LABELLED, Order
from glstui.domain.shipment import PENDING, OutboxEntry, Shipment, outbox_entry_id
from glstui.services import audit
from glstui.store import ReadView, WriteTx


def order_shipments(view: ReadView | WriteTx, order: Order) -> list[Shipment]:
    return [
        s for s in view.shipments.by_integration(order.integration_id) if s.order_key == order.key
    ]


def active_shipment(view: ReadView | WriteTx, order_key: str) -> Shipment | None:
    """The order's current (not deleted) label, or None."""
    integration_id = order_key.split(":", 1)[0]
    found = [
        s
        for s in view.shipments.by_integration(integration_id)
        if s.order_key == order_key and s.deleted_at is None
    ]
    found.sort(key=lambda s: s.created_at.timestamp() if s.created_at else 0.0)
    return found[-1] if found else None


def commit_label(
    tx: WriteTx, order_key: str, receipt: dict[str, Any], now: datetime
) -> tuple[str, Shipment | None, int]:
    """Record a label from its receipt, once. Returns (status, shipment, confirmations queued).

    status: "stored" | "already" (this label is already recorded) | "gone" (order deleted).
    """
    order = tx.orders.get(order_key)
    if order is None:
        return "gone", None, 0
    parcels = [str(p) for p in receipt["parcel_numbers"]]
    existing = order_shipments(tx, order)
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
        gls_environment=str(receipt.get("gls_environment") or ""),
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
                    id=outbox_entry_id(shipment.id, ref),
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
