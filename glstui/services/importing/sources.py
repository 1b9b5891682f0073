"""What an import reads from: the shops to run, their refresh tokens, Amazon's searchOrders.

The Protocols are the seams a test double fills (a dict of secrets, a fake Amazon).
"""

from __future__ import annotations

import getpass
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from glstui.amazon.client import OrdersPage
from glstui.domain.integration import Integration

# What we ask Amazon for (names checked against specs/amazon/orders_2026-01-01.json).
FULFILLMENT_STATUSES = ("UNSHIPPED", "PARTIALLY_SHIPPED", "CANCELLED")
INCLUDED_DATA = ("RECIPIENT", "FULFILLMENT")
SHIPPABLE = ("UNSHIPPED", "PARTIALLY_SHIPPED")  # Amazon sends these with the buyer's address


class SecretReader(Protocol):
    """Where the refresh tokens are read (glstui.secrets.Secrets, or a dict in a test)."""

    def get(self, name: str) -> str | None: ...


class OrderSearch(Protocol):
    """Amazon's searchOrders, page by page (glstui.amazon.client.SpApiClient)."""

    def search_orders(
        self,
        refresh_token: str,
        region: str,
        marketplace_ids: Iterable[str],
        *,
        created_after: datetime | None = None,
        last_updated_after: datetime | None = None,
        fulfillment_statuses: Iterable[str] = ...,
        included_data: Iterable[str] = ...,
        pagination_token: str | None = None,
    ) -> AsyncIterator[OrdersPage]: ...


@dataclass
class ShopTask:
    """An integration to import, with the refresh token read before the run starts."""

    integration: Integration
    refresh_token: str


def current_user() -> str:
    """The OS user running the import, recorded with the run."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"
