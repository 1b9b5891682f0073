"""`glstui import [--shop NAME ...]`: the same import as the TUI's, for cron and systemd.

Progress lines go to stdout (one per event, flushed, so a journal shows them live); what to do
about a failure goes to stderr. Exit codes: 0 every shop imported, 1 some shop failed (the
others were imported), 2 nothing could run (no importable shop, keys missing or locked, the
data file busy or unreadable). Running beside an open TUI is safe: every page is one write
under the store's cross-process lock, and orders are keyed, so nothing is doubled.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, TextIO

from glstui.domain.integration import NEEDS_REAUTH, Integration
from glstui.i18n import _
from glstui.secrets import SecretsError, SecretsUnavailable
from glstui.services.events import ERROR, WARNING, Event, LogLine, Progress
from glstui.services.importer import import_shops
from glstui.store import StoreBusy, StoreError

OK, SOME_FAILED, NOTHING_RAN = 0, 1, 2

_LEVEL = {ERROR: "ERROR", WARNING: "WARN "}


class Printer:
    """Prints each log line with a time stamp; progress only when a shop finishes paging."""

    def __init__(self, clock: Any, out: TextIO) -> None:
        self.clock = clock
        self.out = out

    def __call__(self, event: Event) -> None:
        if isinstance(event, LogLine):
            stamp = self.clock.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
            self.out.write(f"{stamp} {_LEVEL.get(event.level, 'INFO ')} {event.text}\n")
            self.out.flush()
        elif isinstance(event, Progress):
            return  # the per-page lines already say how far each shop is


def _waits_for_reconnect(integ: Integration) -> bool:
    return integ.active and integ.status == NEEDS_REAUTH


def choose_shops(
    integrations: list[Integration], names: list[str]
) -> tuple[list[Integration], list[str]]:
    """The shops to import and the asked-for names that match no shop.

    Without names: every active, connected shop, plus those waiting to be re-connected (so
    the run fails loudly until someone does). Names match case-insensitively.
    """
    if not names:
        waiting = [
            i for i in integrations if i.importable or (i.active and i.status == NEEDS_REAUTH)
        ]
        return waiting, []
    by_name = {i.shop_name.casefold(): i for i in integrations}
    chosen: list[Integration] = []
    unknown: list[str] = []
    for name in names:
        integ = by_name.get(" ".join(name.split()).casefold())
        if integ is None:
            unknown.append(name)
        elif integ not in chosen:
            chosen.append(integ)
    return chosen, unknown


def run_import(
    ctx: Any, shop_names: list[str], out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Import the named shops (all importable ones when none are named); the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr

    def fail(message: str) -> int:
        err.write(f"glstui import: {message}\n")
        err.flush()
        return NOTHING_RAN

    if getattr(ctx.secrets, "locked", False):
        return fail(
            getattr(ctx.secrets, "unlock_error", "")
            or _(
                "The key store is locked. For unattended runs set GLSTUI_KEYRING_PASSPHRASE "
                "or give the systemd credential glstui-passphrase (LoadCredential=)."
            )
        )
    try:
        with ctx.store.read() as view:
            integrations = view.integrations.all()
    except StoreError as exc:
        return fail(exc.message)

    chosen, unknown = choose_shops(integrations, shop_names)
    if unknown:
        known = ", ".join(sorted(i.shop_name for i in integrations)) or _("(none)")
        return fail(
            _("No shop named {names}. Shops: {known}.").format(
                names=", ".join(repr(n) for n in unknown), known=known
            )
        )
    if not chosen:
        return fail(
            _(
                "No shop can be imported: add an Amazon shop, connect it and switch "
                "'Shop is active' on (glstui, section 1 Integrations)."
            )
        )
    try:  # the data file must be writable now, not only after the first page was fetched
        with ctx.store.write():
            pass
    except StoreError as exc:
        return fail(exc.message)
    try:
        ctx.app_credentials()
    except Exception as exc:  # MissingCredentials (keys not set) or the key store failing
        return fail(getattr(exc, "user_message", None) or str(exc))

    try:
        run = asyncio.run(import_shops(ctx, [i.id for i in chosen], Printer(ctx.clock, out)))
    except StoreBusy as exc:
        return fail(exc.message)
    except StoreError as exc:
        return fail(exc.message)
    except (SecretsUnavailable, SecretsError) as exc:
        return fail(exc.user_message)
    return SOME_FAILED if run.failed else OK
