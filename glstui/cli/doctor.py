"""`glstui doctor`: print every check, one a line, then the count of each outcome.

Exit codes: 0 when no check FAILed (warnings allowed), else 1.
"""

from __future__ import annotations

import sys
from typing import TextIO

from glstui.i18n import _
from glstui.services.context import AppContext
from glstui.services.doctor import FAIL, REACH_TIMEOUT, WARN, Check, doctor_checks


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == FAIL for c in checks) else 0


def run_doctor(ctx: AppContext, out: TextIO | None = None, timeout: float = REACH_TIMEOUT) -> int:
    """Print every check, one a line, and return 0 when none FAILed, else 1."""
    stream = out or sys.stdout
    checks = doctor_checks(ctx, timeout=timeout)
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
