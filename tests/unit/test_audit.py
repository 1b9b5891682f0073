"""The audit log: who changed what and when, stored with the change, never a secret value."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glstui.domain.clock import FixedClock
from glstui.secrets import Secrets
from glstui.services import audit
from glstui.services import integrations as shops
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Store:
    return Store.open(tmp_path / "data", clock)


@pytest.mark.parametrize("action", audit.ACTIONS)
def test_each_kind_of_change_is_recorded(store: Store, clock: FixedClock, action: str) -> None:
    with store.write() as tx:
        audit.record(tx, action, f"{action} happened", target="shop1")
    (entry,) = audit.entries(store)
    assert (entry.action, entry.detail, entry.target) == (action, f"{action} happened", "shop1")
    assert entry.at == NOW  # the store's clock, not the wall clock
    assert entry.user == getpass.getuser()


def test_entries_survive_a_restart_newest_first(tmp_path: Path, store: Store, clock) -> None:
    with store.write() as tx:
        audit.record(tx, audit.INTEGRATION_ADDED, "Amazon NL", user="anna")
    clock.advance(60)
    audit.record_now(store, audit.KEYS_CHANGED, "gls.password", user="bram")
    reopened = Store.open(tmp_path / "data", clock)
    assert [(e.user, e.action) for e in audit.entries(reopened)] == [
        ("bram", audit.KEYS_CHANGED),
        ("anna", audit.INTEGRATION_ADDED),
    ]


def test_a_rolled_back_change_leaves_no_entry(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as tx:
        audit.record(tx, audit.INTEGRATION_DELETED, "Amazon NL")
        raise RuntimeError("the change failed")
    assert audit.entries(store) == []


def test_secret_values_never_reach_the_log(store: Store) -> None:
    secrets = Secrets.in_memory()
    secrets.set("gls.password", "Zeer-Geheim-2026")  # registered with the redactor
    with store.write() as tx:
        audit.record(tx, audit.KEYS_CHANGED, "gls.password set to Zeer-Geheim-2026")
        audit.record(tx, audit.KEYS_CHANGED, "refresh token Atzr|IwEBsecretvalue stored")
        audit.record(tx, audit.KEYS_CHANGED, "mail buyer@example.com")
    text = repr(audit.entries(store)) + Path(store.path).read_text()
    for leaked in ("Zeer-Geheim-2026", "IwEBsecretvalue", "buyer@example.com"):
        assert leaked not in text


def test_filter_by_action_user_and_words(store: Store, clock: FixedClock) -> None:
    rows = [
        (audit.INTEGRATION_ADDED, "anna", "Amazon NL"),
        (audit.INTEGRATION_TOGGLED, "bram", "Amazon NL active off"),
        (audit.LABEL_CREATED, "anna", "order 302-1 parcel 123"),
        (audit.IMPORT_RUN, "cron", "2 shops, 14 new"),
    ]
    with store.write() as tx:
        for action, user, detail in rows:
            audit.record(tx, action, detail, user=user)
            clock.advance(1)
    assert [e.action for e in audit.entries(store, action="integration")] == [
        audit.INTEGRATION_TOGGLED,
        audit.INTEGRATION_ADDED,
    ]
    assert {e.action for e in audit.entries(store, user="anna")} == {
        audit.INTEGRATION_ADDED,
        audit.LABEL_CREATED,
    }
    everything = audit.entries(store)
    assert [e.user for e in audit.filter_entries(everything, "amazon bram")] == ["bram"]
    assert [e.user for e in audit.filter_entries(everything, "LABEL")] == ["anna"]
    assert audit.filter_entries(everything, "  ") == everything
    assert audit.users(everything) == ["anna", "bram", "cron"]
    assert len(audit.entries(store, limit=2)) == 2


def test_old_entries_are_pruned(store: Store, clock: FixedClock) -> None:
    audit.record_now(store, audit.IMPORT_RUN, "old")
    clock.advance(audit.KEEP_DAYS * 86400 + 60)
    audit.record_now(store, audit.IMPORT_RUN, "new")
    assert audit.prune(store, clock) == 1
    assert [e.detail for e in audit.entries(store)] == ["new"]
    assert audit.prune(store, clock) == 0


def test_long_details_are_cut_to_one_line(store: Store) -> None:
    entry = audit.record_now(store, audit.IMPORT_RUN, "a\nb " + "x" * 1000)
    assert "\n" not in entry.detail and len(entry.detail) == audit.DETAIL_MAX


# --- the service functions that change things record them (wired by the lead) ---------------


def test_adding_editing_toggling_deleting_a_shop_is_recorded(store: Store, clock) -> None:
    shop = shops.add(store, clock, "Amazon NL")
    shops.update(store, shop.id, shop_name="Amazon Nederland")
    shops.toggle_active(store, shop.id)
    shops.toggle_tracking(store, shop.id)
    shops.delete(store, Secrets.in_memory(), shop.id, keep_orders=False)
    actions = [e.action for e in reversed(audit.entries(store))]
    assert actions == [
        audit.INTEGRATION_ADDED,
        audit.INTEGRATION_EDITED,
        audit.INTEGRATION_TOGGLED,
        audit.INTEGRATION_TOGGLED,
        audit.INTEGRATION_DELETED,
    ]
    assert all(e.target == shop.id for e in audit.entries(store))


class _Gls:
    """GLS that makes one label per request and deletes what it is asked to."""

    def __init__(self) -> None:
        self.deleted: list[str] = []

    async def create_label(self, request):
        from glstui.gls.client import LabelResult, LabelUnit

        return LabelResult(
            units=[LabelUnit("u1", "56570010000042", "https://gls.example/56570010000042")],
            labels=b"%PDF-1.4 label",
        )

    async def delete_label(self, unit_no):
        self.deleted.append(unit_no)


class _Amazon:
    """confirmShipment answers 204."""

    async def confirm_shipment(self, refresh_token, region, order_id, body, *, before_send=None):
        return None


def _labelled_world(store: Store):
    from glstui.domain.integration import CONNECTED, Integration
    from glstui.domain.order import Order, OrderItem, Recipient

    shop = Integration(shop_name="Amazon NL", id="shop1", status=CONNECTED, region="EU")
    orders = [
        Order(
            integration_id="shop1",
            order_id=f"403-1234567-000000{n}",
            marketplace_id="A1805IZSGTT6HS",
            items=[OrderItem("i1", "SKU1", "Mug", 1)],
            recipient=Recipient(
                name="Jan Jansen",
                address_lines=["Kerkstraat 12"],
                city="Utrecht",
                postal_code="3511AB",
                country_code="NL",
            ),
        )
        for n in (1, 2, 3)
    ]
    with store.write() as tx:
        tx.integrations.put(shop)
        tx.orders.put_many(orders)
    return orders


async def test_labels_and_tracking_codes_are_recorded(
    store: Store, clock: FixedClock, tmp_path: Path
) -> None:
    from glstui.services import labelling, outbox

    sent_order, skipped_order, deleted_order = _labelled_world(store)
    gls = _Gls()
    keys = [o.key for o in (sent_order, skipped_order, deleted_order)]
    await labelling.label_orders(store, gls, clock, tmp_path / "labels", keys)
    created = audit.entries(store, action=audit.LABEL_CREATED)
    assert sorted(e.target for e in created) == sorted(keys)
    assert all("56570010000042" in e.detail for e in created)
    assert all(e.user == getpass.getuser() for e in created)

    await labelling.delete_label(
        store, gls, clock, deleted_order.key, labels_dir=tmp_path / "labels"
    )
    (deleted,) = audit.entries(store, action=audit.LABEL_DELETED)
    assert deleted.target == deleted_order.key and "56570010000042" in deleted.detail

    with store.read() as view:
        skip_id = next(e.id for e in view.outbox.all() if e.order_key == skipped_order.key)
    outbox.mark_done(store, skip_id, clock)
    (skipped,) = audit.entries(store, action=audit.CONFIRMATION_SKIPPED)
    assert skipped.target == skipped_order.key

    await outbox.deliver(store, _Amazon(), lambda _shop: "Atzr|token", clock)
    (sent,) = audit.entries(store, action=audit.CONFIRMATION_SENT)
    assert sent.target == sent_order.key and "56570010000042" in sent.detail
    # The log holds no buyer data.
    assert "Jan Jansen" not in repr(audit.entries(store))
