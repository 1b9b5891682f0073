"""`glstui import [--shop NAME ...]`: print the headless import's progress and choose its exit
code.

Progress lines go to stdout (one per event, flushed, so a journal shows them live); what to do
about a failure goes to stderr. Exit codes: 0 every shop imported, 1 some shop failed (the
others were imported), 2 nothing could run (no importable shop, keys missing or locked, the
data file busy or unreadable).
"""

from __future__ import annotations

import sys
from typing import TextIO

from glstui.domain.clock import Clock
from glstui.services.context import AppContext
from glstui.services.events import ERROR, WARNING, Event, LogLine, Progress
from glstui.services.headless import SELLER_WAIT_S, import_headless

OK, SOME_FAILED, NOTHING_RAN = 0, 1, 2

_LEVEL = {ERROR: "ERROR", WARNING: "WARN "}


class Printer:
    """Prints each log line with a time stamp; progress only when a shop finishes paging."""

    def __init__(self, clock: Clock, out: TextIO) -> None:
        self.clock = clock
        self.out = out

    def __call__(self, event: Event) -> None:
        if isinstance(event, LogLine):
            stamp = self.clock.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
            self.out.write(f"{stamp} {_LEVEL.get(event.level, 'INFO ')} {event.text}\n")
            self.out.flush()
        elif isinstance(event, Progress):
            return  # the per-page lines already say how far each shop is


def run_import(
    ctx: AppContext,
    shop_names: list[str],
    out: TextIO | None = None,
    err: TextIO | None = None,
    *,
    seller_wait: float = SELLER_WAIT_S,
) -> int:
    """Import the named shops (all importable ones when none are named); the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    outcome = import_headless(ctx, shop_names, Printer(ctx.clock, out), seller_wait=seller_wait)
    if outcome.run is None:
        err.write(f"glstui import: {outcome.error}\n")
        err.flush()
        return NOTHING_RAN
    return SOME_FAILED if outcome.run.failed else OK
