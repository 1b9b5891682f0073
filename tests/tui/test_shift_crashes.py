"""Crashes an operator met in one shift: each test does what they did, in a row, at 80x24."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from test_import_screen import open_import, sandbox, shop_ctx, summary  # noqa: F401
from textual import events
from textual.widgets import DataTable, Input, Static

from glstui.services import integrations, rules
from glstui.store.sample import make_order
from glstui.tui.app import GlsApp
from glstui.tui.screens.connect import ConnectScreen
from glstui.tui.screens.integrations import IntegrationsScreen
from glstui.tui.screens.sku_weights import SkuWeightsScreen


async def test_a_second_import_in_the_same_session_runs(shop_ctx: Any) -> None:  # noqa: F811
    app = GlsApp(shop_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        for _round in range(2):
            await pilot.press("s")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not screen.running
            assert summary(screen).startswith("Import finished:")
        assert len(screen.query("#bar-overall")) == 1


async def test_q_and_a_section_key_at_once_quit_cleanly(shop_ctx: Any) -> None:  # noqa: F811
    """`q2` and `qs` typed fast: the key after q must not open a screen in a closing app."""
    for keys in (("q", "2"), ("q", "6", "s")):
        app = GlsApp(shop_ctx)
        async with app.run_test(size=(80, 24)) as pilot:
            for key in keys:  # one burst, as a terminal delivers "q2": no wait between keys
                app.post_message(events.Key(key, key))
            await pilot.pause()
        assert app.return_code == 0, keys


NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def shop_names(ctx: Any) -> list[str]:
    return [i.shop_name for i in integrations.list_integrations(ctx.store)]


async def test_after_deleting_the_last_shop_and_adding_one_the_keys_work(
    ctx: Any, seed_shops: Any
) -> None:
    """d y on the only shop, n ctrl+s esc: keys went into the hidden filter field."""
    seed_shops(ctx)
    for shop in integrations.list_integrations(ctx.store)[1:]:
        integrations.delete(ctx.store, ctx.secrets, shop.id, keep_orders=False)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("d", "y", "n", "ctrl+s", "escape")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IntegrationsScreen)
        assert not isinstance(app.focused, Input)
        await pilot.press("2")
        await pilot.pause()
        assert app.current_mode == "import"
        await pilot.press("1")
        await pilot.pause()
        assert app.current_mode == "integrations"
        assert screen.filter_text == ""
        assert "No shop matches" not in str(screen.query_one("#empty", Static).render())


async def test_esc_on_the_connect_screen_removes_the_new_draft(ctx: Any, seed_shops: Any) -> None:
    seed_shops(ctx)
    before = shop_names(ctx)  # the seed has one older draft: that one stays
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _visit in range(2):
            await pilot.press("n", "ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConnectScreen)
            assert len(shop_names(ctx)) == len(before) + 1
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, IntegrationsScreen)
            assert shop_names(ctx) == before
            table = app.screen.query_one(DataTable)
            assert table.row_count == len(before)


async def test_a_re_added_shop_is_ticked_on_the_import_screen(ctx: Any, seed_shops: Any) -> None:
    seed_shops(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        assert screen.included == {"shop0001", "shop0002"}
        await pilot.press("1")
        await pilot.pause()
        gone = integrations.get(ctx.store, "shop0002")
        integrations.delete(ctx.store, ctx.secrets, gone.id, keep_orders=False)
        again = replace(gone, id="shop0009")  # what a connect of the same seller makes
        with ctx.store.write() as tx:
            tx.integrations.put(again)
        ctx.secrets.set("amazon.refresh_token.shop0009", "Atzr|IwEBtestrefreshtoken0009")
        await pilot.press("2")
        await pilot.pause()
        assert screen.included == {"shop0001", "shop0009"}


@pytest.mark.parametrize("keys", [("3", "1"), ("2", "1"), ("4", "1"), ("3", "2"), ("2", "3")])
async def test_section_keys_typed_fast_on_a_first_visit_all_count(
    ctx: Any, seed_shops: Any, keys: tuple[str, str]
) -> None:
    """The second key used to land in the new screen's hidden filter field (3 1: Orders)."""
    seed_shops(ctx)
    modes = {"1": "integrations", "2": "import", "3": "orders", "4": "statistics"}
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys:  # one burst, as a terminal delivers it
            app.post_message(events.Key(key, key))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_mode == modes[keys[-1]]
        assert not isinstance(app.focused, Input)


MARKUP_NAME = "Bad [/] name [bold]x"


