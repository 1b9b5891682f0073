"""The demo's wiring: a throwaway data dir, in-memory keys and the loopback sandbox.

It lives outside glstui/services/ so that services never import the sandbox (the layer
contracts in pyproject.toml); `glstui --demo` and the test world build it from here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from glstui import config
from glstui.amazon.endpoints import Endpoints
from glstui.domain.clock import Clock, SystemClock
from glstui.domain.settings import SenderAddress, Settings
from glstui.i18n import set_language
from glstui.logs import setup_logging
from glstui.sandbox import DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox
from glstui.sandbox.amazon import CODE_TTL
from glstui.sandbox.gls import GLS_DEMO_PASSWORD, GLS_DEMO_SUBSCRIPTION_KEY, GLS_DEMO_USERNAME
from glstui.secrets import AMAZON_APP_NAMES, GLS_LOGIN_NAMES, Secrets
from glstui.services.context import AppContext, _language
from glstui.store import Store

DEMO_TIME_SCALE = 60.0
# A few waiting multi-unit orders come partly shipped, so an operator sees how glstui labels
# only the rest (glstui.services.labelling.partial).
DEMO_PARTIAL_SHARE = 0.2
# A few orders GLS must not ship as usual (Easy Ship, Ship+, an Amazon Locker, a GLS
# ParcelShop pickup point: glstui.domain.order_kinds), so an operator sees how they show.
DEMO_KINDS_SHARE = 0.08

DEMO_SENDER = SenderAddress(
    name="Demo Warehouse BV",
    street="Industrieweg",
    house_no="12",
    zip_code="3542AD",
    city="Utrecht",
    country_code="NL",
    phone="+31301234567",
    email="shipping@example.com",
)


def demo_secrets() -> Secrets:
    """In-memory keys holding the sandbox's demo Amazon app and GLS login."""
    secrets = Secrets.in_memory()
    values = [DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET]
    values += [GLS_DEMO_SUBSCRIPTION_KEY, GLS_DEMO_USERNAME, GLS_DEMO_PASSWORD]
    for name, value in zip((*AMAZON_APP_NAMES, *GLS_LOGIN_NAMES), values, strict=True):
        secrets.set(name, value)
    return secrets


def sandbox_gls_url(base_url: str) -> str:
    """The GLS label API of the sandbox at `base_url` (what `glstui sandbox` prints)."""
    return f"{base_url.rstrip('/')}/Test/V1/api/"


def point_at_sandbox(ctx: AppContext, base_url: str) -> AppContext:
    """Send `ctx`'s Amazon and GLS calls to a running `glstui sandbox` (--sandbox URL).

    The keys stay the data dir's own: enter the demo keys `glstui sandbox` prints under Keys.
    Pacing stays at Amazon's real rates (slower than the sandbox allows, never refused)."""
    ctx.endpoints = Endpoints.sandbox(base_url)
    ctx.gls_base_url_override = sandbox_gls_url(base_url)
    return ctx


def build_demo_context(
    language: str | None = None,
    clock: Clock | None = None,
    orders: int = 120,
    sandbox_url: str | None = None,
) -> AppContext:
    """A throwaway data dir, in-memory keys and the sandbox: the whole flow, offline.

    With `sandbox_url` (--demo --sandbox URL) the demo talks to that running `glstui
    sandbox` instead of starting its own, so several consoles share one simulated Amazon;
    its pacing assumes the sandbox's default time scale (DEMO_TIME_SCALE)."""
    clock = clock or SystemClock()
    language = _language(language)
    set_language(language)
    directory = Path(tempfile.mkdtemp(prefix="glstui-demo-"))
    setup_logging(config.log_dir(directory))
    # Rate limits run DEMO_TIME_SCALE times faster, but a person pastes the consent code:
    # give them Amazon's five minutes of real time.
    sandbox: Sandbox | None = None
    if sandbox_url is None:
        sandbox = Sandbox(
            orders=orders,
            time_scale=DEMO_TIME_SCALE,
            code_ttl=CODE_TTL * DEMO_TIME_SCALE,
            partial_share=DEMO_PARTIAL_SHARE,
            kinds_share=DEMO_KINDS_SHARE,
        )
        sandbox.start()
        sandbox_url = sandbox.base_url
    secrets = demo_secrets()
    store = Store.open(directory, clock)
    with store.write() as tx:
        tx.settings.put(Settings(sender=DEMO_SENDER))
    return AppContext(
        data_dir=directory,
        store=store,
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.sandbox(sandbox_url),
        lang=language,
        demo=True,
        sandbox=sandbox,
        time_scale=DEMO_TIME_SCALE,
        gls_base_url_override=sandbox_gls_url(sandbox_url),
        _cleanup=[directory],
    )
