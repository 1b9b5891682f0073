"""Shipping rules, parsing what an operator types: lists, patterns, numbers (they also normalise).

The editor calls these field by field; validation and normalise_rule reuse them on a whole rule.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from glstui.domain.rules.model import (
    COUNTRY_CODES,
    ITEMS_LIMIT,
    PARCELS_MAX,
    PARCELS_MIN,
    PATTERN_MAX,
    SERVICE_LEVELS,
    WEIGHT_LIMIT_KG,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
    RuleError,
)

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


POSTCODE_RANGE = re.compile(r"([0-9]+)-([0-9]+)")
_GLOB_OK = re.compile(r"[A-Z0-9*?\[\]!-]+")


def _check_postcode(pattern: str, field_name: str) -> str:
    pattern = pattern.strip()
    value = pattern.upper().replace(" ", "")
    if not value or len(value) > PATTERN_MAX or not _GLOB_OK.fullmatch(value):
        raise RuleError(field_name, "bad_postcode", value=pattern)
    m = POSTCODE_RANGE.fullmatch(value)
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
