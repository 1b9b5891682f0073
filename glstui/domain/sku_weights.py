"""The SKU weight table: kg per item, so shipping rules and labels know an order's weight.

Amazon orders carry no weights, and a label with a guessed weight is a surcharge later, so the
warehouse keeps one table (SKU -> kg per item) for all shops, imported from a CSV an operator
exports from a spreadsheet. The parser is forgiving about what spreadsheets do and strict about
what would give a wrong weight:
- "sku,weight_kg" rows; the header line is optional; ";" or tab separated files (Dutch Excel)
  are recognised from the first line; blank lines and lines starting with # are ignored;
- a decimal comma is accepted ("1,5" in a ";" file, or "1,5" quoted in a "," file; an
  unquoted "SKU,1,5" in a "," file is read as 1.5 too, as the only sensible reading);
- "kg" after the number is allowed, "g" converts grams ("250 g" = 0.25 kg);
- a bad row is reported with its line number and the reason, and the other rows still load;
- a SKU listed twice: the last line wins, with a warning naming both lines.
Pure: no I/O.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SKU_MAX = 40  # Amazon's SellerSKU limit
ITEM_WEIGHT_MAX_KG = 1000.0

# English templates (translated above the domain: glstui/locale/nl/rules.json).
CSV_MESSAGES = {
    "columns": "expected 2 columns (sku, weight_kg), found {n}",
    "sku_missing": "the SKU is empty",
    "sku_too_long": "the SKU is longer than {max} characters",
    "weight_missing": "the weight is empty",
    "not_number": "'{value}' is not a weight in kg",
    "negative": "the weight cannot be negative",
    "too_heavy": "{value} kg per item is more than {max} kg: is it in grams? write '{value} g'",
    "duplicate": "SKU '{sku}' is also on line {first}: the weight on line {this} is used",
    "empty": "the file has no rows with a SKU and a weight",
}


@dataclass(frozen=True)
class CsvProblem:
    """A row that was refused (`warning` False) or taken with a remark (`warning` True)."""

    line: int
    key: str
    params: tuple[tuple[str, str], ...] = ()
    warning: bool = False

    @property
    def template(self) -> str:
        return CSV_MESSAGES[self.key]

    @property
    def message(self) -> str:
        return self.template.format(**dict(self.params))

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def _problem(at: int, key: str, warning: bool = False, **params: object) -> CsvProblem:
    return CsvProblem(at, key, tuple((k, str(v)) for k, v in params.items()), warning)


_HEADER_WORDS = ("sku", "weight", "gewicht", "artikel", "kg")
_UNIT = re.compile(r"^(?P<num>.*?)\s*(?P<unit>kg|g|gr|gram)?$", re.IGNORECASE)


def parse_weight_text(text: str) -> float:
    """'1,5' / '1.5' / '1.5 kg' / '250 g' -> kg. Raises ValueError with a CSV_MESSAGES key."""
    raw = (text or "").strip()
    if not raw:
        raise ValueError("weight_missing")
    m = _UNIT.match(raw)
    number, unit = (m["num"], (m["unit"] or "kg").lower()) if m else (raw, "kg")
    number = number.strip().replace(" ", "")
    if number.count(",") == 1 and "." not in number:
        number = number.replace(",", ".")
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError("not_number") from None
    if not value.is_finite():
        raise ValueError("not_number")
    if unit != "kg":
        value = value / 1000
    if value < 0:
        raise ValueError("negative")
    return float(value)


def _delimiter(first_line: str) -> str:
    if "\t" in first_line:
        return "\t"
    if ";" in first_line:
        return ";"
    return ","


def _looks_like_header(cells: list[str]) -> bool:
    joined = " ".join(cells).casefold()
    if not any(word in joined for word in _HEADER_WORDS):
        return False
    try:
        parse_weight_text(cells[-1])
    except ValueError:
        return True
    return False


def parse_csv(text: str) -> tuple[dict[str, float], list[CsvProblem]]:
    """(SKU -> kg per item, problems with 1-based line numbers). Rows with errors are left out."""
    text = (text or "").lstrip("\ufeff")
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    delimiter = _delimiter(first)
    weights: dict[str, float] = {}
    where: dict[str, int] = {}
    problems: list[CsvProblem] = []
    seen_data = False
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]
        while cells and cells[-1] == "" and len(cells) > 2:
            cells.pop()  # trailing separators from spreadsheets
        if not seen_data and _looks_like_header(cells):
            seen_data = True
            continue
        seen_data = True
        if delimiter == "," and len(cells) == 3 and cells[1].isdigit() and cells[2].isdigit():
            cells = [cells[0], f"{cells[1]}.{cells[2]}"]  # SKU,1,5 = decimal comma
        if len(cells) != 2:
            problems.append(_problem(number, "columns", n=len(cells)))
            continue
        sku, weight_text = cells
        if not sku:
            problems.append(_problem(number, "sku_missing"))
            continue
        if len(sku) > SKU_MAX:
            problems.append(_problem(number, "sku_too_long", max=SKU_MAX))
            continue
        try:
            weight = parse_weight_text(weight_text)
        except ValueError as exc:
            key = str(exc)
            problems.append(_problem(number, key, value=weight_text))
            continue
        if weight > ITEM_WEIGHT_MAX_KG:
            problems.append(
                _problem(number, "too_heavy", value=weight_text, max=f"{ITEM_WEIGHT_MAX_KG:g}")
            )
            continue
        if sku in weights:
            first_line = where[sku]
            problems.append(
                _problem(number, "duplicate", True, sku=sku, first=first_line, this=number)
            )
        weights[sku] = round(weight, 4)
        where[sku] = number
    if not weights and not any(not p.warning for p in problems):
        problems.append(_problem(0, "empty"))
    return weights, problems


def to_csv(weights: dict[str, float]) -> str:
    """The table as a CSV the parser reads back (header, sorted by SKU, decimal point)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sku", "weight_kg"])
    for sku in sorted(weights):
        writer.writerow([sku, f"{weights[sku]:g}"])
    return out.getvalue()
