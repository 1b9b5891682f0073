"""Shipping rules ("Verzendregels"): which GLS product, services and parcels an order gets.

Why it is shaped like this:
- A shop has an ordered list of rules; the FIRST enabled rule whose conditions all hold decides
  (like Sendcloud and ShipStation), and an order no rule matches gets the default decision.
  Order is meaningful, so it is shown and edited as a list, and a rule that matches every order
  hides the rules after it (`rule_warnings` says so).
- Rules are plain JSON dicts in Integration.rules (`Rule.to_dict` / `Rule.from_dict`), so the
  store needs no schema of its own and an older glstui ignores keys it does not know.
- Every condition and action is validated with a message an operator can act on. Messages are
  English templates in MESSAGES with named parameters (RuleError.template / .params) so the
  layers above translate them (glstui/locale/nl/rules.json); domain/ imports no i18n.
- Choices made here (also in the help text of the editor):
  * postcode patterns: a plain value is a PREFIX ("10" = every postcode starting 10),
    a value with * ? [ ] is a glob on the whole postcode (fnmatch, "1011??"), and
    "8881-8899" is a numeric range on the leading digits (Dutch islands, say). Postcodes are
    compared without spaces, in capitals. No regular expressions: one typo in a regex is a
    rule that silently never matches.
  * SKU patterns are globs ("MUG-*"); the rule says whether ANY item or ALL items must match.
  * amounts, weights and item counts are inclusive bounds (min <= value <= max).
  * weight: the sum over the items of quantity x weight from the SKU weight table, with the
    default weight per item for SKUs not in the table. A weight action sets the weight of
    EACH parcel (GLS accepts 0.2-31.9 kg per parcel); otherwise the total is spread evenly
    over the parcels, never below 0.2 kg. A parcel that would weigh more than 31.9 kg holds
    the order ("raise the number of parcels") instead of failing at GLS.
- Decision.services uses the GLS NL Label API's own keys (expressService, saturdayService,
  shopDeliveryService, shopDeliveryParcelShopId, addresseeOnlyService) so labelling copies it
  into the request as it is.

Pure: no I/O, nothing of glstui outside domain/.

The package: model (choices, messages, Rule), parse (what an operator types), validate
(every problem of a rule), evaluation (the Decision for an order). This module re-exports
them so `from glstui.domain.rules import ...` keeps working.
"""

from __future__ import annotations

from glstui.domain.rules.evaluation import (
    HELD_BY_RULE,
    TOO_HEAVY,
    Decision,
    auto_product,
    evaluate,
    matches,
    order_weight,
    services_of,
    sku_weight,
)
from glstui.domain.rules.model import (
    AMOUNT_LIMIT,
    AUTO,
    BUSINESS_PARCEL,
    COUNTRY_CODES,
    DOMESTIC,
    EU_COUNTRIES,
    EURO_BUSINESS_PARCEL,
    EXPRESS_LABELS,
    EXPRESS_PARCEL,
    EXPRESS_TIMES,
    GLOBAL_BUSINESS_PARCEL,
    HOLD_REASON_MAX,
    ITEMS_LIMIT,
    MAX_RULES,
    MESSAGES,
    PARCEL_SHOP_ID_MAX,
    PARCELS_MAX,
    PARCELS_MIN,
    PATTERN_MAX,
    PRODUCTS,
    RULE_NAME_MAX,
    SERVICE_LEVELS,
    SKU_MATCH_ALL,
    SKU_MATCH_ANY,
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
    POSTCODE_RANGE,
    format_list,
    format_number,
    normalise_service_level,
    parse_countries,
    parse_int,
    parse_marketplaces,
    parse_number,
    parse_postcodes,
    parse_service_levels,
    parse_skus,
    parse_weight,
    split_values,
)
from glstui.domain.rules.validate import (
    normalise_rule,
    rule_errors,
    rule_warnings,
    validate_rule,
    validate_rules,
)

__all__ = [
    "AMOUNT_LIMIT",
    "AUTO",
    "BUSINESS_PARCEL",
    "COUNTRY_CODES",
    "DOMESTIC",
    "EURO_BUSINESS_PARCEL",
    "EU_COUNTRIES",
    "EXPRESS_LABELS",
    "EXPRESS_PARCEL",
    "EXPRESS_TIMES",
    "GLOBAL_BUSINESS_PARCEL",
    "HELD_BY_RULE",
    "HOLD_REASON_MAX",
    "ITEMS_LIMIT",
    "MAX_RULES",
    "MESSAGES",
    "PARCELS_MAX",
    "PARCELS_MIN",
    "PARCEL_SHOP_ID_MAX",
    "PATTERN_MAX",
    "POSTCODE_RANGE",
    "PRODUCTS",
    "RULE_NAME_MAX",
    "SERVICE_LEVELS",
    "SKU_MATCHES",
    "SKU_MATCH_ALL",
    "SKU_MATCH_ANY",
    "TOO_HEAVY",
    "WEIGHT_LIMIT_KG",
    "WEIGHT_MAX_KG",
    "WEIGHT_MIN_KG",
    "Actions",
    "Conditions",
    "Decision",
    "Rule",
    "RuleError",
    "auto_product",
    "evaluate",
    "format_list",
    "format_number",
    "matches",
    "normalise_rule",
    "normalise_service_level",
    "order_weight",
    "parse_countries",
    "parse_int",
    "parse_marketplaces",
    "parse_number",
    "parse_postcodes",
    "parse_service_levels",
    "parse_skus",
    "parse_weight",
    "rule_errors",
    "rule_warnings",
    "services_of",
    "sku_weight",
    "split_values",
    "validate_rule",
    "validate_rules",
]
