"""Find the parcels GLS already has for a reference: GLS NL Track & Trace `parcel/v1/search`.

The Label API (api.gls.nl/V1) has no lookup: Label/Create, Delete and Confirm only. When
the answer to a Label/Create was lost, the label may exist at GLS; the Track & Trace API
(api.gls.nl/tt/V1, test api.gls.nl/tt-test; OpenAPI in api-evangelist/gls-group) searches
parcels by `customerRef`, which is the reference glstui sends (the Amazon order id). Its
answer: `parcels[]` {parcelNo, uniqueNo, jobDate, customerReference, state, uri}; 204 = none.
Whether a parcel shows there right after Label/Create, and whether T&T takes the same login
as the Label API, is not documented: a failed search is reported as "cannot tell", never as
"no label".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import httpx

from glstui.domain.clock import to_iso
from glstui.domain.errors import N_
from glstui.gls.errors import GlsAuthError, GlsError

log = logging.getLogger("glstui.gls")

TT_LIVE_URL = "https://api.gls.nl/tt/V1/"
TT_TEST_URL = "https://api.gls.nl/tt-test/"
SEARCH = "api/parcel/v1/search"


@dataclass(frozen=True)
class FoundParcel:
    parcel_no: str
    reference: str
    tracking_link: str = ""
    state: str = ""


def tracking_base_url(label_base_url: str) -> str:
    """The T&T base that belongs to a Label API base (live, test, or a sandbox host)."""
    base = label_base_url.rstrip("/")
    low = base.lower()
    for suffix, tt in (("/test/v1/api", "tt-test/"), ("/v1/api", "tt/V1/")):
        if low.endswith(suffix):
            return base[: len(base) - len(suffix)] + "/" + tt
    return TT_LIVE_URL


class GlsTracking:
    """The one call glstui needs from Track & Trace. Credentials never reach logs or errors."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        subscription_key: str,
        username: str,
        password: str,
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/") + "/"
        self._key = subscription_key
        self._username = username
        self._password = password

    def __repr__(self) -> str:
        return f"GlsTracking(base_url={self.base_url!r})"

    async def find_by_reference(
        self, reference: str, since: datetime | None = None
    ) -> list[FoundParcel]:
        """Parcels whose customer reference is exactly `reference` (created after `since`)."""
        body: dict[str, str] = {
            "userName": self._username,
            "password": self._password,
            "customerRef": reference,
        }
        if since is not None:
            body["since"] = to_iso(since) or ""
        try:
            resp = await self._http.post(
                self.base_url + SEARCH,
                json=body,
                headers={"Ocp-Apim-Subscription-Key": self._key},
            )
        except httpx.HTTPError as exc:
            raise GlsError(
                N_(
                    "GLS Track & Trace could not be reached ({error}). "
                    "Check the network and try again."
                ),
                log=f"GLS Track & Trace unreachable ({type(exc).__name__})",
                error=type(exc).__name__,
                retryable=True,
            ) from None
        if resp.status_code == 204:
            return []
        if resp.status_code in (401, 403):
            raise GlsAuthError(
                "GLS Track & Trace refused the login",
                status=resp.status_code,
            )
        if resp.status_code != 200:
            raise GlsError(
                N_("GLS Track & Trace answered HTTP {code}. Try again later."),
                code=resp.status_code,
                log=f"GLS Track & Trace answered {resp.status_code}",
                status=resp.status_code,
                retryable=resp.status_code >= 500,
            )
        try:
            data = resp.json()
        except ValueError:
            raise GlsError(
                N_("GLS Track & Trace sent an answer glstui cannot read. Try again later."),
                log="GLS Track & Trace sent no JSON",
                status=200,
            ) from None
        parcels = data.get("parcels") if isinstance(data, dict) else None
        found = []
        for raw in parcels or []:
            if not isinstance(raw, dict):
                continue
            number = str(raw.get("parcelNo") or "")
            ref = str(raw.get("customerReference") or "")
            if number and ref == reference:
                found.append(
                    FoundParcel(number, ref, str(raw.get("uri") or ""), str(raw.get("state") or ""))
                )
        log.info("GLS Track & Trace: %d parcel(s) for one reference", len(found))
        return found
