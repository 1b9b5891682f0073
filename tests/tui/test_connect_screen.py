"""Add shop and Connect as an operator uses them (issue 13, 16, 18), keyboard only, against
the sandbox: no trap in the region, a failed paste that the next paste replaces, the list on
the new shop after success, a link that reads in one piece at 80 columns, the demo over SSH,
draft apps, and the 365-day re-consent with one key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_flows import approve_in_browser
from textual import events
from textual.geometry import Region
from textual.widgets import DataTable, Input, Select, Static

from glstui.amazon.endpoints import Endpoints
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox
from glstui.sandbox.amazon import DEMO_SELLER_ID
from glstui.secrets import Secrets
from glstui.services import connect
from glstui.services import integrations as svc
from glstui.services.context import AppContext
from glstui.store import Store
from glstui.tui.app import GlsApp
from glstui.tui.screens.connect import AddShopScreen, ConnectScreen
from glstui.tui.screens.integrations import IntegrationsScreen

NL = "A1805IZSGTT6HS"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=1, orders=3, time_scale=1.0) as box:
        yield box


@pytest.fixture
def ctx(tmp_path: Path, sandbox: Sandbox) -> AppContext:
    """Store and sandbox on one clock, so a year can pass for both."""
    secrets = Secrets.in_memory()
    secrets.set("amazon.app_id", DEMO_APP_ID)
    secrets.set("amazon.lwa_client_id", DEMO_CLIENT_ID)
    secrets.set("amazon.lwa_client_secret", DEMO_CLIENT_SECRET)
    return AppContext(
        data_dir=tmp_path,
        store=Store.open(tmp_path, sandbox.clock),
        secrets=secrets,
        clock=sandbox.clock,
        endpoints=Endpoints.sandbox(sandbox.base_url),
    )


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def paste(pilot: Any, text: str) -> None:
    box = pilot.app.screen.query_one("#paste", Input)
    box.value = text
    await pilot.press("enter")
    await settle(pilot)


def shown(app: GlsApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def cursor_shop(app: GlsApp) -> str | None:
    screen = app.screen
    assert isinstance(screen, IntegrationsScreen)
    return screen.current_id()


async def test_add_shop_starts_on_the_marketplaces_and_keeps_the_region(ctx: AppContext) -> None:
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AddShopScreen)
        assert app.focused is not None and app.focused.id == "marketplaces"
        # what switched Europe to Far East on the old radio buttons
        await pilot.press("right", "right", "down", "space")
        await settle(pilot)
        assert screen.chosen_region() == "EU"
        assert screen.selected_marketplaces() == [NL, "A1PA6795UKMFR9"]  # DE ticked too
        assert "from NL, the first ticked" in shown(app, "#site")
        # everything fits at 80x24: no scrollbar anywhere on the form
        assert screen.query_one("#add-form").max_scroll_y == 0
        assert screen.query_one("#marketplaces").max_scroll_y == 0


async def test_a_region_change_is_said(ctx: AppContext) -> None:
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AddShopScreen)
        note = screen.query_one("#region-note", Static)
        assert not note.display
        screen.query_one("#region", Select).value = "FE"
        await settle(pilot)
        assert note.display and "FE Far East" in shown(app, "#region-note")
        assert "nothing is imported" in shown(app, "#region-note")
        assert "from JP" in shown(app, "#site")


async def test_a_failed_paste_is_selected_and_success_lands_on_the_new_shop(
    ctx: AppContext,
) -> None:
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        wrong = "https://example.com/?state=nope&spapi_oauth_code=ANxxxxxxxxxxxxxxxx"
        await paste(pilot, wrong)
        assert "does not belong" in shown(app, "#result")
        assert "start the connection again" not in shown(app, "#result")
        box = screen.query_one("#paste", Input)
        assert app.focused is box and box.value == wrong
        assert (box.selection.start, box.selection.end) == (0, len(wrong))
        redirect = await approve_in_browser(screen.pending.url)
        # a terminal paste of the address wrapped over two lines replaces the selection whole
        box.post_message(events.Paste(redirect[:50] + "\n" + redirect[50:]))
        await settle(pilot)
        assert box.value == redirect
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntegrationsScreen)  # no "Done" to press
        shop = svc.list_integrations(ctx.store)[0]
        assert shop.connected and shop.selling_partner_id == DEMO_SELLER_ID
        assert cursor_shop(app) == shop.id


async def test_junk_is_refused_here_in_one_way(ctx: AppContext) -> None:
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        answers = set()
        for junk in ("hello world", "abc", "ok thanks", "thanksforthehelp!"):
            await paste(pilot, junk)
            answers.add(shown(app, "#result"))
        assert len(answers) == 1  # one answer, said here: Amazon is not asked
        assert "has no authorization code" in answers.pop()
        await paste(pilot, "   ")
        assert "Nothing was pasted" in shown(app, "#result")


async def test_a_bare_code_connects_with_what_was_not_checked(ctx: AppContext) -> None:
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        redirect = await approve_in_browser(screen.pending.url)
        code = redirect.split("spapi_oauth_code=", 1)[1].split("&")[0]
        await paste(pilot, code)
        assert isinstance(app.screen, ConnectScreen)  # stays: there is something to read
        text = shown(app, "#result")
        assert "Only the code was pasted" in text and "'state'" in text
        assert "No seller id" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntegrationsScreen)
        assert cursor_shop(app) == svc.list_integrations(ctx.store)[0].id


async def test_the_link_reads_in_one_piece_at_80_columns(ctx: AppContext) -> None:
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        url_widget = screen.query_one("#url", Static)
        assert url_widget.region.x == 0  # no indent a mouse selection would take along
        width, height = url_widget.size
        lines = url_widget.render_lines(Region(0, 0, width, height))
        texts = [line.text for line in lines]
        assert "".join(t.rstrip() for t in texts) == screen.pending.url
        assert all(len(t.rstrip()) == width for t in texts[:-1])  # full lines, no gaps


async def test_the_demo_over_ssh_names_the_tunnel_and_approves_here(
    ctx: AppContext, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.9 51000 10.0.0.1 2222")
    monkeypatch.setenv("USER", "op")
    port = int(sandbox.base_url.rsplit(":", 1)[1].split("/")[0])
    app = GlsApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        tunnel = shown(app, "#tunnel")
        assert f"ssh -L {port}:127.0.0.1:{port} -p 2222 op@10.0.0.1" in tunnel
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert isinstance(app.screen, IntegrationsScreen)
        shop = svc.list_integrations(ctx.store)[0]
        assert shop.connected and shop.selling_partner_id == DEMO_SELLER_ID


async def test_a_draft_app_gets_version_beta_and_md1000_is_explained(
    ctx: AppContext, sandbox: Sandbox
) -> None:
    sandbox.amazon.app_draft = True
    app = GlsApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        assert "ctrl+b" in shown(app, "#link-keys")
        await paste(pilot, "Error MD1000 We are sorry, the application is in draft state")
        assert "MD1000" in shown(app, "#result") and "ctrl+b" in shown(app, "#result")
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert "version=beta" in screen.pending.url
        await pilot.press("ctrl+a")  # the draft app's consent page opens now
        await settle(pilot)
        assert isinstance(app.screen, IntegrationsScreen)
        assert svc.list_integrations(ctx.store)[0].connected


async def test_reconsent_due_and_one_key_reconnect(ctx: AppContext, sandbox: Sandbox) -> None:
    pending = connect.start(ctx, "EU", [NL], name="Winkel NL")
    await connect.finish(ctx, pending, await approve_in_browser(pending.url))
    shop_id = pending.integration_id
    old_token = ctx.secrets.get(svc.refresh_token_name(shop_id))
    first_authorized = svc.get(ctx.store, shop_id).authorized_at
    assert first_authorized is not None
    sandbox.clock.advance(345 * 86400 - 3600)  # the 365 days run out in 20 days and 1 hour
    app = GlsApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert "re-consent due in 20 days" in str(table.get_row(shop_id)[2])
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConnectScreen)
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert isinstance(app.screen, IntegrationsScreen) and cursor_shop(app) == shop_id
        assert str(table.get_row(shop_id)[2]) == "connected"
    shop = svc.get(ctx.store, shop_id)
    assert shop.authorized_at is not None and shop.shop_name == "Winkel NL"
    assert (shop.authorized_at - first_authorized).days == 344  # the new grant's 365 start
    new_token = ctx.secrets.get(svc.refresh_token_name(shop_id))
    assert new_token and new_token != old_token
    sandbox.clock.advance(30 * 86400)  # the first authorization is over, the new one holds
    sandbox.amazon.expire_access_tokens()
    assert "Winkel NL" in await connect.test_connection(ctx, shop_id)
    with pytest.raises(connect.AmazonError):
        async with ctx.http_client() as http:
            await ctx.amazon_client(http).check_refresh_token(old_token or "")


async def test_an_expired_link_is_replaced_on_the_spot(ctx: AppContext, sandbox: Sandbox) -> None:
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        old_url = screen.pending.url
        redirect = await approve_in_browser(old_url)
        sandbox.clock.advance(31 * 60)  # the operator came back after the link's 30 minutes
        await paste(pilot, redirect)
        assert "made a new one above" in shown(app, "#result")
        assert screen.pending.url != old_url and shown(app, "#url") == screen.pending.url
        await paste(pilot, await approve_in_browser(screen.pending.url))
        assert isinstance(app.screen, IntegrationsScreen)
