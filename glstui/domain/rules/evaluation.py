"""Shipping rules, evaluation: the Decision the first matching rule makes for an order.

Decision.services uses the GLS NL Label API's own keys so labelling copies it as it is.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from glstui.domain.order import Order
from glstui.domain.rules.model import (
    AUTO,
    BUSINESS_PARCEL,
    DOMESTIC,
    EU_COUNTRIES,
    EURO_BUSINESS_PARCEL,
    EXPRESS_PARCEL,
    GLOBAL_BUSINESS_PARCEL,
    PARCELS_MAX,
    PARCELS_MIN,
    SKU_MATCH_ALL,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
    Actions,
    Conditions,
    Rule,
)
from glstui.domain.rules.parse import POSTCODE_RANGE, format_number, normalise_service_level

# --- evaluation -------------------------------------------------------------------------------


def sku_weight(sku: str, weights: dict[str, float]) -> float | None:
    """The weight of one SKU: exact match first, then ignoring case."""
    if sku in weights:
        return weights[sku]
    folded = sku.casefold()
    for key, value in weights.items():
        if key.casefold() == folded:
            return value
    return None


def order_weight(
    order: Order, weights: dict[str, float], default_weight: float
) -> tuple[float, list[str]]:
    """(total kg of all items, SKUs that had no weight in the table and took the default)."""
    total = 0.0
    unknown: list[str] = []
    for item in order.items:
        w = sku_weight(item.sku, weights)
        if w is None:
            w = default_weight
            if item.sku not in unknown:
                unknown.append(item.sku)
        total += w * max(item.quantity, 0)
    return round(total, 3), unknown


def _postcode_matches(postcode: str, pattern: str) -> bool:
    code = postcode.upper().replace(" ", "")
    m = POSTCODE_RANGE.fullmatch(pattern)
    if m:
        low, high = m.groups()
        head = code[: len(low)]
        return head.isdigit() and len(head) == len(low) and int(low) <= int(head) <= int(high)
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(code, pattern)
    return code.startswith(pattern)


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _in_range(
    value: float | Decimal | None, low: float | int | None, high: float | int | None
) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False  # a bound is set but the order has no such value: not a match
    if low is not None and value < Decimal(str(low)):
        return False
    return not (high is not None and value > Decimal(str(high)))


def _marketplace_matches(order_marketplace: str, wanted: list[str], codes: dict[str, str]) -> bool:
    for value in wanted:
        target = codes.get(value, value) if len(value) == 2 else value
        if order_marketplace.upper() == target.upper():
            return True
    return False


def matches(
    conditions: Conditions,
    order: Order,
    weight_kg: float,
    marketplace_codes: dict[str, str] | None = None,
) -> bool:
    """True when the order meets every set condition. `weight_kg` is the order's total."""
    return (
        _place_matches(conditions, order, marketplace_codes or {})
        and _skus_match(conditions, order)
        and _rest_matches(conditions, order, weight_kg)
    )


def _place_matches(c: Conditions, order: Order, marketplace_codes: dict[str, str]) -> bool:
    """Country, postcode and marketplace."""
    country = order.country_code or (order.recipient.country_code if order.recipient else "")
    country = country.upper()
    if c.countries and country not in {x.upper() for x in c.countries}:
        return False
    if c.postcodes:
        postcode = order.recipient.postal_code if order.recipient else ""
        if not postcode or not any(_postcode_matches(postcode, p) for p in c.postcodes):
            return False
    return not c.marketplaces or _marketplace_matches(
        order.marketplace_id or "", c.marketplaces, marketplace_codes
    )


def _skus_match(c: Conditions, order: Order) -> bool:
    """Any (or all) items' SKUs match one of the patterns."""
    if not c.skus:
        return True
    hits = [
        any(fnmatch.fnmatchcase(item.sku.casefold(), p.casefold()) for p in c.skus)
        for item in order.items
    ]
    if not hits:
        return False
    return all(hits) if c.sku_match == SKU_MATCH_ALL else any(hits)


def _rest_matches(c: Conditions, order: Order, weight_kg: float) -> bool:
    """Item count, total, shipping speed, Prime, business and weight."""
    if not _in_range(order.item_count, c.items_min, c.items_max):
        return False
    if (c.total_min is not None or c.total_max is not None) and not _in_range(
        _amount(order.order_total), c.total_min, c.total_max
    ):
        return False
    if c.service_levels and normalise_service_level(order.service_level) not in {
        normalise_service_level(x) for x in c.service_levels
    }:
        return False
    if c.prime is not None and bool(order.is_prime) != c.prime:
        return False
    if c.business is not None and bool(order.is_business) != c.business:
        return False
    return _in_range(Decimal(str(weight_kg)), c.weight_min, c.weight_max)


