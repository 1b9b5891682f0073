"""The SKU weight CSV as spreadsheets really write it: headers, decimal commas, bad rows."""

import pytest

from glstui.domain.sku_weights import CSV_MESSAGES, parse_csv, to_csv


def lines(problems):
    return [(p.line, p.key, p.warning) for p in problems]


def test_good_file_with_header():
    weights, problems = parse_csv("sku,weight_kg\nMUG-1,0.45\nBOOK-9,1.2\n")
    assert weights == {"MUG-1": 0.45, "BOOK-9": 1.2}
    assert problems == []


def test_header_is_optional():
    weights, problems = parse_csv("MUG-1,0.45\nBOOK-9,1\n")
    assert weights == {"MUG-1": 0.45, "BOOK-9": 1.0}
    assert problems == []


def test_dutch_excel_semicolons_and_decimal_comma():
    weights, problems = parse_csv("\ufeffSKU;Gewicht\nMUG-1;0,45\nLAMP;2,5\n")
    assert weights == {"MUG-1": 0.45, "LAMP": 2.5}
    assert problems == []


def test_decimal_comma_in_a_comma_file_quoted_or_not():
    weights, problems = parse_csv('MUG-1,"0,45"\nLAMP,2,5\n')
    assert weights == {"MUG-1": 0.45, "LAMP": 2.5}
    assert problems == []


def test_units_kg_and_grams():
    weights, _ = parse_csv("A,1.5 kg\nB,250 g\n")
    assert weights == {"A": 1.5, "B": 0.25}


def test_bad_rows_are_reported_by_line_number_and_the_rest_loads():
    text = "sku,weight_kg\nGOOD,1\n,2\nBAD,heavy\nNEG,-1\n\nX,1,2,3\nHUGE,5000\nOK2,0,3\n"
    weights, problems = parse_csv(text)
    assert weights == {"GOOD": 1.0, "OK2": 0.3}
    assert lines(problems) == [
        (3, "sku_missing", False),
        (4, "not_number", False),
        (5, "negative", False),
        (7, "columns", False),
        (8, "too_heavy", False),
    ]
    assert str(problems[1]) == "line 4: 'heavy' is not a weight in kg"
    assert "in grams" in problems[4].message


def test_duplicates_last_one_wins_with_a_warning():
    weights, problems = parse_csv("A,1\nB,2\nA,3\n")
    assert weights == {"A": 3.0, "B": 2.0}
    assert lines(problems) == [(3, "duplicate", True)]
    assert problems[0].message == "SKU 'A' is also on line 1: the weight on line 3 is used"


def test_comments_blank_lines_and_trailing_separators_are_ignored():
    weights, problems = parse_csv("# export 2026\n\nA;1;\nB;2;;\n")
    assert weights == {"A": 1.0, "B": 2.0}
    assert problems == []


def test_empty_file_says_so():
    weights, problems = parse_csv("sku,weight_kg\n")
    assert weights == {}
    assert lines(problems) == [(0, "empty", False)]


def test_too_long_sku():
    _, problems = parse_csv("X" * 41 + ",1\n")
    assert lines(problems) == [(1, "sku_too_long", False)]


def test_written_table_reads_back():
    table = {"B": 2.0, "A": 0.45}
    assert parse_csv(to_csv(table)) == (table, [])


@pytest.mark.parametrize("key", sorted(CSV_MESSAGES))
def test_every_message_formats(key):
    template = CSV_MESSAGES[key]
    names = {n.split("}")[0] for n in template.split("{")[1:]}
    assert template.format(**dict.fromkeys(names, "x"))
