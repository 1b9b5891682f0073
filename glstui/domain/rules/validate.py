"""Shipping rules, validation: every problem of a rule or a list of rules, and normalising.

Problems come back as RuleError in the order the editor shows its fields: name, conditions,
actions.
"""

from __future__ import annotations

from collections.abc import Callable

from glstui.domain.rules.model import (
    AMOUNT_LIMIT,
    AUTO,
    EXPRESS_PARCEL,
    EXPRESS_TIMES,
    HOLD_REASON_MAX,
    ITEMS_LIMIT,
    MAX_RULES,
    PARCEL_SHOP_ID_MAX,
    PARCELS_MAX,
    PARCELS_MIN,
    PRODUCTS,
    RULE_NAME_MAX,
    SKU_MATCHES,
    WEIGHT_LIMIT_KG,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
    Actions,
    Conditions,
    Rule,
    RuleError,
)
from glstui.domain.rules.parse import (
    format_number,
    parse_countries,
    parse_marketplaces,
    parse_postcodes,
    parse_service_levels,
    parse_skus,
)
from glstui.domain.settings import LABEL_FORMATS

# --- validation --------------------------------------------------------------------------------


def rule_errors(rule: Rule) -> list[RuleError]:
    """Every problem of one rule (empty list = valid), with dotted field names."""
    name = (rule.name or "").strip()
    errors: list[RuleError] = []
    if not name:
        errors.append(RuleError("name", "name_required"))
    elif len(name) > RULE_NAME_MAX:
        errors.append(RuleError("name", "name_too_long", max=RULE_NAME_MAX))
    errors.extend(_condition_errors(rule.conditions))
    errors.extend(_product_errors(rule.actions))
    errors.extend(_parcel_errors(rule.actions))
    return [e.in_rule(name) for e in errors]


def _collect(
    errors: list[RuleError], parse: Callable[[list[str]], list[str]], values: list[str]
) -> None:
    """Run one list parser for its errors only (normalise_rule keeps its result)."""
    try:
        parse(values)
    except RuleError as err:
        errors.append(err)


def _condition_errors(c: Conditions) -> list[RuleError]:
    errors: list[RuleError] = []
    _collect(errors, parse_countries, c.countries)
    _collect(errors, parse_postcodes, c.postcodes)
    _collect(errors, parse_marketplaces, c.marketplaces)
    _collect(errors, parse_skus, c.skus)
    if c.sku_match not in SKU_MATCHES:
        errors.append(RuleError("conditions.sku_match", "bad_sku_match"))
    _collect(errors, parse_service_levels, c.service_levels)
    errors.extend(_range_errors(c))
    return errors


def _range_errors(c: Conditions) -> list[RuleError]:
    """min/max pairs: each bound within its limit, and min not above max."""
    errors: list[RuleError] = []
    for low_name, high_name, limit in (
        ("items_min", "items_max", ITEMS_LIMIT),
        ("total_min", "total_max", float(AMOUNT_LIMIT)),
        ("weight_min", "weight_max", WEIGHT_LIMIT_KG),
    ):
        low, high = getattr(c, low_name), getattr(c, high_name)
        bad = False
        for fname, value in ((low_name, low), (high_name, high)):
            if value is None:
                continue
            if value < 0:
                errors.append(RuleError(f"conditions.{fname}", "negative"))
                bad = True
            elif value > limit:
                errors.append(RuleError(f"conditions.{fname}", "too_big", max=format_number(limit)))
                bad = True
        if not bad and low is not None and high is not None and low > high:
            errors.append(
                RuleError(
                    f"conditions.{low_name}",
                    "min_above_max",
                    low=format_number(low),
                    high=format_number(high),
                )
            )
    return errors


