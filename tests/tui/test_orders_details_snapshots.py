"""What the Orders screen looks like in Dutch with an order to check chosen by `n`, and the
Details screen right after ctrl+s, at 80x24 and 120x40 (see test_snapshots.py)."""

from __future__ import annotations

from typing import Any

import pytest
from test_orders_attention import seed
from textual.widgets import Input

from glstui.tui.app import GlsApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_orders_to_check_in_dutch(
    snap_compare: Any, make_ctx: Any, seed_shops: Any, size: Any
) -> None:
    ctx = make_ctx(lang="nl")
    seed_shops(ctx)
    seed(ctx)

    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n", "n")  # the order Amazon refused because it is cancelled
        await settle(pilot)
        pilot.app.clear_notifications()  # the app's start-up toast (app.py) is not this screen
        await pilot.pause()

    assert snap_compare(GlsApp(ctx), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_details_after_saving(
    snap_compare: Any, make_ctx: Any, seed_shops: Any, fixed_state: str, size: Any
) -> None:
    ctx = make_ctx()
    seed_shops(ctx)

    async def before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pilot.app.screen.query_one("#shop_name", Input).value = "Winkel NL"
        await pilot.press("ctrl+s")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(GlsApp(ctx), terminal_size=size, run_before=before)
