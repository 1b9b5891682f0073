"""The Orders screen: windows of 500, filter, marks for the labelling actions, loud cancels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.widgets import Input, Static

from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW, SHIPPED
from glstui.store.sample import make_order
from glstui.tui.app import GlsApp
from glstui.tui.screens.orders import OrdersScreen, OrdersTable

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def seed_orders(ctx: Any, n: int) -> None:
    orders = []
    for i in range(n):
        order = make_order(
            i,
            "shop0001" if i % 3 else "shop0002",
            created_at=NOW - timedelta(hours=40 - i % 40, minutes=i),
        )
        order.state = NEW
        if i % 10 == 3:
            order.state, order.hold_reason = HELD, "Address has no house number: check it."
        elif i % 10 == 5:
            order.state = LABELLED
        elif i % 10 == 7:
            order.state, order.amazon_status = CANCELLED, "CANCELLED"
            order.hold_reason = "Cancelled on Amazon: do not ship."
        elif i % 10 == 9:
            order.state, order.shipped_at = SHIPPED, NOW - timedelta(hours=1)
        if i == 15:
            order.amazon_status = "CANCELLED"
            order.hold_reason = "Cancelled on Amazon after labelling: delete the GLS label."
        orders.append(order)
    with ctx.store.write() as tx:
        tx.orders.put_many(orders)


async def open_orders(pilot: Any) -> OrdersScreen:
    await pilot.press("3")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, OrdersScreen)
    return screen


def counts(screen: OrdersScreen) -> str:
    return str(screen.query_one("#counts", Static).render())


async def test_big_lists_are_paged_500_at_a_time(ctx: Any, seed_shops: Any) -> None:
    seed_shops(ctx)
    seed_orders(ctx, 1200)
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_orders(pilot)
        table = screen.query_one(OrdersTable)
        assert table.row_count == 500
        assert counts(screen).startswith("1–500 of 1,200")
        table.move_cursor(row=499)
        await pilot.press("pagedown")
        await pilot.pause()
        assert counts(screen).startswith("501–1000 of 1,200")
        assert table.cursor_row == 0
        await pilot.press("pageup")
        await pilot.pause()
        assert counts(screen).startswith("1–500 of 1,200")
        assert table.cursor_row == 499


async def test_filter_state_key_and_marks(ctx: Any, seed_shops: Any) -> None:
    seed_shops(ctx)
    seed_orders(ctx, 40)
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_orders(pilot)
        await pilot.press("slash", *"state:held")
        await pilot.pause()
        assert counts(screen).startswith("1–4 of 4")
        await pilot.press("enter", "space", "space")
        assert len(screen.selected_keys) == 2
        await pilot.press("a")
        assert len(screen.selected_keys) == 4
        await pilot.press("a")  # all shown were marked: a again clears them
        assert screen.selected_keys == []
        await pilot.press("slash")
        screen.query_one("#filter", Input).value = ""
        await pilot.press("escape")  # leaves the box; esc again clears and hides it
        await pilot.press("escape")
        await pilot.pause()
        assert counts(screen).startswith("1–40 of 40")
        await pilot.press("t")  # state preset: open (new + held)
        await pilot.pause()
        assert "state: new,held" in counts(screen)


async def test_cancelled_orders_are_loud_in_table_and_details(ctx: Any, seed_shops: Any) -> None:
    seed_shops(ctx)
    seed_orders(ctx, 40)
    app = GlsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_orders(pilot)
        table = screen.query_one(OrdersTable)
        keys = [r.value for r in table.rows]
        victim = next(k for k in keys if k.endswith(make_order(15, "x").order_id))
        cell = table.get_cell(victim, "state")
        assert "CANCELLED" in str(cell) and "labelled" in str(cell)
        table.move_cursor(row=keys.index(victim))
        await pilot.pause()
        detail = str(screen.query_one("#detail", Static).render())
        assert "delete the GLS label" in detail
        assert "Buyer Name 15" in detail  # the operator sees the address on screen


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_orders(snap_compare: Any, ctx: Any, seed_shops: Any, size: Any) -> None:
    seed_shops(ctx)
    seed_orders(ctx, 30)
    app = GlsApp(ctx)

    async def before(pilot: Any) -> None:
        await open_orders(pilot)
        await pilot.press("down", "space", "down", "down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


DECISION = {
    "rule_name": "Heavy to BE",
    "product": "EuroBusinessParcel",
    "services": {"saturdayService": True},
    "parcels": 2,
    "weight_kg": 3.5,
    "total_weight_kg": 7.0,
    "label_format": "pdf",
    "hold": False,
    "hold_reason": "",
    "skip": False,
    "unknown_skus": ["FIETSLAMP-SET"],
}


def _victim(screen: OrdersScreen) -> str:
    keys = [r.value for r in screen.query_one(OrdersTable).rows]
    return next(k for k in keys if k.endswith(make_order(15, "x").order_id))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Decision: rule 'Heavy to BE', EuroBusinessParcel, Saturday, "
                "2 parcels of 3.5 kg (7 kg in all)",
                "No weight known for FIETSLAMP-SET",
                "Cancelled on Amazon after labelling: delete the GLS label.",
            ],
        ),
        (
            "nl",
            [
                "Besluit: regel 'Heavy to BE', EuroBusinessParcel, zaterdag, "
                "2 pakketten van 3.5 kg (7 kg totaal)",
                "Geen gewicht bekend voor FIETSLAMP-SET",
                "Geannuleerd op Amazon nadat het label gemaakt is: verwijder het GLS label.",
            ],
        ),
    ],
)
async def test_details_say_the_decision_and_reason_in_words(
    ctx: Any, seed_shops: Any, lang: str, expected: list[str]
) -> None:
    seed_shops(ctx)
    seed_orders(ctx, 40)
    with ctx.store.write() as tx:
        for order in tx.orders.all():
            if order.order_id == make_order(15, "x").order_id:
                order.decision = dict(DECISION)
                tx.orders.put(order)
    app = GlsApp(ctx, lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_orders(pilot)
        table = screen.query_one(OrdersTable)
        table.move_cursor(row=[r.value for r in table.rows].index(_victim(screen)))
        await pilot.pause()
        detail = str(screen.query_one("#detail", Static).render())
        for words in expected:
            assert words in detail
        assert "unknown_skus" not in detail and "False" not in detail


@pytest.mark.parametrize(
    ("lang", "size"), [("en", (80, 24)), ("nl", (120, 40)), ("en", (120, 40)), ("nl", (80, 24))]
)
async def test_every_column_fits_and_the_list_gets_most_of_the_height(
    ctx: Any, seed_shops: Any, lang: str, size: tuple[int, int]
) -> None:
    seed_shops(ctx)
    seed_orders(ctx, 40)
    app = GlsApp(ctx, lang=lang)
    async with app.run_test(size=size) as pilot:
        screen = await open_orders(pilot)
        table = screen.query_one(OrdersTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert table.size.height > screen.query_one("#detail").size.height
        row = screen.query_svc.rows[0]
        shown = str(table.get_cell(row.key, "city"))
        if (lang, size) == ("nl", (80, 24)):  # Dutch words are long: the city is cut, with …
            assert shown.startswith(row.city[:5])
        else:  # a plain city is shown whole ("City, CC")
            assert shown == f"{row.city}, {row.country}"
