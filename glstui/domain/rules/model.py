"""Shipping rules, the model: the choices and limits, the messages, RuleError and Rule itself.

Rules are plain JSON dicts in Integration.rules (`Rule.to_dict` / `Rule.from_dict`); reading
one checks every key's type so a damaged data file says which rule is wrong.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from glstui.domain.errors import ValidationError

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


_Part = TypeVar("_Part", Conditions, Actions)


def _build(cls: type[_Part], data: object) -> _Part:
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__.lower()} must be an object")
    names = set(cls.__dataclass_fields__)
    kwargs = {key: _checked(key, value) for key, value in data.items() if key in names}
    return cls(**kwargs)


def _checked(key: str, value: Any) -> Any:
    """One stored field, type-checked (TypeError says which) and copied as the field wants."""
    if key in _LIST_FIELDS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{key} must be a list of texts")
        return list(value)
    if key in _INT_FIELDS:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{key} must be a whole number")
        return value
    if key in _FLOAT_FIELDS:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{key} must be a number")
        return float(value)
    if key in _TRI_FIELDS:
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{key} must be true, false or empty")
        return value
    if key in _BOOL_FIELDS:
        return _as_bool(value, key)
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a text")
    return value
