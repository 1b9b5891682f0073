"""The Amazon half of the sandbox: Seller Central consent, Login with Amazon, Orders
v2026-01-01 searchOrders/getOrder and Orders v0 confirmShipment, with Amazon's validation,
error bodies, headers and per-operation token buckets (sped up by the time scale).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import heapq
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from glstui.amazon.ratelimit import DEFAULT_LIMITS
from glstui.amazon.regions import MARKETPLACES_BY_ID
from glstui.domain.clock import from_iso, to_iso
from glstui.sandbox import pages
from glstui.sandbox.clock import SimClock
from glstui.sandbox.data import OrderBook, SimOrder

DEMO_APP_ID = "amzn1.sp.solution.6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"
DEMO_CLIENT_ID = "amzn1.application-oa2-client.5e1d0c6b7a8f4e3d9c2b1a0f6e5d4c3b"
DEMO_CLIENT_SECRET = (
    "amzn1.oa2-cs.v1.0c4e8b2f6a1d5c9e3b7f2a6d0c4e8b2f6a1d5c9e3b7f2a6d0c4e8b2f6a1d5c9e"
)
DEMO_APP_NAME = "glstui demo"
DEMO_SELLER_ID = "A3PNJAV4CVI5V1"
DEMO_SELLERS = {DEMO_SELLER_ID: "Demo Shop NL", "A2GLSDEMOSHOP7": "Demo Shop Benelux"}

CODE_TTL = timedelta(minutes=5)
ACCESS_TTL = 3600
PAGINATION_TTL = timedelta(hours=24)
BEFORE_MARGIN = timedelta(minutes=2)
SEARCH_PATH = "/orders/2026-01-01/orders"
REDIRECT_PATH = "/glstui/redirect"

FULFILLMENT_STATUSES = {
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
}
INCLUDED_DATA = {
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
}
FULFILLED_BY = {"MERCHANT", "AMAZON"}

# A part of Amazon's carrier code list (Seller Central help G641 / amzn-base.xsd CarrierCode).
CARRIER_CODES = frozenset(
    {
        "GLS",
        "DHL",
        "DHL eCommerce",
        "DHL Home Delivery",
        "DPD",
        "UPS",
        "UPS Mail Innovations",
        "FedEx",
        "FedEx SmartPost",
        "TNT",
        "PostNL",
        "Hermes",
        "Hermes Logistik Gruppe",
        "Royal Mail",
        "Parcelforce",
        "Yodel",
        "DX",
        "La Poste",
        "Colissimo",
        "Chronopost",
        "Deutsche Post",
        "Bpost",
        "Correos",
        "Correos Express",
        "SEUR",
        "NACEX",
        "MRW",
        "Poste Italiane",
        "BRT",
        "SDA",
        "GEL Express",
        "InPost",
        "Mondial Relay",
        "Asendia",
        "Amazon Shipping",
        "USPS",
        "Canada Post",
        "Japan Post",
        "Yamato Transport",
        "Sagawa Express",
        "Trans-o-Flex",
        "GO!",
        "Other",
    }
)

MSG_DENIED = "Access to requested resource is denied."
MSG_QUOTA = "You exceeded your quota for the requested resource."
MSG_INVALID = "The input you have submitted is not valid."
DETAIL_EXPIRED = "The access token you provided has expired."
DETAIL_INVALID_TOKEN = "The access token you provided is revoked, malformed or invalid."


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    log_body: Any = None  # what the request log keeps of the request body (no secrets)


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode(), dict(headers or {}))


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> Response:
    h = {"Referrer-Policy": "no-referrer", **(headers or {})}
    return Response(status, html.encode(), h, "text/html; charset=utf-8")


def error_list(code: str, message: str, details: str = "") -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "details": details}]}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def invalid(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


@dataclass
class _Code:
    seller_id: str
    redirect_uri: str
    expires_at: datetime
    used: bool = False


@dataclass
class _Refresh:
    seller_id: str
    revoked: bool = False


@dataclass
class _Access:
    refresh_token: str
    seller_id: str
    expires_at: datetime


class _Bucket:
    def __init__(self, rate: float, burst: int, monotonic: Callable[[], float]) -> None:
        self.rate, self.burst, self.tokens = rate, burst, float(burst)
        self._monotonic = monotonic
        self.last = monotonic()

    def take(self, scale: float) -> bool:
        now = self._monotonic()
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.rate * scale)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class AmazonSim:
    """All Amazon state of one sandbox. Thread-safe: every request holds `lock`."""

    def __init__(
        self,
        *,
        clock: SimClock,
        seed: int,
        orders: int,
        base_url: Callable[[], str],
        sellers: dict[str, str] | None = None,
        app_id: str = DEMO_APP_ID,
        client_id: str = DEMO_CLIENT_ID,
        client_secret: str = DEMO_CLIENT_SECRET,
        app_name: str = DEMO_APP_NAME,
        app_draft: bool = False,
        history_days: float = 7.0,
        arrivals_per_hour: float = 6.0,
        rate_limits: dict[str, tuple[float, int]] | None = None,
        enforce_rate_limits: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        code_ttl: timedelta = CODE_TTL,
        partial_share: float = 0.0,
        kinds_share: float = 0.0,
    ) -> None:
        self.lock = threading.RLock()
        self.partial_share = partial_share
        self.kinds_share = kinds_share
        self.without_pii_role: set[str] = set()  # sellers whose orders come without PII
        self.clock = clock
        self.code_ttl = code_ttl
        self.seed = seed
        self.order_count = orders
        self.base_url = base_url
        self.sellers = dict(sellers or DEMO_SELLERS)
        self.app_id, self.client_id, self.client_secret = app_id, client_id, client_secret
        self.app_name = app_name
        self.app_draft = app_draft
        self.history_days = history_days
        self.arrivals_per_hour = arrivals_per_hour
        self.rate_limits = dict(DEFAULT_LIMITS if rate_limits is None else rate_limits)
        self.enforce_rate_limits = enforce_rate_limits
        self._monotonic = monotonic
        self._books: dict[str, OrderBook] = {}
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._access: dict[str, _Access] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self.throttled = 0  # 429s sent because a bucket was empty
        self._indexes: dict[str, _CreatedIndex] = {}  # seller -> searchOrders index
        self._start = clock.now()
        self.book(next(iter(self.sellers)))  # the default seller's shop exists from the start

    # --- state helpers ------------------------------------------------------------------

    @property
    def default_seller(self) -> str:
        return next(iter(self.sellers))

    def book(self, seller_id: str) -> OrderBook:
        with self.lock:
            book = self._books.get(seller_id)
            if book is None:
                book = OrderBook(
                    seller_id,
                    self.seed,
                    self.order_count,
                    self._start,
                    history_days=self.history_days,
                    arrivals_per_hour=self.arrivals_per_hour,
                    partial_share=self.partial_share,
                    kinds_share=self.kinds_share,
                )
                self._books[seller_id] = book
            book.advance(self.clock.now())
            return book

    def set_partial_share(self, share: float) -> None:
        """Regenerate the shops with `share` of their waiting multi-unit orders already shipped
        in part (PARTIALLY_SHIPPED, Amazon's package "1" listed). Call before the first request."""
        with self.lock:
            self.partial_share = share
            self._books.clear()
            self._indexes.clear()
            self.book(self.default_seller)

    def set_pii_role(self, granted: bool, seller_id: str | None = None) -> None:
        """With `granted` False, the seller's orders come as to an app without the
        Direct-to-Consumer Delivery (Restricted) role: no name, address lines, postcode, phone."""
        with self.lock:
            seller = seller_id or self.default_seller
            if granted:
                self.without_pii_role.discard(seller)
            else:
                self.without_pii_role.add(seller)

    def registered_redirects(self) -> list[str]:
        return [self.base_url() + REDIRECT_PATH]

    def issue_refresh_token(self, seller_id: str | None = None) -> str:
        with self.lock:
            token = "Atzr|" + secrets.token_urlsafe(48)
            self._refresh[token] = _Refresh(seller_id or self.default_seller)
            return token

    def revoke(self, refresh_token: str | None = None, *, seller_id: str | None = None) -> None:
        """Revoke one refresh token, or every one of a seller (or of all sellers)."""
        with self.lock:
            for token, entry in self._refresh.items():
                if token == refresh_token or (
                    refresh_token is None and (seller_id is None or entry.seller_id == seller_id)
                ):
                    entry.revoked = True
            for token in [
                t for t, a in self._access.items() if self._refresh[a.refresh_token].revoked
            ]:
                del self._access[token]

    def expire_access_tokens(self) -> None:
        with self.lock:
            now = self.clock.now()
            for a in self._access.values():
                a.expires_at = now - timedelta(seconds=1)

    def expire_access_token(self, token: str) -> None:
        with self.lock:
            if token in self._access:
                self._access[token].expires_at = self.clock.now() - timedelta(seconds=1)

    def reset_rate_limits(self) -> None:
        with self.lock:
            self._buckets.clear()

    # --- dispatch -----------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        with self.lock:
            try:
                return self._route(method, path, query, headers, body)
            except ApiError as e:
                return json_response(e.status, error_list(e.code, e.message, e.details))

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        if path in ("/", "/index.html") and method == "GET":
            return self._index()
        if path == "/apps/authorize/consent" and method == "GET":
            return self._consent(_first(query))
        if path == "/apps/authorize/confirm" and method == "POST":
            return self._confirm(_form(body))
        if path == REDIRECT_PATH and method == "GET":
            return self._redirect_page(query)
        if path == "/auth/o2/token":
            if method != "POST":
                return json_response(405, {"error": "invalid_request"})
            return self._lwa(_form(body))
        if path.startswith("/orders/"):
            return self._orders_api(method, path, query, headers, body)
        return json_response(404, error_list("NotFound", "Resource not found."))

    # --- Seller Central -----------------------------------------------------------------

    def _index(self) -> Response:
        params = urlencode({"application_id": self.app_id, "state": "try-me"})
        html = (
            "<h1>glstui sandbox</h1><p>Simulated Amazon (Seller Central, Login with Amazon, "
            "Orders API) and GLS on loopback.</p>"
            f"<p><a href='/apps/authorize/consent?{params}'>Open a consent page</a></p>"
        )
        return html_response(200, pages._page("glstui sandbox", html))

    def _consent_error(self, code: str, message: str, status: int = 400) -> Response:
        return html_response(status, pages.error_page(code, message))

    def _consent(self, q: dict[str, str]) -> Response:
        app_id = q.get("application_id", "")
        if app_id.startswith("amzn1.application-oa2-client."):
            return self._consent_error(
                "MD1000", "The application id is not valid (this is an LWA client id)."
            )
        if app_id != self.app_id:
            return self._consent_error("MD4100", "Unable to find the application.")
        if self.app_draft and q.get("version") != "beta":
            return self._consent_error(
                "MD1000", "The application is in draft state: add version=beta to the link."
            )
        redirect = q.get("redirect_uri", "")
        if "#" in redirect:
            return self._consent_error("MD5110", "The redirect URI contains a fragment (#).")
        if redirect and redirect not in self.registered_redirects():
            return self._consent_error("MD5101", "The redirect URI is not registered.")
        if not q.get("state"):
            return self._consent_error("", "The request has no state parameter.")
        fields = {
            k: q[k] for k in ("application_id", "state", "redirect_uri", "version") if q.get(k)
        }
        return html_response(
            200, pages.consent_page(app_name=self.app_name, fields=fields, sellers=self.sellers)
        )

    def _confirm(self, form: dict[str, str]) -> Response:
        if form.get("action") != "confirm":
            return self._consent_error(
                "", "You cancelled the authorization: glstui demo was not given access.", 200
            )
        if form.get("application_id") != self.app_id or not form.get("state"):
            return self._consent_error("MD4100", "Unable to find the application.")
        if form.get("agree") not in ("yes", "on", "true"):
            fields = {
                k: form[k]
                for k in ("application_id", "state", "redirect_uri", "version")
                if form.get(k)
            }
            return html_response(
                400,
                pages.consent_page(
                    app_name=self.app_name,
                    fields=fields,
                    sellers=self.sellers,
                    message="Tick the box to confirm before you continue.",
                ),
            )
        seller = form.get("selling_partner_id") or self.default_seller
        if seller not in self.sellers:
            seller = self.default_seller
        redirect = form.get("redirect_uri") or self.registered_redirects()[0]
        code = "AN" + "".join(
            secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            for _ in range(18)
        )
        self._codes[code] = _Code(seller, redirect, self.clock.now() + self.code_ttl)
        params = urlencode(
            {"state": form["state"], "selling_partner_id": seller, "spapi_oauth_code": code}
        )
        return Response(
            302,
            b"",
            {"Location": f"{redirect}?{params}"},
            "text/html",
            log_body={"action": "confirm"},
        )

    def _redirect_page(self, query: dict[str, list[str]]) -> Response:
        q = _first(query)
        full = f"{self.base_url()}{REDIRECT_PATH}?{urlencode(q)}"
        return html_response(
            200,
            pages.redirect_page(
                full, q.get("spapi_oauth_code", ""), q.get("selling_partner_id", "")
            ),
        )

    # --- Login with Amazon --------------------------------------------------------------

    def _lwa_error(self, status: int, error: str, description: str) -> Response:
        resp = json_response(
            status,
            {"error": error, "error_description": description, "request_id": str(uuid.uuid4())},
        )
        return resp

    def _lwa(self, form: dict[str, str]) -> Response:
        grant = form.get("grant_type", "")
        log = {"grant_type": grant}
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            r = self._lwa_error(401, "invalid_client", "Client authentication failed")
        elif grant == "authorization_code":
            r = self._exchange(form)
        elif grant == "refresh_token":
            r = self._refresh_grant(form)
        elif not grant:
            r = self._lwa_error(400, "invalid_request", "The request is missing grant_type")
        else:
            r = self._lwa_error(400, "unsupported_grant_type", "The grant type is not supported")
        r.log_body = log
        return r

    def _tokens(self, refresh_token: str, seller_id: str, with_refresh: bool) -> dict[str, Any]:
        access = "Atza|" + secrets.token_urlsafe(48)
        self._access[access] = _Access(
            refresh_token, seller_id, self.clock.now() + timedelta(seconds=ACCESS_TTL)
        )
        data: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            # the real lifetime: the token dies after ACCESS_TTL sandbox seconds
            "expires_in": max(1, round(ACCESS_TTL / self.clock.time_scale)),
        }
        if with_refresh:
            data["refresh_token"] = refresh_token
        return data

    def _exchange(self, form: dict[str, str]) -> Response:
        code = self._codes.get(form.get("code", ""))
        bad = "The request has an invalid grant parameter : code"
        if code is None or code.used or self.clock.now() > code.expires_at:
            return self._lwa_error(400, "invalid_grant", bad)
        redirect = form.get("redirect_uri")
        if redirect and redirect != code.redirect_uri:
            return self._lwa_error(400, "invalid_grant", bad)
        code.used = True
        refresh = "Atzr|" + secrets.token_urlsafe(48)
        self._refresh[refresh] = _Refresh(code.seller_id)
        return json_response(200, self._tokens(refresh, code.seller_id, True))

    def _refresh_grant(self, form: dict[str, str]) -> Response:
        token = form.get("refresh_token", "")
        entry = self._refresh.get(token)
        if entry is None or entry.revoked:
            return self._lwa_error(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token. "
                "User may have revoked or didn't grant the permission.",
            )
        return json_response(200, self._tokens(token, entry.seller_id, False))

    # --- SP-API -------------------------------------------------------------------------

    def _authorize(self, headers: dict[str, str]) -> str:
        token = headers.get("x-amz-access-token", "")
        entry = self._access.get(token)
        if entry is None or self._refresh[entry.refresh_token].revoked:
            raise ApiError(403, "Unauthorized", MSG_DENIED, DETAIL_INVALID_TOKEN)
        if self.clock.now() >= entry.expires_at:
            raise ApiError(403, "Unauthorized", MSG_DENIED, DETAIL_EXPIRED)
        return entry.seller_id

    def _take(self, seller: str, operation: str) -> None:
        if not self.enforce_rate_limits:
            return
        key = (seller, operation)
        bucket = self._buckets.get(key)
        if bucket is None:
            rate, burst = self.rate_limits.get(operation, (1.0, 5))
            bucket = self._buckets[key] = _Bucket(rate, burst, self._monotonic)
        if not bucket.take(self.clock.time_scale):
            self.throttled += 1
            raise ApiError(429, "QuotaExceeded", MSG_QUOTA)

    def _orders_api(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        request_id = str(uuid.uuid4())
        operation, handler = self._operation(method, path)
        rate_header = {}
        if operation in self.rate_limits:
            rate_header = {"x-amzn-RateLimit-Limit": _rate_str(self.rate_limits[operation][0])}
        try:
            if handler is None:
                raise ApiError(404, "NotFound", "The requested resource was not found.")
            seller = self._authorize(headers)
            self._take(seller, operation)
            resp = handler(seller, path, query, body)
        except ApiError as e:
            resp = json_response(e.status, error_list(e.code, e.message, e.details))
        resp.headers["x-amzn-RequestId"] = request_id
        if resp.status in (200, 204, 400, 404):
            resp.headers.update(rate_header)
        if method == "POST" and resp.log_body is None:
            try:
                resp.log_body = json.loads(body) if body else None
            except ValueError:
                resp.log_body = None
        return resp

    def _operation(self, method: str, path: str) -> tuple[str, Any]:
        if method == "GET" and path == SEARCH_PATH:
            return "searchOrders", self._search
        if method == "GET" and re.fullmatch(rf"{SEARCH_PATH}/[^/]+", path):
            return "getOrder", self._get_order
        if method == "POST" and re.fullmatch(r"/orders/v0/orders/[^/]+/shipmentConfirmation", path):
            return "confirmShipment", self._confirm_shipment
        return "", None

    # searchOrders ------------------------------------------------------------------------

    def _search(self, seller: str, path: str, query: dict[str, list[str]], body: bytes) -> Response:
        now = self.clock.now()
        book = self.book(seller)
        q = {k: _csv(v) for k, v in query.items()}
        created_after = _date(q, "createdAfter")
        created_before = _date(q, "createdBefore")
        updated_after = _date(q, "lastUpdatedAfter")
        updated_before = _date(q, "lastUpdatedBefore")
        if (created_after is None) == (updated_after is None):
            raise invalid("Exactly one of createdAfter and lastUpdatedAfter must be provided.")
        if created_after is not None and updated_before is not None:
            raise invalid("lastUpdatedBefore cannot be used together with createdAfter.")
        if updated_after is not None and created_before is not None:
            raise invalid("createdBefore cannot be used together with lastUpdatedAfter.")
        after = created_after or updated_after
        before = created_before if created_after is not None else updated_before
        before_name = "createdBefore" if created_after is not None else "lastUpdatedBefore"
        assert after is not None
        if before is not None:
            if before > now - BEFORE_MARGIN:
                raise invalid(
                    f"{before_name} must be at least two minutes before the time of the request."
                )
            if before < after:
                raise invalid(f"{before_name} must be equal to or after the After date.")
        mids = q.get("marketplaceIds", [])
        if len(mids) > 50:
            raise invalid("marketplaceIds can hold at most 50 values.")
        for mid in mids:
            if mid not in MARKETPLACES_BY_ID:
                raise invalid(f"Invalid marketplaceId: {mid}")
        statuses = set(q.get("fulfillmentStatuses", []))
        for s in statuses - FULFILLMENT_STATUSES:
            raise invalid(f"Invalid fulfillmentStatuses value: {s}")
        fulfilled = set(q.get("fulfilledBy", []))
        for s in fulfilled - FULFILLED_BY:
            raise invalid(f"Invalid fulfilledBy value: {s}")
        included = set(q.get("includedData", []))
        for s in included - INCLUDED_DATA:
            raise invalid(f"Invalid includedData value: {s}")
        size_raw = (q.get("maxResultsPerPage") or ["100"])[0]
        if not size_raw.isdigit() or not 1 <= int(size_raw) <= 100:
            raise invalid("maxResultsPerPage must be an integer between 1 and 100.")
        size = int(size_raw)
        by_created = created_after is not None
        signature = hashlib.sha256(
            json.dumps(
                {
                    k: sorted(v)
                    for k, v in q.items()
                    if k not in ("paginationToken", "maxResultsPerPage", "includedData")
                },
                sort_keys=True,
            ).encode()
        ).hexdigest()[:16]
        bound = before if before is not None else now.replace(microsecond=0)
        position: tuple[datetime, str] | None = None
        token = (q.get("paginationToken") or [None])[0]
        if token:
            state = _decode_token(token)
            if state is None:
                raise invalid("Invalid paginationToken: it could not be decoded.")
            if state.get("f") != signature:
                raise invalid(
                    "Invalid paginationToken: send the same filters as the first request."
                )
            if now > (from_iso(state.get("x")) or now):
                raise invalid("The paginationToken has expired.")
            bound = from_iso(state["b"]) or bound
            at = from_iso(state["k"][0])
            if at is None:
                raise invalid("Invalid paginationToken: it could not be decoded.")
            position = (at, str(state["k"][1]))

        def wanted(o: SimOrder) -> bool:
            return (
                (not mids or o.marketplace_id in mids)
                and (not statuses or o.status in statuses)
                and (not fulfilled or o.fulfilled_by in fulfilled)
            )

        start = (after, "") if position is None or position < (after, "") else position
        # One more than a page tells whether there is a next page.
        matches = (
            self._created_index(book).page(start, position, bound, size + 1, wanted)
            if by_created
            else None
        )
        if matches is None:
            matches = heapq.nsmallest(
                size + 1,
                (
                    ((t, o.order_id), o)
                    for o in book.orders.values()
                    if after <= (t := o.created if by_created else o.last_updated) <= bound
                    and (position is None or (t, o.order_id) > position)
                    and wanted(o)
                ),
                key=lambda pair: pair[0],
            )
        page = matches[:size]
        role = seller not in self.without_pii_role
        data: dict[str, Any] = {"orders": [o.to_api(included, pii_role=role) for _, o in page]}
        if len(matches) > size:
            last = page[-1][0]
            data["pagination"] = {
                "nextToken": _encode_token(
                    {
                        "k": [to_iso(last[0]), last[1]],
                        "b": to_iso(bound),
                        "f": signature,
                        "x": to_iso(now + PAGINATION_TTL),
                        "n": secrets.token_hex(4),
                    }
                )
            }
        data["createdBefore" if by_created else "lastUpdatedBefore"] = to_iso(bound)
        return json_response(200, data)

    def _created_index(self, book: OrderBook) -> _CreatedIndex:
        index = self._indexes.get(book.seller_id)
        if index is None:
            index = self._indexes[book.seller_id] = _CreatedIndex(book.orders)
        return index

    # getOrder ----------------------------------------------------------------------------

    def _order_of(self, seller: str, order_id: str) -> SimOrder:
        order = self.book(seller).orders.get(order_id)
        if order is None:
            raise ApiError(404, "NotFound", f"The order {order_id} was not found.")
        return order

    def _get_order(
        self, seller: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> Response:
        included = set(_csv(query.get("includedData", [])))
        for s in included - INCLUDED_DATA:
            raise invalid(f"Invalid includedData value: {s}")
        order = self._order_of(seller, path.rsplit("/", 1)[1])
        role = seller not in self.without_pii_role
        return json_response(200, {"order": order.to_api(included, pii_role=role)})

    # confirmShipment ---------------------------------------------------------------------

    _garbled = 0  # confirmations still to answer with an unreadable 200 (garble_confirmations)

    def garble_confirmations(self, count: int = 1) -> None:
        """Fault: the next `count` confirmShipment requests are carried out, then answered 200
        with a truncated JSON body (0 ends it). Amazon has the package; the client cannot
        know it.

        (The "malformed_json" fault of `Sandbox.faults` answers the same way without carrying
        the request out.)
        """
        with self.lock:
            self._garbled = count

    def _confirm_shipment(
        self, seller: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> Response:
        order_id = path.split("/")[4]
        try:
            req = json.loads(body or b"null")
        except ValueError:
            raise invalid("Invalid Input", "The request body is not valid JSON.") from None
        if not isinstance(req, dict):
            raise invalid("Invalid Input", "The request body must be a JSON object.")
        for name in ("marketplaceId", "packageDetail"):
            if name not in req:
                raise invalid(f"Missing required field [{name}].")
        detail = req["packageDetail"]
        if not isinstance(detail, dict):
            raise invalid("invalid type [packageDetail].")
        for name in (
            "packageReferenceId",
            "carrierCode",
            "trackingNumber",
            "shipDate",
            "orderItems",
        ):
            if name not in detail or detail[name] in (None, ""):
                raise invalid(f"Missing required field [packageDetail.{name}].")
        ref = detail["packageReferenceId"]
        if not isinstance(ref, str):
            raise invalid("invalid type [packageDetail.packageReferenceId].")
        if not ref.isdigit() or int(ref) < 1:
            raise invalid("packageReferenceId must be a positive integer sent as a string.")
        for name in ("carrierCode", "trackingNumber", "shipDate"):
            if not isinstance(detail[name], str):
                raise invalid(f"invalid type [packageDetail.{name}].")
        carrier = detail["carrierCode"]
        if carrier not in CARRIER_CODES:
            raise invalid(
                f"The carrierCode {carrier} is not valid. Use a carrier code from Amazon's list, "
                "or Other together with carrierName."
            )
        if carrier == "Other" and not detail.get("carrierName"):
            raise invalid("carrierName is required when carrierCode is Other.")
        ship_date = detail["shipDate"]
        try:
            if "T" not in ship_date:
                raise ValueError
            shipped_at = from_iso(ship_date)
        except ValueError:
            raise invalid("invalid date-time [packageDetail.shipDate].") from None
        items = detail["orderItems"]
        if not isinstance(items, list) or not items:
            raise invalid("invalid type [packageDetail.orderItems].")
        order = self._order_of(seller, order_id)
        if req["marketplaceId"] != order.marketplace_id:
            raise invalid("The marketplaceId does not match the order's marketplace.")
        if order.fulfilled_by != "MERCHANT":
            raise invalid("The order is fulfilled by Amazon and cannot be confirmed.")
        if order.status == "CANCELLED":
            raise invalid("The order has been cancelled and cannot be shipped.")
        if order.status in ("PENDING", "PENDING_AVAILABILITY"):
            raise invalid("The order is pending and cannot be shipped yet.")
        known = {i.order_item_id: i for i in order.items}
        existing = next((p for p in order.packages if p["packageReferenceId"] == ref), None)
        package_items = []
        for it in items:
            if not isinstance(it, dict) or "orderItemId" not in it or "quantity" not in it:
                raise invalid("Missing required field [orderItems.orderItemId / quantity].")
            oid, qty = it["orderItemId"], it["quantity"]
            if not isinstance(oid, str) or oid not in known:
                raise invalid(
                    "OrderItemId is invalid, please obtain the value through the getOrderItems "
                    f"API. [{oid}]"
                )
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
                raise invalid(f"invalid quantity for orderItemId {oid}.")
            left = known[oid].quantity - order.shipped_quantity(oid, except_ref=ref)
            if qty > left:
                if existing is None and left == 0 and order.status == "SHIPPED":
                    raise invalid("PackageToUpdateNotFound: the order is already fulfilled.")
                raise invalid(
                    f"The quantity {qty} for orderItemId {oid} is more than the "
                    f"{left} not yet shipped."
                )
            package_items.append({"orderItemId": oid, "quantity": qty})
        now = self.clock.now().replace(microsecond=0)
        package: dict[str, Any] = {
            "packageReferenceId": ref,
            "createdTime": (existing or {}).get("createdTime") or to_iso(now),
            "packageStatus": {"status": "SHIPPED"},
            "carrier": detail.get("carrierName") if carrier == "Other" else carrier,
            "shipTime": to_iso(shipped_at),
            "trackingNumber": detail["trackingNumber"],
            "packageItems": package_items,
        }
        if detail.get("shippingMethod"):
            package["shippingService"] = str(detail["shippingMethod"])
        if existing is not None:
            order.packages[order.packages.index(existing)] = package
        else:
            order.packages.append(package)
        order.status = "UNSHIPPED"
        order.recompute_status()
        order.last_updated = now
        if self._garbled > 0:
            self._garbled -= 1
            return Response(200, b'{"payload": {"status": "ACC')
        return Response(204)


class _CreatedIndex:
    """The orders of one book sorted by (created, order id), for createdAfter searches.

    A page starts with a binary search and walks forward until it has enough matches, instead
    of scanning and sorting every order (at 10k orders that was most of each answer's time).
    Orders only arrive (created never changes, none are removed), so the index is extended
    when the book grows; should that ever not hold, page() says so (None) and the caller
    scans as before.
    """

    def __init__(self, orders: dict[str, SimOrder]) -> None:
        self._orders = orders
        self._keys: list[tuple[datetime, str]] = []
        self._known: set[str] = set()

    def _refresh(self) -> None:
        if len(self._known) == len(self._orders):
            return
        added = [(o.created, oid) for oid, o in self._orders.items() if oid not in self._known]
        self._known.update(oid for _, oid in added)
        self._keys.extend(added)
        self._keys.sort()  # new orders are (nearly) in order: a cheap merge

    def page(
        self,
        start: tuple[datetime, str],
        position: tuple[datetime, str] | None,
        bound: datetime,
        limit: int,
        wanted: Callable[[SimOrder], bool],
    ) -> list[tuple[tuple[datetime, str], SimOrder]] | None:
        self._refresh()
        out: list[tuple[tuple[datetime, str], SimOrder]] = []
        for i in range(bisect.bisect_left(self._keys, start), len(self._keys)):
            key = self._keys[i]
            if key[0] > bound:
                break
            o = self._orders.get(key[1])
            if o is None or o.created != key[0]:
                return None  # the book changed under us
            if (position is not None and key <= position) or not wanted(o):
                continue
            out.append((key, o))
            if len(out) >= limit:
                break
        return out


def _first(query: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in query.items() if v}


def _form(body: bytes) -> dict[str, str]:
    return _first(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))


def _csv(values: list[str]) -> list[str]:
    """Amazon takes arrays comma-separated; repeated keys are accepted too."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _date(q: dict[str, list[str]], name: str) -> datetime | None:
    values = q.get(name)
    if not values:
        return None
    try:
        value = from_iso(values[0])
    except ValueError:
        value = None
    if value is None or "T" not in values[0]:
        raise invalid(f"{name} must be an ISO 8601 date-time, such as 2026-11-27T08:00:00Z.")
    return value


def _rate_str(rate: float) -> str:
    return f"{rate:g}"


def _encode_token(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    # standard base64 on purpose: real tokens hold + / = and must be percent-encoded
    return base64.b64encode(raw).decode()


def _decode_token(token: str) -> dict[str, Any] | None:
    try:
        state = json.loads(base64.b64decode(token, validate=True))
    except ValueError:
        return None
    if not isinstance(state, dict) or not {"k", "b", "f"} <= state.keys():
        return None
    return state
