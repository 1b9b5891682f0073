"""Connecting an Amazon shop: the browser hand-off (consent link -> pasted redirect -> refresh
token) and, for a private self-authorized app, a pasted refresh token.

The draft shop is stored before the operator leaves for Seller Central, so nothing is lost
when a paste is wrong or the code expired: the operator simply tries again. Refresh tokens
go to the secret store only. Errors are the typed Amazon errors; show their .user_message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from glstui.amazon.consent import ConsentRequest, parse_pasted, start_consent
from glstui.amazon.errors import AmazonError
from glstui.amazon.regions import MARKETPLACES_BY_ID, marketplaces_in
from glstui.amazon.sellers import SellerCheck, check_seller
from glstui.domain.integration import CONNECTED, DRAFT, Integration
from glstui.i18n import N_, _
from glstui.services import audit
from glstui.services import integrations as svc

log = logging.getLogger("glstui.services.connect")


class ConnectError(AmazonError):
    """Connecting cannot go on; user_message says what to do."""


@dataclass
class PendingConsent:
    """A consent link shown to the operator, waiting for the pasted redirect address."""

    integration_id: str
    request: ConsentRequest

    @property
    def url(self) -> str:
        return self.request.url


def default_marketplace(integration: Integration) -> str:
    """The marketplace whose Seller Central host the links use (first chosen, else region's)."""
    if integration.marketplace_ids:
        return integration.marketplace_ids[0]
    in_region = marketplaces_in(integration.region)
    if not in_region:
        raise ConnectError(N_("Pick at least one marketplace for this shop."))
    return in_region[0].id


def backoffice_url(integration: Integration, endpoints: Any) -> str:
    """Seller Central home of the shop ("Naar Webshop Backoffice")."""
    return endpoints.seller_central(default_marketplace(integration)) + "/home"


def _app_id(ctx: Any) -> str:
    app_id = ctx.secrets.get("amazon.app_id")
    if not app_id:
        raise ConnectError(
            N_(
                "The Amazon app id is not set: enter it under Keys (press 5) first; "
                "it starts with amzn1.sp.solution."
            )
        )
    return app_id


def _check_marketplaces(region: str, marketplace_ids: list[str]) -> None:
    if not marketplace_ids:
        raise ConnectError(N_("Pick at least one marketplace for this shop."))
    for mid in marketplace_ids:
        found = MARKETPLACES_BY_ID.get(mid)
        if found is None or found.region != region:
            raise ConnectError(
                N_("Marketplace {code} is not in region {region}."),
                code=found.code if found else mid,
                region=region,
            )


def start(
    ctx: Any,
    region: str,
    marketplace_ids: list[str],
    name: str | None = None,
    *,
    beta: bool = False,
    redirect_uri: str | None = None,
) -> PendingConsent:
    """Store a draft shop and build its consent link (raises ConnectError/ValidationError)."""
    _check_marketplaces(region, marketplace_ids)
    app_id = _app_id(ctx)
    integration = svc.add(ctx.store, ctx.clock, name or "", region, marketplace_ids)
    request = start_consent(
        ctx.endpoints, app_id, marketplace_ids[0], ctx.clock, beta=beta, redirect_uri=redirect_uri
    )
    return PendingConsent(integration.id, request)


def reconnect(
    ctx: Any, integration_id: str, *, beta: bool = False, redirect_uri: str | None = None
) -> PendingConsent:
    """A fresh consent link for an existing shop (draft, needs re-connect or renewal)."""
    integration = svc.get(ctx.store, integration_id)
    app_id = _app_id(ctx)
    request = start_consent(
        ctx.endpoints,
        app_id,
        default_marketplace(integration),
        ctx.clock,
        beta=beta,
        redirect_uri=redirect_uri,
    )
    return PendingConsent(integration.id, request)


@dataclass
class ConnectResult:
    """A connected shop and what glstui could not check on the way (operator's words)."""

    integration: Integration
    warnings: list[str] = field(default_factory=list)


async def finish(ctx: Any, pending: PendingConsent, pasted: str) -> Integration:
    """Read the pasted redirect address (or code), exchange the code, store the token."""
    return (await finish_checked(ctx, pending, pasted)).integration


async def finish_checked(ctx: Any, pending: PendingConsent, pasted: str) -> ConnectResult:
    """`finish`, also saying what could not be checked.

    The seller id is stored only when Amazon confirmed it for the new token (see
    glstui/amazon/sellers.py): an id read from pasted text alone could name the shop after,
    and match it with, another seller. A bare code has no `state` to check and no seller id.
    """
    grant = parse_pasted(pasted, pending.request, ctx.clock)
    integration = svc.get(ctx.store, pending.integration_id)  # else IntegrationNotFound
    warnings: list[str] = []
    if not grant.state_checked:
        warnings.append(
            _(
                "Only the code was pasted, so glstui could not check that it comes from the "
                "link shown here (the full address also holds 'state'): make sure you "
                "approved it yourself, just now."
            )
        )
    known = integration.selling_partner_id  # confirmed when the shop was connected before
    claimed = grant.selling_partner_id or known
    seller_id: str | None = None
    async with ctx.http_client() as http:
        client = ctx.amazon_client(http)
        refresh_token = await client.exchange_code(
            grant.code, redirect_uri=pending.request.redirect_uri
        )
        if claimed:
            check = await check_seller(
                client, refresh_token, integration.region, claimed, default_marketplace(integration)
            )
            if check is SellerCheck.VERIFIED:
                seller_id = claimed
            else:
                warnings.append(
                    _(
                        "Amazon did not confirm the seller id {seller} for this authorization, "
                        "so glstui did not store it: the shop keeps its name and is not "
                        "matched with other shops of that seller."
                    ).format(seller=literal_id(claimed))
                )
    if not claimed:
        warnings.append(
            _(
                "No seller id came with the code, so the shop is named as it was and is not "
                "matched with other shops of the same seller."
            )
        )
    if known and seller_id and seller_id != known:
        raise ConnectError(
            N_(
                "This authorization is for Amazon seller {seller}, but shop '{name}' is seller "
                "{known}: log in to Seller Central as that seller and approve again, or add "
                "the other seller as a new shop."
            ),
            seller=seller_id,
            name=integration.shop_name,
            known=known,
        )
    shop = _connected(ctx, pending.integration_id, refresh_token, seller_id)
    if warnings:
        log.warning("shop %s connected with %d check(s) missing", shop.id, len(warnings))
    return ConnectResult(shop, warnings)


def literal_id(text: str) -> str:
    """A pasted seller id as shown back: at most 30 characters, printable ones only."""
    clean = "".join(ch for ch in text if ch.isprintable())
    return clean if len(clean) <= 30 else clean[:29] + "\u2026"


async def connect_private(ctx: Any, integration_id: str, refresh_token: str) -> Integration:
    """A private (self-authorized) app: check the pasted refresh token with one LWA refresh."""
    token = "".join(refresh_token.split())
    if not token:
        raise ConnectError(
            N_("Nothing was pasted: paste the refresh token (it starts with Atzr|).")
        )
    if not token.startswith("Atzr|"):
        raise ConnectError(
            N_(
                "That is not a refresh token: it starts with Atzr|. Copy it from the "
                "Developer Console (Authorize app) and paste it again."
            )
        )
    svc.get(ctx.store, integration_id)
    async with ctx.http_client() as http:
        client = ctx.amazon_client(http)
        await client.check_refresh_token(token)
    return _connected(ctx, integration_id, token, None)  # no seller id is pasted with it


async def test_connection(ctx: Any, integration_id: str | None = None) -> str:
    """One LWA refresh with a connected shop's token; returns what was checked (plain words)."""
    shops = [i for i in svc.list_integrations(ctx.store) if i.connected]
    if integration_id:
        shops = [i for i in shops if i.id == integration_id]
    for shop in shops:
        token = ctx.secrets.get(svc.refresh_token_name(shop.id))
        if not token:
            continue
        async with ctx.http_client() as http:
            client = ctx.amazon_client(http)
            await client.check_refresh_token(token)
        return _("Amazon accepted the app keys and the token of '{name}'.").format(
            name=shop.shop_name
        )
    raise ConnectError(
        N_(
            "No connected shop to test with: connect a shop first (press 1, then n). "
            "The app keys are checked when the shop is connected."
        )
    )


class SellerAlreadyConnected(ConnectError):
    """One seller account + region is one shop: a second shop would double every label."""

    def __init__(self, existing: Integration) -> None:
        super().__init__(
            N_(
                "This Amazon seller account is already connected as shop '{name}'. "
                "To renew its grant, select that shop in Integrations and press c (Connect)."
            ),
            name=existing.shop_name,
        )
        self.existing_id = existing.id
        self.existing_name = existing.shop_name


def find_same_seller(
    ctx: Any, integration_id: str, selling_partner_id: str | None
) -> Integration | None:
    """Another shop that already has this seller account in the same region, if any."""
    if not selling_partner_id:
        return None
    own = svc.get(ctx.store, integration_id)
    for other in svc.list_integrations(ctx.store):
        if (
            other.id != integration_id
            and other.selling_partner_id == selling_partner_id
            and other.region == own.region
        ):
            return other
    return None


def discard_draft(ctx: Any, integration_id: str) -> bool:
    """Remove a draft shop left behind by a cancelled connect; True when removed."""
    try:
        integration = svc.get(ctx.store, integration_id)
    except svc.IntegrationNotFound:
        return False
    if integration.status != DRAFT or integration.selling_partner_id:
        return False
    if svc.order_count(ctx.store, integration_id):
        return False
    svc.delete(ctx.store, ctx.secrets, integration_id, keep_orders=True)
    return True


def _connected(
    ctx: Any, integration_id: str, refresh_token: str, selling_partner_id: str | None
) -> Integration:
    existing = find_same_seller(ctx, integration_id, selling_partner_id)
    if existing is not None:
        raise SellerAlreadyConnected(existing)
    ctx.secrets.set(svc.refresh_token_name(integration_id), refresh_token)
    with ctx.store.write() as tx:
        integration = tx.integrations.get(integration_id)
        if integration is None:
            raise svc.IntegrationNotFound(integration_id)
        others = [i for i in tx.integrations.all() if i.id != integration_id]
        for other in others:
            if (
                selling_partner_id
                and other.selling_partner_id == selling_partner_id
                and other.region == integration.region
            ):
                raise SellerAlreadyConnected(other)
        if selling_partner_id:
            integration.selling_partner_id = selling_partner_id
            if svc.is_placeholder_name(integration.shop_name):
                integration.shop_name = svc.unique_name(
                    f"Amazon {selling_partner_id}", [i.shop_name for i in others]
                )
        integration.status = CONNECTED
        integration.authorized_at = ctx.clock.now()
        tx.integrations.put(integration)
        audit.record(
            tx,
            audit.INTEGRATION_CONNECTED,
            f"{integration.shop_name} ({selling_partner_id or 'refresh token'})",
            target=integration_id,
            clock=ctx.clock,
        )
    log.info("shop %s connected (region %s)", integration.id, integration.region)
    return integration


_CONSOLE_BROWSERS = {"lynx", "w3m", "links", "elinks", "www-browser", "browsh", "links2"}


def local_browser_available(environ: dict[str, str] | None = None) -> bool:
    """True only when a graphical browser would open on the operator's own screen.

    Over SSH or on a headless server the browser would open on the server (or a console
    browser would take over the terminal), so the hand-off is copy / QR / type instead.
    """
    import os
    import sys
    import webbrowser

    env = os.environ if environ is None else environ
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("GLSTUI_NO_BROWSER"):
        return False
    if sys.platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    name = (getattr(browser, "name", "") or type(browser).__name__).lower()
    return not any(console in name for console in _CONSOLE_BROWSERS)


def open_in_browser(url: str) -> bool:
    """Open `url` in the local browser when there is a real one; False otherwise."""
    import webbrowser

    if not local_browser_available():
        return False
    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False
