"""Shipping rules as an operator meets them: which rule an order takes and what it decides."""

import json

import pytest

from glstui.domain.errors import ValidationError
from glstui.domain.order import Order, OrderItem, Recipient
from glstui.domain.rules import (
    MESSAGES,
    Actions,
    Conditions,
    Decision,
    Rule,
    RuleError,
    evaluate,
    matches,
    normalise_rule,
    order_weight,
    parse_countries,
    parse_marketplaces,
    parse_number,
    parse_postcodes,
    parse_service_levels,
    parse_skus,
    parse_weight,
    rule_errors,
    rule_warnings,
    validate_rule,
    validate_rules,
)


def make_order(
    country="NL",
    postcode="1011 AB",
    items=(("MUG-1", 1),),
    total="25.00",
    level="Standard",
    prime=False,
    business=False,
    marketplace="A1805IZSGTT6HS",
) -> Order:
    return Order(
        integration_id="shop1",
        order_id="302-0000000-0000001",
        marketplace_id=marketplace,
        items=[OrderItem(f"i{n}", sku, sku, qty) for n, (sku, qty) in enumerate(items)],
        recipient=Recipient(name="A", postal_code=postcode, country_code=country),
        country_code=country,
        service_level=level,
        is_prime=prime,
        is_business=business,
        order_total=total,
    )


def rule(name="R", **kw) -> Rule:
    cond = {k: v for k, v in kw.items() if k in Conditions.__dataclass_fields__}
    act = {k: v for k, v in kw.items() if k in Actions.__dataclass_fields__}
    return Rule(name=name, conditions=Conditions(**cond), actions=Actions(**act))


def takes(r: Rule, order: Order, weight: float = 1.0) -> bool:
    return matches(r.conditions, order, weight, {"NL": "A1805IZSGTT6HS", "DE": "A1PA6795UKMFR9"})


# --- conditions -------------------------------------------------------------------------------


def test_country_condition():
    r = rule(countries=["BE", "DE"])
    assert takes(r, make_order(country="DE"))
    assert not takes(r, make_order(country="NL"))


def test_country_falls_back_to_the_recipient_when_order_has_none():
    order = make_order(country="BE")
    order.country_code = ""
    assert takes(rule(countries=["BE"]), order)


@pytest.mark.parametrize(
    ("pattern", "postcode", "hit"),
    [
        ("10", "1011 AB", True),  # prefix
        ("10", "2011 AB", False),
        ("1011??", "1011ab", True),  # glob, case and space ignored
        ("1011??", "1012AB", False),
        ("8881-8899", "8891 AB", True),  # range on the leading digits (islands)
        ("8881-8899", "8900 AB", False),
        ("9[0-4]*", "9312 XY", True),
        ("9[0-4]*", "9512 XY", False),
    ],
)
def test_postcode_patterns(pattern, postcode, hit):
    assert takes(rule(postcodes=[pattern]), make_order(postcode=postcode)) is hit


def test_postcode_condition_fails_for_an_order_without_address():
    order = make_order()
    order.recipient = None
    assert not takes(rule(postcodes=["10"]), order)


def test_marketplace_condition_by_id_or_code():
    assert takes(rule(marketplaces=["NL"]), make_order())
    assert takes(rule(marketplaces=["A1805IZSGTT6HS"]), make_order())
    assert not takes(rule(marketplaces=["DE"]), make_order())


def test_sku_any_item_or_all_items():
    order = make_order(items=(("MUG-1", 1), ("BOOK-9", 1)))
    assert takes(rule(skus=["mug-*"]), order)  # any, ignoring case
    assert not takes(rule(skus=["MUG-*"], sku_match="all"), order)
    assert takes(rule(skus=["MUG-*", "BOOK-*"], sku_match="all"), order)
    assert not takes(rule(skus=["LAMP-*"]), order)


def test_number_of_items_counts_quantities_inclusive():
    order = make_order(items=(("A", 2), ("B", 1)))
    assert takes(rule(items_min=3, items_max=3), order)
    assert not takes(rule(items_min=4), order)
    assert not takes(rule(items_max=2), order)


