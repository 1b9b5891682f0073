"""Consent attacked through the paste field (issue 18): a pasted address whose seller id was
edited, and a bare code from another seller's approval.

glstui never receives Amazon's redirect itself, so whatever the operator pastes is untrusted:
the seller id is stored only when Amazon confirms it for the new token, and a bare code is
accepted only with a warning that says what could not be checked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from glstui.amazon.endpoints import Endpoints
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox
from glstui.sandbox.amazon import DEMO_SELLER_ID
from glstui.secrets import Secrets
from glstui.services import connect
from glstui.services import integrations as svc
from glstui.services.context import AppContext
from glstui.store import Store

NL = "A1805IZSGTT6HS"
OTHER_SELLER = "A2GLSDEMOSHOP7"
EVIL = "AEVILSELLER999"


def _ctx(tmp_path: Path, sandbox: Sandbox) -> AppContext:
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


def _approve(url: str, seller: str) -> dict[str, str]:
    """The browser: consent page -> Confirm; the redirect's query as a dict."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    base = url.split("/apps/", 1)[0]
    with httpx.Client() as http:
        reply = http.post(
            f"{base}/apps/authorize/confirm",
            data={**query, "selling_partner_id": seller, "agree": "yes", "action": "confirm"},
        )
    assert reply.status_code == 302
    location = reply.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(seed=5, orders=3, time_scale=1.0)


async def test_an_edited_seller_id_is_not_trusted(sandbox: Sandbox, tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, sandbox)
    pending = connect.start(ctx, "EU", [NL])
    redirect = _approve(pending.url, DEMO_SELLER_ID)
    redirect["selling_partner_id"] = EVIL  # the pasted text names another seller
    pasted = f"{sandbox.base_url}/glstui/redirect?{urlencode(redirect)}"
    shop = await connect.finish(ctx, pending, pasted)
    assert shop.connected
    assert shop.selling_partner_id is None
    assert EVIL not in shop.shop_name
    again = connect.reconnect(ctx, shop.id)  # the warning says what was not stored
    redirect = _approve(again.url, DEMO_SELLER_ID) | {"selling_partner_id": EVIL}
    result = await connect.finish_checked(
        ctx, again, f"{sandbox.base_url}/glstui/redirect?{urlencode(redirect)}"
    )
    assert any(EVIL in w and "did not confirm" in w for w in result.warnings)


async def test_the_real_seller_id_is_confirmed_by_amazon(sandbox: Sandbox, tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, sandbox)
    pending = connect.start(ctx, "EU", [NL])
    redirect = _approve(pending.url, OTHER_SELLER)
    pasted = f"{sandbox.base_url}/glstui/redirect?{urlencode(redirect)}"
    result = await connect.finish_checked(ctx, pending, pasted)
    assert result.integration.selling_partner_id == OTHER_SELLER
    assert result.integration.shop_name == f"Amazon {OTHER_SELLER}"
    assert result.warnings == []


async def test_without_the_listings_role_the_id_stays_unverified(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.amazon.listings_role = False  # Amazon answers 403 even for the right seller
    ctx = _ctx(tmp_path, sandbox)
    pending = connect.start(ctx, "EU", [NL])
    redirect = _approve(pending.url, DEMO_SELLER_ID)
    pasted = f"{sandbox.base_url}/glstui/redirect?{urlencode(redirect)}"
    result = await connect.finish_checked(ctx, pending, pasted)
    assert result.integration.selling_partner_id is None
    assert any(DEMO_SELLER_ID in w for w in result.warnings)


async def test_a_bare_code_of_another_seller_connects_only_with_a_warning(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    ctx = _ctx(tmp_path, sandbox)
    mine = connect.start(ctx, "EU", [NL], name="Winkel NL")
    # somebody else approved their own link and passes on just the code
    theirs = connect.reconnect(ctx, mine.integration_id)
    code = _approve(theirs.url, OTHER_SELLER)["spapi_oauth_code"]
    result = await connect.finish_checked(ctx, mine, f"  {code}\n")
    assert result.integration.selling_partner_id is None  # nothing names the seller
    assert result.integration.shop_name == "Winkel NL"
    assert len(result.warnings) == 2
    assert "could not check" in result.warnings[0] and "state" in result.warnings[0]
    assert "No seller id" in result.warnings[1]
    token = ctx.secrets.get(svc.refresh_token_name(mine.integration_id))
    assert token and token.startswith("Atzr|")


def test_the_sandbox_refuses_another_sellers_listings(sandbox: Sandbox) -> None:
    token = sandbox.amazon.issue_refresh_token(DEMO_SELLER_ID)
    with httpx.Client() as http:
        access = http.post(
            f"{sandbox.base_url}/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": token,
                "client_id": DEMO_CLIENT_ID,
                "client_secret": DEMO_CLIENT_SECRET,
            },
        ).json()["access_token"]
        headers = {"x-amz-access-token": access}

        def ask(seller: str) -> int:
            return http.get(
                f"{sandbox.base_url}/listings/2021-08-01/items/{seller}",
                params={"marketplaceIds": NL},
                headers=headers,
            ).status_code

        assert ask(DEMO_SELLER_ID) == 200
        assert ask(OTHER_SELLER) == 403


async def test_a_reconnect_by_another_seller_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, sandbox)
    first = connect.start(ctx, "EU", [NL], name="Winkel NL")
    redirect = _approve(first.url, DEMO_SELLER_ID)
    await connect.finish(ctx, first, f"{sandbox.base_url}/glstui/redirect?{urlencode(redirect)}")
    token = ctx.secrets.get(svc.refresh_token_name(first.integration_id))
    again = connect.reconnect(ctx, first.integration_id)
    other = _approve(again.url, OTHER_SELLER)  # logged in as the wrong seller
    with pytest.raises(connect.ConnectError) as err:
        await connect.finish(ctx, again, f"{sandbox.base_url}/glstui/redirect?{urlencode(other)}")
    assert OTHER_SELLER in err.value.user_message and "Winkel NL" in err.value.user_message
    assert ctx.secrets.get(svc.refresh_token_name(first.integration_id)) == token


async def test_a_bare_code_on_reconnect_is_checked_against_the_known_seller(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    ctx = _ctx(tmp_path, sandbox)
    first = connect.start(ctx, "EU", [NL], name="Winkel NL")
    redirect = _approve(first.url, DEMO_SELLER_ID)
    await connect.finish(ctx, first, f"{sandbox.base_url}/glstui/redirect?{urlencode(redirect)}")
    again = connect.reconnect(ctx, first.integration_id)
    code = _approve(again.url, DEMO_SELLER_ID)["spapi_oauth_code"]
    result = await connect.finish_checked(ctx, again, code)
    assert result.integration.selling_partner_id == DEMO_SELLER_ID
    assert len(result.warnings) == 1 and "state" in result.warnings[0]
