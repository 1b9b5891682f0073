"""Orders that need the operator: counted on the Orders screen, `n` goes to the next one; an
order Amazon refused because it is cancelled offers no pointless retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from textual.widgets import Footer, Static

from glstui.domain.order import HELD, LABELLED, NEW, order_key
from glstui.domain.shipment import FAILED, OutboxEntry
from glstui.store.sample import make_order
from glstui.tui.app import GlsApp
from glstui.tui.screens.orders import OrdersScreen, OrdersTable

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SHOP = "shop0001"
CANCELLED_ERROR = "400 InvalidInput: The order has been cancelled and cannot be shipped."
OTHER_ERROR = "400 InvalidInput: packageReferenceId is not valid."


def seed(ctx: Any) -> dict[str, str]:
    """Ten orders, one a ship-by hour apart: four need the operator."""
    orders = []
    for n in range(10):
        order = make_order(n, SHOP, created_at=NOW - timedelta(hours=48 - n))
        order.state = NEW
        orders.append(order)
    held, refused_cancelled, refused, at_gls = orders[2], orders[4], orders[6], orders[8]
    held.state, held.hold_reason = HELD, "Address has no house number: check it."
    refused_cancelled.state = refused.state = LABELLED
    at_gls.label_pending_at = NOW - timedelta(minutes=10)
    with ctx.store.write() as tx:
        tx.orders.put_many(orders)
        for order, error in ((refused_cancelled, CANCELLED_ERROR), (refused, OTHER_ERROR)):
            key = order_key(SHOP, order.order_id)
            tx.outbox.put(
                OutboxEntry(
                    id=f"s-{order.order_id}:1",
                    shipment_id=f"s-{order.order_id}",
                    order_key=key,
                    integration_id=SHOP,
                    order_id=order.order_id,
                    package_reference_id="1",
                    state=FAILED,
                    last_error=error,
                )
            )
    return {
        name: order_key(SHOP, o.order_id)
        for name, o in (
            ("held", held),
            ("refused_cancelled", refused_cancelled),
            ("refused", refused),
            ("at_gls", at_gls),
        )
    }


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def open_orders(pilot: Any) -> OrdersScreen:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, OrdersScreen)
    return pilot.app.screen


def counts(screen: OrdersScreen) -> str:
    return str(screen.query_one("#counts", Static).render())


def footer(screen: OrdersScreen) -> str:
    return " ".join(
        f"{key.key_display} {key.description}"
        for key in screen.query_one(Footer).query("FooterKey").results()
    )


async def test_the_screen_counts_what_needs_attention_and_n_goes_to_each(
    ctx: Any, seed_shops: Any
) -> None:
    seed_shops(ctx)
    keys = seed(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(pilot)
        assert "4 to check: n" in counts(screen)
        visited = []
        for _ in range(5):
            await pilot.press("n")
            await settle(pilot)
            visited.append(screen.current_key())
        # down the list (most urgent first), then round to the top again
        order = [keys["held"], keys["refused_cancelled"], keys["refused"], keys["at_gls"]]
        assert visited == [*order, order[0]]
        assert "1/4: held" in counts(screen)


async def test_n_clears_a_filter_that_hides_every_order_to_check(ctx: Any, seed_shops: Any) -> None:
    seed_shops(ctx)
    keys = seed(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_orders(pilot)
        await pilot.press("slash", *"state:shipped", "enter")
        await settle(pilot)
        assert screen.query_one(OrdersTable).row_count == 0
        await pilot.press("n")
        await settle(pilot)
        assert screen.current_key() == keys["held"]
        assert screen.query_one(OrdersTable).row_count == 10


async def test_an_order_amazon_cancelled_offers_no_retry_but_another_refusal_does(
    ctx: Any, seed_shops: Any
) -> None:
    seed_shops(ctx)
    keys = seed(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(pilot)
        await pilot.press("n", "n")  # held, then the cancelled one
        await settle(pilot)
        assert screen.current_key() == keys["refused_cancelled"]
        detail = str(screen.query_one("#detail", Static).render())
        assert "The order has been cancelled" in detail
        assert "do not ship it; D deletes the label" in detail
        assert "r sends it again" not in detail
        assert "Retry" not in footer(screen)
        await pilot.press("r")
        await settle(pilot)
        with ctx.store.read() as view:
            entries = [e for e in view.outbox.all() if e.order_key == keys["refused_cancelled"]]
        assert [e.state for e in entries] == [FAILED]  # r queued nothing to send again

        await pilot.press("n")
        await settle(pilot)
        assert screen.current_key() == keys["refused"]
        assert "r Retry" in footer(screen)
        assert "r sends it again" in str(screen.query_one("#detail", Static).render())
