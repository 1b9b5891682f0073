"""The state of one sandbox Amazon: the demo app and sellers, each seller's order book, and the
grants (consent codes, refresh and access tokens) the consent and LWA halves hand out."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from glstui.amazon.ratelimit import DEFAULT_LIMITS
from glstui.sandbox.amazon.responses import ApiError
from glstui.sandbox.clock import SimClock
from glstui.sandbox.data import OrderBook, SimOrder

if TYPE_CHECKING:
    from glstui.sandbox.amazon.limits import Bucket
    from glstui.sandbox.amazon.search_index import CreatedIndex

DEMO_APP_ID = "amzn1.sp.solution.6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"
DEMO_CLIENT_ID = "amzn1.application-oa2-client.5e1d0c6b7a8f4e3d9c2b1a0f6e5d4c3b"
DEMO_CLIENT_SECRET = (
    "amzn1.oa2-cs.v1.0c4e8b2f6a1d5c9e3b7f2a6d0c4e8b2f6a1d5c9e3b7f2a6d0c4e8b2f6a1d5c9e"
)
DEMO_APP_NAME = "glstui demo"
DEMO_SELLER_ID = "A3PNJAV4CVI5V1"
DEMO_SELLERS = {DEMO_SELLER_ID: "Demo Shop NL", "A2GLSDEMOSHOP7": "Demo Shop Benelux"}

CODE_TTL = timedelta(minutes=5)
REDIRECT_PATH = "/glstui/redirect"


@dataclass
class ConsentCode:
    seller_id: str
    redirect_uri: str
    expires_at: datetime
    used: bool = False


@dataclass
class RefreshEntry:
    seller_id: str
    revoked: bool = False
    expires_at: datetime | None = None  # the 365-day authorization (None: never)


@dataclass
class AccessEntry:
    refresh_token: str
    seller_id: str
    expires_at: datetime


class SimState:
    """The data every part of the simulated Amazon reads and changes (under `lock`)."""

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
        self._books: dict[str, OrderBook] = {}
        self._codes: dict[str, ConsentCode] = {}
        self._refresh: dict[str, RefreshEntry] = {}
        self._access: dict[str, AccessEntry] = {}
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self.throttled = 0  # 429s sent because a bucket was empty
        self._indexes: dict[str, CreatedIndex] = {}  # seller -> searchOrders index
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

    def _order_of(self, seller: str, order_id: str) -> SimOrder:
        order = self.book(seller).orders.get(order_id)
        if order is None:
            raise ApiError(404, "NotFound", f"The order {order_id} was not found.")
        return order
