"""The Orders screen's list: filter words and tokens, paging windows, most urgent first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import Integration
from glstui.domain.order import CANCELLED, HELD, LABELLED, NEW
from glstui.domain.shipment import FAILED, OutboxEntry
from glstui.services.orders_query import (
    HELD_ORDER,
    REFUSED,
    OrdersQuery,
    parse_filter,
    refused_as_cancelled,
)
from glstui.store import Store
from glstui.store.sample import make_order

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)


@pytest.fixture
def query(tmp_path):
    clock = FixedClock(NOW)
    store = Store.open(tmp_path / "d", clock)
    orders = []
    for n in range(1200):
        shop = "s1" if n % 2 else "s2"
        order = make_order(n, shop, created_at=NOW - timedelta(days=3, minutes=-n))
        order.state = (NEW, HELD, LABELLED, CANCELLED)[n % 4] if n < 8 else NEW
        orders.append(order)
    with store.write() as tx:
        tx.integrations.put(Integration("Winkel Noord", id="s1"))
        tx.integrations.put(Integration("Amazon Zuid", id="s2"))
        tx.orders.put_many(orders)
    q = OrdersQuery(store, clock)
    assert q.load() == 1200
    return q


def test_pages_are_windows_of_at_most_500_most_urgent_first(query):
    flt = parse_filter("", TODAY)
    first = query.page(flt, 0)
    assert (first.offset, first.end, first.matching, first.total) == (0, 500, 1200, 1200)
    ship_by = [r.ship_by for r in first.rows]
    assert ship_by == sorted(ship_by)
    last = query.page(flt, 1000)
    assert (last.offset, last.end) == (1000, 1200)
    assert query.page(flt, 5000).offset == 1000  # clamped to the last window


def test_words_match_order_id_shop_city_and_all_must_match(query):
    noord = query.filtered(parse_filter("noord", TODAY))
    assert len(noord) == 600 and {r.shop for r in noord} == {"Winkel Noord"}
    assert len(query.filtered(parse_filter("noord utrecht", TODAY))) == 200
    one = query.filtered(parse_filter(query.rows[0].order_id, TODAY))
    assert [r.key for r in one] == [query.rows[0].key]


def test_state_shop_and_date_tokens(query):
    held = query.filtered(parse_filter("state:held", TODAY))
    assert {r.state for r in held} == {HELD} and len(held) == 2
    open_ = query.filtered(parse_filter("state:open", TODAY))
    assert {r.state for r in open_} == {NEW, HELD}
    assert len(query.filtered(parse_filter("shop:zuid", TODAY))) == 600
    first_day = query.rows[0].ship_by.date()
    to_first = query.filtered(parse_filter(f"to:{first_day}", TODAY))
    assert to_first and all(r.ship_by.date() <= first_day for r in to_first)
    assert not query.filtered(parse_filter("due:2026-01-01", TODAY))


def test_key_preset_states_are_replaced_by_a_typed_state(query):
    flt = parse_filter("state:cancelled", TODAY, states=(NEW,))
    assert flt.states == (CANCELLED,)
    assert parse_filter("", TODAY, states=(NEW,)).states == (NEW,)


def test_words_it_cannot_read_are_reported(query):
    flt = parse_filter("state:lost from:someday utrecht", TODAY)
    assert flt.problems == ("state:lost", "from:someday")
    assert flt.text == "utrecht"


def test_rows_carry_no_buyer_name_and_details_come_on_demand(query):
    row = query.rows[0]
    assert "Buyer Name" not in repr(row)
    order = query.order(row.key)
    assert order is not None and order.recipient.name.startswith("Buyer Name")


def test_kept_orders_of_a_deleted_shop_show_its_name_not_its_id(query):
    """Deleting a shop but keeping its orders left rows named by a raw id ("d19202683…")."""
    from glstui.services import integrations

    class NoSecrets:
        def get(self, name: str) -> None:
            return None

    with query.store.write() as tx:
        shop = tx.integrations.get("s1")
        shop.selling_partner_id = "A3PNJAV4CVI5V1"
        tx.integrations.put(shop)
    integrations.delete(query.store, NoSecrets(), "s1", keep_orders=True)
    query.load()
    assert {r.shop for r in query.rows} == {"Winkel Noord (deleted shop)", "Amazon Zuid"}


def _failed(key: str, error: str) -> OutboxEntry:
    integration_id, order_id = key.split(":", 1)
    return OutboxEntry(
        id=f"s-{order_id}:1",
        shipment_id=f"s-{order_id}",
        order_key=key,
        integration_id=integration_id,
        order_id=order_id,
        package_reference_id="1",
        state=FAILED,
        last_error=error,
    )


def test_orders_to_check_are_held_refused_and_labelled_then_cancelled(query):
    """New, shipped and plain cancelled orders are not 'to check': nothing to do there."""
    labelled = next(r for r in query.rows if r.state == LABELLED)
    with query.store.write() as tx:
        tx.outbox.put(_failed(labelled.key, "400 InvalidInput: The order has been cancelled."))
    states = query.states()
    held = {r.key for r in query.rows if r.state == HELD}
    assert states.attention == {**dict.fromkeys(held, HELD_ORDER), labelled.key: REFUSED}
    assert list(states.attention) == [r.key for r in query.rows if r.key in states.attention]
    summary = states.tracking[labelled.key]
    assert refused_as_cancelled(summary)
    assert not refused_as_cancelled(query.tracking(query.rows[0].key))


def test_a_refusal_for_another_reason_is_not_taken_for_a_cancel(query):
    row = next(r for r in query.rows if r.state == LABELLED)
    with query.store.write() as tx:
        tx.outbox.put(_failed(row.key, "400 InvalidInput: packageReferenceId is not valid."))
    summary = query.states().tracking[row.key]
    assert summary.failed and not refused_as_cancelled(summary)
    assert refused_as_cancelled(summary, amazon_status="CANCELLED")  # a later import says so


def test_next_to_check_goes_down_the_filtered_list_and_wraps(query):
    states = query.states()
    flt = parse_filter("", TODAY)
    rows = query.filtered(flt)
    held = [i for i, r in enumerate(rows) if r.state == HELD]
    assert query.next_needing_attention(flt, states, -1) == held[0]
    assert query.next_needing_attention(flt, states, held[0]) == held[1]
    assert query.next_needing_attention(flt, states, held[-1]) == held[0]  # round to the top
    assert query.next_needing_attention(parse_filter("state:new", TODAY), states, -1) is None
