"""Shared fixtures for tests that talk to the loopback sandbox over real HTTP.

`sandbox`: a fresh Sandbox per test (seed 1, 200 orders, 60x time, simulated clock starting
2026-11-27T08:00:00Z) on 127.0.0.1 and a random port. `make_sandbox(**kw)` builds others.
`http`: an httpx.AsyncClient. `amazon_client`: an SpApiClient pointed at the sandbox with the
demo app credentials; `refresh_token`: a refresh token of the sandbox's default seller.

Every test here is also a check of glstui's Amazon client against Amazon's own models: each
request it sends (known by its glstui user agent) must be an operation of the models, with
their query parameters and their body definition (checked at teardown, amazon_models.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
from amazon_models import amazon_requests_match_the_models  # noqa: F401 (autouse)

from glstui.amazon.client import AppCredentials, SpApiClient
from glstui.amazon.endpoints import Endpoints
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox

SANDBOX_START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
DEMO_CREDENTIALS = AppCredentials(DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(seed=1, orders=200, time_scale=60.0)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
        yield client


def client_for(sandbox: Sandbox, http: httpx.AsyncClient, **kw: object) -> SpApiClient:
    """An SpApiClient for `sandbox`, on its clock and time scale."""
    kw.setdefault("time_scale", sandbox.time_scale)
    return SpApiClient(
        http,
        Endpoints.sandbox(sandbox.base_url),
        kw.pop("credentials", DEMO_CREDENTIALS),  # type: ignore[arg-type]
        sandbox.clock,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def amazon_client(sandbox: Sandbox, http: httpx.AsyncClient) -> SpApiClient:
    return client_for(sandbox, http)


@pytest.fixture
def refresh_token(sandbox: Sandbox) -> str:
    return sandbox.issue_refresh_token()


@pytest.fixture
def make_client(http: httpx.AsyncClient) -> Callable[..., SpApiClient]:
    """make_client(sandbox, **kw) -> SpApiClient (kw: time_scale, retry, credentials, ...)."""

    def make(sb: Sandbox, **kw: object) -> SpApiClient:
        return client_for(sb, http, **kw)

    return make
