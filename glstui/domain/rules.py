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
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from glstui.domain.errors import ValidationError
from glstui.domain.order import Order
from glstui.domain.settings import LABEL_FORMATS

# --- choices --------------------------------------------------------------------------------

AUTO = "auto"
BUSINESS_PARCEL = "BusinessParcel"
EURO_BUSINESS_PARCEL = "EuroBusinessParcel"
GLOBAL_BUSINESS_PARCEL = "GlobalBusinessParcel"
EXPRESS_PARCEL = "ExpressParcel"
PRODUCTS = (AUTO, BUSINESS_PARCEL, EURO_BUSINESS_PARCEL, GLOBAL_BUSINESS_PARCEL, EXPRESS_PARCEL)

# GLS NL expressService values: delivered before 9:00, 10:00, 12:00 or 17:00 the next day.
EXPRESS_TIMES = ("t9", "t10", "t12", "t17")
EXPRESS_LABELS = {"t9": "09:00", "t10": "10:00", "t12": "12:00", "t17": "17:00"}

# Amazon's ShipmentServiceLevelCategory (Orders v0); Orders v2026 spells them NEXT_DAY etc.
SERVICE_LEVELS = (
    "Expedited",
    "FreeEconomy",
    "NextDay",
    "Priority",
    "SameDay",
    "Scheduled",
    "SecondDay",
    "Standard",
)
SKU_MATCH_ANY = "any"
SKU_MATCH_ALL = "all"
SKU_MATCHES = (SKU_MATCH_ANY, SKU_MATCH_ALL)

PARCELS_MIN, PARCELS_MAX = 1, 10
WEIGHT_MIN_KG, WEIGHT_MAX_KG = 0.2, 31.9  # per parcel, GLS NL
RULE_NAME_MAX = 40
HOLD_REASON_MAX = 100
PATTERN_MAX = 40
MAX_RULES = 100
PARCEL_SHOP_ID_MAX = 20
ITEMS_LIMIT = 10_000
AMOUNT_LIMIT = Decimal("1000000")
WEIGHT_LIMIT_KG = 10_000.0