def _product_errors(a: Actions) -> list[RuleError]:
    """The product and the services that go with it (express, Saturday, ParcelShop)."""
    errors: list[RuleError] = []
    if a.product not in PRODUCTS:
        choices = ", ".join(PRODUCTS)
        errors.append(RuleError("actions.product", "bad_product", value=a.product, choices=choices))
    if a.express and a.express not in EXPRESS_TIMES:
        errors.append(RuleError("actions.express", "bad_express", value=a.express))
    if a.express and a.product not in (AUTO, EXPRESS_PARCEL):
        errors.append(RuleError("actions.product", "express_product", product=a.product))
    if a.product == EXPRESS_PARCEL and not a.express:
        errors.append(RuleError("actions.express", "express_needs_time"))
    if a.express and a.saturday:
        errors.append(RuleError("actions.saturday", "express_saturday"))
    if a.express and a.parcelshop:
        errors.append(RuleError("actions.parcelshop", "express_parcelshop"))
    if a.parcelshop and a.addressee_only:
        errors.append(RuleError("actions.addressee_only", "parcelshop_addressee"))
    return errors


def _parcel_errors(a: Actions) -> list[RuleError]:
    """ParcelShop id, parcels, weight, label format and hold / skip."""
    errors: list[RuleError] = []
    if a.parcelshop_id:
        if not a.parcelshop:
            errors.append(RuleError("actions.parcelshop_id", "parcelshop_id_without_shop"))
        if len(a.parcelshop_id) > PARCEL_SHOP_ID_MAX or not a.parcelshop_id.isalnum():
            errors.append(
                RuleError("actions.parcelshop_id", "bad_parcelshop_id", max=PARCEL_SHOP_ID_MAX)
            )
    if not PARCELS_MIN <= a.parcels <= PARCELS_MAX:
        errors.append(
            RuleError("actions.parcels", "parcels_range", min=PARCELS_MIN, max=PARCELS_MAX)
        )
    if a.weight_kg is not None and not WEIGHT_MIN_KG <= a.weight_kg <= WEIGHT_MAX_KG:
        errors.append(
            RuleError("actions.weight_kg", "weight_range", min=WEIGHT_MIN_KG, max=WEIGHT_MAX_KG)
        )
    if a.label_format and a.label_format not in LABEL_FORMATS:
        errors.append(RuleError("actions.label_format", "bad_label_format", value=a.label_format))
    if len(a.hold_reason) > HOLD_REASON_MAX:
        errors.append(RuleError("actions.hold_reason", "hold_reason_too_long", max=HOLD_REASON_MAX))
    if a.hold and a.skip:
        errors.append(RuleError("actions.skip", "hold_and_skip"))
    return errors


def validate_rule(rule: Rule, other_names: list[str] | tuple[str, ...] = ()) -> Rule:
    """Raise the first RuleError of `rule`; `other_names` are the names of the other rules."""
    errors = rule_errors(rule)
    name = (rule.name or "").strip()
    if name and name.casefold() in {n.strip().casefold() for n in other_names}:
        errors.insert(0, RuleError("name", "name_taken", rule=name, name=name))
    if errors:
        raise errors[0]
    return rule


def validate_rules(rules: list[Rule]) -> list[Rule]:
    """Check a whole list (names unique, each rule valid); raise the first RuleError."""
    if len(rules) > MAX_RULES:
        raise RuleError("rules", "too_many_rules", max=MAX_RULES)
    seen: list[str] = []
    for rule in rules:
        validate_rule(rule, seen)
        seen.append(rule.name.strip())
    return rules


def normalise_rule(rule: Rule) -> Rule:
    """The rule with its lists cleaned (codes in capitals, no duplicates); validate first."""
    c = rule.conditions
    c.countries = parse_countries(c.countries)
    c.postcodes = parse_postcodes(c.postcodes)
    c.marketplaces = parse_marketplaces(c.marketplaces)
    c.skus = parse_skus(c.skus)
    c.service_levels = parse_service_levels(c.service_levels)
    rule.name = " ".join(rule.name.split())
    rule.actions.hold_reason = rule.actions.hold_reason.strip()
    rule.actions.parcelshop_id = rule.actions.parcelshop_id.strip()
    return rule


def rule_warnings(rules: list[Rule]) -> list[tuple[str, str]]:
    """(rule name, name of the earlier rule that matches every order): it never applies."""
    out: list[tuple[str, str]] = []
    catch_all = None
    for rule in rules:
        if not rule.enabled:
            continue
        if catch_all is not None:
            out.append((rule.name, catch_all))
        elif rule.conditions.is_empty():
            catch_all = rule.name
    return out
