"""Deterministic AppContext for TUI tests and snapshots.

Fixed clock (2026-11-27T08:00:00Z), a tmp data dir, in-memory secrets, English unless a test
asks for Dutch, no animations, no browser, a fixed consent `state` so consent links (and
their QR codes) are the same on every run. The sandbox is started only by tests that ask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from glstui.amazon.endpoints import Endpoints
from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, DRAFT, NEEDS_REAUTH, Integration
from glstui.i18n import set_language
from glstui.secrets import Secrets
from glstui.services.context import AppContext
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, 0, tzinfo=UTC)
FIXED_STATE = "Zq3v9Yx2Lk8Pw4Rt6Nm1Bc7Df5Gh0JsAa1Bb2Cc3D"
APP_ID = "amzn1.sp.solution.0a1b2c3d-4e5f-6789-abcd-ef0123456789"
NL = "A1805IZSGTT6HS"
DE = "A1PA6795UKMFR9"


@pytest.fixture(autouse=True)
def _tui_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("GLSTUI_NO_BROWSER", "1")
    monkeypatch.setenv("TZ", "UTC")
    yield
    set_language("en")


@pytest.fixture
def fixed_state(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make every consent link carry the same `state` (only for what is drawn)."""
    import glstui.amazon.consent as consent

    monkeypatch.setattr(consent.secrets, "token_urlsafe", lambda n=32: FIXED_STATE)
    return FIXED_STATE


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def make_ctx(tmp_path: Path, clock: FixedClock) -> Iterator[Callable[..., AppContext]]:
    made: list[AppContext] = []

    def make(
        lang: str = "en",
        endpoints: Endpoints | None = None,
        secrets: Secrets | None = None,
        app_keys: bool = True,
        sandbox: Any = None,
    ) -> AppContext:
        data_dir = tmp_path / f"data{len(made)}"
        data_dir.mkdir()
        store = Store.open(data_dir, clock)
        secrets = secrets or Secrets.in_memory()
        if app_keys and not secrets.locked:
            secrets.set("amazon.app_id", APP_ID)
            secrets.set("amazon.lwa_client_id", "amzn1.application-oa2-client.test0000")
            secrets.set("amazon.lwa_client_secret", "amzn1.oa2-cs.v1.testsecret9999")
        ctx = AppContext(
            data_dir=data_dir,
            store=store,
            secrets=secrets,
            clock=clock,
            endpoints=endpoints or Endpoints.production(),
            lang=lang,
            sandbox=sandbox,
        )
        set_language(lang)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.sandbox = None  # the sandbox fixture stops its own
        ctx.close()


@pytest.fixture
def ctx(make_ctx: Callable[..., AppContext]) -> AppContext:
    return make_ctx()


def _seed_shops(ctx: AppContext) -> list[Integration]:
    """Four shops, one of each status, with fixed ids and dates."""
    shops = [
        Integration(
            shop_name="Amazon A3PNJAV4CVI5V1",
            id="shop0001",
            region="EU",
            marketplace_ids=[NL, DE],
            selling_partner_id="A3PNJAV4CVI5V1",
            status=CONNECTED,
            authorized_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
            created_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        ),
        Integration(
            shop_name="Winkel Benelux",
            id="shop0002",
            region="EU",
            marketplace_ids=[NL],
            selling_partner_id="A2GLSDEMOSHOP7",
            status=CONNECTED,
            update_tracking=False,
            authorized_at=datetime(2025, 12, 10, 10, 0, tzinfo=UTC),
            created_at=datetime(2025, 12, 10, 9, 0, tzinfo=UTC),
        ),
        Integration(
            shop_name="Old US shop",
            id="shop0003",
            region="NA",
            marketplace_ids=["ATVPDKIKX0DER"],
            selling_partner_id="A1OLDSHOPUS99",
            status=NEEDS_REAUTH,
            active=False,
            authorized_at=datetime(2025, 11, 1, 10, 0, tzinfo=UTC),
            created_at=datetime(2025, 11, 1, 9, 0, tzinfo=UTC),
        ),
        Integration(
            shop_name="New Amazon shop",
            id="shop0004",
            region="EU",
            marketplace_ids=[DE],
            status=DRAFT,
            created_at=datetime(2026, 11, 27, 7, 0, tzinfo=UTC),
        ),
    ]
    with ctx.store.write() as tx:
        tx.integrations.put_many(shops)
    ctx.secrets.set("amazon.refresh_token.shop0001", "Atzr|IwEBtestrefreshtoken0001")
    ctx.secrets.set("amazon.refresh_token.shop0002", "Atzr|IwEBtestrefreshtoken0002")
    return shops


@pytest.fixture
def seed_shops() -> Callable[[AppContext], list[Integration]]:
    """seed_shops(ctx): four shops, one of each status, with fixed ids and dates."""
    return _seed_shops


@pytest.fixture
def approve() -> Callable[..., Any]:
    """approve(consent_url, seller) -> redirect: the operator ticks and confirms the consent
    page of the sandbox in their browser (tests/tui/test_flows.py's approve_in_browser)."""
    from test_flows import approve_in_browser

    return approve_in_browser
