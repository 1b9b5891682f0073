"""Every text an operator reads has a Dutch version, and the language switch works."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import glstui
from glstui import i18n

PACKAGE = Path(glstui.__file__).parent
MARKERS = {"_", "N_", "gettext"}


def literals() -> dict[str, str]:
    """Every `_("...")` / `N_("...")` literal (and `template="..."`) in glstui/, with where."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                text = node.args[0].value
                found.setdefault(text, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
            elif isinstance(node, ast.Call):  # Error(template="...") (test_messages_dutch)
                for kw in node.keywords:
                    if (
                        kw.arg == "template"
                        and isinstance(kw.value, ast.Constant)
                        and isinstance(kw.value.value, str)
                    ):
                        where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                        found.setdefault(kw.value.value, where)
    return found


def test_every_marked_text_has_a_dutch_entry() -> None:
    dutch = i18n.catalog.__wrapped__("nl")
    missing = {text: where for text, where in literals().items() if text not in dutch}
    assert not missing, "No Dutch entry in glstui/locale/nl/*.json for:\n" + "\n".join(
        f"  {where}: {text!r}" for text, where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def test_catalog_files_are_valid_and_keep_placeholders() -> None:
    for path in sorted((PACKAGE / "locale" / "nl").glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(entries, dict), path
        for english, dutch in entries.items():
            assert isinstance(dutch, str) and dutch.strip(), f"{path.name}: empty for {english!r}"
            names = sorted(
                part.split("}")[0].split(":")[0].split("!")[0] for part in english.split("{")[1:]
            )
            got = sorted(
                part.split("}")[0].split(":")[0].split("!")[0] for part in dutch.split("{")[1:]
            )
            assert names == got, f"{path.name}: placeholders differ for {english!r}"


def test_portal_words_are_used_in_dutch() -> None:
    i18n.set_language("nl")
    try:
        assert i18n._("All integrations") == "Alle integraties"
        assert i18n._("Integration details") == "Integratie details"
        assert i18n._("Key management") == "Key beheer"
        assert i18n._("Shop is active") == "Shop is actief"
        assert i18n._("Update the tracking code in the shop") == (
            "Update de trackingcode in de shop"
        )
        assert i18n._("Add a shop") == "Voeg een shop toe"
        assert i18n._("Statistics") == "Statistieken"
    finally:
        i18n.set_language("en")


def test_english_is_the_text_itself_and_unknown_falls_back() -> None:
    i18n.set_language("en")
    assert i18n._("All integrations") == "All integrations"
    i18n.set_language("nl")
    try:
        assert i18n._("no such text anywhere") == "no such text anywhere"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "nl_BE"}, "nl"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LC_ALL": "nl_NL.UTF-8", "LANG": "en_US"}, "nl"),
        ({"LC_ALL": "C", "LANG": "nl_NL"}, "en"),
        ({}, "en"),
    ],
)
def test_language_from_environment(env: dict[str, str], expected: str) -> None:
    assert i18n.language_from_env(env) == expected


def test_set_language_normalises() -> None:
    try:
        assert i18n.set_language("NL") == "nl"
        assert i18n.set_language("nl_NL.UTF-8") == "nl"
        assert i18n.set_language("en") == "en"
    finally:
        i18n.set_language("en")


def test_plural_hours_and_required_read_right_in_both_languages() -> None:
    from glstui.i18n import N_

    try:
        assert i18n.plural(1, N_("{n} shop"), N_("{n} shops")) == "1 shop"
        assert i18n.plural(2, N_("{n} shop"), N_("{n} shops")) == "2 shops"
        assert i18n.hours(0) == "0.0 h"
        assert i18n.number(1234.5, 1) == "1,234.5"
        assert i18n.required("Shop name") == "Shop name (required)"
        i18n.set_language("nl")
        assert i18n.hours(0) == "0,0 u"
        assert i18n.number(1234.5, 1) == "1.234,5"
        assert i18n.required("Shopnaam") == "Shopnaam (verplicht)"
    finally:
        i18n.set_language("en")


def test_one_date_format_per_language(monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from datetime import UTC, date, datetime

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    at = datetime(2026, 11, 27, 8, 5, tzinfo=UTC)
    try:
        assert i18n.date_text(at) == "2026-11-27 08:05"
        assert i18n.date_text(at, year=False) == "11-27 08:05"
        assert i18n.date_text(date(2026, 3, 4)) == "2026-03-04"
        i18n.set_language("nl")
        assert i18n.date_text(at) == "27-11-2026 08:05"
        assert i18n.date_text(at, year=False) == "27-11 08:05"
        assert i18n.date_text(at, time=False) == "27-11-2026"
        assert i18n.date_text(None) == ""
    finally:
        i18n.set_language("en")


def test_key_names_are_dutch_in_dutch() -> None:
    try:
        assert i18n.key_display("space") == "space"
        i18n.set_language("nl")
        assert i18n.key_display("space") == "spatie"
        assert i18n.key_display("shift+up") == "shift+omhoog"
        assert i18n.key_display("^s") == "^s"
    finally:
        i18n.set_language("en")
