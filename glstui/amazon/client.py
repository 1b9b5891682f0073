"""The SP-API client: searchOrders and getOrder (Orders v2026-01-01), confirmShipment (Orders
v0), over one shared httpx.AsyncClient, each call paced by its seller's own token bucket for
that operation (Amazon's plans are per selling partner) and retried by the one retry policy.
No SigV4: only the LWA access token goes in x-amz-access-token.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import platform
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from glstui import __version__
from glstui.amazon.endpoints import Endpoints
from glstui.amazon.lwa import AppCredentials, LwaClient
from glstui.amazon.ratelimit import Monotonic, RateLimiter, RetryPolicy, Sleep, TimeScale
from glstui.amazon.transport import Reply, api_error, call_with_retry, parse_reply, token_refused
from glstui.domain.clock import Clock, from_iso, to_iso

__all__ = [
    "DEFAULT_INCLUDED_DATA",
    "DEFAULT_STATUSES",
    "HTTP_LIMITS",
    "MAX_CONNECTIONS",
    "AppCredentials",
    "OrdersPage",
    "SpApiClient",
    "default_http_client",
    "user_agent",
]

log = logging.getLogger("glstui.amazon")

BeforeSend = Callable[[], Awaitable[None]]

SEARCH_PATH = "/orders/2026-01-01/orders"
DEFAULT_STATUSES = ("UNSHIPPED", "PARTIALLY_SHIPPED", "CANCELLED")
DEFAULT_INCLUDED_DATA = ("RECIPIENT", "FULFILLMENT")
BEFORE_MARGIN = timedelta(minutes=2)  # *Before must be at least 2 minutes before now


def user_agent() -> str:
    return (
        f"glstui/{__version__} (Language=Python/{platform.python_version()}; "
        f"Platform={platform.system() or 'Unknown'})"
    )


# Connections to Amazon at most, however many shops import or confirm at once: every shop
# paces on its own bucket, so a request waiting for a free connection only waits for the
# previous answer (milliseconds). All of them stay open between calls: a shop's next page
# reuses a connection instead of opening a new one.
MAX_CONNECTIONS = 20
HTTP_LIMITS = httpx.Limits(
    max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
)
HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def default_http_client() -> httpx.AsyncClient:
    """The client for Amazon: bounded connections kept alive, sensible timeouts, no redirects
    (Amazon sends none)."""
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=HTTP_LIMITS, follow_redirects=False)


@dataclass
class OrdersPage:
    orders: list[dict[str, Any]]
    next_token: str | None = None
    created_before: datetime | None = None
    last_updated_before: datetime | None = None
    request_id: str = ""
    retries: list[int] = field(default_factory=list)  # statuses that were retried


def seller_key(refresh_token: str) -> str:
    """Which selling partner a call is for: a refresh token belongs to one seller + app.

    A digest, so the key can name a file or sit in memory without being the secret."""
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:20]


def _amz_date(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


def _csv(values: Iterable[str]) -> str:
    return ",".join(values)


class SpApiClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        endpoints: Endpoints,
        credentials: AppCredentials,
        clock: Clock,
        time_scale: float = 1.0,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        limits: dict[str, tuple[float, int]] | None = None,
    ) -> None:
        self.http = http
        self.endpoints = endpoints
        self.clock = clock
        # the one time scale of this client: its pacing, its backoff and its token cache
        self.scale = TimeScale(time_scale, monotonic, sleep)
        self.retry = retry or RetryPolicy(time_scale=self.scale.factor)
        self._rng = rng or random.Random()
        self.limiter = RateLimiter(limits, scale=self.scale, until_answered=True)
        self.user_agent = user_agent()
        self.lwa = LwaClient(
            http,
            endpoints.lwa_token_url,
            credentials,
            retry=self.retry,
            rng=self._rng,
            sleep=self.scale.sleep,
            monotonic=self.scale.monotonic,
            time_scale=self.scale.factor,
            user_agent=self.user_agent,
        )
        self.calls: dict[str, int] = {}  # SP-API attempts per operation
        self.throttled: dict[str, int] = {}  # 429s per operation

    @property
    def time_scale(self) -> float:
        return self.scale.factor

    # --- authorization ------------------------------------------------------------------

    async def exchange_code(self, code: str, redirect_uri: str | None = None) -> str:
        """Exchange a consent code (5 minutes, single use) for the shop's refresh token."""
        data = await self.lwa.exchange_code(code, redirect_uri)
        return str(data["refresh_token"])

    async def check_refresh_token(self, refresh_token: str) -> None:
        """Raise GrantRevoked (or another AmazonError) if LWA does not accept it."""
        self.lwa.invalidate(refresh_token)
        await self.lwa.access_token(refresh_token)

    # --- the one SP-API request path ----------------------------------------------------

    async def _call(
        self,
        operation: str,
        refresh_token: str,
        region: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        before_send: BeforeSend | None = None,
    ) -> Reply:
        url = self.endpoints.api_base(region) + path
        refreshed = False
        seller = seller_key(refresh_token)

        async def attempt() -> Reply:
            # A token first (cached after the first call): an LWA round trip between the
            # pace and the request would start Amazon's bucket later than ours (a 429 later).
            await self.lwa.access_token(refresh_token)
            # Then pace, then take the token again: a long wait must not outlive the token.
            await self.limiter.acquire(operation, seller, region)
            sent = False
            try:
                if before_send is not None:  # the caller's last word, after the pace wait
                    await before_send()
                token = await self.lwa.access_token(refresh_token)
                headers = {
                    "x-amz-access-token": token,
                    "x-amz-date": _amz_date(self.clock.now()),
                    "user-agent": self.user_agent,
                    "accept": "application/json",
                }
                if json_body is not None:
                    headers["content-type"] = "application/json"
                self.calls[operation] = self.calls.get(operation, 0) + 1
                sent = True
                resp = await self.http.request(
                    method, url, params=params, json=json_body, headers=headers
                )
            except BaseException:
                # never sent: the token is ours again; failed on the way: it may have arrived
                settle = self.limiter.answered if sent else self.limiter.withdrawn
                settle(operation, seller, region)
                raise
            reply = parse_reply(resp)
            if token_refused(reply):
                # Amazon knows the seller only from a token it accepts: a refused token is
                # charged to no seller's bucket, so the retry with a fresh one costs none.
                self.limiter.withdrawn(operation, seller, region)
            else:
                self.limiter.answered(operation, seller, region)
            self.limiter.observe(
                operation, resp.headers.get("x-amzn-ratelimit-limit"), seller, region
            )
            if reply.status == 429:
                self.throttled[operation] = self.throttled.get(operation, 0) + 1
                self.limiter.throttled(operation, seller, region)
            return reply

        what = operation
        while True:
            reply = await call_with_retry(
                attempt, what=what, policy=self.retry, rng=self._rng, sleep=self.scale.sleep
            )
            if not refreshed and token_refused(reply):
                # Expired or invalidated access token: get a fresh one once and try again.
                refreshed = True
                self.lwa.invalidate(refresh_token)
                log.info("%s: access token refused, refreshing it once", operation)
                continue
            log.info(
                "%s %s -> %s (request id %s, attempts %d)",
                operation,
                path,
                reply.status,
                reply.request_id or "-",
                reply.attempts,
            )
            return reply

    # --- Orders v2026-01-01 -------------------------------------------------------------

    def search_params(
        self,
        marketplace_ids: Iterable[str],
        *,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        last_updated_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        fulfillment_statuses: Iterable[str] = DEFAULT_STATUSES,
        included_data: Iterable[str] = DEFAULT_INCLUDED_DATA,
        fulfilled_by: Iterable[str] = ("MERCHANT",),
        max_results_per_page: int = 100,
    ) -> dict[str, str]:
        """The query of a searchOrders call (without paginationToken), validated locally."""
        if (created_after is None) == (last_updated_after is None):
            raise ValueError("Give exactly one of created_after and last_updated_after.")
        if created_after is not None and last_updated_before is not None:
            raise ValueError("created_after cannot be combined with last_updated_before.")
        if last_updated_after is not None and created_before is not None:
            raise ValueError("last_updated_after cannot be combined with created_before.")
        if not 1 <= max_results_per_page <= 100:
            raise ValueError("max_results_per_page must be between 1 and 100.")
        mids = list(marketplace_ids)
        if len(mids) > 50:
            raise ValueError("At most 50 marketplace ids per search.")
        latest = self.clock.now() - BEFORE_MARGIN
        params: dict[str, str] = {}
        if created_after is not None:
            params["createdAfter"] = to_iso(created_after) or ""
            if created_before is not None:
                before = max(min(created_before, latest), created_after)
                params["createdBefore"] = to_iso(before) or ""
        else:
            assert last_updated_after is not None
            params["lastUpdatedAfter"] = to_iso(last_updated_after) or ""
            if last_updated_before is not None:
                before = max(min(last_updated_before, latest), last_updated_after)
                params["lastUpdatedBefore"] = to_iso(before) or ""
        if mids:
            params["marketplaceIds"] = _csv(mids)
        statuses = list(fulfillment_statuses)
        if statuses:
            params["fulfillmentStatuses"] = _csv(statuses)
        fulfilled = list(fulfilled_by)
        if fulfilled:
            params["fulfilledBy"] = _csv(fulfilled)
        included = list(included_data)
        if included:
            params["includedData"] = _csv(included)
        params["maxResultsPerPage"] = str(max_results_per_page)
        return params

    async def search_orders(
        self,
        refresh_token: str,
        region: str,
        marketplace_ids: Iterable[str],
        *,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        last_updated_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        fulfillment_statuses: Iterable[str] = DEFAULT_STATUSES,
        included_data: Iterable[str] = DEFAULT_INCLUDED_DATA,
        fulfilled_by: Iterable[str] = ("MERCHANT",),
        max_results_per_page: int = 100,
        pagination_token: str | None = None,
    ) -> AsyncIterator[OrdersPage]:
        """Yield every page of orders, following pagination.nextToken with the same filters."""
        params = self.search_params(
            marketplace_ids,
            created_after=created_after,
            created_before=created_before,
            last_updated_after=last_updated_after,
            last_updated_before=last_updated_before,
            fulfillment_statuses=fulfillment_statuses,
            included_data=included_data,
            fulfilled_by=fulfilled_by,
            max_results_per_page=max_results_per_page,
        )
        token = pagination_token
        while True:
            query = dict(params)
            if token:
                query["paginationToken"] = token
            reply = await self._call(
                "searchOrders", refresh_token, region, "GET", SEARCH_PATH, params=query
            )
            if reply.status != 200 or not isinstance(reply.data, dict):
                raise api_error("searchOrders", reply)
            data = reply.data
            orders = data.get("orders") or []
            token = (data.get("pagination") or {}).get("nextToken") or None
            yield OrdersPage(
                orders=list(orders),
                next_token=token,
                created_before=from_iso(data.get("createdBefore")),
                last_updated_before=from_iso(data.get("lastUpdatedBefore")),
                request_id=reply.request_id,
                retries=reply.retry_statuses,
            )
            if not token:
                return

    async def get_order(
        self,
        refresh_token: str,
        region: str,
        order_id: str,
        included_data: Iterable[str] = ("RECIPIENT", "FULFILLMENT", "PACKAGES"),
    ) -> dict[str, Any]:
        included = list(included_data)
        params = {"includedData": _csv(included)} if included else None
        reply = await self._call(
            "getOrder",
            refresh_token,
            region,
            "GET",
            f"{SEARCH_PATH}/{quote(order_id, safe='')}",
            params=params,
        )
        if reply.status != 200 or not isinstance(reply.data, dict) or "order" not in reply.data:
            raise api_error("getOrder", reply)
        return reply.data["order"]

    # --- Orders v0 ----------------------------------------------------------------------

    async def confirm_shipment(
        self,
        refresh_token: str,
        region: str,
        order_id: str,
        body: dict[str, Any],
        *,
        before_send: BeforeSend | None = None,
    ) -> None:
        """Confirm one package (204 = done). Re-sending a packageReferenceId edits it.

        `before_send` is awaited right before each attempt goes out (after the wait for the
        seller's bucket, which can be long); it raises to call the request off, so a caller
        can re-check that what it planned to send is still true at that moment.
        """
        check_confirm_body(body)
        reply = await self._call(
            "confirmShipment",
            refresh_token,
            region,
            "POST",
            f"/orders/v0/orders/{quote(order_id, safe='')}/shipmentConfirmation",
            json_body=body,
            before_send=before_send,
        )
        if reply.status != 204:
            raise api_error("confirmShipment", reply)


def check_confirm_body(body: dict[str, Any]) -> None:
    """Refuse, before sending, what Amazon is known to reject by type."""
    detail = body.get("packageDetail") if isinstance(body, dict) else None
    if not isinstance(detail, dict):
        raise ValueError("confirmShipment body needs a packageDetail object.")
    ref = detail.get("packageReferenceId")
    if not isinstance(ref, str) or not ref:
        raise ValueError(
            'packageDetail.packageReferenceId must be a non-empty string such as "1" '
            "(Amazon rejects a JSON number)."
        )
    items = detail.get("orderItems")
    if not isinstance(items, list) or not items:
        raise ValueError("packageDetail.orderItems must be a non-empty list.")