def screen_text(app: GlsApp) -> str:
    """What the terminal shows, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_markup_in_shop_names_skus_titles_and_cities_is_shown_literally(
    ctx: Any, seed_shops: Any
) -> None:
    seed_shops(ctx)
    integrations.update(ctx.store, "shop0002", shop_name=MARKUP_NAME)
    rules.import_weights_csv(ctx.store, "sku,kg\n[b]SKU[/b],1.5\n")
    order = make_order(1, "shop0002", created_at=NOW)
    order.recipient.city = "[red]Ut[/]"
    order.items[0].sku = "[b]SKU[/b]"
    order.items[0].title = "Boek [i]x[/i] [/]"
    with ctx.store.write() as tx:
        tx.orders.put(order)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert MARKUP_NAME in screen_text(app)  # Integrations
        table = app.screen.query_one(DataTable)
        names = [str(table.get_cell_at((row, 1))) for row in range(table.row_count)]
        table.move_cursor(row=names.index(MARKUP_NAME))
        await pilot.press("enter")  # details
        await pilot.pause()
        assert MARKUP_NAME in app.screen.query_one("#shop_name", Input).value
        await pilot.press("escape", "escape", "d")  # leave the field, the screen; delete?
        await pilot.pause()
        assert f"Delete the shop '{MARKUP_NAME}'?" in screen_text(app)
        await pilot.press("n", "2")
        await pilot.pause()
        assert "Bad [/] name" in screen_text(app)  # Import (the name is cut at 80 columns)
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "[red]Ut[/]" in text and "Bad [/]" in text
        detail = str(app.screen.query_one("#detail", Static).render())
        assert "[b]SKU[/b]" in detail and "Boek [i]x[/i] [/]" in detail
        await pilot.press("4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Bad [/] name" in screen_text(app)
        await pilot.press("1")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=0)
        await pilot.press("enter")  # details of another shop: type the markup name
        await pilot.pause()
        box = app.screen.query_one("#shop_name", Input)
        box.value = MARKUP_NAME
        await pilot.pause()
        assert f"A shop named '{MARKUP_NAME}' already exists" in screen_text(app)
        app.push_screen(SkuWeightsScreen())
        await pilot.pause()
        assert "[b]SKU[/b]" in screen_text(app)
    assert app._exception is None


@pytest.fixture
def demo_ctx() -> Iterator[Any]:
    """`glstui --demo`: its sandbox threads make a first visit slow enough to show the race."""
    from glstui.demo import build_demo_context
    from glstui.logs import shutdown_logging

    ctx = build_demo_context("en")
    yield ctx
    ctx.close()
    shutdown_logging()  # the demo pointed the log at its own (now removed) data dir


@pytest.mark.parametrize("keys", [("5", "6", "s"), ("4", "5", "6", "s")])
async def test_a_burst_through_new_screens_ends_where_it_was_typed(
    demo_ctx: Any, keys: tuple[str, ...]
) -> None:
    """Keys, Help, s typed in one burst must open Support: 1-6 are taken in typed order."""
    from glstui.tui.screens.support import SupportScreen

    app = GlsApp(demo_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys:
            app.post_message(events.Key(key, key))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_mode == "help"
        assert isinstance(app.screen, SupportScreen)


async def test_digits_typed_in_a_field_stay_in_the_field(ctx: Any, seed_shops: Any) -> None:
    seed_shops(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", "2", "3")
        await pilot.pause()
        assert app.current_mode == "integrations"
        assert app.screen.query_one("#filter", Input).value == "23"


@pytest.mark.parametrize("section", ["1", "2"])
async def test_a_store_change_seen_before_a_screen_made_its_columns_does_not_crash(
    shop_ctx: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    section: str,
) -> None:
    """Found by the slow monkey: the app's store check reached the Import screen while it
    was shown but before its on_mount had made the table's columns ("More values provided
    than there are columns", logged as an unexpected error). Here the change arrives first."""
    from glstui.tui.screens.import_screen import ImportScreen

    screen_class = {"1": IntegrationsScreen, "2": ImportScreen}[section]
    original = screen_class.on_mount

    def change_first(self: Any) -> None:
        self._store_changed()  # the StoreChanged handler, before the columns exist
        original(self)

    monkeypatch.setattr(screen_class, "on_mount", change_first)
    app = GlsApp(shop_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2" if section == "1" else "1")
        await pilot.press(section)
        await pilot.pause()
        assert isinstance(app.screen, screen_class)
        assert app.screen.query_one(DataTable).row_count == len(shop_names(shop_ctx))
    assert not [r for r in caplog.records if r.name == "glstui.tui.errors"]
