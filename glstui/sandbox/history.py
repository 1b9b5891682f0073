"""A deterministic year of a warehouse's orders, for the statistics tests and benchmarks.

Orders imported, labelled and confirmed like a real warehouse would (most within a day, a
few late, a few refused by Amazon), written through the store and archived as the store
does, so statistics and retention meet the real layout. Test data, so it lives with the
sandbox, not in the services.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from glstui.domain.clock import Clock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import CANCELLED, LABELLED, NEW, SHIPPED, Order
from glstui.domain.shipment import FAILED, PENDING, SENT, OutboxEntry, Shipment
from glstui.store import Store
from glstui.store.sample import make_order, make_outbox, make_shipment


def generate_history(
    store: Store,
    clock: Clock,
    orders: int = 1000,
    days: int = 120,
    seed: int = 7,
    shops: list[Integration] | None = None,
    chunk: int = 5000,
) -> list[Integration]:
    """Fill `store` with `orders` orders over the last `days` days, labelled and confirmed
    like a real warehouse would (most within a day, a few late, a few refused by Amazon).

    Same arguments, same store contents. Writes in chunks of `chunk` orders and moves shipped
    orders to the archives as the store does at start, so the result has the real layout.
    """
    rng = random.Random(seed)
    now = clock.now()
    if shops is None:
        shops = [
            Integration(
                shop_name=name,
                id=f"shop{n}",
                status=CONNECTED,
                selling_partner_id=f"A{n}SELLER{seed}",
                authorized_at=now - timedelta(days=auth_days),
                created_at=now - timedelta(days=400),
                update_tracking=n != 3,
            )
            for n, (name, auth_days) in enumerate(
                (("Amazon NL", 40), ("Amazon DE", 352), ("Amazon BE", 200)), start=1
            )
        ]
    weights = [5, 3, 1][: len(shops)] + [1] * max(0, len(shops) - 3)
    start = now - timedelta(days=days)
    span = (now - start).total_seconds()
    # creation times, oldest first, with a weekly rhythm (fewer orders on Sundays)
    times: list[datetime] = []
    while len(times) < orders:
        when = start + timedelta(seconds=rng.random() * span)
        if when.weekday() == 6 and rng.random() < 0.5:
            continue
        times.append(when)
    times.sort()

    batch_orders: list[Order] = []
    batch_shipments: list[Shipment] = []
    batch_outbox: list[OutboxEntry] = []

    def flush() -> None:
        with store.write() as tx:
            tx.orders.put_many(batch_orders)
            tx.shipments.put_many(batch_shipments)
            tx.outbox.put_many(batch_outbox)
        batch_orders.clear()
        batch_shipments.clear()
        batch_outbox.clear()
        store.archive_shipped()

    with store.write() as tx:
        tx.integrations.put_many(shops)
    for n, created in enumerate(times):
        shop = rng.choices(shops, weights)[0]
        order = make_order(n, shop.id, created_at=created)
        order.imported_at = created + timedelta(minutes=rng.randint(5, 360))
        order.ship_by = created + timedelta(days=2)
        if order.imported_at >= now:
            continue
        roll = rng.random()
        label_at = order.imported_at + timedelta(minutes=rng.randint(20, 36 * 60))
        recent = now - created < timedelta(days=4)
        if roll < 0.01:
            order.state = CANCELLED
        elif label_at >= now or (roll < 0.03 and recent):
            order.state = NEW  # waiting for a label (a few of them late)
        elif roll < 0.03:
            order.state = CANCELLED  # old orders nobody labelled were cancelled
        else:
            order.state = LABELLED
            shipment = make_shipment(order, n)
            shipment.created_at = label_at
            batch_shipments.append(shipment)
            if shop.update_tracking:
                batch_outbox.append(_confirmation(rng, now, order, shipment, label_at))
            # a shop with tracking update off: the order stays labelled (Amazon is not told)
        if order.state in (NEW, LABELLED, CANCELLED):
            order.amazon_status = "CANCELLED" if order.state == CANCELLED else "UNSHIPPED"
        batch_orders.append(order)
        if len(batch_orders) >= chunk:
            flush()
    if batch_orders:
        flush()
    return shops


def _confirmation(
    rng: random.Random, now: datetime, order: Order, shipment: Shipment, label_at: datetime
) -> OutboxEntry:
    """The tracking confirmation of a labelled order: sent (the order is then shipped), still
    pending, or now and then refused by Amazon."""
    entry = make_outbox(shipment, state=PENDING)
    sent_at = label_at + timedelta(minutes=rng.randint(1, 90))
    if rng.random() < 0.01 and now - label_at < timedelta(days=20):
        entry.state = FAILED
        entry.attempts = 1
        entry.last_error = "InvalidInput: the order is already shipped"
    elif sent_at < now:
        entry.state, entry.sent_at, entry.attempts = SENT, sent_at, 1
        order.state, order.shipped_at = SHIPPED, sent_at
    return entry
