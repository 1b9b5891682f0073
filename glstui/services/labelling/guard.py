"""One active GLS label per Amazon order, whatever shop row the order was imported through.

The same seller account can be connected twice (two shop rows), and two operators or a cron
job can label at the same time. An Amazon order is identified by seller + region + order id
(+ marketplace when both rows know it); its rows in other shops are found by key, so the check
costs a few lookups, not a scan of every order. `refusal` runs twice: on the read view before
GLS is asked (a clear early answer) and again inside the store write that sets the "label
pending" intent, under the cross-process lock, so of two concurrent runs only the first
claims the order and the second is refused with the name of the shop that has it.
"""

from __future__ import annotations

from glstui.domain.integration import Integration
from glstui.domain.order import Order, order_key
from glstui.i18n import _
from glstui.store import ReadView, WriteTx


def refusal(view: ReadView | WriteTx, order: Order) -> str | None:
    """Why `order` must not get a label because another shop row of it has one; else None.

    `view` is a store read view or write transaction (orders, shipments, integrations).
    """
    shop = view.integrations.get(order.integration_id)
    if shop is None or not shop.selling_partner_id:
        return None  # not connected to a seller yet: no other row can be the same order
    for other_id, other_name in _same_account(view, shop):
        twin = view.orders.get(order_key(other_id, order.order_id))
        if twin is None or (
            twin.marketplace_id
            and order.marketplace_id
            and twin.marketplace_id != order.marketplace_id
        ):
            continue
        values = {"order": order.order_id, "shop": other_name}
        if twin.label_pending_at is not None:
            return _(
                "Order {order}: shop '{shop}' is creating a GLS label for this Amazon order (or its answer was lost); no second label."  # noqa: E501
            ).format(**values)
        parcels = [
            p
            for s in view.shipments.by_integration(other_id)
            if s.order_key == twin.key and s.deleted_at is None
            for p in s.parcel_numbers
        ]
        if parcels:
            return _(
                "Order {order}: shop '{shop}' already has an active GLS label for this Amazon order (parcel {parcels}); no second label."  # noqa: E501
            ).format(parcels=", ".join(parcels), **values)
    return None


def _same_account(view: ReadView | WriteTx, shop: Integration) -> list[tuple[str, str]]:
    """(shop id, name) of every other row of the shop's seller account + region: live shops
    and shops deleted with their orders kept (whose labels still count)."""
    rows = [
        (other.id, other.shop_name)
        for other in view.integrations.all()
        if other.id != shop.id
        and other.selling_partner_id == shop.selling_partner_id
        and other.region == shop.region
    ]
    settings = view.settings.get()
    for retired_id in settings.retired_shops:
        seller, region, name = settings.retired_shop(retired_id)
        if retired_id != shop.id and seller == shop.selling_partner_id and region == shop.region:
            rows.append((retired_id, _("{name} (deleted shop)").format(name=name)))
    return rows
