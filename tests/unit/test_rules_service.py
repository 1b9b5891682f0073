"""Rules and SKU weights kept with the data: save, preview, re-apply, CSV import, importer hook."""

from datetime import UTC, datetime, timedelta

import pytest

from glstui.domain.clock import FixedClock
from glstui.domain.integration import Integration
from glstui.domain.order import HELD, LABELLED, NEW, Order, OrderItem, Recipient
from glstui.domain.rules import Actions, Conditions, Rule, RuleError
from glstui.i18n import set_language
from glstui.services import rules as svc
from glstui.services.integrations import IntegrationNotFound
from glstui.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "data", FixedClock(NOW))
    with s.write() as tx:
        tx.integrations.put(Integration(shop_name="Amazon NL", id="shop1", rules_enabled=True))
    return s


def order(n: int, country="NL", sku="MUG-1", qty=1, state=NEW, prime=False) -> Order:
    return Order(
        integration_id="shop1",
        order_id=f"302-{n:07d}",
        items=[OrderItem("i1", sku, "Mug", qty)],
        recipient=Recipient(postal_code="1011AB", country_code=country),
        country_code=country,
        is_prime=prime,
        order_total="20.00",
        state=state,
        imported_at=NOW - timedelta(minutes=n),
    )


def rule(name, **kw) -> Rule:
    cond = {k: v for k, v in kw.items() if k in Conditions.__dataclass_fields__}
    act = {k: v for k, v in kw.items() if k in Actions.__dataclass_fields__}
    return Rule(name=name, conditions=Conditions(**cond), actions=Actions(**act))


def put(store, *orders):
    with store.write() as tx:
        tx.orders.put_many(orders)


def stored(store, o: Order) -> Order:
    with store.read() as view:
        return view.orders.get(o.key)


def test_save_and_get_rules_normalised(store):
    svc.save_rules(store, "shop1", [rule(" Express  BE ", countries=["be"], express="t12")])
    enabled, rules = svc.get_rules(store, "shop1")
    assert enabled
    assert rules[0].name == "Express BE"
    assert rules[0].conditions.countries == ["BE"]


def test_save_refuses_an_invalid_rule_and_stores_nothing(store):
    svc.save_rules(store, "shop1", [rule("ok")])
    with pytest.raises(RuleError) as info:
        svc.save_rules(store, "shop1", [rule("bad", parcels=12)])
    assert svc.message(info.value) == "The number of parcels must be 1 to 10."
    assert [r.name for r in svc.get_rules(store, "shop1")[1]] == ["ok"]


def test_unknown_marketplace_code_is_refused(store):
    errors = svc.check_rule(rule("x", marketplaces=["ZZ"]))
    assert errors and errors[0].field == "conditions.marketplaces"
    assert not svc.check_rule(rule("x", marketplaces=["UK", "NL"]))


def test_messages_are_translated_to_dutch():
    set_language("nl")
    err = svc.check_rule(rule("x", express="t9", saturday=True))[0]
    assert svc.message(err) == "Express en zaterdaglevering gaan niet samen: kies er één."


def test_missing_shop(store):
    with pytest.raises(IntegrationNotFound):
        svc.get_rules(store, "nope")


def test_weights_csv_import_merges_and_reports(store):
    svc.save_weights(store, {"OLD": 1.0, "MUG-1": 0.3})
    result = svc.import_weights_csv(store, "sku;gewicht\nMUG-1;0,45\nNEW;2\nBAD;x\n")
    assert (result.added, result.changed, result.unchanged) == (1, 1, 0)
    assert [svc.problem_text(p) for p in result.errors] == ["line 4: 'x' is not a weight in kg"]
    weights, default = svc.load_weights(store)
    assert weights == {"MUG-1": 0.45, "NEW": 2.0, "OLD": 1.0}
    assert default == 1.0
    svc.import_weights_csv(store, "A,1\n", replace=True)
    assert svc.load_weights(store)[0] == {"A": 1.0}


def test_read_csv_file_errors(tmp_path):
    with pytest.raises(svc.CsvFileError, match="No file"):
        svc.read_csv_file(tmp_path / "missing.csv")
    path = tmp_path / "w.csv"
    path.write_bytes("SKU;Gewicht\nKÄSE;1,5\n".encode("cp1252"))
    assert "KÄSE" in svc.read_csv_file(path)


def test_preview_shows_which_rule_each_recent_order_takes(store):
    put(store, order(1, "BE"), order(2, "NL"), order(3, "NL", prime=True))
    svc.save_weights(store, {"MUG-1": 0.5})
    rules = [
        rule("Prime NL", countries=["NL"], prime=True, express="t12"),
        rule("BE", countries=["BE"]),
    ]
    rows = svc.preview(store, "shop1", n=50, rules=rules)
    assert [(r.order_id, r.rule_name) for r in rows] == [
        ("302-0000001", "BE"),
        ("302-0000002", "default"),
        ("302-0000003", "Prime NL"),
    ]
    assert rows[2].summary == "ExpressParcel · 0.5 kg · express 12:00 · pdf"
    assert len(svc.preview(store, "shop1", n=2, rules=rules)) == 2