def test_order_total_bounds_and_unknown_total():
    assert takes(rule(total_min=25.0, total_max=100), make_order(total="25.00"))
    assert not takes(rule(total_min=25.01), make_order(total="25.00"))
    assert not takes(rule(total_max=10), make_order(total="25.00"))
    assert not takes(rule(total_min=1), make_order(total=""))  # unknown total: no match


@pytest.mark.parametrize("amazon", ["NextDay", "NEXT_DAY"])
def test_service_level_in_both_amazon_spellings(amazon):
    assert takes(rule(service_levels=["NextDay"]), make_order(level=amazon))
    assert not takes(rule(service_levels=["SecondDay"]), make_order(level=amazon))


def test_prime_and_business_conditions():
    assert takes(rule(prime=True), make_order(prime=True))
    assert not takes(rule(prime=True), make_order(prime=False))
    assert takes(rule(prime=False), make_order(prime=False))
    assert takes(rule(business=True), make_order(business=True))
    assert not takes(rule(business=False), make_order(business=True))


def test_weight_condition_uses_the_total_weight():
    assert takes(rule(weight_min=2, weight_max=5), make_order(), weight=5.0)
    assert not takes(rule(weight_min=2), make_order(), weight=1.9)
    assert not takes(rule(weight_max=5), make_order(), weight=5.1)


def test_all_conditions_must_hold():
    r = rule(countries=["NL"], prime=True)
    assert takes(r, make_order(prime=True))
    assert not takes(r, make_order(country="BE", prime=True))


def test_empty_conditions_match_every_order():
    assert takes(rule(), make_order(country="US"))


# --- weights ------------------------------------------------------------------------------------


def test_order_weight_from_table_and_default():
    order = make_order(items=(("MUG-1", 2), ("NEW-SKU", 1)))
    total, unknown = order_weight(order, {"mug-1": 0.4}, default_weight=1.5)
    assert total == pytest.approx(2 * 0.4 + 1.5)  # table matched ignoring case
    assert unknown == ["NEW-SKU"]


# --- evaluation ---------------------------------------------------------------------------------


def decide(rules, order=None, weights=None, default=1.0, **kw) -> Decision:
    return evaluate(rules, order or make_order(), weights or {}, default, **kw)


def test_first_matching_rule_wins_in_list_order():
    a = rule("Belgium express", countries=["NL", "BE"], express="t12")
    b = rule("Everything NL", countries=["NL"], saturday=True)
    assert decide([a, b]).rule_name == "Belgium express"
    assert decide([b, a]).rule_name == "Everything NL"


def test_disabled_rule_is_passed_over():
    a = rule("off", express="t9")
    a.enabled = False
    b = rule("on", saturday=True)
    d = decide([a, b])
    assert d.rule_name == "on"
    assert d.services == {"saturdayService": True}


def test_default_decision_when_nothing_matches():
    d = decide([rule(countries=["DE"])], make_order(country="NL"), label_format="zpl")
    assert d.rule_name == ""
    assert (d.product, d.parcels, d.label_format, d.hold, d.skip) == (
        "BusinessParcel",
        1,
        "zpl",
        False,
        False,
    )
    assert d.services == {}


@pytest.mark.parametrize(
    ("country", "product"),
    [("NL", "BusinessParcel"), ("DE", "EuroBusinessParcel"), ("US", "GlobalBusinessParcel")],
)
def test_automatic_product_follows_the_destination(country, product):
    assert decide([], make_order(country=country)).product == product


def test_express_action_makes_an_express_parcel_with_its_time():
    fast = rule("fast", service_levels=["NextDay"], express="t12")
    d = decide([fast], make_order(level="NextDay"))
    assert d.product == "ExpressParcel"
    assert d.services == {"expressService": "t12"}


def test_service_actions_use_gls_api_keys():
    d = decide([rule(parcelshop=True, parcelshop_id="2500123456")])
    assert d.services == {"shopDeliveryService": True, "shopDeliveryParcelShopId": "2500123456"}
    d = decide([rule(addressee_only=True, saturday=True)])
    assert d.services == {"addresseeOnlyService": True, "saturdayService": True}


def test_explicit_product_label_format_and_parcels():
    d = decide([rule(product="EuroBusinessParcel", label_format="pdfA6U", parcels=3)])
    assert (d.product, d.label_format, d.parcels) == ("EuroBusinessParcel", "pdfA6U", 3)


