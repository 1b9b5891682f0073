"""A GLS label made for an order, and the confirmation owed to Amazon for each parcel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Outbox states.
PENDING = "pending"
SENT = "sent"
FAILED = "failed"  # Amazon said no (400): waits for the operator
SKIPPED = "skipped"  # marked done by hand
OUTBOX_STATES = (PENDING, SENT, FAILED, SKIPPED)

# GLS environments a label can come from (Shipment.gls_environment; "" = not recorded, labels
# made before glstui recorded it).
GLS_TEST = "test"
GLS_LIVE = "live"

# What Amazon's copy of the order says about a sent confirmation (OutboxEntry.verify_state).
UNCHECKED = ""  # not read back yet
VERIFIED = "verified"  # Amazon lists our package with our tracking number
UNLISTED = "unlisted"  # read back, not listed yet (Amazon's data lags): checked again
MISSING = "missing"  # still not listed after the grace time: the operator must look
VERIFY_STATES = (UNCHECKED, VERIFIED, UNLISTED, MISSING)


@dataclass
class Shipment:
    id: str
    order_key: str
    integration_id: str
    order_id: str
    parcel_numbers: list[str] = field(default_factory=list)
    tracking_links: list[str] = field(default_factory=list)
    label_path: str = ""
    label_format: str = "pdf"
    product: str = "BusinessParcel"
    services: dict[str, Any] = field(default_factory=dict)
    weight_kg: float = 1.0
    created_at: datetime | None = None
    deleted_at: datetime | None = None
    # Amazon packageReferenceId of each parcel (parallel to parcel_numbers); never reused
    # within an order, also not after a label is deleted.
    package_reference_ids: list[str] = field(default_factory=list)
    gls_environment: str = ""  # GLS_TEST | GLS_LIVE: the GLS environment that made the label


def outbox_entry_id(shipment_id: str, package_reference_id: str) -> str:
    """The id of a parcel's confirmation: its shipment and its Amazon packageReferenceId."""
    return f"{shipment_id}:{package_reference_id}"


@dataclass
class OutboxEntry:
    """One confirmShipment for one parcel. `id` = outbox_entry_id(shipment id, reference)."""

    id: str
    shipment_id: str
    order_key: str
    integration_id: str
    order_id: str
    package_reference_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    state: str = PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None
    created_at: datetime | None = None
    # Why a delivery run holds this entry back without sending it (a GLS test label and a
    # live Amazon account); "" = not held. It stays pending and is looked at again each run.
    held_reason: str = ""
    # The read-back after sending (getOrder with PACKAGES): see VERIFY_STATES.
    verify_state: str = UNCHECKED
    verify_checks: int = 0
    verify_next_at: datetime | None = None
    verified_at: datetime | None = None