def test_reapply_changes_only_orders_waiting_for_a_label_in_one_write(store):
    waiting, held, labelled = order(1), order(2), order(3, state=LABELLED)
    pending = order(4)
    pending.label_pending_at = NOW
    put(store, waiting, held, labelled, pending)
    svc.save_rules(store, "shop1", [rule("Hold all", hold=True, hold_reason="Stock check")])
    writes_before = store.parse_count
    result = svc.reapply(store, "shop1")
    assert (result.checked, result.changed, result.held) == (2, 2, 2)
    assert stored(store, waiting).state == HELD
    assert stored(store, waiting).hold_reason == "Stock check"
    assert stored(store, labelled).decision == {}
    assert stored(store, pending).state == NEW
    assert store.parse_count == writes_before  # our own write does not re-parse

    # the rule goes: the holds it made are released
    svc.save_rules(store, "shop1", [])
    result = svc.reapply(store, "shop1")
    assert result.released == 2
    assert stored(store, waiting).state == NEW
    assert stored(store, waiting).hold_reason == ""
    assert stored(store, waiting).rule_name == ""


def test_a_hold_made_elsewhere_is_never_released_by_rules():
    integ = Integration(shop_name="S", id="shop1", rules_enabled=True)
    o = order(1, state=HELD)
    o.hold_reason = "No house number found in the address."
    svc.apply_rules(integ, o, {}, 1.0)
    assert o.state == HELD
    assert o.hold_reason == "No house number found in the address."
    integ.rules = [rule("h", hold=True).to_dict()]
    svc.apply_rules(integ, o, {}, 1.0)
    integ.rules = []
    svc.apply_rules(integ, o, {}, 1.0)
    assert o.state == HELD
    assert o.hold_reason == "No house number found in the address."


def test_apply_rules_uses_rules_only_when_switched_on():
    integ = Integration(shop_name="S", id="shop1", rules=[rule("Fast", express="t9").to_dict()])
    o = order(1)
    d = svc.apply_rules(integ, o, {"MUG-1": 2.0}, 1.0, label_format="zpl")
    assert d.rule_name == "" and o.decision["product"] == "BusinessParcel"
    assert o.decision["weight_kg"] == 2.0 and o.decision["label_format"] == "zpl"
    integ.rules_enabled = True
    d = svc.apply_rules(integ, o, {}, 1.0)
    assert o.rule_name == "Fast"
    assert o.decision["services"] == {"expressService": "t9"}


def test_skip_for_a_new_order_and_for_one_already_stored():
    integ = Integration(shop_name="S", id="shop1", rules_enabled=True)
    integ.rules = [rule("No FR", countries=["FR"], skip=True).to_dict()]
    fresh = order(1, "FR")
    assert svc.apply_rules(integ, fresh, {}, 1.0).skip  # the importer does not store it
    old = order(2, "FR")
    svc.apply_rules(integ, old, {}, 1.0)
    assert old.state == HELD
    assert "skips orders like this one" in old.hold_reason


def test_labelled_orders_are_not_touched():
    integ = Integration(shop_name="S", id="shop1", rules_enabled=True)
    integ.rules = [rule("Hold", hold=True).to_dict()]
    o = order(1, state=LABELLED)
    svc.apply_rules(integ, o, {}, 1.0)
    assert (o.state, o.decision, o.rule_name) == (LABELLED, {}, "")


def test_damaged_rules_fall_back_to_the_default_decision():
    integ = Integration(shop_name="S", id="shop1", rules_enabled=True)
    integ.rules = [{"name": "x", "actions": {"parcels": "many"}}]
    assert svc.apply_rules(integ, order(1), {}, 1.0).rule_name == ""


def test_describe_hold_and_services():
    integ = Integration(shop_name="S", id="shop1", rules_enabled=True)
    integ.rules = [
        rule("Check", hold=True, hold_reason="Ask buyer", parcels=2, saturday=True).to_dict()
    ]
    d = svc.apply_rules(integ, order(1, qty=4), {"MUG-1": 1.0}, 1.0)
    assert svc.describe(d) == "HOLD: Ask buyer · BusinessParcel · 2 × 2 kg · Saturday · pdf"


def test_warnings_name_the_hidden_rule():
    text = svc.warnings([rule("All"), rule("BE", countries=["BE"])])
    assert text == ["Rule 'BE' never applies: 'All' before it matches every order."]


def test_every_domain_message_has_a_dutch_entry():
    from glstui.domain.rules import HELD_BY_RULE, MESSAGES, TOO_HEAVY
    from glstui.domain.sku_weights import CSV_MESSAGES
    from glstui.i18n import catalog

    dutch = catalog.__wrapped__("nl")
    texts = [*MESSAGES.values(), *CSV_MESSAGES.values(), HELD_BY_RULE, TOO_HEAVY]
    texts += [svc.SKIPPED_BEFORE, "all SKUs {list}", "SKU {list}"]
    assert [t for t in texts if t not in dutch] == []


def test_reapplying_rules_keeps_the_order_kind_parcelshop_delivery_and_not_for_gls(store):
    """A rule change must not turn a GLS ParcelShop order into a home delivery to the shop's
    address, nor release an Amazon Locker order for a GLS label."""
    shop = order(1)
    shop.recipient = Recipient(
        name="GLS ParcelShop Primera",
        address_lines=["Kerkstraat 8", "2500012345"],
        postal_code="1011AB",
        country_code="NL",
        address_type="PICKUP_POINT",
    )
    locker = order(2)
    locker.recipient = Recipient(
        name="Amazon Locker - Tulp",
        address_lines=["Stationsplein 12"],
        postal_code="1011AB",
        country_code="NL",
        address_type="PICKUP_POINT",
    )
    put(store, shop, locker)
    svc.save_rules(store, "shop1", [rule("Express NL", countries=["NL"], express="t12")])
    svc.reapply(store, "shop1")
    services = stored(store, shop).decision["services"]
    assert services["shopDeliveryParcelShopId"] == "2500012345"
    assert "expressService" not in services
    assert stored(store, locker).state == HELD
    assert stored(store, locker).not_for_gls == "pickup_point"