@dataclass
class Decision:
    """What labelling does with an order. Goes into Order.decision as `to_dict()`.

    `weight_kg` is the weight of EACH parcel (GLS units[].weight); `total_weight_kg` the
    whole order. `services` holds GLS Label API service keys, only those switched on.
    `rule_name` "" = no rule matched (the default decision).
    """

    rule_name: str = ""
    product: str = BUSINESS_PARCEL
    services: dict[str, Any] = field(default_factory=dict)
    parcels: int = 1
    weight_kg: float = 1.0
    total_weight_kg: float = 1.0
    label_format: str = "pdf"
    hold: bool = False
    hold_reason: str = ""
    skip: bool = False
    unknown_skus: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Decision:
        data = data or {}
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


def auto_product(country: str) -> str:
    country = (country or "").upper()
    if country == DOMESTIC or not country:
        return BUSINESS_PARCEL
    if country in EU_COUNTRIES:
        return EURO_BUSINESS_PARCEL
    return GLOBAL_BUSINESS_PARCEL


def services_of(actions: Actions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if actions.express:
        out["expressService"] = actions.express
    if actions.saturday:
        out["saturdayService"] = True
    if actions.parcelshop:
        out["shopDeliveryService"] = True
        if actions.parcelshop_id:
            out["shopDeliveryParcelShopId"] = actions.parcelshop_id
    if actions.addressee_only:
        out["addresseeOnlyService"] = True
    return out


def _per_parcel(total: float, parcels: int) -> float:
    return max(WEIGHT_MIN_KG, round(total / max(parcels, 1), 2))


HELD_BY_RULE = "Held by shipping rule '{rule}'."
TOO_HEAVY = (
    "{weight} kg per parcel is more than GLS's {max} kg: raise the number of parcels "
    "(a shipping rule can set it)."
)


def evaluate(
    rules: list[Rule] | list[dict[str, Any]],
    order: Order,
    weights: dict[str, float],
    default_weight: float,
    *,
    label_format: str = "pdf",
    marketplace_codes: dict[str, str] | None = None,
    translate: Callable[[str], str] = str,
) -> Decision:
    """The decision for `order`: the first enabled matching rule's, else the default.

    `weights` maps SKU -> kg per item, `default_weight` is used for SKUs not in it;
    `label_format` is the settings' format (used unless a rule sets one);
    `marketplace_codes` maps two-letter codes used in rules (NL) to marketplace ids;
    `translate` turns the English hold reasons made here into the operator's language.
    """
    parsed = [r if isinstance(r, Rule) else Rule.from_dict(r) for r in rules]
    total, unknown = order_weight(order, weights, default_weight)
    country = order.country_code or (order.recipient.country_code if order.recipient else "")
    chosen = next(
        (r for r in parsed if r.enabled and matches(r.conditions, order, total, marketplace_codes)),
        None,
    )
    actions = chosen.actions if chosen else Actions()
    product = actions.product
    if product == AUTO:
        product = EXPRESS_PARCEL if actions.express else auto_product(country)
    parcels = actions.parcels if PARCELS_MIN <= actions.parcels <= PARCELS_MAX else 1
    if actions.weight_kg is not None:
        per_parcel = actions.weight_kg
        total_weight = round(per_parcel * parcels, 3)
    else:
        per_parcel = _per_parcel(total, parcels)
        total_weight = total
    hold, reason = actions.hold, actions.hold_reason.strip()
    if hold and not reason:
        reason = translate(HELD_BY_RULE).format(rule=chosen.name if chosen else "")
    if not hold and not actions.skip and per_parcel > WEIGHT_MAX_KG:
        hold = True
        reason = translate(TOO_HEAVY).format(
            weight=format_number(per_parcel), max=format_number(WEIGHT_MAX_KG)
        )
    return Decision(
        rule_name=chosen.name if chosen else "",
        product=product,
        services=services_of(actions),
        parcels=parcels,
        weight_kg=per_parcel,
        total_weight_kg=total_weight,
        label_format=actions.label_format or label_format,
        hold=hold,
        hold_reason=reason,
        skip=actions.skip,
        unknown_skus=unknown,
    )
