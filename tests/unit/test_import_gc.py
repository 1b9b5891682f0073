"""An import makes no full garbage collection: each one walked the whole store in memory
while the operator's key press waited (100-260 ms apiece at 100k stored orders)."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from typing import Any

from glstui.amazon.client import OrdersPage
from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.services.importer import Importer
from glstui.services.importing.gc_pause import full_collections_paused
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


class KeepingAmazon:
    """An Amazon whose answers leave many long-lived objects behind, as a big import's
    new orders do; counts the full collections Python runs meanwhile."""

    def __init__(self) -> None:
        self.kept: list[dict[str, Any]] = []
        self.full_collections = 0

    def _count(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            self.full_collections += 1

    async def search_orders(self, refresh_token: str, region: str, marketplace_ids: Any, **kw):
        gc.callbacks.append(self._count)
        try:
            for _ in range(400_000):  # enough to trigger full collections in any interpreter
                self.kept.append({"items": [{"n": 1}]})
        finally:
            gc.callbacks.remove(self._count)
        yield OrdersPage(orders=[], last_updated_before=NOW)


async def test_an_import_runs_no_full_garbage_collection(tmp_path) -> None:
    clock = FixedClock(NOW)
    store = Store.open(tmp_path / "data", clock)
    integ = Integration("Shop", status=CONNECTED, marketplace_ids=["A1805IZSGTT6HS"])
    with store.write() as tx:
        tx.integrations.put(integ)
    amazon = KeepingAmazon()
    secrets = {f"amazon.refresh_token.{integ.id}": "Atzr|token"}
    before = gc.get_threshold()
    run = await Importer(store, secrets, amazon, clock, user="ops").run_shops([integ.id])
    assert not run.failed
    assert amazon.full_collections == 0
    assert gc.get_threshold() == before  # afterwards Python collects as it did


def test_overlapping_pauses_end_with_the_last() -> None:
    before = gc.get_threshold()
    with full_collections_paused():
        with full_collections_paused():
            paused = gc.get_threshold()
        assert gc.get_threshold() == paused
    assert paused[2] > before[2]
    assert gc.get_threshold() == before
