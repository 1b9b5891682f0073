"""One operator's whole shift in one app, at 80x24, in English and in Dutch, over HTTP.

Connect a shop (through the simulated consent page), import, import again, stop an import
and start it again, label an order, try to connect the same seller a second time (refused,
naming the shop), give the shop a name full of Rich markup, open every screen, delete the
shop (keeping its orders) and add it again, import once more. Nothing may crash, no Amazon
order may get a second active label (the GLS sandbox's request log and the store agree),
and each screen shows what the store holds now: an operator never has to leave and come
back to see a change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.widgets import Input, Static

from glstui.amazon.endpoints import Endpoints
from glstui.demo import DEMO_SENDER, demo_secrets
from glstui.domain.settings import Settings
from glstui.i18n import _
from glstui.sandbox import DEMO_SELLER_ID, Sandbox
from glstui.services import integrations as svc
from glstui.tui.app import GlsApp
from glstui.tui.screens.connect import AddShopScreen, ConnectScreen
from glstui.tui.screens.details import DetailsScreen
from glstui.tui.screens.help import HelpModal, HelpScreen
from glstui.tui.screens.import_screen import ImportScreen
from glstui.tui.screens.integrations import IntegrationsScreen
from glstui.tui.screens.keys import KeysScreen
from glstui.tui.screens.orders import OrdersScreen, OrdersTable
from glstui.tui.screens.rules import RulesScreen
from glstui.tui.screens.statistics import StatisticsScreen
from glstui.tui.screens.support import SupportScreen
from glstui.tui.widgets.confirm import DeleteShopModal

SIZE = (80, 24)
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
ODD = "Bad [/] name [bold]x"
SHOWN = ODD[:10]  # narrow columns at 80x24 cut it: "Bad [/] na…", never "Bad  na"
ORDERS_PATH = "/orders/2026-01-01/orders"


@pytest.fixture
def shift_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=1, orders=30, time_scale=60.0, start=NOW, arrivals_per_hour=0) as box:
        yield box


@pytest.fixture(params=["en", "nl"])
def shift_ctx(request: pytest.FixtureRequest, make_ctx: Any, shift_sandbox: Sandbox) -> Any:
    """An empty install on the sandbox: app keys, GLS login and a sender, no shop yet."""
    ctx = make_ctx(
        lang=request.param,
        endpoints=Endpoints.sandbox(shift_sandbox.base_url),
        secrets=demo_secrets(),
        app_keys=False,
        sandbox=shift_sandbox,
    )
    ctx.gls_base_url_override = f"{shift_sandbox.base_url}/Test/V1/api/"
    ctx.time_scale = shift_sandbox.time_scale
    with ctx.store.write() as tx:
        tx.settings.put(Settings(sender=DEMO_SENDER))
    return ctx


# -- what the operator does ---------------------------------------------------------------


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def press(pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def connect_new_shop(pilot: Any, approve: Any) -> str:
    """1, n, ctrl+s, approve in the browser, paste the address; returns the result line when
    the Connect screen stays (a refusal), "" when it went back to the shop list (success)."""
    app = pilot.app
    await press(pilot, "1", "n")
    assert isinstance(app.screen, AddShopScreen)
    await press(pilot, "ctrl+s")
    assert isinstance(app.screen, ConnectScreen)
    redirect = await approve(app.screen.pending.url, DEMO_SELLER_ID)
    app.screen.query_one("#paste", Input).value = redirect
    await press(pilot, "enter")
    if isinstance(app.screen, ConnectScreen):
        return str(app.screen.query_one("#result", Static).render())
    return ""


async def import_all(pilot: Any) -> str:
    await press(pilot, "2")
    assert isinstance(pilot.app.screen, ImportScreen)
    await press(pilot, "s")
    return summary(pilot.app)


def summary(app: GlsApp) -> str:
    return str(app.screen.query_one("#summary", Static).render())


def screen_text(app: GlsApp) -> str:
    """What the terminal shows now, line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def shops(ctx: Any) -> list[Any]:
    return svc.list_integrations(ctx.store)


def one_active_label_per_order(ctx: Any, sandbox: Sandbox) -> None:
    """Per Amazon order id: GLS made at most one label, the store holds one active shipment."""
    made = Counter(
        r.body["reference"]
        for r in sandbox.gls.request_log
        if r.path.lower().endswith("label/create") and r.status == 200
    )
    assert made and max(made.values()) == 1, made
    with ctx.store.read() as view:
        active = Counter(s.order_id for s in view.shipments.all() if not s.deleted_at)
    assert active == made


# -- the shift ----------------------------------------------------------------------------


