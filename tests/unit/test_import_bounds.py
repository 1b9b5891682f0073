"""An import of many shops at once is bounded in memory: per shop, at most a few pages are
held ahead of the store, whatever the shop's size (each shop's search also has one request
in flight at a time, over the run's one connection pool)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from glstui.amazon.client import OrdersPage
from glstui.services.importer import MAX_PAGES_PER_WRITE, Prefetch


async def test_a_slow_store_stops_the_search_a_few_pages_ahead() -> None:
    fetched = 0

    async def pages() -> AsyncIterator[OrdersPage]:
        nonlocal fetched
        for n in range(1_000):  # a shop of 100,000 orders
            fetched += 1
            yield OrdersPage(orders=[{"n": n}], next_token=str(n + 1))

    prefetch = Prefetch(pages(), MAX_PAGES_PER_WRITE)
    try:
        for _ in range(50):  # the writer is busy: nothing is taken meanwhile
            await asyncio.sleep(0)
        # the queue's pages plus the one waiting to be put: never the whole shop
        assert fetched <= MAX_PAGES_PER_WRITE + 1
        batch, failure = await prefetch.next_batch()
        assert failure is None and 1 <= len(batch) <= MAX_PAGES_PER_WRITE
        for _ in range(50):
            await asyncio.sleep(0)
        assert fetched <= len(batch) + MAX_PAGES_PER_WRITE + 1
    finally:
        prefetch.close()