def test_weight_is_spread_over_parcels_and_never_below_gls_minimum():
    order = make_order(items=(("A", 3),))
    d = decide([rule(parcels=2)], order, {"A": 4.0})
    assert d.total_weight_kg == 12.0
    assert d.weight_kg == 6.0
    light = decide([], make_order(items=(("PIN", 1),)), {"PIN": 0.01})
    assert light.weight_kg == 0.2


def test_weight_override_is_per_parcel():
    d = decide([rule(weight_kg=2.5, parcels=2)], make_order(items=(("A", 1),)), {"A": 9.0})
    assert d.weight_kg == 2.5
    assert d.total_weight_kg == 5.0


def test_too_heavy_parcel_is_held_with_what_to_do():
    d = decide([], make_order(items=(("ANVIL", 1),)), {"ANVIL": 40.0})
    assert d.hold
    assert "raise the number of parcels" in d.hold_reason
    assert not decide([rule(parcels=2)], make_order(items=(("ANVIL", 1),)), {"ANVIL": 40.0}).hold


def test_hold_action_with_and_without_reason():
    d = decide([rule("Check big orders", hold=True, hold_reason="Check stock first")])
    assert d.hold and d.hold_reason == "Check stock first"
    d = decide([rule("Check big orders", hold=True)])
    assert d.hold_reason == "Held by shipping rule 'Check big orders'."


def test_hold_reason_is_translated_by_the_caller():
    dutch = lambda s: s.replace("Held by", "Vastgehouden door")  # noqa: E731
    d = decide([rule("X", hold=True)], translate=dutch)
    assert d.hold_reason.startswith("Vastgehouden door")


def test_skip_action():
    d = decide([rule("No FR", countries=["FR"], skip=True)], make_order(country="FR"))
    assert d.skip and d.rule_name == "No FR"
    assert not decide([rule("No FR", countries=["FR"], skip=True)]).skip


def test_decision_round_trips_as_plain_json():
    d = decide([rule("fast", express="t9", parcels=2)], make_order(items=(("UNKNOWN", 1),)))
    data = json.loads(json.dumps(d.to_dict()))
    assert Decision.from_dict(data) == d
    assert data["unknown_skus"] == ["UNKNOWN"]


def test_rules_round_trip_and_evaluate_from_stored_dicts():
    r = rule("NL prime", countries=["NL"], prime=True, express="t17", weight_kg=1.5)
    stored = json.loads(json.dumps(r.to_dict()))
    assert Rule.from_dict(stored) == r
    assert decide([stored], make_order(prime=True)).rule_name == "NL prime"


def test_stored_rule_with_unknown_keys_is_read_and_wrong_types_refused():
    data = rule("X").to_dict()
    data["future"] = 1
    data["conditions"]["future"] = 2
    assert Rule.from_dict(data).name == "X"
    data["actions"]["parcels"] = "two"
    with pytest.raises(RuleError, match="damaged"):
        Rule.from_dict(data)


# --- validation ---------------------------------------------------------------------------------


