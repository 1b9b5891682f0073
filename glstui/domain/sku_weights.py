"""The SKU weight table: kg per item, so shipping rules and labels know an order's weight.

Amazon orders carry no weights, and a label with a guessed weight is a surcharge later, so the
warehouse keeps one table (SKU -> kg per item) for all shops, imported from a CSV an operator
exports from a spreadsheet. The parser is forgiving about what spreadsheets do and strict about
what would give a wrong weight:
- "sku,weight_kg" rows; the header line is optional; ";" or tab separated files (Dutch Excel)
  are recognised from the first line; blank lines and lines starting with # are ignored;
- a decimal comma is accepted ("1,5" in a ";" file, or "1,5" quoted in a "," file); an
  unquoted "SKU,1,5" in a "," file is refused as ambiguous, never guessed: "MUG-1,2,100" from
  a "sku,weight_kg,stock" sheet would otherwise become 2.1 kg;
- "kg" after the number is allowed, "g" converts grams ("250 g" = 0.25 kg); 0 is refused
  (a missing weight typed as 0 would make every rule think the parcel weighs nothing);
- a SKU with a control or invisible character (a quoted line break, a tab, a zero-width
  space) is refused: it could never match an Amazon SKU and looks like another one;
- a file with NUL characters (saved as UTF-16 "Unicode text") is refused as a whole with
  what to do, instead of a page of unreadable rows;
- a bad row is reported with its (first) line number and the reason, and the other rows
  still load;
- a SKU listed twice: the last line wins, with a warning naming both lines.
Pure: no I/O.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
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
    "zero": "the weight is 0: write the real weight per item",
    "ambiguous": (
        "'{value}' is either a weight with a decimal comma or two columns: write the weight "
        "with a decimal point (or in quotes), and keep only the sku and weight_kg columns"
    ),
    "sku_control": "the SKU contains a line break, tab or invisible character",
    "unclosed_quote": "a quote opened here is never closed: the rest of the file is not read",
    "utf16": (
        "the file is saved as UTF-16 ('Unicode text'): save it as 'CSV UTF-8' (or plain CSV) "
        "and import it again"
    ),
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


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None]]:
    """(first line number, cells) per CSV record; None for an unclosed quote (then stop).

    The whole text goes through one csv reader, so a quoted line break stays inside its
    record (and is refused as part of a SKU) instead of splitting a row in two.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield start, None
            return
        yield start, row
        start = reader.line_num + 1


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _row_problem(number: int, cells: list[str], delimiter: str) -> CsvProblem | None:
    """Why a data row is refused (None: it has a SKU and a weight)."""
    if delimiter == "," and len(cells) == 3 and cells[1].isdigit() and cells[2].isdigit():
        return _problem(number, "ambiguous", value=f"{cells[1]},{cells[2]}")
    if len(cells) != 2:
        return _problem(number, "columns", n=len(cells))
    sku, weight_text = cells
    if not sku:
        return _problem(number, "sku_missing")
    if _has_control(sku):
        return _problem(number, "sku_control")
    if len(sku) > SKU_MAX:
        return _problem(number, "sku_too_long", max=SKU_MAX)
    try:
        weight = parse_weight_text(weight_text)
    except ValueError as exc:
        return _problem(number, str(exc), value=weight_text)
    if weight == 0:
        return _problem(number, "zero")
    if weight > ITEM_WEIGHT_MAX_KG:
        return _problem(number, "too_heavy", value=weight_text, max=f"{ITEM_WEIGHT_MAX_KG:g}")
    return None


def parse_csv(text: str) -> tuple[dict[str, float], list[CsvProblem]]:
    """(SKU -> kg per item, problems with 1-based line numbers). Rows with errors are left out."""
    text = (text or "").lstrip("\ufeff")
    if "\x00" in text:
        return {}, [_problem(0, "utf16")]
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    delimiter = _delimiter(first)
    weights: dict[str, float] = {}
    where: dict[str, int] = {}
    problems: list[CsvProblem] = []
    seen_data = False
    for number, row in _rows(text, delimiter):
        if row is None:
            problems.append(_problem(number, "unclosed_quote"))
            break
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        while cells and cells[-1] == "" and len(cells) > 2:
            cells.pop()  # trailing separators from spreadsheets
        if not seen_data and _looks_like_header(cells):
            seen_data = True
            continue
        seen_data = True
        problem = _row_problem(number, cells, delimiter)
        if problem is not None:
            problems.append(problem)
            continue
        sku, weight = cells[0], parse_weight_text(cells[1])
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
