"""English and Dutch for every text an operator reads.

`_("English text")` returns the Dutch text when the language is Dutch. The Dutch catalogs are
plain JSON files, one per area (glstui/locale/nl/<area>.json), so helpers never edit each
other's file. `N_("text")` only marks a literal for the catalog check (for texts translated
later, such as key descriptions in BINDINGS). English is the fallback for anything missing.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from functools import cache
from pathlib import Path

from glstui.domain import errors as _errors

LANGUAGES = ("en", "nl")
LOCALE_DIR = Path(__file__).parent / "locale"

_language = "en"


def language_from_env(environ: dict[str, str] | None = None) -> str:
    """ "nl" when LC_ALL / LC_MESSAGES / LANG (first one set) is Dutch, else "en"."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "nl" if value.lower().startswith("nl") else "en"
    return "en"


def normalise(lang: str | None) -> str:
    """Map "nl", "nl_NL.UTF-8", "NL", "en_GB", "" and None to one of LANGUAGES."""
    if not lang:
        return language_from_env()
    return "nl" if lang.strip().lower().startswith("nl") else "en"


def set_language(lang: str | None) -> str:
    """Switch the language for every later `_()` call; returns the language in use."""
    global _language
    _language = normalise(lang)
    return _language


def get_language() -> str:
    return _language


@cache
def catalog(lang: str) -> dict[str, str]:
    """All entries of locale/<lang>/*.json merged (files in name order)."""
    merged: dict[str, str] = {}
    folder = LOCALE_DIR / lang
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def _(text: str) -> str:
    if _language == "en":
        return text
    return catalog(_language).get(text) or text


def N_(text: str) -> str:
    """Mark a literal for the catalog without translating it now."""
    return text


gettext = _
_errors.set_translator(_)  # error messages translate when read (domain/errors.py)


# --- one way to write numbers, plurals, dates and key names in each language ---------------

KEY_WORDS = {
    "space": N_("space"),
    "enter": N_("enter"),
    "esc": N_("esc"),
    "tab": N_("tab"),
    "delete": N_("delete"),
    "backspace": N_("backspace"),
    "home": N_("home"),
    "end": N_("end"),
    "pageup": N_("pgup"),
    "pagedown": N_("pgdn"),
    "shift": N_("shift"),
    "up": N_("up"),
    "down": N_("down"),
    "left": N_("left"),
    "right": N_("right"),
}


def key_display(display: str) -> str:
    """A key as Textual names it ("space", "shift+tab", "^s") in the operator's words."""
    if display in ("+", "-"):
        return display
    return "+".join(
        _(KEY_WORDS[part]) if part in KEY_WORDS else part for part in display.split("+")
    )


def plural(n: int, one: str, other: str) -> str:
    """`one` or `other` (English literals with {n}, marked N_ by the caller) for `n`, translated:
    plural(1, N_("{n} shop"), N_("{n} shops")) -> "1 shop"."""
    return _(one if n == 1 else other).format(n=number(n))


def number(value: float, digits: int = 0) -> str:
    """1234.5 -> "1,234.5" in English, "1.234,5" in Dutch."""
    text = f"{value:,.{digits}f}"
    if _language == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def hours(value: float) -> str:
    """A duration in hours with one decimal: "0.0 h" / "0,0 u"."""
    return _("{n} h").format(n=number(value, 1))


def required(label: str) -> str:
    """A field label with the mark of a required field: "Shop name (required)"."""
    return _("{label} (required)").format(label=label)


DATE_FORMATS = {
    # language: (date with year, date without year); time is always HH:MM, 24 hours
    "en": ("%Y-%m-%d", "%m-%d"),
    "nl": ("%d-%m-%Y", "%d-%m"),
}


def date_text(value: datetime | date | None, *, year: bool = True, time: bool = True) -> str:
    """The one date format of each language, in local time: English 2026-11-27 08:00 (short
    11-27 08:00), Dutch 27-11-2026 08:00 (short 27-11 08:00). "" for None."""
    if value is None:
        return ""
    with_year, without_year = DATE_FORMATS.get(_language, DATE_FORMATS["en"])
    fmt = with_year if year else without_year
    if isinstance(value, datetime):
        local = value.astimezone() if value.tzinfo is not None else value
        return local.strftime(f"{fmt} %H:%M" if time else fmt)
    return value.strftime(fmt)
