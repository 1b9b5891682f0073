"""Checks of the encrypted secrets file and of a new passphrase, without the passphrase.

Why separate: "wrong passphrase" must only ever mean the passphrase. So before glstui tries
a passphrase on an existing secrets.cfg it checks that the file is one (not empty, text,
INI, with an intact passphrase check entry), and a new file's passphrase must be at least
MIN_PASSPHRASE characters mixing at least two of lowercase, uppercase, digits and other
characters (spaces count): it guards every key and cannot be recovered.

The problems are `Msg`s (translated when shown) that complete a sentence of glstui.secrets.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from glstui.domain.errors import N_, Msg

MIN_PASSPHRASE = 10
# keyrings.alt's entry that checks the passphrase: (section, option, plain value)
REFERENCE = ("keyring-setting", "password reference", "password reference value")


def passphrase_problem(passphrase: str) -> Msg | None:
    """Why `passphrase` is too weak for a new file, or None when it will do."""
    if len(passphrase) < MIN_PASSPHRASE:
        return Msg(
            N_("it has {n} characters; use at least {min}"), n=len(passphrase), min=MIN_PASSPHRASE
        )
    classes = {
        "lower" if c.islower() else "upper" if c.isupper() else "digit" if c.isdigit() else "x"
        for c in passphrase
    }
    if len(classes) < 2:
        return Msg(
            N_(
                "it uses only one kind of character; mix letters with digits, spaces, capitals "
                "or punctuation"
            )
        )
    return None


def _reference_problem(value: str) -> Msg | None:
    """What is wrong with the stored passphrase check entry, judged without the passphrase."""
    import base64
    import json

    try:
        data = json.loads(base64.decodebytes(value.encode()).decode())
        ok = isinstance(data, dict) and {"salt", "IV", "password_encrypted"} <= data.keys()
        if ok:
            for key in ("salt", "IV", "password_encrypted"):
                base64.decodebytes(str(data[key]).encode())
    except (ValueError, UnicodeDecodeError, TypeError):
        ok = False
    return None if ok else Msg(N_("its passphrase check entry is garbled"))


def file_problem(path: Path) -> Msg | None:
    """What is wrong with an existing secrets file (None: it looks like one of ours)."""
    import stat

    from keyrings.alt.escape import escape

    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return Msg(N_("is not a regular file"))
        raw = path.read_bytes()
    except OSError as exc:
        return Msg(N_("cannot be read ({error})"), error=exc.strerror)
    if not raw.strip():
        return Msg(N_("is empty (it was emptied or cut short; the keys it held are gone)"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Msg(N_("is not a text file (it is damaged or not a glstui secrets file)"))
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return Msg(
            N_("is not in the secrets file format (it is damaged or not a glstui secrets file)")
        )
    section, option = escape(REFERENCE[0]), escape(REFERENCE[1])
    if not parser.has_option(section, option):
        return Msg(
            N_("has no passphrase check entry (it was cut short or is not a glstui secrets file)")
        )
    problem = _reference_problem(parser.get(section, option))
    return None if problem is None else problem
