"""Address splitting and postcodes: every case from the reference table, plus properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glstui.domain.address import (
    AddressSplitError,
    AmbiguousHouseNumber,
    SplitAddress,
    display_postcode,
    fit_name_lines,
    normalise_postcode,
    split_street,
)
from glstui.domain.errors import ValidationError

TABLE = [
    # (lines, country, street, house_no, house_no_ext, extra)
    (["Moussaouistraat 22b"], "NL", "Moussaouistraat", "22", "b", []),
    (["Moussaouistraat 22 B"], "NL", "Moussaouistraat", "22", "B", []),
    (["Moussaouistraat 22-2"], "NL", "Moussaouistraat", "22", "-2", []),
    (["Kerkstraat 3HS"], "NL", "Kerkstraat", "3", "HS", []),
    (
        ["Professor Pieter Willemsstraat 23 B 03"],
        "NL",
        "Professor Pieter Willemsstraat",
        "23",
        "B 03",
        [],
    ),
    (["1e Kruisweg 36"], "NL", "1e Kruisweg", "36", "", []),
    (["2e Dwarsstraat 5"], "NL", "2e Dwarsstraat", "5", "", []),
    (["Laan 1940-1945 3"], "NL", "Laan 1940-1945", "3", "", []),
    (["Plein 1944 12"], "NL", "Plein 1944", "12", "", []),
    (["Provincialeweg N205 1"], "NL", "Provincialeweg N205", "1", "", []),
    (["Nieuwe gracht 20zw/3"], "NL", "Nieuwe gracht", "20", "zw/3", []),
    (["Straat 12 II"], "NL", "Straat", "12", "II", []),
    (["Voltastraat 2 A"], "NL", "Voltastraat", "2", "A", []),
    (["Philippusweg 3-5"], "NL", "Philippusweg", "3", "-5", []),
    (["Kerkstraat 12", "1e etage"], "NL", "Kerkstraat", "12", "", ["1e etage"]),
    (["Kerkstraat 12", "achterom"], "NL", "Kerkstraat", "12", "", ["achterom"]),
    (["Kerkstraat 1 - B"], "NL", "Kerkstraat", "1", "B", []),
    # Belgian box numbers
    (["Rue de la Loi 16 bus 3"], "BE", "Rue de la Loi", "16", "bus 3", []),
    (["Kerkstraat 1 bte 2"], "BE", "Kerkstraat", "1", "bte 2", []),
    (["Kerkstraat 1/2"], "BE", "Kerkstraat", "1", "/2", []),
    (["Rue Haute 12 boîte 12"], "BE", "Rue Haute", "12", "bte12", []),
    (["Rue Haute 12 boîte 5"], "BE", "Rue Haute", "12", "bte 5", []),
    (["Kerkstraat 7 bus 12"], "BE", "Kerkstraat", "7", "bus12", []),
    (["Kerkstraat 7 bus 1234"], "BE", "Kerkstraat", "7", "", ["bus 1234"]),
    (["Kerkstraat 7 bte 3"], "BE", "Kerkstraat", "7", "bte 3", []),
    # Amsterdam floor notations
    (["Kerkstraat 12 3 hg"], "NL", "Kerkstraat", "12", "3 hg", []),
    (["Kerkstraat 12 3-hoog"], "NL", "Kerkstraat", "12", "", ["3-hoog"]),
    (["Kerkstraat 12 2 hoog achter"], "NL", "Kerkstraat", "12", "", ["2 hoog achter"]),
    (["Kade 3 III"], "NL", "Kade", "3", "III", []),
    (["Kade 3 huis"], "NL", "Kade", "3", "huis", []),
    (["Plein 1945 27"], "NL", "Plein 1945", "27", "", []),
    (["Hauptstr. 5"], "DE", "Hauptstr.", "5", "", []),
    (["Str. des 17. Juni 135"], "DE", "Str. des 17. Juni", "135", "", []),
    (["Bahnhofstraße 5a"], "DE", "Bahnhofstraße", "5", "a", []),
    # German lines
    (["Hauptstraße 5a"], "DE", "Hauptstraße", "5", "a", []),
    (["Am Markt 12-14"], "DE", "Am Markt", "12", "-14", []),
    (["Straße des 17. Juni 135"], "DE", "Straße des 17. Juni", "135", "", []),
    (["Hauptstraße 5 2. OG"], "DE", "Hauptstraße", "5", "", ["2. OG"]),
    # number first outside NL
    (["12 rue de la Paix"], "FR", "rue de la Paix", "12", "", []),
    (["221B Baker Street"], "GB", "Baker Street", "221", "B", []),
    (["Flat 3", "10 Downing Street"], "GB", "Downing Street", "10", "", ["Flat 3"]),
    (["Résidence Les Pins", "4 avenue Foch"], "FR", "avenue Foch", "4", "", ["Résidence Les Pins"]),
    (["1er étage", "4 avenue Foch"], "FR", "avenue Foch", "4", "", ["1er étage"]),
]


@pytest.mark.parametrize(("lines", "country", "street", "no", "ext", "extra"), TABLE)
def test_reference_table(lines, country, street, no, ext, extra):
    assert split_street(lines, country) == SplitAddress(street, no, ext, extra)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Kerkstraat 12 1e etage"], ("Kerkstraat", "12", "", ["1e etage"])),
        (["Kerkstraat 12, 1e etage"], ("Kerkstraat", "12", "", ["1e etage"])),
        (["Kerkstraat 12 achterom"], ("Kerkstraat", "12", "", ["achterom"])),
        (["Firma BV, Kerkstraat 12"], ("Kerkstraat", "12", "", ["Firma BV"])),
        (["Kerkstraat, 12"], ("Kerkstraat", "12", "", [])),
        (["Kerkstraat12"], ("Kerkstraat", "12", "", [])),
        (["Kerkstraat", "12 B"], ("Kerkstraat", "12", "B", [])),
        (["1e etage", "Kerkstraat 12"], ("Kerkstraat", "12", "", ["1e etage"])),
        (["Appartement 3", "Kerkstraat 12"], ("Kerkstraat", "12", "", ["Appartement 3"])),
        (["  Kerkstraat \t 12  ", "", "  "], ("Kerkstraat", "12", "", [])),
    ],
)
def test_notes_and_other_lines_go_to_extra(lines, expected):
    got = split_street(lines, "NL")
    assert (got.street, got.house_no, got.house_no_ext, got.extra) == expected


def test_number_first_only_where_it_is_written_so():
    with pytest.raises(AddressSplitError):
        split_street(["1e etage"], "BE")
    with pytest.raises(AddressSplitError):
        split_street(["12 Kerkstraat"], "NL")


@pytest.mark.parametrize(
    ("line", "first", "second"),
    [
        ("Kade 3 1", ("Kade", "3", "1"), ("Kade 3", "1", "")),
        ("Kerkstraat 12 3 A", ("Kerkstraat", "12", "3 A"), ("Kerkstraat 12", "3", "A")),
    ],
)
def test_two_trailing_numbers_hold_with_candidates(line, first, second):
    with pytest.raises(AmbiguousHouseNumber) as info:
        split_street([line], "NL")
    got = [(c.street, c.house_no, c.house_no_ext) for c in info.value.candidates]
    assert got == [first, second]
    assert "two numbers" in info.value.reason
    assert isinstance(info.value, AddressSplitError)


def test_company_in_the_street_line_moves_to_extra():
    got = split_street(["Bakker BV Kerkstraat 4"], "NL", company="Bakker BV")
    assert got == SplitAddress("Kerkstraat", "4", "", ["Bakker BV"])
    got = split_street(["Müller GmbH", "Hauptstraße 5"], "DE", company="Müller GmbH")
    assert got == SplitAddress("Hauptstraße", "5", "", ["Müller GmbH"])


def test_suffix_longer_than_five_goes_to_extra_not_lost():
    got = split_street(["Kerkstraat 12 achter"], "NL")
    assert (got.house_no, got.house_no_ext, got.extra) == ("12", "", ["achter"])


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (["Kerkstraat 123456"], "more than 5 digits"),
        (["Kerkstraat"], "No house number"),
        ([], "no street line"),
        (["", "   "], "no street line"),
        (["Eerste Jan van der Heijdenstraat Verlengde Zuid 157 H"], "40"),
        (["Kerkstraat 12 Amsterdam-Zuidoost"], "cannot be told apart"),
    ],
)
def test_unsplittable_lines_raise_with_a_reason(lines, words):
    with pytest.raises(AddressSplitError) as info:
        split_street(lines, "NL")
    assert words in info.value.reason
    # the reason never quotes the buyer's address
    for line in lines:
        for word in line.split():
            if len(word) > 3 and not word.isdigit():
                assert word not in info.value.reason


def test_fit_name_lines_packs_and_refuses_to_cut():
    assert fit_name_lines(["1e etage", "achterom"]) == ["1e etage, achterom"]
    assert fit_name_lines(["x" * 20, "y" * 20]) == ["x" * 20, "y" * 20]
    with pytest.raises(AddressSplitError):
        fit_name_lines(["x" * 31])
    with pytest.raises(AddressSplitError):
        fit_name_lines(["x" * 20, "y" * 20, "z" * 20])


# --- properties ------------------------------------------------------------------------

_RUN = re.compile(r"[^\W\d_]+|\d+")


def _check_nothing_dropped(lines, got: SplitAddress, company=""):
    out = "\n".join([got.street, got.house_no, got.house_no_ext, *got.extra])
    for line in lines:
        for run in _RUN.findall(line):
            assert run in out, (run, lines, got)
    assert got.street and got.house_no
    assert len(got.street) <= 40
    assert got.house_no.isascii() and got.house_no.isdigit() and len(got.house_no) <= 5
    assert len(got.house_no_ext) <= 5


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.one_of(st.text(max_size=60), st.text(alphabet="abeZ 0129-/,.\tßé", max_size=60)),
        max_size=3,
    ),
    country=st.sampled_from(["NL", "BE", "DE", "FR", "GB", ""]),
    company=st.text(max_size=20),
)
def test_arbitrary_text_never_crashes_and_never_drops(lines, country, company):
    try:
        got = split_street(lines, country, company=company)
    except AddressSplitError as exc:
        assert exc.reason
        return
    _check_nothing_dropped(lines, got)


_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéëß", min_size=2, max_size=12)
_suffixes = st.sampled_from(
    ["", "a", "B", "HS", "II", "bis", "-2", "-14", " A", " B 03", "zw/3", "/3", " bus 3"]
)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(_words, min_size=1, max_size=3),
    number=st.integers(min_value=1, max_value=99999),
    suffix=_suffixes,
    note=st.sampled_from(["", "1e etage", "achterom", "Bakker BV"]),
)
def test_generated_dutch_addresses_round_trip(words, number, suffix, note):
    street = " ".join(w.capitalize() for w in words)[:40].strip()
    lines = [f"{street} {number}{suffix}"] + ([note] if note else [])
    got = split_street(lines, "NL")
    assert got.street == street
    assert got.house_no == str(number)
    tidy = suffix.strip()
    assert got.house_no_ext == (tidy if len(tidy) <= 5 else "")
    assert got.extra == ([tidy] if len(tidy) > 5 else []) + ([note] if note else [])
    _check_nothing_dropped(lines, got)


# --- postcodes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "country", "api", "shown"),
    [
        ("1234AB", "NL", "1234AB", "1234 AB"),
        ("1234 ab", "NL", "1234AB", "1234 AB"),
        (" 9999  zz ", "nl", "9999ZZ", "9999 ZZ"),
        ("1000", "BE", "1000", "1000"),
        ("B-1000", "BE", "1000", "1000"),
        ("10115", "DE", "10115", "10115"),
        ("D-10115", "DE", "10115", "10115"),
        ("75001", "FR", "75001", "75001"),
        ("sw1a 1aa", "GB", "SW1A 1AA", "SW1A 1AA"),
        ("1010", "AT", "1010", "1010"),
    ],
)
def test_postcodes_normalise_and_display(code, country, api, shown):
    assert normalise_postcode(code, country) == api
    assert display_postcode(code, country) == shown


@pytest.mark.parametrize(
    ("code", "country", "words"),
    [
        ("0123AB", "NL", "4 digits"),
        ("1234", "NL", "like 1234 AB"),
        ("1234ABC", "NL", "1234 AB"),
        ("12345", "BE", "4 digits"),
        ("1234", "DE", "5 digits"),
        ("", "NL", "missing"),
        ("123456789", "GB", "at most 8"),
        ("12#45", "IE", "at most 8"),
    ],
)
def test_bad_postcodes_raise_validation_error(code, country, words):
    with pytest.raises(ValidationError) as info:
        normalise_postcode(code, country)
    assert info.value.field == "postal_code"
    assert words in info.value.message


def test_display_postcode_shows_bad_input_as_typed():
    assert display_postcode(" 12 ", "NL") == "12"


@given(st.text(max_size=12), st.sampled_from(["NL", "BE", "DE", "FR", "GB", "xx", ""]))
def test_postcode_never_crashes(code, country):
    try:
        value = normalise_postcode(code, country)
    except ValidationError:
        return
    assert 0 < len(value) <= 8
