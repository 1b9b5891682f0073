"""Browser hand-off for connecting a shop: build the Seller Central consent link with a fresh
`state`, then read back whatever the operator pastes (full address, query string or bare code).

The operator approves on their own machine, so glstui never receives the redirect itself:
the pasted text is the only channel, and it is checked as strictly as a redirect would be.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode

from glstui.amazon.endpoints import Endpoints
from glstui.amazon.errors import (
    AmazonConsentPageError,
    ConsentError,
    ConsentExpired,
    EmptyPaste,
    MissingCode,
    StateMismatch,
)
from glstui.domain.clock import Clock
from glstui.domain.errors import N_

__all__ = [
    "CONSENT_TTL",
    "AmazonConsentPageError",
    "ConsentError",
    "ConsentExpired",
    "ConsentGrant",
    "ConsentRequest",
    "EmptyPaste",
    "MissingCode",
    "StateMismatch",
    "parse_pasted",
    "seller_central_url",
    "start_consent",
]

# How long an operator has from showing the link to pasting the result back. Amazon's code
# itself lives 5 minutes; this bounds the whole trip through Seller Central's login.
CONSENT_TTL = timedelta(minutes=30)

_MD_CODE = re.compile(r"\bMD\d{4}\b")
# A bare code is one word of URL-safe characters (Amazon's are about 20 letters); text with
# spaces inside, or a short word, is not a code and is refused here, not by Amazon.
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9._~\-]{16,512}$")
_TRIM = " \t\r\n\"'`<>\u00a0\u200b"


@dataclass(frozen=True)
class ConsentRequest:
    url: str
    state: str
    expires_at: datetime
    app_id: str
    marketplace_id: str
    redirect_uri: str | None = None
    created_at: datetime | None = None

    def __repr__(self) -> str:  # the state is a CSRF secret: keep it out of reprs
        return f"ConsentRequest({self.marketplace_id!r}, expires_at={self.expires_at})"


@dataclass(frozen=True)
class ConsentGrant:
    """What the paste gave. A bare code carries no `state` and no seller id: `state_checked`
    False means glstui could not check that the code came from its own consent link."""

    code: str
    selling_partner_id: str | None = None
    state_checked: bool = True

    def __repr__(self) -> str:
        return f"ConsentGrant(selling_partner_id={self.selling_partner_id!r})"


def start_consent(
    endpoints: Endpoints,
    app_id: str,
    marketplace_id: str,
    clock: Clock,
    beta: bool = False,
    redirect_uri: str | None = None,
    ttl: timedelta = CONSENT_TTL,
) -> ConsentRequest:
    """Build `{SellerCentral}/apps/authorize/consent?application_id=..&state=..`, new state."""
    app_id = app_id.strip()
    if not app_id:
        raise ValueError("The Amazon app id is empty: enter it under Keys first.")
    state = secrets.token_urlsafe(32)  # 256 bits
    params = {"application_id": app_id, "state": state}
    if beta:
        params["version"] = "beta"
    if redirect_uri:
        params["redirect_uri"] = redirect_uri
    base = endpoints.seller_central(marketplace_id)
    now = clock.now()
    return ConsentRequest(
        url=f"{base}/apps/authorize/consent?{urlencode(params)}",
        state=state,
        expires_at=now + ttl,
        app_id=app_id,
        marketplace_id=marketplace_id,
        redirect_uri=redirect_uri,
        created_at=now,
    )


def parse_pasted(text: str, request: ConsentRequest, clock: Clock) -> ConsentGrant:
    """Read what the operator pasted back; raise a ConsentError saying what to do otherwise."""
    raw = (text or "").strip(_TRIM)
    if not raw:
        raise EmptyPaste()
    md = _MD_CODE.search(raw)
    if md and "spapi_oauth_code" not in raw:
        raise AmazonConsentPageError(md.group(0))
    if clock.now() > request.expires_at:
        raise ConsentExpired()
    # A URL has no whitespace: a terminal may have wrapped or quoted it, so drop all of it.
    compact = "".join(ch for ch in raw if not ch.isspace()).strip(_TRIM)
    if "=" in compact or "?" in compact or "://" in compact:
        return _from_query(compact, request)
    if compact.startswith(("Atzr|", "Atza|")):
        raise MissingCode(
            N_(
                "That looks like a token, not an authorization code; a private app's refresh "
                "token goes in the 'paste refresh token' field instead."
            )
        )
    if len(raw.split()) > 1 or not _CODE_SHAPE.match(compact):
        raise MissingCode()
    return ConsentGrant(code=compact, state_checked=False)


def _from_query(text: str, request: ConsentRequest) -> ConsentGrant:
    query = text.split("?", 1)[1] if "?" in text else text
    query = query.split("#", 1)[0]
    params = {k: v[-1].strip() for k, v in parse_qs(query, keep_blank_values=True).items()}
    code = params.get("spapi_oauth_code", "")
    if not code:
        if "application_id" in params:
            raise MissingCode(
                N_(
                    "This is the consent link itself: open it in a browser, click Confirm, then "
                    "paste the address of the page Amazon sends you to."
                )
            )
        raise MissingCode()
    state = params.get("state", "")
    if not secrets.compare_digest(state.encode(), request.state.encode()):
        raise StateMismatch()
    return ConsentGrant(code=code, selling_partner_id=params.get("selling_partner_id") or None)


def seller_central_url(
    marketplace: str, path: str = "/home", endpoints: Endpoints | None = None
) -> str:
    """Seller Central address for the 'Naar Webshop Backoffice' hand-off."""
    eps = endpoints or Endpoints.production()
    return eps.seller_central(marketplace) + "/" + path.lstrip("/")
