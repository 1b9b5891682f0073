"""Split a buyer's address lines into GLS's street / houseNo / houseNoExt, and clean postcodes.

Amazon gives free-text AddressLine1..3; GLS NL wants `street` (<= 40), `houseNo` (<= 5
digits) and `houseNoExt` (<= 5). Parsers that get this wrong either drop the suffix ("22b"
becomes 22) or refuse an address a courier would find easily, so the rules here are:

* The house number is anchored at the end of the line, like MyParcel's right-to-left NL
  regex: it is the leftmost number followed by nothing but a valid suffix up to the end of
  the line (suffix grammar below), so a number inside the street name
  ("Laan 1940-1945 3", "Plein 1944 12", "Provincialeweg N205 1", "1e Kruisweg 36") is never
  taken for the house number, and "23 B 03" keeps "B 03" as the suffix.
* Nothing the buyer typed is ever dropped. Other lines ("1e etage", "achterom", a company
  name), a note after the number ("Kerkstraat 12, achterom") and a suffix longer than 5
  characters go to `extra`, which the label prints in name2/name3.
* What cannot be made to fit safely raises AddressSplitError with a reason the operator can
  act on; the order is then held. That is: no house number at all, a house number of more
  than 5 digits, and a street name of more than 40 characters (cutting a street name could
  send the parcel to the wrong street, so it is never shortened here).
  Reasons never quote the address itself (it is personal data and may reach a log).
* Two bare trailing numbers ("Kade 3 1" = house 3, floor 1 in Amsterdam; "Plein 1945 27"
  = house 27) cannot be told apart by the grammar, except when the first is a year
  (1800-2099, a street name like "Plein 1944"): AmbiguousHouseNumber is raised with the
  candidate splits, so the order is held and the operator picks one.
* Amsterdam floor notations after the number ("3-hoog", "3 hg", "III", "huis") are a
  suffix, never a house number.
* Belgian box numbers longer than the 5-character houseNoExt: the courier reads the box best
  next to the number, so it is shortened to the usual abbreviation ("boîte 5" -> "bte 5",
  "bus 12" -> "bus12"); if even that does not fit, the whole box goes to name2 (extra).
  The box number itself is never dropped.
* Number-first lines ("12 rue de la Paix", "221B Baker Street") are only accepted for the
  countries that write them (NUMBER_FIRST_COUNTRIES), where they are tried first.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import NoReturn

from glstui.domain.errors import N_, GlstuiError, ValidationError

STREET_MAX = 40
HOUSE_NO_MAX = 5
HOUSE_NO_EXT_MAX = 5
NAME_MAX = 30
ZIP_MAX = 8


class AddressSplitError(GlstuiError, ValueError):
    """The street line cannot be split safely; `reason` tells the operator what to fix."""

    def __init__(self, template: str, /, **params: object) -> None:
        super().__init__(template, **params)
        self.candidates: tuple[SplitAddress, ...] = ()

    @property
    def reason(self) -> str:
        return self.user_message


class AmbiguousHouseNumber(AddressSplitError):
    """Two trailing numbers: `candidates` are the possible splits, the operator picks one."""

    def __init__(self, template: str, candidates: tuple[SplitAddress, ...]) -> None:
        super().__init__(template)
        self.candidates = candidates


@dataclass
class SplitAddress:
    street: str
    house_no: str
    house_no_ext: str = ""
    extra: list[str] = field(default_factory=list)


# --- the grammar of what may follow a house number -------------------------------------

# A Belgian box number: "bus 3", "bte 2", "boîte 12", "box 4".
_BOX = r"(?:bus|bte|bo[iî]te|box)\.?\s?[0-9a-z]{1,4}"
# Letters then a short number: "B 03", "zw/3", "A1", "b-2", "hs.1".
_LETTER_NUMBER = r"[a-z]{1,3}\s?[-/.]?\s?[0-9]{1,3}"
# Up to six letters, single spaces allowed: "b", "HS", "II", "bis", "zw", "boven", "a b".
_LETTERS = r"[a-z](?:[a-z]|\s(?=[a-z])){0,5}"
_LETTER_SUFFIX = rf"(?:\s?[-/.]\s?|\s)?(?:{_BOX}|{_LETTER_NUMBER}|{_LETTERS})"
# A dash or slash number: "-2", "3-5" (a range), "20/3", "- 14", "12-14a".
_DASH_NUMBER = r"\s?[-/]\s?[0-9]{1,4}[a-z]{0,2}"

# An Amsterdam floor: "3-hoog", "3 hg", "2 hoog achter".
_FLOOR_HOOG = r"\s?-?\s?[0-9]{1,2}\s?-?\s?(?:hoog|hg)(?:\s(?:achter|voor))?"

_NUMBER_SUFFIX = re.compile(
    rf"(?P<number>[0-9]{{1,5}})(?P<suffix>{_FLOOR_HOOG}|{_DASH_NUMBER}|{_LETTER_SUFFIX})?",
    re.IGNORECASE,
)
# Countries where the number may come first; elsewhere "1e etage" must not become a street.
NUMBER_FIRST_COUNTRIES = frozenset({"FR", "LU", "MC", "GB", "IE", "US", "CA", "AU", "NZ"})
# Number first (FR, GB, US, ...): "12 rue de la Paix", "12bis rue X", "221B Baker Street".
_NUMBER_FIRST = re.compile(
    r"(?P<number>[0-9]{1,5})(?P<suffix>[a-z]{1,2}|\s?(?:bis|ter|quater))?[\s,]+"
    r"(?P<street>[^\W\d_].*)",
    re.IGNORECASE,
)
_TOO_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{6,}(?![0-9])")
_FLOOR = (
    r"[0-9]{1,2}\s?(?:e|de|ste|er|re|ème|eme|st|nd|rd|th|\.)\s?"
    r"(?:etage|étage|verdieping|og|stock|obergeschoss|floor)\b"
)
_NOTE_WORDS = (
    r"(?:etage|étage|verdieping|achterom|achterzijde|achteringang|appartement|apartment|app\.?"
    r"|apt\.?|kamer|unit|flat|suite|hinterhaus|vorderhaus|stock|og|eg|dg|bâtiment|batiment"
    r"|bât\.?|bat\.?|escalier|résidence|residence|c/o|t\.?a\.?v\.?|attn\.?)(?:\s|$)"
)
# Where a note starts after the house number: "Kerkstraat 12 1e etage", "Dorpsweg 4 achterom".
_NOTE_START = re.compile(rf"\s(?={_FLOOR}|{_NOTE_WORDS})", re.IGNORECASE)
# A line that is a note, not a street: "1e etage", "Appartement 3", "Flat 3".
_NOTE_LINE = re.compile(rf"(?:{_FLOOR}|{_NOTE_WORDS})", re.IGNORECASE)
_SEP_CHARS = " ,"


def _clean(text: str) -> str:
    """One line: control characters become spaces, whitespace collapses, edges trimmed."""
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join(text.split()).strip(_SEP_CHARS + ";")


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _tidy_suffix(raw: str) -> str:
    """'-2' stays '-2' (it is a number), ' - B' becomes 'B', ' B 03' becomes 'B 03'."""
    suffix = raw.strip()
    if suffix[:1] in "-/." and len(suffix) > 1:
        rest = suffix[1:].lstrip()
        if rest[:1].isalpha():
            return rest
        return suffix[0] + rest
    return suffix


def _split_candidates(line: str) -> list[tuple[str, str]]:
    """Every (street, rest) a number could start at, left to right."""
    out = []
    for i in range(1, len(line)):
        prev, ch = line[i - 1], line[i]
        if not ch.isascii() or not ch.isdigit():
            continue
        if prev in _SEP_CHARS:
            out.append((line[:i].rstrip(_SEP_CHARS), line[i:]))
        elif prev.isalpha() and len(line[:i]) >= 3 and line[i - 3 : i].isalpha():
            # glued, as typed on phones: "Kerkstraat12"
            out.append((line[:i], line[i:]))
    return out


def _parse_line(line: str, number_first: bool = False) -> tuple[str, str, str] | None:
    """(street, number, suffix) for one cleaned line, or None."""
    if number_first:
        m = _NUMBER_FIRST.fullmatch(line)
        if m:
            return m["street"].strip(_SEP_CHARS), m["number"], (m["suffix"] or "").strip()
        return None
    for street, rest in _split_candidates(line):
        if not street or not _has_letter(street):
            continue
        m = _NUMBER_SUFFIX.fullmatch(rest)
        if m:
            return street, m["number"], _tidy_suffix(m["suffix"] or "")
    return None


def _parse_with_notes(
    line: str, number_first: bool = False
) -> tuple[tuple[str, str, str], list[str]] | None:
    """Parse one line; a note after the number or text after a comma goes to the notes.

    Order: a known note word after the number ("Kerkstraat 12 1e etage"), the whole line,
    then comma-separated parts ("Firma BV, Kerkstraat 12" / "Kerkstraat 12, achterom").
    """
    for m in _NOTE_START.finditer(line):
        head, note = _clean(line[: m.start()]), _clean(line[m.end() :])
        parsed = _parse_line(head, number_first) if head else None
        if parsed and note:
            return parsed, [note]
    whole = _parse_line(line, number_first)
    if whole and "," not in whole[0]:
        return whole, []
    segments = [s for s in (_clean(p) for p in line.split(",")) if s]
    if len(segments) > 1:
        for i, seg in enumerate(segments):
            parsed = _parse_line(seg, number_first)
            if parsed:
                return parsed, segments[:i] + segments[i + 1 :]
    if whole:
        return whole, []
    return None


def _strip_company(line: str, company: str) -> tuple[str, str]:
    """Take the company name out of a street line ("Firma BV Kerkstraat 1"): (rest, removed)."""
    if not company or len(company) < 2:
        return line, ""
    low, key = line.casefold(), company.casefold()
    if len(low) != len(line):  # casefold changed lengths (e.g. ß): leave the line alone
        return line, ""
    if low.startswith(key) and (len(line) == len(key) or line[len(key)] in _SEP_CHARS + "-"):
        return _clean(line[len(key) :].lstrip(_SEP_CHARS + "-")), line[: len(key)]
    if low.endswith(key) and len(line) > len(key) and line[-len(key) - 1] in _SEP_CHARS + "-":
        return _clean(line[: -len(key)].rstrip(_SEP_CHARS + "-")), line[-len(key) :]
    return line, ""


def split_street(lines: list[str], country_code: str, company: str = "") -> SplitAddress:
    """Split address lines into street, house number, suffix and extra lines.

    `lines` are AddressLine1..3 as the buyer typed them; `company` (Amazon CompanyName)
    helps to recognise a company name typed into a street line. Raises AddressSplitError.
    """
    country = (country_code or "").strip().upper()
    cleaned = [c for c in (_clean(raw or "") for raw in lines) if c]
    if not cleaned:
        raise AddressSplitError(N_("The address has no street line: add the street and number."))
    company = _clean(company or "")

    prepared: list[tuple[str, list[str]]] = []  # (line without company, removed company)
    for line in cleaned:
        rest, removed = _strip_company(line, company)
        prepared.append((rest, [removed] if removed else []))

    # Lines that start with a note ("Appartement 3", "1e etage") are the last to be tried
    # as the street line.
    order = sorted(range(len(prepared)), key=lambda i: bool(_NOTE_LINE.match(prepared[i][0])))
    found = None
    for number_first in (True, False) if country in NUMBER_FIRST_COUNTRIES else (False,):
        for idx in order:
            line = prepared[idx][0]
            parsed = _parse_with_notes(line, number_first) if line else None
            if parsed:
                found = (idx, idx, parsed)
                break
        if found is None and not number_first:
            # The number on its own line: "Kerkstraat" / "12 B".
            for idx in range(len(prepared) - 1):
                a, b = prepared[idx][0], prepared[idx + 1][0]
                if a and b and b[0].isdigit():
                    parsed = _parse_with_notes(f"{a} {b}")
                    if parsed:
                        found = (idx, idx + 1, parsed)
                        break
        if found is not None:
            break
    if found is None:
        _raise_unsplittable(cleaned)
    first, last, ((street, number, suffix), notes) = found

    extra: list[str] = []
    for idx, (line, taken) in enumerate(prepared):
        if first <= idx <= last:
            extra.extend(taken)
            if idx == last:
                extra.extend(notes)
        else:
            extra.extend(taken)
            if line:
                extra.append(line)

    if len(street) > STREET_MAX:
        raise AddressSplitError(
            N_(
                "The street name is {n} characters long; GLS allows {max}. "
                "Shorten it (for example 'Professor' to 'Prof.') and try again."
            ),
            n=len(street),
            max=STREET_MAX,
        )
    suffix = _short_box(suffix)
    if len(suffix) > HOUSE_NO_EXT_MAX:
        extra.insert(0, suffix)
        suffix = ""
    split = SplitAddress(street=street, house_no=number, house_no_ext=suffix, extra=extra)
    if country not in NUMBER_FIRST_COUNTRIES:
        _check_ambiguous(split)
    return split


_BOX_FULL = re.compile(r"(bus|bte|bo[iî]te|box)\.?\s?([0-9a-z]{1,4})", re.IGNORECASE)
_BOX_ABBR = {"bus": "bus", "bte": "bte", "boite": "bte", "boîte": "bte", "box": "box"}
_BARE_TAIL = re.compile(r"(?P<head>.*[^\W\d_].*?)\s(?P<number>[0-9]{1,5})")
_YEAR = re.compile(r"1[89][0-9]{2}|20[0-9]{2}")


def _short_box(suffix: str) -> str:
    """A Belgian box that is too long, in the short form that fits ("bte 5", "bus12")."""
    m = _BOX_FULL.fullmatch(suffix)
    if len(suffix) <= HOUSE_NO_EXT_MAX or not m:
        return suffix
    abbr, box = _BOX_ABBR[m[1].casefold()], m[2]
    for form in (f"{abbr} {box}", f"{abbr}{box}"):
        if len(form) <= HOUSE_NO_EXT_MAX:
            return form
    return suffix


def _check_ambiguous(split: SplitAddress) -> None:
    """Raise AmbiguousHouseNumber when the street ends in a bare number that is not a year."""
    m = _BARE_TAIL.fullmatch(split.street)
    if not m or _YEAR.fullmatch(m["number"]):
        return
    ext = " ".join(p for p in (split.house_no, split.house_no_ext) if p)
    extra = list(split.extra)
    if len(ext) > HOUSE_NO_EXT_MAX:
        extra.insert(0, ext)
        ext = ""
    first = SplitAddress(m["head"].rstrip(_SEP_CHARS), m["number"], ext, extra)
    raise AmbiguousHouseNumber(
        N_(
            "The street line ends in two numbers and it is not clear which one is the house "
            "number: pick the right split."
        ),
        (first, split),
    )


def _raise_unsplittable(lines: list[str]) -> NoReturn:
    if any(_TOO_LONG_NUMBER.search(line) for line in lines):
        raise AddressSplitError(
            N_(
                "The house number has more than {max} digits, which GLS does not "
                "accept: check the street line and correct the house number."
            ),
            max=HOUSE_NO_MAX,
        )
    if not any(ch.isdigit() for line in lines for ch in line):
        raise AddressSplitError(
            N_("No house number found in the address: add the house number to the street line.")
        )
    raise AddressSplitError(
        N_(
            "The street and house number cannot be told apart: write the street line as "
            "'Street 12 A' and try again."
        )
    )


def fit_name_lines(extra: list[str], slots: int = 2, width: int = NAME_MAX) -> list[str]:
    """Pack `extra` into at most `slots` lines of `width` (name2/name3), joined by ', '.

    Raises AddressSplitError when it does not fit: text is never cut off.
    """
    out: list[str] = []
    for item in (e for e in extra if e):
        if out and len(out[-1]) + 2 + len(item) <= width:
            out[-1] = f"{out[-1]}, {item}"
        else:
            out.append(item)
    if len(out) > slots or any(len(line) > width for line in out):
        raise AddressSplitError(
            N_(
                "The extra address text does not fit in {slots} lines of {width} characters: "
                "shorten the second and third address lines."
            ),
            slots=slots,
            width=width,
        )
    return out


# --- postcodes ---------------------------------------------------------------------------

_NL = re.compile(r"[1-9][0-9]{3}\s?[A-Za-z]{2}")
_DIGITS = {"BE": 4, "AT": 4, "LU": 4, "CH": 4, "DK": 4, "DE": 5, "FR": 5, "ES": 5, "IT": 5}
_PREFIXES = {"BE": ("BE-", "B-", "B"), "DE": ("DE-", "D-", "D"), "LU": ("LU-", "L-", "L")}
_OTHER = re.compile(r"[A-Z0-9][A-Z0-9 -]*")


def normalise_postcode(code: str, country: str) -> str:
    """The postcode in the form GLS's API wants (NL '1234AB'); raises ValidationError."""
    cc = (country or "").strip().upper()
    raw = " ".join((code or "").split()).upper()
    if not raw:
        raise ValidationError("postal_code", N_("The postcode is missing: add it to the address."))
    if cc == "NL":
        compact = raw.replace(" ", "")
        if not _NL.fullmatch(raw) and not _NL.fullmatch(compact):
            raise ValidationError(
                "postal_code",
                N_(
                    "A Dutch postcode is 4 digits (not starting with 0) and 2 letters, "
                    "like 1234 AB."
                ),
            )
        return compact
    if cc in _DIGITS:
        digits = raw.replace(" ", "")
        for prefix in _PREFIXES.get(cc, ()):
            if digits.startswith(prefix) and digits[len(prefix) :].isdigit():
                digits = digits[len(prefix) :]
                break
        n = _DIGITS[cc]
        if len(digits) != n or not (digits.isascii() and digits.isdigit()):
            raise ValidationError(
                "postal_code",
                N_("A postcode in {country} is {n} digits, like {example}."),
                country=cc,
                n=n,
                example="1" + "0" * (n - 1),
            )
        return digits
    if len(raw) > ZIP_MAX or not _OTHER.fullmatch(raw) or not raw.isascii():
        raise ValidationError(
            "postal_code",
            N_("The postcode must be at most {max} letters, digits, spaces or dashes."),
            max=ZIP_MAX,
        )
    return raw


def display_postcode(code: str, country: str) -> str:
    """How an operator reads it: NL '1234 AB'; anything unparsable is shown as typed."""
    try:
        value = normalise_postcode(code, country)
    except ValidationError:
        return (code or "").strip()
    if (country or "").strip().upper() == "NL":
        return f"{value[:4]} {value[4:]}"
    return value
