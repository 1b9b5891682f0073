"""An imported Amazon order: its items, its recipient (personal data) and its state here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Our state of an order (not Amazon's fulfillment status).
NEW = "new"
HELD = "held"
LABELLED = "labelled"
SHIPPED = "shipped"
CANCELLED = "cancelled"
STATES = (NEW, HELD, LABELLED, SHIPPED, CANCELLED)


@dataclass
class OrderItem:
    order_item_id: str
    sku: str
    title: str
    quantity: int
    asin: str = ""
    # Units Amazon already lists as shipped (item fulfillment.quantityFulfilled): a partly
    # shipped order is labelled for the rest only.
    quantity_shipped: int = 0

    @property
    def quantity_unshipped(self) -> int:
        return max(0, self.quantity - max(0, self.quantity_shipped))


@dataclass
class Recipient:
    """The buyer's delivery address: personal data, purged 30 days after shipping."""

    name: str = ""
    company: str = ""
    address_lines: list[str] = field(default_factory=list)
    city: str = ""
    postal_code: str = ""
    country_code: str = ""
    state_or_region: str = ""
    phone: str = ""
    email: str = ""
    address_type: str = ""


@dataclass
class Order:
    integration_id: str
    order_id: str
    marketplace_id: str = ""
    amazon_status: str = ""  # Amazon's fulfillmentStatus: UNSHIPPED, PARTIALLY_SHIPPED, ...
    created_at: datetime | None = None
    last_updated_at: datetime | None = None
    ship_by: datetime | None = None
    items: list[OrderItem] = field(default_factory=list)
    recipient: Recipient | None = None
    country_code: str = ""  # kept after the recipient is purged, for statistics
    service_level: str = ""  # Amazon's shipment service level category
    is_prime: bool = False
    is_business: bool = False
    programs: list[str] = field(default_factory=list)  # Amazon's order programs (v2026)
    order_total: str = ""
    currency: str = ""
    state: str = NEW
    hold_reason: str = ""
    rule_name: str = ""
    decision: dict[str, Any] = field(default_factory=dict)
    imported_at: datetime | None = None
    shipped_at: datetime | None = None
    pii_purged_at: datetime | None = None
    # Set (in its own write) just before asking GLS for a label, cleared when the label is
    # stored: still set after a crash = a label may exist at GLS (services/labelling/).
    label_pending_at: datetime | None = None
    # packageReferenceIds of the packages Amazon lists for the order (PACKAGES data); None =
    # not read yet. A new package must never reuse one: that would edit Amazon's package.
    amazon_package_refs: list[str] | None = None
    # Why GLS must not ship it (glstui.domain.order_kinds: "easy_ship", "pickup_point", ...);
    # "" = GLS may. Such an order is held with the reason and never labelled.
    not_for_gls: str = ""
    # A replacement or exchange: Amazon's associatedOrders (v2026) name the original order.
    # Shipped, labelled and confirmed like any order; shown so nobody takes it for a double.
    original_order_id: str = ""
    association: str = ""  # REPLACEMENT_ORIGINAL_ID or EXCHANGE_ORIGINAL_ID

    @property
    def key(self) -> str:
        return order_key(self.integration_id, self.order_id)

    @property
    def item_count(self) -> int:
        return sum(i.quantity for i in self.items)

    @property
    def partly_shipped(self) -> bool:
        """Amazon lists some units as shipped already (by another tool or by hand)."""
        return any(i.quantity_shipped > 0 for i in self.items)

    def unshipped_items(self) -> list[OrderItem]:
        """The items still to ship, each with its unshipped quantity (none left: left out)."""
        return [
            OrderItem(i.order_item_id, i.sku, i.title, i.quantity_unshipped, i.asin)
            for i in self.items
            if i.quantity_unshipped > 0
        ]


def order_key(integration_id: str, order_id: str) -> str:
    """The store's id of one shop's order: one Amazon order id may exist in two shops."""
    return f"{integration_id}:{order_id}"
