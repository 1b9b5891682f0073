"""At 80x24 (the SSH minimum) the Orders screen cuts nothing an operator needs: log lines with
parcel numbers wrap, shop names that differ only at the end stay apart, the city keeps its
country, the State column is as wide as its states, and the details show all of the order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console
from textual.widgets import Static

from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import HELD, NEW, OrderItem
from glstui.store.sample import make_order
from glstui.tui.app import GlsApp
from glstui.tui.screens.orders import OrdersScreen, OrdersTable
from glstui.tui.screens.orders.table import short_names
from glstui.tui.widgets.log_pane import LogPane

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
TWINS = ("Amazon A3PNJAV4CVI5V1", "Amazon A3PNJAV4CVI5V2")


def seed(ctx: Any, n: int = 12) -> None:
    """Two shops whose names differ only in the last character; new orders in both."""
    with ctx.store.write() as tx:
        for i, name in enumerate(TWINS):
            tx.integrations.put(
                Integration(shop_name=name, id=f"twin{i}", region="EU", status=CONNECTED)
            )
        orders = []
        for i in range(n):
            order = make_order(i, f"twin{i % 2}", created_at=NOW - timedelta(hours=30 - i))
            order.state = NEW
            orders.append(order)
        tx.orders.put_many(orders)


async def open_orders(pilot: Any) -> OrdersScreen:
    await pilot.app.workers.wait_for_complete()
    await pilot.press("3")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, OrdersScreen)
    return pilot.app.screen


def test_names_that_differ_only_at_the_end_keep_the_end() -> None:
    short = short_names([*TWINS, "Winkel Benelux Noord"], 12)
    assert short[TWINS[0]] != short[TWINS[1]]
    assert short[TWINS[0]].endswith("5V1") and short[TWINS[1]].endswith("5V2")
    assert short["Winkel Benelux Noord"] == "Winkel Bene…"
    assert all(len(s) <= 12 for s in short.values())


async def test_twin_shops_cities_and_state_column_at_80_columns(ctx: Any) -> None:
    seed(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(pilot)
        table = screen.query_one(OrdersTable)
        shops = {str(table.get_cell(r.key, "shop")) for r in screen.svc.rows}
        assert len(shops) == 2, shops  # one cell text per shop, never twice "Amazon A3…"
        for row in screen.svc.rows:  # Amsterdam, Rotterdam, Utrecht: whole, with the country
            assert str(table.get_cell(row.key, "city")) == f"{row.city}, {row.country}"
        # only new orders are shown: the State column is not as wide as "labelled CANCELLED"
        state = next(c for c in table.columns.values() if c.key == "state")
        assert state.width <= len("State") + 1
        assert table.virtual_size.width <= table.scrollable_content_region.width


async def test_a_log_line_with_parcel_numbers_wraps_instead_of_being_cut(ctx: Any) -> None:
    seed(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(pilot)
        await pilot.press("l")
        await pilot.pause()
        parcels = ", ".join(f"5657003000000{n}" for n in range(2, 7))
        screen.log_line(f"Order 404-1460738-9002926: label created, parcel {parcels}.")
        pane = screen.query_one(LogPane)
        pane.flush()
        await pilot.pause()
        width = pane.scrollable_content_region.width
        assert all(len(line) <= width for line in pane.lines), pane.lines
        shown = " ".join(pane.lines)
        for n in range(2, 7):
            assert f"5657003000000{n}" in shown


async def test_the_details_show_all_of_a_long_order(ctx: Any) -> None:
    seed(ctx, n=2)
    with ctx.store.write() as tx:
        order = tx.orders.get("twin0:" + make_order(0, "x").order_id)
        assert order is not None
        order.state, order.hold_reason = (
            HELD,
            "The recipient has no name: add the name or the company.",
        )
        order.items += [
            OrderItem(
                order_item_id=f"9{n}", sku=f"SKU-LONG-{n}", title="Fietslamp set " * 3, quantity=1
            )
            for n in range(3)
        ]
        order.decision = {"rule_name": "Heavy", "parcels": 2, "weight_kg": 3, "total_weight_kg": 6}
        tx.orders.put(order)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_orders(pilot)
        table = screen.query_one(OrdersTable)
        table.move_cursor(row=[r.value for r in table.rows].index(order.key))
        await pilot.pause()
        detail = screen.query_one("#detail", Static)
        width = detail.content_region.width
        lines = Console(width=width).render_lines(detail.render(), pad=False)  # type: ignore[arg-type]
        assert len(lines) <= detail.content_region.height, "the details are cut"
        assert table.size.height >= 5  # the list keeps a few rows
