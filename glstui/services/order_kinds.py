"""Apply glstui.domain.order_kinds to an imported order, and word it for the operator.

Called by the importer after the shipping rules, for every order still waiting for a label:
- "not for GLS" (Easy Ship, Ship+, in-store pickup, a pickup point GLS cannot deliver to):
  held with the reason, `not_for_gls` set; labelling refuses held orders, so nothing is
  labelled or confirmed. When Amazon's data no longer says so, the hold goes and the rules
  decide again;
- a GLS ParcelShop pickup point: the decision gets GLS's ParcelShop delivery to that shop id
  (express and addressee-only, which GLS does not combine with it, are dropped).
The reasons never name the buyer or the pickup point: hold reasons reach log lines.
"""

from __future__ import annotations

from collections.abc import Callable

from glstui.domain import order_kinds
from glstui.domain.order import HELD, NEW, Order
from glstui.i18n import _


def not_for_gls_text(kind: str) -> str:
    if kind == "easy_ship":
        return _(
            "Not for GLS: Easy Ship order, Amazon's carrier collects it. Print Amazon's label in Seller Central (Manage Orders); glstui makes no GLS label for it."  # noqa: E501
        )
    if kind == "ship_plus":
        return _(
            "Not for GLS: Ship+ order, Amazon refuses tracking from other carriers for it. Ship it with the Ship+ label in Seller Central; glstui makes no GLS label for it."  # noqa: E501
        )
    if kind == "in_store_pick_up":
        return _("Not for GLS: the buyer collects this order in your store; nothing to send.")
    return _(
        "Not for GLS: delivery to a pickup point that takes no GLS parcels (an Amazon Locker, Counter or another carrier's point). Ship it through Amazon (Buy Shipping in Seller Central); glstui makes no GLS label for it."  # noqa: E501
    )


def apply(order: Order, decide_again: Callable[[Order], object]) -> None:
    """Hold, release or route `order` by its kind (only while it waits for a label)."""
    if order.state not in (NEW, HELD):
        return
    kind = order_kinds.not_for_gls(order)
    if kind:
        order.not_for_gls = kind
        order.state = HELD
        order.hold_reason = not_for_gls_text(kind)
        return
    if order.not_for_gls:  # Amazon's data changed: our hold goes, the rules decide again
        order.not_for_gls = ""
        if order.state == HELD:
            order.state, order.hold_reason = NEW, ""
        decide_again(order)
    shop_id = order_kinds.gls_parcelshop_id(order.recipient) if order.recipient else ""
    if shop_id:
        services = dict(order.decision.get("services") or {})
        services.pop("expressService", None)
        services.pop("addresseeOnlyService", None)
        services.update(shopDeliveryService=True, shopDeliveryParcelShopId=shop_id)
        order.decision = {**order.decision, "services": services}
