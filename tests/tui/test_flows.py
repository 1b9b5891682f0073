"""An operator's walk through the integrations screens, keyboard only, against the sandbox.

Add a shop -> approve on the (simulated) Seller Central consent page -> paste the redirect
address -> switch active and tracking -> rename (and the required-name error) -> delete
through the modal (and cancel it first).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest
from textual.widgets import DataTable, Input, Static

from glstui.amazon.endpoints import Endpoints
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox
from glstui.sandbox.amazon import DEMO_SELLER_ID
from glstui.services import integrations as svc
from glstui.tui.app import GlsApp
from glstui.tui.screens.connect import AddShopScreen, ConnectScreen
from glstui.tui.screens.details import DetailsScreen
from glstui.tui.screens.integrations import IntegrationsScreen
from glstui.tui.widgets.confirm import DeleteShopModal

SIZE = (100, 32)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=1, orders=5, time_scale=1.0) as box:
        yield box


@pytest.fixture
def sandbox_ctx(make_ctx: Any, sandbox: Sandbox) -> Any:
    ctx = make_ctx(endpoints=Endpoints.sandbox(sandbox.base_url), app_keys=False, sandbox=sandbox)
    ctx.secrets.set("amazon.app_id", DEMO_APP_ID)
    ctx.secrets.set("amazon.lwa_client_id", DEMO_CLIENT_ID)
    ctx.secrets.set("amazon.lwa_client_secret", DEMO_CLIENT_SECRET)
    return ctx


async def approve_in_browser(consent_url: str, seller: str = DEMO_SELLER_ID) -> str:
    """What the operator does on their own computer: open the link, tick, Confirm."""
    async with httpx.AsyncClient() as http:
        page = await http.get(consent_url)
        assert page.status_code == 200, page.text
        fields = {
            unescape(name): unescape(value)
            for name, value in re.findall(
                r"<input type='hidden' name='([^']*)' value='([^']*)'>", page.text
            )
        }
        base = consent_url.split("/apps/", 1)[0]
        confirm = await http.post(
            f"{base}/apps/authorize/confirm",
            data={**fields, "selling_partner_id": seller, "agree": "yes", "action": "confirm"},
        )
        assert confirm.status_code == 302, confirm.text
        return confirm.headers["location"]


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def paste(pilot: Any, text: str) -> None:
    box = pilot.app.screen.query_one("#paste", Input)
    box.value = text
    await pilot.press("enter")
    await settle(pilot)


def result_text(app: GlsApp) -> str:
    return str(app.screen.query_one("#result", Static).render())


async def test_add_connect_toggle_rename_delete(sandbox_ctx: Any) -> None:
    ctx = sandbox_ctx
    app = GlsApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, IntegrationsScreen)
        await pilot.press("n")
        assert isinstance(app.screen, AddShopScreen)
        await pilot.press("ctrl+s")  # EU, Amazon.nl ticked, no name
        await settle(pilot)
        assert isinstance(app.screen, ConnectScreen)
        draft = svc.list_integrations(ctx.store)
        assert [(i.status, i.marketplace_ids) for i in draft] == [("draft", ["A1805IZSGTT6HS"])]

        # a wrong paste is said in plain words and loses nothing
        await paste(pilot, "https://example.com/?state=nope&spapi_oauth_code=ANxxxxxxxxxxxx")
        assert "does not belong to this connection request" in result_text(app)
        assert svc.list_integrations(ctx.store)[0].status == "draft"

        redirect = await approve_in_browser(app.screen.pending.url)
        await paste(pilot, redirect)
        assert isinstance(app.screen, IntegrationsScreen)  # straight back to the list
        shop = svc.list_integrations(ctx.store)[0]
        assert shop.status == "connected"
        assert shop.selling_partner_id == DEMO_SELLER_ID
        assert shop.shop_name == f"Amazon {DEMO_SELLER_ID}"
        assert shop.authorized_at == ctx.clock.now()
        assert ctx.secrets.get(f"amazon.refresh_token.{shop.id}").startswith("Atzr|")

        table = app.screen.query_one(DataTable)
        assert table.row_count == 1

        await pilot.press("space")
        assert svc.get(ctx.store, shop.id).active is False
        await pilot.press("t")
        assert svc.get(ctx.store, shop.id).update_tracking is False
        await pilot.press("space", "t")
        assert svc.get(ctx.store, shop.id).active is True
        assert svc.get(ctx.store, shop.id).update_tracking is True

        # rename: empty is refused with a message under the field, nothing saved
        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)
        name = app.screen.query_one("#shop_name", Input)
        name.value = "   "
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#name-error", Static).render())
        assert "Shop name is required" in error
        assert svc.get(ctx.store, shop.id).shop_name == f"Amazon {DEMO_SELLER_ID}"

        name.value = "  Winkel   NL "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert svc.get(ctx.store, shop.id).shop_name == "Winkel NL"
        assert str(app.screen.query_one("#name-error", Static).render()) == ""

        # unsaved changes: leaving asks first, n stays
        name.value = "Something else"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmModal"
        await pilot.press("n")
        assert isinstance(app.screen, DetailsScreen)
        name.value = "Winkel NL"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, IntegrationsScreen)

        # delete: cancel first, then confirm
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DeleteShopModal)
        assert app.screen.focused is not None and app.screen.focused.id == "no"
        await pilot.press("enter")  # focus is on No
        await pilot.pause()
        assert isinstance(app.screen, IntegrationsScreen)
        assert len(svc.list_integrations(ctx.store)) == 1

        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert svc.list_integrations(ctx.store) == []
        assert ctx.secrets.get(f"amazon.refresh_token.{shop.id}") is None
        empty = str(app.screen.query_one("#empty", Static).render())
        assert "Press n to add an Amazon shop" in empty


async def test_private_app_refresh_token(sandbox_ctx: Any, sandbox: Sandbox) -> None:
    ctx = sandbox_ctx
    app = GlsApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await paste(pilot, "not-a-token")
        assert "That is not a refresh token" in result_text(app)
        token = sandbox.amazon.issue_refresh_token(DEMO_SELLER_ID)
        await paste(pilot, token)
        assert isinstance(app.screen, IntegrationsScreen)
        shop = svc.list_integrations(ctx.store)[0]
        assert shop.status == "connected"
        assert ctx.secrets.get(f"amazon.refresh_token.{shop.id}") == token


async def test_connect_without_app_id_says_where_to_enter_it(make_ctx: Any) -> None:
    ctx = make_ctx(app_keys=False)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AddShopScreen)
        error = str(app.screen.query_one("#error", Static).render())
        assert "app id is not set" in error
        assert svc.list_integrations(ctx.store) == []


async def test_filter_and_escape(make_ctx: Any, seed_shops: Any) -> None:
    ctx = make_ctx()
    seed_shops(ctx)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        assert table.row_count == 4
        await pilot.press("slash", "w", "i", "n", "k")
        assert table.row_count == 1
        # q and digits are typed into the filter, not acted on
        await pilot.press("q", "2")
        assert app.is_running and isinstance(app.screen, IntegrationsScreen)
        await pilot.press("escape")
        assert table.row_count == 4
        assert app.screen.query_one("#filter", Input).display is False


async def test_sections_help_and_quit(make_ctx: Any) -> None:
    app = GlsApp(make_ctx())
    async with app.run_test(size=(80, 24)) as pilot:
        for key, mode in (("5", "keys"), ("6", "help"), ("4", "statistics"), ("1", "integrations")):
            await pilot.press(key)
            assert app.current_mode == mode
        await pilot.press("f6")
        assert app.current_mode == "keys"
        await pilot.press("f1")
        assert app.screen.__class__.__name__ == "HelpModal"
        await pilot.press("escape")
        assert app.screen.__class__.__name__ == "KeysScreen"
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_palette_lists_actions(make_ctx: Any) -> None:
    app = GlsApp(make_ctx())
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Add a shop" in titles
        assert "Go to Keys" in titles
        assert "Change theme" in titles
        assert app.theme == "ansi-dark"


async def test_login_first_when_secrets_locked(make_ctx: Any, tmp_path: Any) -> None:
    from glstui.secrets import Secrets

    first = Secrets.encrypted_file(tmp_path / "s.cfg", env={})
    first.unlock("correct horse")
    first.set("gls.username", "depot")
    locked = Secrets.encrypted_file(tmp_path / "s.cfg", env={})
    assert locked.locked
    ctx = make_ctx(secrets=locked, app_keys=False)
    app = GlsApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.__class__.__name__ == "LoginScreen"
        await pilot.press("5")  # typed into the passphrase field, no section switch
        assert app.current_mode == "integrations"
        app.screen.query_one("#passphrase", Input).value = "wrong"
        await pilot.press("enter")
        await pilot.pause()
        assert "not right" in str(app.screen.query_one("#error", Static).render())
        app.screen.query_one("#passphrase", Input).value = "correct horse"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IntegrationsScreen)
        assert ctx.secrets.get("gls.username") == "depot"
