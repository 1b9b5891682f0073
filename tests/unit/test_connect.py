"""Connecting a shop against the sandbox: the hand-off, the paste, the private app path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from glstui.amazon.endpoints import Endpoints
from glstui.amazon.errors import ConsentError, GrantRevoked, StateMismatch
from glstui.domain.clock import FixedClock
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox
from glstui.sandbox.amazon import DEMO_SELLER_ID
from glstui.secrets import Secrets
from glstui.services import connect
from glstui.services import integrations as svc
from glstui.services.context import AppContext
from glstui.store import Store

NL = "A1805IZSGTT6HS"
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=1, orders=5, time_scale=1.0) as box:
        yield box


@pytest.fixture
def ctx(tmp_path: Path, sandbox: Sandbox) -> AppContext:
    clock = FixedClock(NOW)
    secrets = Secrets.in_memory()
    secrets.set("amazon.app_id", DEMO_APP_ID)
    secrets.set("amazon.lwa_client_id", DEMO_CLIENT_ID)
    secrets.set("amazon.lwa_client_secret", DEMO_CLIENT_SECRET)
    return AppContext(
        data_dir=tmp_path,
        store=Store.open(tmp_path, clock),
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.sandbox(sandbox.base_url),
    )


def approve(url: str, seller: str = DEMO_SELLER_ID) -> str:
    """The operator's browser: consent page -> Confirm -> the redirect address."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    base = url.split("/apps/", 1)[0]
    with httpx.Client() as http:
        assert http.get(url).status_code == 200
        reply = http.post(
            f"{base}/apps/authorize/confirm",
            data={**query, "selling_partner_id": seller, "agree": "yes", "action": "confirm"},
        )
    assert reply.status_code == 302
    return reply.headers["location"]


def test_start_stores_a_draft_and_a_link(ctx: AppContext) -> None:
    pending = connect.start(ctx, "EU", [NL])
    shop = svc.get(ctx.store, pending.integration_id)
    assert shop.status == "draft" and shop.marketplace_ids == [NL]
    assert pending.url.startswith(ctx.endpoints.seller_central(NL) + "/apps/authorize/consent?")
    assert f"application_id={DEMO_APP_ID}" in pending.url


def test_finish_connects_and_names_the_shop(ctx: AppContext) -> None:
    pending = connect.start(ctx, "EU", [NL])
    shop = asyncio.run(connect.finish(ctx, pending, approve(pending.url)))
    assert shop.status == "connected"
    assert shop.selling_partner_id == DEMO_SELLER_ID
    assert shop.shop_name == f"Amazon {DEMO_SELLER_ID}"
    assert shop.authorized_at == NOW
    token = ctx.secrets.get(svc.refresh_token_name(shop.id))
    assert token and token.startswith("Atzr|")
    # the token never lands in any file of the data dir
    for path in ctx.data_dir.rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="ignore")
    assert asyncio.run(connect.test_connection(ctx)).startswith("Amazon accepted")


def test_a_given_name_is_kept(ctx: AppContext) -> None:
    pending = connect.start(ctx, "EU", [NL], name="Winkel NL")
    shop = asyncio.run(connect.finish(ctx, pending, approve(pending.url)))
    assert shop.shop_name == "Winkel NL"


def test_wrong_paste_keeps_the_draft_and_a_retry_works(ctx: AppContext) -> None:
    pending = connect.start(ctx, "EU", [NL])
    with pytest.raises(StateMismatch) as err:
        asyncio.run(
            connect.finish(ctx, pending, "https://x/?state=bad&spapi_oauth_code=ANabcdefgh")
        )
    assert "state" in err.value.user_message
    assert svc.get(ctx.store, pending.integration_id).status == "draft"
    with pytest.raises(ConsentError):
        asyncio.run(connect.finish(ctx, pending, ""))
    shop = asyncio.run(connect.finish(ctx, pending, approve(pending.url)))
    assert shop.status == "connected"


def test_reconnect_gives_a_new_link_for_the_same_shop(ctx: AppContext) -> None:
    first = connect.start(ctx, "EU", [NL])
    again = connect.reconnect(ctx, first.integration_id)
    assert again.integration_id == first.integration_id
    assert again.request.state != first.request.state


def test_missing_app_id_says_where_to_enter_it(ctx: AppContext) -> None:
    ctx.secrets.delete("amazon.app_id")
    with pytest.raises(connect.ConnectError) as err:
        connect.start(ctx, "EU", [NL])
    assert "Keys" in err.value.user_message
    assert svc.list_integrations(ctx.store) == []


