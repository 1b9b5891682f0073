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


def test_decimal_comma_in_a_comma_file_only_when_quoted():
    weights, problems = parse_csv('MUG-1,"0,45"\nLAMP,2,5\n')
    assert weights == {"MUG-1": 0.45}
    assert lines(problems) == [(2, "ambiguous", False)]  # never guessed from a third column


def test_units_kg_and_grams():
    weights, _ = parse_csv("A,1.5 kg\nB,250 g\n")
    assert weights == {"A": 1.5, "B": 0.25}


def test_bad_rows_are_reported_by_line_number_and_the_rest_loads():
    text = "sku,weight_kg\nGOOD,1\n,2\nBAD,heavy\nNEG,-1\n\nX,1,2,3\nHUGE,5000\nOK2,0,3\n"
    weights, problems = parse_csv(text)
    assert weights == {"GOOD": 1.0}
    assert lines(problems) == [
        (3, "sku_missing", False),
        (4, "not_number", False),
        (5, "negative", False),
        (7, "columns", False),
        (8, "too_heavy", False),
        (9, "ambiguous", False),
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


def test_a_stock_column_is_never_read_as_decimals():
    weights, problems = parse_csv("sku,weight_kg,stock\nMUG-1,2,100\nLAMP,3,7\n")
    assert weights == {}
    assert lines(problems) == [(2, "ambiguous", False), (3, "ambiguous", False)]
    assert "'2,100'" in problems[0].message


@pytest.mark.parametrize("zero", ["0", "0,0", "0 g", "0.00 kg"])
def test_a_weight_of_zero_is_refused(zero):
    weights, problems = parse_csv(f"MUG-1;{zero}\nLAMP;1\n")
    assert weights == {"LAMP": 1.0}
    assert lines(problems) == [(1, "zero", False)]


def test_skus_with_line_breaks_or_control_characters_are_refused_by_line():
    text = 'sku,weight_kg\n"MUG\n1",2\nTAB\tX,1\nZERO\u200bWIDTH,1\nOK,1\n'
    weights, problems = parse_csv(text)
    assert weights == {"OK": 1.0}
    assert lines(problems) == [
        (2, "sku_control", False),
        (4, "sku_control", False),
        (5, "sku_control", False),
    ]


def test_an_unclosed_quote_is_reported_where_it_opens():
    weights, problems = parse_csv('A,1\n"B,2\nC,3\n')
    assert weights == {"A": 1.0}
    assert lines(problems) == [(2, "unclosed_quote", False)]


def test_a_utf16_file_says_how_to_save_it():
    raw = "sku,weight_kg\nMUG-1,0.5\n".encode("utf-16")
    text = raw.decode("cp1252", errors="replace")  # how the import reads a non-UTF-8 file
    weights, problems = parse_csv(text)
    assert weights == {}
    assert len(problems) == 1 and "UTF-16" in str(problems[0])
