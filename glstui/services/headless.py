"""The headless import behind `glstui import [--shop NAME ...]`: the same import as the TUI's,
for cron and systemd, with the shop choice and the per-seller turns between processes.

`import_headless` reports progress as events and returns what it came to (glstui.cli.imports
prints both and chooses the exit code). Nothing runs when no shop is importable, the keys are
missing or locked, or the data file is busy or unreadable. Running beside an open TUI is safe:
every page is one write under the store's cross-process lock, and orders are keyed, so nothing
is doubled.

Two `glstui import` runs of one seller (cron + one typed in a console) take turns: Amazon
counts a seller's calls in one bucket whatever process makes them, so two processes pacing on
a full bucket each get 429s. A run holds a per-seller file lock in `<data dir>/pacing/` for
its whole import, taken before any store lock (so the run that waits blocks nobody), and
starts from the bucket state the previous run of that seller left there. The second run
waits at most SELLER_WAIT_S and then stops with exit 2 and says why. The console's import
takes the same turns (glstui/services/importing/seller_turns.py holds them for both).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from glstui.amazon.client import SpApiClient
from glstui.domain.integration import NEEDS_REAUTH, Integration
from glstui.domain.run import ImportRun
from glstui.i18n import _
from glstui.secrets import SecretsError, SecretsUnavailable
from glstui.services.context import AppContext
from glstui.services.events import INFO, LogLine, Reporter
from glstui.services.importer import import_shops
from glstui.services.importing.seller_turns import SELLER_WAIT_S, SellerInUse, SellerTurns
from glstui.store import StoreBusy, StoreError

log = logging.getLogger("glstui.import")


@dataclass
class HeadlessImport:
    """What a headless import came to: `error` says why nothing ran, else `run` is the import."""

    error: str = ""
    run: ImportRun | None = None


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


def keys_not_set_up() -> str:
    """What a headless command says on a fresh install (no key file yet), not "locked"."""
    return _(
        "No keys are set up yet. Start glstui (the console) with this data directory, "
        "choose a passphrase for the key file and enter the Amazon app and GLS keys "
        "under Keys (Key beheer); then add and connect a shop under Integrations."
    )


def import_headless(
    ctx: AppContext,
    shop_names: list[str],
    report: Reporter,
    *,
    seller_wait: float = SELLER_WAIT_S,
) -> HeadlessImport:
    """Import the named shops (all importable ones when none are named), reporting progress."""

    def fail(message: str) -> HeadlessImport:
        return HeadlessImport(error=message)

    if getattr(ctx.secrets, "is_new", False):  # a fresh install: nothing to unlock yet
        return fail(keys_not_set_up())
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
    turns = SellerTurns(ctx.data_dir)
    try:  # before any store lock: waiting here must not keep the other run from writing
        turns.take(ctx, chosen, seller_wait, lambda text: report(LogLine(text, INFO)))
    except SellerInUse as exc:
        return fail(exc.message)
    try:
        return _import_now(ctx, chosen, turns, report)
    finally:
        turns.release()


def _import_now(
    ctx: AppContext, chosen: list[Integration], turns: SellerTurns, report: Reporter
) -> HeadlessImport:
    try:  # the data file must be writable now, not only after the first page was fetched
        with ctx.store.write():
            pass
    except StoreError as exc:
        return HeadlessImport(error=exc.message)
    try:
        ctx.app_credentials()
    except Exception as exc:  # MissingCredentials (keys not set) or the key store failing
        return HeadlessImport(error=getattr(exc, "user_message", None) or str(exc))

    clients: list[SpApiClient] = []

    def on_client(client: SpApiClient) -> None:  # go on from the held sellers' saved buckets
        turns.resume(client)
        clients.append(client)

    try:
        run = asyncio.run(import_shops(ctx, [i.id for i in chosen], report, on_client=on_client))
    except StoreBusy as exc:
        return HeadlessImport(error=exc.message)
    except StoreError as exc:
        return HeadlessImport(error=exc.message)
    except (SecretsUnavailable, SecretsError) as exc:
        return HeadlessImport(error=exc.user_message)
    finally:
        for client in clients:
            turns.save(client)
    return HeadlessImport(run=run)
