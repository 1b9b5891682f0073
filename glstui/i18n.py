"""English and Dutch for every text an operator reads.

`_("English text")` returns the Dutch text when the language is Dutch. The Dutch catalogs are
plain JSON files, one per area (glstui/locale/nl/<area>.json), so helpers never edit each
other's file. `N_("text")` only marks a literal for the catalog check (for texts translated
later, such as key descriptions in BINDINGS). English is the fallback for anything missing.
"""

from __future__ import annotations

import json
import os
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
