"""The Import screen: pick shops, start, watch, stop; and how it looks idle, running, done.

Pilot tests run the real import against the sandbox on 127.0.0.1; the snapshots use the
fixed clock of tests/tui/conftest.py, one shop (so log lines come in one order) and, for the
running state, progress fed straight to the screen with a frozen bar clock.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.clock import MockClock
from textual.widgets import DataTable, Static

from glstui.amazon.endpoints import Endpoints
from glstui.sandbox import (
    DEMO_APP_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELLER_ID,
    Sandbox,
)
from glstui.services.events import ERROR, WARNING, LogLine, Progress
from glstui.tui.app import GlsApp
from glstui.tui.screens.import_screen import ImportScreen
from glstui.tui.widgets.log_pane import LogPane

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
MARKETPLACES = ["A1805IZSGTT6HS", "AMEN7PMS3EDWL", "A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(seed=3, orders=300, time_scale=1.0, start=NOW, arrivals_per_hour=0).start()
    yield sb
    sb.stop()


@pytest.fixture
def small_sandbox() -> Iterator[Sandbox]:
    """Few orders, so the finished import's whole log fits the pane at 120x40."""
    sb = Sandbox(seed=3, orders=40, time_scale=1.0, start=NOW, arrivals_per_hour=0).start()
    yield sb
    sb.stop()


@pytest.fixture
def shop_ctx(make_ctx: Any, seed_shops: Any, sandbox: Sandbox) -> Any:
    """The four seed shops; the two connected ones are sellers of the sandbox."""
    ctx = make_ctx(endpoints=Endpoints.sandbox(sandbox.base_url), app_keys=False)
    for name, value in {
        "amazon.app_id": DEMO_APP_ID,
        "amazon.lwa_client_id": DEMO_CLIENT_ID,
        "amazon.lwa_client_secret": DEMO_CLIENT_SECRET,
    }.items():
        ctx.secrets.set(name, value)
    seed_shops(ctx)
    with ctx.store.write() as tx:
        for iid, seller in (("shop0001", DEMO_SELLER_ID), ("shop0002", "A2GLSDEMOSHOP7")):
            integ = tx.integrations.get(iid)
            integ.marketplace_ids = MARKETPLACES
            tx.integrations.put(integ)
            ctx.secrets.set(f"amazon.refresh_token.{iid}", sandbox.issue_refresh_token(seller))
    ctx.time_scale = sandbox.time_scale
    return ctx


async def open_import(pilot: Any) -> ImportScreen:
    await pilot.press("2")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    return screen


def summary(screen: ImportScreen) -> str:
    return str(screen.query_one("#summary", Static).render())


def log_text(screen: ImportScreen) -> str:
    pane = screen.query_one(LogPane)
    pane.flush()
    return "\n".join(pane.lines)


async def test_start_imports_the_included_shops_and_sums_up(shop_ctx: Any) -> None:
    app = GlsApp(shop_ctx)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_import(pilot)
        assert screen.included == {"shop0001", "shop0002"}  # the importable ones
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.running
        text = summary(screen)
        assert text.startswith("Import finished:")
        with shop_ctx.store.read() as view:
            stored = len(view.orders)
            shops = {i.id: i for i in view.integrations.all()}
        assert stored > 0 and f"{stored} new" in text
        assert shops["shop0001"].last_import_new + shops["shop0002"].last_import_new == stored
        table = screen.query_one("#shops", DataTable)
        assert str(table.get_cell("shop0001", "new")) == str(shops["shop0001"].last_import_new)
        assert "page 1:" in log_text(screen)
        # The summary line says it; no toast covers the end of the log.
        assert not any("Import finished" in n.message for n in app._notifications)


