"""The integrations use cases: names stay required and unique, switches save at once, a
deleted shop takes its refresh token with it and keeps or drops its orders as asked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.errors import ValidationError
from glstui.domain.integration import CONNECTED, Integration
from glstui.domain.order import Order
from glstui.domain.shipment import OutboxEntry, Shipment
from glstui.i18n import set_language
from glstui.secrets import Secrets
from glstui.services import integrations as svc
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Store:
    return Store.open(tmp_path, clock)


@pytest.fixture
def secrets() -> Secrets:
    return Secrets.in_memory()


def test_add_without_name_gets_unique_placeholders(store: Store, clock: FixedClock) -> None:
    first = svc.add(store, clock, region="EU", marketplace_ids=["A1805IZSGTT6HS"])
    second = svc.add(store, clock)
    assert first.shop_name == "New Amazon shop"
    assert second.shop_name == "New Amazon shop 2"
    assert svc.is_placeholder_name(second.shop_name)
    assert first.status == "draft" and first.created_at == NOW
    assert [i.id for i in svc.list_integrations(store)] == [first.id, second.id]


def test_add_with_a_taken_name_is_refused(store: Store, clock: FixedClock) -> None:
    svc.add(store, clock, shop_name="Winkel NL")
    with pytest.raises(ValidationError):
        svc.add(store, clock, shop_name="  winkel nl ")
    assert len(svc.list_integrations(store)) == 1


def test_update_trims_and_checks_the_name(store: Store, clock: FixedClock) -> None:
    a = svc.add(store, clock, shop_name="Shop A")
    svc.add(store, clock, shop_name="Shop B")
    assert svc.update(store, a.id, shop_name="  Shop   A2 ").shop_name == "Shop A2"
    with pytest.raises(ValidationError) as empty:
        svc.update(store, a.id, shop_name="   ")
    assert "required" in svc.name_message(empty.value)
    with pytest.raises(ValidationError) as taken:
        svc.update(store, a.id, shop_name="shop b")
    assert "already exists" in svc.name_message(taken.value)
    # keeping its own name is fine
    assert svc.update(store, a.id, shop_name="Shop A2", active=False).active is False
    assert svc.get(store, a.id).shop_name == "Shop A2"


def test_name_messages_in_dutch(store: Store, clock: FixedClock) -> None:
    set_language("nl")
    try:
        assert svc.check_name(store, "") == "Shopnaam is verplicht: typ een naam voor deze shop."
        svc.add(store, clock, shop_name="Winkel")
        assert "bestaat al" in (svc.check_name(store, "winkel") or "")
    finally:
        set_language("en")


def test_toggles_save_at_once(store: Store, clock: FixedClock) -> None:
    shop = svc.add(store, clock, shop_name="S")
    assert svc.toggle_active(store, shop.id).active is False
    assert svc.toggle_tracking(store, shop.id).update_tracking is False
    fresh = svc.get(store, shop.id)
    assert (fresh.active, fresh.update_tracking) == (False, False)
    assert svc.toggle_active(store, shop.id).active is True


def test_unknown_shop_has_a_plain_message(store: Store) -> None:
    with pytest.raises(svc.IntegrationNotFound) as err:
        svc.toggle_active(store, "nope")
    assert "no longer exists" in err.value.user_message


def _with_orders(store: Store, shop_id: str) -> None:
    with store.write() as tx:
        tx.orders.put_many(
            [Order(integration_id=shop_id, order_id=f"028-000000{n}-0000000") for n in range(3)]
        )
        tx.orders.put(Order(integration_id="other", order_id="028-9"))
        tx.shipments.put(
            Shipment(
                id="s1",
                order_key=f"{shop_id}:028-0000000-0000000",
                integration_id=shop_id,
                order_id="028-0000000-0000000",
            )
        )
        tx.outbox.put(
            OutboxEntry(
                id="s1:1",
                shipment_id="s1",
                order_key=f"{shop_id}:028-0000000-0000000",
                integration_id=shop_id,
                order_id="028-0000000-0000000",
                package_reference_id="1",
            )
        )


@pytest.mark.parametrize("keep", [True, False])
def test_delete_removes_token_and_keeps_or_drops_orders(
    store: Store, clock: FixedClock, secrets: Secrets, keep: bool
) -> None:
    shop = svc.add(store, clock, shop_name="Gone")
    _with_orders(store, shop.id)
    secrets.set(svc.refresh_token_name(shop.id), "Atzr|secret")
    assert svc.order_count(store, shop.id) == 3

    result = svc.delete(store, secrets, shop.id, keep_orders=keep)

    assert result.shop_name == "Gone" and result.token_removed
    assert secrets.get(svc.refresh_token_name(shop.id)) is None
    assert svc.list_integrations(store) == []
    with store.read() as view:
        assert len(view.orders.by_integration(shop.id)) == (3 if keep else 0)
        assert len(view.orders.by_integration("other")) == 1
        assert len(view.shipments.by_integration(shop.id)) == (1 if keep else 0)
        assert len(view.outbox.by_integration(shop.id)) == (1 if keep else 0)
    assert (result.orders_kept, result.orders_removed) == ((3, 0) if keep else (0, 3))


def test_status_labels(clock: FixedClock) -> None:
    draft = Integration(shop_name="d")
    fresh = Integration(
        shop_name="c", status=CONNECTED, authorized_at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    due = Integration(
        shop_name="c", status=CONNECTED, authorized_at=datetime(2025, 12, 10, tzinfo=UTC)
    )
    over = Integration(
        shop_name="c", status=CONNECTED, authorized_at=datetime(2025, 11, 1, tzinfo=UTC)
    )
    revoked = Integration(shop_name="r", status="needs_reauth")
    now = clock.now()
    assert svc.status_label(draft, now) == "draft"
    assert svc.status_label(fresh, now) == "connected"
    assert svc.status_label(due, now) == "re-consent due in 12 days"
    assert svc.status_label(over, now) == "needs re-connect"
    assert svc.status_label(revoked, now) == "needs re-connect"


def test_unique_name() -> None:
    assert svc.unique_name("Amazon A1", []) == "Amazon A1"
    assert svc.unique_name("Amazon A1", ["amazon a1", "Amazon A1 (2)"]) == "Amazon A1 (3)"


@pytest.mark.parametrize("twin", ["Cafe\u0301", "\uff23\uff41\uff46\u00e9", "CAFÉ"])
def test_names_that_look_identical_are_one_name(store: Store, clock: FixedClock, twin: str) -> None:
    svc.add(store, clock, "Café")
    with pytest.raises(ValidationError):
        svc.add(store, clock, twin)
    assert svc.check_name(store, twin) is not None


def test_saving_a_rename_keeps_another_operators_switch(store: Store, clock: FixedClock) -> None:
    shop = svc.add(store, clock, "Winkel")
    loaded = svc.get(store, shop.id)  # operator A opens the form
    svc.toggle_active(store, shop.id)  # operator B switches the shop off
    values = {"shop_name": "Winkel NL", "active": True, "update_tracking": True}
    values["rules_enabled"] = False
    saved = svc.update_changed(store, shop.id, loaded, values)
    assert saved.shop_name == "Winkel NL"
    assert saved.active is False
