"""The sandbox's index of one order book by (created, order id), for searchOrders pages."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime

from glstui.sandbox.data import SimOrder


class CreatedIndex:
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
