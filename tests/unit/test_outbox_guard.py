"""GLS test labels and a live Amazon shop (services/outbox/guard.py), without HTTP: which
confirmations are held, and the shop's override both ways."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.shipment import GLS_LIVE, GLS_TEST, OutboxEntry, Shipment
from glstui.services.outbox import guard
from glstui.store import Store

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SHOP = Integration(shop_name="NL", id="shop1", status=CONNECTED)


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def store(tmp_path, clock):
    store = Store.open(tmp_path / "data", clock)
    with store.write() as tx:
        tx.integrations.put(SHOP)
        for n, env in enumerate((GLS_TEST, GLS_LIVE, "")):
            tx.shipments.put(
                Shipment(f"s{n}", f"shop1:o{n}", "shop1", f"o{n}", gls_environment=env)
            )
            tx.outbox.put(OutboxEntry(f"s{n}:1", f"s{n}", f"shop1:o{n}", "shop1", f"o{n}", "1"))
    return store


def _due(store):
    with store.read() as view:
        return sorted(view.outbox.all(), key=lambda e: e.id)


def _free(store, live: bool) -> list[str]:
    lines: list = []
    free = guard.hold_test_tracking(store, _due(store), {"shop1": SHOP}, live, lines.append)
    return [e.id for e in free]


def test_only_test_labels_bound_for_live_amazon_are_held(store):
    assert _free(store, live=False) == ["s0:1", "s1:1", "s2:1"]
    # a label whose environment was not recorded (older data) is not held: nothing says test
    assert _free(store, live=True) == ["s1:1", "s2:1"]
    held = [e for e in _due(store) if e.held_reason]
    assert [e.id for e in held] == ["s0:1"] and guard.is_held(held[0])


def test_the_shop_override_releases_and_withdrawing_it_holds_again(store, clock):
    _free(store, live=True)
    assert guard.allow_test_tracking(store, "shop1", True, clock) == 1
    assert _free(store, live=True) == ["s0:1", "s1:1", "s2:1"]
    assert guard.allow_test_tracking(store, "shop1", False, clock) == 0
    assert _free(store, live=True) == ["s1:1", "s2:1"]
    with store.read() as view:
        assert view.settings.get().test_tracking_to_live == []
