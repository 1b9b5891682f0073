"""The sandbox's Amazon as one object: `AmazonSim` routes each request to Seller Central, Login
with Amazon or the Orders API (access token, token bucket, request id and rate-limit headers)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

from glstui.sandbox.amazon.consent import ConsentMixin
from glstui.sandbox.amazon.limits import LimitsMixin
from glstui.sandbox.amazon.lwa import LwaMixin
from glstui.sandbox.amazon.orders import SEARCH_PATH, OrdersMixin
from glstui.sandbox.amazon.responses import (
    ApiError,
    Response,
    error_list,
    first_values,
    json_response,
    parse_form,
)
from glstui.sandbox.amazon.sellers import LISTINGS_PATH, SellersMixin
from glstui.sandbox.amazon.shipments import ShipmentsMixin
from glstui.sandbox.amazon.state import REDIRECT_PATH

Handler = Callable[[str, str, dict[str, list[str]], bytes], Response]


class AmazonSim(ConsentMixin, LwaMixin, LimitsMixin, OrdersMixin, ShipmentsMixin, SellersMixin):
    """All Amazon state of one sandbox. Thread-safe: every request holds `lock`."""

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
            return self._consent(first_values(query))
        if path == "/apps/authorize/confirm" and method == "POST":
            return self._confirm(parse_form(body))
        if path == REDIRECT_PATH and method == "GET":
            return self._redirect_page(query)
        if path == "/auth/o2/token":
            if method != "POST":
                return json_response(405, {"error": "invalid_request"})
            return self._lwa(parse_form(body))
        if path.startswith(("/orders/", LISTINGS_PATH)):
            return self._orders_api(method, path, query, headers, body)
        return json_response(404, error_list("NotFound", "Resource not found."))

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
        rate_header = self.rate_header(operation)
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

    def _operation(self, method: str, path: str) -> tuple[str, Handler | None]:
        if method == "GET" and path == SEARCH_PATH:
            return "searchOrders", self._search
        if method == "GET" and re.fullmatch(rf"{SEARCH_PATH}/[^/]+", path):
            return "getOrder", self._get_order
        if method == "POST" and re.fullmatch(r"/orders/v0/orders/[^/]+/shipmentConfirmation", path):
            return "confirmShipment", self._confirm_shipment
        if self.listings_seller(method, path):
            return "searchListingsItems", self._search_listings
        return "", None