async def test_summary_counts_add_up_to_the_orders_seen(shop_ctx: Any, sandbox: Sandbox) -> None:
    app = GlsApp(shop_ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_import(pilot)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = summary(screen)
        seen = int(re.search(r"(\d+) orders from Amazon", text).group(1))
        parts = text.split("Amazon:", 1)[1]
        assert sum(int(n) for n in re.findall(r"(\d+) [a-z]", parts)) == seen
        # the shops' bars counted the same orders
        bars = [
            int(str(screen.query_one(f"#bar-{iid}").count.render()).split()[0])
            for iid in ("shop0001", "shop0002")
        ]
        assert sum(bars) == seen
        assert "cancelled before import (not imported)" in text  # the sandbox has some


@pytest.mark.parametrize("size", SIZES)
async def test_the_log_follows_its_end_until_the_operator_scrolls_up(
    shop_ctx: Any, size: Any
) -> None:
    app = GlsApp(shop_ctx)
    async with app.run_test(size=size) as pilot:
        screen = await open_import(pilot)
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = screen.query_one(LogPane)
        pane.flush()
        await pilot.pause()
        assert pane.max_scroll_y > 0  # more lines than fit
        assert pane.scroll_y == pane.max_scroll_y
        last_shown = int(pane.scroll_y) + pane.scrollable_content_region.height
        assert "Import finished" in pane.lines[last_shown - 1]
        # Scrolled up to read, the operator stays where they are when lines come in.
        await pilot.press("l", "home")
        await pilot.pause()
        pane.add("one more line")
        pane.flush()
        await pilot.pause()
        assert pane.scroll_y == 0
        await pilot.press("end")
        pane.add("and another")
        pane.flush()
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y


async def test_shops_that_cannot_import_are_dimmed_and_not_selectable(shop_ctx: Any) -> None:
    app = GlsApp(shop_ctx)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_import(pilot)
        table = screen.query_one("#shops", DataTable)
        row = [r.value for r in table.rows].index("shop0003")
        table.move_cursor(row=row)
        await pilot.pause()
        assert "re-connect" in str(screen.query_one("#why", Static).render())
        await pilot.press("space")
        await pilot.pause()
        assert "shop0003" not in screen.included
        assert any("re-connect" in n.message for n in app._notifications)
        # A connected shop can be left out, and then is not imported.
        table.move_cursor(row=[r.value for r in table.rows].index("shop0002"))
        await pilot.press("space", "s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        with shop_ctx.store.read() as view:
            assert view.orders.by_integration("shop0002") == []
            assert view.orders.by_integration("shop0001")


async def test_x_stops_the_import_and_keeps_what_was_stored(
    shop_ctx: Any, sandbox: Sandbox
) -> None:
    sandbox.faults.add("slow", None, "/orders/2026-01-01/orders", delay=0.3)
    app = GlsApp(shop_ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_import(pilot)
        await pilot.press("s")
        for _ in range(200):  # until the first page is stored
            await asyncio.sleep(0.02)
            with shop_ctx.store.read() as view:
                if len(view.orders):
                    break
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.running
        assert summary(screen) == "Import stopped: the pages stored so far are kept."
        with shop_ctx.store.read() as view:
            assert len(view.orders) > 0
            [run] = view.runs.all()
        assert run.stopped


# -- snapshots ---------------------------------------------------------------------------


def _ctx_one_shop(make_ctx: Any, seed_shops: Any, sandbox: Sandbox | None) -> Any:
    endpoints = Endpoints.sandbox(sandbox.base_url) if sandbox else None
    ctx = make_ctx(endpoints=endpoints, app_keys=sandbox is None)
    seed_shops(ctx)
    if sandbox is not None:
        ctx.secrets.set("amazon.app_id", DEMO_APP_ID)
        ctx.secrets.set("amazon.lwa_client_id", DEMO_CLIENT_ID)
        ctx.secrets.set("amazon.lwa_client_secret", DEMO_CLIENT_SECRET)
        with ctx.store.write() as tx:
            integ = tx.integrations.get("shop0001")
            integ.marketplace_ids = MARKETPLACES
            tx.integrations.put(integ)
        ctx.secrets.set("amazon.refresh_token.shop0001", sandbox.issue_refresh_token())
    return ctx


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_idle(snap_compare: Any, make_ctx: Any, seed_shops: Any, size: Any) -> None:
    app = GlsApp(_ctx_one_shop(make_ctx, seed_shops, None))

    async def before(pilot: Any) -> None:
        await open_import(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_running(
    snap_compare: Any, make_ctx: Any, seed_shops: Any, size: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(ImportScreen, "bar_clock", MockClock())
    app = GlsApp(_ctx_one_shop(make_ctx, seed_shops, None))

    async def before(pilot: Any) -> None:
        screen = await open_import(pilot)
        await screen._prepare_bars(["shop0001", "shop0002"])
        screen.running = True
        screen.refresh_bindings()
        shop_a, shop_b = "Amazon A3PNJAV4CVI5V1", "Winkel Benelux"
        for event in [
            Progress("", 0, 2),
            LogLine(f"{shop_a}: first import: orders created since 2026-11-20 08:00.", shop=shop_a),
            LogLine(f"{shop_b}: orders updated since 2026-11-26 17:30.", shop=shop_b),
            LogLine("New order 402-1234567-7654321 (NL, 2 items)", shop=shop_a),
            LogLine("New order 403-2345678-8765432 (BE, 1 item)", shop=shop_b),
            LogLine(
                "Order 404-3456789-9876543 was CANCELLED on Amazon: do not ship it.",
                WARNING,
                shop_b,
            ),
            LogLine(
                "Order 405-4567890-1987654 was CANCELLED on Amazon but already has a GLS label: "
                "delete the label and do not ship the parcel.",
                ERROR,
                shop_b,
            ),
            LogLine(f"{shop_b}: page 1: 37 orders: 35 new, 0 updated, 2 cancelled.", shop=shop_b),
            Progress("shop0002", 37, 37),
            Progress("", 1, 2),
            LogLine(f"{shop_a}: page 1: 100 orders: 100 new, 0 updated, 0 cancelled.", shop=shop_a),
            Progress("shop0001", 100, None),
        ]:
            screen.report_event(event)
        screen.query_one(LogPane).flush()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_finished(
    snap_compare: Any, make_ctx: Any, seed_shops: Any, small_sandbox: Sandbox, size: Any
) -> None:
    app = GlsApp(_ctx_one_shop(make_ctx, seed_shops, small_sandbox))

    async def before(pilot: Any) -> None:
        screen = await open_import(pilot)
        table = screen.query_one("#shops", DataTable)
        table.move_cursor(row=[r.value for r in table.rows].index("shop0002"))
        await pilot.press("space")  # only the sandbox shop, so the log has one order
        table.move_cursor(row=[r.value for r in table.rows].index("shop0001"))
        await pilot.press("s")
        await pilot.app.workers.wait_for_complete()
        pane = screen.query_one(LogPane)
        pane.flush()
        for _ in range(40):  # the pane returns to the tail on its own flush ticks
            await pilot.app.workers.wait_for_complete()  # Log measures line widths in a thread
            await pilot.pause(0.05)
            if pane.is_vertical_scroll_end and not pane.pending:
                break
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)