# ISO 3166-1 alpha-2.
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK
    DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR
    GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM
    KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP
    MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST
    SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG
    VI VN VU WF WS YE YT ZA ZM ZW"""
_EU_CODES = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
COUNTRY_CODES = frozenset(_ISO_CODES.split())
EU_COUNTRIES = frozenset(_EU_CODES.split())
DOMESTIC = "NL"

# --- messages ---------------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    "name_required": "The rule needs a name.",
    "name_too_long": "The rule name is too long: at most {max} characters.",
    "name_taken": "Another rule is already called '{name}': choose another name.",
    "too_many_rules": "A shop can have at most {max} rules.",
    "bad_country": "'{value}' is not a country code: use two letters, like NL, BE or DE.",
    "country_uk": "'UK' is not a country code: use GB for the United Kingdom.",
    "bad_postcode": (
        "'{value}' is not a postcode pattern: use a prefix (10), a pattern with * and ? "
        "(1011??) or a range (8881-8899)."
    ),
    "bad_range": "'{value}': a postcode range needs two numbers of the same length, low-high.",
    "bad_marketplace": (
        "'{value}' is not an Amazon marketplace id (like A1805IZSGTT6HS) or code (like NL)."
    ),
    "bad_sku": "'{value}' is not a SKU pattern: at most {max} characters, no spaces or commas.",
    "bad_sku_match": "Choose whether any item or all items must match the SKU patterns.",
    "bad_service_level": "'{value}' is not an Amazon shipping speed: use one of {choices}.",
    "not_whole_number": "'{value}' is not a whole number.",
    "not_number": "'{value}' is not a number.",
    "negative": "The value cannot be negative.",
    "too_big": "The value is too big: at most {max}.",
    "min_above_max": "The minimum ({low}) is above the maximum ({high}).",
    "bad_product": "'{value}' is not a GLS product: use one of {choices}.",
    "bad_express": "'{value}' is not an express time: use one of t9, t10, t12 or t17.",
    "express_product": (
        "Express delivery needs the product ExpressParcel (or Automatic), not {product}."
    ),
    "express_needs_time": "ExpressParcel needs an express time: t9, t10, t12 or t17.",
    "express_saturday": "Express and Saturday delivery cannot be combined: choose one.",
    "express_parcelshop": "Express parcels go to the door, not to a ParcelShop: choose one.",
    "parcelshop_addressee": (
        "ParcelShop delivery and 'addressee only' cannot be combined: choose one."
    ),
    "parcelshop_id_without_shop": "A ParcelShop id needs ParcelShop delivery switched on.",
    "bad_parcelshop_id": "The ParcelShop id is at most {max} letters and digits.",
    "parcels_range": "The number of parcels must be {min} to {max}.",
    "weight_range": "The weight per parcel must be {min} to {max} kg.",
    "bad_label_format": "'{value}' is not a label format: use pdf, pdfA6U or zpl.",
    "hold_reason_too_long": "The hold reason is too long: at most {max} characters.",
    "hold_and_skip": "A rule either holds orders or skips them, not both: choose one.",
    "bad_rule": "This rule is damaged in the data file: {detail}.",
}


class RuleError(ValidationError):
    """A ValidationError whose message is MESSAGES[key] filled with params (translatable)."""

    def __init__(self, field: str, key: str, rule: str = "", **params: Any) -> None:
        self.key = key
        self.template = MESSAGES[key]
        self.params = {k: str(v) for k, v in params.items()}
        self.rule = rule
        super().__init__(field, self.template, **self.params)

    def in_rule(self, rule: str) -> RuleError:
        """The same error, remembering which rule it belongs to (for a list of rules)."""
        return RuleError(self.field, self.key, rule, **self.params)


# --- the rule ---------------------------------------------------------------------------------


@dataclass
class Conditions:
    """What an order must have for the rule to apply; an empty condition is 'any'."""

    countries: list[str] = field(default_factory=list)
    postcodes: list[str] = field(default_factory=list)
    marketplaces: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)
    sku_match: str = SKU_MATCH_ANY
    items_min: int | None = None
    items_max: int | None = None
    total_min: float | None = None
    total_max: float | None = None
    service_levels: list[str] = field(default_factory=list)
    prime: bool | None = None
    business: bool | None = None
    weight_min: float | None = None
    weight_max: float | None = None

    def is_empty(self) -> bool:
        return self == Conditions(sku_match=self.sku_match)


@dataclass
class Actions:
    """What the rule decides. Empty / default values mean 'as without rules'."""

    product: str = AUTO
    express: str = ""
    saturday: bool = False
    parcelshop: bool = False
    parcelshop_id: str = ""
    addressee_only: bool = False
    parcels: int = 1
    weight_kg: float | None = None  # per parcel; None = from the items
    label_format: str = ""  # "" = the format in the settings
    hold: bool = False
    hold_reason: str = ""
    skip: bool = False


@dataclass
class Rule:
    name: str
    enabled: bool = True
    conditions: Conditions = field(default_factory=Conditions)
    actions: Actions = field(default_factory=Actions)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rule:
        """Read a stored rule; unknown keys are ignored, wrong types raise RuleError."""
        if not isinstance(data, dict):
            raise RuleError("rule", "bad_rule", detail="not an object")
        name = data.get("name", "")
        try:
            return cls(
                name=str(name),
                enabled=_as_bool(data.get("enabled", True), "enabled"),
                conditions=_build(Conditions, data.get("conditions") or {}),
                actions=_build(Actions, data.get("actions") or {}),
            )
        except (TypeError, ValueError) as exc:
            raise RuleError("rule", "bad_rule", rule=str(name), detail=str(exc)) from exc


_LIST_FIELDS = {"countries", "postcodes", "marketplaces", "skus", "service_levels"}
_INT_FIELDS = {"items_min", "items_max", "parcels"}
_FLOAT_FIELDS = {"total_min", "total_max", "weight_min", "weight_max", "weight_kg"}
_TRI_FIELDS = {"prime", "business"}
_BOOL_FIELDS = {"saturday", "parcelshop", "addressee_only", "hold", "skip"}


def _as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"{name} must be true or false")


def _build(cls: type, data: Any) -> Any:
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__.lower()} must be an object")
    kwargs: dict[str, Any] = {}
    names = {f for f in cls.__dataclass_fields__}
    for key, value in data.items():
        if key not in names:
            continue
        if key in _LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TypeError(f"{key} must be a list of texts")
            value = list(value)
        elif key in _INT_FIELDS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise TypeError(f"{key} must be a whole number")
        elif key in _FLOAT_FIELDS:
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise TypeError(f"{key} must be a number")
                value = float(value)
        elif key in _TRI_FIELDS:
            if value is not None and not isinstance(value, bool):
                raise TypeError(f"{key} must be true, false or empty")
        elif key in _BOOL_FIELDS:
            value = _as_bool(value, key)
        elif not isinstance(value, str):
            raise TypeError(f"{key} must be a text")
        kwargs[key] = value
    return cls(**kwargs)


# --- parsing what an operator types (the editor uses these; they also normalise) -------------


def split_values(text: str) -> list[str]:
    """'NL, be;de  FR' -> ['NL', 'be', 'de', 'FR']: commas, semicolons or spaces separate."""
    return [v for v in re.split(r"[\s,;]+", text or "") if v]


def parse_countries(text: str | list[str], field_name: str = "conditions.countries") -> list[str]:
    values = split_values(text) if isinstance(text, str) else list(text)
    out: list[str] = []
    for raw in values:
        code = raw.strip().upper()
        if code == "UK":
            raise RuleError(field_name, "country_uk")
        if code not in COUNTRY_CODES:
            raise RuleError(field_name, "bad_country", value=raw)
        if code not in out:
            out.append(code)
    return out


_RANGE = re.compile(r"([0-9]+)-([0-9]+)")
_GLOB_OK = re.compile(r"[A-Z0-9*?\[\]!-]+")


def _check_postcode(pattern: str, field_name: str) -> str:
    pattern = pattern.strip()
    value = pattern.upper().replace(" ", "")
    if not value or len(value) > PATTERN_MAX or not _GLOB_OK.fullmatch(value):
        raise RuleError(field_name, "bad_postcode", value=pattern)
    m = _RANGE.fullmatch(value)
    if m:
        low, high = m.groups()
        if len(low) != len(high) or int(low) > int(high):
            raise RuleError(field_name, "bad_range", value=pattern)
        return value
    if "-" in value and "[" not in value:
        raise RuleError(field_name, "bad_range", value=pattern)
    if value.count("[") != value.count("]") or re.search(r"\[[^\]]*\[", value):
        raise RuleError(field_name, "bad_postcode", value=pattern)
    return value


def parse_postcodes(text: str | list[str], field_name: str = "conditions.postcodes") -> list[str]:
    # Postcodes may contain a space ("1011 AB"), so only commas and semicolons separate here.
    if isinstance(text, str):
        values = [v for v in re.split(r"[,;\n]+", text) if v.strip()]
    else:
        values = list(text)
    out: list[str] = []
    for raw in values:
        value = _check_postcode(raw, field_name)
        if value not in out:
            out.append(value)
    return out


_MARKETPLACE_ID = re.compile(r"A[A-Z0-9]{8,15}")
_MARKETPLACE_CODE = re.compile(r"[A-Z]{2}")


def parse_marketplaces(
    text: str | list[str], field_name: str = "conditions.marketplaces"
) -> list[str]:
    """Marketplace ids (A1805IZSGTT6HS) or two-letter codes (NL); services map codes to ids."""
    values = split_values(text) if isinstance(text, str) else list(text)
    out: list[str] = []
    for raw in values:
        value = raw.strip().upper()
        if not (_MARKETPLACE_ID.fullmatch(value) or _MARKETPLACE_CODE.fullmatch(value)):
            raise RuleError(field_name, "bad_marketplace", value=raw)
        if value not in out:
            out.append(value)
    return out


_SKU_BAD = re.compile(r"[\s,;]")


def parse_skus(text: str | list[str], field_name: str = "conditions.skus") -> list[str]:
    values = split_values(text) if isinstance(text, str) else list(text)
    out: list[str] = []
    for raw in values:
        if not raw or len(raw) > PATTERN_MAX or _SKU_BAD.search(raw):
            raise RuleError(field_name, "bad_sku", value=raw, max=PATTERN_MAX)
        if raw.count("[") != raw.count("]"):
            raise RuleError(field_name, "bad_sku", value=raw, max=PATTERN_MAX)
        if raw not in out:
            out.append(raw)
    return out


def _level_key(text: str) -> str:
    return re.sub(r"[\s_-]", "", text).casefold()


_LEVELS_BY_KEY = {_level_key(level): level for level in SERVICE_LEVELS}


def normalise_service_level(text: str) -> str:
    """'NEXT_DAY', 'next day', 'NextDay' -> 'NextDay'; unknown text is returned unchanged."""
    return _LEVELS_BY_KEY.get(_level_key(text or ""), text or "")


def parse_service_levels(
    text: str | list[str], field_name: str = "conditions.service_levels"
) -> list[str]:
    if isinstance(text, str):
        values = [v for v in re.split(r"[,;]+|\s+(?=[A-Za-z])", text) if v.strip()]
        # "Next Day" typed with a space: glue words that only make sense together.
        values = _glue_levels(values)
    else:
        values = list(text)
    out: list[str] = []
    for raw in values:
        level = _LEVELS_BY_KEY.get(_level_key(raw))
        if level is None:
            choices = ", ".join(SERVICE_LEVELS)
            raise RuleError(field_name, "bad_service_level", value=raw.strip(), choices=choices)
        if level not in out:
            out.append(level)
    return out


def _glue_levels(parts: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(parts):
        word = parts[i].strip()
        if _level_key(word) not in _LEVELS_BY_KEY and i + 1 < len(parts):
            joined = word + parts[i + 1].strip()
            if _level_key(joined) in _LEVELS_BY_KEY:
                out.append(joined)
                i += 2
                continue
        out.append(word)
        i += 1
    return out


def parse_int(
    text: str, field_name: str, *, minimum: int = 0, maximum: int = ITEMS_LIMIT
) -> int | None:
    """'' -> None; '3' -> 3; refuses fractions, negatives and values above `maximum`."""
    value = (text or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        raise RuleError(field_name, "not_whole_number", value=value)
    number = int(value)
    if number < 0:
        raise RuleError(field_name, "negative")
    if number < minimum or number > maximum:
        if field_name.endswith("parcels"):
            raise RuleError(field_name, "parcels_range", min=PARCELS_MIN, max=PARCELS_MAX)
        raise RuleError(field_name, "too_big", max=maximum)
    return number


def parse_number(text: str, field_name: str, *, maximum: float = WEIGHT_LIMIT_KG) -> float | None:
    """'' -> None; '12,50' and '12.50' -> 12.5 (decimal comma accepted); no negatives."""
    value = (text or "").strip().replace(" ", "")
    if not value:
        return None
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RuleError(field_name, "not_number", value=text.strip()) from None
    if not number.is_finite():
        raise RuleError(field_name, "not_number", value=text.strip())
    if number < 0:
        raise RuleError(field_name, "negative")
    if number > Decimal(str(maximum)):
        raise RuleError(field_name, "too_big", max=_fmt(maximum))
    return float(number)


def parse_weight(text: str, field_name: str = "actions.weight_kg") -> float | None:
    value = parse_number(text, field_name)
    if value is not None and not WEIGHT_MIN_KG <= value <= WEIGHT_MAX_KG:
        raise RuleError(field_name, "weight_range", min=WEIGHT_MIN_KG, max=WEIGHT_MAX_KG)
    return value


def _fmt(value: float) -> str:
    return f"{value:g}"


def format_list(values: list[str]) -> str:
    return ", ".join(values)


def format_number(value: float | int | None) -> str:
    return "" if value is None else _fmt(float(value))


# --- validation --------------------------------------------------------------------------------


def rule_errors(rule: Rule) -> list[RuleError]:
    """Every problem of one rule (empty list = valid), with dotted field names."""
    errors: list[RuleError] = []

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RuleError as err:
            errors.append(err)
            return None

    name = (rule.name or "").strip()
    if not name:
        errors.append(RuleError("name", "name_required"))
    elif len(name) > RULE_NAME_MAX:
        errors.append(RuleError("name", "name_too_long", max=RULE_NAME_MAX))

    c = rule.conditions
    check(parse_countries, c.countries)
    check(parse_postcodes, c.postcodes)
    check(parse_marketplaces, c.marketplaces)
    check(parse_skus, c.skus)
    if c.sku_match not in SKU_MATCHES:
        errors.append(RuleError("conditions.sku_match", "bad_sku_match"))
    check(parse_service_levels, c.service_levels)
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
                errors.append(RuleError(f"conditions.{fname}", "too_big", max=_fmt(limit)))
                bad = True
        if not bad and low is not None and high is not None and low > high:
            errors.append(
                RuleError(f"conditions.{low_name}", "min_above_max", low=_fmt(low), high=_fmt(high))
            )

    a = rule.actions
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
    return [e.in_rule(name) for e in errors]


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
    m = _RANGE.fullmatch(pattern)
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


def _in_range(value: float | Decimal | None, low: Any, high: Any) -> bool:
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
    c = conditions
    country = order.country_code or (order.recipient.country_code if order.recipient else "")
    country = country.upper()
    if c.countries and country not in {x.upper() for x in c.countries}:
        return False
    if c.postcodes:
        postcode = order.recipient.postal_code if order.recipient else ""
        if not postcode or not any(_postcode_matches(postcode, p) for p in c.postcodes):
            return False
    if c.marketplaces and not _marketplace_matches(
        order.marketplace_id or "", c.marketplaces, marketplace_codes or {}
    ):
        return False
    if c.skus:
        hits = [
            any(fnmatch.fnmatchcase(item.sku.casefold(), p.casefold()) for p in c.skus)
            for item in order.items
        ]
        if not hits:
            return False
        if c.sku_match == SKU_MATCH_ALL and not all(hits):
            return False
        if c.sku_match != SKU_MATCH_ALL and not any(hits):
            return False
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
        reason = translate(TOO_HEAVY).format(weight=_fmt(per_parcel), max=_fmt(WEIGHT_MAX_KG))
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
