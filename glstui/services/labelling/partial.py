"""Orders Amazon shows as partly shipped: read their packages before labelling the rest.

Another tool (or the seller by hand) may already have confirmed a package for part of an order.
Labelling it again as a whole ships items twice, and confirming with a packageReferenceId Amazon
already lists edits that package: its tracking number is lost. So before such an order is
labelled, glstui reads it from Amazon (getOrder with FULFILLMENT and PACKAGES) and stores the
shipped quantity per item and the package references Amazon lists; labelling then takes only
the unshipped units and package references after every one Amazon or glstui ever used.
An order whose packages could not be read is not labelled (labelling says why).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from glstui.amazon.errors import AmazonError
from glstui.amazon.mapping import order_from_api
from glstui.domain.clock import Clock
from glstui.domain.order import NEW, Order
from glstui.i18n import _
from glstui.services.events import WARNING, LogLine, Reporter, ignore
from glstui.store import Store

PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"


class OrderReader(Protocol):
    """What reading packages needs of Amazon (glstui.amazon.client.SpApiClient)."""

    async def get_order(
        self, refresh_token: str, region: str, order_id: str, included_data: Iterable[str] = ...
    ) -> dict[str, Any]: ...


def package_tracking(raw: dict[str, Any]) -> dict[str, str]:
    """packageReferenceId -> tracking number of the packages a getOrder answer lists (PACKAGES
    data); the outbox's read-back after confirming (services/outbox/verify.py) uses it."""
    packages = raw.get("packages")
    if not isinstance(packages, list):
        return {}
    return {
        str(p.get("packageReferenceId") or ""): str(p.get("trackingNumber") or "")
        for p in packages
        if isinstance(p, dict)
    }


def needs_packages(order: Order) -> bool:
    """Part of the order may be shipped already, so Amazon's packages must be known."""
    return order.amazon_status == PARTIALLY_SHIPPED or order.partly_shipped


def packages_unknown(order: Order) -> bool:
    return needs_packages(order) and order.amazon_package_refs is None


async def read_packages(
    store: Store,
    amazon: OrderReader,
    refresh_token: Callable[[str], str | None],
    clock: Clock,
    order_keys: Iterable[str],
    report: Reporter = ignore,
) -> int:
    """Refresh shipped quantities and package references of the partly shipped orders among
    `order_keys` from Amazon; returns how many were read. Failures are reported, not raised."""
    with store.read() as view:
        orders = [o for k in order_keys if (o := view.orders.get(k)) is not None]
        shops = {i.id: i for i in view.integrations.all()}
    fresh: dict[str, Order] = {}
    for order in orders:
        shop = shops.get(order.integration_id)
        if order.state != NEW or not needs_packages(order) or shop is None:
            continue
        token = refresh_token(order.integration_id)
        if not token:
            continue
        try:
            raw = await amazon.get_order(
                token, shop.region, order.order_id, ("FULFILLMENT", "PACKAGES")
            )
        except AmazonError as exc:
            text = _(
                "Order {order}: Amazon shows part of it shipped, and its packages could not be read: {error}"  # noqa: E501
            ).format(order=order.order_id, error=exc.user_message)
            report(LogLine(text, WARNING, shop.shop_name))
            continue
        read = order_from_api(raw, order.integration_id, clock)
        read.amazon_package_refs = read.amazon_package_refs or []  # asked: none listed = none
        fresh[order.key] = read
    if fresh:
        await asyncio.to_thread(_store, store, fresh)
    return len(fresh)


def _store(store: Store, fresh: dict[str, Order]) -> None:
    with store.write() as tx:
        for key, read in fresh.items():
            order = tx.orders.get(key)
            if order is None:
                continue
            shipped = {i.order_item_id: i.quantity_shipped for i in read.items}
            for item in order.items:
                item.quantity_shipped = shipped.get(item.order_item_id, item.quantity_shipped)
            order.amazon_package_refs = list(read.amazon_package_refs or [])
            if read.amazon_status:
                order.amazon_status = read.amazon_status
            tx.orders.put(order)
