"""Orders v2026-01-01 in the sandbox: searchOrders (Amazon's validation of the time window and
filters, pages with a paginationToken bound to the filters) and getOrder."""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from glstui.amazon.regions import MARKETPLACES_BY_ID
from glstui.domain.clock import from_iso, to_iso
from glstui.sandbox.amazon.responses import Response, invalid, json_response, split_csv
from glstui.sandbox.amazon.search_index import CreatedIndex
from glstui.sandbox.amazon.state import SimState
from glstui.sandbox.data import OrderBook, SimOrder

PAGINATION_TTL = timedelta(hours=24)
BEFORE_MARGIN = timedelta(minutes=2)
SEARCH_PATH = "/orders/2026-01-01/orders"

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

Position = tuple[datetime, str]  # (created or lastUpdated, order id) of the last order sent


@dataclass(frozen=True)
class _Window:
    """The time window of one search: by created or by lastUpdated, from `after` to `before`."""

    by_created: bool
    after: datetime
    before: datetime | None


@dataclass(frozen=True)
class _Filters:
    marketplaces: list[str]
    statuses: set[str]
    fulfilled: set[str]
    included: set[str]
    size: int

    def wanted(self, o: SimOrder) -> bool:
        return (
            (not self.marketplaces or o.marketplace_id in self.marketplaces)
            and (not self.statuses or o.status in self.statuses)
            and (not self.fulfilled or o.fulfilled_by in self.fulfilled)
        )


class OrdersMixin(SimState):
    _late_share = 0.0  # share of orders searchOrders lists only `_late_by` after each update
    _late_by = timedelta(0)

    def delay_visibility(self, share: float, by: timedelta = timedelta(minutes=3)) -> None:
        """Late data: `share` (0..1, fixed per order by the seed) of the orders are listed by
        searchOrders only `by` after their lastUpdatedTime, as Amazon's search lags behind
        its data. A search whose window starts exactly where the last one ended misses them;
        getOrder sees them at once."""
        if not 0 <= share <= 1:
            raise ValueError("share must be between 0 and 1")
        with self.lock:
            self._late_share, self._late_by = share, by

    def _listed(self, o: SimOrder, now: datetime) -> bool:
        if self._late_share <= 0:
            return True
        digest = hashlib.sha256(f"{self.seed}:late:{o.order_id}".encode()).digest()
        late = int.from_bytes(digest[:4], "big") / 2**32 < self._late_share
        return not late or o.last_updated + self._late_by <= now

    def _search(self, seller: str, path: str, query: dict[str, list[str]], body: bytes) -> Response:
        now = self.clock.now()
        book = self.book(seller)
        q = {k: split_csv(v) for k, v in query.items()}
        window = _window(q, now)
        filters = _filters(q)
        signature = _signature(q)
        bound = window.before if window.before is not None else now.replace(microsecond=0)
        bound, position = _resume(q, signature, now, bound)
        matches = self._matches(book, window, filters, bound, position, now)
        page = matches[: filters.size]
        role = seller not in self.without_pii_role
        data: dict[str, Any] = {
            "orders": [o.to_api(filters.included, pii_role=role) for _, o in page]
        }
        if len(matches) > filters.size:
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
        data["createdBefore" if window.by_created else "lastUpdatedBefore"] = to_iso(bound)
        return json_response(200, data)

    def _matches(
        self,
        book: OrderBook,
        window: _Window,
        filters: _Filters,
        bound: datetime,
        position: Position | None,
        now: datetime,
    ) -> list[tuple[Position, SimOrder]]:
        """One more than a page of orders after `position`: the extra one tells whether there
        is a next page."""
        after, by_created, size = window.after, window.by_created, filters.size

        def wanted(o: SimOrder) -> bool:
            return filters.wanted(o) and self._listed(o, now)

        start = (after, "") if position is None or position < (after, "") else position
        matches = (
            self._created_index(book).page(start, position, bound, size + 1, wanted)
            if by_created
            else None
        )
        if matches is not None:
            return matches
        return heapq.nsmallest(
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

    def _created_index(self, book: OrderBook) -> CreatedIndex:
        index = self._indexes.get(book.seller_id)
        if index is None:
            index = self._indexes[book.seller_id] = CreatedIndex(book.orders)
        return index

    def _get_order(
        self, seller: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> Response:
        included = set(split_csv(query.get("includedData", [])))
        for s in included - INCLUDED_DATA:
            raise invalid(f"Invalid includedData value: {s}")
        order = self._order_of(seller, path.rsplit("/", 1)[1])
        role = seller not in self.without_pii_role
        return json_response(200, {"order": order.to_api(included, pii_role=role)})


def _window(q: dict[str, list[str]], now: datetime) -> _Window:
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
    return _Window(created_after is not None, after, before)


def _filters(q: dict[str, list[str]]) -> _Filters:
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
    return _Filters(mids, statuses, fulfilled, included, int(size_raw))


def _signature(q: dict[str, list[str]]) -> str:
    """What a paginationToken is bound to: every filter except the page size and includedData."""
    return hashlib.sha256(
        json.dumps(
            {
                k: sorted(v)
                for k, v in q.items()
                if k not in ("paginationToken", "maxResultsPerPage", "includedData")
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()[:16]


def _resume(
    q: dict[str, list[str]], signature: str, now: datetime, bound: datetime
) -> tuple[datetime, Position | None]:
    """The bound and position a paginationToken carries (none: the first page)."""
    token = (q.get("paginationToken") or [""])[0]
    if not token:
        return bound, None
    state = _decode_token(token)
    if state is None:
        raise invalid("Invalid paginationToken: it could not be decoded.")
    if state.get("f") != signature:
        raise invalid("Invalid paginationToken: send the same filters as the first request.")
    if now > (from_iso(state.get("x")) or now):
        raise invalid("The paginationToken has expired.")
    bound = from_iso(state["b"]) or bound
    at = from_iso(state["k"][0])
    if at is None:
        raise invalid("Invalid paginationToken: it could not be decoded.")
    return bound, (at, str(state["k"][1]))


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
