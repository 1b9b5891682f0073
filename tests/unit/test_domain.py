"""Domain rules an operator meets: shop names, reconsent dates, round-trips through the store."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glstui.domain.errors import ValidationError
from glstui.domain.integration import SHOP_NAME_MAX, Integration, clean_shop_name
from glstui.domain.order import Order, OrderItem, Recipient
from glstui.domain.serial import from_dict, to_dict
from glstui.domain.shipment import OutboxEntry

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_shop_name_is_trimmed_and_inner_spaces_folded():
    assert clean_shop_name("  Amazon   NL shop ") == "Amazon NL shop"


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_empty_shop_name_says_it_is_required(raw):
    with pytest.raises(ValidationError, match="required"):
        clean_shop_name(raw)


def test_duplicate_shop_name_ignores_case_and_spaces():
    with pytest.raises(ValidationError, match="already exists"):
        clean_shop_name("amazon nl", taken=["  Amazon NL "])


def test_too_long_and_control_characters_are_refused():
    with pytest.raises(ValidationError, match="too long"):
        clean_shop_name("x" * (SHOP_NAME_MAX + 1))
    with pytest.raises(ValidationError, match="control characters"):
        clean_shop_name("Shop\x1b[31m red")


@given(st.text(max_size=200))
def test_any_typed_name_is_either_clean_or_a_clear_validation_error(raw):
    try:
        name = clean_shop_name(raw)
    except ValidationError as exc:
        assert exc.field == "shop_name" and exc.message.endswith(".")
    else:
        assert name == name.strip() and 0 < len(name) <= SHOP_NAME_MAX


def test_reconsent_due_a_year_after_authorisation():
    shop = Integration("Amazon A3PNJAV4CVI5V1", authorized_at=NOW - timedelta(days=350))
    assert shop.reconsent_days_left(NOW) == 15
    assert Integration("draft").reconsent_days_left(NOW) is None


def test_order_round_trips_through_a_plain_dict():
    order = Order(
        integration_id="abc",
        order_id="171-1234567-1234567",
        created_at=NOW,
        items=[OrderItem("1111", "SKU-1", "Mug", 2)],
        recipient=Recipient(name="J. Jansen", address_lines=["Kerkstraat 3HS"], city="Utrecht"),
    )
    data = to_dict(order)
    assert data["created_at"] == "2026-11-27T08:00:00Z"
    back = from_dict(Order, data)
    assert back == order
    assert back.key == "abc:171-1234567-1234567"
    assert back.item_count == 2


def test_reading_a_newer_file_ignores_unknown_fields():
    entry = from_dict(
        OutboxEntry,
        {
            "id": "s1:1",
            "shipment_id": "s1",
            "order_key": "a:o",
            "integration_id": "a",
            "order_id": "o",
            "package_reference_id": "1",
            "field_from_the_future": 42,
        },
    )
    assert entry.package_reference_id == "1" and entry.state == "pending"
