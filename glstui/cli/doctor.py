"""`glstui doctor`: print every check, one a line, then the count of each outcome.

Doctor changes and creates nothing: it opens the store without archiving, sets up no log
file, and on a directory without glstui data reports the directories and what to do instead
of building a context (which would create the data dir, the store and the log dir).
Exit codes: 0 when no check FAILed (warnings allowed), else 1.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

from glstui import config
from glstui.amazon.endpoints import Endpoints
from glstui.domain.clock import SystemClock
from glstui.domain.errors import N_
from glstui.i18n import _, set_language
from glstui.logs import LOGGER_NAME
from glstui.secrets import Secrets, SecretsUnavailable
from glstui.services.context import AppContext, ContextError, _language
from glstui.services.doctor import (
    FAIL,
    REACH_TIMEOUT,
    WARN,
    Check,
    doctor_checks,
    no_data_checks,
)
from glstui.store import Store, StoreCorrupt

from .datadir import holds_glstui_data


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == FAIL for c in checks) else 0


def doctor_context(data_dir: Path | None, lang: str | None) -> AppContext | None:
    """The context doctor checks, made without creating anything; None without glstui data."""
    set_language(_language(lang))
    directory = config.data_dir(data_dir, create=False)
    if not holds_glstui_data(directory):
        return None
    # No log file: what doctor finds goes to the terminal (and nowhere else).
    logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())
    clock = SystemClock()
    try:
        store = Store.open(directory, clock, archive=False)
    except StoreCorrupt as exc:
        raise ContextError(exc.msg) from exc
    except OSError as exc:
        raise ContextError(
            N_(
                "Cannot open the data directory {path}: {error}. "
                "Check that it exists and that you may write to it, or pass --data-dir."
            ),
            path=directory,
            error=exc.strerror,
        ) from exc
    try:
        secrets = Secrets.open(directory)
    except SecretsUnavailable as exc:
        raise ContextError(exc.msg) from exc
    return AppContext(
        data_dir=directory,
        store=store,
        secrets=secrets,
        clock=clock,
        endpoints=Endpoints.production(),
        lang=_language(lang),
    )


def print_checks(checks: list[Check], stream: TextIO) -> int:
    """Print the checks and the count of each outcome; the exit code."""
    for check in checks:
        print(check.line(), file=stream)
    fails = sum(c.status == FAIL for c in checks)
    warns = sum(c.status == WARN for c in checks)
    print(
        _("{fails} failed, {warns} warnings, {passes} passed").format(
            fails=fails, warns=warns, passes=len(checks) - fails - warns
        ),
        file=stream,
    )
    return exit_code(checks)


def run_doctor(
    ctx: AppContext,
    out: TextIO | None = None,
    timeout: float = REACH_TIMEOUT,
    *,
    full: bool = False,
) -> int:
    """Print every check, one a line, and return 0 when none FAILed, else 1."""
    return print_checks(doctor_checks(ctx, timeout=timeout, full=full), out or sys.stdout)


def run_doctor_without_data(data_dir: Path | None, out: TextIO | None = None) -> int:
    """Doctor on a directory without glstui data: what is there and how to set it up (1)."""
    directory = config.data_dir(data_dir, create=False)
    return print_checks(no_data_checks(directory), out or sys.stdout)
