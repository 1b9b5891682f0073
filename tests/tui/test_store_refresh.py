"""Screens that show store data follow the store while they are open (80x24): an import run
elsewhere in this process, and a commit by another glstui process."""

from __future__ import annotations

from typing import Any

import pytest
from test_import_screen import open_import, sandbox, shop_ctx  # noqa: F401
from textual.widgets import DataTable, Static

import glstui.tui.app as app_module
from glstui.services import integrations as svc
from glstui.store import Store
from glstui.tui.app import GlsApp
from glstui.tui.screens.orders import OrdersScreen


def counts(screen: OrdersScreen) -> str:
    return str(screen.query_one("#counts", Static).render())


async def test_orders_shows_the_orders_of_an_import_that_ends_while_it_is_open(
    shop_ctx: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In this process the end of the import's worker is the signal, not the poll."""
    monkeypatch.setattr(app_module, "POLL_S", 3600.0)
    app = GlsApp(shop_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        importing = await open_import(pilot)
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OrdersScreen)
        assert counts(screen).startswith("No orders yet.")
        await app.run_action("start", importing)  # the Import screen's s, ending meanwhile
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert not counts(screen).startswith("No orders yet.")
        assert screen.query_one(DataTable).row_count > 0


async def test_integrations_shows_a_rename_made_by_another_process(
    ctx: Any, seed_shops: Any
) -> None:
    seed_shops(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        other = Store.open(ctx.data_dir, ctx.clock)  # another operator's glstui
        svc.update(other, "shop0002", shop_name="Renamed elsewhere")
        app.check_store()  # what the once-a-second poll of the store's change marker does
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        names = [str(table.get_cell_at((row, 1))) for row in range(table.row_count)]
        assert "Renamed elsewhere" in names
