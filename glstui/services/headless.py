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
waits at most SELLER_WAIT_S and then stops with exit 2 and says why. (The TUI's import does
not take these locks yet: a TUI import beside a cron run still paces on a bucket of its own.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import filelock
import httpx

from glstui.amazon.client import SpApiClient, seller_key
from glstui.domain.integration import NEEDS_REAUTH, Integration
from glstui.domain.run import ImportRun
from glstui.files import atomic_write
from glstui.i18n import _
from glstui.secrets import SecretsError, SecretsUnavailable
from glstui.services.context import AppContext
from glstui.services.events import INFO, LogLine, Reporter
from glstui.services.importer import import_shops
from glstui.store import StoreBusy, StoreError

PACING_DIR = "pacing"
SELLER_WAIT_S = 600.0  # real seconds a run waits for another import of the same seller

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


class SellerBusy(Exception):
    def __init__(self, shop: str, waited: float) -> None:
        super().__init__(shop)
        self.message = _(
            "Another import of shop {shop} is still running after {minutes} min of waiting; this run stops. Try again when it has finished."  # noqa: E501
        ).format(shop=shop, minutes=max(1, math.ceil(waited / 60)))


class SellerTurns:
    """This run's per-seller locks in `<data dir>/pacing/` and the bucket state kept there."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / PACING_DIR
        self.held: dict[tuple[str, str], filelock.BaseFileLock] = {}  # (seller, region) -> lock

    def take(
        self,
        ctx: AppContext,
        shops: list[Integration],
        wait: float,
        say: Callable[[str], None] = lambda text: None,
    ) -> None:
        """Lock the sellers of `shops` (in a fixed order, so two runs cannot deadlock); raises
        SellerBusy after `wait` seconds for one that another process holds."""
        wanted: dict[tuple[str, str], str] = {}
        for integ in shops:
            try:
                token = ctx.refresh_token(integ.id)
            except (SecretsError, SecretsUnavailable):
                continue  # the import itself says what is wrong with this shop
            if token:
                wanted.setdefault((seller_key(token), integ.region), integ.shop_name)
        try:
            if wanted:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:  # the store's own check says what is wrong with the data dir
            log.warning("no seller locks (%s): %s", self.folder, exc.strerror or exc)
            return
        for key in sorted(wanted):
            lock = filelock.FileLock(self._path(key, ".lock"), mode=0o600)
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:  # (a subclass of OSError: first)
                minutes = max(1, math.ceil(wait / 60))
                text = _(
                    "{shop}: another import of this shop is running; waiting for it to finish (at most {minutes} min)."  # noqa: E501
                )
                say(text.format(shop=wanted[key], minutes=minutes))
                try:
                    lock.acquire(timeout=wait)
                except filelock.Timeout:
                    self.release()
                    raise SellerBusy(wanted[key], wait) from None
            except OSError as exc:  # cannot make the lock file: import as before, unlocked
                log.warning("no seller lock (%s): %s", self.folder, exc.strerror or exc)
                continue
            self.held[key] = lock

    def release(self) -> None:
        for lock in self.held.values():
            lock.release()
        self.held.clear()

    def _path(self, key: tuple[str, str], suffix: str) -> Path:
        return self.folder / f"{key[0]}-{key[1] or 'any'}{suffix}"

    def resume(self, client: SpApiClient) -> None:
        """Start the client's buckets of the held sellers where the last run left them."""
        for seller, region in self.held:
            state = _read_state(self._path((seller, region), ".json"))
            client.limiter.resume(seller, region, state)

    def save(self, client: SpApiClient) -> None:
        for seller, region in self.held:
            state = client.limiter.state(seller, region)
            if state:
                _write_state(self._path((seller, region), ".json"), state)


def _read_state(path: Path) -> dict[str, tuple[float, float]]:
    """The saved snapshots; anything unreadable or odd counts as none (the bucket starts as
    Amazon's does, and a 429 then drains it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("pacing state %s ignored: %s", path.name, type(exc).__name__)
        return {}
    state: dict[str, tuple[float, float]] = {}
    if isinstance(data, dict):
        for operation, value in data.items():
            if (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, int | float) and math.isfinite(v) for v in value)
            ):
                state[str(operation)] = (float(value[0]), float(value[1]))
    return state


def _write_state(path: Path, state: dict[str, tuple[float, float]]) -> None:
    payload = json.dumps({op: list(v) for op, v in state.items()}).encode("utf-8")
    try:
        atomic_write(path, payload)
    except OSError as exc:  # pacing state is a courtesy: never fail an import for it
        log.warning("could not save pacing state %s: %s", path.name, exc.strerror or exc)


@dataclasses.dataclass
class _PacedContext(AppContext):
    """The AppContext, except that its Amazon clients go on from the held sellers' saved
    bucket state and are kept, so their state can be saved for the next run. (Never closed:
    the sandbox and temp dirs stay the original context's to stop.)"""

    turns: SellerTurns | None = None
    clients: list[SpApiClient] = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, ctx: AppContext, turns: SellerTurns) -> _PacedContext:
        same = {f.name: getattr(ctx, f.name) for f in dataclasses.fields(AppContext)}
        return cls(**same, turns=turns)

    def amazon_client(self, http: httpx.AsyncClient) -> SpApiClient:
        client = super().amazon_client(http)
        if self.turns is not None:
            self.turns.resume(client)
        self.clients.append(client)
        return client


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
    except SellerBusy as exc:
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

    paced = _PacedContext.of(ctx, turns)
    try:
        run = asyncio.run(import_shops(paced, [i.id for i in chosen], report))
    except StoreBusy as exc:
        return HeadlessImport(error=exc.message)
    except StoreError as exc:
        return HeadlessImport(error=exc.message)
    except (SecretsUnavailable, SecretsError) as exc:
        return HeadlessImport(error=exc.user_message)
    finally:
        for client in paced.clients:
            turns.save(client)
    return HeadlessImport(run=run)