def first_error(r: Rule) -> RuleError:
    errors = rule_errors(r)
    assert errors, "expected a validation error"
    return errors[0]


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"countries": ["XX"]}, "conditions.countries", "'XX' is not a country code"),
        ({"countries": ["UK"]}, "conditions.countries", "use GB"),
        ({"postcodes": ["10%"]}, "conditions.postcodes", "not a postcode pattern"),
        ({"postcodes": ["8899-8881"]}, "conditions.postcodes", "range"),
        ({"marketplaces": ["amazon.nl"]}, "conditions.marketplaces", "marketplace"),
        ({"skus": ["A B"]}, "conditions.skus", "SKU pattern"),
        ({"sku_match": "some"}, "conditions.sku_match", "any item or all items"),
        ({"service_levels": ["Rocket"]}, "conditions.service_levels", "shipping speed"),
        ({"items_min": 5, "items_max": 2}, "conditions.items_min", "minimum (5) is above"),
        ({"total_min": -1.0}, "conditions.total_min", "negative"),
        ({"weight_min": -0.5}, "conditions.weight_min", "negative"),
        ({"product": "Pallet"}, "actions.product", "not a GLS product"),
        ({"express": "t11"}, "actions.express", "not an express time"),
        ({"express": "t9", "saturday": True}, "actions.saturday", "cannot be combined"),
        ({"express": "t9", "parcelshop": True}, "actions.parcelshop", "ParcelShop"),
        ({"express": "t9", "product": "BusinessParcel"}, "actions.product", "ExpressParcel"),
        ({"product": "ExpressParcel"}, "actions.express", "needs an express time"),
        ({"parcelshop": True, "addressee_only": True}, "actions.addressee_only", "addressee"),
        ({"parcelshop_id": "123"}, "actions.parcelshop_id", "switched on"),
        ({"parcels": 0}, "actions.parcels", "1 to 10"),
        ({"parcels": 11}, "actions.parcels", "1 to 10"),
        ({"weight_kg": 0.1}, "actions.weight_kg", "0.2 to 31.9 kg"),
        ({"weight_kg": -2.0}, "actions.weight_kg", "0.2 to 31.9 kg"),
        ({"weight_kg": 32.0}, "actions.weight_kg", "0.2 to 31.9 kg"),
        ({"label_format": "png"}, "actions.label_format", "not a label format"),
        ({"hold": True, "skip": True}, "actions.skip", "holds orders or skips them"),
        ({"hold_reason": "x" * 101}, "actions.hold_reason", "too long"),
    ],
)
def test_validation_messages(kwargs, field, text):
    err = first_error(rule("R", **kwargs))
    assert isinstance(err, ValidationError)
    assert err.field == field
    assert text in err.message
    assert err.rule == "R"


def test_rule_name_required_and_unique_ignoring_case():
    with pytest.raises(RuleError, match="needs a name"):
        validate_rule(rule("  "))
    with pytest.raises(RuleError, match="already called"):
        validate_rules([rule("Express"), rule("express ")])


def test_valid_rules_pass():
    rules = [
        rule("Express NL", countries=["NL"], service_levels=["NextDay"], express="t12"),
        rule("Heavy", weight_min=20, parcels=2, label_format="zpl"),
        rule("Rest"),
    ]
    assert validate_rules(rules) == rules


def test_every_message_template_formats():
    for key, template in MESSAGES.items():
        names = {n.split("}")[0] for n in template.split("{")[1:]}
        assert template.format(**dict.fromkeys(names, "x")), key


def test_catch_all_rule_hides_the_rules_after_it():
    rules = [rule("A", countries=["NL"]), rule("All"), rule("B", countries=["BE"])]
    assert rule_warnings(rules) == [("B", "All")]


# --- parsing what is typed ----------------------------------------------------------------------


def test_parse_countries_normalises_and_dedups():
    assert parse_countries("nl, BE;de nl") == ["NL", "BE", "DE"]


def test_parse_postcodes_keeps_inner_spaces_out():
    assert parse_postcodes("1011 ab, 8881-8899; 9*") == ["1011AB", "8881-8899", "9*"]


def test_parse_marketplaces_and_skus():
    assert parse_marketplaces("nl a1805izsgtt6hs") == ["NL", "A1805IZSGTT6HS"]
    assert parse_skus("MUG-*, BOOK-?") == ["MUG-*", "BOOK-?"]


def test_parse_service_levels_accepts_amazon_spellings():
    assert parse_service_levels("next day, SECOND_DAY expedited") == [
        "NextDay",
        "SecondDay",
        "Expedited",
    ]


@pytest.mark.parametrize(("text", "value"), [("12,5", 12.5), ("12.50", 12.5), ("", None)])
def test_parse_number_accepts_decimal_comma(text, value):
    assert parse_number(text, "conditions.total_min") == value


def test_parse_number_refuses_text_and_negatives():
    with pytest.raises(RuleError, match="not a number"):
        parse_number("abc", "conditions.total_min")
    with pytest.raises(RuleError, match="negative"):
        parse_number("-3", "conditions.total_min")


def test_parse_weight_checks_gls_limits():
    assert parse_weight("2,5") == 2.5
    with pytest.raises(RuleError, match=r"0\.2 to 31\.9"):
        parse_weight("40")


def test_normalise_rule_cleans_lists():
    r = normalise_rule(rule("  Two   words ", countries=["nl"], service_levels=["NEXT_DAY"]))
    assert r.name == "Two words"
    assert r.conditions.countries == ["NL"]
    assert r.conditions.service_levels == ["NextDay"]
