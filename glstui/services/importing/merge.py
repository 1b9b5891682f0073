"""Merging one imported order into what is stored, and the shipping rules applied to it.

Orders are keyed by shop + Amazon order id, so a page seen twice updates, never doubles; our
own state (labelled, shipped, decision) is never overwritten by Amazon's data; a cancellation
on Amazon of an order we still hold is shouted: it must not be shipped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from glstui.domain.integration import Integration
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED, Order
from glstui.domain.rules import Decision
from glstui.i18n import _
from glstui.services import order_kinds
from glstui.services import rules as rules_svc
from glstui.services.events import ERROR, INFO, WARNING, LogLine

AMAZON_CANCELLED = "CANCELLED"

# ---------------------------------------------------------------------------------------------
# Shipping rules: the single place where a rule decision is applied to an imported order.


def apply_shipping_rules(
    order: Order, integration: Integration, inputs: rules_svc.RuleInputs | None = None
) -> Decision:
    """Decide product, services, parcels, weight and hold for an order waiting for a label.

    The shop's rules when 'Activate shipping rules' is on, else the default decision
    (glstui.services.rules.apply_rules). `inputs` (SKU weights, default weight, label format)
    is read once per page by store_page. A new order whose decision says skip is not stored.
    """
    inputs = inputs or rules_svc.RuleInputs()
    return rules_svc.apply_rules(
        integration,
        order,
        inputs.weights,
        inputs.default_weight,
        label_format=inputs.label_format,
    )


# ---------------------------------------------------------------------------------------------
# Merging a page into what is stored.

# The fields Amazon's copy of an order updates; every other field (state, decision, label
# bookkeeping, purge dates) is ours and never overwritten by an import.
_AMAZON_FIELDS = (
    "marketplace_id",
    "amazon_status",
    "created_at",
    "last_updated_at",
    "ship_by",
    "items",
    "recipient",
    "country_code",
    "service_level",
    "is_prime",
    "is_business",
    "programs",
    "original_order_id",
    "association",
    "order_total",
    "currency",
)


@dataclass
class PageOutcome:
    """What one page did to the store, with the lines to report (no buyer data in them)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    held: int = 0
    skipped_cancelled: int = 0
    skipped_by_rule: int = 0
    lines: list[LogLine] = field(default_factory=list)


def describe(order: Order) -> str:
    """Order id, country and item count: all a log line may say about an order."""
    n = order.item_count
    text = _("{order} ({country}, 1 item)") if n == 1 else _("{order} ({country}, {n} items)")
    return text.format(order=order.order_id, country=order.country_code or "??", n=n)


def merge_order(
    incoming: Order,
    existing: Order | None,
    integration: Integration,
    now: datetime,
    outcome: PageOutcome,
    inputs: rules_svc.RuleInputs | None = None,
) -> Order | None:
    """Return the order to store (None = store nothing) and count what happened."""
    shop = integration.shop_name
    cancelled = incoming.amazon_status == AMAZON_CANCELLED
    if existing is None:
        return _merge_new(incoming, integration, now, outcome, inputs)

    if not any(getattr(existing, n) != getattr(incoming, n) for n in _AMAZON_FIELDS):
        outcome.unchanged += 1
        return None

    merged = dataclasses.replace(existing)
    for name in _AMAZON_FIELDS:
        value = getattr(incoming, name)
        if name == "recipient" and (value is None or existing.pii_purged_at is not None):
            continue  # cancelled orders come without an address; purged data stays purged
        setattr(merged, name, value)

    if cancelled and existing.amazon_status != AMAZON_CANCELLED:
        return _cancel(merged, existing, shop, outcome)

    if merged.state in (NEW, HELD):
        apply_shipping_rules(merged, integration, inputs)
        order_kinds.apply(merged, lambda o: apply_shipping_rules(o, integration, inputs))
        if merged.state == HELD and existing.state != HELD:
            outcome.held += 1
    outcome.updated += 1
    outcome.lines.append(
        LogLine(_("Updated order {order}").format(order=describe(merged)), INFO, shop)
    )
    return merged


def _merge_new(
    incoming: Order,
    integration: Integration,
    now: datetime,
    outcome: PageOutcome,
    inputs: rules_svc.RuleInputs | None,
) -> Order | None:
    """An order seen for the first time: imported, unless it is cancelled or a rule skips it."""
    shop = integration.shop_name
    if incoming.amazon_status == AMAZON_CANCELLED:
        # Cancelled before we ever saw it: nothing to ship, nothing to import.
        outcome.skipped_cancelled += 1
        return None
    incoming.imported_at = now
    decision = apply_shipping_rules(incoming, integration, inputs)
    if decision.skip:
        outcome.skipped_by_rule += 1
        outcome.lines.append(
            LogLine(
                _("Order {order} skipped by shipping rule '{rule}'.").format(
                    order=incoming.order_id, rule=decision.rule_name
                ),
                INFO,
                shop,
            )
        )
        return None
    order_kinds.apply(incoming, lambda o: apply_shipping_rules(o, integration, inputs))
    outcome.new += 1
    if incoming.state == HELD:
        outcome.held += 1
    outcome.lines.append(
        LogLine(_("New order {order}").format(order=describe(incoming)), INFO, shop)
    )
    if incoming.not_for_gls:
        text = _("Order {order}: {reason}").format(
            order=incoming.order_id, reason=incoming.hold_reason
        )
        outcome.lines.append(LogLine(text, WARNING, shop))
    return incoming


def _cancel(merged: Order, existing: Order, shop: str, outcome: PageOutcome) -> Order:
    """An order we hold was cancelled on Amazon: say so loudly, by our state of it."""
    outcome.cancelled += 1
    oid = existing.order_id
    if existing.state in (NEW, HELD):
        merged.state = CANCELLED
        merged.hold_reason = _("Cancelled on Amazon: do not ship.")
        text = _("Order {order} was CANCELLED on Amazon: do not ship it.").format(order=oid)
        outcome.lines.append(LogLine(text, WARNING, shop))
    elif existing.state == LABELLED:
        merged.hold_reason = _("Cancelled on Amazon after labelling: delete the GLS label.")
        text = _(
            "Order {order} was CANCELLED on Amazon but already has a GLS label: "
            "delete the label and do not ship the parcel."
        ).format(order=oid)
        outcome.lines.append(LogLine(text, ERROR, shop))
    else:  # shipped (or already cancelled here)
        if existing.state == SHIPPED:
            merged.hold_reason = _("Cancelled on Amazon after shipping: check with GLS.")
        text = _(
            "Order {order} was CANCELLED on Amazon after it was shipped: check the parcel with GLS."
        ).format(order=oid)
        outcome.lines.append(LogLine(text, ERROR, shop))
    return merged