async def test_a_whole_shift_without_a_crash_or_a_double_label(
    shift_ctx: Any, shift_sandbox: Sandbox, approve: Any
) -> None:
    ctx, sandbox = shift_ctx, shift_sandbox
    app = GlsApp(ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # connect a shop
        result = await connect_new_shop(pilot, approve)
        [shop] = shops(ctx)
        assert shop.status == "connected", result
        assert isinstance(app.screen, IntegrationsScreen)  # back on the list, no "Done"

        # look at Orders before anything is imported, then import twice
        await press(pilot, "3")
        assert isinstance(app.screen, OrdersScreen)
        first = await import_all(pilot)
        finished = _("Import finished: {seen} orders from Amazon: {counts}.").split("{")[0]
        assert first.startswith(finished), first
        again = await import_all(pilot)
        assert again.startswith(finished), again
        with ctx.store.read() as view:
            imported = len(view.orders)
        assert imported > 0

        # stop an import half-way, then start it again
        sandbox.faults.add("slow", None, ORDERS_PATH, delay=0.5)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("x")
        await settle(pilot)
        assert summary(app) == _("Import stopped: the pages stored so far are kept.")
        sandbox.faults.clear()
        await press(pilot, "s")
        assert summary(app).startswith(finished)

        # Orders, opened before the import, shows the imported orders now (no leave-and-back)
        await press(pilot, "3")
        orders = app.screen
        assert isinstance(orders, OrdersScreen)
        table = orders.query_one(OrdersTable)
        assert table.row_count == imported, screen_text(app)

        # label the first order waiting for one
        table.move_cursor(row=0)
        await pilot.pause()
        await press(pilot, "space", "c")
        one_active_label_per_order(ctx, sandbox)

        # the same seller again: refused, naming the shop, and no second shop is left
        result = await connect_new_shop(pilot, approve)
        assert shop.shop_name in result, result
        assert [s.id for s in shops(ctx) if s.selling_partner_id] == [shop.id]
        await press(pilot, "escape")
        await press(pilot, "1")
        assert [s.id for s in shops(ctx)] == [shop.id], "a draft row was left behind"

        # a name full of markup: saved as typed, shown literally everywhere it appears
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailsScreen)
        app.screen.query_one("#shop_name", Input).value = ODD
        await press(pilot, "ctrl+s")
        assert svc.get(ctx.store, shop.id).shop_name == ODD
        await press(pilot, "ctrl+r")  # the shop's shipping rules
        assert isinstance(app.screen, RulesScreen)
        await press(pilot, "w")
        assert app.screen.__class__.__name__ == "SkuWeightsScreen"
        await press(pilot, "escape")
        await press(pilot, "escape")
        await press(pilot, "escape")
        assert isinstance(app.screen, IntegrationsScreen)
        assert SHOWN in screen_text(app)

        # every section and its sub-screens, each showing the data as it is now
        await press(pilot, "2")
        assert isinstance(app.screen, ImportScreen)
        assert SHOWN in screen_text(app), "Import still shows the old shop name"
        await press(pilot, "3")
        assert isinstance(app.screen, OrdersScreen)
        assert app.screen.query_one(OrdersTable).row_count == imported
        await press(pilot, "4")
        assert isinstance(app.screen, StatisticsScreen)
        assert SHOWN in screen_text(app)
        await press(pilot, "5")
        assert isinstance(app.screen, KeysScreen)
        await press(pilot, "6")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "s")
        assert isinstance(app.screen, SupportScreen)
        await press(pilot, "a", "g", "o")
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpModal)
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, HelpScreen)

        # delete the shop (its orders are kept) and add it again
        await press(pilot, "1", "d")
        assert isinstance(app.screen, DeleteShopModal)
        await press(pilot, "y")
        assert shops(ctx) == []
        result = await connect_new_shop(pilot, approve)
        [again_shop] = shops(ctx)
        assert again_shop.status == "connected", result
        assert isinstance(app.screen, IntegrationsScreen)
        assert again_shop.shop_name in screen_text(app)

        # import once more: the re-added shop is ticked and imports what still waits at Amazon
        last = await import_all(pilot)
        assert last.startswith(finished), last
        with ctx.store.read() as view:
            stored = len(view.orders)
            mine = {o.order_id for o in view.orders.by_integration(again_shop.id)}
            before = {o.order_id for o in view.orders.by_integration(shop.id)}
        assert mine and mine < before, last  # the labelled (shipped) order is not back
        await press(pilot, "3")
        assert isinstance(app.screen, OrdersScreen)
        assert app.screen.query_one(OrdersTable).row_count == stored

        # label everything that is waiting, old rows and new: still one label per order
        await press(pilot, "a", "c")
        one_active_label_per_order(ctx, sandbox)
        assert app.is_running