def test_marketplaces_must_fit_the_region(ctx: AppContext) -> None:
    with pytest.raises(connect.ConnectError):
        connect.start(ctx, "EU", [])
    with pytest.raises(connect.ConnectError) as err:
        connect.start(ctx, "NA", [NL])
    assert "NL" in err.value.user_message


def test_private_app_token_is_checked_once(ctx: AppContext, sandbox: Sandbox) -> None:
    shop = svc.add(ctx.store, ctx.clock)
    with pytest.raises(connect.ConnectError):
        asyncio.run(connect.connect_private(ctx, shop.id, "Atza|an-access-token"))
    with pytest.raises(GrantRevoked):
        asyncio.run(connect.connect_private(ctx, shop.id, "Atzr|never-issued"))
    assert svc.get(ctx.store, shop.id).status == "draft"
    token = sandbox.amazon.issue_refresh_token(DEMO_SELLER_ID)
    done = asyncio.run(connect.connect_private(ctx, shop.id, f" {token}\n"))
    assert done.status == "connected"
    assert ctx.secrets.get(svc.refresh_token_name(shop.id)) == token


def test_test_connection_without_shops(ctx: AppContext) -> None:
    with pytest.raises(connect.ConnectError) as err:
        asyncio.run(connect.test_connection(ctx))
    assert "connect a shop first" in err.value.user_message


def test_backoffice_url(ctx: AppContext) -> None:
    shop = svc.add(ctx.store, ctx.clock, marketplace_ids=[NL])
    assert connect.backoffice_url(shop, Endpoints.production()) == (
        "https://sellercentral.amazon.nl/home"
    )


@pytest.mark.parametrize(
    "env",
    [
        {"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22", "DISPLAY": ":0"},
        {"GLSTUI_NO_BROWSER": "1", "DISPLAY": ":0"},
        {},  # headless Linux: no DISPLAY / WAYLAND_DISPLAY
    ],
)
def test_no_browser_on_ssh_or_headless(env: dict[str, str]) -> None:
    import sys

    if not sys.platform.startswith("linux") and not env:
        pytest.skip("headless detection by DISPLAY is Linux-only")
    assert connect.local_browser_available(env) is False


def test_the_same_seller_cannot_become_a_second_shop(ctx: AppContext) -> None:
    first = connect.start(ctx, "EU", [NL], name="Winkel NL")
    asyncio.run(connect.finish(ctx, first, approve(first.url)))
    second = connect.start(ctx, "EU", [NL])
    with pytest.raises(connect.SellerAlreadyConnected) as err:
        asyncio.run(connect.finish(ctx, second, approve(second.url)))
    assert "Winkel NL" in err.value.user_message
    assert err.value.existing_id == first.integration_id
    assert [s.shop_name for s in svc.list_integrations(ctx.store) if s.connected] == ["Winkel NL"]


def test_a_cancelled_draft_is_discarded(ctx: AppContext) -> None:
    pending = connect.start(ctx, "EU", [NL])
    assert connect.discard_draft(ctx, pending.integration_id)
    assert svc.list_integrations(ctx.store) == []


def test_the_ssh_tunnel_line_names_the_real_port_and_server() -> None:
    from glstui.services.demo_consent import ssh_tunnel_line

    url = "http://127.0.0.1:47123/apps/authorize/consent?application_id=x&state=y"
    env = {"SSH_CONNECTION": "192.0.2.7 50000 198.51.100.4 22", "USER": "ops"}
    assert ssh_tunnel_line(url, env) == "ssh -L 47123:127.0.0.1:47123 ops@198.51.100.4"
    env6 = {"SSH_CONNECTION": "2001:db8::7 50000 2001:db8::1 2200", "USER": "ops"}
    assert ssh_tunnel_line(url, env6) == "ssh -L 47123:127.0.0.1:47123 -p 2200 ops@[2001:db8::1]"
    assert ssh_tunnel_line(url, {}) is None  # not over SSH: the link opens as it is
    real = "https://sellercentral.amazon.nl/apps/authorize/consent?application_id=x"
    assert ssh_tunnel_line(real, env) is None  # a real Seller Central needs no tunnel


def test_approving_from_the_terminal_is_for_the_demo_only(tmp_path: Path) -> None:
    from glstui.services.demo_consent import approve_in_demo

    clock = FixedClock(NOW)
    secrets = Secrets.in_memory()
    secrets.set("amazon.app_id", DEMO_APP_ID)
    real = AppContext(
        data_dir=tmp_path,
        store=Store.open(tmp_path, clock),
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.production(),
    )
    pending = connect.start(real, "EU", [NL])
    with pytest.raises(connect.ConnectError, match="only in the demo"):
        asyncio.run(approve_in_demo(real, pending))
